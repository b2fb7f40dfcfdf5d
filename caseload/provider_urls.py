"""The provider's link: a service answers a referral without an account."""

from django.urls import path

from caseload import views

app_name = "provider"

urlpatterns = [
    path("<str:token>/", views.provider_answer, name="answer"),
]
