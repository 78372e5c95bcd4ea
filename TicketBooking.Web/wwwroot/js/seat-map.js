// Pan and zoom for a seat map, inside its own box: the box scrolls (drag or swipe pans it), the zoom buttons,
// Ctrl/⌘ + wheel and a two-finger pinch change the drawing's width around the point being looked at.
// Arrow keys, Home/End and Space on a seat move focus or pick (Blazor handles those); here they only stop the page scrolling.

const steps = [1, 2, 3, 4, 6]; // at 4 a seat is a thumb's width on a phone
const navigationKeys = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", " ", "Spacebar"]);

export function attach(box) {
    const svg = box.querySelector("svg");
    const bar = box.previousElementSibling;
    let zoom = 1;
    const pointers = new Map();
    let pinchStart = null;

    function setZoom(next, focusX = box.clientWidth / 2, focusY = box.clientHeight / 2) {
        next = Math.min(steps[steps.length - 1], Math.max(1, next));
        const ratio = next / zoom;
        const x = (box.scrollLeft + focusX) * ratio - focusX;
        const y = (box.scrollTop + focusY) * ratio - focusY;
        zoom = next;
        svg.style.width = `${zoom * 100}%`;
        svg.style.maxHeight = zoom === 1 ? "" : "none"; // fitted, the whole map shows; zoomed, it grows past the box
        box.dataset.zoom = String(zoom);
        box.scrollLeft = x;
        box.scrollTop = y;
    }

    function onZoomButton(event) {
        const button = event.target.closest("[data-zoom]");
        if (!button) {
            return;
        }
        const direction = button.dataset.zoom;
        if (direction === "fit") {
            setZoom(1);
        } else {
            const index = steps.findIndex(s => s >= zoom - 0.001);
            setZoom(steps[Math.min(steps.length - 1, Math.max(0, index + (direction === "in" ? 1 : -1)))]);
        }
    }

    function onWheel(event) {
        if (!event.ctrlKey && !event.metaKey) {
            return; // a plain wheel scrolls the box (and the page at its ends), as everywhere else
        }
        event.preventDefault();
        const rect = box.getBoundingClientRect();
        setZoom(zoom * (event.deltaY < 0 ? 1.15 : 1 / 1.15), event.clientX - rect.left, event.clientY - rect.top);
    }

    function distance() {
        const [a, b] = [...pointers.values()];
        return Math.hypot(a.x - b.x, a.y - b.y);
    }

    function onPointerDown(event) {
        if (event.pointerType !== "touch") {
            return;
        }
        pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
        if (pointers.size === 2) {
            pinchStart = { distance: distance(), zoom };
        }
    }

    function onPointerMove(event) {
        if (!pointers.has(event.pointerId)) {
            return;
        }
        pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
        if (pointers.size === 2 && pinchStart) {
            const [a, b] = [...pointers.values()];
            const rect = box.getBoundingClientRect();
            setZoom(pinchStart.zoom * distance() / pinchStart.distance, (a.x + b.x) / 2 - rect.left, (a.y + b.y) / 2 - rect.top);
        }
    }

    function onPointerUp(event) {
        pointers.delete(event.pointerId);
        if (pointers.size < 2) {
            pinchStart = null;
        }
    }

    function onKeyDown(event) {
        if (navigationKeys.has(event.key) && event.target.closest("[data-seat]")) {
            event.preventDefault();
        }
    }

    // A focused seat off screen (keyboard moves) is scrolled into the box's view, not the page's.
    function onFocusIn(event) {
        const seat = event.target.closest("[data-seat]");
        if (!seat) {
            return;
        }
        const seatBox = seat.getBoundingClientRect();
        const view = box.getBoundingClientRect();
        if (seatBox.left < view.left || seatBox.right > view.right) {
            box.scrollLeft += seatBox.left - view.left - view.width / 2;
        }
        if (seatBox.top < view.top || seatBox.bottom > view.bottom) {
            box.scrollTop += seatBox.top - view.top - view.height / 2;
        }
    }

    const listeners = [
        [bar, "click", onZoomButton],
        [box, "wheel", onWheel, { passive: false }],
        [box, "pointerdown", onPointerDown],
        [box, "pointermove", onPointerMove],
        [box, "pointerup", onPointerUp],
        [box, "pointercancel", onPointerUp],
        [box, "keydown", onKeyDown],
        [box, "focusin", onFocusIn],
    ].filter(([target]) => target);
    listeners.forEach(([target, type, handler, options]) => target.addEventListener(type, handler, options));
    box.dataset.zoom = String(zoom); // the buttons work from here on

    return {
        detach() {
            listeners.forEach(([target, type, handler]) => target.removeEventListener(type, handler));
        },
    };
}
