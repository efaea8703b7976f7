"""Pages of the dialogue for everyone who takes part: the series, the meetings with their agenda, follow-up and
minutes, the proposals of points, the owners' updates of their actions, the personal calendar subscription and
the iCalendar feeds. The officers' pages are in views_staff.py.

Reads go through :mod:`subsidia.dialogue.selectors` (scoped by the user: another organisation's series answers
404), writes through :mod:`subsidia.dialogue.services`. A broken rule is shown on the form (422), a clash with
the meeting's state or someone else's edit too (409), a refusal of the service as a message (403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.actors import signed_in
from subsidia.accounts.models import User
from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.access import PUBLIC, access, roles
from subsidia.core.errors import NotFound, RuleViolation, Violation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next

from . import calendar, selectors, services_actions, services_agenda, services_calendar
from .access import DIALOGUE_PARTICIPANTS
from .forms import (
    ActionEditForm,
    ActionForm,
    AgendaDecisionForm,
    AgendaProposalForm,
    action_status_form,
    decision_form,
)
from .models import ActionItem, AgendaItemStatus, Meeting, MeetingSeries, MeetingStatus
from .workflow import AGENDA_WORKFLOW

# Officers add points; the partners' gestionnaires propose them (a member is refused by the service: 403).
AGENDA_PROPOSERS = roles(*PARTNER_ROLES, Role.OFFICER, name="agenda_proposers")


# --- helpers ---------------------------------------------------------------------------------------

def refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None,
            mapping: dict[str, str] | None = None) -> int:
    """Show a service's refusal and return the status of the page: the object is hidden (404); a refusal
    (403) is a message; a broken rule (422) or a clash with the current state (409) goes on the form."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        mapping = mapping or {}
        add_to_form(form, type(error)([Violation(v.code, v.message, mapping.get(v.field or "", v.field))
                                       for v in error.violations]))
    return error.status_code



def visible_series(request: HttpRequest, pk: int) -> MeetingSeries:
    return get_object_or_404(selectors.series_visible_to(request.user), pk=pk)


def visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)


def meeting_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("dialogue:meeting", kwargs={"pk": meeting.pk}) + (f"#{anchor}" if anchor else "")


def _is_upcoming(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.PLANNED and meeting.starts_at > timezone.now()


def _action_rows(request: HttpRequest, actions: Any) -> list[dict[str, Any]]:
    """Each action, with the status form for those who may update it."""
    return [{"action": a, "form": action_status_form(a) if selectors.can_update_action(request.user, a) else None}
            for a in actions]


# --- series ----------------------------------------------------------------------------------------

@access(DIALOGUE_PARTICIPANTS)
@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    upcoming = Meeting.objects.filter(series=OuterRef("pk"), starts_at__gte=timezone.now(),
                                      status=MeetingStatus.PLANNED).order_by("starts_at", "pk")
    series = (selectors.series_visible_to(request.user)
              .annotate(next_starts_at=Subquery(upcoming.values("starts_at")[:1]),
                        next_meeting_pk=Subquery(upcoming.values("pk")[:1]))
              .prefetch_related("organisations").order_by("-is_active", "title"))
    return render(request, "dialogue/series_list.html", {
        "series_list": series, "can_manage": selectors.manages_dialogue(request.user),
        "open_actions": selectors.open_actions_of(request.user),
    })


def _feed_address(request: HttpRequest, name: str, **kwargs: Any) -> str:
    """The absolute subscription address of a feed, with the user's own secret token."""
    token = services_calendar.calendar_token(signed_in(request)).token
    return request.build_absolute_uri(reverse(name, kwargs={"token": token, **kwargs}))


def series_page(request: HttpRequest, series: MeetingSeries, status: int = 200) -> HttpResponse:
    """The series as the user may see it (a refused action re-renders it with its status)."""
    user = signed_in(request)
    now = timezone.now()
    meetings = series.meetings.select_related("series")
    response = render(request, "dialogue/series_detail.html", {
        "series": series, "organisations": series.organisations.order_by("name"),
        "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        "past": meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk"),
        "open_actions": _action_rows(request, selectors.open_actions_of_series(series)),
        "is_officer": selectors.manages_dialogue(user),
        "next": reverse("dialogue:series", kwargs={"pk": series.pk}) + "#actions-titre",
        "feed_url": _feed_address(request, "dialogue:series_feed", pk=series.pk),
        "can_manage": selectors.manages_dialogue(user),
        "ministry_participants": series.ministry_participants.order_by("full_name", "email")
        if user.staff_roles else [],
    }, status=status)
    add_never_cache_headers(response)  # the page holds the person's secret calendar address
    return response


@access(DIALOGUE_PARTICIPANTS)
@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return series_page(request, visible_series(request, pk))


# --- the meeting page ------------------------------------------------------------------------------

def meeting_page(request: HttpRequest, meeting: Meeting, *, status: int = 200,
                 proposal: AgendaProposalForm | None = None,
                 decisions: dict[int, AgendaDecisionForm] | None = None,
                 action_form: ActionForm | None = None) -> HttpResponse:
    """The meeting as the user may see it, with the forms they may use (a bound one shows its errors)."""
    user = signed_in(request)
    is_officer = selectors.manages_dialogue(user)
    series = meeting.series
    decisions = decisions or {}
    agenda = [{"item": item, "form": decisions.get(item.pk) or decision_form(item.pk)
               if is_officer and AGENDA_WORKFLOW.available_to(user, item.status) else None}
              for item in selectors.agenda(meeting, user)]
    can_propose = selectors.may_propose(user, meeting)
    if can_propose and proposal is None:
        proposal = AgendaProposalForm(organisations=list(selectors.organisations_of(user, series, admin=True)))
    if is_officer and action_form is None:
        action_form = ActionForm(series=series)
    minutes_visible = selectors.can_read_minutes(user, meeting)
    follow_up = _action_rows(request, selectors.follow_up(meeting))
    raised = _action_rows(request, selectors.raised_at(meeting))
    return render(request, "dialogue/meeting.html", {
        "meeting": meeting, "series": series, "is_officer": is_officer,
        "is_upcoming": _is_upcoming(meeting), "agenda": agenda,
        "proposal": proposal if can_propose else None,
        "follow_up": follow_up, "raised": raised, "action_form": action_form if is_officer else None,
        "minutes_visible": minutes_visible,
        "decisions": list(meeting.decisions.all()) if minutes_visible else [],
        "attendance": list(meeting.attendance.select_related("organisation")) if user.staff_roles else None,
        "can_invite": is_officer and _is_upcoming(meeting),
        "can_write_minutes": is_officer and meeting.status != MeetingStatus.CANCELLED
        and meeting.starts_at <= timezone.now(),
        "can_publish": is_officer and bool(meeting.minutes) and not meeting.minutes_published,
        "error_summary": error_summary(proposal, *decisions.values(), action_form),
        "next": meeting_url(meeting, "suivi"),
    }, status=status)


@access(DIALOGUE_PARTICIPANTS)
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return meeting_page(request, visible_meeting(request, pk))


@access(AGENDA_PROPOSERS)
@require_POST
def agenda_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer adds a point; a participating organisation's gestionnaire proposes one."""
    meeting = visible_meeting(request, pk)
    own = list(selectors.organisations_of(request.user, meeting.series, admin=True))
    form = AgendaProposalForm(request.POST, organisations=own)
    if not form.is_valid():
        return meeting_page(request, meeting, proposal=form, status=422)
    try:
        item = services_agenda.propose_agenda_item(signed_in(request), meeting, form.to_input())
    except RuleViolation as error:
        status = refused(request, error, form)
        return meeting_page(request, meeting, proposal=form, status=status)
    if item.status == AgendaItemStatus.ACCEPTED:
        messages.success(request, _("Point « %(title)s » inscrit à l'ordre du jour.") % {"title": item.title})
    else:
        messages.success(request, _("Point « %(title)s » proposé : l'agent gestionnaire vous dira s'il est "
                                    "retenu.") % {"title": item.title})
    return redirect(meeting_url(meeting, "ordre-du-jour"))


# --- action items ----------------------------------------------------------------------------------

def _action_page(request: HttpRequest, item: ActionItem, form: forms.Form | None, status: int = 200) -> HttpResponse:
    return render(request, "dialogue/action_form.html", {
        "action": item, "meeting": item.raised_at, "series": item.series, "form": form,
        "full": isinstance(form, ActionEditForm), "error_summary": error_summary(form),
        "next": safe_next(request, meeting_url(item.raised_at, "suivi")),
    }, status=status)


@access(DIALOGUE_PARTICIPANTS)
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner of an action (or its organisation's gestionnaire) updates its status; an officer changes
    anything. GET shows the form; the meeting page posts the status alone."""
    user = signed_in(request)
    item = get_object_or_404(
        ActionItem.objects.filter(series__in=selectors.series_visible_to(user).values("pk"))
        .select_related("series", "raised_at__series", "owner", "owner_organisation"), pk=pk)
    is_officer = selectors.manages_dialogue(user)
    if request.method == "GET":
        if not selectors.can_update_action(user, item):
            raise PermissionDenied
        form: forms.Form = ActionEditForm(initial=ActionEditForm.initial_for(item), item=item) if is_officer \
            else action_status_form(item)
        return _action_page(request, item, form)
    full = is_officer and "title" in request.POST
    form = ActionEditForm(request.POST, item=item) if full else action_status_form(item, request.POST)
    if not form.is_valid():
        return _action_page(request, item, form, status=422)
    data = form.to_input() if isinstance(form, ActionEditForm) else form.to_input(item)
    try:
        services_actions.update_action_item(user, item, data, expected_version=form.cleaned_data["version"])
    except RuleViolation as error:
        status = refused(request, error, form)
        return _action_page(request, item, form if status != 403 else None, status=status)
    messages.success(request, _("Action « %(title)s » mise à jour.") % {"title": data.title})
    return redirect(safe_next(request, meeting_url(item.raised_at, "suivi")))


# --- the personal calendar -------------------------------------------------------------------------

@access(DIALOGUE_PARTICIPANTS)
@never_cache  # the page holds the person's secret calendar address
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    feed_url = _feed_address(request, "dialogue:user_feed")
    return render(request, "dialogue/calendar.html", {
        "feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
    })


@access(DIALOGUE_PARTICIPANTS)
@require_POST
def calendar_renew(request: HttpRequest) -> HttpResponse:
    services_calendar.renew_calendar_token(signed_in(request))
    messages.success(request, _("Nouvelle adresse d'abonnement créée. L'ancienne ne fonctionne plus : remplacez-la "
                                "dans votre agenda."))
    return redirect("dialogue:calendar")


# --- iCalendar -------------------------------------------------------------------------------------

def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_user(token: str) -> User:
    user = services_calendar.user_for_token(token)
    if user is None:
        raise Http404
    return user


@access(PUBLIC)  # calendar applications cannot sign in: the secret token in the address stands for the person
@require_GET
def user_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every meeting the token's owner may see, for a calendar subscription."""
    user = _feed_user(token)
    meetings = selectors.meetings_visible_to(user).order_by("starts_at")
    return _ics(calendar.feed(_("Subsidia — mes réunions"), meetings), "subsidia.ics")


@access(PUBLIC)
@require_GET
def series_feed(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """One series' meetings, for a calendar subscription (404 for a series the token's owner cannot see)."""
    user = _feed_user(token)
    series = get_object_or_404(selectors.series_visible_to(user), pk=pk)
    return _ics(calendar.feed(series.title, series.meetings.select_related("series__department")), f"serie-{pk}.ics")


@access(DIALOGUE_PARTICIPANTS)
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as an .ics file, to add it to one's calendar."""
    meeting = visible_meeting(request, pk)
    return _ics(calendar.feed(meeting.series.title, [meeting]), f"reunion-{pk}.ics")
