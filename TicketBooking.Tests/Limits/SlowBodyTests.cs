using System.Net;
using System.Net.Sockets;
using System.Text;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Limits;

/// <summary>
/// Clients that trickle a request body (faster than Kestrel's minimum data rate, slower than anyone real) must not take
/// the API's slots: the body is read before a slot is taken, and cut when its deadline passes.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class SlowBodyTests
{
    [Fact]
    public async Task Three_hundred_slow_bodies_hold_no_api_slot_the_api_keeps_answering_and_the_slow_connections_are_cut()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["Limits:RequestBodyTimeout"] = "00:00:04",
            // Far fewer slots than slow clients: if a trickling body held one, nobody else would get in.
            ["Overload:MaxConcurrentRequests"] = "16",
            ["Overload:QueueLimit"] = "16",
        });
        var baseAddress = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 1_000));
        using var buyer = ApiBuyer.For(app);
        using var noCookies = new HttpClient { BaseAddress = baseAddress };
        using var firstVisit = await noCookies.GetAsync(new Uri("/api/concerts", UriKind.Relative));
        var cookie = firstVisit.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var cut = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var slow = Enumerable.Range(0, 300).Select(_ => TrickleAsync(baseAddress, cookie, cut.Token)).ToList();
        await Task.WhenAll(slow.Select(s => s.Started));

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var hold = await buyer.HoldAsync(concert.Id, ("GA", 1 + (i % 4)));
            answers.Add(hold.StatusCode);
        }

        var stillTrickling = slow.Count(s => !s.Done.IsCompleted);
        var outcomes = await Task.WhenAll(slow.Select(s => s.Done));

        answers.Should().AllBeEquivalentTo(HttpStatusCode.Created, "the API answers while 300 bodies trickle in");
        stillTrickling.Should().Be(300, "all the slow clients were still sending while the API answered");
        outcomes.Should().AllSatisfy(o => o.Should().Match<string>(s => s.StartsWith("HTTP/1.1 408", StringComparison.Ordinal) || s == "closed"));
        outcomes.Count(o => o.StartsWith("HTTP/1.1 408", StringComparison.Ordinal)).Should().BePositive();
        app.Log.Entries.Should().Contain(e => e.Message.StartsWith("Cut a request from", StringComparison.Ordinal));
    }

    private sealed record Trickle(Task Started, Task<string> Done);

    /// <summary>A POST announcing a 32 KB body and sending 300 bytes a second of it; returns the status line it got, or "closed".</summary>
    private static Trickle TrickleAsync(Uri baseAddress, string cookie, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new Trickle(started.Task, Task.Run(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
            var stream = client.GetStream();
            var head = $"POST /api/holds HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: 32768\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
            started.TrySetResult();
            var reading = ReadStatusAsync(stream, cancellationToken);
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 30));
            try
            {
                while (!reading.IsCompleted)
                {
                    await stream.WriteAsync(chunk, cancellationToken); // 30 bytes every 100 ms: 300 B/s, above Kestrel's 240 B/s minimum
                    await Task.WhenAny(reading, Task.Delay(100, cancellationToken));
                }
            }
            catch (IOException)
            {
                // The server closed the connection while we were still sending.
            }

            return await reading;
        }, cancellationToken));
    }

    private static async Task<string> ReadStatusAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        try
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read == 0 ? "closed" : Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (IOException)
        {
            return "closed";
        }
    }
}
