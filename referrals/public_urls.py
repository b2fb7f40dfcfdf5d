"""The public referral forms at /refer/: no account needed."""

from django.urls import path

from referrals import views

app_name = "public"

urlpatterns = [
    path("", views.self_referral_create, name="self_referral_create"),
    path("agency/", views.agency_referral_create, name="agency_referral_create"),
    path("sent/", views.public_referral_sent, name="referral_sent"),
]
