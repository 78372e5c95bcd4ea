namespace TicketBooking.Core;

/// <summary>
/// Who is buying: the anonymous identity a browser or API client carries in its cookie. Every hold
/// and booking belongs to one buyer and is only ever looked up together with it.
/// </summary>
public readonly record struct BuyerId(Guid Value)
{
    public static BuyerId New() => new(Guid.CreateVersion7());

    public static bool TryParse(string? text, out BuyerId buyer)
    {
        if (Guid.TryParse(text, out var value) && value != Guid.Empty)
        {
            buyer = new BuyerId(value);
            return true;
        }

        buyer = default;
        return false;
    }

    public override string ToString() => Value.ToString("D");
}
