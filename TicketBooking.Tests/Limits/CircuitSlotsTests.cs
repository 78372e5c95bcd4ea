using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Limits;

/// <summary>The line for circuits (docs/scaling.md §5): its order, the slot kept for the first in line and for how long, who goes first, and that no slot is given twice.</summary>
public sealed class CircuitSlotsTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);
    private readonly TestClock _time = new();

    private CircuitSlots Slots(int capacity) =>
        new(Options.Create(new LimitOptions { MaxCircuits = capacity, CircuitSlotHold = Hold }), _time);

    private static void Fill(CircuitSlots slots)
    {
        for (var i = 0; i < slots.Capacity; i++)
        {
            slots.TryTake(null).Should().BeTrue();
        }
    }

    [Fact]
    public void A_page_is_served_and_its_circuit_takes_a_slot_while_one_is_free_and_nobody_waits()
    {
        var slots = Slots(2);

        var first = (slots.Admits(null), slots.TryTake(null));
        var second = (slots.Admits(null), slots.TryTake(null));
        var third = (slots.Admits(null), slots.TryTake(null));
        slots.Release();
        var afterOneLeft = slots.Admits(null);

        (first, second, third, afterOneLeft).Should().Be(((true, true), (true, true), (false, false), true));
        slots.Taken.Should().Be(1);
    }

    [Fact]
    public void The_line_keeps_its_order_and_each_freed_slot_is_kept_for_the_first_in_line_only()
    {
        var slots = Slots(2);
        Fill(slots);
        var (a, b, c) = (slots.Join(null, priority: false), slots.Join(null, priority: false), slots.Join(null, priority: false));
        using var watchA = slots.Watch(a)!;
        using var watchB = slots.Watch(b)!;
        using var watchC = slots.Watch(c)!;
        var before = new[] { a, b, c }.Select(t => slots.StatusOf(t).Place).ToList();

        slots.Release();

        before.Should().Equal(1, 2, 3);
        watchA.LetIn.IsCompleted.Should().BeTrue();
        (watchB.LetIn.IsCompleted, watchC.LetIn.IsCompleted).Should().Be((false, false));
        slots.StatusOf(a).State.Should().Be(LineState.Admitted);
        (slots.StatusOf(b).Place, slots.StatusOf(c).Place).Should().Be((1, 2));
        (slots.Admits(a), slots.Admits(b), slots.Admits(null)).Should().Be((true, false, false), "the one free slot is a's");
        (slots.TryTake(b), slots.TryTake(null)).Should().Be((false, false));
        slots.TryTake(a).Should().BeTrue();
        slots.TryTake(a).Should().BeFalse("a's reservation was used");
        (slots.Taken, slots.Reserved, slots.Waiting).Should().Be((2, 0, 2));
    }

    [Fact]
    public void Joining_again_keeps_the_place()
    {
        var slots = Slots(1);
        Fill(slots);
        var a = slots.Join(null, priority: false);
        var b = slots.Join(null, priority: false);

        var again = slots.Join(a, priority: false);

        again.Should().Be(a);
        (slots.StatusOf(a).Place, slots.StatusOf(b).Place, slots.Waiting).Should().Be((1, 2, 2));
    }

    [Fact]
    public void A_kept_slot_expires_after_the_hold_and_goes_to_the_next_in_line()
    {
        var slots = Slots(1);
        Fill(slots);
        var (a, b) = (slots.Join(null, priority: false), slots.Join(null, priority: false));
        using var watchA = slots.Watch(a)!;
        using var watchB = slots.Watch(b)!;
        slots.Release();

        _time.Advance(Hold - TimeSpan.FromMilliseconds(1));
        slots.Sweep();
        var justBefore = (slots.StatusOf(a).State, slots.StatusOf(b).State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        slots.Sweep();

        justBefore.Should().Be((LineState.Admitted, LineState.Waiting));
        (slots.StatusOf(a).State, slots.StatusOf(b).State).Should().Be((LineState.NotInLine, LineState.Admitted));
        slots.TryTake(a).Should().BeFalse("a did not come in time");
        slots.TryTake(b).Should().BeTrue();
        (slots.Taken, slots.Reserved).Should().Be((1, 0));
    }

    [Fact]
    public void A_buyer_holding_tickets_goes_ahead_of_everyone_without_and_behind_those_who_came_before_with_tickets()
    {
        var slots = Slots(1);
        Fill(slots);
        var a = slots.Join(null, priority: false);
        var b = slots.Join(null, priority: false);
        var checkout = slots.Join(null, priority: true);
        var secondCheckout = slots.Join(null, priority: true);
        var aBackWithTickets = slots.Join(a, priority: true);
        var watches = new[] { a, b, checkout, secondCheckout }.Select(t => slots.Watch(t)!).ToList();

        var places = new[] { checkout, secondCheckout, a, b }.Select(t => slots.StatusOf(t).Place).ToList();
        slots.Release();

        aBackWithTickets.Should().Be(a);
        places.Should().Equal(1, 2, 3, 4);
        slots.StatusOf(checkout).State.Should().Be(LineState.Admitted);
        watches.ForEach(w => w.Dispose());
    }

    [Fact]
    public void A_visitor_whose_busy_page_is_closed_is_passed_over_and_leaves_the_line_after_the_grace()
    {
        var slots = Slots(1);
        Fill(slots);
        var gone = slots.Join(null, priority: false);
        var here = slots.Join(null, priority: false);
        using var watch = slots.Watch(here)!;

        slots.Release();
        var passedOver = (slots.StatusOf(gone).State, slots.StatusOf(here).State);
        _time.Advance(CircuitSlots.LineGrace);
        slots.Sweep();
        var atGrace = slots.StatusOf(gone).State;
        _time.Advance(TimeSpan.FromSeconds(1));
        slots.Sweep();

        passedOver.Should().Be((LineState.Waiting, LineState.Admitted));
        atGrace.Should().Be(LineState.Waiting);
        slots.StatusOf(gone).State.Should().Be(LineState.NotInLine);
    }

    [Fact]
    public void A_reloaded_busy_page_keeps_its_place_and_is_let_in_when_it_watches_again()
    {
        var slots = Slots(1);
        Fill(slots);
        var a = slots.Join(null, priority: false);
        var first = slots.Watch(a)!;
        first.Dispose();

        slots.Release();
        var whileAway = slots.StatusOf(a).State;
        using var again = slots.Watch(a)!;

        whileAway.Should().Be(LineState.Waiting);
        again.LetIn.IsCompleted.Should().BeTrue();
        slots.Watch("not-a-token").Should().BeNull();
    }

    [Fact]
    public void Staff_always_get_a_circuit_and_giving_back_more_than_was_taken_is_a_bug()
    {
        var slots = Slots(1);
        Fill(slots);

        slots.TryTake(null, staff: true).Should().BeTrue();
        slots.Taken.Should().Be(2);
        slots.Release();
        slots.Release();
        slots.Invoking(s => s.Release()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_line_signals_each_change()
    {
        var slots = Slots(1);
        Fill(slots);
        var version = slots.Version;
        var changed = slots.ChangedAfter(version);
        var unchanged = changed.IsCompleted;

        slots.Join(null, priority: false);

        (unchanged, changed.IsCompleted, slots.ChangedAfter(version).IsCompleted).Should().Be((false, true, true));
        slots.ChangedAfter(slots.Version).IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Circuits_closing_while_visitors_come_in_give_each_slot_once_on_real_threads()
    {
        const int Capacity = 64;
        const int InLine = 256;
        var slots = Slots(Capacity);
        Fill(slots);
        var tokens = Enumerable.Range(0, InLine).Select(_ => slots.Join(null, priority: false)).ToList();
        var watches = tokens.Select(t => slots.Watch(t)!).ToList();
        var admitted = new ConcurrentBag<string>();
        var strangers = 0;
        using var start = new Barrier(Capacity + InLine + 8);

        // Every circuit closes once; everyone in line takes their slot as soon as it is kept for them, and the strangers
        // (pages without a place in line) try all along.
        var closing = Enumerable.Range(0, Capacity).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            slots.Release();
        }, TaskCreationOptions.LongRunning)).ToList();
        var allClosed = Task.WhenAll(closing);

        // Once every circuit has closed, whoever was let in has been.
        var coming = tokens.Select((token, i) => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            Task.WaitAny(watches[i].LetIn, allClosed);
            if (watches[i].LetIn.IsCompleted && slots.TryTake(token))
            {
                admitted.Add(token);
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        var trying = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1_000; i++)
            {
                if (slots.TryTake(null))
                {
                    Interlocked.Increment(ref strangers);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        await Task.WhenAll([.. closing, .. coming, .. trying]);

        strangers.Should().Be(0, "every freed slot was kept for someone in line");
        admitted.Should().HaveCount(Capacity).And.OnlyHaveUniqueItems();
        admitted.Should().BeSubsetOf(tokens.Take(Capacity), "slots go to the first in line");
        (slots.Taken, slots.Reserved, slots.Waiting).Should().Be((Capacity, 0, InLine - Capacity));
        watches.ForEach(w => w.Dispose());
    }
}
