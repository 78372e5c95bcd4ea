using System.Diagnostics.Metrics;
using Dapper;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Diagnostics;

/// <summary>
/// The engine's counters under the meter "TicketBooking", readable with
/// <c>dotnet-counters monitor -n TicketBooking.Web --counters TicketBooking</c>.
/// </summary>
public sealed class TicketBookingMetrics : IDisposable
{
    public const string MeterName = "TicketBooking";

    private const string ActiveHoldsSql = "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM holds WHERE expires_at > @now";

    private readonly Counter<long> _holdsCreated;
    private readonly Counter<long> _holdsRejected;
    private readonly Counter<long> _bookings;
    private readonly Counter<long> _ticketsSold;
    private readonly Counter<long> _paymentsDeclined;
    private readonly UpDownCounter<long> _streams;
    private readonly Counter<long> _limitsRefused;

    public TicketBookingMetrics(AvailabilityBroadcaster broadcaster, ConnectionFactory connections, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(broadcaster);
        Meter = new Meter(MeterName, "1.0");
        _holdsCreated = Meter.CreateCounter<long>("ticketbooking.holds.created", "{hold}", "Checkouts created or changed");
        _holdsRejected = Meter.CreateCounter<long>("ticketbooking.holds.rejected", "{hold}", "Hold requests refused, by reason");
        _bookings = Meter.CreateCounter<long>("ticketbooking.bookings", "{booking}", "Bookings confirmed");
        _ticketsSold = Meter.CreateCounter<long>("ticketbooking.tickets.sold", "{ticket}", "Tickets sold");
        _paymentsDeclined = Meter.CreateCounter<long>("ticketbooking.payments.declined", "{payment}", "Card payments that did not go through, by reason");
        _limitsRefused = Meter.CreateCounter<long>("ticketbooking.limits.refused", "{request}", "Requests refused by a per-client limit, by limit");
        _streams = Meter.CreateUpDownCounter<long>("ticketbooking.sse.subscribers", "{stream}", "Open availability event streams");
        Meter.CreateObservableUpDownCounter("ticketbooking.availability.subscribers", () => broadcaster.SubscriberCount, "{subscription}",
            "Live availability subscriptions: pages, dashboards and event streams");
        Meter.CreateObservableGauge("ticketbooking.holds.active", () => ActiveHeldTickets(connections, time), "{ticket}",
            "Tickets held by checkouts that have not expired");
    }

    public Meter Meter { get; }

    public void HoldCreated() => _holdsCreated.Add(1);

    public void HoldRejected(string reason) => _holdsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Booked(int tickets)
    {
        _bookings.Add(1);
        _ticketsSold.Add(tickets);
    }

    public void PaymentDeclined(string reason) => _paymentsDeclined.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LimitRefused(string limit) => _limitsRefused.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void StreamOpened() => _streams.Add(1);

    public void StreamClosed() => _streams.Add(-1);

    /// <summary>Read only when a listener collects (dotnet-counters polls about once a second).</summary>
    private static long ActiveHeldTickets(ConnectionFactory connections, TimeProvider time)
    {
        try
        {
            using var connection = connections.Open();
            return connection.ExecuteScalar<long>(ActiveHoldsSql, new { now = time.GetUtcNow() });
        }
        catch (System.Data.Common.DbException)
        {
            return 0; // The database is unavailable; /health reports that.
        }
    }

    public void Dispose() => Meter.Dispose();
}
