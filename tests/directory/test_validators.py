"""The directory's formats, tidied and checked in the models' clean(), so forms and
imports share them (directory.validators)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from directory.models import Contact, Organisation, Schedule


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1 176 543", "1176543"), ("1098765-1", "1098765-1"), ("sc012345", "SC012345"), ("", "")],
)
def test_charity_numbers_are_tidied(typed, stored):
    organisation = Organisation(charity_number=typed)
    organisation.clean()
    assert organisation.charity_number == stored


@pytest.mark.parametrize(("typed", "stored"), [("5123456", "05123456"), ("sc 123456", "SC123456")])
def test_company_numbers_are_tidied(typed, stored):
    organisation = Organisation(company_number=typed)
    organisation.clean()
    assert organisation.company_number == stored


def test_both_numbers_are_reported_at_once():
    with pytest.raises(ValidationError) as raised:
        Organisation(charity_number="not-a-number", company_number="abc").clean()
    assert raised.value.message_dict == {
        "charity_number": ["Enter a charity number, like 1098765 or SC012345"],
        "company_number": ["Enter a company number, like 05123456 or SC123456"],
    }


def test_a_phone_number_is_tidied():
    contact = Contact(phone=" 0113  496 0000 ")
    contact.clean()
    assert contact.phone == "0113 496 0000"


@pytest.mark.parametrize("typed", ["12", "0113 496", "call reception"])
def test_a_phone_number_must_be_a_uk_one(typed):
    with pytest.raises(ValidationError) as raised:
        Contact(phone=typed).clean()
    assert raised.value.message_dict == {"phone": ["Enter a UK phone number, like 0113 496 0000"]}


def test_a_contact_with_only_an_email_is_named_by_it():
    assert str(Contact(email="team@example.org")) == "team@example.org"


def test_days_are_stored_as_codes_in_week_order_once_each():
    schedule = Schedule(byday="we, mo,WE")
    schedule.clean()
    assert schedule.byday == "MO,WE"


def test_unknown_days_are_reported():
    with pytest.raises(ValidationError) as raised:
        Schedule(byday="MO,XX").clean()
    assert raised.value.message_dict == {
        "byday": ["Days must be codes from MO,TU,WE,TH,FR,SA,SU, not XX"]
    }


def test_closing_before_opening_is_reported():
    with pytest.raises(ValidationError) as raised:
        Schedule(opens_at=datetime.time(14), closes_at=datetime.time(10)).clean()
    assert raised.value.message_dict == {
        "closes_at": ["The closing time must be after the opening time"]
    }


def test_times_that_are_not_times_are_left_to_clean_fields():
    schedule = Schedule(opens_at="teatime", closes_at=datetime.time(10))
    schedule.clean()  # no TypeError comparing text with a time
    assert schedule.opens_at == "teatime"


def test_a_schedule_reads_days_then_hours_then_the_description():
    schedule = Schedule(
        byday="MO,TU,WE",
        opens_at=datetime.time(10),
        closes_at=datetime.time(12),
        description="not on bank holidays",
    )
    assert schedule.summary == "Monday to Wednesday, 10:00 to 12:00 (not on bank holidays)"
