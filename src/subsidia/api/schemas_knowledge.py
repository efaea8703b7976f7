"""Schemas of the knowledge base's API: good practices, the FAQ and the news (read only)."""

from datetime import date, datetime

from ninja import Field, Schema

from .schemas import Code, FilterSchema, Id


class NamedOut(Schema):
    id: int
    name: str


class ThemeOut(Schema):
    code: str
    name: str


class AttachmentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str


class GoodPracticeOut(Schema):
    id: int
    slug: str
    title: str
    state: str = Field(description="published, or archived (readable by its id, never listed)")
    summary: str = Field(description="plain text")
    body_html: str = Field(description="sanitised HTML")
    theme: ThemeOut | None
    block: NamedOut | None
    event_id: int | None
    municipalities: list[NamedOut]
    actors: list[NamedOut] = Field(description="organisations of the directory")
    other_actors: list[str]
    results: str
    contact_name: str
    contact_email: str
    contact_phone: str
    is_example: bool
    published_at: datetime | None
    attachments: list[AttachmentOut]
    url: str


class GoodPracticeFilters(FilterSchema):
    theme: Code | None = Field(default=None, description="a theme's code")
    municipality: Id | None = Field(default=None, description="a municipality's id")
    actor: Id | None = Field(default=None, description="an organisation's id")
    event: Id | None = Field(default=None, description="an event's id")
    block: Id | None = Field(default=None, description="a thematic block's id")
    is_example: bool | None = None


class FaqQuestionOut(Schema):
    id: int
    question: str
    answer_html: str = Field(description="sanitised HTML")
    last_updated_on: date
    is_example: bool


class FaqTopicOut(Schema):
    id: int
    slug: str
    name: str
    questions: list[FaqQuestionOut]


class NewsOut(Schema):
    id: int
    slug: str
    title: str
    date: date
    place: str
    summary: str
    body_html: str = Field(description="sanitised HTML")
    tags: list[str]
    issuer: str
    issuing_body: NamedOut | None
    event_id: int | None
    is_example: bool
    published_at: datetime | None
    url: str


class NewsFilters(FilterSchema):
    tag: Code | None = Field(default=None, description="a tag's slug")
    issuer: Id | None = Field(default=None, description="the issuing organisation's id")
