"""Checks every HTML page the suite renders must pass, whatever the test asks.

`tests/conftest.py` runs them on each response of Django's test client, so a
page with two controls sharing an id fails the test that rendered it.
"""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1

    handle_startendtag = handle_starttag


def duplicate_ids(html):
    """The ids used more than once in `html`: labels, error summaries and
    `aria-describedby` point at the first, so the second control is lost."""
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return sorted(name for name, count in parser.ids.items() if count > 1)


def check_html_response(response):
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    charset = response.charset or "utf-8"
    duplicates = duplicate_ids(response.content.decode(charset, errors="replace"))
    assert not duplicates, f"{response.request['PATH_INFO']} repeats the ids {duplicates}"
