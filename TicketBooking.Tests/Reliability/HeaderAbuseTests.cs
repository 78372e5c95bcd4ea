using System.Net;
using System.Net.Sockets;
using System.Text;
using TicketBooking.Bench;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Reliability;

/// <summary>Requests abusing the HTTP layer itself, sent raw to the real server with its configured Kestrel limits.</summary>
[Collection(SerialTests.Name)]
public sealed class HeaderAbuseTests
{
    [Fact]
    public async Task Oversized_or_too_many_headers_and_huge_request_lines_are_refused_and_the_server_keeps_serving()
    {
        await using var app = await AppUnderTest.StartAsync(BuiltApp.Configuration);
        var cases = new (string Name, string Request, int[] Expected)[]
        {
            ("a 20 KB header", $"GET /api/concerts HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 20_000)}\r\n\r\n", [431]),
            ("200 headers", $"GET /api/concerts HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n"))}\r\n", [431]),
            ("a 10 KB request line", $"GET /api/concerts?q={new string('q', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", [414]),
            ("a 2 MB body declared", "POST /api/holds HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{", [413]),
            ("a header with a raw newline", "GET /api/concerts HTTP/1.1\r\nHost: x\r\nX-Bad: a\nb\r\n\r\n", [400]),
            ("no Host header", "GET /api/concerts HTTP/1.1\r\n\r\n", [400]),
        };

        foreach (var (name, request, expected) in cases)
        {
            var status = await SendRawAsync(app.BaseAddress, request);
            status.Should().BeOneOf(expected, name);
        }

        using var api = new TicketApi(app.BaseAddress, 4);
        (await api.SendAsync(HttpMethod.Get, "/health")).Status.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<int> SendRawAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15)) ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
