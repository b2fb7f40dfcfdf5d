from django import forms
from django.contrib.auth import forms as auth_forms
from django.forms.utils import ErrorDict

from spl.models import Practice


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
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
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )


_NEW_PASSWORD_MESSAGES = {
    "new_password1": {"required": "Enter a new password"},
    "new_password2": {"required": "Enter the new password again"},
}


def _set_messages(form, messages):
    for name, field_messages in messages.items():
        form.fields[name].error_messages.update(field_messages)


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords do not match"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _set_messages(self, _NEW_PASSWORD_MESSAGES)
        self.fields["new_password2"].label = "Confirm new password"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_mismatch": "The two passwords do not match",
        "password_incorrect": "Your current password is not correct. Enter it again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _set_messages(
            self,
            {**_NEW_PASSWORD_MESSAGES, "old_password": {"required": "Enter your current password"}},
        )
        self.fields["old_password"].label = "Current password"
        self.fields["new_password2"].label = "Confirm new password"


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["list_size"]
        help_texts = {
            "list_size": "The number of patients registered at the practice. Referral rates, "
            "such as the IIF social prescribing indicator, are worked out from it."
        }
        # NHS.UK: numbers are text inputs with a numeric keypad, not type=number.
        widgets = {
            "list_size": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}
            )
        }
        error_messages = {
            "list_size": {
                "required": "Enter the registered list size",
                "invalid": "Registered list size must be a whole number, like 8500",
                "min_value": "Registered list size must be 1 or more",
            }
        }


def refuse(form, field, message):
    """Show `message` next to `field` of an unbound `form`, which goes on
    showing what it holds: for a refusal a service makes about what is already
    saved (a plan cannot be agreed without a goal), not about what was typed.
    Django adds errors only to a form it has cleaned, so this starts the empty
    errors and cleaned data that cleaning an unbound form would leave."""
    form._errors, form.cleaned_data = ErrorDict(), {}
    form.add_error(field, message)
    return form
