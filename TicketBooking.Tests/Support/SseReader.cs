using System.Text.Json;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Support;

/// <summary>Reads server-sent events off a response stream.</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public async Task<string?> NextLineAsync() => await _reader.ReadLineAsync();

    /// <summary>The next event: its type, id and availability data. Throws when the stream ends first.</summary>
    public async Task<(string? Event, AvailabilityResponse Data)> NextAsync() =>
        await NextEventAsync() is { } next ? (next.Event, next.Data) : throw new EndOfStreamException("The event stream ended.");

    /// <summary>The next availability event, or null when the server ends the stream.</summary>
    public async Task<(string? Event, string? Id, AvailabilityResponse Data)?> NextEventAsync() =>
        await NextRawAsync() is { } next ? (next.Event, next.Id, JsonSerializer.Deserialize<AvailabilityResponse>(next.Data, ApiBuyer.Json)!) : null;

    /// <summary>The next event of type <paramref name="type"/> (others are skipped), its data read as <typeparamref name="T"/>.</summary>
    public async Task<T> NextOfAsync<T>(string type)
    {
        while (await NextRawAsync() is { } next)
        {
            if (next.Event == type)
            {
                return JsonSerializer.Deserialize<T>(next.Data, ApiBuyer.Json)!;
            }
        }

        throw new EndOfStreamException($"The event stream ended before a '{type}' event.");
    }

    /// <summary>The next event with its data as sent, or null when the server ends the stream.</summary>
    public async Task<(string? Event, string? Id, string Data)?> NextRawAsync()
    {
        string? type = null;
        string? id = null;
        string? data = null;
        while (await _reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0 && data is not null)
            {
                return (type, id, data);
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}
