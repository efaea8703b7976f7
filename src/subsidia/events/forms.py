"""Forms of the public event pages. They only parse what people type; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidia.organisations.models import Municipality, Theme

from . import selectors
from .inputs import RegistrationInput
from .models import Event

MODE_CHOICES = [("", _("Sur place ou en ligne")), ("onsite", _("Sur place")), ("online", _("En ligne"))]
WHEN_CHOICES = [("upcoming", _("À venir")), ("past", _("Passés")), ("all", _("Tous"))]


def rank_label(n: int) -> str:
    return str(_("1er choix")) if n == 1 else str(_("%(n)se choix") % {"n": n})


class EventFilterForm(forms.Form):
    when = forms.ChoiceField(label=_("Période"), choices=WHEN_CHOICES, required=False)
    mode = forms.ChoiceField(label=_("Format"), choices=MODE_CHOICES, required=False)
    theme = forms.ModelChoiceField(label=_("Thème"), queryset=Theme.objects.none(), required=False,
                                   empty_label=_("Tous les thèmes"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(events__isnull=False).distinct().order_by("name")  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Nom et prénom"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254,
                             help_text=_("La confirmation et les liens pour consulter ou annuler votre inscription "
                                         "y sont envoyés."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False,
                                        widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    municipality = forms.ModelChoiceField(label=_("Commune"), queryset=Municipality.objects.none(),
                                          required=False, empty_label=_("— aucune —"))
    accessibility_needs = forms.CharField(
        label=_("Besoins d'accessibilité"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : accès en fauteuil roulant, interprétation en langue des signes, boucle "
                    "magnétique, régime alimentaire."))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")  # type: ignore[attr-defined]
        self.blocks = list(selectors.blocks(event))
        required = min(event.blocks_per_person, len(self.blocks))
        choices = [("", _("— choisir —"))] + [(str(b.pk), b.title) for b in self.blocks]
        self.rank_fields: list[str] = []
        for n in range(1, len(self.blocks) + 1):
            name = f"choice_{n}"
            self.fields[name] = forms.ChoiceField(label=rank_label(n), choices=choices, required=n <= required)
            self.rank_fields.append(name)
        sessions = [s for s in event.sessions.order_by("starts_at", "pk") if s.capacity is not None]
        if sessions:
            self.fields["sessions"] = forms.MultipleChoiceField(
                label=_("Sessions à places limitées"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(str(s.pk), s.title) for s in sessions])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [data.get(name) for name in self.rank_fields if data.get(name)]
        if len(set(picked)) != len(picked):
            self.add_error(self.rank_fields[0] if self.rank_fields else None,
                           _("Chaque bloc ou table ne peut être classé qu'une fois."))
        return data

    @property
    def ranking(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.rank_fields if self.cleaned_data.get(name)]

    def to_input(self, language: str = "fr") -> RegistrationInput:
        data = self.cleaned_data
        municipality = data.get("municipality")
        return RegistrationInput(
            full_name=data["full_name"], email=data["email"], organisation_name=data.get("organisation_name", ""),
            municipality=municipality.pk if municipality else None,
            accessibility_needs=data.get("accessibility_needs", ""),
            block_ranking=[int(key) for key in self.ranking],
            session_ids=[int(key) for key in data.get("sessions") or []],
            language=language)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
