"""The daily reminders (grants.tasks.send_reminders): report deadlines to the partner, payment dates
to finance, pending reviews to the reviewer; each sent once, however often the job runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.grants.models import Application, Review, State, Tranche
from subsidia.grants.tasks import daily_reminders, send_reminders
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation

from .factories import ApplicationFactory

TODAY = date(2023, 11, 6)


@pytest.fixture(autouse=True)
def _reminder_settings(settings: Settings) -> None:
    settings.REMINDER_DAYS_AHEAD = 14
    settings.REVIEW_REMINDER_AFTER_DAYS = 7


@pytest.fixture
def partners(org_a: Organisation, make_user: Callable[..., User]) -> list[User]:
    return [make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)]


def _in_progress(org: Organisation, report_due_on: date, state: str = State.IN_PROGRESS) -> Application:
    return ApplicationFactory.create(organisation=org, state=state, report_due_on=report_due_on,
                                     first_submitted_on=date(2023, 3, 1))


def _kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- final reports -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_report_due_soon_notifies_the_partner_members_once(
        org_a: Organisation, org_b: Organisation, partners: list[User], make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    stranger = make_user("partner_admin", organisation=org_b)
    application = _in_progress(org_a, TODAY + timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 2
    for user in partners:
        notification = Notification.objects.get(user=user)
        assert notification.kind == Kind.REPORT_DUE
        assert application.reference in notification.subject
        assert "20 novembre 2023" in notification.subject
        assert notification.url == reverse("grants:application_detail", kwargs={"pk": application.pk})
    assert not Notification.objects.filter(user=stranger).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in partners)
    # The job runs every day: the same reminder is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 0
        assert send_reminders(today=TODAY + timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_overdue_report_is_reminded_once_more(org_a: Organisation, partners: list[User]) -> None:
    _in_progress(org_a, TODAY + timedelta(days=3))
    assert send_reminders(today=TODAY) == 2
    assert send_reminders(today=TODAY + timedelta(days=4)) == 2  # now overdue: one more reminder
    assert send_reminders(today=TODAY + timedelta(days=30)) == 0
    assert _kinds(partners[0]) == [Kind.REPORT_DUE, Kind.REPORT_DUE]


@pytest.mark.django_db
def test_no_report_reminder_too_early_or_for_other_states(org_a: Organisation, partners: list[User]) -> None:
    _in_progress(org_a, TODAY + timedelta(days=15))  # beyond the window
    for state in (State.REPORTING, State.CLOSED, State.APPROVED):
        _in_progress(org_a, TODAY + timedelta(days=5), state=state)
    ApplicationFactory.create(organisation=org_a, state=State.IN_PROGRESS, report_due_on=None)
    assert send_reminders(today=TODAY) == 0
    assert not Notification.objects.exists()


# --- payments ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_unpaid_tranche_due_soon_notifies_finance(
        org_a: Organisation, partners: list[User], make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    finance = [make_user("finance"), make_user("finance")]
    officer = make_user("officer")
    application = _in_progress(org_a, TODAY + timedelta(days=200))
    Tranche.objects.create(application=application, position=1, due_on=TODAY - timedelta(days=30),
                           amount=Decimal("3000.00"), paid_on=TODAY - timedelta(days=30))
    due = Tranche.objects.create(application=application, position=2, due_on=TODAY + timedelta(days=10),
                                 amount=Decimal("3000.00"))
    Tranche.objects.create(application=application, position=3, due_on=TODAY + timedelta(days=60),
                           amount=Decimal("1000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 2
    for user in finance:
        notification = Notification.objects.get(user=user)
        assert notification.kind == Kind.PAYMENT_DUE
        assert notification.dedupe_key == f"tranche-due-{due.pk}"
        assert f"{application.reference} : tranche 2" in notification.subject
        assert "3 000,00" in notification.body.replace("\u202f", " ").replace("\xa0", " ")
    assert not Notification.objects.filter(user__in=[officer, *partners]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in finance)
    assert send_reminders(today=TODAY) == 0


@pytest.mark.django_db
def test_no_payment_reminder_for_paid_tranches_or_closed_files(org_a: Organisation,
                                                               make_user: Callable[..., User]) -> None:
    make_user("finance")
    paid = _in_progress(org_a, TODAY + timedelta(days=200))
    Tranche.objects.create(application=paid, position=1, due_on=TODAY + timedelta(days=2),
                           amount=Decimal("500.00"), paid_on=TODAY)
    for state in (State.CLOSED, State.REJECTED, State.UNDER_REVIEW):
        application = _in_progress(org_a, TODAY + timedelta(days=200), state=state)
        Tranche.objects.create(application=application, position=1, due_on=TODAY + timedelta(days=2),
                               amount=Decimal("500.00"))
    assert send_reminders(today=TODAY) == 0


# --- reviews -------------------------------------------------------------------------------------

def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.mark.django_db
def test_pending_review_reminds_the_reviewer(
        org_a: Organisation, make_user: Callable[..., User],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    reviewer, other = make_user("reviewer"), make_user("reviewer")
    application = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW, first_submitted_on=TODAY)
    review = Review.objects.create(application=application, reviewer=reviewer,
                                   assigned_at=_at(TODAY - timedelta(days=8)))
    recent = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW, first_submitted_on=TODAY)
    Review.objects.create(application=recent, reviewer=other, assigned_at=_at(TODAY - timedelta(days=2)))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 1
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (reviewer, Kind.REVIEW_PENDING)
    assert notification.url == reverse("grants:review", kwargs={"pk": review.pk})
    assert application.reference in notification.subject
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert send_reminders(today=TODAY + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_pending_review_counts_from_the_given_day(org_a: Organisation, make_user: Callable[..., User]) -> None:
    """``today`` is honoured for reviews too (a review 2 days old as of ``today``: no reminder yet)."""
    reviewer = make_user("reviewer")
    application = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW, first_submitted_on=TODAY)
    Review.objects.create(application=application, reviewer=reviewer, assigned_at=_at(TODAY - timedelta(days=2)))
    assert send_reminders(today=TODAY) == 0
    assert send_reminders(today=TODAY + timedelta(days=6)) == 1


@pytest.mark.django_db
def test_no_review_reminder_when_submitted_declined_or_decided(org_a: Organisation,
                                                               make_user: Callable[..., User]) -> None:
    long_ago = _at(TODAY - timedelta(days=30))
    for status in (Review.Status.SUBMITTED, Review.Status.CONFLICT):
        application = ApplicationFactory.create(organisation=org_a, state=State.UNDER_REVIEW, first_submitted_on=TODAY)
        Review.objects.create(application=application, reviewer=make_user("reviewer"), status=status,
                              assigned_at=long_ago)
    for state in (State.APPROVED, State.REJECTED, State.WITHDRAWN, State.CLOSED):
        application = ApplicationFactory.create(organisation=org_a, state=state, first_submitted_on=TODAY)
        Review.objects.create(application=application, reviewer=make_user("reviewer"), assigned_at=long_ago)
    assert send_reminders(today=TODAY) == 0


@pytest.mark.django_db
def test_reminders_are_written_in_the_recipients_language(org_a: Organisation, make_user: Callable[..., User]) -> None:
    make_user("partner_admin", organisation=org_a, preferred_language="fr")
    _in_progress(org_a, TODAY + timedelta(days=5))
    send_reminders(today=TODAY)
    assert "rapport final attendu le 11 novembre 2023" in Notification.objects.get().subject


# --- the worker ----------------------------------------------------------------------------------

def test_daily_reminders_is_a_periodic_task_of_the_worker() -> None:
    autodiscover_modules("tasks")  # what `subsidia run_huey` does at start
    registry = HUEY._registry
    assert "subsidia.grants.tasks.daily_reminders" in registry._registry
    assert "subsidia.notifications.tasks.send_notification_emails" in registry._registry
    periodic = [task.name for task in HUEY._registry.periodic_tasks]
    assert "daily_reminders" in periodic
    task = daily_reminders.task_class()
    assert task.validate_datetime(datetime(2023, 11, 6, 7, 15))  # noqa: DTZ001 - huey checks naive local times
    assert not task.validate_datetime(datetime(2023, 11, 6, 8, 15))  # noqa: DTZ001 - huey checks naive local times


@pytest.mark.django_db
def test_daily_reminders_runs_send_reminders(org_a: Organisation, partners: list[User]) -> None:
    ApplicationFactory.create(organisation=org_a, state=State.IN_PROGRESS,
                              report_due_on=timezone.localdate() + timedelta(days=1))
    assert daily_reminders.call_local() == 2
