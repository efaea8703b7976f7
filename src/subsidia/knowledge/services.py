"""Writes on the knowledge base: good practices and their attachments, the FAQ, the news and their
publication workflows (:mod:`.workflow`). Same rules as every service: the actor first, the permission check,
one transaction, the audit trail, notifications on commit; a refusal raises a
:class:`~subsidia.core.errors.RuleViolation` and writes nothing. Every rich text is sanitised before it is
stored (and once more when shown)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.core.html import sanitise
from subsidia.core.uploads import PUBLICATIONS, check_upload, store
from subsidia.core.values import parse_date, parse_id
from subsidia.core.versions import check_version, locked, save_bumped
from subsidia.events.models import Block, Event
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify
from subsidia.organisations.models import Municipality, Organisation, Theme

from . import selectors
from .errors import KnowledgeError
from .models import (
    FaqQuestion,
    FaqTopic,
    GoodPractice,
    GoodPracticeAttachment,
    NewsItem,
    NewsTag,
)
from .workflow import ARCHIVED, DRAFT, FAQ, GOOD_PRACTICES, NEWS, PUBLISHED, SUBMITTED, news_status

PRACTICE_FIELDS = ["title", "slug", "summary", "body", "theme", "block", "event", "municipalities", "actors",
                   "other_actors", "results", "contact_name", "contact_email", "contact_phone", "state",
                   "published_at", "archived_at", "is_example", "version"]
QUESTION_FIELDS = ["topic", "question", "answer", "position", "state", "last_updated_on", "is_example", "version"]
TOPIC_FIELDS = ["name", "slug", "position"]
NEWS_FIELDS = ["title", "slug", "date", "place", "summary", "body", "tags", "issuing_body", "issuing_body_name",
               "event", "state", "published_at", "submitted_at", "is_example", "version"]
NOT_FOUND = gettext_lazy("Élément introuvable.")
# Addresses the pages use below /bonnes-pratiques/ and /actualites/: never a slug.
RESERVED_SLUGS = {"gestion", "rss", "atom", "nouvelle", "faq"}
# Until a notification kind of its own exists for news proposals, the partner is told with the generic
# "something of my organisation changed state" kind (see the report of the knowledge helper).


# --- helpers -------------------------------------------------------------------------------------

def _require_officer(actor: Any) -> None:
    if not selectors.is_officer(actor):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un agent gestionnaire peut faire cela."))


def unique_slug(model: type[models.Model], text: str, exclude_pk: int | None = None, max_length: int = 200) -> str:
    """A slug made from ``text``, unique among ``model``'s rows (``-2``, ``-3``… when taken)."""
    base = slugify(text.replace("'", " ").replace("\u2019", " "))[: max_length - 8].strip("-") or "element"
    candidate, n = base, 1
    others = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager.all()
    while candidate in RESERVED_SLUGS or others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _text(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation], *,
          required: bool = False, max_length: int | None = None, label: str = "") -> None:
    if key not in data and not required:
        return
    value = str(data.get(key) or "").strip()
    if required and not value:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
    elif max_length is not None and len(value) > max_length:
        problems.append(Violation(Code.TOO_LONG, _("%(n)s caractères au plus.") % {"n": max_length}, key))
    clean[key] = value


def _rich(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation], *,
          required: bool = False) -> None:
    if key not in data and not required:
        return
    value = sanitise(str(data.get(key) or "")).strip()
    if required and not value:
        problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
    clean[key] = value


def _one(data: dict[str, Any], key: str, model: type[models.Model], clean: dict[str, Any],
         problems: list[Violation], message: str) -> None:
    if key not in data:
        return
    value = data.get(key)
    if value in (None, ""):
        clean[key] = None
        return
    found = model._default_manager.filter(pk=parse_id(value) or 0).first()
    if found is None:
        problems.append(Violation(Code.INVALID_CHOICE, message, key))
    clean[key] = found


def _many(data: dict[str, Any], key: str, model: type[models.Model], clean: dict[str, Any],
          problems: list[Violation], message: str) -> None:
    if key not in data:
        return
    raw = data.get(key) or []
    ids = {parse_id(v) for v in raw}
    found = list(model._default_manager.filter(pk__in=[i for i in ids if i is not None]))
    if None in ids or len(found) != len(ids):
        problems.append(Violation(Code.INVALID_CHOICE, message, key))
    clean[key] = found


def _email(data: dict[str, Any], key: str, clean: dict[str, Any], problems: list[Violation]) -> None:
    if key not in data:
        return
    value = str(data.get(key) or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            problems.append(Violation(Code.INVALID, _("Adresse e-mail invalide."), key))
    clean[key] = value


def _apply(obj: Any, clean: dict[str, Any], relations: Iterable[str]) -> None:
    related = {key: clean.pop(key) for key in relations if key in clean}
    for key, value in clean.items():
        setattr(obj, key, value)
    if obj.pk:
        save_bumped(obj)
    else:
        obj.save()
    for key, value in related.items():
        getattr(obj, key).set(value)


# --- good practices ------------------------------------------------------------------------------

def _practice_data(data: dict[str, Any], practice: GoodPractice | None) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    creating = practice is None
    _text(data, "title", clean, problems, required=creating or "title" in data, max_length=200)
    _text(data, "summary", clean, problems, required=creating or "summary" in data, max_length=1000)
    _rich(data, "body", clean, problems)
    for key in ("other_actors", "results"):
        _text(data, key, clean, problems)
    _text(data, "contact_name", clean, problems, max_length=200)
    _text(data, "contact_phone", clean, problems, max_length=40)
    _email(data, "contact_email", clean, problems)
    _one(data, "theme", Theme, clean, problems, _("Thème inconnu."))
    _one(data, "block", Block, clean, problems, _("Bloc thématique inconnu."))
    _one(data, "event", Event, clean, problems, _("Événement inconnu."))
    _many(data, "municipalities", Municipality, clean, problems, _("Commune inconnue."))
    _many(data, "actors", Organisation, clean, problems, _("Organisation inconnue."))
    if "is_example" in data:
        clean["is_example"] = bool(data["is_example"])
    block = clean.get("block", practice.block if practice else None)
    event = clean.get("event", practice.event if practice else None)
    if block is not None:
        if event is None:
            clean["event"] = block.event
        elif block.event_id != event.pk:
            problems.append(Violation(KnowledgeError.BLOCK_EVENT_MISMATCH,
                                      _("Ce bloc thématique appartient à un autre événement."), "block"))
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def create_good_practice(actor: Any, data: dict[str, Any]) -> GoodPractice:
    """An officer writes a good practice; it starts as a draft, with an address made from its title."""
    _require_officer(actor)
    clean = _practice_data(data, None)
    practice = GoodPractice(created_by=actor, slug=unique_slug(GoodPractice, clean["title"]))
    _apply(practice, clean, ("municipalities", "actors"))
    record(actor, "good_practice.create", practice, after=snapshot(practice, PRACTICE_FIELDS))
    return practice


@transaction.atomic
def update_good_practice(actor: Any, practice: GoodPractice, data: dict[str, Any],
                         expected_version: int | None = None) -> GoodPractice:
    """Change a good practice (its address stays the same, so that links keep working)."""
    _require_officer(actor)
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    check_version(practice, expected_version)
    clean = _practice_data(data, practice)
    before = snapshot(practice, PRACTICE_FIELDS)
    _apply(practice, clean, ("municipalities", "actors"))
    record(actor, "good_practice.update", practice, before=before, after=snapshot(practice, PRACTICE_FIELDS))
    return practice


def _practice_dates(practice: GoodPractice) -> None:
    """A published practice keeps its first publication date and is no longer archived."""
    now = timezone.now()
    if practice.state == PUBLISHED:
        practice.published_at = practice.published_at or now
        practice.archived_at = None
    elif practice.state == ARCHIVED:
        practice.archived_at = now


@transaction.atomic
def transition_good_practice(actor: Any, practice: GoodPractice, name: str, *,
                             expected_version: int | None = None) -> GoodPractice:
    """Make the transition ``name`` of :data:`~subsidia.knowledge.workflow.GOOD_PRACTICES`: ``publish`` (listed
    on the public pages, the API and the search), ``archive`` (no longer listed, still readable by its address
    with an "archivé" notice), ``republish``, ``withdraw`` (back to draft, hidden until published again)."""
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    GOOD_PRACTICES.require(actor, practice, name)
    check_version(practice, expected_version)
    return GOOD_PRACTICES.move(actor, practice, name, audit_fields=PRACTICE_FIELDS, changes=_practice_dates)


@transaction.atomic
def add_attachment(actor: Any, practice: GoodPractice, upload: UploadedFile,
                   title: str = "") -> GoodPracticeAttachment:
    """Attach a document to a good practice, checked by its content (PDF, office documents, presentations, images)."""
    _require_officer(actor)
    practice = locked(GoodPractice.objects.all(), practice, NOT_FOUND)
    checked = check_upload(upload, PUBLICATIONS, "file")
    title = str(title or "").strip() or PurePath(upload.name or "").stem or _("Pièce jointe")
    if len(title) > 200:
        raise RuleViolation.single(Code.TOO_LONG, _("%(n)s caractères au plus.") % {"n": 200}, "title")
    attachment = GoodPracticeAttachment(practice=practice, title=title, content_type=checked.content_type,
                                        size=checked.size, uploaded_by=actor)
    store(attachment, checked, f"document.{checked.extension}")
    record(actor, "good_practice.attachment_add", practice,
           after={"attachment": attachment.pk, "title": title, "content_type": checked.content_type,
                  "size": checked.size})
    return attachment


@transaction.atomic
def delete_attachment(actor: Any, attachment: GoodPracticeAttachment) -> None:
    """Remove an attachment; its file is deleted from the storage once the removal is committed."""
    _require_officer(actor)
    attachment = locked(GoodPracticeAttachment.objects.all(), attachment, NOT_FOUND)
    stored = attachment.file
    name, storage = stored.name, stored.storage
    record(actor, "good_practice.attachment_delete", attachment.practice,
           before={"attachment": attachment.pk, "title": attachment.title, "file": name})
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# --- FAQ -----------------------------------------------------------------------------------------

def _position(data: dict[str, Any], clean: dict[str, Any], problems: list[Violation]) -> None:
    if "position" not in data:
        return
    try:
        position = int(data.get("position") or 0)
        if not 0 <= position <= 32767:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Violation(Code.INVALID, _("Un nombre entier positif est attendu."), "position"))
        return
    clean["position"] = position


def _topic_data(data: dict[str, Any], topic: FaqTopic | None) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    _text(data, "name", clean, problems, required=topic is None or "name" in data, max_length=150)
    _position(data, clean, problems)
    name = clean.get("name")
    others = FaqTopic.objects.exclude(pk=topic.pk) if topic else FaqTopic.objects.all()
    if name and others.filter(name__iexact=name).exists():
        problems.append(Violation(Code.DUPLICATE, _("Une rubrique porte déjà ce nom."), "name"))
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def create_faq_topic(actor: Any, data: dict[str, Any]) -> FaqTopic:
    _require_officer(actor)
    clean = _topic_data(data, None)
    topic = FaqTopic.objects.create(slug=unique_slug(FaqTopic, clean["name"], max_length=150), **clean)
    record(actor, "faq_topic.create", topic, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def update_faq_topic(actor: Any, topic: FaqTopic, data: dict[str, Any]) -> FaqTopic:
    _require_officer(actor)
    topic = locked(FaqTopic.objects.all(), topic, NOT_FOUND)
    clean = _topic_data(data, topic)
    before = snapshot(topic, TOPIC_FIELDS)
    for key, value in clean.items():
        setattr(topic, key, value)
    topic.save()
    record(actor, "faq_topic.update", topic, before=before, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def delete_faq_topic(actor: Any, topic: FaqTopic) -> None:
    """Remove an empty topic (a topic with questions is refused: move or remove them first)."""
    _require_officer(actor)
    topic = locked(FaqTopic.objects.all(), topic, NOT_FOUND)
    if topic.questions.exists():
        raise Conflict.single(KnowledgeError.TOPIC_NOT_EMPTY, _(
            "Cette rubrique contient des questions : déplacez-les ou supprimez-les d'abord."), "topic")
    record(actor, "faq_topic.delete", topic, before=snapshot(topic, TOPIC_FIELDS))
    topic.delete()


def _question_data(data: dict[str, Any], question: FaqQuestion | None) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    creating = question is None
    if "topic" in data or creating:
        topic = FaqTopic.objects.filter(pk=parse_id(data.get("topic")) or 0).first()
        if topic is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez une rubrique."), "topic"))
        clean["topic"] = topic
    _text(data, "question", clean, problems, required=creating or "question" in data, max_length=300)
    _rich(data, "answer", clean, problems, required=creating or "answer" in data)
    _position(data, clean, problems)
    if "is_example" in data:
        clean["is_example"] = bool(data["is_example"])
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def create_faq_question(actor: Any, data: dict[str, Any]) -> FaqQuestion:
    """A new question, as a draft, dated today."""
    _require_officer(actor)
    clean = _question_data(data, None)
    question = FaqQuestion.objects.create(last_updated_on=timezone.localdate(), **clean)
    record(actor, "faq_question.create", question, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def update_faq_question(actor: Any, question: FaqQuestion, data: dict[str, Any],
                        expected_version: int | None = None) -> FaqQuestion:
    """Change a question. Its "mis à jour le" date changes only when the question or the answer as readers
    see it changes — not when it is moved to another place or topic."""
    _require_officer(actor)
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    check_version(question, expected_version)
    clean = _question_data(data, question)
    before = snapshot(question, QUESTION_FIELDS)
    if any(key in clean and clean[key] != getattr(question, key) for key in ("question", "answer")):
        clean["last_updated_on"] = timezone.localdate()
    _apply(question, clean, ())
    record(actor, "faq_question.update", question, before=before, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def transition_faq_question(actor: Any, question: FaqQuestion, name: str, *,
                            expected_version: int | None = None) -> FaqQuestion:
    """Make the transition ``name`` of :data:`~subsidia.knowledge.workflow.FAQ` (``publish``, ``unpublish``)."""
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    FAQ.require(actor, question, name)
    check_version(question, expected_version)
    return FAQ.move(actor, question, name, audit_fields=QUESTION_FIELDS)


@transaction.atomic
def delete_faq_question(actor: Any, question: FaqQuestion) -> None:
    _require_officer(actor)
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    record(actor, "faq_question.delete", question, before=snapshot(question, QUESTION_FIELDS))
    question.delete()


# --- news ----------------------------------------------------------------------------------------

def _tags(value: Any) -> list[NewsTag]:
    names = value.split(",") if isinstance(value, str) else [str(getattr(v, "name", v)) for v in value or []]
    tags: dict[str, NewsTag] = {}
    for name in (n.strip() for n in names):
        slug = slugify(name)[:80]
        if not name or not slug or slug in tags:
            continue
        tag = NewsTag.objects.filter(slug=slug).first() or NewsTag.objects.filter(name__iexact=name).first()
        tags[slug] = tag or NewsTag.objects.create(name=name[:80], slug=slug)
    return list(tags.values())


def _news_data(actor: Any, data: dict[str, Any], item: NewsItem | None) -> dict[str, Any]:
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    creating = item is None
    officer = selectors.is_officer(actor)
    _text(data, "title", clean, problems, required=creating or "title" in data, max_length=200)
    _text(data, "place", clean, problems, max_length=200)
    _text(data, "summary", clean, problems, max_length=1000)
    _rich(data, "body", clean, problems, required=creating or "body" in data)
    if "date" in data or creating:
        try:
            clean["date"] = parse_date(data.get("date") or timezone.localdate(), "date")
        except RuleViolation as error:
            problems.extend(error.violations)
    _one(data, "event", Event, clean, problems, _("Événement inconnu."))
    if "tags" in data:
        clean["tags"] = _tags(data.get("tags"))
    if officer:
        _one(data, "issuing_body", Organisation, clean, problems, _("Organisation inconnue."))
        _text(data, "issuing_body_name", clean, problems, max_length=200)
        if "is_example" in data:
            clean["is_example"] = bool(data["is_example"])
    else:
        # A partner writes in the name of an organisation they manage, never another.
        own = selectors.partner_admin_organisations(actor)
        wanted = parse_id(data.get("issuing_body")) if data.get("issuing_body") not in (None, "") else None
        if item is not None:
            clean["issuing_body"] = item.issuing_body
        elif wanted is not None:
            clean["issuing_body"] = own.filter(pk=wanted).first()
            if clean["issuing_body"] is None:
                problems.append(Violation(Code.INVALID_CHOICE, _("Vous publiez au nom de votre organisation "
                                                              "seulement."), "issuing_body"))
        else:
            clean["issuing_body"] = own.order_by("name").first()
        clean["issuing_body_name"] = ""
    if problems:
        raise RuleViolation(problems)
    return clean


def _require_news_writer(actor: Any) -> None:
    if not selectors.is_officer(actor) and not selectors.partner_admin_organisations(actor).exists():
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls les agents et les gestionnaires d'une organisation "
                                                     "partenaire écrivent des actualités."))


def _managed_news(actor: Any, item: NewsItem) -> NewsItem:
    return locked(selectors.news_managed_by(actor), item, _("Actualité introuvable."))


@transaction.atomic
def create_news(actor: Any, data: dict[str, Any]) -> NewsItem:
    """An officer, or a partner's gestionnaire for their own organisation, writes a news item (a draft)."""
    _require_news_writer(actor)
    clean = _news_data(actor, data, None)
    item = NewsItem(created_by=actor, slug=unique_slug(NewsItem, clean["title"]))
    _apply(item, clean, ("tags",))
    record(actor, "news.create", item, after=snapshot(item, NEWS_FIELDS))
    return item


@transaction.atomic
def update_news(actor: Any, item: NewsItem, data: dict[str, Any],
                expected_version: int | None = None) -> NewsItem:
    """Officers change any news item; a partner only their own drafts not yet proposed."""
    _require_news_writer(actor)
    item = _managed_news(actor, item)
    check_version(item, expected_version)
    if not selectors.is_officer(actor) and news_status(item) != DRAFT:
        raise Conflict.single(Code.NOT_EDITABLE, _("Cette actualité est proposée ou publiée : seul le ministère "
                                                "peut encore la modifier."), "state")
    clean = _news_data(actor, data, item)
    before = snapshot(item, NEWS_FIELDS)
    _apply(item, clean, ("tags",))
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
def transition_news(actor: Any, item: NewsItem, name: str, *, reason: str = "",
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
