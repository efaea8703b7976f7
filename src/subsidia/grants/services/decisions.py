"""The approver's decision: the amount within the request and the envelope, the payment schedule, the
four-eyes rule above the threshold (a second approver confirms or sets the decision aside), and the letter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.core.values import parse_money
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from ..errors import GrantError
from ..models import Application, Call, Decision, Tranche
from ..tasks import generate_decision_letter
from .common import application_url, approvers, current_date, locked_application, move, opened


def _tranches(data: list[dict[str, Any]], granted: Decimal) -> list[Tranche]:
    problems = []
    tranches = []
    for index, item in enumerate(data):
        due = item.get("due_on")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, date):
            problems.append(Violation(Code.INVALID, _("Date d'échéance invalide."), f"tranches.{index}.due_on"))
            continue
        try:
            amount = parse_money(item.get("amount"), f"tranches.{index}.amount")
        except RuleViolation as error:
            problems.extend(error.violations)
            continue
        if amount <= 0:
            problems.append(Violation(Code.INVALID, _("Une tranche est un montant positif."),
                                      f"tranches.{index}.amount"))
            continue
        tranches.append(Tranche(position=index + 1, due_on=due, amount=amount))
    if not problems and sum((t.amount for t in tranches), Decimal(0)) != granted:
        problems.append(Violation(GrantError.SCHEDULE_UNBALANCED, _("Les tranches doivent totaliser le montant accordé "
                                                           "(%(g)s €).") % {"g": granted}, "tranches"))
    if problems:
        raise RuleViolation(problems)
    return tranches


def _commit_to_envelope(call: Call, amount: Decimal) -> None:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.committed + amount > call.budget:
        raise RuleViolation.single(GrantError.ENVELOPE_EXCEEDED, _(
            "L'enveloppe de l'appel ne suffit pas : reste %(left)s €, montant à engager %(amount)s €.") % {
            "left": call.budget - call.committed, "amount": amount}, "granted_amount")
    Call.objects.filter(pk=call.pk).update(committed=F("committed") + amount)


def _finalise(actor: Actor, application: Application, decision: Decision) -> Application:
    """Make the decision take effect: commit the envelope, move the application, send the letter."""
    if decision.outcome == Decision.Outcome.APPROVED:
        _commit_to_envelope(application.call, decision.granted_amount)
        if application.end_date:
            application.report_due_on = application.end_date + timedelta(days=settings.REPORT_DUE_DAYS)
    decision.confirmed_at = timezone.now()
    decision.save()
    name = "approve" if decision.outcome == Decision.Outcome.APPROVED else "reject"
    application = move(actor, application, name, note=decision.motivation)
    transaction.on_commit(lambda: generate_decision_letter(decision.pk))
    return application


def four_eyes_required(outcome: str, granted: Decimal) -> bool:
    return outcome == Decision.Outcome.APPROVED and granted > Decimal(str(settings.FOUR_EYES_THRESHOLD))


@transaction.atomic
def record_decision(actor: Actor, application: Application, *, outcome: str, granted_amount: Any = 0,
                    conditions: str = "", motivation: str = "", tranches: list[dict[str, Any]] | None = None,
                    expected_version: int | None = None) -> Decision:
    """The approver decides. An approval above the four-eyes threshold waits for a second approver."""
    name = "approve" if outcome == Decision.Outcome.APPROVED else "reject"
    application = opened(actor, application, name, expected_version)
    if Decision.objects.filter(application=application).exists():
        raise Conflict.single(GrantError.ALREADY_DECIDED, _("Une décision est déjà enregistrée pour cette demande."),
                              "decision")
    if outcome not in Decision.Outcome.values:
        raise RuleViolation.single(Code.INVALID_CHOICE, _("Décision inconnue."), "outcome")
    granted = Decimal(0)
    schedule: list[Tranche] = []
    if outcome == Decision.Outcome.APPROVED:
        granted = parse_money(granted_amount, "granted_amount")
        problems = []
        if granted <= 0:
            problems.append(Violation(Code.INVALID, _("Le montant accordé doit être positif."), "granted_amount"))
        elif granted > (application.requested_amount or 0):
            problems.append(Violation(GrantError.GRANTED_ABOVE_REQUESTED, _(
                "Le montant accordé (%(g)s €) dépasse le montant demandé (%(r)s €).") % {
                "g": granted, "r": application.requested_amount}, "granted_amount"))
        if problems:
            raise RuleViolation(problems)
        whole = [{"due_on": current_date().isoformat(), "amount": str(granted)}]
        schedule = _tranches(list(tranches or whole), granted)
        call = Call.objects.get(pk=application.call_id)
        if granted > call.remaining:
            raise RuleViolation.single(GrantError.ENVELOPE_EXCEEDED, _(
                "L'enveloppe de l'appel ne suffit pas : reste %(left)s €, montant à engager %(amount)s €.") % {
                "left": call.remaining, "amount": granted}, "granted_amount")
    elif not (motivation or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Motivez le refus."), "motivation")
    decision = Decision.objects.create(application=application, outcome=outcome, granted_amount=granted,
                                       conditions=conditions or "", motivation=motivation or "", decided_by=actor)
    for tranche in schedule:
        tranche.application = application
    Tranche.objects.bulk_create(schedule)
    record(actor, "decision.record", decision, after={
        **snapshot(decision, ["outcome", "granted_amount", "conditions", "motivation"]),
        "tranches": [[t.due_on.isoformat(), str(t.amount)] for t in schedule]})
    if four_eyes_required(outcome, granted):
        Application.objects.filter(pk=application.pk).update(version=F("version") + 1)
        others = [u for u in approvers() if u.pk != actor.pk]
        notify(others, Kind.DECISION_TO_CONFIRM, lambda: (
            _("Décision à confirmer : %(ref)s") % {"ref": application.reference},
            _("Un accord de %(amount)s € dépasse le seuil du double regard ; un second ordonnateur doit le "
              "confirmer.") % {"amount": granted}), application_url(application))
    else:
        _finalise(actor, application, decision)
    return decision


@transaction.atomic
def confirm_decision(actor: Actor, application: Application, expected_version: int | None = None) -> Decision:
    """The second approver confirms a decision above the threshold (four-eyes rule)."""
    application = opened(actor, application, "approve", expected_version)
    decision = Decision.objects.select_for_update().filter(application=application).first()
    if decision is None or decision.is_final:
        raise Conflict.single(GrantError.NOTHING_TO_CONFIRM, _("Aucune décision n'attend de confirmation."), "decision")
    if decision.decided_by_id == actor.pk:
        raise PermissionDenied.single(GrantError.FOUR_EYES, _(
            "Un second ordonnateur, distinct du premier, doit confirmer cette décision."), "decision")
    decision.confirmed_by = actor
    record(actor, "decision.confirm", decision, after={"confirmed_by": actor.email})
    _finalise(actor, application, decision)
    return decision


@transaction.atomic
def cancel_pending_decision(actor: Actor, application: Application, reason: str) -> None:
    """A second approver who disagrees sends the pending decision back; the application stays in review."""
    application = locked_application(actor, application)
    if not actor.has_role(Role.APPROVER):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seul un ordonnateur peut faire cela."))
    decision = Decision.objects.select_for_update().filter(application=application).first()
    if decision is None or decision.is_final:
        raise Conflict.single(GrantError.NOTHING_TO_CONFIRM, _("Aucune décision n'attend de confirmation."), "decision")
    if not (reason or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Indiquez pourquoi la décision est écartée."), "reason")
    record(actor, "decision.cancel", decision, before=snapshot(decision), note=reason.strip())
    application.tranches.all().delete()
    decision.delete()
    Application.objects.filter(pk=application.pk).update(version=F("version") + 1)
