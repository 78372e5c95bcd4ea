// A page rendered on the server without a circuit (docs/scaling.md §5: watching costs kilobytes): the app bar's phone menu
// and the viewer's own clock, done in the browser (js/theme.js does the colours on every page).

const main = document.querySelector("main");

// The phone menu: MudBlazor's temporary drawer, opened and closed as its component would.
const drawer = document.querySelector(".mud-drawer");
const menu = document.querySelector('[data-action="menu"]');
let overlay = null;
function setDrawer(open) {
    drawer.classList.toggle("mud-drawer--open", open);
    drawer.classList.toggle("mud-drawer--closed", !open);
    menu.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && !overlay) {
        overlay = document.createElement("div");
        overlay.className = "mud-overlay mud-overlay-drawer";
        overlay.innerHTML = '<div class="mud-overlay-scrim mud-overlay-dark"></div>';
        overlay.addEventListener("click", () => setDrawer(false));
        drawer.after(overlay);
    } else if (!open && overlay) {
        overlay.remove();
        overlay = null;
    }
}
if (drawer && menu) {
    menu.addEventListener("click", () => setDrawer(!drawer.classList.contains("mud-drawer--open")));
    document.addEventListener("keydown", e => e.key === "Escape" && overlay && setDrawer(false));
}

// "Sat, Mar 13, 2027 · 8:00 PM your time", when the viewer is not in the venue's time zone (as Display.DateTime writes it).
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const formats = new Map();
function onClock(instant, timeZone) {
    if (!formats.has(timeZone)) {
        formats.set(timeZone, new Intl.DateTimeFormat("en-US", {
            weekday: "short", month: "short", day: "numeric", year: "numeric", hour: "numeric", minute: "2-digit", timeZone,
        }));
    }
    const part = Object.fromEntries(formats.get(timeZone).formatToParts(instant).map(p => [p.type, p.value]));
    return `${part.weekday}, ${part.month} ${part.day}, ${part.year} · ${part.hour}:${part.minute} ${part.dayPeriod}`;
}
if (zone) {
    for (const element of document.querySelectorAll("[data-viewer-time]")) {
        if (element.dataset.venueZone !== zone) {
            element.textContent = element.dataset.template.replace("{0}", onClock(new Date(element.dataset.viewerTime), zone));
            element.hidden = false;
        }
    }
}

// Ready: what the page does without a circuit is wired up.
main.dataset.interactive = "true";
