"""Recording wellbeing measures on a case (caseload.instruments): checked
against the instrument, scored when recorded, audited like the case."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload import instruments
from caseload.models import Timepoint, WellbeingMeasure
from spl import audit

logger = logging.getLogger(__name__)


def available(case):
    """The instruments this case's PCN uses: ONS4 and SWEMWBS, and WEMWBS where
    the PCN has switched it on."""
    codes = [instruments.ONS4, instruments.SWEMWBS]
    if case.practice.pcn.wemwbs_enabled:
        codes.append(instruments.WEMWBS)
    return [instruments.INSTRUMENTS[code] for code in codes]


@transaction.atomic
def record(*, case, by, instrument, timepoint, taken_on, answers):
    """Record a measure of `instrument` (a code) taken with the person."""
    if instrument not in [definition.code for definition in available(case)]:
        raise ValidationError("This PCN does not use that measure", code="instrument")
    if timepoint not in Timepoint.values:
        raise ValidationError("Choose when in their support the measure was taken")
    if taken_on > timezone.localdate():
        raise ValidationError("The date the measure was taken must not be in the future")
    definition = instruments.INSTRUMENTS[instrument]
    problems = definition.check(answers)
    if problems:
        raise ValidationError(list(problems.values()), code="answers")
    measure = WellbeingMeasure(
        case=case,
        instrument=instrument,
        timepoint=timepoint,
        taken_on=taken_on,
        answers={item.key: answers[item.key] for item in definition.items},
        raw_score=definition.raw(answers),
        score=definition.score(answers),
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError as error:
        label = Timepoint(timepoint).label.lower()
        raise ValidationError(
            f"This case already has a {label} {measure.get_instrument_display()}. "
            "Record a review instead.",
            code="duplicate",
        ) from error
    audit.record(by, audit.CREATE, measure, patient=case.referral.patient)
    logger.info("Measure %s (%s) recorded on case %s", measure.pk, instrument, case.pk)
    return measure


def progress(measures):
    """For each summed instrument, its scores over time and the change from
    the first measure to the latest: {code: {"points": [(date, score)],
    "change": Decimal or None, "meaningful": "improved", "worse" or ""}}."""
    found = {}
    for measure in measures:
        if measure.score is None:
            continue
        entry = found.setdefault(
            measure.instrument, {"name": measure.get_instrument_display(), "points": []}
        )
        entry["points"].append((measure.taken_on, measure.score))
    for code, entry in found.items():
        first, last = entry["points"][0][1], entry["points"][-1][1]
        several = len(entry["points"]) > 1
        entry["change"] = last - first if several else None
        entry["meaningful"] = (
            instruments.meaningful_change(first, last)
            if several and code == instruments.SWEMWBS
            else ""
        )
    return found
