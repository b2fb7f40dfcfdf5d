"""PDFs made from templates with WeasyPrint: the one way SPL makes them.

    pdf = render_pdf("caseload/plan_pdf.html", {"plan": plan})

The template extends `pdf/base.html` (the NHS.UK look in print: large,
readable type). WeasyPrint fetches only the app's own static files
(`static_only`): a PDF of personal data must not make a request to anyone, and
a template that names another URL, or a file outside the static files, gets
nothing for it (WeasyPrint logs the refusal and leaves it out).
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML

# The address the templates' relative and static URLs resolve against; it is
# never fetched: static_only answers from the files themselves.
BASE_URL = "https://spl.invalid/"


def render_pdf(template_name, context):
    html = render_to_string(template_name, {"service_name": settings.SERVICE_NAME, **context})
    # Tagged (pdf_tags): headings, paragraphs and tables reach screen readers.
    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only).write_pdf(pdf_tags=True)


def static_only(url, timeout=10, ssl_context=None):
    """WeasyPrint's url_fetcher: the app's static file `url` names, or refused."""
    parsed = urlparse(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if f"{parsed.scheme}://{parsed.netloc}/" != BASE_URL or not parsed.path.startswith(prefix):
        raise ValueError(f"PDFs fetch only the app's static files, not {url}")
    try:
        found = finders.find(unquote(parsed.path.removeprefix(prefix)))
    except SuspiciousFileOperation:  # a path out of the static files ("../")
        found = None
    if not found:
        raise ValueError(f"No static file at {url}")
    path = Path(found)
    return {
        "string": path.read_bytes(),
        "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "filename": path.name,
    }
