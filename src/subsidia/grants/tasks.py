"""Background work of the grants: decision letters, and the daily reminders of report deadlines,
payment dates and pending reviews (run by the worker: ``subsidia run_huey``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .letters import store_decision_letter
from .models import Application, Decision, Review, State, Tranche

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=30)
def generate_decision_letter(decision_id: int) -> None:
    decision = Decision.objects.select_related("application__call", "application__organisation").filter(
        pk=decision_id).first()
    if decision is not None:
        store_decision_letter(decision)


def send_reminders(today: date | None = None) -> int:
    """Remind partners of report deadlines, finance of payment dates and reviewers of pending reviews.
    Each reminder is sent once (a notification key), however often this runs."""
    today = today or timezone.localdate()
    ahead = today + timedelta(days=settings.REMINDER_DAYS_AHEAD)
    sent = 0
    due_reports = Application.objects.filter(
        state=State.IN_PROGRESS, report_due_on__isnull=False, report_due_on__lte=ahead,
    ).select_related("organisation")
    for application in due_reports:
        partners = User.objects.filter(memberships__organisation=application.organisation, is_active=True)
        overdue = application.report_due_on < today  # type: ignore[operator]
        key = f"report-{'overdue' if overdue else 'due'}-{application.pk}"
        sent += len(notify(partners, Kind.REPORT_DUE, lambda a=application: (  # type: ignore[misc]
            _("%(ref)s : rapport final attendu le %(date)s") % {
                "ref": a.reference, "date": formats.date_format(a.report_due_on)},
            _("Le rapport final du projet « %(title)s » est à déposer au plus tard le %(date)s.") % {
                "title": a.title, "date": formats.date_format(a.report_due_on)}),
            reverse("grants:application_detail", kwargs={"pk": application.pk}), dedupe_key=key))
    finance = list(User.objects.filter(role_grants__role=Role.FINANCE, is_active=True).distinct())
    due_tranches = Tranche.objects.filter(paid_on__isnull=True, due_on__lte=ahead, application__state__in=[
        State.APPROVED, State.IN_PROGRESS, State.REPORTING]).select_related("application")
    for tranche in due_tranches:
        sent += len(notify(finance, Kind.PAYMENT_DUE, lambda t=tranche: (  # type: ignore[misc]
            _("%(ref)s : tranche %(n)s à payer le %(date)s") % {
                "ref": t.application.reference, "n": t.position, "date": formats.date_format(t.due_on)},
            _("Montant : %(amount)s €.") % {
                "amount": formats.number_format(t.amount, 2, use_l10n=True, force_grouping=True)}),
            reverse("grants:application_detail", kwargs={"pk": tranche.application_id}),
            dedupe_key=f"tranche-due-{tranche.pk}"))
    # Counted from ``today`` (not the clock), like the other reminders.
    waited = timezone.now() - timedelta(days=(timezone.localdate() - today).days + settings.REVIEW_REMINDER_AFTER_DAYS)
    pending = Review.objects.filter(status=Review.Status.ASSIGNED, assigned_at__lte=waited,
                                    application__state=State.UNDER_REVIEW).select_related("application", "reviewer")
    for review in pending:
        sent += len(notify([review.reviewer], Kind.REVIEW_PENDING, lambda r=review: (  # type: ignore[misc]
            _("Évaluation en attente : %(ref)s") % {"ref": r.application.reference},
            _("L'évaluation de « %(title)s » vous attend depuis le %(date)s.") % {
                "title": r.application.title, "date": formats.date_format(timezone.localtime(r.assigned_at))}),
            reverse("grants:review", kwargs={"pk": review.pk}), dedupe_key=f"review-pending-{review.pk}"))
    log.info("grant reminders sent: %s", sent)
    return sent


@db_periodic_task(crontab(hour="7", minute="15"))
def daily_reminders() -> int:
    return send_reminders()
