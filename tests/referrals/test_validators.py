import nhs_number
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from referrals.validators import (
    format_nhs_number,
    is_valid_nhs_number,
    validate_nhs_number,
)
from spl.postcodes import normalise_postcode, validate_postcode

ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)


def test_the_standards_example_nhs_number_is_valid():
    assert is_valid_nhs_number("9434765919")


def test_a_number_with_the_wrong_check_digit_is_invalid():
    assert not is_valid_nhs_number("9434765918")


def test_a_number_whose_check_digit_would_be_10_is_never_valid():
    prefix = next(
        f"{n:09d}" for n in range(1000) if nhs_number.calculate_checksum(f"{n:09d}") == 10
    )
    assert not any(is_valid_nhs_number(prefix + str(digit)) for digit in range(10))


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 9434765919 "])
def test_spaces_and_hyphens_are_accepted(typed):
    assert is_valid_nhs_number(typed.strip())


def in_scottish_chi_range(number):
    # The package also checks that Scottish CHI numbers start with a real date of
    # birth; NHS numbers in England are checked by modulus 11 alone.
    return nhs_number.REGION_SCOTLAND.contains_number(number)


@given(ten_digits)
def test_agrees_with_the_nhs_number_package_on_any_ten_digits(number):
    assume(not in_scottish_chi_range(number))
    assert is_valid_nhs_number(number) == nhs_number.is_valid(number)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_every_nine_digit_prefix_has_at_most_one_valid_check_digit(prefix):
    assume(not in_scottish_chi_range(f"{prefix:09d}0"))
    valid = [d for d in range(10) if is_valid_nhs_number(f"{prefix:09d}{d}")]
    assert len(valid) <= 1
    assert valid == [d for d in range(10) if nhs_number.is_valid(f"{prefix:09d}{d}")]


@given(st.integers(min_value=0, max_value=999_999_999))
def test_numbers_the_package_generates_from_any_prefix_are_valid(prefix):
    check = nhs_number.calculate_checksum(f"{prefix:09d}")
    assume(check != 10)
    assert is_valid_nhs_number(f"{prefix:09d}{check}")


@pytest.mark.parametrize("typed", ["943476591", "94347659190", "94347659I9", ""])
def test_anything_but_ten_digits_is_refused_with_the_format_message(typed):
    with pytest.raises(ValidationError, match="must be 10 digits"):
        validate_nhs_number(typed)


def test_a_bad_check_digit_is_refused_with_the_checksum_message():
    with pytest.raises(ValidationError, match="not a valid NHS number"):
        validate_nhs_number("9434765918")


def test_nhs_numbers_are_shown_3_3_4():
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ls11ab", "LS1 1AB"),
        ("SW1A 1AA", "SW1A 1AA"),
        (" m1  1ae ", "M1 1AE"),
        ("b338th", "B33 8TH"),
    ],
)
def test_postcodes_are_normalised(typed, normalised):
    assert normalise_postcode(typed) == normalised
    validate_postcode(typed)


@pytest.mark.parametrize("typed", ["", "LS1", "12345", "QQ1 1AA", "LS1 1AB1", "not a postcode"])
def test_impossible_postcodes_are_refused(typed):
    with pytest.raises(ValidationError, match="Enter a real postcode"):
        validate_postcode(typed)
