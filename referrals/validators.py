"""Validation and normalisation of the identifiers people type into referrals."""

import re

from django.core.exceptions import ValidationError

NHS_NUMBER_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_nhs_number(value: str) -> str:
    """Digits only: '943 476 5919' and '943-476-5919' become '9434765919'."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit of nine digits; None when there is none (10)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, NHS_NUMBER_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", number):
        return False
    return nhs_number_check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919", code="format")
    if not is_valid_nhs_number(number):
        raise ValidationError(
            "This is not a valid NHS number. Check you have typed it correctly.", code="checksum"
        )


def format_nhs_number(value: str) -> str:
    """'9434765919' shown as '943 476 5919'."""
    number = normalise_nhs_number(value)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else value
