from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import normalise_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def clean_username(self) -> str:
        # One spelling for authentication and for the lockout count (see subsidia.accounts.lockout).
        return normalise_email(self.cleaned_data.get("username"))


class TotpTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Code à six chiffres"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Saisissez les six chiffres affichés par votre application.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class ReauthPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
