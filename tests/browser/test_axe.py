"""The accessibility checker the journeys run on every page (tests/browser/axe.py),
on small pages served at a made-up address."""

import pytest

from tests.browser import axe

pytestmark = pytest.mark.browser

SITE = "http://axe.test"
CLEAN = "<h1>A clean page</h1><p>Nothing wrong here.</p>"
IMAGE_WITHOUT_ALT = "<h1>An image</h1><img src='/picture.svg'>"


def html(body):
    return f"<!DOCTYPE html><html lang='en'><title>Test</title><main>{body}</main></html>"


@pytest.fixture
def site(browser):
    """A page of its own, checked by axe, whose paths are served from `pages`."""
    pages = {"/picture.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}

    def serve(route):
        path = route.request.url.removeprefix(SITE).split("?")[0]
        if path == "/never-loads.svg":
            return  # never answered: the page's load event never comes
        if path.endswith(".svg"):
            route.fulfill(body=pages[path], content_type="image/svg+xml")
        else:
            route.fulfill(body=html(pages[path]), content_type="text/html")

    context = browser.new_context(base_url=SITE)
    context.route(f"{SITE}/**", serve)
    page = context.new_page()
    checker = axe.install(page)
    yield page, checker, pages
    context.close()


def test_an_image_without_alt_text_is_a_violation(site):
    page, checker, pages = site
    pages["/"] = IMAGE_WITHOUT_ALT
    page.goto("/")
    checker.check()
    assert [(v.url, v.id, v.targets) for v in checker.violations] == [
        (f"{SITE}/", "image-alt", ["img"])
    ]
    assert checker.failed


def test_a_clean_page_passes(site):
    page, checker, pages = site
    pages["/"] = CLEAN
    page.goto("/")
    checker.check()
    assert set(checker.checked_urls) == {f"{SITE}/"}
    assert not checker.failed


def test_a_page_left_before_its_load_event_is_still_checked(site):
    page, checker, pages = site
    pages["/slow"] = "<h1>Slow</h1><img alt='' src='/never-loads.svg'><input id='name'>"
    pages["/next"] = CLEAN
    page.goto("/slow", wait_until="domcontentloaded")
    page.goto("/next")
    assert [(v.url, v.id) for v in checker.violations] == [(f"{SITE}/slow", "label")]


def test_each_page_of_a_journey_is_checked_when_it_is_left(site):
    page, checker, pages = site
    pages["/"] = "<h1>Start</h1><a href='/form'>Fill in the form</a>"
    pages["/form"] = "<h1>Form</h1><form action='/done'><input name='q'><button>Go</button></form>"
    pages["/done"] = CLEAN
    page.goto("/")
    page.get_by_role("link").click()
    page.get_by_role("button").click()
    page.wait_for_url("**/done?q=")
    assert {f"{SITE}/", f"{SITE}/form"} <= set(checker.checked_urls)
    assert [(v.url, v.id) for v in checker.violations] == [(f"{SITE}/form", "label")]


def test_a_change_to_the_page_is_checked_when_asked(site):
    page, checker, pages = site
    pages["/"] = CLEAN
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "\"<img src='/picture.svg'>\")")  # fmt: skip
    axe.check_accessibility(page)
    assert [v.id for v in checker.violations] == ["image-alt"]


def test_a_radio_that_reveals_content_may_say_whether_it_is_expanded_and_no_more(site):
    page, checker, pages = site
    pages["/"] = """<h1>Radios</h1><fieldset><legend>How?</legend>
      <input type=radio id=a name=how aria-controls=more aria-expanded=false>
      <label for=a>Letter</label>
      <input type=radio id=b name=how aria-controls=more aria-expanded=false aria-pressed=true>
      <label for=b>Phone</label>
      <input type=radio id=c name=how aria-expanded=false>
      <label for=c>Email</label></fieldset><div id=more>Address</div>"""
    page.goto("/")
    checker.check()
    assert [(v.id, v.targets) for v in checker.violations] == [("aria-allowed-attr", ["#b", "#c"])]


def test_a_focused_link_is_not_read_as_told_apart_by_colour_and_no_other_link(site):
    page, checker, pages = site
    link = 'style="color:#005eb8;text-decoration:none"'
    pages["/"] = f"""<h1>Links</h1><p style="color:#222">Read a lot of words here
      <a id=one href="/a" {link}>the first</a> and more words
      <a id=two href="/b" {link}>the second</a> to the end.</p>
      <script>document.getElementById("one").focus()</script>"""
    page.goto("/")
    checker.check()
    assert [(v.id, v.targets) for v in checker.violations] == [("link-in-text-block", ["#two"])]


def test_the_report_gives_each_page_its_violations_with_help_and_where(site):
    page, checker, pages = site
    pages["/"] = IMAGE_WITHOUT_ALT + "<img src='/picture.svg'>" * 4
    page.goto("/")
    checker.check()
    report = checker.report()
    assert report.startswith(f"{SITE}/\n  image-alt (critical): Images must have alternative text")
    assert "5 on the page: img:nth-child(2), img:nth-child(3), img:nth-child(4), …" in report
    assert "https://dequeuniversity.com/rules/axe/" in report
