"""The public sign-up form: name, e-mail, password twice (checked by Django's password validators), consent to the
terms of use of comments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nom"), max_length=200,
        help_text=_("Affiché avec vos commentaires."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254,
        help_text=_("Nous y envoyons le lien d'activation ; elle n'est jamais affichée."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Indiquez votre adresse e-mail."),
                        "invalid": _("Adresse e-mail invalide (nom@exemple.lu).")},
    )
    password1 = forms.CharField(
        label=_("Mot de passe"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères, pas seulement des chiffres, ni trop courant, ni proche de votre nom "
                    "ou de votre adresse."),
        error_messages={"required": _("Choisissez un mot de passe.")},
    )
    password2 = forms.CharField(
        label=_("Mot de passe, une seconde fois"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Saisissez le mot de passe une seconde fois.")},
    )
    consent = forms.BooleanField(
        label=_("J'accepte les conditions d'utilisation ci-dessus : mes commentaires sont modérés et publiés sous "
                "mon nom."),
        error_messages={"required": _("Acceptez les conditions d'utilisation pour créer un compte.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            candidate = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
