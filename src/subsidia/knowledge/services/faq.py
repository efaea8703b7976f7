"""Writes on the FAQ: an officer arranges its topics and writes, publishes and removes its questions
(:data:`~subsidia.knowledge.workflow.FAQ`). A question's "mis à jour le" date follows what readers see."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, RuleViolation
from subsidia.core.versions import check_version, locked
from subsidia.knowledge.errors import KnowledgeError
from subsidia.knowledge.inputs import FaqQuestionInput, FaqTopicInput
from subsidia.knowledge.models import FaqQuestion, FaqTopic
from subsidia.knowledge.workflow import FAQ

from .common import NOT_FOUND, clean_rich, require_officer, unique_slug

QUESTION_FIELDS = ["topic", "question", "answer", "position", "state", "last_updated_on", "is_example", "version"]
TOPIC_FIELDS = ["name", "slug", "position"]


def _check_topic_name(name: str, topic: FaqTopic | None) -> None:
    others = FaqTopic.objects.exclude(pk=topic.pk) if topic else FaqTopic.objects.all()
    if others.filter(name__iexact=name).exists():
        raise RuleViolation.single(Code.DUPLICATE, _("Une rubrique porte déjà ce nom."), "name")


@transaction.atomic
def create_faq_topic(actor: Actor, data: FaqTopicInput) -> FaqTopic:
    """A topic of the FAQ, its name unique (whatever the case)."""
    require_officer(actor)
    _check_topic_name(data.name, None)
    topic = FaqTopic.objects.create(name=data.name, position=data.position,
                                    slug=unique_slug(FaqTopic, data.name, max_length=150))
    record(actor, "faq_topic.create", topic, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def update_faq_topic(actor: Actor, topic: FaqTopic, data: FaqTopicInput) -> FaqTopic:
    """Rename or move a topic (its address stays the same)."""
    require_officer(actor)
    topic = locked(FaqTopic.objects.all(), topic, NOT_FOUND)
    _check_topic_name(data.name, topic)
    before = snapshot(topic, TOPIC_FIELDS)
    topic.name, topic.position = data.name, data.position
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


def _answer(data: FaqQuestionInput) -> str:
    """The answer as it is stored; an answer of which the sanitiser leaves nothing is no answer."""
    answer = clean_rich(data.answer)
    if not answer:
        raise RuleViolation.single(Code.REQUIRED, _("Ce champ est obligatoire."), "answer")
    return answer


@transaction.atomic
def create_faq_question(actor: Actor, data: FaqQuestionInput) -> FaqQuestion:
    """A new question, as a draft, dated today."""
    require_officer(actor)
    question = FaqQuestion.objects.create(
        topic=data.topic, question=data.question, answer=_answer(data), position=data.position,
        is_example=data.is_example, last_updated_on=timezone.localdate())
    record(actor, "faq_question.create", question, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def update_faq_question(actor: Actor, question: FaqQuestion, data: FaqQuestionInput,
                        expected_version: int | None = None) -> FaqQuestion:
    """Change a question. Its "mis à jour le" date changes only when the question or the answer as readers
    see it changes — not when it is moved to another place or topic."""
    require_officer(actor)
    question = locked(FaqQuestion.objects.all(), question, NOT_FOUND)
    check_version(question, expected_version)
    answer = _answer(data)
    before = snapshot(question, QUESTION_FIELDS)
    if (data.question, answer) != (question.question, question.answer):
        question.last_updated_on = timezone.localdate()
    question.topic, question.question, question.answer = data.topic, data.question, answer
    question.position, question.is_example = data.position, data.is_example
    question.save_bumped()
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
