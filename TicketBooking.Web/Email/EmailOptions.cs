using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Web.Email;

/// <summary>
/// Where e-mails go: an SMTP server (MailKit) when <see cref="Smtp"/>.Host is set, otherwise <c>.eml</c> files in
/// <see cref="PickupDirectory"/> (what the demo uses: open them with any mail program).
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>Folder for <c>.eml</c> files, relative to the content root; used when no SMTP host is set.</summary>
    public string PickupDirectory { get; set; } = "mail";

    [Required]
    public string From { get; set; } = "TicketBooking <tickets@ticketbooking.local>";

    /// <summary>The app's public address, for the links in e-mails.</summary>
    [Required, Url]
    public string LinkBase { get; set; } = "http://localhost:5000";

    /// <summary>How often the sender looks for due messages when nothing wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry's wait; it doubles with each failure, up to an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>STARTTLS when the server offers it (the default), or none (a local relay).</summary>
    public bool UseTls { get; set; } = true;
}
