namespace TicketBooking.Web.Limits;

/// <summary>A limit said no: which one, when to try again, and what to tell the person.</summary>
public sealed record Refusal(string Limit, TimeSpan RetryAfter, string Message)
{
    /// <summary>Whole seconds, at least one: the value of a Retry-After header.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>What a limited action returned, or why it did not run.</summary>
public readonly record struct Limited<T>(T? Result, Refusal? Refusal)
    where T : class
{
    public static implicit operator Limited<T>(T result) => new(result, null);

    public static implicit operator Limited<T>(Refusal refusal) => new(null, refusal);
}

/// <summary>Who is acting: the buyer identity from the cookie and the client address it came from.</summary>
public sealed record Requester(Core.BuyerId Buyer, string Address);
