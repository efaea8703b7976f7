"""Forms of the comment pages: they only parse what people type; the rules are the services'."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import MAX_BODY


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"), max_length=MAX_BODY, strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Texte simple, sans mise en forme (4000 caractères au plus). Les commentaires sont modérés."),
        error_messages={"required": _("Écrivez votre commentaire.")},
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Raison du signalement (facultatif)"), max_length=500, required=False)


class BlockForm(forms.Form):
    ends_at = forms.DateTimeField(
        label=_("Bloqué jusqu'au"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Date et heure de fin (heure de Luxembourg)."),
    )
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("Communiquée à la personne et conservée au journal d'audit."))

    def clean_ends_at(self) -> datetime:
        value: datetime = self.cleaned_data["ends_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_current_timezone())
        return value


class WordForm(forms.Form):
    word = forms.CharField(label=_("Mot ou expression"), max_length=100,
                           help_text=_("Reconnu sans tenir compte des majuscules ni des accents, en mot entier."))

