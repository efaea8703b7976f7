"""Schemas of the search API."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from subsidia.search.selectors import MAX_QUERY_LENGTH

from .schemas import FilterSchema

SearchKindValue = Literal["good_practice", "faq", "news", "event", "call", "organisation"]


class SearchFilters(FilterSchema):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_LENGTH)] = Field(
        ..., description=f"the words searched (1 to {MAX_QUERY_LENGTH} characters); accents and case do not matter")
    type: SearchKindValue | None = Field(default=None, description="only results of this kind")
    page: int = Field(default=1, ge=1, le=10_000)


class SearchItemOut(Schema):
    kind: SearchKindValue
    kind_label: str
    title: str
    url: str
    snippet: str = Field(description="an extract of the text, HTML-escaped, the matching words in <mark>")
    date: date | None


class SearchOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[SearchItemOut]
