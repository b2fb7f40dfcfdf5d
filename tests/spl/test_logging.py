import logging

import pytest

from spl.logging import RedactPersonalDataFilter, RequestIdFilter, redact


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919"])
def test_nhs_numbers_are_masked_in_log_messages(number):
    assert redact(f"patient {number} referred") == "patient [redacted-number] referred"


def test_email_addresses_are_masked_in_log_messages():
    assert redact("sent to jane.doe+x@nhs.net") == "sent to [redacted-email]"


def test_ids_and_short_numbers_are_left_alone():
    assert (
        redact("practice 12 updated by user 7 in 0.25s") == "practice 12 updated by user 7 in 0.25s"
    )


def test_filter_masks_arguments_as_well_as_the_message():
    record = logging.LogRecord(
        "spl", logging.INFO, __file__, 1, "looked up %s", ("9434765919",), None
    )
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "looked up [redacted-number]"


def test_log_lines_outside_a_request_have_a_dash_for_request_id():
    record = logging.LogRecord("spl", logging.INFO, __file__, 1, "hello", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


@pytest.mark.django_db
def test_practice_change_is_logged_with_ids_only(client_for, practice_manager, practice, caplog):
    with caplog.at_level(logging.INFO, logger="spl"):
        client_for(practice_manager).post(f"/practices/{practice.pk}/edit/", {"list_size": "9100"})
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert f"Practice {practice.pk} updated by user {practice_manager.pk}" in messages
    assert practice_manager.full_name not in messages
    assert practice_manager.email not in messages
