"""Writes on the news: officers write any item, a partner's gestionnaire drafts items for their own
organisation and proposes them; an officer publishes a proposal or sends it back with a reason, and each side
is told (:data:`~subsidia.knowledge.workflow.NEWS`)."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import check_version, locked
from subsidia.knowledge import selectors
from subsidia.knowledge.inputs import NewsInput
from subsidia.knowledge.models import NewsItem, NewsTag
from subsidia.knowledge.workflow import DRAFT, NEWS, PUBLISHED, SUBMITTED, news_status
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .common import clean_rich, save_input, unique_slug

NEWS_FIELDS = ["title", "slug", "date", "place", "summary", "body", "tags", "issuing_body", "issuing_body_name",
               "event", "state", "published_at", "submitted_at", "is_example", "version"]


def _tags(names: tuple[str, ...]) -> list[NewsTag]:
    """The tags of these names: found by their address (or their name), else made."""
    tags: dict[str, NewsTag] = {}
    for name in (n.strip() for n in names):
        slug = slugify(name)[:80]
        if not name or not slug or slug in tags:
            continue
        tag = NewsTag.objects.filter(slug=slug).first() or NewsTag.objects.filter(name__iexact=name).first()
        tags[slug] = tag or NewsTag.objects.create(name=name[:80], slug=slug)
    return list(tags.values())


def _issuer(actor: Actor, data: NewsInput, item: NewsItem | None, problems: list[Violation]) -> NewsInput:
    """Officers name any issuer. A partner writes in the name of an organisation they manage, never another,
    never as another name nor as an example; an item already written keeps its issuer."""
    if selectors.is_officer(actor):
        return data
    own = selectors.partner_admin_organisations(actor)
    if item is not None:
        issuer = item.issuing_body
    elif data.issuing_body is not None:
        issuer = own.filter(pk=data.issuing_body.pk).first()
        if issuer is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Vous publiez au nom de votre organisation "
                                                             "seulement."), "issuing_body"))
    else:
        issuer = own.order_by("name").first()
    is_example = item.is_example if item is not None else False
    return replace(data, issuing_body=issuer, issuing_body_name="", is_example=is_example)


def _checked(actor: Actor, data: NewsInput, item: NewsItem | None) -> NewsInput:
    """The input as it is stored: the body sanitised (and required once sanitised), the issuer allowed."""
    problems: list[Violation] = []
    data = _issuer(actor, replace(data, body=clean_rich(data.body)), item, problems)
    if not data.body:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), "body"))
    if problems:
        raise RuleViolation(problems)
    return data


def _write(item: NewsItem, data: NewsInput) -> None:
    save_input(item, data, skip=("tags",))
    item.tags.set(_tags(data.tags))


def _require_news_writer(actor: Actor) -> None:
    if not selectors.is_officer(actor) and not selectors.partner_admin_organisations(actor).exists():
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls les agents et les gestionnaires d'une organisation "
                                                     "partenaire écrivent des actualités."))


def _managed_news(actor: Actor, item: NewsItem) -> NewsItem:
    return locked(selectors.news_managed_by(actor), item, _("Actualité introuvable."))


@transaction.atomic
def create_news(actor: Actor, data: NewsInput) -> NewsItem:
    """An officer, or a partner's gestionnaire for their own organisation, writes a news item (a draft)."""
    _require_news_writer(actor)
    data = _checked(actor, data, None)
    item = NewsItem(created_by=actor, slug=unique_slug(NewsItem, data.title))
    _write(item, data)
    record(actor, "news.create", item, after=snapshot(item, NEWS_FIELDS))
    return item


@transaction.atomic
def update_news(actor: Actor, item: NewsItem, data: NewsInput,
                expected_version: int | None = None) -> NewsItem:
    """Officers change any news item; a partner only their own drafts not yet proposed."""
    _require_news_writer(actor)
    item = _managed_news(actor, item)
    check_version(item, expected_version)
    if not selectors.is_officer(actor) and news_status(item) != DRAFT:
        raise Conflict.single(Code.NOT_EDITABLE, _("Cette actualité est proposée ou publiée : seul le ministère "
                                                "peut encore la modifier."), "state")
    data = _checked(actor, data, item)
    before = snapshot(item, NEWS_FIELDS)
    _write(item, data)
    record(actor, "news.update", item, before=before, after=snapshot(item, NEWS_FIELDS))
    return item


def _news_recipients(item: NewsItem) -> list[User]:
    """Who hears about a partner's proposal: the organisation's gestionnaires and the author."""
    people = list(User.objects.filter(memberships__organisation=item.issuing_body_id,
                                      memberships__role=Role.PARTNER_ADMIN)) if item.issuing_body_id else []
    if item.created_by_id:
        people.append(item.created_by)  # type: ignore[arg-type]
    return people


def _news_changes(item: NewsItem) -> None:
    """What a move sets besides the state. The derived "submitted" state is stored as a draft with the time of
    the proposal; a draft again is no longer proposed; a published item keeps its first publication date."""
    now = timezone.now()
    if item.state == SUBMITTED:
        item.state, item.submitted_at = DRAFT, now
    elif item.state == DRAFT:
        item.submitted_at = None
    elif item.state == PUBLISHED:
        item.published_at = item.published_at or now


def _news_notices(item: NewsItem, name: str, was_proposed: bool, reason: str) -> None:
    """Officers hear of a proposal; the partner hears whether their proposal was sent back or published."""
    url = reverse("knowledge:news_edit", kwargs={"pk": item.pk})
    title, issuer = item.title, item.issuer
    if name == "submit":
        officers = User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()
        notify(officers, Kind.NEWS_SUBMITTED, lambda: (
            _("Actualité proposée : %(title)s") % {"title": title},
            _("%(issuer)s propose l'actualité « %(title)s » pour publication.") % {"issuer": issuer,
                                                                                "title": title}), url)
    elif was_proposed and name == "send_back":
        notify(_news_recipients(item), Kind.NEWS_REVIEWED, lambda: (
            _("Actualité à revoir : %(title)s") % {"title": title},
            _("Le ministère vous renvoie l'actualité « %(title)s » : %(reason)s")
            % {"title": title, "reason": reason}), url)
    elif was_proposed and name == "publish":
        notify(_news_recipients(item), Kind.NEWS_REVIEWED, lambda: (
            _("Actualité publiée : %(title)s") % {"title": title},
            _("Le ministère a publié l'actualité « %(title)s » que vous avez proposée.") % {"title": title}),
            url)


@transaction.atomic
def transition_news(actor: Actor, item: NewsItem, name: str, *, reason: str = "",
                    expected_version: int | None = None) -> NewsItem:
    """Make the transition ``name`` of :data:`~subsidia.knowledge.workflow.NEWS`. A partner's gestionnaire
    proposes their draft (``submit``); an officer sends a proposal back with the reason the partner is told
    (``send_back``), publishes, archives, publishes again or withdraws."""
    item = _managed_news(actor, item)
    NEWS.require(actor, item, name)
    check_version(item, expected_version)
    reason = str(reason or "").strip()
    if NEWS[name].reason_required and not reason:
        raise RuleViolation.single(Code.REQUIRED, _("Expliquez au partenaire ce qu'il doit revoir."), "reason")
    was_proposed = news_status(item) == SUBMITTED
    item = NEWS.move(actor, item, name, note=reason, audit_fields=NEWS_FIELDS, changes=_news_changes)
    _news_notices(item, name, was_proposed, reason)
    return item
