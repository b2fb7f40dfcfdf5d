"""The FHIR API: other systems send referrals as ServiceRequests, with a bearer token
issued to their organisation in the admin site. Reading and mapping FHIR live in
referrals.fhir; these views authenticate, call the service and answer in FHIR.

No cookies, so no CSRF; no session, so LoginRequiredMiddleware lets them through.
Every answer is FHIR: errors, including unknown paths and our own failures, are
OperationOutcomes.
"""

import functools
import logging
import traceback

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from referrals import fhir
from referrals.models import ApiClient, Route, hash_token
from referrals.services import create_referral, patient_for_outside_referral
from spl import audit

logger = logging.getLogger(__name__)

# application/json+fhir is the name FHIR used before R4; some senders still use it.
JSON_CONTENT_TYPES = (fhir.FHIR_JSON, "application/json", "application/json+fhir")
FAILED = (
    "Something went wrong in SPL: try again later. Sending a ServiceRequest again is "
    "safe, as its identifier finds any referral already created"
)


class _Conflict(Exception):
    """A simultaneous request changed the same records: sending again will work."""


def _fhir_view(method):
    """A FHIR endpoint taking one method (any if None) that answers an OperationOutcome,
    never Django's HTML page, when the method is wrong or the view fails."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if method is not None and request.method != method:
                return _not_allowed(method)
            try:
                return view(request, *args, **kwargs)
            except Exception as error:
                # An exception's message can quote what was sent (a database error
                # names the values), so log its type and where, never its message.
                logger.error(
                    "FHIR %s %s failed with %s\n%s",
                    request.method,
                    view.__name__,
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)).rstrip(),
                )
                return _outcome(500, [fhir.issue("exception", FAILED)])

        return csrf_exempt(login_not_required(wrapped))

    return decorate


@_fhir_view("POST")
def service_request_create(request):
    client = _authenticated_client(request)
    if client is None:
        return _unauthorised()
    # A body without a Content-Type is read as JSON: only one declared otherwise is refused.
    if request.content_type and request.content_type not in JSON_CONTENT_TYPES:
        return _outcome(
            415,
            [
                fhir.issue(
                    "not-supported",
                    "Send the resource as JSON, with 'Content-Type: application/fhir+json'",
                )
            ],
        )
    try:
        intake = fhir.read_referral(request.body)
        referral, created = _create_once(intake, client)
    except RequestDataTooBig:
        return _outcome(413, [fhir.issue("too-costly", "The request body is too large")])
    except fhir.NotFhir as problem:
        return _outcome(400, [fhir.issue("structure", str(problem))])
    except fhir.Invalid as problem:
        logger.info("FHIR referral from API client %s refused: %s", client.pk, problem)
        return _outcome(422, problem.issues)
    except _Conflict:
        return _outcome(409, [fhir.issue("conflict", _Conflict.__doc__)])
    response = _fhir_response(fhir.service_request_for(referral), status=201 if created else 200)
    response["Location"] = f"/api/fhir/ServiceRequest/{referral.reference}"
    return response


@_fhir_view("GET")
def service_request_detail(request, reference):
    client = _authenticated_client(request)
    if client is None:
        return _unauthorised()
    # A client reads only the referrals it sent: anything else is not found. No
    # reference holds a NUL byte, and PostgreSQL cannot compare text with one.
    referral = None if "\x00" in reference else _sent_by(client).filter(reference=reference).first()
    if referral is None:
        return _outcome(404, [fhir.issue("not-found", "No referral you sent has this id")])
    audit.record(None, audit.VIEW, referral, patient=referral.patient)
    return _fhir_response(fhir.service_request_for(referral))


@_fhir_view(None)
def not_found(request, path=""):
    return _outcome(
        404,
        [
            fhir.issue(
                "not-found",
                "SPL's FHIR API has POST /api/fhir/ServiceRequest and "
                "GET /api/fhir/ServiceRequest/<id> only",
            )
        ],
    )


def _create_once(intake, client):
    """(referral, created): the referral for the intake's identifier, created once.

    A retry finds the referral its first attempt created. Two attempts at once are
    settled by the unique identifier constraint: the loser's savepoint rolls back
    and it reads the winner's referral.
    """
    existing = _sent_earlier(client, intake)
    if existing is not None:
        return existing, False
    _check_identifier_is_free(intake)
    patient, note = patient_for_outside_referral(intake.patient)
    try:
        with transaction.atomic():
            referral = create_referral(
                patient=patient,
                route=Route.FHIR,
                reasons=intake.reasons,
                by=None,
                intake_note=note,
                consent_to_contact=True,
                referrer_organisation=client.organisation_name,
                referrer_organisation_type=client.organisation_type,
                referrer_email=client.contact_email,
                api_client=client,
                **intake.details,
            )
    except ValidationError as error:
        raise fhir.Invalid(fhir.issues_from_validation_error(error, intake.patient_path)) from error
    except IntegrityError as error:
        existing = _sent_earlier(client, intake)
        if existing is not None:
            return existing, False
        _check_identifier_is_free(intake)
        raise _Conflict from error
    return referral, True


def _sent_earlier(client, intake):
    system, value = intake.identifier
    return (
        _sent_by(client)
        .filter(external_identifier_system=system, external_identifier_value=value)
        .first()
    )


def _check_identifier_is_free(intake):
    # Say only that the identifier is taken: nothing about whose it is or what it holds.
    system, value = intake.identifier
    taken = ApiClient.objects.filter(
        referrals__external_identifier_system=system, referrals__external_identifier_value=value
    ).exists()
    if taken:
        raise fhir.Invalid(
            [
                fhir.issue(
                    "duplicate",
                    "This identifier is already used: give each referral a new identifier",
                    f"{intake.request_path}.identifier",
                )
            ]
        )


def _sent_by(client):
    return client.referrals.select_related("patient").prefetch_related("reasons")


def _authenticated_client(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    client = ApiClient.objects.filter(
        token_hash=hash_token(token.strip()), revoked_at__isnull=True
    ).first()
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def _unauthorised():
    response = _outcome(
        401,
        [fhir.issue("login", "Send a current API token as 'Authorization: Bearer <token>'")],
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _not_allowed(method):
    response = _outcome(405, [fhir.issue("not-supported", f"Only {method} is allowed here")])
    response["Allow"] = method
    return response


def _outcome(status, issues):
    return _fhir_response(fhir.operation_outcome(issues), status=status)


def _fhir_response(resource, status=200):
    return JsonResponse(resource, status=status, content_type=fhir.FHIR_JSON)
