"""The events API: published events with their programme, and public registration.

The same rules as the pages: drafts are seen by officers only (404 otherwise); registering goes through
:func:`subsidia.events.services.register` — 201 with ``confirmed`` or ``waitlisted`` (a full event is not an
error), 409 ``registration_closed`` when the window is closed or the event cancelled or over, 422 with every
broken rule at once.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from subsidia.core.access import PUBLIC
from subsidia.core.html import rich_text
from subsidia.events import selectors, services
from subsidia.events.inputs import UNKNOWN
from subsidia.events.models import Event
from subsidia.organisations.models import Municipality

from .auth import PUBLIC_AUTH, api_access, caller
from .concurrency import etag_doc, set_etag
from .schemas import ErrorOut, Id, Pages
from .schemas_events import EventFilters, EventOut, EventSummaryOut, RegistrationIn, RegistrationOut

router = Router(tags=["events"])


def _summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk, "slug": event.slug, "title": event.title, "summary": event.summary,
        "starts_at": event.starts_at, "ends_at": event.ends_at, "time_zone": event.time_zone,
        "place": event.place, "address": event.address,
        "municipality": event.municipality.name if event.municipality else None,
        "online_url": event.online_url, "status": event.status,
        "themes": [t.code for t in event.themes.all()], "capacity": event.capacity,
        "seats_left": selectors.seats_left(event),
        "registration_open": selectors.registration_window(event) == "open",
        "url": reverse("events:detail", kwargs={"slug": event.slug}),
    }


def _detail(event: Event) -> dict[str, Any]:
    seats = selectors.block_seats_left(event)
    return {
        **_summary(event), "description_html": str(rich_text(event.description)), "audience": event.audience,
        "organisers": [{"id": o.pk, "name": o.name} for o in event.organisers.order_by("name")],
        "partners": [{"id": o.pk, "name": o.name} for o in event.partners.order_by("name")],
        "registration_opens_at": event.registration_opens_at, "registration_closes_at": event.registration_closes_at,
        "blocks_per_person": event.blocks_per_person,
        "blocks": [{"id": b.pk, "kind": b.kind, "title": b.title, "description": b.description,
                    "capacity": b.capacity, "seats_left": seats.get(b.pk)} for b in selectors.blocks(event)],
        "sessions": [{"id": s.pk, "title": s.title, "description": s.description, "speakers": s.speaker_list,
                      "room": s.room, "starts_at": s.starts_at, "ends_at": s.ends_at, "capacity": s.capacity,
                      "block_id": s.block_id} for s in event.sessions.order_by("starts_at", "pk")],
    }


@router.get("/events", auth=PUBLIC_AUTH, response=list[EventSummaryOut])
@api_access(PUBLIC)
@paginate(Pages, page_size=50)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    """Published (and cancelled) events, upcoming first by default; officers also see drafts."""
    events = selectors.event_list(caller(request), when="" if filters.when == "all" else filters.when,
                                  mode=filters.mode)
    if filters.theme:
        events = events.filter(themes__code=filters.theme)
    return [_summary(e) for e in events]


@router.get("/events/{event_id}", auth=PUBLIC_AUTH, response={200: EventOut, 404: ErrorOut}, openapi_extra=etag_doc())
@api_access(PUBLIC)
def get_event(request: HttpRequest, response: HttpResponse, event_id: Id) -> Any:
    event = get_object_or_404(selectors.events_visible_to(caller(request)), pk=event_id)
    set_etag(response, event)
    return _detail(event)


@router.post("/events/{event_id}/registrations", auth=PUBLIC_AUTH,
             response={201: RegistrationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
@api_access(PUBLIC)
def register(request: HttpRequest, event_id: Id, payload: RegistrationIn) -> Any:
    """Register for an event: 201 ``confirmed``, or ``waitlisted`` with the position when it is full."""
    event = get_object_or_404(selectors.events_visible_to(caller(request)), pk=event_id)
    # A commune is named; an unknown name is refused by the service with the other broken rules (422).
    municipality: int | None = None
    if payload.municipality:
        found = Municipality.objects.filter(name__iexact=payload.municipality.strip()).values_list("pk", flat=True)
        municipality = found.first() or UNKNOWN
    registration = services.register(caller(request), event, payload.to_input(municipality))
    return Status(201, {"id": registration.pk, "status": registration.status,
                        "waitlist_position": selectors.waitlist_position(registration), "event_id": event.pk,
                        "created_at": registration.created_at})
