"""The approver's decision: the amount within the request and the envelope, the payment schedule, the
four-eyes rule above the threshold (a second approver confirms or sets the decision aside), and the letter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from ..errors import GrantError
from ..inputs import DecisionInput, TrancheInput
from ..models import Application, Call, Decision, Tranche
from ..tasks import generate_decision_letter
from .common import amount_problems, application_url, approvers, current_date, locked_application, move, opened


def _tranches(data: Sequence[TrancheInput], granted: Decimal) -> list[Tranche]:
    """The payment schedule: positive amounts that add up to the amount granted."""
    problems: list[Violation] = []
    tranches = []
    for index, item in enumerate(data):
        field = f"tranches.{index}.amount"
        wrong = amount_problems(item.amount, field)
        if not wrong and item.amount <= 0:
            wrong = [Violation(Code.INVALID, _("Une tranche est un montant positif."), field)]
        problems.extend(wrong)
        if not wrong:
            tranches.append(Tranche(position=index + 1, due_on=item.due_on, amount=item.amount))
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


def _approval(application: Application, granted: Decimal, tranches: Sequence[TrancheInput] | None) -> list[Tranche]:
    """An approval grants a positive amount within the request and the envelope, on a balanced schedule."""
    wrong = amount_problems(granted, "granted_amount")
    if wrong:
        raise RuleViolation(wrong)
    if granted <= 0:
        raise RuleViolation.single(Code.INVALID, _("Le montant accordé doit être positif."), "granted_amount")
    if granted > (application.requested_amount or 0):
        raise RuleViolation.single(GrantError.GRANTED_ABOVE_REQUESTED, _(
            "Le montant accordé (%(g)s €) dépasse le montant demandé (%(r)s €).") % {
            "g": granted, "r": application.requested_amount}, "granted_amount")
    schedule = _tranches(tranches or [TrancheInput(due_on=current_date(), amount=granted)], granted)
    call = Call.objects.get(pk=application.call_id)
    if granted > call.remaining:
        raise RuleViolation.single(GrantError.ENVELOPE_EXCEEDED, _(
            "L'enveloppe de l'appel ne suffit pas : reste %(left)s €, montant à engager %(amount)s €.") % {
            "left": call.remaining, "amount": granted}, "granted_amount")
    return schedule


def four_eyes_required(outcome: str, granted: Decimal) -> bool:
    return outcome == Decision.Outcome.APPROVED and granted > Decimal(str(settings.FOUR_EYES_THRESHOLD))


@transaction.atomic
def record_decision(actor: Actor, application: Application, data: DecisionInput,
                    expected_version: int | None = None) -> Decision:
    """The approver decides. An approval above the four-eyes threshold waits for a second approver."""
    outcome, motivation = data.outcome, data.motivation
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
        granted = data.granted_amount
        schedule = _approval(application, granted, data.tranches)
    elif not motivation.strip():
        raise RuleViolation.single(Code.REQUIRED, _("Motivez le refus."), "motivation")
    decision = Decision.objects.create(application=application, outcome=outcome, granted_amount=granted,
                                       conditions=data.conditions, motivation=motivation, decided_by=actor)
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
