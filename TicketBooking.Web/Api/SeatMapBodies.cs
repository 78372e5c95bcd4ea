using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Seating;

namespace TicketBooking.Web.Api;

/// <summary>
/// The seat map's JSON, made once per <see cref="SharedSeatMap"/> (a version of a concert's seats) and sent to every
/// viewer: for a viewer who holds seats, their seats' <c>"taken"</c> is written as <c>"yours"</c> on the way out (the
/// same five bytes), so a 20,000-seat map of three megabytes costs one serialization, not one per request.
/// </summary>
public sealed class SeatMapBodies(IOptions<JsonOptions> json)
{
    private static readonly byte[] StatusKey = "\"status\":\""u8.ToArray();
    private static readonly byte[] Taken = "taken"u8.ToArray();

    // Lazy: the table may run a value factory on several threads at once, and a crowd asks for a new map at one moment.
    private readonly ConditionalWeakTable<SharedSeatMap, Lazy<SeatMapBody>> _bodies = [];
    private long _serializations;

    /// <summary>How many maps were serialized: once per shared map, whatever the number of requests.</summary>
    public long Serializations => Interlocked.Read(ref _serializations);

    public SeatMapBody For(SharedSeatMap shared) => _bodies.GetValue(shared, s => new Lazy<SeatMapBody>(() => Serialize(s))).Value;

    private SeatMapBody Serialize(SharedSeatMap shared)
    {
        Interlocked.Increment(ref _serializations);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(SeatMapResponse.From(shared.Map), json.Value.SerializerOptions);

        // Each seat's status, in seat order: the n-th "status" key is the n-th seat's (a JSON string can never hold an
        // unescaped quote, so the key's bytes cannot occur inside a value).
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var at = 0;
        foreach (var seat in shared.Map.Seats)
        {
            at += bytes.AsSpan(at).IndexOf(StatusKey) + StatusKey.Length;
            if (seat.Status == SeatStatus.Taken)
            {
                if (!bytes.AsSpan(at, Taken.Length).SequenceEqual(Taken))
                {
                    throw new InvalidOperationException($"The seat map's JSON does not have seat {seat.Label}'s status where it was looked for.");
                }

                taken[seat.Label] = at;
            }
        }

        // The validator names the content: a map read again with nothing changed keeps its tag (and its viewers their 304s).
        return new SeatMapBody(Convert.ToBase64String(SHA256.HashData(bytes), 0, 12).Replace('+', '-').Replace('/', '_'), bytes, taken);
    }
}

/// <summary>One serialized seat map and where each taken seat's status is in it; compressed once if someone asks.</summary>
public sealed class SeatMapBody(string tag, byte[] json, IReadOnlyDictionary<string, int> taken)
{
    private static readonly ReadOnlyMemory<byte> Yours = "yours"u8.ToArray();

    // The map has no secret and echoes nothing a request sent, so compressing it gives nothing away (BREACH).
    private readonly Lazy<byte[]> _gzipped = new(() =>
    {
        using var compressed = new MemoryStream(json.Length / 8);
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(json);
        }

        return compressed.ToArray();
    });

    /// <summary>The map as <paramref name="own"/>'s holder sees it can be written from these bytes (every seat of theirs is taken here).</summary>
    public bool Covers(IReadOnlyList<string> own) => own.All(taken.ContainsKey);

    /// <summary>
    /// A validator of what <see cref="WriteAsync"/> sends to the holder of <paramref name="own"/>: weak, since the same map
    /// goes out compressed or not.
    /// </summary>
    public Microsoft.Net.Http.Headers.EntityTagHeaderValue ETag(IReadOnlyList<string> own)
    {
        if (own.Count == 0)
        {
            return new($"\"{tag}\"", isWeak: true);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', own.Order(StringComparer.Ordinal))));
        return new($"\"{tag}.{Convert.ToHexStringLower(hash.AsSpan(0, 8))}\"", isWeak: true);
    }

    /// <summary>
    /// Writes the map for the holder of <paramref name="own"/>. With no seats of their own and <paramref name="gzip"/>
    /// accepted, the bytes compressed once for everybody (a 20,000-seat map: about 3 MB, a tenth of it compressed).
    /// </summary>
    public async Task WriteAsync(HttpResponse response, IReadOnlyList<string> own, bool gzip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = "application/json; charset=utf-8";
        if (gzip && own.Count == 0)
        {
            response.Headers.ContentEncoding = "gzip";
            response.ContentLength = _gzipped.Value.Length;
            await response.Body.WriteAsync(_gzipped.Value, cancellationToken);
            return;
        }

        response.ContentLength = json.Length;
        var from = 0;
        foreach (var offset in own.Select(label => taken[label]).Order())
        {
            await response.Body.WriteAsync(json.AsMemory(from, offset - from), cancellationToken);
            await response.Body.WriteAsync(Yours, cancellationToken);
            from = offset + Yours.Length;
        }

        await response.Body.WriteAsync(json.AsMemory(from), cancellationToken);
    }
}
