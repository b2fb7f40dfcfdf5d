from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("new/", views.referral_create, name="referral_create"),
    path("<str:reference>/", views.referral_detail, name="referral_detail"),
    path("<str:reference>/triage/", views.referral_triage, name="referral_triage"),
]
