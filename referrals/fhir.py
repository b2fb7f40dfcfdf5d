"""FHIR R4 (UK Core) referrals: read a ServiceRequest into what
`referrals.services.create_referral` needs, and write a referral back as one.

Every problem found becomes one OperationOutcome issue, so a sending system can
fix them all at once. The models are fhir.resources' R4B ones, whose
ServiceRequest, Patient and Bundle are R4's (docs/decisions/0006-fhir-intake.md).
Nothing here writes to the database.
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from fhir.resources.R4B import fhirtypes
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError as ModelError

from referrals.models import Patient, Reason, Sex, Status, Urgency
from referrals.validators import (
    normalise_nhs_number,
    validate_nhs_number,
)
from spl.models import Practice
from spl.postcodes import normalise_postcode, validate_postcode

FHIR_JSON = "application/fhir+json"
REASON_SYSTEM = "https://spl.nhs.example/fhir/CodeSystem/referral-reason"
CONSENT_EXTENSION = "https://spl.nhs.example/fhir/StructureDefinition/consent-to-contact"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
PROFILE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"
SNOMED_CT = "http://snomed.info/sct"
SOCIAL_PRESCRIBING = "871731000000106"  # Referral to social prescribing service

INTENTS = ("order", "proposal", "plan")
URGENCIES = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.URGENT,
    "asap": Urgency.URGENT,
    "stat": Urgency.URGENT,
}
SEXES = {
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "other": Sex.INDETERMINATE,
    "unknown": Sex.NOT_KNOWN,
}
STATUSES = {
    Status.AWAITING_TRIAGE: "active",
    Status.ALLOCATED: "active",
    Status.ACCEPTED: "active",
    Status.DECLINED: "revoked",
    Status.NOT_APPROPRIATE: "revoked",
    Status.MERGED: "revoked",
    Status.WITHDRAWN: "revoked",
    Status.CLOSED: "completed",
}
MAX_NOTES = 2000
MAX_IDENTIFIER = 255  # Referral.external_identifier_system and _value

# Where each Patient field came from, to point full_clean's errors at the element.
_PATIENT_ELEMENTS = {
    "nhs_number": f"identifier.where(system='{NHS_NUMBER_SYSTEM}').value",
    "given_name": "name.given",
    "family_name": "name.family",
    "date_of_birth": "birthDate",
    "sex": "gender",
    "address_line_1": "address.line",
    "address_line_2": "address.line",
    "town": "address.city",
    "postcode": "address.postalCode",
    "phone": "telecom.where(system='phone').value",
    "email": "telecom.where(system='email').value",
    "registered_practice": "generalPractitioner",
}


# Steps pydantic adds to an error's location that are not FHIR elements.
_PYDANTIC_STEPS = {"root", "str", "int", "float", "bool", "dict", "list"}


class NotFhir(Exception):
    """The body is not JSON, or not a ServiceRequest or a Bundle (400)."""


class Invalid(Exception):
    """The resource was read but cannot become a referral (422); `issues` say why."""

    def __init__(self, issues):
        super().__init__(f"{len(issues)} problem(s) with the referral")
        self.issues = issues


def issue(code, diagnostics, expression=None, severity="error"):
    found = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        found["expression"] = [expression]
    return found


def operation_outcome(issues):
    return {"resourceType": "OperationOutcome", "issue": issues}


@dataclass
class Intake:
    """A referral read from FHIR: an unsaved Patient, reasons and Referral fields."""

    patient: Patient
    patient_path: str
    reasons: list
    details: dict
    request_path: str = "ServiceRequest"

    @property
    def identifier(self):
        return self.details["external_identifier_system"], self.details["external_identifier_value"]


def read_referral(body):
    """The Intake for a request body (bytes); raises NotFhir or Invalid."""
    request, request_path, patient, patient_path = _resources(_json(body))
    issues = []
    reasons, details = _service_request(request, _Problems(request_path, issues))
    patient = _patient(patient, _Problems(patient_path, issues))
    if issues:
        raise Invalid(issues)
    return Intake(patient, patient_path, reasons, details, request_path)


def issues_from_validation_error(error, patient_path=""):
    """One issue per message of a Django ValidationError, pointing at the element."""
    if not hasattr(error, "error_dict"):
        return [issue("invalid", message) for message in error.messages]
    found = []
    for name, errors in error.error_dict.items():
        element = _PATIENT_ELEMENTS.get(name)
        expression = f"{patient_path}.{element}" if element and patient_path else None
        label = "" if name == NON_FIELD_ERRORS else _label(name)
        for each in errors:
            code = "required" if each.code in ("blank", "null", "required") else "value"
            for message in each.messages:
                found.append(issue(code, f"{label}{message}", expression))
    return found


def service_request_for(referral):
    """The referral as a ServiceRequest: its status now, and no demographics beyond
    the subject's NHS number."""
    nhs_number = referral.patient.nhs_number
    reasons = [
        {
            "coding": [
                {"system": REASON_SYSTEM, "code": row.reason, "display": row.get_reason_display()}
            ],
            **({"text": referral.other_reason} if row.reason == Reason.OTHER else {}),
        }
        for row in referral.reasons.all()
    ]
    return {
        "resourceType": "ServiceRequest",
        "id": referral.reference,
        "meta": {"profile": [PROFILE]},
        "extension": [{"url": CONSENT_EXTENSION, "valueBoolean": referral.consent_to_contact}],
        "identifier": [
            {
                "system": referral.external_identifier_system,
                "value": referral.external_identifier_value,
            }
        ],
        "status": STATUSES[referral.status],
        "intent": "order",
        "priority": referral.urgency,
        "subject": (
            {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}}
            if nhs_number
            else {"display": "Recorded without an NHS number"}
        ),
        "reasonCode": reasons,
    }


# Reading the body.


def _json(body):
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, too deep
        raise NotFhir("The body is not JSON: send a FHIR resource as JSON") from error
    if not isinstance(data, dict) or data.get("resourceType") not in ("ServiceRequest", "Bundle"):
        raise NotFhir("Send a ServiceRequest, or a Bundle holding a ServiceRequest and its Patient")
    return data


def _resources(data):
    """(ServiceRequest, its path, Patient, its path) from a parsed body."""
    kind = data["resourceType"]
    problems = list(_unreadable(data, kind))
    if problems:
        raise Invalid(problems)
    model = ServiceRequest if kind == "ServiceRequest" else Bundle
    try:
        resource = model.model_validate(data)
    except ModelError as error:
        raise Invalid(_model_issues(error, kind)) from error
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        # fhir.resources raises these for a few shapes it does not expect.
        raise Invalid([issue("invalid", f"This is not a valid FHIR R4 {kind}")]) from error
    if kind == "ServiceRequest":
        patients = {
            f"#{each.id}": (each, f"ServiceRequest.contained[{index}]")
            for index, each in enumerate(resource.contained or [])
            if each.id and each.get_resource_type() == "Patient"
        }
        return resource, kind, *_subject(resource, kind, patients)
    if resource.type not in ("transaction", "collection"):
        raise Invalid(
            [issue("value", "Send a Bundle of type transaction or collection", "Bundle.type")]
        )
    entries = [
        (f"Bundle.entry[{i}].resource", e.fullUrl, e.resource)
        for i, e in enumerate(resource.entry or [])
    ]
    requests = [(path, each) for path, _, each in entries if _is(each, "ServiceRequest")]
    if len(requests) != 1:
        raise Invalid(
            [issue("invalid", "Send exactly one ServiceRequest in the Bundle", "Bundle.entry")]
        )
    path, request = requests[0]
    patients = {url: (each, at) for at, url, each in entries if url and _is(each, "Patient")}
    return request, path, *_subject(request, path, patients)


def _is(resource, kind):
    return resource is not None and resource.get_resource_type() == kind


def _subject(request, path, patients):
    """The Patient the subject refers to, and its path, from {reference: (Patient, path)}."""
    reference = request.subject.reference if request.subject else None
    if reference not in patients:
        raise Invalid(
            [
                issue(
                    "not-found",
                    "The subject must refer to the Patient: a contained one ('#id') or the fullUrl "
                    "of a Patient entry in the Bundle",
                    f"{path}.subject",
                )
            ]
        )
    return patients[reference]


def _unreadable(data, root):
    """Issues fhir.resources does not report: resource types that do not exist, text no
    database can store (NUL), and booleans that are not JSON booleans."""
    queue = [(data, root)]
    for value, path in queue:  # grows as it goes: every element, in document order
        if isinstance(value, dict):
            kind = value.get("resourceType")
            if kind is not None and not (
                isinstance(kind, str)
                and re.fullmatch(r"[A-Z][A-Za-z]{0,63}", kind)
                and hasattr(fhirtypes, f"{kind}Type")
            ):
                yield issue("invalid", "Unknown resource type", f"{path}.resourceType")
            for key, item in value.items():
                if isinstance(key, str) and key.endswith("Boolean") and not isinstance(item, bool):
                    # fhir.resources would read "yes" or 1 as true: consent must be true.
                    yield issue("value", "This must be true or false", f"{path}.{key}")
                queue.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            queue.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            yield issue("invalid", "Text may not contain NUL characters", path)


def _model_issues(error, root):
    found = []
    for each in error.errors():
        parts = [root]
        for part in each["loc"]:
            if isinstance(part, int):
                parts[-1] += f"[{part}]"
            elif part == "resource_type":
                parts.append("resourceType")
            elif part.endswith("__ext"):
                parts.append("_" + part.removesuffix("__ext"))
            elif re.fullmatch(r"[A-Za-z_]\w*", part) and part not in _PYDANTIC_STEPS:
                parts.append(part)
        required = each["type"] in ("missing", "model_field_validation.missing")
        message = re.sub(r"\s+", " ", each["msg"]).removeprefix("Value error, ").strip()
        message = message.replace(" value string does not match spec regex.", " is not valid FHIR")
        diagnostics = "This element is required" if required else message[:300]
        found.append(issue("required" if required else "invalid", diagnostics, ".".join(parts)))
    return list({(i["diagnostics"], i["expression"][0]): i for i in found}.values())


# Mapping, collecting every problem.


class _Problems:
    """Collects issues about one resource, at elements relative to its path."""

    def __init__(self, path, issues):
        self.path, self.issues = path, issues

    def add(self, code, element, diagnostics):
        self.issues.append(issue(code, diagnostics, f"{self.path}.{element}"))


def _service_request(request, problems):
    if request.code is not None and not any(
        coding.system == SNOMED_CT and coding.code == SOCIAL_PRESCRIBING
        for coding in request.code.coding or []
    ):
        # Without this, a request for a colonoscopy would become a referral here.
        problems.add(
            "code-invalid",
            "code",
            "SPL takes referrals to social prescribing only: give code as SNOMED CT "
            f"({SNOMED_CT}) {SOCIAL_PRESCRIBING}, 'Referral to social prescribing "
            "service', or leave code out",
        )
    if request.status != "active":
        problems.add("value", "status", "The status of a new referral must be 'active'")
    if request.intent not in INTENTS:
        problems.add("value", "intent", "The intent must be order, proposal or plan")
    urgency = URGENCIES.get(request.priority or "routine")
    if urgency is None:
        problems.add("value", "priority", "The priority must be routine, urgent, asap or stat")
    if not any(
        extension.url == CONSENT_EXTENSION and extension.valueBoolean is True
        for extension in request.extension or []
    ):
        problems.add(
            "required",
            f"extension('{CONSENT_EXTENSION}')",
            "Confirm the person agreed to be contacted by a link worker: add the "
            f"extension {CONSENT_EXTENSION} with valueBoolean true",
        )
    notes = "\n\n".join(note.text for note in request.note or [] if note.text)
    if len(notes) > MAX_NOTES:
        problems.add("value", "note", f"The notes are longer than {MAX_NOTES} characters")
    reasons, other_reason = _reasons(request, problems)
    return reasons, {
        "urgency": urgency,
        "notes": notes,
        "other_reason": other_reason,
        "referrer_name": ((request.requester and request.requester.display) or "")[:150],
        **_identifier(request, problems),
    }


def _identifier(request, problems):
    found = next((i for i in request.identifier or [] if i.system and i.value), None)
    if found is None:
        problems.add(
            "required",
            "identifier",
            "Give the referral an identifier (system and value) from your system, so "
            "that sending it again finds the referral it created",
        )
        return {"external_identifier_system": "", "external_identifier_value": ""}
    if max(len(found.system), len(found.value)) > MAX_IDENTIFIER:
        problems.add("value", "identifier", "The identifier is too long")
    return {"external_identifier_system": found.system, "external_identifier_value": found.value}


def _reasons(request, problems):
    """Reason values, and the text of any other reason. A concept in SPL's code system
    is that reason; any other (text, or another system's display) is 'other'."""
    reasons, texts = [], []
    for index, concept in enumerate(request.reasonCode or []):
        codings = list(enumerate(concept.coding or []))
        ours = [(j, coding.code) for j, coding in codings if coding.system == REASON_SYSTEM]
        text = concept.text or next(
            (c.display for _, c in codings if c.system != REASON_SYSTEM and c.display), None
        )
        for j, code in ours:
            if code in Reason.values:
                reasons.append(code)
            else:
                problems.add(
                    "value",
                    f"reasonCode[{index}].coding[{j}].code",
                    "Unknown reason code: use one of " + ", ".join(Reason.values),
                )
        if ours and Reason.OTHER not in (code for _, code in ours):
            continue
        if text:
            reasons.append(Reason.OTHER)
            texts.append(text)
        elif ours:
            problems.add("required", f"reasonCode[{index}].text", "Say what the other reason is")
        else:
            problems.add(
                "value",
                f"reasonCode[{index}]",
                f"Give the reason as a code from {REASON_SYSTEM} or as text",
            )
    if not request.reasonCode:
        problems.add("required", "reasonCode", "Give at least one reason for the referral")
    return reasons, "; ".join(texts)[:200]


def _patient(resource, problems):
    patient = Patient(**_demographics(resource, problems))
    patient.registered_practice = practice = _practice(resource, problems)
    try:
        # Constraints (one patient per NHS number) are for create_referral to check,
        # after the referral has joined the record we already hold.
        patient.full_clean(
            exclude=[] if practice else ["registered_practice"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        # Skip what is already reported: a missing name is one problem, not three.
        reported = tuple(e["expression"][0] for e in problems.issues if "expression" in e)
        problems.issues.extend(
            each
            for each in issues_from_validation_error(error, problems.path)
            if not each.get("expression", [""])[0].startswith(reported)
        )
    return patient


def _demographics(resource, problems):
    fields = {"nhs_number": _nhs_number(resource, problems), **_address(resource, problems)}
    names = resource.name or []
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    if name is None:
        problems.add("required", "name", "Give the person's name")
    else:
        fields.update(given_name=(name.given or [""])[0], family_name=name.family or "")
    born = resource.birthDate
    if born is None:
        problems.add("required", "birthDate", "Give the person's date of birth")
    elif not isinstance(born, datetime.date):
        problems.add("value", "birthDate", "Give the full date of birth: year, month and day")
    elif born > timezone.localdate():
        problems.add("value", "birthDate", "The date of birth is in the future")
    else:
        fields["date_of_birth"] = born
    if resource.gender is not None and resource.gender not in SEXES:
        problems.add("value", "gender", "The gender must be male, female, other or unknown")
    fields["sex"] = SEXES.get(resource.gender, "")
    for contact in resource.telecom or []:
        if contact.system in ("phone", "email") and contact.value:
            fields.setdefault(contact.system, contact.value)
    return fields


def _nhs_number(resource, problems):
    element = _PATIENT_ELEMENTS["nhs_number"]
    sent = next(
        (i.value for i in resource.identifier or [] if i.system == NHS_NUMBER_SYSTEM and i.value),
        None,
    )
    if sent is None:
        problems.add("required", element, f"Give the person's NHS number ({NHS_NUMBER_SYSTEM})")
        return ""
    try:
        validate_nhs_number(sent)
    except ValidationError as error:
        problems.add("value", element, error.messages[0])
        return ""
    return normalise_nhs_number(sent)


def _address(resource, problems):
    if not resource.address:
        return {}
    address = resource.address[0]
    lines = [*(address.line or []), "", ""]
    fields = {"address_line_1": lines[0], "address_line_2": lines[1], "town": address.city or ""}
    if address.postalCode:
        try:
            validate_postcode(address.postalCode)
            fields["postcode"] = normalise_postcode(address.postalCode)
        except ValidationError as error:
            problems.add("value", "address[0].postalCode", error.messages[0])
    return fields


def _practice(resource, problems):
    code = next(
        (
            reference.identifier.value
            for reference in resource.generalPractitioner or []
            if reference.identifier
            and reference.identifier.system == ODS_CODE_SYSTEM
            and reference.identifier.value
        ),
        None,
    )
    if code is None:
        problems.add(
            "required",
            "generalPractitioner",
            f"Give the person's GP practice by its ODS code ({ODS_CODE_SYSTEM})",
        )
        return None
    practice = Practice.objects.filter(ods_code=code.strip().upper()).first()
    if practice is None:
        problems.add(
            "not-found",
            f"generalPractitioner.identifier.where(system='{ODS_CODE_SYSTEM}')",
            "No practice using this service has that ODS code",
        )
    return practice


def _label(name):
    return f"{str(Patient._meta.get_field(name).verbose_name).capitalize()}: "
