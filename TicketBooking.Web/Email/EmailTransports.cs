using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using TicketBooking.Core.Email;

namespace TicketBooking.Web.Email;

/// <summary>Delivers one message. Delivering the same message twice (after a crash) must not make two different messages.</summary>
public interface IEmailTransport
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>The MIME message for an outbox entry: its id is the Message-ID, so a repeated delivery is recognisably the same.</summary>
internal static class Mime
{
    public static MimeMessage From(OutboxMessage message, EmailOptions options)
    {
        var mime = new MimeMessage
        {
            MessageId = $"{message.Id:N}@ticketbooking",
            Subject = message.Subject,
            Body = new TextPart("plain") { Text = message.Body.Replace("{base}", options.LinkBase.TrimEnd('/'), StringComparison.Ordinal) },
        };
        mime.From.Add(MailboxAddress.Parse(options.From));
        mime.To.Add(new MailboxAddress(message.RecipientName, message.RecipientEmail));
        return mime;
    }
}

/// <summary>Writes <c>{id}.eml</c> into the pickup folder (atomically: a temporary file renamed), so a repeat overwrites, never duplicates.</summary>
public sealed class PickupDirectoryTransport(IOptions<EmailOptions> options, IHostEnvironment environment) : IEmailTransport
{
    public string Directory { get; } = Path.GetFullPath(options.Value.PickupDirectory, environment.ContentRootPath);

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"{message.Id:N}.eml");
        var temporary = path + ".tmp";
        await Mime.From(message, options.Value).WriteToAsync(temporary, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>SMTP through MailKit, one connection per message (a pooled connection would serve volume better).</summary>
public sealed class SmtpTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient();
        // UseTls requires STARTTLS (not "when available"): a stripped offer must not send the password in the clear.
        var security = !smtp.UseTls ? SecureSocketOptions.None : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Email:Smtp:Host is not set."), smtp.Port, security, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(Mime.From(message, options.Value), cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The server has the message; a failed goodbye must not make it send again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
