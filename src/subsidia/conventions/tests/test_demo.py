"""The conventions part of `subsidia load-demo`: the Département de l'intégration's conventions with ASTI,
Caritas, CLAE and CEFIS and the MEGA's with its 11 organisations, in force today, with a consistent history
(schedules, reports, an amendment), the overlapping-funding example; loading again creates nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conftest import sign_in
from subsidia.conventions import money, selectors
from subsidia.conventions.demo import MEGA_CONVENTIONS
from subsidia.conventions.models import (
    Amendment,
    AmendmentLine,
    Convention,
    ConventionDomain,
    DomainSpending,
    Indicator,
    IndicatorValue,
    PaymentKind,
    ReportDocument,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.tasks import send_convention_reminders
from subsidia.grants.models import Application
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import ActivityDomain, Organisation

INTEGRATION = "Département de l'intégration"
MEGA = "Ministère de l'Égalité des genres et de la Diversité"
ASTI = "Association de soutien aux travailleurs immigrés"
CARITAS = "Fondation Caritas Luxembourg"
CLAE = "Comité de liaison des associations d'étrangers"
CEFIS = "Centre d'étude et de formation interculturelles et sociales"
COUNTED = [ActivityDomain, Convention, ConventionDomain, Indicator, Amendment, AmendmentLine, ScheduledPayment,
           YearlyReport, IndicatorValue, DomainSpending, ReportDocument, Notification, AuditEvent]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def current(organisation: str, department: str = INTEGRATION) -> Convention:
    today = timezone.localdate()
    return selectors.with_details(Convention.objects.active_on(today)).get(
        organisation__name=organisation, department__name=department)


def _check_money(convention: Convention, today: date) -> None:
    """The schedule is what the services keep: each year adds up to the amount granted (or, once the
    financial statement is accepted, to the eligible amount); what was due a week ago is paid."""
    for position in money.positions(convention, today):
        target = position.eligible if position.statement_status == ReportStatus.ACCEPTED else position.granted
        assert position.scheduled == target, (convention, position.year)
        assert position.surplus == 0
        for payment in position.payments:
            assert payment.paid_on is None or payment.paid_on <= today
            if payment.kind == PaymentKind.ADVANCE and payment.due_on < today - timedelta(days=7):
                assert payment.paid_on is not None, payment


@pytest.mark.django_db
def test_the_conventions_demo_and_loading_it_again(client: Client) -> None:
    output = load()
    first = counts()
    assert "Conventions: 16 (16 created" in output
    assert load()  # loading again creates nothing
    assert counts() == first
    today = timezone.localdate()
    last = today.year - 1

    # The Département de l'intégration's four partners, "conventionnées" today, over several years.
    asti, caritas, clae, cefis = (current(name) for name in (ASTI, CARITAS, CLAE, CEFIS))
    assert [str(d.activity) for d in asti.domains.all()] == [
        "Accompagnement des communes", "Traduction orale directe", "Guichet Info-Migrants"]
    assert [str(d.activity) for d in caritas.domains.all()] == ["Accueil", "Centre de jour"]
    assert [d.activity.code for d in clae.domains.all()] == ["participation-citoyenne-interculturalite"]
    assert [d.activity.code for d in cefis.domains.all()] == ["observatoire-formation-interculturelle"]
    for convention in (asti, caritas, clae, cefis):
        assert selectors.is_conventioned(convention.organisation)
        assert convention.signed_on is not None
        assert convention.is_example and convention.signed_on < convention.starts_on <= today
        assert convention.ends_on.year - convention.starts_on.year >= 2
        assert all(i.yearly_target > 0 for d in convention.domains.all() for i in d.indicators.all())
        assert all("(exemple)" in d.description for d in convention.domains.all())
        _check_money(convention, today)
        assert convention.payments.filter(year=last, kind=PaymentKind.ADVANCE, paid_on__isnull=True).count() == 0

    # Last year's reports: ASTI's activity report waits for the officer, CLAE's statement was returned.
    waiting = asti.reports.get(year=last, kind=ReportKind.ACTIVITY)
    assert waiting.submitted_by is not None
    assert waiting.status == ReportStatus.SUBMITTED and waiting.submitted_by.email.startswith("gestionnaire.asti")
    assert waiting.indicator_values.count() == 6 and "(exemple)" in waiting.narrative
    assert list(selectors.reports_to_review()) == [waiting]
    returned = clae.reports.get(year=last, kind=ReportKind.FINANCIAL)
    assert returned.status == ReportStatus.RETURNED and "(exemple)" in returned.officer_comment
    assert returned.reviewed_by is not None and returned.reviewed_by.email == "officer@demo.subsidia.lu"
    overdue = set(selectors.overdue_reports(today))
    assert overdue == ({returned} if today > returned.due_on else set())
    if today > money.report_due_on(last) + timedelta(days=30):
        for report in YearlyReport.objects.filter(convention__in=[asti, caritas, clae, cefis], year=last).exclude(
                pk__in=[waiting.pk, returned.pk]):
            assert report.status == ReportStatus.ACCEPTED, report
            assert report.submitted_at is not None and report.reviewed_at is not None
            assert report.submitted_at < report.reviewed_at <= timezone.now()
    for document in ReportDocument.objects.all():
        with default_storage.open(document.file.name, "rb") as handle:
            assert handle.read().startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="convention.report_submit", note="load-demo").exists()

    # Caritas' amendment raises the day centre's amount mid-year.
    amendment = caritas.amendments.get()
    line = amendment.lines.get()
    assert (str(line.domain.activity), line.yearly_amount) == ("Centre de jour", 455000)
    assert amendment.effective_from.month == 7 and amendment.signed_on < amendment.effective_from <= today

    # The MEGA and its 11 conventioned organisations, one domain each.
    for name, _spec in MEGA_CONVENTIONS:
        convention = current(name, MEGA)
        assert convention.domains.count() == 1 and convention.is_example
        _check_money(convention, today)
    assert {o.name for o in selectors.conventioned_organisations()} == {
        ASTI, CARITAS, CLAE, CEFIS, *(name for name, _spec in MEGA_CONVENTIONS)}

    # ASTI's subsidy application in a domain its (earlier) convention funded: the overlap warning.
    application = Application.objects.get(organisation__name=ASTI, title__startswith="Ateliers « Je vote aussi »")
    overlaps = selectors.overlaps_for_application(application)
    assert [(o.domain.activity.code, o.convention.organisation.name) for o in overlaps] == [
        ("guichet-info-migrants", ASTI)]
    assert application.start_date is not None and application.end_date is not None
    overview = selectors.funding_overview(Organisation.objects.get(name=ASTI), application.start_date,
                                          application.end_date)
    assert overview.overlaps and any(line.warning for line in overview.lines if line.kind == "subsidy")

    # The past is not in the inboxes: only what still waits (the officer's report to review).
    assert not Notification.objects.filter(kind__in=[Kind.CONVENTION_PAYMENT, Kind.CONVENTION]).exists()
    notice = Notification.objects.get(kind=Kind.CONVENTION_REPORT_SUBMITTED)
    assert notice.user.email == "officer@demo.subsidia.lu" and notice.read_at is None and notice.emailed_at
    assert send_convention_reminders(today) >= 0  # the worker's job runs on the demo

    # The technical administrator reads it all in the admin.
    sign_in(client, User.objects.get(email="admin@demo.subsidia.lu"))
    for model in [Convention, ConventionDomain, Indicator, Amendment, AmendmentLine, ScheduledPayment, YearlyReport,
                  IndicatorValue, DomainSpending, ReportDocument]:
        url = reverse(f"admin:conventions_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:conventions_convention_change", args=[asti.pk])).status_code == 200
