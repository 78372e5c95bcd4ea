using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace TicketBooking.Core.Payments;

/// <summary>
/// A stand-in card processor with the test cards of the README ("Simulated cards"): <c>4242 4242 4242 4242</c> is approved,
/// <c>4000 0000 0000 0002</c> declined, <c>4000 0000 0000 9995</c> has insufficient funds, a number
/// failing the Luhn check is rejected, and any other valid number is approved; refunds of a charge made with
/// <c>4000 0000 0000 5126</c> fail (the processor refuses them), others succeed. It keeps a ledger of its charges and
/// refunds, as a real processor's dashboard would; a refund asked for twice with one id is made once.
/// </summary>
public sealed class SimulatedPaymentGateway(TimeProvider time, IOptions<PaymentOptions> options) : IPaymentGateway
{
    public const string ApprovedCard = "4242424242424242";
    public const string DeclinedCard = "4000000000000002";
    public const string InsufficientFundsCard = "4000000000009995";
    public const string RefundFailsCard = "4000000000005126";

    private readonly ConcurrentDictionary<string, SimulatedCharge> _charges = new();
    private readonly ConcurrentDictionary<Guid, SimulatedRefund> _refunds = new();
    private readonly Lock _refunding = new();
    private readonly TimeSpan _delay = options.Value.Delay;
    private int _attempts;

    /// <summary>Every charge that was approved, voided or not.</summary>
    public IReadOnlyCollection<SimulatedCharge> Charges => [.. _charges.Values];

    /// <summary>Every refund made (once per refund id).</summary>
    public IReadOnlyCollection<SimulatedRefund> Refunds => [.. _refunds.Values];

    /// <summary>Every call to <see cref="ChargeAsync"/>, whatever its outcome.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _attempts);
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, time, cancellationToken).ConfigureAwait(false);
        }

        var digits = request.Card.Digits;
        if (!Luhn.IsValid(digits))
        {
            return new ChargeResult(ChargeStatus.InvalidCard, null, "The card number is not valid. Check it and try again.");
        }

        switch (digits)
        {
            case DeclinedCard:
                return new ChargeResult(ChargeStatus.Declined, null, "The card was declined. Try another card.");
            case InsufficientFundsCard:
                return new ChargeResult(ChargeStatus.InsufficientFunds, null, "The card has insufficient funds. Try another card.");
        }

        var chargeId = $"ch_{Guid.CreateVersion7(time.GetUtcNow()):N}";
        _charges[chargeId] = new SimulatedCharge(chargeId, request.PaymentId, request.AmountCents, request.Card.Last4, Voided: false, RefundFails: digits == RefundFailsCard);
        return new ChargeResult(ChargeStatus.Approved, chargeId, "Approved.");
    }

    public Task VoidAsync(string chargeId, CancellationToken cancellationToken)
    {
        if (!_charges.TryGetValue(chargeId, out var charge))
        {
            // A charge made before a restart is unknown to this instance; a real processor would still know it.
            charge = new SimulatedCharge(chargeId, Guid.Empty, 0, "", Voided: false, RefundFails: false);
        }

        _charges[chargeId] = charge with { Voided = true };
        return Task.CompletedTask;
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, time, cancellationToken).ConfigureAwait(false);
        }

        lock (_refunding)
        {
            if (_refunds.TryGetValue(request.RefundId, out var earlier))
            {
                return new RefundResult(true, earlier.GatewayRefundId, "Refunded.");
            }

            // A charge made before a restart is unknown to this instance; a real processor would still know it.
            var charge = _charges.GetValueOrDefault(request.ChargeId);
            var refundedBefore = _refunds.Values.Where(r => r.ChargeId == request.ChargeId).Sum(r => r.AmountCents);
            if (charge is { RefundFails: true } || (charge is not null && refundedBefore + request.AmountCents > charge.AmountCents))
            {
                return new RefundResult(false, null, "The card processor refused the refund.");
            }

            var refund = new SimulatedRefund($"re_{Guid.CreateVersion7(time.GetUtcNow()):N}", request.RefundId, request.ChargeId, request.AmountCents);
            _refunds[request.RefundId] = refund;
            return new RefundResult(true, refund.GatewayRefundId, "Refunded.");
        }
    }
}

public sealed record SimulatedCharge(string ChargeId, Guid PaymentId, long AmountCents, string CardLast4, bool Voided, bool RefundFails);

public sealed record SimulatedRefund(string GatewayRefundId, Guid RefundId, string ChargeId, long AmountCents);
