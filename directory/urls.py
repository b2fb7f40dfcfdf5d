from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.service_search, name="service_search"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:pk>/<slug:part>/new/", views.service_part_edit, name="part_create"),
    path(
        "services/<uuid:pk>/<slug:part>/<uuid:part_pk>/edit/",
        views.service_part_edit,
        name="part_edit",
    ),
    path(
        "services/<uuid:pk>/<slug:part>/<uuid:part_pk>/remove/",
        views.service_part_remove,
        name="part_remove",
    ),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation_detail"),
    # Keeping the directory (directory managers)
    path("manage/", views.manage, name="manage"),
    path("manage/import/", views.directory_import, name="import"),
    path("manage/import/template.csv", views.import_template, name="import_template"),
    path("manage/import/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<uuid:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<uuid:pk>/history/",
        views.organisation_history,
        name="organisation_history",
    ),
    path("organisations/<uuid:pk>/services/new/", views.service_create, name="service_create"),
    path("organisations/<uuid:pk>/places/new/", views.location_create, name="location_create"),
    path("places/<uuid:pk>/edit/", views.location_edit, name="location_edit"),
    path("organisations/<uuid:pk>/checks/new/", views.check_create, name="check_create"),
]
