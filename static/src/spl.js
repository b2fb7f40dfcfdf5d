// Starts the NHS.UK components (error summary focus, header menu, and so on).
// Every page works without it.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();
