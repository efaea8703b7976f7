"""Reads on calls and applications, always scoped by the user who reads."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.roles import Role

from .models import Application, Call, Review, Score, State

# Staff who read every application (the auditor reads and never writes).
ALL_APPLICATIONS_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ADMIN})


def sees_all_applications(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.staff_roles & ALL_APPLICATIONS_ROLES)


def manages_calls(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.OFFICER))


def calls_visible_to(user: Visitor) -> QuerySet[Call]:
    """Published calls for everyone; drafts too for the ministry's staff who read applications."""
    calls = Call.objects.prefetch_related("priorities", "criteria", "questions")
    if sees_all_applications(user):
        return calls
    return calls.filter(is_published=True)


def open_calls(on: date | None = None) -> QuerySet[Call]:
    day = on or timezone.localdate()
    return (
        Call.objects.filter(is_published=True)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=day))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))
        .prefetch_related("priorities")
        .order_by("closes_on", "title")
    )


def _with_details(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related("call", "organisation", "priority").prefetch_related(
        "budget_lines", "documents",
        Prefetch("reviews", queryset=Review.objects.select_related("reviewer").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion")))),
    )


def applications_visible_to(user: Visitor) -> QuerySet[Application]:
    """Staff readers see all; reviewers their assigned applications; partners their organisations'."""
    applications = Application.objects.all()
    if not user.is_authenticated:
        return applications.none()
    if sees_all_applications(user):
        return _with_details(applications)
    scope = Q(pk__in=[])
    if user.has_role(Role.REVIEWER):
        scope |= Q(reviews__reviewer=user)
    if user.partner_roles:
        scope |= Q(organisation__memberships__user=user)
    return _with_details(applications.filter(scope).distinct())


def is_member_of(user: Visitor, application: Application, *, admin: bool = False) -> bool:
    if not user.is_authenticated:
        return False
    memberships = application.organisation.memberships.filter(user=user)
    if admin:
        memberships = memberships.filter(role=Role.PARTNER_ADMIN)
    return memberships.exists()


def reviews_of(user: Visitor) -> QuerySet[Review]:
    """The reviews assigned to a reviewer."""
    if not user.is_authenticated:
        return Review.objects.none()
    return (Review.objects.filter(reviewer=user).select_related("application__call", "application__organisation")
            .order_by("status", "-assigned_at"))


@dataclass(frozen=True)
class ScoreStats:
    reviews: int
    average: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None  # highest minus lowest
    stdev: Decimal | None
    recommendations: dict[str, int]


def score_stats(application: Application) -> ScoreStats:
    """The weighted average of the submitted reviews, and how far reviewers disagree."""
    submitted = [r for r in application.reviews.all() if r.status == Review.Status.SUBMITTED]
    scores = [s for s in (r.weighted_score() for r in submitted) if s is not None]
    recommendations: dict[str, int] = {}
    for review in submitted:
        if review.recommendation:
            recommendations[review.recommendation] = recommendations.get(review.recommendation, 0) + 1
    if not scores:
        return ScoreStats(0, None, None, None, None, None, recommendations)
    two = Decimal("0.01")
    average = (sum(scores, Decimal(0)) / len(scores)).quantize(two)
    stdev = Decimal(str(statistics.pstdev([float(s) for s in scores]))).quantize(two)
    return ScoreStats(len(scores), average, min(scores), max(scores), max(scores) - min(scores), stdev,
                      recommendations)


@dataclass(frozen=True)
class SummaryRow:
    application: Application
    requested: Decimal
    stats: ScoreStats
    decision: Any


def decision_summary(call: Call) -> dict[str, Any]:
    """What the approver needs to decide on a call: each application under review or decided, its
    requested amount, weighted score and recommendations, and the budget left in the envelope."""
    applications = _with_details(call.applications.filter(state__in=[
        State.UNDER_REVIEW, State.APPROVED, State.REJECTED, State.IN_PROGRESS, State.REPORTING, State.CLOSED,
    ])).select_related("decision")
    rows = [SummaryRow(a, a.requested_amount or Decimal(0), score_stats(a), getattr(a, "decision", None))
            for a in applications]
    rows.sort(key=lambda r: (r.stats.average is None, -(r.stats.average or 0), r.application.reference))
    pending = sum((r.requested for r in rows if r.application.state == State.UNDER_REVIEW), Decimal(0))
    return {"call": call, "rows": rows, "budget": call.budget, "committed": call.committed,
            "remaining": call.remaining, "requested_pending": pending}


SORTS = {
    "reference": "reference", "-reference": "-reference", "title": "title", "-title": "-title",
    "organisation": "organisation__name", "-organisation": "-organisation__name",
    "amount": "requested_amount", "-amount": "-requested_amount", "submitted": "submitted_at",
    "-submitted": "-submitted_at", "start": "start_date", "-start": "-start_date", "state": "state",
    "-state": "-state",
}


def queue(user: Visitor, *, call: str = "", state: str = "", priority: str = "", organisation: str = "",
          reviewer: str = "", q: str = "", sort: str = "") -> QuerySet[Application]:
    """The officers' queue: applications the user sees, filtered, searched and sorted."""
    applications = applications_visible_to(user)
    if call.isdigit():
        applications = applications.filter(call_id=int(call))
    if state:
        applications = applications.filter(state=state)
    if priority.isdigit():
        applications = applications.filter(priority_id=int(priority))
    if organisation.isdigit():
        applications = applications.filter(organisation_id=int(organisation))
    if reviewer == "none":
        applications = applications.filter(reviews__isnull=True)
    elif reviewer.isdigit():
        applications = applications.filter(reviews__reviewer_id=int(reviewer))
    if q:
        applications = applications.filter(
            Q(reference__icontains=q) | Q(title__icontains=q) | Q(summary__icontains=q)
            | Q(organisation__name__icontains=q) | Q(organisation__acronym__icontains=q)
        )
    return applications.distinct().order_by(SORTS.get(sort, "-created_at"), "pk")
