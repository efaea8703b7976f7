"""What is searchable: one provider per kind of result, which says which objects are public, what text of them
is indexed, and where a result leads.

A provider reads the models only (never another app's services), so the index follows whatever service or
admin action changed the object: see :mod:`subsidia.search.signals`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from subsidia.core.html import plain_text
from subsidia.events.models import Event, EventStatus
from subsidia.grants.models import Call
from subsidia.knowledge.models import FaqQuestion, GoodPractice, NewsItem
from subsidia.organisations.models import Organisation

from .models import SearchEntry, SearchKind


@dataclass(frozen=True)
class Document:
    """The searchable text of one object."""

    title: str
    summary: str = ""
    body: str = ""
    date: date | None = None
    slug: str = ""
    parent_slug: str = ""
    is_example: bool = False


@dataclass(frozen=True)
class Provider:
    kind: str
    model: type[models.Model]
    # The public objects of this kind (the others are not in the index).
    public: Callable[[], models.QuerySet[Any]]
    document: Callable[[Any], Document]
    # Where a result leads: (URL name, keyword arguments from the entry) to try in turn, the first that exists
    # (a "#fragment" after the name is appended to the URL).
    routes: Callable[[SearchEntry], list[tuple[str, dict[str, Any]]]]
    # Many-to-many fields whose changes change the indexed text.
    m2m_fields: tuple[str, ...] = ()
    # Models whose rows are part of the text: (model path "app.Model", foreign key to this kind's object).
    dependents: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def url(self, entry: SearchEntry) -> str:
        """The first of the provider's routes that exists (a fragment after "#" in the name is kept)."""
        for name, kwargs in self.routes(entry):
            name, _, fragment = name.partition("#")
            try:
                url = reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
            return f"{url}#{fragment}" if fragment else url
        return reverse("search:search") + "?" + urlencode({"q": entry.title})


def _lines(*parts: Any) -> str:
    return "\n".join(str(p).strip() for p in parts if p and str(p).strip())


def _names(items: Iterable[Any]) -> str:
    return ", ".join(str(i) for i in items)


def _local_date(moment: Any) -> date | None:
    return timezone.localtime(moment).date() if moment else None


# --- good practices -------------------------------------------------------------------------------

def _good_practices() -> models.QuerySet[Any]:
    return GoodPractice.objects.published().select_related("theme", "block").prefetch_related(
        "municipalities", "actors")


def _good_practice(practice: Any) -> Document:
    return Document(
        title=practice.title, summary=plain_text(practice.summary),
        body=_lines(plain_text(practice.body), plain_text(practice.results), practice.theme, practice.block,
                    _names(practice.municipalities.all()), _names(practice.actors.all()),
                    ", ".join(practice.other_actor_list)),
        date=_local_date(practice.published_at or practice.created_at), slug=practice.slug,
        is_example=practice.is_example,
    )


def _good_practice_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [("knowledge:good_practice_detail", {"slug": entry.slug}), ("knowledge:good_practice_list", {})]


# --- FAQ ------------------------------------------------------------------------------------------

def _faq_questions() -> models.QuerySet[Any]:
    return FaqQuestion.objects.published().select_related("topic")


def _faq_question(question: Any) -> Document:
    return Document(title=question.question, body=_lines(plain_text(question.answer), question.topic.name),
                    date=question.last_updated_on, slug=str(question.pk), parent_slug=question.topic.slug,
                    is_example=question.is_example)


def _faq_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [(f"knowledge:faq#question-{entry.object_id}", {})]


# --- news -----------------------------------------------------------------------------------------

def _news_items() -> models.QuerySet[Any]:
    return NewsItem.objects.published().select_related("issuing_body").prefetch_related("tags")


def _news_item(item: Any) -> Document:
    return Document(title=item.title, summary=plain_text(item.summary),
                    body=_lines(plain_text(item.body), item.place, item.issuer, _names(item.tags.all())),
                    date=item.date, slug=item.slug, is_example=item.is_example)


def _news_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [("knowledge:news_detail", {"slug": entry.slug}), ("knowledge:news_list", {})]


# --- events ---------------------------------------------------------------------------------------

def _events() -> models.QuerySet[Any]:
    return Event.objects.filter(status=EventStatus.PUBLISHED).select_related("municipality").prefetch_related(
        "organisers", "partners", "themes")


def _event(event: Any) -> Document:
    return Document(
        title=event.title, summary=plain_text(event.summary),
        body=_lines(plain_text(event.description), event.place, event.address, event.municipality, event.audience,
                    _names(event.themes.all()), _names(event.organisers.all()), _names(event.partners.all())),
        date=_local_date(event.starts_at), slug=event.slug, is_example=event.is_example,
    )


def _event_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [("events:detail", {"slug": entry.slug}), ("events:list", {})]


# --- calls ----------------------------------------------------------------------------------------

def _calls() -> models.QuerySet[Any]:
    return Call.objects.filter(is_published=True).prefetch_related("priorities")


def _call(call: Any) -> Document:
    return Document(title=call.title, summary=_lines(call.programme, call.year),
                    body=_lines(plain_text(call.text), *(p.title for p in call.priorities.all())),
                    date=call.opens_on or _local_date(call.created_at), slug=str(call.pk))


def _call_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [("grants:call_detail", {"pk": entry.object_id}), ("grants:call_list", {})]


# --- the directory --------------------------------------------------------------------------------

def _organisations() -> models.QuerySet[Any]:
    return Organisation.objects.filter(listed_in_directory=True).select_related("municipality").prefetch_related(
        "themes", "target_publics")


def _organisation(organisation: Any) -> Document:
    return Document(
        title=str(organisation), summary=plain_text(organisation.description),
        body=_lines(organisation.display_address,
                    _names(organisation.themes.all()), _names(organisation.target_publics.all())),
        date=organisation.last_verified_on, slug=str(organisation.pk), is_example=organisation.is_example,
    )


def _organisation_routes(entry: SearchEntry) -> list[tuple[str, dict[str, Any]]]:
    return [("directory:directory_entry", {"pk": entry.object_id}), ("directory:directory", {})]


def _providers() -> dict[str, Provider]:
    return {p.kind: p for p in [
        Provider(SearchKind.GOOD_PRACTICE, GoodPractice, _good_practices, _good_practice, _good_practice_routes,
                 m2m_fields=("municipalities", "actors")),
        Provider(SearchKind.FAQ, FaqQuestion, _faq_questions, _faq_question, _faq_routes),
        Provider(SearchKind.NEWS, NewsItem, _news_items, _news_item, _news_routes, m2m_fields=("tags",)),
        Provider(SearchKind.EVENT, Event, _events, _event, _event_routes,
                 m2m_fields=("organisers", "partners", "themes")),
        Provider(SearchKind.CALL, Call, _calls, _call, _call_routes, dependents=(("grants.Priority", "call"),)),
        Provider(SearchKind.ORGANISATION, Organisation, _organisations, _organisation, _organisation_routes,
                 m2m_fields=("themes", "target_publics")),
    ]}


_registry: dict[str, Provider] = {}


def providers() -> dict[str, Provider]:
    """The providers by kind, in the order of :class:`SearchKind`."""
    if not _registry:
        _registry.update(_providers())
    return _registry


def provider_for_model(model: type[models.Model]) -> Provider | None:
    return next((p for p in providers().values() if p.model is model), None)
