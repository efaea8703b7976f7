"""Calls and applications of organisation A in several states, for the access matrix."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from subsidia.grants.models import Decision, FinalReport, Review, State, Tranche

from .factories import ApplicationFactory, CallFactory, add_document


def add_grants(world: dict[str, Any]) -> None:
    people = world["people"]
    org_a = world["org_a"]
    call = CallFactory.create(title="Appel ouvert")
    draft_call = CallFactory.create(title="Appel en préparation", is_published=False)
    draft = ApplicationFactory.create(call=call, organisation=org_a, state=State.DRAFT,
                                      created_by=people["partner_member"])
    submitted = ApplicationFactory.create(call=call, organisation=org_a, state=State.SUBMITTED,
                                          first_submitted_on=timezone.localdate())
    under_review = ApplicationFactory.create(call=call, organisation=org_a, state=State.UNDER_REVIEW,
                                             first_submitted_on=timezone.localdate())
    review = Review.objects.create(application=under_review, reviewer=people["reviewer"],
                                   assigned_by=people["officer"])
    approved = ApplicationFactory.create(call=call, organisation=org_a, state=State.APPROVED,
                                         first_submitted_on=timezone.localdate())
    decision = Decision.objects.create(application=approved, outcome="approved", granted_amount=Decimal(6000),
                                       decided_by=people["approver"], confirmed_at=timezone.now())
    tranche = Tranche.objects.create(application=approved, position=1, due_on=timezone.localdate(),
                                     amount=Decimal(6000))
    in_progress = ApplicationFactory.create(call=call, organisation=org_a, state=State.IN_PROGRESS,
                                            first_submitted_on=timezone.localdate() - timedelta(days=90))
    add_document(in_progress, "final_report")
    reporting = ApplicationFactory.create(call=call, organisation=org_a, state=State.REPORTING,
                                          first_submitted_on=timezone.localdate() - timedelta(days=120))
    FinalReport.objects.create(application=reporting, deliverables="Exposition montrée dans 4 communes.",
                               submitted_by=people["partner_admin"], submitted_at=timezone.now())
    world.update({
        "call": call, "draft_call": draft_call, "app_draft": draft, "app_submitted": submitted,
        "app_under_review": under_review, "review": review, "app_approved": approved, "decision": decision,
        "tranche": tranche, "app_in_progress": in_progress, "app_reporting": reporting,
    })
