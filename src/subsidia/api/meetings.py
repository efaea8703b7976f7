"""The meetings API: the dialogue's meeting series and meetings (agenda, action items, minutes), partners'
agenda proposals and updates of action items.

The same rules and permissions as the pages: every read goes through :mod:`subsidia.dialogue.selectors`
(a meeting of a series the caller does not take part in answers 404; minutes, decisions and attendance only
once published, for partners), every write through :mod:`subsidia.dialogue.services` with the caller as
actor: 403 for a person who may not act, 409 for a meeting already past or an outdated ``version``, 422
with every broken rule at once. Meetings and action items answer an ``ETag``; a change of an action item
needs it in ``If-Match`` (or ``version`` in the body): 428 without, 412 when outdated
(:mod:`subsidia.api.concurrency`).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, F, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from subsidia.accounts.roles import PARTNER_ROLES, Role
from subsidia.core.access import roles
from subsidia.dialogue import calendar, selectors, services_actions, services_agenda
from subsidia.dialogue.access import DIALOGUE_PARTICIPANTS
from subsidia.dialogue.models import ActionItem, AgendaItem, Meeting, MeetingSeries

from .auth import SIGNED_IN_AUTH, api_access, caller
from .concurrency import PRECONDITION_ERRORS, conditional_doc, conditional_write, etag_doc, set_etag
from .schemas import ErrorOut, Id, Pages
from .schemas_meetings import (
    ActionItemOut,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemOut,
    MeetingFilters,
    MeetingOut,
    MeetingSummaryOut,
    SeriesFilters,
    SeriesOut,
)

router = Router(tags=["meetings"])

# Officers put points on the agenda, the participating organisations' gestionnaires propose them (the service
# refuses a partner member with 403, and a meeting of another organisation's series answers 404).
AGENDA_PROPOSERS = roles(*PARTNER_ROLES, Role.OFFICER, name="agenda_proposers")

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# A change of an action item is conditional (If-Match or ``version``): 428 without, 412 when stale.
WRITE_ERRORS: dict[int, Any] = {**ERRORS, **PRECONDITION_ERRORS}
NEXT_MEETINGS = 5


# --- helpers -------------------------------------------------------------------------------------

def _local_start(day: date, days_after: int = 0) -> datetime | None:
    """Midnight starting ``day`` (plus ``days_after``) in the ministry's time zone; None beyond the calendar's
    ends (year 1 or 9999), where the bound excludes nothing."""
    try:
        moment = timezone.make_aware(datetime.combine(day + timedelta(days=days_after), time.min),
                                     timezone.get_current_timezone())
        moment.astimezone(UTC)
    except OverflowError:
        return None
    return moment


def _upcoming_first(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings not yet over, soonest first, then past meetings, latest first."""
    now = timezone.now()
    return meetings.annotate(
        upcoming_at=Case(When(ends_at__gte=now, then=F("starts_at"))),
        past_at=Case(When(ends_at__lt=now, then=F("starts_at"))),
    ).order_by(F("upcoming_at").asc(nulls_last=True), F("past_at").desc(nulls_last=True), "pk")


def _named(organisation: Any) -> dict[str, Any] | None:
    return None if organisation is None else {"id": organisation.pk, "name": organisation.name}


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.get_full_name()}


def _summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk, "series": {"id": meeting.series.pk, "title": meeting.series.title},
        "starts_at": timezone.localtime(meeting.starts_at), "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place, "online_url": meeting.online_url, "status": meeting.status,
        "minutes_published": meeting.minutes_published,
    }


def _own_organisations(user: Any) -> set[int]:
    return set(user.memberships.values_list("organisation_id", flat=True))


def _agenda_item_out(item: AgendaItem, user: Any, own_organisations: set[int]) -> dict[str, Any]:
    """An agenda item; who proposed it is shown to the ministry's staff and to the proposing organisation
    (``own_organisations``: the caller's, read once per answer)."""
    shows_person = (selectors.sees_all_series(user) or selectors.manages_dialogue(user)
                    or item.proposed_by_id == user.pk or item.organisation_id in own_organisations)
    return {
        **{key: getattr(item, key) for key in ("id", "title", "description", "status", "decline_reason",
                                               "position")},
        "organisation": _named(item.organisation), "proposed_by": _person(item.proposed_by) if shows_person else None,
    }


def _action_out(item: ActionItem) -> dict[str, Any]:
    return {
        **{key: getattr(item, key) for key in ("id", "title", "description", "status", "due_on", "closed_at",
                                               "version")},
        "owner": _person(item.owner), "owner_organisation": _named(item.owner_organisation),
        "raised_at_meeting_id": item.raised_at_id,
        "raised_at_meeting_starts_at": timezone.localtime(item.raised_at.starts_at),
    }


def _meeting_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """A meeting (from :func:`_meeting`) as the caller may see it."""
    user = caller(request)
    minutes_visible = selectors.can_read_minutes(user, meeting)
    own = _own_organisations(user)
    return {
        **_summary(meeting),
        "uid": calendar.uid_of(meeting), "version": meeting.version,
        "agenda": [_agenda_item_out(i, user, own) for i in selectors.agenda(meeting, user)],
        "follow_up": [_action_out(a) for a in selectors.follow_up(meeting)],
        "raised_actions": [_action_out(a) for a in selectors.raised_at(meeting).select_related("raised_at")],
        "minutes": meeting.minutes if minutes_visible else None,
        "minutes_published_at": meeting.minutes_published_at,
        "decisions": [d.text for d in meeting.decisions.all()] if minutes_visible else None,
        "attendance": [{"person_name": a.person_name, "organisation": _named(a.organisation), "status": a.status}
                       for a in meeting.attendance.select_related("organisation")] if minutes_visible else None,
        "ics_url": request.build_absolute_uri(reverse("dialogue:meeting_ics", kwargs={"pk": meeting.pk})),
        "url": request.build_absolute_uri(reverse("dialogue:meeting", kwargs={"pk": meeting.pk})),
    }


def _meeting(user: Any, meeting_id: Id) -> Meeting:
    """The meeting if the caller takes part in its series (or reads every series), else 404."""
    return get_object_or_404(selectors.meetings_visible_to(user), pk=meeting_id)


def _series_out(series: MeetingSeries) -> dict[str, Any]:
    upcoming = (series.meetings.filter(ends_at__gte=timezone.now()).select_related("series")
                .order_by("starts_at", "pk")[:NEXT_MEETINGS])
    return {
        **{key: getattr(series, key) for key in ("id", "title", "description", "cadence", "duration_minutes",
                                                 "place", "online_url", "is_active")},
        "department": _named(series.department),
        "organisations": [_named(o) for o in series.organisations.order_by("name")],
        "next_meetings": [_summary(m) for m in upcoming],
    }


# --- meetings ------------------------------------------------------------------------------------

@router.get("/meetings", auth=SIGNED_IN_AUTH, response=list[MeetingSummaryOut])
@api_access(DIALOGUE_PARTICIPANTS)
@paginate(Pages, page_size=50)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> Any:
    """The meetings of the series the caller takes part in (every series for the ministry's readers):
    those not yet over first, soonest first, then past ones, latest first. ``from`` and ``to`` are days
    (inclusive) in the ministry's time zone."""
    meetings = selectors.meetings_visible_to(caller(request))
    if filters.series_id is not None:
        meetings = meetings.filter(series_id=filters.series_id)
    since = _local_start(filters.from_) if filters.from_ is not None else None
    if since is not None:
        meetings = meetings.filter(starts_at__gte=since)
    until = _local_start(filters.to, days_after=1) if filters.to is not None else None
    if until is not None:
        meetings = meetings.filter(starts_at__lt=until)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    return _upcoming_first(meetings.select_related("series"))


@router.get("/meetings/{meeting_id}", auth=SIGNED_IN_AUTH, response={200: MeetingOut, **ERRORS},
            openapi_extra=etag_doc())
@api_access(DIALOGUE_PARTICIPANTS)
def get_meeting(request: HttpRequest, response: HttpResponse, meeting_id: Id) -> Any:
    """A meeting with its agenda, the action items carried over and those decided there; the minutes,
    decisions and attendance once published (the ministry's staff see them before)."""
    meeting = _meeting(caller(request), meeting_id)
    set_etag(response, meeting)
    return _meeting_out(request, meeting)


@router.post("/meetings/{meeting_id}/agenda-items", auth=SIGNED_IN_AUTH, response={201: AgendaItemOut, **ERRORS})
@api_access(AGENDA_PROPOSERS)
def propose_agenda_item(request: HttpRequest, meeting_id: Id, payload: AgendaItemIn) -> Any:
    """Put a point on the agenda of an upcoming meeting: an officer's is accepted at once, a gestionnaire's is
    proposed on behalf of their organisation (``organisation_id``) for an officer to accept or decline. A
    meeting already past or cancelled answers 409 ``meeting_past``."""
    user = caller(request)
    item = services_agenda.propose_agenda_item(user, _meeting(user, meeting_id), payload.to_input())
    return Status(201, _agenda_item_out(AgendaItem.objects.select_related("organisation", "proposed_by")
                                        .get(pk=item.pk), user, _own_organisations(user)))


def _action_item(user: Any, action_item_id: Id) -> ActionItem:
    """The action item if the caller takes part in its series (or reads every series), else 404."""
    visible = selectors.series_visible_to(user).values("pk")
    return get_object_or_404(ActionItem.objects.filter(series__in=visible).select_related(
        "owner", "owner_organisation", "raised_at"), pk=action_item_id)


@router.get("/action-items/{action_item_id}", auth=SIGNED_IN_AUTH, response={200: ActionItemOut, **ERRORS},
            openapi_extra=etag_doc())
@api_access(DIALOGUE_PARTICIPANTS)
def get_action_item(request: HttpRequest, response: HttpResponse, action_item_id: Id) -> Any:
    """An action item of a series the caller takes part in; its ``ETag`` is what a change (PATCH) sends back
    in ``If-Match``."""
    item = _action_item(caller(request), action_item_id)
    set_etag(response, item)
    return _action_out(item)


@router.patch("/action-items/{action_item_id}", auth=SIGNED_IN_AUTH, response={200: ActionItemOut, **WRITE_ERRORS},
              openapi_extra=conditional_doc())
@api_access(DIALOGUE_PARTICIPANTS)
def update_action_item(request: HttpRequest, response: HttpResponse, action_item_id: Id,
                       payload: ActionItemPatch) -> Any:
    """Update an action item: its owner (or the owner organisation's gestionnaire) sets ``status``; officers
    change any field. Send the ETag read in ``If-Match`` (or ``version`` in the body): without either 428
    ``precondition_required``; an edit based on an outdated copy changes nothing and answers 412
    ``precondition_failed`` (``If-Match``) or 409 ``stale_version`` (``version``)."""
    user = caller(request)
    item = _action_item(user, action_item_id)
    with conditional_write(request, item, payload.version) as version:
        services_actions.update_action_item(user, item, payload.to_input(item), expected_version=version)
    item = _action_item(user, item.pk)
    set_etag(response, item)
    return _action_out(item)


# --- series --------------------------------------------------------------------------------------

@router.get("/meeting-series", auth=SIGNED_IN_AUTH, response=list[SeriesOut])
@api_access(DIALOGUE_PARTICIPANTS)
@paginate(Pages, page_size=50)
def list_series(request: HttpRequest, filters: Query[SeriesFilters]) -> Any:
    """The meeting series the caller takes part in (every series for the ministry's readers), with their
    next meetings."""
    series = selectors.series_visible_to(caller(request))
    if filters.active is not None:
        series = series.filter(is_active=filters.active)
    return [_series_out(s) for s in series.order_by("title", "pk")]


@router.get("/meeting-series/{series_id}", auth=SIGNED_IN_AUTH, response={200: SeriesOut, **ERRORS})
@api_access(DIALOGUE_PARTICIPANTS)
def get_series(request: HttpRequest, series_id: Id) -> Any:
    return _series_out(get_object_or_404(selectors.series_visible_to(caller(request)), pk=series_id))
