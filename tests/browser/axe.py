"""axe-core on every page a browser journey visits, failing on WCAG A and AA.

How no page is missed:

- axe-core (the locked npm version in node_modules/axe-core) is an init script,
  so it is in every document the page shows. A second init script runs it when
  the document's `load` event fires, so the checking overlaps with the
  journey's clicking and typing, and reports each run to Python through a
  binding.
- A journey often leaves a page before that run has finished, or before
  `load`. So the document starts a run on `beforeunload` if it has had none,
  and every navigation of the main frame (a click, a form, `page.goto`, a
  reload) is held in a route handler until the runs under way have reported.
  The document being left keeps running meanwhile: the next one only replaces
  it once the request is let go. (Playwright cannot evaluate in a page while
  its navigation is held, which is why the page reports rather than Python
  asking.)
- At the end of a test the page it ended on is checked as it is then, and a
  document that never reported is an error (tests/browser/conftest.py).
- A run sees the page as it is at that moment. A journey that changes a page
  without leaving it (a conditional reveal, an error message) calls
  `check_accessibility(page)` to have that state checked too.

Not covered: pages in other tabs or windows (no journey opens one), and
navigations a test routes itself with `page.route` (its handler runs before
this one, so the page is left unwaited: such a test calls
`check_accessibility(page)` before leaving it).
"""

import json
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the service's accessibility standard.
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# How long a navigation may wait for the page it leaves to be checked.
WAIT_SECONDS = 15

# Runs one at a time (axe refuses to overlap) and reports each to Python.
RUNNER_JS = """
(() => {
  if (window !== window.top || !location.protocol.startsWith("http")
      || document.contentType !== "text/html") return;
  const report = window.__splAxeReport;
  const options = {runOnly: {type: "tag", values: WCAG_A_AA}, resultTypes: ["violations"]};
  // Two exceptions. First, a design system conditional reveal sets aria-expanded
  // on the radio that reveals (NHS.UK, like GOV.UK, on purpose: screen readers
  // announce it). ARIA 1.2 allows it on checkboxes but not radios, so axe
  // fails it; GOV.UK found it is no WCAG failure and keeps it
  // (alphagov/govuk-frontend#979). Nothing else on such a radio is let through.
  const revealingRadio = (violation, node) =>
    violation.id === "aria-allowed-attr"
    && document.querySelector(node.target[0])?.matches("input[type=radio][aria-controls]")
    && [...node.any, ...node.all, ...node.none].every((check) => check.id === "aria-allowed-attr"
      && check.data.values.every((value) => value.startsWith("aria-expanded=")));
  // Second, the link a journey has just clicked, while a run is under way: it
  // wears the NHS.UK focus style (a yellow background and a thick underline
  // drawn as a box-shadow, which axe does not count), so axe reads it as a
  // link told apart by colour alone. Only that rule, only the focused link.
  const focusedLink = (violation, node) =>
    violation.id === "link-in-text-block"
    && document.querySelector(node.target[0]) === document.activeElement;
  const doc = Math.random().toString(36).slice(2);
  let queue = Promise.resolve();
  let runs = 0;
  report({kind: "document", doc, url: location.href});
  const check = () => {
    const run = `${doc}/${++runs}`;
    const url = location.href;
    report({kind: "started", doc, run, url});
    queue = queue
      .then(() => axe.run(document, options))
      .then(
        ({violations}) => ({violations: violations.map((v) => ({
          ...v, nodes: v.nodes.filter((node) => !revealingRadio(v, node) && !focusedLink(v, node)),
        })).filter((v) => v.nodes.length).map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          targets: v.nodes.map((node) => node.target.join(" ")),
          summary: v.nodes[0].failureSummary,
        }))}),
        (error) => ({error: String(error)}),
      )
      .then((result) => report({kind: "finished", doc, run, url, ...result}));
    return queue;
  };
  window.__splAxeCheck = check;
  window.addEventListener("load", () => runs || check());
  window.addEventListener("beforeunload", () => runs || check());
})();
""".replace("WCAG_A_AA", json.dumps(WCAG_A_AA))


@dataclass
class Violation:
    url: str
    id: str
    impact: str
    help: str
    help_url: str
    targets: list[str]
    summary: str

    def __str__(self):
        shown = ", ".join(self.targets[:3]) + (", …" if len(self.targets) > 3 else "")
        summary = " ".join(self.summary.split())
        return (
            f"{self.id} ({self.impact}): {self.help}\n"
            f"    {len(self.targets)} on the page: {shown}\n    {summary}\n    {self.help_url}"
        )


@dataclass
class AxeChecker:
    page: object
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked_urls: list[str] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)  # document → URL
    running: set[str] = field(default_factory=set)

    def check(self):
        """Check the page as it is now; wait for every run under way to report."""
        self.page.evaluate("() => window.__splAxeCheck && window.__splAxeCheck()")
        self._wait()

    def report(self):
        """Every problem found, page by page, for a test failure."""
        lines = [*self.errors]
        by_url = {}
        for violation in self.violations:
            by_url.setdefault(violation.url, []).append(violation)
        for url, violations in by_url.items():
            lines.append(url)
            lines += [f"  {violation}" for violation in violations]
        return "\n".join(lines)

    @property
    def failed(self):
        return bool(self.violations or self.errors)

    def _on_report(self, source, message):
        kind = message["kind"]
        if kind == "document":
            self.unchecked[message["doc"]] = message["url"]
        elif kind == "started":
            self.running.add(message["run"])
        elif kind == "finished":
            self.running.discard(message["run"])
            self.unchecked.pop(message["doc"], None)
            self._record(message)

    def _record(self, result):
        url = result["url"]
        self.checked_urls.append(url)
        if "error" in result:
            self.errors.append(f"{url}: axe-core failed: {result['error']}")
        for v in result.get("violations", []):
            violation = Violation(
                url, v["id"], v["impact"], v["help"], v["helpUrl"], v["targets"], v["summary"]
            )
            if violation not in self.violations:  # the same page checked twice
                self.violations.append(violation)

    def _wait(self):
        """Until the runs under way have reported. A document still unchecked by
        then is being left unchecked: it had no load event, and Chromium did not
        give it beforeunload either (it may not, for a page left as it loads)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while self.running and time.monotonic() < deadline:
            self.page.wait_for_timeout(20)  # lets the reports in
        if self.running:
            self.errors.append(f"{self.page.url}: axe-core did not finish in {WAIT_SECONDS}s")
        self.errors += [
            f"{url}: left before axe-core could check it (wait for the page to load, "
            "for example with expect(...), before leaving it)"
            for url in self.unchecked.values()
        ]
        self.running.clear()
        self.unchecked.clear()

    def _before_navigation(self, route):
        request = route.request
        try:
            if request.is_navigation_request() and request.frame == self.page.main_frame:
                self._wait()
        finally:
            route.fallback()


def install(page):
    """Check every page `page` shows from now on; returns the checker."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` (make install)")
    checker = AxeChecker(page)
    page.expose_binding("__splAxeReport", checker._on_report)
    page.add_init_script(path=AXE_JS)
    page.add_init_script(RUNNER_JS)
    page.route("**/*", checker._before_navigation)
    _checkers[page] = checker
    return checker


_checkers = weakref.WeakKeyDictionary()  # page → its checker


def check_accessibility(page):
    """Check the page as it is now (after a change that was not a navigation)."""
    _checkers[page].check()
