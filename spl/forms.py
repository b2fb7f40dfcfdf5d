from django import forms
from django.contrib.auth import forms as auth_forms

from spl.models import Practice


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["list_size"]
        error_messages = {
            "list_size": {
                "required": "Enter the registered list size",
                "invalid": "Registered list size must be a whole number, like 8500",
                "min_value": "Registered list size must be 1 or more",
            }
        }
