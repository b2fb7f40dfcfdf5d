// Starts the NHS.UK components (error summary focus, header menu, and so on).
// Every page works without it.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// "Print this summary" buttons (hidden without JavaScript: use the browser's print).
for (const button of document.querySelectorAll("[data-spl-print]")) {
  button.addEventListener("click", () => window.print());
}

// A page waiting for background work ("Importing…") checks again every few seconds
// and reloads once the work has finished. Without JavaScript it has a button.
for (const waiting of document.querySelectorAll("[data-spl-poll]")) {
  const every = Number(waiting.dataset.splPoll) || 3000;
  const check = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.ok && !(await response.text()).includes("data-spl-poll")) {
        window.location.reload();
        return;
      }
    } catch {
      // Offline for a moment: try again later.
    }
    window.setTimeout(check, every);
  };
  window.setTimeout(check, every);
}
