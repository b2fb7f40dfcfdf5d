from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report, name="report"),
    path(
        "reports/<int:pk>/<str:format>/",
        views.report_download,
        name="report_download",
    ),
]
