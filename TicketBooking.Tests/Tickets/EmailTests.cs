using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using TicketBooking.Core.Email;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Email;

namespace TicketBooking.Tests.Tickets;

/// <summary>Confirmation and cancellation e-mails through the outbox, as .eml files in the pickup folder.</summary>
public sealed class EmailTests
{
    /// <summary>Waits, pass by pass of the sender, until the pickup folder holds <paramref name="count"/> messages.</summary>
    internal static async Task<IReadOnlyList<MimeMessage>> MailAsync(TicketBookingApp app, int count)
    {
        var sender = app.GetService<OutboxSender>();
        var folder = app.GetService<IEmailTransport>().Should().BeOfType<PickupDirectoryTransport>().Subject.Directory;
        var passed = new SemaphoreSlim(0);
        sender.Passed += () => passed.Release();
        app.GetService<OutboxSignal>().Notify();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml") : [];
            if (files.Length >= count)
            {
                return [.. files.Order().Select(f => MimeMessage.Load(f))];
            }

            await passed.WaitAsync(deadline.Token);
        }
    }

    [Fact]
    public async Task A_booking_sends_one_confirmation_with_the_tickets_link_and_a_cancellation_sends_the_refund()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("VIP", 2));

        var confirmation = (await MailAsync(app, 1)).Single();
        (await buyer.CancelAsync(booking.Id, booking.Tickets[0].Id)).StatusCode.Should().Be(HttpStatusCode.OK);
        var mail = await MailAsync(app, 2);
        var cancellation = mail.Single(m => m.MessageId != confirmation.MessageId);

        confirmation.To.Mailboxes.Single().Address.Should().Be("ada@example.com");
        confirmation.Subject.Should().Contain(booking.Reference);
        confirmation.TextBody.Should().Contain("2 × VIP at $100.00").And.Contain("Total paid: $200.00")
            .And.Contain($"http://localhost:5000/bookings/{booking.Id}").And.NotContain(booking.Tickets[0].Code, "codes are not sent in the clear");
        cancellation.Subject.Should().StartWith("Tickets cancelled");
        cancellation.TextBody.Should().Contain("You cancelled 1 ticket").And.Contain("$100.00 is on its way back");
    }

    [Fact]
    public async Task A_delivery_that_fails_is_tried_again_later_and_then_sent_once()
    {
        var failing = new FlakyTransport(failures: 1);
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Email:RetryAfter"] = "00:00:01", ["Email:PollInterval"] = "00:00:00.200" },
            configure: services => services.AddSingleton<IEmailTransport>(failing));
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var buyer = ApiBuyer.For(app);
        await buyer.BookAsync(concert.Id, ("VIP", 1));

        var delivered = await failing.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var passDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.GetService<OutboxSender>().Passed += () => passDone.TrySetResult();
        await passDone.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the pass that delivered it has recorded it

        failing.Attempts.Should().Be(2);
        delivered.Attempts.Should().Be(1, "the message carried its earlier failed attempt");
        (await app.GetService<Outbox>().DueAsync(DateTimeOffset.UtcNow.AddDays(1), 10, CancellationToken.None)).Should().BeEmpty("sent once, nothing left due");
    }

    private sealed class FlakyTransport(int failures) : IEmailTransport
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public TaskCompletionSource<OutboxMessage> Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new IOException("The mail server is not answering.");
            }

            Delivered.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
