"""Officers create and change calls for projects: their rules (eligible legal forms, lead time, documents,
deliverables, dates, envelope), priorities, review criteria and questions. Every problem is reported at once;
a priority or criterion already used by applications or scores cannot be removed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, RuleViolation, Violation
from subsidia.core.versions import check_version, locked
from subsidia.organisations.models import LegalForm

from .. import selectors
from ..errors import GrantError
from ..inputs import CallInput, CriterionInput, QuestionInput, Unset, given
from ..models import ApplicationDocumentKind, Call, Criterion, DeliverableType, Priority, Question, QuestionKind
from .common import amount_problems, require_officer

CALL_FIELDS = ["programme", "year", "title", "text", "eligible_legal_forms", "min_lead_weeks",
               "required_document_kinds", "deliverable_types", "opens_on", "closes_on", "budget", "is_published"]


# The kinds a call may list, and what a new call lists when it does not say.
CHOICES: dict[str, list[str]] = {
    "eligible_legal_forms": list(LegalForm.values),
    "required_document_kinds": [ApplicationDocumentKind.DESCRIPTION.value, ApplicationDocumentKind.BUDGET.value,
                                ApplicationDocumentKind.ANNEX.value],
    "deliverable_types": list(DeliverableType.values),
}
DEFAULTS: dict[str, list[str]] = {
    "eligible_legal_forms": [LegalForm.ASBL.value, LegalForm.FEDERATION.value],
    "required_document_kinds": [ApplicationDocumentKind.DESCRIPTION.value, ApplicationDocumentKind.BUDGET.value],
    "deliverable_types": [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value,
                          DeliverableType.EXHIBITION.value, DeliverableType.VIDEO.value],
}


def _required(data: CallInput, call: Call | None, clean: dict[str, Any], problems: list[Violation]) -> None:
    """A call has a programme and a title; a new one a year and an envelope too."""
    for key in ("programme", "title"):
        value = getattr(data, key)
        current = (getattr(call, key) if call else "") if isinstance(value, Unset) else value
        if not current.strip():
            problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
        elif not isinstance(value, Unset):
            clean[key] = value.strip()
    if call is None:
        problems.extend(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key) for key in ("year", "budget")
                        if isinstance(getattr(data, key), Unset))


def _lists(data: CallInput, call: Call | None, clean: dict[str, Any], problems: list[Violation]) -> None:
    """The legal forms, document kinds and deliverables a call lists: known values, each once."""
    for key, allowed in CHOICES.items():
        values = getattr(data, key)
        if isinstance(values, Unset):
            if call is None:
                clean[key] = DEFAULTS[key]
            continue
        unknown = [v for v in values if v not in allowed]
        if unknown:
            problems.append(Violation(Code.INVALID_CHOICE, _("Valeur inconnue : %(v)s.") % {
                "v": ", ".join(unknown)}, key))
        else:
            clean[key] = list(dict.fromkeys(values))


def _bounds(data: CallInput, call: Call | None, problems: list[Violation]) -> None:
    """The year, the lead time, the envelope (not below what is committed) and the dates (in order)."""
    if not isinstance(data.budget, Unset):
        wrong = amount_problems(data.budget, "budget")
        problems.extend(wrong)
        if not wrong and call is not None and data.budget < call.committed:
            problems.append(Violation(GrantError.BUDGET_BELOW_COMMITTED, _(
                "L'enveloppe ne peut pas descendre sous le montant déjà engagé (%(committed)s €).") % {
                "committed": call.committed}, "budget"))
    if not isinstance(data.year, Unset) and not 2000 <= data.year <= 2100:
        problems.append(Violation(Code.INVALID, _("Année invalide."), "year"))
    if not isinstance(data.min_lead_weeks, Unset) and not 0 <= data.min_lead_weeks <= 104:
        problems.append(Violation(Code.INVALID, _("Délai invalide : entre 0 et 104 semaines."), "min_lead_weeks"))
    opens = (call.opens_on if call else None) if isinstance(data.opens_on, Unset) else data.opens_on
    closes = (call.closes_on if call else None) if isinstance(data.closes_on, Unset) else data.closes_on
    if opens and closes and closes < opens:
        problems.append(Violation(Code.DATES_INVALID, _("La clôture précède l'ouverture de l'appel."), "closes_on"))


def _call_data(data: CallInput, call: Call | None) -> dict[str, Any]:
    """The model values an input sets on a call (``call`` None: a new one), once every rule holds; every problem
    is reported at once."""
    problems: list[Violation] = []
    clean = {key: value for key, value in given(data).items()
             if key in ("year", "text", "min_lead_weeks", "opens_on", "closes_on", "budget", "is_published")}
    _required(data, call, clean, problems)
    _lists(data, call, clean, problems)
    _bounds(data, call, problems)
    if problems:
        raise RuleViolation(problems)
    return clean


def _set_priorities(call: Call, titles: Sequence[str]) -> None:
    titles = [t.strip() for t in titles if t.strip()]
    existing = {p.title: p for p in call.priorities.all()}
    for position, title in enumerate(titles):
        priority = existing.pop(title, None) or Priority(call=call, title=title)
        priority.position = position
        priority.save()
    used = [p.title for p in existing.values() if p.applications.exists()]
    if used:
        raise RuleViolation.single(GrantError.IN_USE, _(
            "Des demandes visent ces priorités ; elles ne peuvent être retirées : %(p)s.") % {"p": "; ".join(used)},
            "priorities")
    for priority in existing.values():
        priority.delete()


def _set_criteria(call: Call, criteria: Sequence[CriterionInput]) -> None:
    existing = {c.title: c for c in call.criteria.all()}
    for position, item in enumerate(criteria):
        title, weight = item.title.strip(), item.weight
        if not title or not 1 <= weight <= 100:
            raise RuleViolation.single(Code.INVALID, _("Chaque critère a un titre et une pondération de 1 à 100."),
                                       "criteria")
        criterion = existing.pop(title, None) or Criterion(call=call, title=title)
        criterion.weight, criterion.position = weight, position
        criterion.help_text = item.help_text
        criterion.save()
    if any(c.scores.exists() for c in existing.values()):
        raise RuleViolation.single(GrantError.IN_USE, _("Un critère déjà noté ne peut être retiré."), "criteria")
    for criterion in existing.values():
        criterion.delete()


def _set_questions(call: Call, questions: Sequence[QuestionInput]) -> None:
    existing = {q.key: q for q in call.questions.all()}
    saved: dict[str, Question] = {}
    for position, item in enumerate(questions):
        key, label, kind = item.key.strip(), item.label.strip(), item.kind
        choices, parent_key = list(item.choices), item.shown_if_question
        if not key or not label or kind not in QuestionKind.values:
            raise RuleViolation.single(Code.INVALID, _(
                "Chaque question a un identifiant, un libellé et un type connu."), "questions")
        if kind == QuestionKind.CHOICE and not choices:
            raise RuleViolation.single(Code.INVALID, _("Une question à choix énumère ses choix."), "questions")
        if parent_key and parent_key not in saved:
            raise RuleViolation.single(Code.INVALID, _("Une question ne peut dépendre que d'une question précédente."),
                                       "questions")
        question = existing.pop(key, None) or Question(call=call, key=key)
        question.label, question.kind, question.choices, question.position = label, kind, choices, position
        question.help_text, question.required = item.help_text, item.required
        question.shown_if_question = saved.get(parent_key)
        question.shown_if_value = item.shown_if_value if parent_key else ""
        question.save()
        saved[key] = question
    for question in existing.values():
        question.delete()


def _set_parts(call: Call, data: CallInput) -> None:
    """The call's priorities, criteria and questions, each replaced when given."""
    if not isinstance(data.priorities, Unset):
        _set_priorities(call, data.priorities)
    if not isinstance(data.criteria, Unset):
        _set_criteria(call, data.criteria)
    if not isinstance(data.questions, Unset):
        _set_questions(call, data.questions)


def _call_snapshot(call: Call) -> dict[str, Any]:
    data = snapshot(call, [*CALL_FIELDS, "version"])
    data["priorities"] = [p.title for p in call.priorities.all()]
    data["criteria"] = [{"title": c.title, "weight": c.weight} for c in call.criteria.all()]
    data["questions"] = [q.key for q in call.questions.all()]
    return data


@transaction.atomic
def create_call(actor: Actor, data: CallInput) -> Call:
    require_officer(actor)
    clean = _call_data(data, None)
    call = Call(created_by=actor, **clean)
    call.save()
    _set_parts(call, data)
    record(actor, "call.create", call, after=_call_snapshot(call))
    return call


@transaction.atomic
def update_call(actor: Actor, call: Call, data: CallInput, expected_version: int | None = None) -> Call:
    require_officer(actor)
    call = locked(selectors.calls_visible_to(actor), call, _("Appel introuvable."))
    check_version(call, expected_version, _("Cet appel a été modifié entre-temps par quelqu'un d'autre. "
                                            "Rechargez-le : vos changements n'ont pas été enregistrés."))
    before = _call_snapshot(call)
    clean = _call_data(data, call)
    for key, value in clean.items():
        setattr(call, key, value)
    call.save_bumped()
    _set_parts(call, data)
    record(actor, "call.update", call, before=before, after=_call_snapshot(call))
    return call
