"""Officers create and change calls for projects: their rules (eligible legal forms, lead time, documents,
deliverables, dates, envelope), priorities, review criteria and questions. Every problem is reported at once;
a priority or criterion already used by applications or scores cannot be removed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, RuleViolation, Violation
from subsidia.core.values import parse_money
from subsidia.core.versions import check_version, locked
from subsidia.organisations.models import LegalForm

from .. import selectors
from ..errors import GrantError
from ..models import ApplicationDocumentKind, Call, Criterion, DeliverableType, Priority, Question, QuestionKind
from .common import require_officer

CALL_FIELDS = ["programme", "year", "title", "text", "eligible_legal_forms", "min_lead_weeks",
               "required_document_kinds", "deliverable_types", "opens_on", "closes_on", "budget", "is_published"]


def _call_data(data: dict[str, Any], call: Call | None) -> dict[str, Any]:
    """Validate a call's fields; every problem is reported at once."""
    problems: list[Violation] = []
    clean: dict[str, Any] = {}
    for key in CALL_FIELDS:
        if key in data:
            clean[key] = data[key]
    for key in ("programme", "title"):
        value = clean.get(key, getattr(call, key, "") if call else "")
        if not str(value or "").strip():
            problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
        elif key in clean:
            clean[key] = str(value).strip()
    if call is None:
        for key in ("year", "budget"):
            if clean.get(key) in (None, ""):
                problems.append(Violation(Code.REQUIRED, _("Ce champ est obligatoire."), key))
        clean.setdefault("eligible_legal_forms", [LegalForm.ASBL.value, LegalForm.FEDERATION.value])
        clean.setdefault("required_document_kinds", [ApplicationDocumentKind.DESCRIPTION.value,
                                                     ApplicationDocumentKind.BUDGET.value])
        clean.setdefault("deliverable_types", [DeliverableType.EVENT.value, DeliverableType.BROCHURE.value,
                                               DeliverableType.EXHIBITION.value, DeliverableType.VIDEO.value])
    for key, allowed in (("eligible_legal_forms", LegalForm.values),
                         ("required_document_kinds", [ApplicationDocumentKind.DESCRIPTION.value,
                                                      ApplicationDocumentKind.BUDGET.value,
                                                      ApplicationDocumentKind.ANNEX.value]),
                         ("deliverable_types", DeliverableType.values)):
        if key in clean:
            values = clean[key] or []
            unknown = [v for v in values if v not in allowed]
            if not isinstance(values, list) or unknown:
                problems.append(Violation(Code.INVALID_CHOICE, _("Valeur inconnue : %(v)s.") % {
                    "v": ", ".join(map(str, unknown or [values]))}, key))
            else:
                clean[key] = list(dict.fromkeys(values))
    if "budget" in clean and clean["budget"] not in (None, ""):
        try:
            clean["budget"] = parse_money(clean["budget"], "budget")
        except RuleViolation as error:
            problems.extend(error.violations)
    if "year" in clean and clean["year"] not in (None, ""):
        try:
            clean["year"] = int(clean["year"])
            if not 2000 <= clean["year"] <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Année invalide."), "year"))
    if "min_lead_weeks" in clean:
        try:
            clean["min_lead_weeks"] = int(clean["min_lead_weeks"])
            if not 0 <= clean["min_lead_weeks"] <= 104:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Violation(Code.INVALID, _("Délai invalide : entre 0 et 104 semaines."), "min_lead_weeks"))
    opens = clean.get("opens_on", call.opens_on if call else None)
    closes = clean.get("closes_on", call.closes_on if call else None)
    if opens and closes and closes < opens:
        problems.append(Violation(Code.DATES_INVALID, _("La clôture précède l'ouverture de l'appel."), "closes_on"))
    if call is not None and "budget" in clean and isinstance(clean["budget"], Decimal) \
            and clean["budget"] < call.committed:
        problems.append(Violation(GrantError.BUDGET_BELOW_COMMITTED, _(
            "L'enveloppe ne peut pas descendre sous le montant déjà engagé (%(committed)s €).") % {
            "committed": call.committed}, "budget"))
    if problems:
        raise RuleViolation(problems)
    return clean


def _set_priorities(call: Call, titles: list[str]) -> None:
    titles = [t.strip() for t in titles if t and t.strip()]
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


def _set_criteria(call: Call, criteria: list[dict[str, Any]]) -> None:
    existing = {c.title: c for c in call.criteria.all()}
    for position, item in enumerate(criteria):
        title = str(item.get("title", "")).strip()
        try:
            weight = int(item.get("weight", 1))
        except (TypeError, ValueError):
            weight = 0
        if not title or not 1 <= weight <= 100:
            raise RuleViolation.single(Code.INVALID, _("Chaque critère a un titre et une pondération de 1 à 100."),
                                       "criteria")
        criterion = existing.pop(title, None) or Criterion(call=call, title=title)
        criterion.weight, criterion.position = weight, position
        criterion.help_text = str(item.get("help_text", "") or "")
        criterion.save()
    if any(c.scores.exists() for c in existing.values()):
        raise RuleViolation.single(GrantError.IN_USE, _("Un critère déjà noté ne peut être retiré."), "criteria")
    for criterion in existing.values():
        criterion.delete()


def _set_questions(call: Call, questions: list[dict[str, Any]]) -> None:
    existing = {q.key: q for q in call.questions.all()}
    saved: dict[str, Question] = {}
    for position, item in enumerate(questions):
        key = str(item.get("key", "")).strip()
        label = str(item.get("label", "")).strip()
        kind = item.get("kind", QuestionKind.TEXT)
        choices = [str(c) for c in item.get("choices") or []]
        parent_key = str(item.get("shown_if_question") or "")
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
        question.help_text = str(item.get("help_text", "") or "")
        question.required = bool(item.get("required", False))
        question.shown_if_question = saved.get(parent_key)
        question.shown_if_value = str(item.get("shown_if_value", "") or "") if parent_key else ""
        question.save()
        saved[key] = question
    for question in existing.values():
        question.delete()


def _call_snapshot(call: Call) -> dict[str, Any]:
    data = snapshot(call, [*CALL_FIELDS, "version"])
    data["priorities"] = [p.title for p in call.priorities.all()]
    data["criteria"] = [{"title": c.title, "weight": c.weight} for c in call.criteria.all()]
    data["questions"] = [q.key for q in call.questions.all()]
    return data


@transaction.atomic
def create_call(actor: Actor, data: dict[str, Any]) -> Call:
    require_officer(actor)
    clean = _call_data(data, None)
    call = Call(created_by=actor, **clean)
    call.save()
    _set_priorities(call, list(data.get("priorities") or []))
    _set_criteria(call, list(data.get("criteria") or []))
    _set_questions(call, list(data.get("questions") or []))
    record(actor, "call.create", call, after=_call_snapshot(call))
    return call


@transaction.atomic
def update_call(actor: Actor, call: Call, data: dict[str, Any], expected_version: int | None = None) -> Call:
    require_officer(actor)
    call = locked(selectors.calls_visible_to(actor), call, _("Appel introuvable."))
    check_version(call, expected_version, _("Cet appel a été modifié entre-temps par quelqu'un d'autre. "
                                            "Rechargez-le : vos changements n'ont pas été enregistrés."))
    before = _call_snapshot(call)
    clean = _call_data(data, call)
    for key, value in clean.items():
        setattr(call, key, value)
    call.version += 1
    call.save()
    if "priorities" in data:
        _set_priorities(call, list(data["priorities"] or []))
    if "criteria" in data:
        _set_criteria(call, list(data["criteria"] or []))
    if "questions" in data:
        _set_questions(call, list(data["questions"] or []))
    record(actor, "call.update", call, before=before, after=_call_snapshot(call))
    return call
