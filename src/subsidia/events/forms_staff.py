"""Forms of the officers' event pages and of the evaluation questionnaire.

The forms only parse what people type; dates and times are typed as wall-clock times in the event's own time
zone. The rules are the services'."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.organisations.models import Municipality, Organisation, Theme

from .gallery import TEXT_FIELDS
from .inputs import BlockInput, EventInput, PhotoTexts, QuestionInput, SessionInput
from .models import Block, BlockKind, EvaluationQuestion, Event, QuestionKind, Session

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT))


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """The wall-clock time typed, read in ``zone`` (the form parsed it in the site's time zone)."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return timezone.make_aware(naive, ZoneInfo(zone))


def wall_clock(value: datetime | None, zone: str) -> str:
    return timezone.localtime(value, ZoneInfo(zone)).strftime(DATETIME_FORMAT) if value else ""


def _zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(available_timezones()) if "/" in z and not z.startswith(("Etc/", "SystemV/"))]


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("Texte mis en forme (HTML simple : paragraphes, listes, liens). "
                                              "Tout le reste est retiré."))
    time_zone = forms.ChoiceField(label=_("Fuseau horaire"), initial="Europe/Luxembourg",
                                  help_text=_("Les dates et heures ci-dessous sont lues dans ce fuseau."))
    starts_at = _datetime_field(_("Début"))
    ends_at = _datetime_field(_("Fin"))
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False,
                            help_text=_("Vide pour un événement uniquement en ligne."))
    address = forms.CharField(label=_("Adresse du lieu"), max_length=300, required=False)
    municipality = forms.ModelChoiceField(label=_("Commune"), queryset=Municipality.objects.none(), required=False)
    online_url = forms.URLField(label=_("Lien de participation en ligne"), required=False, assume_scheme="https")
    organisers = OrganisationsField(label=_("Organisateurs"), queryset=Organisation.objects.none(), required=False,
                                    widget=forms.SelectMultiple(attrs={"size": 6}))
    partners = OrganisationsField(label=_("Partenaires"), queryset=Organisation.objects.none(), required=False,
                                  widget=forms.SelectMultiple(attrs={"size": 6}))
    themes = forms.ModelMultipleChoiceField(label=_("Thèmes"), queryset=Theme.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    audience = forms.CharField(label=_("Public visé"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, required=False,
                                  help_text=_("Vide : pas de limite. Augmenter le nombre de places inscrit les "
                                              "personnes en liste d'attente."))
    registration_enabled = forms.BooleanField(label=_("Inscription en ligne"), required=False, initial=True)
    registration_opens_at = _datetime_field(_("Ouverture des inscriptions"), required=False)
    registration_closes_at = _datetime_field(_("Clôture des inscriptions"), required=False)
    blocks_per_person = forms.IntegerField(label=_("Blocs ou tables par personne"), min_value=1, max_value=6,
                                           initial=1)
    retention_days = forms.IntegerField(label=_("Conservation des inscriptions (jours après l'événement)"),
                                        min_value=1, max_value=3650, initial=180,
                                        help_text=_("Les données des personnes inscrites sont ensuite supprimées ; "
                                                    "seul le nombre de participants est gardé."))
    participant_count = forms.IntegerField(label=_("Nombre de participants"), min_value=0, required=False,
                                           help_text=_("Pour un événement passé : sinon il est compté à la "
                                                       "suppression des inscriptions."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    DATETIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()  # type: ignore[attr-defined]
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")  # type: ignore[attr-defined]
        organisations = Organisation.objects.order_by("name")
        self.fields["organisers"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["partners"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["themes"].queryset = Theme.objects.order_by("name")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        initial: dict[str, Any] = {key: getattr(event, key) for key in (
            "title", "summary", "description", "time_zone", "place", "address", "online_url", "audience",
            "capacity", "registration_enabled", "blocks_per_person", "retention_days", "participant_count",
            "version")}
        initial["municipality"] = event.municipality_id
        for key in cls.DATETIMES:
            initial[key] = wall_clock(getattr(event, key), event.time_zone)
        for key in ("organisers", "partners", "themes"):
            initial[key] = list(getattr(event, key).values_list("pk", flat=True))
        return initial

    def to_input(self, event: Event | None = None) -> EventInput:
        """The event typed, its moments read in its own time zone (an edit keeps what the form does not show)."""
        data, zone = self.cleaned_data, self.cleaned_data["time_zone"]
        moments = {key: in_zone(data[key], zone) for key in self.DATETIMES}
        starts, ends = moments.pop("starts_at"), moments.pop("ends_at")
        assert starts is not None and ends is not None  # required fields of a valid form
        return EventInput(
            title=data["title"], summary=data["summary"], starts_at=starts, ends_at=ends, time_zone=zone,
            description=data["description"], place=data["place"], address=data["address"],
            municipality=data["municipality"].pk if data["municipality"] else None, online_url=data["online_url"],
            organisers=[o.pk for o in data["organisers"]], partners=[o.pk for o in data["partners"]],
            themes=[t.pk for t in data["themes"]], audience=data["audience"], capacity=data["capacity"],
            registration_opens_at=moments["registration_opens_at"],
            registration_closes_at=moments["registration_closes_at"],
            registration_enabled=data["registration_enabled"], blocks_per_person=data["blocks_per_person"],
            retention_days=data["retention_days"], participant_count=data["participant_count"],
            is_example=event.is_example if event else False)


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("Message aux personnes inscrites (facultatif)"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class BlockForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=BlockKind.choices, initial=BlockKind.BLOCK)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, required=False,
                                  help_text=_("Vide : pas de limite."))

    @staticmethod
    def initial_for(block: Block) -> dict[str, Any]:
        return {key: getattr(block, key) for key in ("kind", "title", "description", "capacity")}

    def to_input(self, block: Block | None = None) -> BlockInput:
        """The block typed (an edit keeps the block's place in the programme)."""
        data = self.cleaned_data
        return BlockInput(title=data["title"], kind=data["kind"], description=data["description"],
                          capacity=data["capacity"], position=block.position if block else None)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    block = forms.ModelChoiceField(label=_("Bloc ou table"), queryset=Block.objects.none(), required=False,
                                   empty_label=_("(aucun : séance plénière, pause…)"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    speakers = forms.CharField(label=_("Intervenants"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Une personne par ligne."))
    room = forms.CharField(label=_("Salle"), max_length=120, required=False)
    starts_at = _datetime_field(_("Début"))
    ends_at = _datetime_field(_("Fin"))
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, required=False,
                                  help_text=_("Vide : pas de limite."))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["block"].queryset = event.blocks.order_by("position", "pk")  # type: ignore[attr-defined]
        self.fields["starts_at"].help_text = _("Heure de %(zone)s.") % {"zone": event.time_zone}

    @staticmethod
    def initial_for(session: Session) -> dict[str, Any]:
        zone = session.event.time_zone
        return {"title": session.title, "block": session.block_id, "description": session.description,
                "speakers": session.speakers, "room": session.room, "capacity": session.capacity,
                "starts_at": wall_clock(session.starts_at, zone), "ends_at": wall_clock(session.ends_at, zone)}

    def to_input(self) -> SessionInput:
        """The session typed, its moments read in the event's time zone."""
        data = self.cleaned_data
        starts, ends = in_zone(data["starts_at"], self.event.time_zone), in_zone(data["ends_at"], self.event.time_zone)
        assert starts is not None and ends is not None  # required fields of a valid form
        return SessionInput(title=data["title"], starts_at=starts, ends_at=ends,
                            block=data["block"].pk if data["block"] else None, description=data["description"],
                            speakers=data["speakers"], room=data["room"], capacity=data["capacity"])


class StaffCancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=500)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Type de réponse"), choices=QuestionKind.choices, initial=QuestionKind.RATING)
    options = forms.CharField(label=_("Choix proposés"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Pour « Choix dans une liste » : un choix par ligne."))
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False)

    @staticmethod
    def initial_for(question: EvaluationQuestion) -> dict[str, Any]:
        return {key: getattr(question, key) for key in ("text", "kind", "options", "required")}

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(text=data["text"], kind=data["kind"], options=data["options"], required=data["required"])


class ReportForm(forms.Form):
    evaluation_report = forms.CharField(
        label=_("Rapport d'évaluation"), required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Texte mis en forme (HTML simple : titres h2 à h4, paragraphes, listes, liens, tableaux)."))


def _text(key: str, label: Any) -> forms.CharField:
    limit, message = TEXT_FIELDS[key]
    return forms.CharField(label=label, max_length=limit, error_messages={"required": message})


class PhotoEditForm(forms.Form):
    caption = _text("caption", _("Légende"))
    credit = _text("credit", _("Crédit photo"))
    alt_text = _text("alt_text", _("Texte alternatif"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].help_text = _("Ce que montre la photo, pour les personnes qui ne la voient pas "
                                              "(par exemple « Des participants échangent autour d'une table »).")
        self.fields["credit"].help_text = _("L'auteur ou la source de la photo.")

    def to_input(self) -> PhotoTexts:
        data = self.cleaned_data
        return PhotoTexts(caption=data["caption"], credit=data["credit"], alt_text=data["alt_text"])


class PhotoForm(PhotoEditForm):
    image = forms.FileField(label=_("Photo (JPEG, PNG ou WebP)"),
                            error_messages={"required": _("Choisissez une photo.")},
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    field_order = ["image", "caption", "credit", "alt_text"]


def answer_form(questions: list[EvaluationQuestion], data: Any = None) -> forms.Form:
    """The questionnaire as a form: one field ``q<id>`` per question."""
    form = forms.Form(data)
    for question in questions:
        name = f"q{question.pk}"
        required = question.required
        if question.kind == QuestionKind.RATING:
            field: forms.Field = forms.ChoiceField(
                label=question.text, required=required, widget=forms.RadioSelect,
                choices=[(str(n), label) for n, label in [
                    (1, _("1 — pas du tout satisfait")), (2, "2"), (3, "3"), (4, "4"),
                    (5, _("5 — tout à fait satisfait"))]])
        elif question.kind == QuestionKind.CHOICE:
            field = forms.ChoiceField(label=question.text, required=required, widget=forms.RadioSelect,
                                      choices=[(o, o) for o in question.option_list])
        else:
            field = forms.CharField(label=question.text, required=required, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
        field.error_messages["required"] = _("Cette question demande une réponse.")
        form.fields[name] = field
    return form
