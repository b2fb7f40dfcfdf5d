from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("new/", views.referral_create, name="referral_create"),
    path("mine/", views.referral_mine, name="referral_mine"),
    path("mine/<str:reference>/", views.referral_mine_detail, name="referral_mine_detail"),
    path(
        "mine/<str:reference>/add-information/",
        views.referral_add_information,
        name="referral_add_information",
    ),
    path("mine/<str:reference>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("coding/", views.coding_list, name="coding_list"),
    path("<str:reference>/", views.referral_detail, name="referral_detail"),
    path("<str:reference>/triage/", views.referral_triage, name="referral_triage"),
    path("<str:reference>/coded/", views.referral_mark_coded, name="referral_mark_coded"),
    path("<str:reference>/summary/", views.referral_summary, name="referral_summary"),
    path("<str:reference>/sent/", views.referral_sent, name="referral_sent"),
]
