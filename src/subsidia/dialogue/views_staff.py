"""The officers' pages of the dialogue: series and their cadence, extra meetings, changes and cancellations,
the answer to proposed points, minutes and their publication, action items and invitations.

Every page is for officers (``OFFICERS``); the object is still found through the selectors (404 otherwise) and
the services check the rules again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import access
from subsidia.core.errors import RuleViolation, Violation
from subsidia.core.forms import error_summary
from subsidia.core.http import int_or_none

from . import selectors, services, services_actions, services_agenda, services_meetings
from .forms import (
    MEETING_FIELDS,
    SERIES_FIELDS,
    ActionForm,
    AttendanceFormSet,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    SeriesForm,
    attendance_initial,
    attendance_rows,
    decision_form,
    lines,
)
from .inputs import MinutesInput
from .models import AgendaItem, Meeting, MeetingSeries, MeetingStatus
from .views import (
    meeting_page,
    meeting_url,
    refused,
    series_page,
    visible_meeting,
    visible_series,
)

# --- series ----------------------------------------------------------------------------------------


def _series_form_page(request: HttpRequest, series: MeetingSeries | None) -> HttpResponse:
    if request.method == "POST":
        form = SeriesForm(request.POST, series=series)
    elif series is not None:
        form = SeriesForm(initial=SeriesForm.initial_for(series), series=series)
    else:
        form = SeriesForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if series is None:
                    saved = services.create_series(signed_in(request), form.to_input())
                else:
                    saved = services.update_series(signed_in(request), series, form.to_input(),
                                                   expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = refused(request, error, form, SERIES_FIELDS)
            else:
                if series is None:
                    count = saved.meetings.count()
                    messages.success(request, ngettext(
                        "Série créée, avec %(n)s réunion planifiée.", "Série créée, avec %(n)s réunions planifiées.",
                        count) % {"n": count})
                else:
                    messages.success(request, _("Série enregistrée. Les réunions déjà planifiées restent à leur "
                                                "date ; les suivantes suivront le nouveau rythme."))
                return redirect("dialogue:series", pk=saved.pk)
    return render(request, "dialogue/series_form.html", {
        "form": form, "series": series, "error_summary": error_summary(form),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    return _series_form_page(request, None)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_form_page(request, visible_series(request, pk))


@access(OFFICERS)
@require_POST
def series_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the meetings of the cadence for the coming year that do not exist yet."""
    series = visible_series(request, pk)
    try:
        created = services.generate_meetings(signed_in(request), series,
                                             expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return series_page(request, series, status=refused(request, error))
    if created:
        messages.success(request, ngettext("%(n)s réunion planifiée.", "%(n)s réunions planifiées.",
                                           len(created)) % {"n": len(created)})
    else:
        messages.info(request, _("Toutes les réunions de l'année à venir sont déjà planifiées."))
    return redirect("dialogue:series", pk=series.pk)


# --- meetings --------------------------------------------------------------------------------------

@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An extra meeting, outside the cadence."""
    series = visible_series(request, pk)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for_series(series))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                meeting = services_meetings.add_meeting(signed_in(request), series, form.to_input())
            except RuleViolation as error:
                status = refused(request, error, form, MEETING_FIELDS)
            else:
                messages.success(request, _("Réunion ajoutée."))
                return redirect(meeting_url(meeting))
    return render(request, "dialogue/meeting_form.html", {
        "form": form, "series": series, "meeting": None, "error_summary": error_summary(form),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Move, relocate, cancel a meeting or mark it held."""
    meeting = visible_meeting(request, pk)
    if request.method == "POST":
        form = MeetingEditForm(request.POST)
    else:
        form = MeetingEditForm(initial=MeetingEditForm.initial_for(meeting))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services_meetings.update_meeting(signed_in(request), meeting, form.to_input(),
                                                 expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = refused(request, error, form, MEETING_FIELDS)
            else:
                messages.success(request, _("Réunion enregistrée."))
                return redirect(meeting_url(meeting))
    return render(request, "dialogue/meeting_form.html", {
        "form": form, "series": meeting.series, "meeting": meeting, "error_summary": error_summary(form),
    }, status=status)


# --- agenda ----------------------------------------------------------------------------------------

@access(OFFICERS)
@require_POST
def agenda_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a proposed point, or decline it with a reason sent to the organisation."""
    meetings = selectors.meetings_visible_to(request.user).values("pk")
    item = get_object_or_404(AgendaItem.objects.filter(meeting__in=meetings).select_related("meeting__series"),
                             pk=pk)
    meeting = visible_meeting(request, item.meeting_id)
    form = decision_form(item.pk, request.POST)
    if not form.is_valid():
        return meeting_page(request, meeting, decisions={item.pk: form}, status=422)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services_agenda.decide_agenda_item(signed_in(request), item, accept=accept, reason=form.cleaned_data["reason"])
    except RuleViolation as error:
        status = refused(request, error, form)
        return meeting_page(request, meeting, decisions={item.pk: form}, status=status)
    if accept:
        messages.success(request, _("Point « %(title)s » inscrit à l'ordre du jour.") % {"title": item.title})
    else:
        messages.success(request, _("Point « %(title)s » non retenu ; l'organisation en est informée.")
                         % {"title": item.title})
    return redirect(meeting_url(meeting, "ordre-du-jour"))


# --- minutes ---------------------------------------------------------------------------------------

def _attendance_formset(meeting: Meeting, data: Any = None) -> forms.BaseFormSet:
    organisations = list(meeting.series.organisations.order_by("name"))
    if data is not None:
        return AttendanceFormSet(data, prefix="presences", form_kwargs={"organisations": organisations})
    return AttendanceFormSet(initial=attendance_initial(meeting), prefix="presences",
                             form_kwargs={"organisations": organisations})


def _place_violations(error: RuleViolation, form: forms.Form, sources: list[forms.Form]) -> RuleViolation | None:
    """Put the violations of attendance rows (``attendance.<i>.<field>``) on their row; return the others."""
    plain: list[Violation] = []
    for violation in error.violations:
        parts = (violation.field or "").split(".")
        if len(parts) == 3 and parts[0] == "attendance" and parts[1].isdigit() and int(parts[1]) < len(sources):
            row = sources[int(parts[1])]
            row.add_error(parts[2] if parts[2] in row.fields else None,
                                             str(violation.message))
        else:
            plain.append(violation)
    return type(error)(plain) if plain else None


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or correct the minutes, the decisions (one a line) and who attended, once the meeting began."""
    meeting = visible_meeting(request, pk)
    if request.method == "POST":
        form = MinutesForm(request.POST)
        attendance = _attendance_formset(meeting, request.POST)
    else:
        form = MinutesForm(initial=MinutesForm.initial_for(meeting))
        attendance = _attendance_formset(meeting)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and attendance.is_valid():
            rows, sources = attendance_rows(attendance)
            try:
                minutes_input = MinutesInput(form.cleaned_data["minutes"], attendance=rows,
                                             decisions=lines(form.cleaned_data["decisions"]))
                services_meetings.record_minutes(signed_in(request), meeting, minutes_input,
                                                 expected_version=form.cleaned_data["version"])
            except RuleViolation as error:
                status = error.status_code
                rest = _place_violations(error, form, sources)
                if rest is not None:
                    status = refused(request, rest, form)
            else:
                messages.success(request, _("Compte rendu enregistré.") if meeting.minutes_published
                                 else _("Compte rendu enregistré. Il reste réservé au ministère tant qu'il n'est "
                                        "pas publié."))
                return redirect(meeting_url(meeting, "compte-rendu"))
    return render(request, "dialogue/minutes.html", {
        "meeting": meeting, "series": meeting.series, "form": form, "attendance": attendance,
        "can_write": meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= timezone.now(),
        "error_summary": error_summary(form, attendance),
    }, status=status)


@access(OFFICERS)
@require_POST
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the minutes readable by the partners; the participants are told."""
    meeting = visible_meeting(request, pk)
    try:
        services_meetings.publish_minutes(signed_in(request), meeting,
                                          expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return meeting_page(request, meeting, status=refused(request, error))
    messages.success(request, _("Compte rendu publié : les organisations participantes peuvent le lire."))
    return redirect(meeting_url(meeting, "compte-rendu"))


# --- action items ----------------------------------------------------------------------------------

@access(OFFICERS)
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An action decided at the meeting, with its owner and due date; the owner is told."""
    meeting = visible_meeting(request, pk)
    form = ActionForm(request.POST, series=meeting.series)
    if not form.is_valid():
        return meeting_page(request, meeting, action_form=form, status=422)
    try:
        item = services_actions.add_action_item(signed_in(request), meeting, form.to_input())
    except RuleViolation as error:
        status = refused(request, error, form)
        return meeting_page(request, meeting, action_form=form, status=status)
    messages.success(request, _("Action « %(title)s » ajoutée.") % {"title": item.title})
    return redirect(meeting_url(meeting, "suivi"))


# --- invitations -----------------------------------------------------------------------------------

@access(OFFICERS)
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail every participant an invitation with the meeting as an .ics attachment."""
    meeting = visible_meeting(request, pk)
    try:
        invited = services_meetings.send_invitations(signed_in(request), meeting,
                                            expected_version=int_or_none(request.POST.get("version")))
    except RuleViolation as error:
        return meeting_page(request, meeting, status=refused(request, error))
    messages.success(request, ngettext("Invitation envoyée à %(n)s personne.", "Invitations envoyées à %(n)s "
                                       "personnes.", len(invited)) % {"n": len(invited)})
    return redirect(reverse("dialogue:meeting", kwargs={"pk": meeting.pk}))
