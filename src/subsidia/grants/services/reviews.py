"""Officers assign reviewers; a reviewer declares a conflict of interest or scores every criterion and
recommends. A submitted review is part of the record and stays."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, Conflict, NotFound, RuleViolation, Violation
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from ..errors import GrantError
from ..models import Application, Recommendation, Review, Score, State
from ..workflow import REVIEW_STATES
from .common import application_url, officers, require_officer


@transaction.atomic
def assign_reviewers(actor: Actor, applications: Iterable[Application], reviewers: Iterable[User]) -> list[Review]:
    """Assign each reviewer to each application (bulk); an existing assignment is kept as is."""
    require_officer(actor)
    applications = list(applications)
    reviewers = list(reviewers)
    problems = []
    for reviewer in reviewers:
        if not reviewer.has_role(Role.REVIEWER):
            problems.append(Violation(GrantError.NOT_A_REVIEWER, _("%(who)s n'est pas expert évaluateur.") % {
                "who": reviewer.email}, "reviewers"))
    if not reviewers:
        problems.append(Violation(Code.REQUIRED, _("Choisissez au moins un expert."), "reviewers"))
    if not applications:
        problems.append(Violation(Code.REQUIRED, _("Choisissez au moins une demande."), "applications"))
    for application in applications:
        if application.state not in REVIEW_STATES:
            problems.append(Violation(Code.ILLEGAL_TRANSITION, _(
                "%(ref)s : pas d'évaluation dans l'état « %(s)s ».") % {
                "ref": application.reference, "s": application.get_state_display()}, "applications"))
    if problems:
        raise RuleViolation(problems)
    created = []
    for application in applications:
        for reviewer in reviewers:
            review, new = Review.objects.get_or_create(application=application, reviewer=reviewer,
                                                       defaults={"assigned_by": actor})
            if new:
                created.append(review)
                record(actor, "review.assign", review, after={"application": application.reference,
                                                              "reviewer": reviewer.email})
    for review in created:
        application = review.application
        notify([review.reviewer], Kind.REVIEW_ASSIGNED, lambda a=application: (  # type: ignore[misc]
            _("Évaluation confiée : %(ref)s") % {"ref": a.reference},
            _("Vous êtes invité(e) à évaluer la demande « %(title)s ». Déclarez tout conflit d'intérêts avant "
              "de l'examiner.") % {"title": a.title}),
            reverse("grants:review", kwargs={"pk": review.pk}))
    return created


def _own_review(actor: Actor, review: Review) -> Review:
    review = Review.objects.select_for_update().select_related("application").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise NotFound.single(Code.NOT_FOUND, _("Évaluation introuvable."))
    if review.application.state not in REVIEW_STATES:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("La demande n'est plus en évaluation."), "state")
    return review


@transaction.atomic
def unassign_reviewer(actor: Actor, review: Review) -> None:
    """Take a reviewer off an application; a submitted review is part of the record and stays."""
    require_officer(actor)
    # Locked and read again: a review submitted meanwhile is not removed from under its reviewer.
    review = Review.objects.select_for_update().select_related("application", "reviewer").get(pk=review.pk)
    if review.status == Review.Status.SUBMITTED:
        raise Conflict.single(GrantError.REVIEW_SUBMITTED, _("Une évaluation remise ne peut être retirée."), "review")
    record(actor, "review.unassign", review, before={"application": review.application.reference,
                                                     "reviewer": review.reviewer.email})
    review.delete()


@transaction.atomic
def declare_conflict(actor: Actor, review: Review, note: str) -> Review:
    """The reviewer declares a conflict of interest and is taken off the application's review."""
    review = _own_review(actor, review)
    if not (note or "").strip():
        raise RuleViolation.single(Code.REQUIRED, _("Décrivez le conflit d'intérêts."), "note")
    if review.status == Review.Status.SUBMITTED:
        raise Conflict.single(GrantError.REVIEW_SUBMITTED, _("L'évaluation est déjà remise."), "review")
    before = snapshot(review, ["status", "conflict_note"])
    review.status, review.conflict_note = Review.Status.CONFLICT, note.strip()
    review.save()
    record(actor, "review.conflict", review, before=before, after=snapshot(review, ["status", "conflict_note"]))
    application = review.application
    notify(officers(), Kind.REVIEW_ASSIGNED, lambda: (
        _("Conflit d'intérêts déclaré sur %(ref)s") % {"ref": application.reference},
        _("Un expert s'est déporté ; confiez l'évaluation à quelqu'un d'autre.")), application_url(application))
    return review


@transaction.atomic
def submit_review(actor: Actor, review: Review, scores: dict[int, tuple[int, str]], recommendation: str,
                  comment: str = "") -> Review:
    """Score every criterion (0 to 5) with a comment, and recommend."""
    review = _own_review(actor, review)
    if review.status == Review.Status.CONFLICT:
        raise Conflict.single(GrantError.CONFLICT_DECLARED, _("Vous avez déclaré un conflit d'intérêts."), "review")
    if review.application.state != State.UNDER_REVIEW:
        raise Conflict.single(Code.ILLEGAL_TRANSITION, _("La demande n'est pas encore en évaluation."), "state")
    criteria = list(review.application.call.criteria.all())
    problems = []
    clean: dict[int, tuple[int, str]] = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None or not 0 <= value[0] <= 5:
            problems.append(Violation(GrantError.SCORE_REQUIRED,
                                      _("Notez « %(c)s » de 0 à 5.") % {"c": criterion.title},
                                      f"scores.{criterion.pk}"))
        else:
            clean[criterion.pk] = value
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        problems.append(Violation(GrantError.UNKNOWN_CRITERION, _("Critère inconnu."), "scores"))
    if recommendation not in Recommendation.values:
        problems.append(Violation(Code.REQUIRED, _("Choisissez une recommandation."), "recommendation"))
    if problems:
        raise RuleViolation(problems)
    for criterion in criteria:
        score, note = clean[criterion.pk]
        Score.objects.update_or_create(review=review, criterion=criterion,
                                       defaults={"score": score, "comment": note})
    before = snapshot(review, ["status", "recommendation", "comment"])
    review.status, review.recommendation, review.comment = Review.Status.SUBMITTED, recommendation, comment or ""
    review.submitted_at = timezone.now()
    review.save()
    after = snapshot(review, ["status", "recommendation", "comment"])
    after["scores"] = {str(k): v[0] for k, v in clean.items()}
    record(actor, "review.submit", review, before=before, after=after)
    return review
