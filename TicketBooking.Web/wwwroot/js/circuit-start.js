// Starts Blazor on a page with a circuit, and listens for the server refusing the circuit as it starts (docs/scaling.md §5):
// with no circuit slot free on this instance the page goes to the busy page, which takes the visitor back in at their
// turn; over the address's limit the page says why. Either way, never Blazor's bare error bar.

function leave(busyPage) {
    document.documentElement.dataset.circuitRefused = "busy";
    location.replace(busyPage);
}

function refused(message) {
    document.documentElement.dataset.circuitRefused = "refused";
    const bar = document.getElementById("blazor-error-ui");
    if (bar) {
        bar.querySelector(".message").textContent = message;
        bar.style.display = "block";
    }
}

Blazor.start({
    circuit: {
        configureSignalR(builder) {
            const build = builder.build.bind(builder);
            builder.build = () => {
                const connection = build();
                connection.on("ticketbooking:busy", leave);
                connection.on("ticketbooking:refused", refused);
                return connection;
            };
        },
    },
});
