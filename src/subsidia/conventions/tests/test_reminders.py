"""The daily convention reminders (conventions.tasks.send_convention_reminders): yearly reports to the
partner's members (ahead of the due date, then once more when overdue), payment dates to finance; each sent
once however often the job runs, and only for signed conventions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.conventions.models import (
    Convention,
    PaymentKind,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.tasks import daily_convention_reminders, send_convention_reminders
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation

from .factories import ConventionDomainFactory, ConventionFactory

DUE = date(2025, 3, 31)  # the 2024 reports of the ``signed`` convention (2024-2026)
SOON = DUE - timedelta(days=10)


@pytest.fixture(autouse=True)
def _reminder_settings(settings: Settings) -> None:
    settings.REMINDER_DAYS_AHEAD = 14
    settings.CONVENTION_REPORTS_DUE = "03-31"


@pytest.fixture
def partners(org_a: Organisation, make_user: Callable[..., User]) -> list[User]:
    return [make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)]


def _pay_everything(convention: Convention) -> None:
    convention.payments.update(paid_on=date(2023, 12, 20))


def _reports_2024(convention: Convention) -> list[YearlyReport]:
    return list(convention.reports.filter(year=2024).order_by("kind"))


# --- yearly reports ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_reports_due_soon_notify_the_members_once(
        signed: Convention, partners: list[User], org_b: Organisation, make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    stranger = make_user("partner_admin", organisation=org_b)
    _pay_everything(signed)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_convention_reminders(today=SOON) == 4  # two reports, two members
    activity = signed.reports.get(year=2024, kind=ReportKind.ACTIVITY)
    for user in partners:
        notifications = Notification.objects.filter(user=user).order_by("subject")
        assert [n.kind for n in notifications] == [Kind.CONVENTION_REPORT_DUE] * 2
        subjects = [n.subject for n in notifications]
        assert all(signed.reference in s and "2024" in s and "31 mars 2025" in s for s in subjects), subjects
        assert {n.dedupe_key for n in notifications} == {f"convention-report-due-{r.pk}"
                                                          for r in _reports_2024(signed)}
        assert reverse("conventions:report", kwargs={"pk": activity.pk}) in {n.url for n in notifications}
    assert not Notification.objects.filter(user=stranger).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([u.email for u in partners] * 2)
    # The job runs every day: the same reminder is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_convention_reminders(today=SOON) == 0
        assert send_convention_reminders(today=SOON + timedelta(days=1)) == 0
        assert send_convention_reminders(today=DUE) == 0  # due today is not overdue yet
    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_an_overdue_report_is_reminded_once_more(
        signed: Convention, partners: list[User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    _pay_everything(signed)
    assert send_convention_reminders(today=SOON) == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert send_convention_reminders(today=DUE + timedelta(days=1)) == 4  # now overdue
    overdue = Notification.objects.filter(user=partners[0], dedupe_key__startswith="convention-report-overdue-")
    assert overdue.count() == 2
    assert all("en retard" in n.subject and n.kind == Kind.CONVENTION_REPORT_DUE for n in overdue)
    assert len(mail.outbox) == 4
    assert send_convention_reminders(today=DUE + timedelta(days=30)) == 0
    # A report first seen late gets the overdue reminder only.
    assert send_convention_reminders(today=date(2026, 4, 5)) == 4  # the 2025 reports, already overdue
    assert not Notification.objects.filter(dedupe_key__in=[
        f"convention-report-due-{r.pk}" for r in signed.reports.filter(year=2025)]).exists()


@pytest.mark.django_db
def test_a_returned_report_is_reminded_with_the_officers_remarks(signed: Convention, partners: list[User]) -> None:
    _pay_everything(signed)
    activity, financial = _reports_2024(signed)
    YearlyReport.objects.filter(pk=financial.pk).update(status=ReportStatus.ACCEPTED)
    YearlyReport.objects.filter(pk=activity.pk).update(status=ReportStatus.RETURNED,
                                                       officer_comment="Il manque le nombre de permanences.")
    assert send_convention_reminders(today=DUE + timedelta(days=3)) == 2
    notification = Notification.objects.get(user=partners[0])
    assert notification.dedupe_key == f"convention-report-overdue-{activity.pk}"
    assert "Il manque le nombre de permanences." in notification.body


@pytest.mark.django_db
def test_no_report_reminder_too_early_filed_or_for_a_draft(signed: Convention, partners: list[User],
                                                           org_a: Organisation, make_user: Callable[..., User]) -> None:
    make_user("finance")
    _pay_everything(signed)
    assert send_convention_reminders(today=DUE - timedelta(days=15)) == 0  # beyond the window
    activity, financial = _reports_2024(signed)
    YearlyReport.objects.filter(pk=activity.pk).update(status=ReportStatus.SUBMITTED)
    YearlyReport.objects.filter(pk=financial.pk).update(status=ReportStatus.ACCEPTED)
    draft = ConventionFactory.create(organisation=org_a, starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
    ConventionDomainFactory.create(convention=draft)
    YearlyReport.objects.create(convention=draft, year=2024, kind=ReportKind.ACTIVITY, due_on=DUE)
    ScheduledPayment.objects.create(convention=draft, year=2024, kind=PaymentKind.ADVANCE, position=1,
                                    due_on=SOON, amount=Decimal("1000.00"))
    assert send_convention_reminders(today=SOON) == 0
    assert send_convention_reminders(today=DUE + timedelta(days=5)) == 0
    assert not Notification.objects.exists()


# --- payments ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_unpaid_advances_due_soon_notify_finance_once(
        signed: Convention, make_user: Callable[..., User], gestionnaire: User,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    finance = [make_user("finance"), make_user("finance")]
    officer = make_user("officer")
    today = date(2024, 3, 25)
    signed.payments.filter(year=2024, position=1).update(paid_on=date(2024, 1, 5))
    due = signed.payments.get(year=2024, kind=PaymentKind.ADVANCE, position=2)  # 1 April 2024
    with django_capture_on_commit_callbacks(execute=True):
        assert send_convention_reminders(today=today) == 2
    for user in finance:
        notification = Notification.objects.get(user=user)
        assert notification.kind == Kind.PAYMENT_DUE
        assert notification.dedupe_key == f"convention-payment-{signed.pk}-2024-advance-2-20240401"
        assert f"Convention {signed.reference}" in notification.subject and "1 avril 2024" in notification.subject
        assert "27 000,00" in notification.body.replace("\u202f", " ").replace("\xa0", " ")
        assert notification.url == reverse("conventions:detail", kwargs={"pk": signed.pk})
    assert due.amount == Decimal("27000.00")
    assert not Notification.objects.filter(user__in=[officer, gestionnaire]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in finance)
    assert send_convention_reminders(today=today) == 0
    assert send_convention_reminders(today=today + timedelta(days=10)) == 0  # now late: no second reminder
    signed.payments.filter(year=2024, position=2).update(paid_on=date(2024, 4, 2))
    assert send_convention_reminders(today=date(2024, 6, 20)) == 2  # the third advance, 1 July


@pytest.mark.django_db
def test_a_balance_is_reminded_once_the_statement_is_accepted(signed: Convention,
                                                              make_user: Callable[..., User]) -> None:
    make_user("finance")
    signed.payments.filter(kind=PaymentKind.ADVANCE, year=2024).update(paid_on=date(2024, 1, 5))
    signed.payments.filter(year__gt=2024).update(paid_on=date(2024, 1, 5))
    signed.reports.filter(year=2024).update(status=ReportStatus.SUBMITTED)
    balance = signed.payments.get(year=2024, kind=PaymentKind.BALANCE)  # due 60 days after the reports
    day = balance.due_on - timedelta(days=5)
    assert send_convention_reminders(today=day) == 0
    signed.reports.filter(year=2024, kind=ReportKind.FINANCIAL).update(status=ReportStatus.ACCEPTED)
    assert send_convention_reminders(today=day) == 1
    assert Notification.objects.get().dedupe_key.startswith(f"convention-payment-{signed.pk}-2024-balance-1-")


# --- the worker ----------------------------------------------------------------------------------

def test_daily_convention_reminders_is_a_periodic_task_of_the_worker() -> None:
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # what `subsidia run_huey` does at start
    assert "subsidia.conventions.tasks.daily_convention_reminders" in HUEY._registry._registry
    periodic = [task.name for task in HUEY._registry.periodic_tasks]
    assert "daily_convention_reminders" in periodic
    task = daily_convention_reminders.task_class()
    assert task.validate_datetime(datetime(2026, 3, 20, 7, 20))  # noqa: DTZ001 - huey checks naive local times
    assert not task.validate_datetime(datetime(2026, 3, 20, 7, 15))  # noqa: DTZ001 - huey checks naive local times


@pytest.mark.django_db
def test_daily_convention_reminders_runs_from_today(org_a: Organisation, partners: list[User], approver: User) -> None:
    from subsidia.conventions.inputs import SignInput
    from subsidia.conventions.services.acts import sign_convention

    today = timezone.localdate()
    convention = ConventionFactory.create(organisation=org_a, starts_on=date(today.year - 1, 1, 1),
                                          ends_on=date(today.year - 1, 12, 31))
    ConventionDomainFactory.create(convention=convention)
    sign_convention(approver, convention, SignInput(signed_on=date(today.year - 2, 12, 1)))
    convention.payments.update(paid_on=date(today.year - 2, 12, 20))
    convention.reports.update(due_on=today + timedelta(days=1))
    assert daily_convention_reminders.call_local() == 4
