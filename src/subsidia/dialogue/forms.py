"""Forms of the dialogue's pages (views.py, views_staff.py).

The forms only parse what people type (dates and times in the local time zone, choices among the series'
organisations and participants); the rules are the services'.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidia.accounts.models import User
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.organisations.models import LegalForm, Membership, Organisation

from . import selectors
from .inputs import ActionInput, AgendaProposal, AttendanceRow, MeetingInput, SeriesInput
from .models import (
    ActionItem,
    ActionStatus,
    AttendanceStatus,
    Cadence,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def local_moment(day: date, at: time) -> datetime:
    """The aware datetime of a date and a wall-clock time typed in the local time zone."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


def _url_field(label: Any) -> forms.URLField:
    return forms.URLField(label=label, required=False, max_length=200, assume_scheme="https",
                          help_text=_("Adresse complète, par exemple https://visio.example.lu/reunion."))


# --- series ----------------------------------------------------------------------------------------

def staff_people() -> QuerySet[User]:
    """The ministry's people who may take part in a series for the ministry."""
    return User.objects.filter(role_grants__role__in=STAFF_ROLES, is_active=True).distinct().order_by(
        "full_name", "email")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else str(obj.email)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else str(obj.email)


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(label=_("Objet"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Les questions traitées ; repris dans les invitations."))
    department = forms.ModelChoiceField(label=_("Ministère ou département"), queryset=Organisation.objects.none())
    organisations = forms.ModelMultipleChoiceField(label=_("Organisations participantes"),
                                                   queryset=Organisation.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple,
                                                   help_text=_("Leurs gestionnaires sont invités aux réunions."))
    ministry_participants = PeopleChoiceField(label=_("Participants du ministère"), queryset=User.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    cadence = forms.ChoiceField(label=_("Rythme"), choices=Cadence.choices, initial=Cadence.QUARTERLY)
    first_date = forms.DateField(label=_("Date de la première réunion"), widget=DATE_WIDGET)
    first_time = forms.TimeField(label=_("Heure de début"), widget=TIME_WIDGET, initial=time(14, 0))
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=15, max_value=720, initial=120)
    place = forms.CharField(label=_("Lieu habituel"), required=False, max_length=200)
    online_url = _url_field(_("Lien de visioconférence habituel"))
    is_active = forms.BooleanField(label=_("Série en cours (les réunions de l'année à venir sont planifiées)"),
                                   required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, series: MeetingSeries | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            legal_form=LegalForm.ADMINISTRATION).order_by("name")
        # The series' current choices stay listed (the service says if one is no longer allowed).
        chosen_organisations = series.organisations.values("pk") if series is not None else []
        self.fields["organisations"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            ~Q(legal_form=LegalForm.ADMINISTRATION) | Q(pk__in=chosen_organisations)).order_by("name")
        chosen_people = series.ministry_participants.values("pk") if series is not None else []
        self.fields["ministry_participants"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=staff_people().values("pk")) | Q(pk__in=chosen_people)).order_by("full_name", "email")

    @staticmethod
    def initial_for(series: MeetingSeries) -> dict[str, Any]:
        first = timezone.localtime(series.first_starts_at)
        return {
            "title": series.title, "description": series.description, "department": series.department_id,
            "organisations": list(series.organisations.values_list("pk", flat=True)),
            "ministry_participants": list(series.ministry_participants.values_list("pk", flat=True)),
            "cadence": series.cadence, "first_date": first.date(), "first_time": first.time().replace(second=0),
            "duration_minutes": series.duration_minutes, "place": series.place, "online_url": series.online_url,
            "is_active": series.is_active, "version": series.version,
        }

    def to_input(self) -> SeriesInput:
        data = self.cleaned_data
        return SeriesInput(
            title=data["title"], description=data["description"], department=data["department"].pk,
            organisations=[o.pk for o in data["organisations"]],
            ministry_participants=[u.pk for u in data["ministry_participants"]],
            cadence=data["cadence"], first_starts_at=local_moment(data["first_date"], data["first_time"]),
            duration_minutes=data["duration_minutes"], place=data["place"], online_url=data["online_url"],
            is_active=data["is_active"])


# Where a service's violation goes on the series form.
SERIES_FIELDS = {"first_starts_at": "first_date"}


# --- meetings --------------------------------------------------------------------------------------

class MeetingForm(forms.Form):
    """An extra meeting of a series (the end may be left empty: the series' duration applies)."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME_WIDGET, required=False,
                               help_text=_("Vide : selon la durée habituelle de la série."))
    place = forms.CharField(label=_("Lieu"), required=False, max_length=200)
    online_url = _url_field(_("Lien de visioconférence"))

    @staticmethod
    def initial_for_series(series: MeetingSeries) -> dict[str, Any]:
        first = timezone.localtime(series.first_starts_at)
        return {"start_time": first.time().replace(second=0), "place": series.place,
                "online_url": series.online_url}

    def to_input(self) -> MeetingInput:
        data = self.cleaned_data
        ends = local_moment(data["date"], data["end_time"]) if data.get("end_time") else None
        return MeetingInput(starts_at=local_moment(data["date"], data["start_time"]), ends_at=ends,
                            place=data["place"], online_url=data["online_url"])


class MeetingEditForm(MeetingForm):
    """Move, relocate, cancel a meeting or mark it held."""

    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME_WIDGET)
    status = forms.ChoiceField(label=_("Statut"), choices=MeetingStatus.choices, widget=forms.RadioSelect,
                               help_text=_("Les personnes déjà invitées reçoivent la modification ou l'annulation "
                                           "dans leur agenda."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["date", "start_time", "end_time", "place", "online_url", "status", "version"]

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {"date": starts.date(), "start_time": starts.time().replace(second=0),
                "end_time": ends.time().replace(second=0), "place": meeting.place,
                "online_url": meeting.online_url, "status": meeting.status, "version": meeting.version}

    def to_input(self) -> MeetingInput:
        return replace(super().to_input(), status=self.cleaned_data["status"])


MEETING_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


# --- agenda ----------------------------------------------------------------------------------------

class AgendaProposalForm(forms.Form):
    title = forms.CharField(label=_("Point à inscrire"), max_length=200)
    description = forms.CharField(label=_("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.ChoiceField(label=_("Au nom de"), required=False)

    def __init__(self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "proposition-%s")
        super().__init__(*args, **kwargs)
        organisations = organisations or []
        if len(organisations) > 1:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ChoiceField)
            field.required = True
            field.choices = [("", "—"), *((str(o.pk), o.name) for o in organisations)]
        else:
            del self.fields["organisation"]

    def to_input(self) -> AgendaProposal:
        data = self.cleaned_data
        return AgendaProposal(title=data["title"], description=data["description"],
                              organisation=int(data["organisation"]) if data.get("organisation") else None)


class AgendaDecisionForm(forms.Form):
    """The officer's answer to a proposed point: the pressed button says which (decision=accept|decline)."""

    decision = forms.ChoiceField(choices=[("accept", _("Inscrire")), ("decline", _("Ne pas retenir"))],
                                 widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Motif, si le point n'est pas retenu"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Obligatoire pour ne pas retenir le point : l'organisation le reçoit."))


def decision_form(item_pk: int, data: Any = None) -> AgendaDecisionForm:
    return AgendaDecisionForm(data, auto_id=f"point-{item_pk}-%s")


# --- minutes ---------------------------------------------------------------------------------------

class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Compte rendu"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    decisions = forms.CharField(label=_("Décisions"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=_("Une décision par ligne."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        return {"minutes": meeting.minutes, "decisions": "\n".join(d.text for d in meeting.decisions.all()),
                "version": meeting.version}


class AttendanceForm(forms.Form):
    person_name = forms.CharField(label=_("Nom"), max_length=200)
    organisation = forms.ChoiceField(label=_("Pour"), required=False)
    status = forms.ChoiceField(label=_("Présence"), choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT)

    def __init__(self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Le ministère")),
                                               *((str(o.pk), o.name) for o in organisations or [])]


AttendanceFormSet = forms.formset_factory(AttendanceForm, extra=3, can_delete=True)


def attendance_initial(meeting: Meeting) -> list[dict[str, Any]]:
    """The attendance recorded, or else the series' participants, each present (to correct)."""
    recorded = [{"person_name": a.person_name, "organisation": str(a.organisation_id or ""), "status": a.status}
                for a in meeting.attendance.all()]
    if recorded:
        return recorded
    series = meeting.series
    organisation_of = dict(Membership.objects.filter(
        organisation__in=series.organisations.all(), role=Role.PARTNER_ADMIN).order_by("organisation__name")
        .values_list("user_id", "organisation_id"))
    people = sorted(selectors.participants(series), key=lambda u: (u.pk not in organisation_of, str(u)))
    return [{"person_name": u.full_name or u.email, "organisation": str(organisation_of.get(u.pk, "")),
             "status": AttendanceStatus.PRESENT} for u in people]


def attendance_rows(formset: forms.BaseFormSet) -> tuple[list[AttendanceRow], list[forms.Form]]:
    """The rows of a valid formset to record (filled, not deleted), and the form of each."""
    rows, sources = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        organisation = data.get("organisation")
        rows.append(AttendanceRow(person_name=data["person_name"], status=data["status"],
                                  organisation=int(organisation) if organisation else None))
        sources.append(form)
    return rows, sources


# --- action items ----------------------------------------------------------------------------------

class ActionForm(forms.Form):
    """An action decided at a meeting (the officer's form: every field)."""

    title = forms.CharField(label=_("Action"), max_length=200)
    description = forms.CharField(label=_("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = PersonChoiceField(label=_("Responsable"), required=False, queryset=User.objects.none(),
                              empty_label="—", help_text=_("Une personne invitée à la série."))
    owner_organisation = forms.ModelChoiceField(label=_("Organisation responsable"), required=False,
                                                queryset=Organisation.objects.none(), empty_label="—",
                                                help_text=_("Une personne, une organisation, ou les deux."))
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, series: MeetingSeries, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "action-%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.participants(series).order_by(  # type: ignore[attr-defined]
            "full_name", "email")
        self.fields["owner_organisation"].queryset = series.organisations.order_by(  # type: ignore[attr-defined]
            "name")

    def to_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(title=data["title"], description=data["description"],
                           owner=data["owner"].pk if data["owner"] else None,
                           owner_organisation=data["owner_organisation"].pk if data["owner_organisation"] else None,
                           due_on=data["due_on"])


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(label=_("Statut"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, item: ActionItem, **kwargs: Any) -> None:
        super().__init__(*args, series=item.series, **kwargs)
        # The current owner stays in the lists even if no longer part of the series (kept, the service accepts it;
        # another choice must be of the series).
        owner, organisation = self.fields["owner"], self.fields["owner_organisation"]
        owner.queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=selectors.participants(item.series).values("pk")) | Q(pk=item.owner_id or 0)).order_by(
            "full_name", "email")
        organisation.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=item.series.organisations.values("pk")) | Q(pk=item.owner_organisation_id or 0)).order_by(
            "name")

    @staticmethod
    def initial_for(item: ActionItem) -> dict[str, Any]:
        return {"title": item.title, "description": item.description, "owner": item.owner_id,
                "owner_organisation": item.owner_organisation_id, "due_on": item.due_on, "status": item.status,
                "version": item.version}

    def to_input(self) -> ActionInput:
        return replace(super().to_input(), status=self.cleaned_data["status"])


class ActionStatusForm(forms.Form):
    """What the owner of an action changes: its status."""

    status = forms.ChoiceField(label=_("Statut"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def to_input(self, item: ActionItem) -> ActionInput:
        """The item as it is, with the status chosen."""
        return replace(ActionInput.of(item), status=self.cleaned_data["status"])


def action_status_form(item: ActionItem, data: Any = None) -> ActionStatusForm:
    return ActionStatusForm(data, auto_id=f"action-{item.pk}-%s",
                            initial={"status": item.status, "version": item.version})
