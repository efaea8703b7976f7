"""Schemas of the events API (api/events.py)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from subsidia.events.inputs import RegistrationInput

from .schemas import MAX_ITEMS, Code, FilterSchema, Id, InputSchema


class EventFilters(FilterSchema):
    when: Literal["upcoming", "past", "all"] = "upcoming"
    mode: Literal["onsite", "online", ""] = ""
    theme: Code | None = Field(None, description="Code d'un thème.")


class NamedOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    title: str
    description: str
    speakers: list[str]
    room: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    block_id: int | None


class BlockOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    capacity: int | None
    seats_left: int | None


class EventSummaryOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str
    address: str
    municipality: str | None
    online_url: str
    status: str
    themes: list[str]
    capacity: int | None
    seats_left: int | None
    registration_open: bool
    url: str


class EventOut(EventSummaryOut):
    description_html: str
    audience: str
    organisers: list[NamedOut]
    partners: list[NamedOut]
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    blocks_per_person: int
    blocks: list[BlockOut]
    sessions: list[SessionOut]


class RegistrationIn(InputSchema):
    full_name: str = Field(..., max_length=200)
    email: str = Field(..., max_length=254)
    organisation_name: str = Field("", max_length=200)
    municipality: str | None = Field(None, max_length=100, description="Nom de la commune.")
    accessibility_needs: str = Field("", max_length=2000)
    block_ranking: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS,
                                    description="Identifiants des blocs, préféré d'abord.")
    session_ids: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS)
    language: str = Field("fr", max_length=8)

    def to_input(self, municipality: int | None) -> RegistrationInput:
        """The registration, with the commune the API found by its name (``UNKNOWN`` for a name it did not)."""
        return RegistrationInput(
            full_name=self.full_name, email=self.email, organisation_name=self.organisation_name,
            municipality=municipality, accessibility_needs=self.accessibility_needs,
            block_ranking=list(self.block_ranking), session_ids=list(self.session_ids), language=self.language)


class RegistrationOut(Schema):
    id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None
    event_id: int
    created_at: datetime
