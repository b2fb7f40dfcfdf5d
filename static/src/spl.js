// Starts the NHS.UK components (error summary focus, header menu, and so on).
// Every page works without it.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// "Print this summary" buttons (hidden without JavaScript: use the browser's print).
for (const button of document.querySelectorAll("[data-spl-print]")) {
  button.addEventListener("click", () => window.print());
}
