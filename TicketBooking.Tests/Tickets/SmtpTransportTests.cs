using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Email;
using TicketBooking.Web.Email;

namespace TicketBooking.Tests.Tickets;

/// <summary>The SMTP transport (MailKit) against a minimal SMTP server on loopback: what arrives is the outbox message.</summary>
public sealed class SmtpTransportTests
{
    [Fact]
    public async Task A_message_goes_over_smtp_with_its_outbox_id_as_message_id_and_the_links_filled_in()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        var receiving = ReceiveOneAsync(server);
        var options = Options.Create(new EmailOptions { LinkBase = "https://tickets.example", Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, UseTls = false } });
        var message = new OutboxMessage(Guid.CreateVersion7(), Outbox.BookingConfirmed, "Ada Lovelace", "ada@example.com", "Your tickets", "See {base}/bookings/1", 0);

        await new SmtpTransport(options).SendAsync(message, CancellationToken.None);
        var (envelope, data) = await receiving.WaitAsync(TimeSpan.FromSeconds(20));

        envelope.Should().Contain("RCPT TO:<ada@example.com>");
        data.Should().Contain($"Message-Id: <{message.Id:N}@ticketbooking>").And.Contain("Subject: Your tickets").And.Contain("See https://tickets.example/bookings/1");
    }

    /// <summary>Speaks just enough SMTP for one message: greets, accepts the envelope and the data, says goodbye.</summary>
    private static async Task<(string Envelope, string Data)> ReceiveOneAsync(TcpListener server)
    {
        using var client = await server.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\r\n" };
        var envelope = new StringBuilder();
        var data = new StringBuilder();
        await writer.WriteLineAsync("220 test ESMTP");
        while (await reader.ReadLineAsync() is { } line)
        {
            envelope.AppendLine(line);
            var command = line.Split(' ')[0].ToUpperInvariant();
            if (command is "EHLO" or "HELO")
            {
                await writer.WriteLineAsync("250 test");
            }
            else if (command == "DATA")
            {
                await writer.WriteLineAsync("354 go ahead");
                while (await reader.ReadLineAsync() is { } body && body != ".")
                {
                    data.AppendLine(body);
                }

                await writer.WriteLineAsync("250 queued");
            }
            else if (command == "QUIT")
            {
                await writer.WriteLineAsync("221 bye");
                break;
            }
            else
            {
                await writer.WriteLineAsync("250 ok");
            }
        }

        return (envelope.ToString(), data.ToString());
    }
}
