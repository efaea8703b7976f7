"""The grants API: officers assign reviewers to an application; reviewers read their assignments, declare a
conflict of interest or submit their scores. A reviewer sees only their own reviews (404 for the others)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.core.errors import RuleViolation
from subsidia.grants import selectors
from subsidia.grants.errors import GrantError
from subsidia.grants.models import Review
from subsidia.grants.services import reviews as review_services

from .auth import SIGNED_IN_AUTH, api_access, caller
from .grants import CALL_MANAGERS, ERRORS, REVIEWERS, visible_application
from .schemas import Id, Pages
from .schemas_grants import ConflictIn, ReviewersIn, ReviewSubmitIn
from .schemas_grants_out import ReviewOut

router = Router(tags=["grants"])


# --- reviews -------------------------------------------------------------------------------------

def _review_queryset(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related("application__call", "reviewer")


@router.post("/applications/{application_id}/reviewers", auth=SIGNED_IN_AUTH, response={200: list[ReviewOut], **ERRORS})
@api_access(CALL_MANAGERS)
def assign_reviewers(request: HttpRequest, application_id: Id, payload: ReviewersIn) -> Any:
    """Assign reviewers (officers); an existing assignment is kept. Answers the application's reviews."""
    user = caller(request)
    application = visible_application(user, application_id)
    reviewers = list(User.objects.filter(pk__in=payload.reviewer_ids, is_active=True))
    unknown = sorted(set(payload.reviewer_ids) - {r.pk for r in reviewers})
    if unknown:
        raise RuleViolation.single(GrantError.UNKNOWN_REVIEWER,
                                   "Expert inconnu : " + ", ".join(map(str, unknown)), "reviewer_ids")
    review_services.assign_reviewers(user, [application], reviewers)
    return list(_review_queryset(Review.objects.filter(application=application)))


@router.get("/reviews", auth=SIGNED_IN_AUTH, response=list[ReviewOut])
@api_access(REVIEWERS)
@paginate(Pages, page_size=50)
def list_reviews(request: HttpRequest) -> Any:
    """The caller's review assignments, with the criteria to score."""
    return _review_queryset(selectors.reviews_of(caller(request)))


def _review(user: Actor, review_id: Id) -> Review:
    return get_object_or_404(selectors.reviews_of(user), pk=review_id)


@router.post("/reviews/{review_id}/conflict", auth=SIGNED_IN_AUTH, response={200: ReviewOut, **ERRORS})
@api_access(REVIEWERS)
def declare_conflict(request: HttpRequest, review_id: Id, payload: ConflictIn) -> Any:
    """Declare a conflict of interest: the reviewer is taken off this application's review."""
    user = caller(request)
    review = review_services.declare_conflict(user, _review(user, review_id), payload.note)
    return _review_queryset(Review.objects.all()).get(pk=review.pk)


@router.post("/reviews/{review_id}/submit", auth=SIGNED_IN_AUTH, response={200: ReviewOut, **ERRORS})
@api_access(REVIEWERS)
def submit_review(request: HttpRequest, review_id: Id, payload: ReviewSubmitIn) -> Any:
    """Score every criterion of the call from 0 to 5, with a comment, and recommend."""
    user = caller(request)
    scores = {item.criterion_id: (item.score, item.comment) for item in payload.scores}
    review = review_services.submit_review(user, _review(user, review_id), scores, payload.recommendation,
                                           payload.comment)
    return _review_queryset(Review.objects.all()).get(pk=review.pk)
