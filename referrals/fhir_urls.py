"""The FHIR API at /api/fhir/ (docs/decisions/0006-fhir-intake.md). Any other
path under it is answered with a FHIR OperationOutcome, not an HTML page."""

from django.urls import path, re_path

from referrals import api

app_name = "fhir"

urlpatterns = [
    path("fhir/ServiceRequest", api.service_request_create, name="service_request_create"),
    path(
        "fhir/ServiceRequest/<str:reference>",
        api.service_request_detail,
        name="service_request_detail",
    ),
    re_path(r"^fhir(?:/(?P<path>[\s\S]*))?$", api.not_found, name="not_found"),
]
