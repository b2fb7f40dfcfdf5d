"""Log filters. Logs carry ids, never names or NHS numbers; the redaction filter is
a second line of defence for anything that slips into a message or argument."""

import logging
import re

from spl.request_context import current_request

# Ten digits, optionally spaced 3 3 4 or with hyphens: anything that could be an
# NHS number. Email addresses are masked too.
NHS_NUMBER_PATTERN = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def redact(text: str) -> str:
    text = NHS_NUMBER_PATTERN.sub("[redacted-number]", text)
    return EMAIL_PATTERN.sub("[redacted-email]", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        context = current_request()
        record.request_id = str(context.request_id) if context else "-"
        record.user_id = context.user_id if context else None
        return True
