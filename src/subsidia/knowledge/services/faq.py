"""Writes on the FAQ: an officer arranges its topics and writes, publishes and removes its questions
(:data:`~subsidia.knowledge.workflow.FAQ`). A question's "mis à jour le" date follows what readers see."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, RuleViolation, Violation
from subsidia.core.values import parse_id
from subsidia.core.versions import check_version, locked
from subsidia.knowledge.errors import KnowledgeError
from subsidia.knowledge.models import FaqQuestion, FaqTopic
from subsidia.knowledge.workflow import FAQ

from .common import (
    NOT_FOUND,
    require_officer,
    save_changes,
    take_rich,
    take_text,
    unique_slug,
)

QUESTION_FIELDS = ["topic", "question", "answer", "position", "state", "last_updated_on", "is_example", "version"]
TOPIC_FIELDS = ["name", "slug", "position"]


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
    take_text(data, "name", clean, problems, required=topic is None or "name" in data, max_length=150)
    _position(data, clean, problems)
    name = clean.get("name")
    others = FaqTopic.objects.exclude(pk=topic.pk) if topic else FaqTopic.objects.all()
    if name and others.filter(name__iexact=name).exists():
        problems.append(Violation(Code.DUPLICATE, _("Une rubrique porte déjà ce nom."), "name"))
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def create_faq_topic(actor: Actor, data: dict[str, Any]) -> FaqTopic:
    require_officer(actor)
    clean = _topic_data(data, None)
    topic = FaqTopic.objects.create(slug=unique_slug(FaqTopic, clean["name"], max_length=150), **clean)
    record(actor, "faq_topic.create", topic, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def update_faq_topic(actor: Actor, topic: FaqTopic, data: dict[str, Any]) -> FaqTopic:
    require_officer(actor)
    topic = locked(FaqTopic.objects.all(), topic, NOT_FOUND)
    clean = _topic_data(data, topic)
    before = snapshot(topic, TOPIC_FIELDS)
    for key, value in clean.items():
        setattr(topic, key, value)
    topic.save()
    record(actor, "faq_topic.update", topic, before=before, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def delete_faq_topic(actor: Actor, topic: FaqTopic) -> None:
    """Remove an empty topic (a topic with questions is refused: move or remove them first)."""
    require_officer(actor)
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
    take_text(data, "question", clean, problems, required=creating or "question" in data, max_length=300)
    take_rich(data, "answer", clean, problems, required=creating or "answer" in data)
    _position(data, clean, problems)
    if "is_example" in data:
        clean["is_example"] = bool(data["is_example"])
    if problems:
        raise RuleViolation(problems)
    return clean


@transaction.atomic
def create_faq_question(actor: Actor, data: dict[str, Any]) -> FaqQuestion:
    """A new question, as a draft, dated today."""
    require_officer(actor)
    clean = _question_data(data, None)
    question = FaqQuestion.objects.create(last_updated_on=timezone.localdate(), **clean)
    record(actor, "faq_question.create", question, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def update_faq_question(actor: Actor, question: FaqQuestion, data: dict[str, Any],
                        expected_version: int | None = None) -> FaqQuestion:
    """Change a question. Its "mis à jour le" date changes only when the question or the answer as readers
    see it changes — not when it is moved to another place or topic."""
    require_officer(actor)
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    check_version(question, expected_version)
    clean = _question_data(data, question)
    before = snapshot(question, QUESTION_FIELDS)
    if any(key in clean and clean[key] != getattr(question, key) for key in ("question", "answer")):
        clean["last_updated_on"] = timezone.localdate()
    save_changes(question, clean, ())
    record(actor, "faq_question.update", question, before=before, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def transition_faq_question(actor: Actor, question: FaqQuestion, name: str, *,
                            expected_version: int | None = None) -> FaqQuestion:
    """Make the transition ``name`` of :data:`~subsidia.knowledge.workflow.FAQ` (``publish``, ``unpublish``)."""
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    FAQ.require(actor, question, name)
    check_version(question, expected_version)
    return FAQ.move(actor, question, name, audit_fields=QUESTION_FIELDS)


@transaction.atomic
def delete_faq_question(actor: Actor, question: FaqQuestion) -> None:
    require_officer(actor)
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    record(actor, "faq_question.delete", question, before=snapshot(question, QUESTION_FIELDS))
    question.delete()
