from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hromada.core import signin
from hromada.core.models import User

COMMON_ZONES = [
    "Europe/Kyiv",
    "Europe/Warsaw",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "UTC",
]


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "language", "time_zone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = sorted(available_timezones() - set(COMMON_ZONES))
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("time zone"),
            required=False,
            choices=[
                ("", _("Default (Kyiv)")),
                *((z, z) for z in COMMON_ZONES),
                *((z, z) for z in others),
            ],
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. stock script on the hub laptop")}),
    )


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class LoginForm(AuthenticationForm):
    """Django's sign-in, throttled (``core.signin``): after a few wrong passwords for one name,
    or many from one address, sign-in waits, whether or not the account exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username"}
        )

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username") or "")
        try:
            signin.check_allowed(username, self.request)
        except signin.Locked as locked:
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins. Try again in %(n)s minute.",
                    "Too many failed sign-ins. Try again in %(n)s minutes.",
                    locked.minutes,
                )
                % {"n": locked.minutes},
                code="locked",
            ) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin.record_failure(username, self.request)
            raise
        signin.record_success(username, self.request)
        return cleaned


class ResetForm(PasswordResetForm):
    """Django's password reset: the same answer whether or not the address has an account,
    at most a few mails per address and hour (``core.signin.allow_reset``), each in the
    language its reader chose."""

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        if signin.allow_reset(self.cleaned_data["email"], kwargs.get("request")):
            super().save(**kwargs)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        user = args[2].get("user") if len(args) > 2 else None
        with translation.override(getattr(user, "language", "") or translation.get_language()):
            super().send_mail(*args, **kwargs)
