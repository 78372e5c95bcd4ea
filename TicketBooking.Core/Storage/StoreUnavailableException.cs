namespace TicketBooking.Core.Storage;

/// <summary>
/// The database could not take a write right now: the writer's queue is full, the file is locked by
/// another process beyond the busy timeout, or it cannot be opened or written. Nothing was changed;
/// the caller may try again later.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
