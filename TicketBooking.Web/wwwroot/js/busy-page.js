// The busy page without a circuit (docs/scaling.md §5): follows the visitor's place in this instance's line for circuits on its
// event stream (`line` events, as GET /api/circuits/line/stream sends them) and takes them back to the page they asked
// for when a slot is kept for them. The page renders every text; this shows the state's part and fills in the place.

const busy = document.querySelector("[data-busy]");

function show(state) {
    busy.dataset.state = state;
    for (const part of busy.querySelectorAll("[data-show]")) {
        part.hidden = part.dataset.show !== state;
    }
}

// As Display.Ordinal writes it: "1st", "2nd", "3rd", "11th", "1,022nd".
function ordinal(value) {
    const suffix = [11, 12, 13].includes(value % 100) ? "th" : ({ 1: "st", 2: "nd", 3: "rd" })[value % 10] ?? "th";
    return new Intl.NumberFormat("en-US").format(value) + suffix;
}

let stream = null;
let firstPlace = null;

function goIn() {
    show("admitted");
    stream?.close();
    location.replace(busy.dataset.return);
}

function render(line) {
    if (line.state !== "waiting") {
        // Admitted (a slot is kept), or no longer in line: the page itself decides, and sends the visitor back if need be.
        goIn();
        return;
    }

    show("waiting");
    firstPlace ??= line.place;
    busy.querySelector('[data-field="place"]').textContent = ordinal(line.place);
    const sentence = busy.querySelector('[data-field="sentence"]');
    sentence.textContent = line.place === 1 ? sentence.dataset.next : sentence.dataset.place.replace("{0}", ordinal(line.place));
    const progress = firstPlace > 1 ? Math.round((firstPlace - line.place) * 100 / (firstPlace - 1)) : 0;
    const bar = busy.querySelector('[data-field="progress"]');
    bar.setAttribute("aria-valuenow", progress);
    bar.firstElementChild.style.width = `${progress}%`;
}

function follow() {
    stream = new EventSource("api/circuits/line/stream");
    stream.addEventListener("line", event => render(JSON.parse(event.data)));
    stream.addEventListener("error", () => {
        // EventSource reconnects by itself after a dropped connection. An answer that is not a stream closes it: not in
        // line (the page will let the visitor in, or give a new place), or too many streams from the network (try again).
        if (stream.readyState === EventSource.CLOSED) {
            setTimeout(async () => {
                const answer = await fetch("api/circuits/line", { credentials: "same-origin" }).catch(() => null);
                const line = answer?.ok ? await answer.json() : null;
                if (line && line.state === "waiting") {
                    render(line);
                    follow();
                } else if (line) {
                    goIn();
                } else {
                    follow();
                }
            }, 2_000);
        }
    });
}

if (busy) {
    if (busy.dataset.state === "waiting") {
        follow();
    } else {
        goIn();
    }
}
