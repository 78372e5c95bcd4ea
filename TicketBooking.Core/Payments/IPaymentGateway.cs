namespace TicketBooking.Core.Payments;

/// <summary>A card as the buyer typed it. Never logged or stored; only its last four digits are kept.</summary>
public sealed record CardDetails(string Number, string Expiry, string Cvc)
{
    /// <summary>The digits of the number, without the spaces or dashes people type.</summary>
    public string Digits => new([.. (Number ?? "").Where(char.IsAsciiDigit)]);

    public string Last4 => Digits.Length >= 4 ? Digits[^4..] : Digits;

    public override string ToString() => $"card ending {Last4}";
}

public sealed record ChargeRequest(Guid PaymentId, long AmountCents, string Currency, CardDetails Card);

public enum ChargeStatus
{
    Approved,
    Declined,
    InsufficientFunds,
    InvalidCard,

    /// <summary>The processor failed or could not be reached; nothing is known to be charged.</summary>
    Error,
}

/// <summary>What the gateway said. <see cref="ChargeId"/> is set when money was taken and must be voided if no booking follows.</summary>
public sealed record ChargeResult(ChargeStatus Status, string? ChargeId, string Message)
{
    public bool Approved => Status == ChargeStatus.Approved;
}

/// <summary>Give back <see cref="AmountCents"/> of a charge. <see cref="RefundId"/> is the idempotency key: asking again with it never refunds twice.</summary>
public sealed record RefundRequest(Guid RefundId, string ChargeId, long AmountCents);

/// <summary>What the gateway said about a refund; <see cref="GatewayRefundId"/> is set when the money went back.</summary>
public sealed record RefundResult(bool Succeeded, string? GatewayRefundId, string Message);

/// <summary>The port to a card processor. Called outside any database transaction.</summary>
public interface IPaymentGateway
{
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>Gives back an approved charge that did not become a booking.</summary>
    Task VoidAsync(string chargeId, CancellationToken cancellationToken);

    /// <summary>Refunds part or all of a charge, once per <see cref="RefundRequest.RefundId"/>.</summary>
    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);
}
