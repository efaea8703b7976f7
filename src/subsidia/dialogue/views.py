"""Pages of the dialogue (the selectors scope what each person sees)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from subsidia.core.access import DIALOGUE_PARTICIPANTS, PUBLIC, access

from . import calendar, selectors, services


@access(DIALOGUE_PARTICIPANTS)
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    return render(request, "dialogue/meeting.html", {
        "meeting": meeting, "agenda": selectors.agenda(meeting, request.user),
        "follow_up": selectors.follow_up(meeting), "minutes_visible": selectors.can_read_minutes(request.user, meeting),
    })


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_user(token: str) -> Any:
    user = services.user_for_token(token)
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
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    return _ics(calendar.feed(meeting.series.title, [meeting]), f"reunion-{pk}.ics")
