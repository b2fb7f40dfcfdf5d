"""The formats of the identifiers and numbers in the directory, tidied and checked
the same way wherever they come from: a form, a CSV file or an ORUK feed (each
model's clean() calls these)."""

import re

from django.core.exceptions import ValidationError

# England and Wales (6 to 8 digits, maybe "-1" for a linked charity), Scotland, Northern Ireland.
CHARITY_NUMBER = re.compile(r"^(\d{6,8}(-\d{1,2})?|SC0\d{5}|NI\d{5,6})$")
# Companies House: 8 digits, or a 2-letter prefix (Scotland, LLPs, societies...) and 6 digits.
COMPANY_NUMBER = re.compile(r"^(\d{8}|(SC|NI|OC|SO|NC|R0|IP|SP|RS|CE|CS)\d{6})$")
# A UK number: 0 or +44, then 9 or 10 digits.
PHONE = re.compile(r"^(\+44|0)\d{9,10}$")


def _compact(value):
    return re.sub(r"\s", "", value or "").upper()


def charity_number(value):
    """'1 176 543' -> '1176543'; '' stays ''."""
    number = _compact(value)
    if number and not CHARITY_NUMBER.match(number):
        raise ValidationError("Enter a charity number, like 1098765 or SC012345", code="invalid")
    return number


def company_number(value):
    """'5123456' -> '05123456' (Companies House numbers have 8 characters)."""
    number = _compact(value)
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if number and not COMPANY_NUMBER.match(number):
        raise ValidationError("Enter a company number, like 05123456 or SC123456", code="invalid")
    return number


def phone(value):
    """' 0113  496 0000 ' -> '0113 496 0000': spacing tidied, digits checked."""
    tidy = " ".join((value or "").split())
    if tidy and not PHONE.match(re.sub(r"[\s()-]", "", tidy)):
        raise ValidationError("Enter a UK phone number, like 0113 496 0000", code="invalid")
    return tidy


def clean_fields(instance, cleaners):
    """Tidy instance's fields with {field: cleaner}, raising every field's error at once."""
    errors = {}
    for name, cleaner in cleaners.items():
        try:
            setattr(instance, name, cleaner(getattr(instance, name)))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
