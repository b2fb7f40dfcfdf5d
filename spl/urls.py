from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from spl import forms, views

admin.site.site_header = "Social prescribing administration"
admin.site.site_title = "Social prescribing administration"

accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=forms.LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=forms.PasswordResetForm),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/", include(accounts)),
    path("practices/", views.practice_list, name="practice_list"),
    path("practices/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("practices/<int:pk>/edit/", views.practice_edit, name="practice_edit"),
    path("admin/", admin.site.urls),
    path("referrals/", include("referrals.urls")),
    path("refer/", include("referrals.public_urls")),
    path("caseload/", include("caseload.urls")),
    path("provider/", include("caseload.provider_urls")),  # a service answers a referral
    path("directory/", include("directory.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("api/", include("referrals.fhir_urls")),  # /api/fhir: referrals from other systems
    path("api/", include("directory.api_urls")),  # /api/oruk: the public ORUK API
]
