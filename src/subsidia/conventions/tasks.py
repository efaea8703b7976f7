"""Background work of the conventions: the daily reminders of yearly report deadlines (to the partner's
members) and of payment dates (to finance), run by the worker (``subsidia run_huey``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from .models import PaymentKind, ReportKind, ReportStatus, ScheduledPayment, YearlyReport

log = logging.getLogger(__name__)


def _report_message(report: YearlyReport, overdue: bool) -> tuple[str, str]:
    values = {"ref": report.convention.reference, "kind": report.get_kind_display(), "year": report.year,
              "date": formats.date_format(report.due_on), "title": report.convention.title}
    if overdue:
        subject = _("Convention %(ref)s : %(kind)s %(year)s en retard (attendu le %(date)s)") % values
        body = _("%(kind)s %(year)s de la convention « %(title)s » : il était à remettre le %(date)s. Déposez-le "
                 "dès que possible.") % values
    else:
        subject = _("Convention %(ref)s : %(kind)s %(year)s attendu le %(date)s") % values
        body = _("%(kind)s %(year)s de la convention « %(title)s » : à remettre au plus tard le %(date)s.") % values
    if report.status == ReportStatus.RETURNED and report.officer_comment:
        body += "\n\n" + _("Remarques de l'agent : %(comment)s") % {"comment": report.officer_comment}
    return subject, body


def _payment_message(payment: ScheduledPayment) -> tuple[str, str]:
    values = {"ref": payment.convention.reference, "kind": payment.get_kind_display(), "year": payment.year,
              "n": payment.position, "date": formats.date_format(payment.due_on),
              "org": payment.convention.organisation,
              "amount": formats.number_format(payment.amount, 2, use_l10n=True, force_grouping=True)}
    subject = _("Convention %(ref)s : %(kind)s %(year)s n° %(n)s à payer le %(date)s") % values
    body = _("%(org)s. Montant : %(amount)s €.") % values
    return subject, body


def send_convention_reminders(today: date | None = None) -> int:
    """Remind a partner's members of the yearly reports to file (ahead of the due date, then once more when
    overdue), and finance of the payments coming due. Only signed conventions count; each reminder is sent
    once (a notification key), however often this runs. Returns the number of notifications created."""
    today = today or timezone.localdate()
    ahead = today + timedelta(days=settings.REMINDER_DAYS_AHEAD)
    sent = 0

    reports = (YearlyReport.objects.filter(
        status__in=[ReportStatus.EXPECTED, ReportStatus.RETURNED], due_on__lte=ahead,
        convention__signed_on__isnull=False,
    ).select_related("convention__organisation").order_by("due_on", "pk"))
    for report in reports:
        overdue = report.due_on < today
        members = User.objects.filter(memberships__organisation=report.convention.organisation,
                                      is_active=True).distinct()
        sent += len(notify(
            members, Kind.CONVENTION_REPORT_DUE,
            lambda r=report, late=overdue: _report_message(r, late),  # type: ignore[misc]
            reverse("conventions:report", kwargs={"pk": report.pk}),
            dedupe_key=f"convention-report-{'overdue' if overdue else 'due'}-{report.pk}"))

    # A balance is paid once the year's financial statement is accepted (it sets the amount): no reminder before.
    statement_accepted = YearlyReport.objects.filter(
        convention=OuterRef("convention"), year=OuterRef("year"), kind=ReportKind.FINANCIAL,
        status=ReportStatus.ACCEPTED)
    payments = (ScheduledPayment.objects.filter(
        paid_on__isnull=True, due_on__lte=ahead, convention__signed_on__isnull=False,
    ).filter(Q(kind=PaymentKind.ADVANCE) | Q(Exists(statement_accepted)))
        .select_related("convention__organisation").order_by("due_on", "pk"))
    finance = list(User.objects.filter(role_grants__role=Role.FINANCE, is_active=True).distinct())
    for payment in payments:
        # Unpaid lines are rebuilt when the convention changes: the key names the line, not the row.
        key = (f"convention-payment-{payment.convention_id}-{payment.year}-{payment.kind}-{payment.position}-"
               f"{payment.due_on:%Y%m%d}")
        sent += len(notify(
            finance, Kind.PAYMENT_DUE, lambda p=payment: _payment_message(p),  # type: ignore[misc]
            reverse("conventions:detail", kwargs={"pk": payment.convention_id}), dedupe_key=key))
    log.info("convention reminders sent: %s", sent)
    return sent


@db_periodic_task(crontab(hour="7", minute="20"))
def daily_convention_reminders() -> int:
    return send_convention_reminders()
