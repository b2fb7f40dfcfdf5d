"""UK postcodes: normalised the Royal Mail way and checked against its formats.

Used wherever someone types an address: a patient's, a service's location.
"""

import re

from django.core.exceptions import ValidationError

# UK postcodes (the Royal Mail formats, plus GIR 0AA): outward code, space, inward code.
POSTCODE_PATTERN = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ](\d[\dA-HJKPS-UW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) \d[ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the last three characters: 'ls11ab' -> 'LS1 1AB'."""
    compact = re.sub(r"\s", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not POSTCODE_PATTERN.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like LS1 4AP", code="invalid")


# The outward code alone: a postcode district, like LS7 or EC1A.
OUTWARD_PATTERN = re.compile(r"^(GIR|[A-PR-UWYZ](\d[\dA-HJKPS-UW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?))$")


def postcode_district(value: str) -> str:
    """The district (outward code) of a postcode, or of its first part typed on
    its own: 'ls7 3ex', 'LS73EX' and 'ls7' -> 'LS7'."""
    text = " ".join((value or "").split()).upper()
    if OUTWARD_PATTERN.match(text):
        return text
    postcode = normalise_postcode(text)
    if not POSTCODE_PATTERN.match(postcode):
        raise ValidationError(
            "Enter a real postcode, like LS7 3EX, or its first part, like LS7", code="invalid"
        )
    return postcode.split(" ")[0]


def postcode_area(district: str) -> str:
    """The letters a district starts with: 'LS7' -> 'LS'."""
    return re.match(r"[A-Z]*", district.upper()).group()
