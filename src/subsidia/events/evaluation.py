"""The evaluation questionnaire after an event: the officers build it, send it, read the results as charts, and
write and publish the evaluation report; attendees answer once through a signed link.

Who is invited: the people whose presence was recorded (check-in). When nobody was checked in (an event that
did not use the QR codes), every confirmed registrant is invited instead. Sending again later invites only those
not invited yet (for example people checked in afterwards).

Answers are anonymous on every page: the results never show who answered what; the link to the registration
only prevents a second answer, and is cut when the registration data is deleted (retention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core import ordering
from subsidia.core.disclosure import Count as PublicCount
from subsidia.core.disclosure import protect, small_count, threshold
from subsidia.core.errors import Code, Conflict, NotFound, RuleViolation, Violation
from subsidia.core.html import sanitise
from subsidia.core.versions import locked

from . import charts
from .errors import EventError
from .inputs import QuestionInput
from .models import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Event,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from .services_staff import locked_event, require_officer
from .signing import EVALUATION_SALT, evaluation_token
from .tasks_staff import send_evaluation_invitations

QUESTION_FIELDS = ["text", "kind", "options", "required", "position"]


# --- the questionnaire ---------------------------------------------------------------------------

def _question_problems(data: QuestionInput) -> list[Violation]:
    problems = []
    if not data.text.strip():
        problems.append(Violation(Code.REQUIRED, _("Le texte de la question est obligatoire."), "text"))
    if data.kind not in QuestionKind.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Type de réponse inconnu."), "kind"))
    options = _lines(data.options)
    if data.kind == QuestionKind.CHOICE and len(options) < 2:
        problems.append(Violation(Code.REQUIRED, _("Proposez au moins deux choix, un par ligne."), "options"))
    if len(set(options)) != len(options):
        problems.append(Violation(Code.DUPLICATE, _("Chaque choix ne peut figurer qu'une fois."), "options"))
    return problems


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _apply_question(question: EvaluationQuestion, data: QuestionInput) -> None:
    question.text, question.kind, question.required = data.text.strip(), data.kind, data.required
    question.options = "\n".join(_lines(data.options)) if data.kind == QuestionKind.CHOICE else ""


@transaction.atomic
def add_question(actor: Actor, event: Event, data: QuestionInput) -> EvaluationQuestion:
    require_officer(actor)
    event = locked_event(event)
    problems = _question_problems(data)
    if problems:
        raise RuleViolation(problems)
    question = EvaluationQuestion(event=event,
                                  position=(event.evaluation_questions.aggregate(m=Max("position"))["m"] or 0) + 1)
    _apply_question(question, data)
    question.save()
    record(actor, "evaluation_question.create", question, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def update_question(actor: Actor, question: EvaluationQuestion, data: QuestionInput) -> EvaluationQuestion:
    """Reword a question. Once answers exist its type and choices stay as they are (the results would lie)."""
    require_officer(actor)
    question = locked(EvaluationQuestion.objects.all(), question, _("Question introuvable."))
    problems = _question_problems(data)
    if question.answers.exists() and (data.kind != question.kind
                                      or (question.kind == QuestionKind.CHOICE
                                          and _lines(data.options) != question.option_list)):
        problems.append(Violation(EventError.ANSWERED, _("Des réponses existent déjà : le type de réponse et les "
                                                         "choix ne peuvent plus changer."), "kind"))
    if problems:
        raise RuleViolation(problems)
    before = snapshot(question, QUESTION_FIELDS)
    _apply_question(question, data)
    question.save()
    record(actor, "evaluation_question.update", question, before=before, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def delete_question(actor: Actor, question: EvaluationQuestion) -> None:
    require_officer(actor)
    question = locked(EvaluationQuestion.objects.all(), question, _("Question introuvable."))
    if question.answers.exists():
        raise Conflict.single(EventError.ANSWERED, _("Des réponses existent déjà : cette question ne peut plus être "
                                            "supprimée."))
    record(actor, "evaluation_question.delete", question, before=snapshot(question, QUESTION_FIELDS))
    question.delete()


@transaction.atomic
def move_question(actor: Actor, question: EvaluationQuestion, up: bool) -> EvaluationQuestion:
    """Move a question one place up or down (the positions are renumbered 1, 2, 3…)."""
    require_officer(actor)
    locked_event(question.event_id)
    siblings = EvaluationQuestion.objects.filter(event_id=question.event_id).order_by("position", "pk")
    moved = ordering.move(siblings, question, up=up)
    record(actor, "evaluation_question.move", moved, after={"position": moved.position})
    return moved


# --- sending -------------------------------------------------------------------------------------

def invitees(event: Event) -> Any:
    """Who the questionnaire is for: those checked in, or every confirmed registrant when nobody was."""
    live = Registration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)
    attended = live.filter(checked_in_at__isnull=False)
    return attended if attended.exists() else live.filter(status=RegistrationStatus.CONFIRMED)


@transaction.atomic
def send_questionnaire(actor: Actor, event: Event) -> int:
    """Invite by e-mail everyone concerned not invited yet; returns how many. The e-mails leave on commit."""
    require_officer(actor)
    event = locked_event(event)
    if event.status != EventStatus.PUBLISHED:
        raise Conflict.single(EventError.NOT_PUBLISHED,
                              _("Le questionnaire n'est envoyé que pour un événement publié."))
    if event.ends_at > timezone.now():
        raise Conflict.single(EventError.NOT_OVER, _("Le questionnaire est envoyé une fois l'événement terminé."))
    if event.registration_data_deleted_at is not None:
        raise Conflict.single(EventError.DATA_DELETED, _("Les inscriptions de cet événement ont été supprimées."))
    if not event.evaluation_questions.exists():
        raise RuleViolation.single(EventError.NO_QUESTIONS, _("Ajoutez au moins une question avant d'envoyer le "
                                                     "questionnaire."))
    now = timezone.now()
    ids = list(invitees(event).filter(evaluation_invited_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        raise Conflict.single(EventError.NOBODY, _("Toutes les personnes concernées ont déjà reçu le questionnaire."))
    Registration.objects.filter(pk__in=ids).update(evaluation_invited_at=now)
    before = snapshot(event, ["evaluation_sent_at"])
    event.evaluation_sent_at = event.evaluation_sent_at or now
    event.save(update_fields=["evaluation_sent_at", "updated_at"])
    record(actor, "event.evaluation_send", event, before=before,
           after={**snapshot(event, ["evaluation_sent_at"]), "invited": len(ids)})
    transaction.on_commit(lambda: send_evaluation_invitations(ids))
    return len(ids)


# The link the invitation job (tasks_staff) sends; made in signing.py, which that job may import.
token_for = evaluation_token


def registration_for(token: str) -> Registration:
    """The registration a signed link stands for; a tampered or unknown link is not found (404)."""
    try:
        uid = signing.loads(token, salt=EVALUATION_SALT)
    except signing.BadSignature as error:
        raise NotFound.single(Code.NOT_FOUND, _("Ce lien n'est pas valide.")) from error
    registration = (Registration.objects.select_related("event").filter(uid=uid, evaluation_invited_at__isnull=False)
                    .first())
    if registration is None:
        raise NotFound.single(Code.NOT_FOUND, _("Ce lien n'est plus valide."))
    return registration


def has_answered(registration: Registration) -> bool:
    return EvaluationResponse.objects.filter(registration=registration).exists()


# --- answering -----------------------------------------------------------------------------------

def _answer(question: EvaluationQuestion, raw: Any, problems: list[Violation]) -> dict[str, Any] | None:
    name = f"q{question.pk}"
    text = str(raw or "").strip()
    if not text:
        if question.required:
            problems.append(Violation(Code.REQUIRED, _("Cette question demande une réponse."), name))
        return None
    if question.kind == QuestionKind.RATING:
        try:
            rating = int(text)
        except ValueError:
            rating = 0
        if not 1 <= rating <= 5:
            problems.append(Violation(Code.INVALID, _("Choisissez une note de 1 à 5."), name))
            return None
        return {"rating": rating}
    if question.kind == QuestionKind.CHOICE:
        if text not in question.option_list:
            problems.append(Violation(Code.INVALID_CHOICE, _("Choisissez l'une des réponses proposées."), name))
            return None
        return {"choice": text}
    return {"text": text[:5000]}


def submit_response(registration: Registration, answers: dict[str, Any]) -> EvaluationResponse:
    """Record an attendee's answers (``answers``: ``{"q<question id>": value}``). One response per registration:
    a second one is refused (409)."""
    try:
        with transaction.atomic():
            registration = (Registration.objects.select_for_update(of=("self",)).select_related("event")
                            .get(pk=registration.pk))
            if registration.evaluation_invited_at is None:
                raise NotFound.single(Code.NOT_FOUND, _("Ce lien n'est pas valide."))
            if has_answered(registration):
                raise Conflict.single(EventError.ALREADY_ANSWERED,
                                      _("Vous avez déjà répondu à ce questionnaire. Merci !"))
            problems: list[Violation] = []
            questions = list(registration.event.evaluation_questions.order_by("position", "pk"))
            values = {q.pk: _answer(q, answers.get(f"q{q.pk}"), problems) for q in questions}
            if problems:
                raise RuleViolation(problems)
            response = EvaluationResponse.objects.create(event=registration.event, registration=registration)
            EvaluationAnswer.objects.bulk_create([
                EvaluationAnswer(response=response, question_id=pk, **value)
                for pk, value in values.items() if value is not None])
            # No personal data: only that a response arrived, and how many questions it answers.
            record(None, "evaluation_response.create", response,
                   after={"event": registration.event_id, "answers": sum(v is not None for v in values.values())})
            return response
    except IntegrityError as error:  # the same link submitted twice at once
        raise Conflict.single(EventError.ALREADY_ANSWERED, _("Vous avez déjà répondu à ce questionnaire. Merci !")) \
            from error


# --- results -------------------------------------------------------------------------------------

@dataclass
class QuestionResult:
    question: EvaluationQuestion
    answered: int = 0
    bars: list[tuple[str, int | PublicCount]] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)
    chart: SafeString | None = None


def results(event: Event, *, with_texts: bool = True) -> list[QuestionResult]:
    """Each question's aggregated answers: counts per rating or choice (with the average rating), and the free
    answers (never with who wrote them)."""
    out = []
    for question in event.evaluation_questions.order_by("position", "pk"):
        answers = EvaluationAnswer.objects.filter(question=question)
        result = QuestionResult(question=question, answered=answers.count())
        if question.kind == QuestionKind.RATING:
            ratings: dict[Any, int] = dict(answers.values("rating").annotate(n=Count("pk")).values_list("rating", "n"))
            result.bars = [(str(value), ratings.get(value, 0)) for value in range(1, 6)]
            average = answers.aggregate(a=Avg("rating"))["a"]
            result.average = round(float(average), 2) if average is not None else None
            description = _("Nombre de réponses par note, de 1 (faible) à 5 (excellent).")
            if result.average is not None:
                description += " " + _("Moyenne : %(avg)s sur 5.") % {"avg": f"{result.average:.2f}".replace(
                    ".", ",")}
            result.chart = charts.bar_chart(question.text, description, result.bars)
        elif question.kind == QuestionKind.CHOICE:
            choices: dict[Any, int] = dict(answers.values("choice").annotate(n=Count("pk")).values_list("choice", "n"))
            result.bars = [(option, choices.get(option, 0)) for option in question.option_list]
            result.chart = charts.bar_chart(question.text, _("Nombre de réponses par choix."), result.bars)
        elif with_texts:
            result.texts = list(answers.exclude(text="").order_by("?").values_list("text", flat=True))
        out.append(result)
    return out


def response_count(event: Event) -> int:
    return EvaluationResponse.objects.filter(event=event).count()


@dataclass
class PublicResults:
    """The figures of the public evaluation report, small numbers suppressed (core/disclosure.py)."""

    response_count: PublicCount
    results: list[QuestionResult]

    @property
    def too_few(self) -> bool:
        return self.response_count.hidden


def public_results(event: Event) -> PublicResults:
    """The public report's figures. Each question is one breakdown of the respondents: its ratings or choices and,
    when some did not answer it, "Sans réponse"; its total is the number of respondents, shown at the top. Cells
    below the threshold read "< 5" (and a second cell when one alone would be found by subtraction), averages of a
    question with a suppressed cell are not shown, and below the threshold of respondents nothing is."""
    respondents = response_count(event)
    total = small_count(respondents)
    assert total is not None
    if total.hidden:
        return PublicResults(total, [])
    out = []
    for result in results(event, with_texts=False):
        if result.question.kind not in (QuestionKind.RATING, QuestionKind.CHOICE):
            continue  # free answers are never public
        bars = [(label, count.value if isinstance(count, PublicCount) else count) for label, count in result.bars]
        if respondents - result.answered:
            bars.append((_("Sans réponse"), respondents - result.answered))
        cells = protect([count for _label, count in bars])
        protected: list[tuple[str, int | PublicCount]] = [
            (label, cell) for (label, _n), cell in zip(bars, cells, strict=True)]
        suppressed = any(cell.hidden for cell in cells)
        average = None if suppressed else result.average
        if result.question.kind == QuestionKind.RATING:
            description = _("Nombre de réponses par note, de 1 (faible) à 5 (excellent).")
            if average is not None:
                description += " " + _("Moyenne : %(avg)s sur 5.") % {"avg": f"{average:.2f}".replace(".", ",")}
        else:
            description = _("Nombre de réponses par choix.")
        if suppressed:
            description += " " + _("« < %(n)s » : moins de %(n)s réponses, chiffre masqué.") % {"n": threshold()}
        out.append(QuestionResult(question=result.question, answered=result.answered, bars=protected,
                                  average=average, chart=charts.bar_chart(result.question.text, description,
                                                                          protected)))
    return PublicResults(total, out)


# --- the report ----------------------------------------------------------------------------------

@transaction.atomic
def update_report(actor: Actor, event: Event, report: str) -> Event:
    require_officer(actor)
    event = locked_event(event)
    before = snapshot(event, ["evaluation_report"])
    event.evaluation_report = sanitise(report or "")
    event.save(update_fields=["evaluation_report", "updated_at"])
    record(actor, "event.evaluation_report_update", event, before=before,
           after=snapshot(event, ["evaluation_report"]))
    return event


@transaction.atomic
def publish_report(actor: Actor, event: Event, *, publish: bool = True) -> Event:
    """Show (or withdraw) the evaluation report and its charts on the public page."""
    require_officer(actor)
    event = locked_event(event)
    if publish and event.status != EventStatus.PUBLISHED:
        raise Conflict.single(EventError.NOT_PUBLISHED,
                              _("L'événement doit être publié avant son rapport d'évaluation."))
    if publish and not event.evaluation_report.strip():
        raise RuleViolation.single(Code.REQUIRED, _("Rédigez le rapport avant de le publier."), "evaluation_report")
    before = snapshot(event, ["evaluation_published_at"])
    event.evaluation_published_at = timezone.now() if publish else None
    event.save(update_fields=["evaluation_published_at", "updated_at"])
    record(actor, "event.evaluation_report_publish" if publish else "event.evaluation_report_withdraw", event,
           before=before, after=snapshot(event, ["evaluation_published_at"]))
    return event


def report_is_public(event: Event) -> bool:
    return event.status == EventStatus.PUBLISHED and event.evaluation_published_at is not None
