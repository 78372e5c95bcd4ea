// The waiting room without a circuit (docs/scaling.md §5): gets the buyer in line, follows their place on the queue's event stream
// (`queue` events, as GET /api/concerts/{id}/queue/stream sends them) and takes them to the concert page at their turn.
// The page renders every text; this shows the part for the current state and fills in the numbers.

const room = document.querySelector("[data-waiting-room]");
const numbers = new Intl.NumberFormat("en-US");
const clockOffset = Number(room?.dataset.serverNow ?? Date.now()) - Date.now();
const serverNow = () => Date.now() + clockOffset;

function show(state) {
    room.dataset.state = state;
    for (const part of room.querySelectorAll("[data-show]")) {
        part.hidden = !part.dataset.show.split(" ").includes(state);
    }
}

function field(name) {
    return room.querySelector(`[data-field="${name}"]`);
}

function plural(name, count) {
    const words = room.querySelector(`[data-plural="${name}"]`);
    if (words) {
        words.textContent = count === 1 ? words.dataset.one : words.dataset.many;
    }
}

// As Display.Wait says it: "less than a minute", "about 4 minutes", "about 1 hour 10 min".
function waitWords(seconds, words) {
    const minutes = Math.round(seconds / 60);
    if (seconds < 60) {
        return words.less;
    }
    if (minutes < 60) {
        return (minutes === 1 ? words.minute : words.minutes).replace("{0}", minutes);
    }
    const hours = Math.floor(minutes / 60);
    return (hours === 1 ? words.hour : words.hours).replace("{0}", hours) + (minutes % 60 === 0 ? "" : words.min.replace("{0}", minutes % 60));
}

let firstPosition = null;

function render(place) {
    switch (place.state) {
        case "admitted":
            show("admitted");
            location.assign(room.dataset.concertHref);
            return;
        case "done":
        case "expired":
            show(place.state);
            return;
    }

    if (place.position === null) {
        show("unplaced");
        field("in-room").textContent = numbers.format(place.inLine);
        plural("in-room", place.inLine);
        return;
    }

    show("waiting");
    firstPosition ??= place.position;
    field("position").textContent = numbers.format(place.position);
    const ahead = field("ahead");
    ahead.textContent = place.aheadOfYou === 0 ? ahead.dataset.zero
        : place.aheadOfYou === 1 ? ahead.dataset.one
        : ahead.dataset.many.replace("{0}", numbers.format(place.aheadOfYou));
    const wait = field("wait");
    wait.textContent = waitWords(place.estimatedWaitSeconds ?? 0, JSON.parse(wait.dataset.wait));
    const progress = firstPosition > 1 ? Math.round((firstPosition - place.position) * 100 / (firstPosition - 1)) : 0;
    const bar = field("progress");
    bar.setAttribute("aria-valuenow", progress);
    bar.firstElementChild.style.width = `${progress}%`;
    const left = place.ticketsLeft;
    room.querySelector('[data-when="sold-out"]').hidden = left !== 0;
    room.querySelector('[data-when="tickets-left"]').hidden = left === null || left === undefined || left === 0;
    if (left) {
        field("tickets-left").textContent = numbers.format(left);
        plural("tickets-left", left);
    }
}

let stream = null;

function follow() {
    stream?.close();
    stream = new EventSource(`${room.dataset.queue}/stream`);
    stream.addEventListener("queue", event => render(JSON.parse(event.data)));
    stream.addEventListener("error", () => {
        // EventSource reconnects by itself after a dropped connection; an answer that is not a stream (not in line any
        // more, or the server refusing) closes it: ask where the buyer stands.
        if (stream.readyState === EventSource.CLOSED) {
            setTimeout(look, 3_000);
        }
    });
}

async function look() {
    const answer = await fetch(room.dataset.queue, { credentials: "same-origin" });
    if (answer.ok) {
        render(await answer.json());
        follow();
    } else if (answer.status === 404) {
        await join();
    } else {
        setTimeout(look, 5_000);
    }
}

async function join() {
    const answer = await fetch(room.dataset.queue, { method: "POST", credentials: "same-origin" });
    if (answer.ok) {
        render(await answer.json());
        follow();
        return;
    }

    const problem = await answer.json().catch(() => ({}));
    if (answer.status === 409 && problem.opensAt) {
        show("opens");
        setTimeout(join, Math.max(0, Date.parse(problem.opensAt) - serverNow()) + 250);
    } else if (answer.status === 409 && problem.title === "No waiting room.") {
        location.assign(room.dataset.concertHref);
    } else {
        field("closed").textContent = problem.detail ?? "Something went wrong. Please reload the page.";
        show("closed");
        if (answer.status === 429 || answer.status === 503) {
            setTimeout(join, Math.max(1, problem.retryAfterSeconds ?? 5) * 1_000);
        }
    }
}

// Countdowns ("Tickets go on sale in", "The waiting room opens in") on the server's clock, as Display.LongCountdown writes them.
function longCountdown(milliseconds) {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    const two = n => String(n).padStart(2, "0");
    const [days, hours, minutes] = [Math.floor(seconds / 86_400), Math.floor(seconds / 3_600) % 24, Math.floor(seconds / 60) % 60];
    return days > 0 ? `${days} ${days === 1 ? "day" : "days"} ${two(hours)}:${two(minutes)}:${two(seconds % 60)}`
        : hours > 0 ? `${hours}:${two(minutes)}:${two(seconds % 60)}`
        : `${two(minutes)}:${two(seconds % 60)}`;
}

function tick() {
    for (const timer of room.querySelectorAll("[data-countdown-to]")) {
        timer.textContent = longCountdown(Number(timer.dataset.countdownTo) - serverNow());
    }
}

if (room) {
    setInterval(tick, 1_000);
    switch (room.dataset.state) {
        case "joining":
            join();
            break;
        case "opens":
            setTimeout(join, Math.max(0, Number(room.dataset.opensAt) - serverNow()) + 250);
            break;
        case "admitted":
            location.assign(room.dataset.concertHref);
            break;
        case "waiting":
        case "unplaced":
            follow();
            break;
    }
}
