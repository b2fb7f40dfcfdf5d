"""spl.pdf: the one way SPL makes PDFs, fetching nothing but its own static files."""

import io

import pypdf
import pytest

from spl import pdf


def text_of(content):
    return " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages
    )


def test_a_template_becomes_a_pdf_with_its_words():
    content = pdf.render_pdf("pdf/base.html", {})
    assert content.startswith(b"%PDF-")
    assert "NHS Social prescribing" in text_of(content)


@pytest.mark.parametrize(
    "url",
    [
        "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2",
        "http://127.0.0.1:8000/admin/",
        "file:///etc/passwd",
        "https://spl.invalid/referrals/",
        "https://spl.invalid/static/../../spl/settings.py",
    ],
)
def test_nothing_but_static_files_is_fetched(url):
    with pytest.raises(ValueError):
        pdf.static_only(url)


def test_a_static_file_is_fetched_from_the_app(settings):
    found = pdf.static_only("https://spl.invalid/static/dist/assets/images/favicon.svg")
    assert found["mime_type"] == "image/svg+xml"
    assert b"<svg" in found["string"]
