// Small browser facts the server cannot know: the viewer's time zone, and whether a checkout is being used.

export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
}

const activityEvents = ["keydown", "pointerdown", "input", "wheel", "touchstart"];

// Reports checkout activity (at most once per `throttleMs`) and tab visibility to a .NET object.
export function watchCheckout(dotnet, throttleMs) {
    let lastReport = 0;
    const onActivity = () => {
        const now = Date.now();
        if (now - lastReport >= throttleMs) {
            lastReport = now;
            dotnet.invokeMethodAsync("OnActivity").catch(() => { });
        }
    };
    const onVisibility = () => dotnet.invokeMethodAsync("OnVisibilityChanged", document.visibilityState === "visible").catch(() => { });

    activityEvents.forEach(name => document.addEventListener(name, onActivity, { passive: true, capture: true }));
    document.addEventListener("visibilitychange", onVisibility);
    return {
        stop() {
            activityEvents.forEach(name => document.removeEventListener(name, onActivity, { capture: true }));
            document.removeEventListener("visibilitychange", onVisibility);
        },
    };
}

// Answers at once: a round trip that lets the browser's earlier replies reach the server first (the checkout's Pay).
export function settled() {
    return true;
}
