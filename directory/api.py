"""The public Open Referral UK (HSDS-UK 3.0) API: the directory's active services,
read-only, for anyone. The ORUK standard requires it open, with no key, and
readable from any web page (docs/decisions/0007-oruk-api.md).

Parameters are read by directory.oruk_params and the objects built by
directory.oruk; these views only put them together. Every answer is JSON with
`Access-Control-Allow-Origin: *`; errors are `{"detail": "..."}`.
"""

from functools import partial, wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from directory import oruk
from directory import oruk_params as params

METHODS = "GET, HEAD, OPTIONS"


def _endpoint(view):
    """Open to anyone from any origin; GET and HEAD only; a bad parameter is a 400."""

    @csrf_exempt  # so that a POST gets this API's 405, not the CSRF failure page
    @login_not_required
    @wraps(view)
    def endpoint(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = METHODS
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in ("GET", "HEAD"):
            response = _error(405, "This API is read-only: use GET")
            response["Allow"] = METHODS
        else:
            try:
                response = view(request, *args, **kwargs)
            except params.BadParameter as problem:
                response = _error(400, str(problem))
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return endpoint


@_endpoint
def api_details(request):
    return JsonResponse(oruk.api_details())


@_endpoint
def service_list(request):
    query = request.GET
    minimal = params.boolean(query, "minimal")
    full = params.boolean(query, "full") and not minimal
    rows = params.filtered_services(oruk.services_for_list(full=full), query)
    if minimal:
        return _list(query, rows, oruk.service_minimal)
    return _list(query, rows, oruk.service_full if full else oruk.service_summary)


@_endpoint
def service_detail(request, id):
    return _detail(oruk.services_for_detail(), id, oruk.service_full, "active service")


@_endpoint
def service_at_location_list(request):
    query = request.GET
    full = params.boolean(query, "full")
    rows = params.filtered_services(
        oruk.service_at_locations_for_list(full=full), query, via="service__"
    )
    serialise = oruk.service_at_location_full if full else oruk.service_at_location_summary
    return _list(query, rows, serialise)


@_endpoint
def service_at_location_detail(request, id):
    return _detail(
        oruk.service_at_locations_for_detail(),
        id,
        oruk.service_at_location_full,
        "location of an active service",
    )


@_endpoint
def organization_list(request):
    query = request.GET
    full_services = params.boolean(query, "full_service")
    full = params.boolean(query, "full") or full_services
    rows = params.searched(
        oruk.organisations_for_list(services=full, full_services=full_services),
        query,
        "name",
        "description",
    )
    if full:
        serialise = partial(oruk.organization_with_services, full_services=full_services)
    else:
        serialise = partial(oruk.organization, identifiers=False)
    return _list(query, rows, serialise)


@_endpoint
def organization_detail(request, id):
    full_services = params.boolean(request.GET, "full_service")
    return _detail(
        oruk.organisations_for_detail(full_services=full_services),
        id,
        partial(oruk.organization_with_services, full_services=full_services),
        "organization with active services",
    )


@_endpoint
def taxonomy_list(request):
    query = request.GET
    rows = params.searched(oruk.taxonomies_for_list(), query, "name", "description")
    return _list(query, rows, oruk.taxonomy)


@_endpoint
def taxonomy_detail(request, id):
    rows = oruk.taxonomies_for_list(terms=True)
    return _detail(rows, id, partial(oruk.taxonomy, terms=True), "taxonomy")


@_endpoint
def taxonomy_term_list(request):
    query = request.GET
    rows = params.filtered_terms(oruk.taxonomy_terms_for_list(), query)
    return _list(query, rows, oruk.taxonomy_term)


@_endpoint
def taxonomy_term_detail(request, id):
    return _detail(oruk.taxonomy_terms_for_list(), id, oruk.taxonomy_term, "taxonomy term")


@_endpoint
def not_found(request):
    return _error(404, "There is nothing here: see /api/oruk/ for this API's version")


def _list(query, rows, serialise):
    if params.output_format(query) == "ndjson":
        lines = params.ndjson_lines(rows, serialise)
        return StreamingHttpResponse(lines, content_type="application/x-ndjson")
    return JsonResponse(params.page_of(rows, params.page(query), serialise))


def _detail(rows, id, serialise, noun):
    pk = params.path_identifier(id)
    row = rows.filter(pk=pk).first() if pk else None
    if row is None:
        return _error(404, f"No {noun} has this id")
    return JsonResponse(serialise(row))


def _error(status, detail):
    return JsonResponse({"detail": detail}, status=status)
