"""The ORUK API's paths, included at "api/" (spl/urls.py).

ORUK paths have no trailing slash and must answer without a redirect, while
APPEND_SLASH redirects only paths that match nothing: so each pattern here takes
the path as written, and a trailing slash too. The base answers at /api/oruk and
/api/oruk/. Anything else under /api/oruk/ is a JSON 404.
"""

from django.urls import re_path

from directory import api

ID = r"(?P<id>[^/]+)"

urlpatterns = [
    re_path(r"^oruk/?$", api.api_details),
    re_path(r"^oruk/services/?$", api.service_list),
    re_path(rf"^oruk/services/{ID}/?$", api.service_detail),
    re_path(r"^oruk/service_at_locations/?$", api.service_at_location_list),
    re_path(rf"^oruk/service_at_locations/{ID}/?$", api.service_at_location_detail),
    re_path(r"^oruk/organizations/?$", api.organization_list),
    re_path(rf"^oruk/organizations/{ID}/?$", api.organization_detail),
    re_path(r"^oruk/taxonomies/?$", api.taxonomy_list),
    re_path(rf"^oruk/taxonomies/{ID}/?$", api.taxonomy_detail),
    re_path(r"^oruk/taxonomy_terms/?$", api.taxonomy_term_list),
    re_path(rf"^oruk/taxonomy_terms/{ID}/?$", api.taxonomy_term_detail),
    re_path(r"^oruk/", api.not_found),
]
