from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.service_search, name="service_search"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation_detail"),
]
