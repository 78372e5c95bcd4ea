// Keeps the concert list live without a circuit (docs/scaling.md §5): one event stream with every concert's availability
// (`availability` events, as /api/concerts/{id}/availability/stream sends them), applied to the cards' data attributes.

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

// The city filter is a GET form: choosing a city shows it at once.
document.querySelector("form[data-submit-on-change]")?.addEventListener("change", event => event.currentTarget.requestSubmit());

const list = document.querySelector("[data-concert-list]");
const known = new Set(list?.dataset.known.split(" "));

function apply(snapshot) {
    if (!known.has(snapshot.concertId)) {
        // An organizer just added a concert. Offer to show it rather than have every open list load the page at once.
        document.querySelector("[data-new-concerts]").hidden = false;
        return;
    }

    const card = document.querySelector(`[data-concert-id="${snapshot.concertId}"]`);
    if (!card || snapshot.version <= Number(card.dataset.version)) {
        return;
    }

    card.dataset.version = snapshot.version;
    const prices = JSON.parse(card.dataset.tiers);
    let available = 0;
    let capacity = 0;
    let from = null;
    for (const tier of snapshot.tiers) {
        available += tier.available;
        capacity += tier.capacity;
        if (tier.available > 0 && tier.code in prices) {
            from = from === null ? prices[tier.code] : Math.min(from, prices[tier.code]);
        }
    }

    const soldOut = available <= 0;
    const sellingFast = !soldOut && capacity > 0 && available <= capacity * Number(card.dataset.sellingFast);
    card.querySelector('[data-badge="sold-out"]').hidden = !soldOut;
    card.querySelector('[data-badge="selling-fast"]').hidden = !sellingFast;
    card.querySelectorAll('[data-when="available"]').forEach(element => element.hidden = soldOut);
    card.querySelector('[data-when="sold-out"]').hidden = !soldOut;
    if (from !== null) {
        card.querySelector('[data-field="from-price"] .price').textContent = usd.format(from / 100);
    }
}

if (list) {
    const stream = new EventSource(list.dataset.concertList);
    stream.addEventListener("availability", event => apply(JSON.parse(event.data)));
}
