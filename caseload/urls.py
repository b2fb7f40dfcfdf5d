from django.urls import path

from caseload import views

app_name = "caseload"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("waiting/", views.waiting_list, name="waiting_list"),
    path("team/", views.team, name="team"),
    path("mdt/", views.mdt, name="mdt"),
    path("refer-backs/", views.refer_backs, name="refer_backs"),
    path("gp-summaries/", views.gp_summaries, name="gp_summaries"),
    path("cases/<int:pk>/gp-summary/", views.gp_summary, name="gp_summary"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/take/", views.take, name="take"),
    path("cases/<int:pk>/contacts/", views.record_contact, name="record_contact"),
    path("cases/<int:pk>/decision/", views.decide, name="decide"),
    path("cases/<int:pk>/hold/", views.hold, name="hold"),
    path("cases/<int:pk>/resume/", views.resume, name="resume"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/safeguarding/", views.raise_concern, name="raise_concern"),
    path("cases/<int:pk>/mdt/", views.flag_for_mdt, name="flag_for_mdt"),
    path("cases/<int:pk>/refer-back/", views.refer_back, name="refer_back"),
    path(
        "cases/<int:pk>/mdt/<int:flag_pk>/",
        views.record_mdt_discussion,
        name="record_mdt_discussion",
    ),
    path(
        "cases/<int:pk>/safeguarding/<int:concern_pk>/close/",
        views.close_concern,
        name="close_concern",
    ),
    path("cases/<int:pk>/connect/", views.connect, name="connect"),
    path(
        "cases/<int:pk>/connect/<uuid:service_pk>/",
        views.connect_service,
        name="connect_service",
    ),
    path(
        "cases/<int:pk>/connections/<int:connection_pk>/",
        views.move_connection,
        name="move_connection",
    ),
    path(
        "cases/<int:pk>/wellbeing/<str:instrument>/",
        views.record_measure,
        name="record_measure",
    ),
    path("cases/<int:pk>/plan/", views.plan, name="plan"),
    path("cases/<int:pk>/plan/<int:number>/", views.plan_version, name="plan_version"),
    path("cases/<int:pk>/plan/<int:number>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("allocate/<str:reference>/", views.allocate, name="allocate"),
]
