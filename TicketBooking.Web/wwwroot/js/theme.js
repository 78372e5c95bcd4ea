// The page's colours, on every page (ThemePreference): the server draws them from the tb-theme cookie, outside any circuit,
// so the first paint is already right. The app bar's switch remembers the buyer's choice and draws the page again in it;
// until the buyer chooses, the page follows the system's setting and remembers it for the next page's first paint.

function remember(theme) {
    document.cookie = `tb-theme=${theme}; path=/; max-age=31536000; samesite=lax`;
}

// Delegated: on a page with a circuit, Blazor draws the app bar again when the circuit starts.
document.addEventListener("click", event => {
    if (event.target instanceof Element && event.target.closest('[data-action="theme"]')) {
        remember(document.querySelector("main").dataset.theme === "dark" ? "light" : "dark");
        location.reload();
    }
});

const main = document.querySelector("main");
if (main && main.dataset.themeChosen !== "true") {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    remember(dark ? "system-dark" : "system-light");
    if ((main.dataset.theme === "dark") !== dark) {
        location.reload();
    }
}
