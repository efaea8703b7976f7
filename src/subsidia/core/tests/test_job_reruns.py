"""The worker's jobs run again after a crash: one effect, however many runs.

A worker killed in the middle of a job is simulated by raising :class:`Killed` (a BaseException, as the
SystemExit of a dying process: no ``except Exception`` in the code stops it) at a chosen point; the job is then
run again, as huey does on a retry or the next day's run, and the effects are counted: notifications, e-mails,
audit records, deleted rows. Each daily job is also run twice in a row (the same day): the second run does
nothing.

The e-mail jobs of events and the dialogue resend everything on a re-run (they keep no record of what was
sent): the tests marked ``xfail(strict=True)`` say so and will fail (XPASS) once they are idempotent.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidia.audit.models import AuditEvent
from subsidia.conventions import services as conventions
from subsidia.conventions import tasks as convention_tasks
from subsidia.conventions.tests.factories import ConventionDomainFactory, ConventionFactory
from subsidia.dialogue import tasks as dialogue_tasks
from subsidia.dialogue.tests.factories import MeetingFactory
from subsidia.events import retention
from subsidia.events import tasks as event_tasks
from subsidia.events.models import Event, Registration, RegistrationStatus
from subsidia.events.tasks_staff import delete_expired_registration_data
from subsidia.events.tests.factories_staff import RegistrationFactory, StaffEventFactory
from subsidia.grants import tasks as grant_tasks
from subsidia.grants.models import State, Tranche
from subsidia.grants.tests.factories import ApplicationFactory
from subsidia.notifications.models import Notification
from subsidia.organisations import services as organisations
from subsidia.organisations import tasks as organisation_tasks

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    pass


def die_after(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, calls: int = 1) -> Any:
    """Replace ``owner.name`` by itself followed by the worker's death once the ``calls``-th call has returned;
    returns a function that puts the original back (the worker restarted)."""
    real, done = getattr(owner, name), []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        done.append(result)
        if len(done) == calls:
            raise Killed
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return lambda: monkeypatch.setattr(owner, name, real)


def die_before(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, call: int) -> Any:
    """The worker dies when ``owner.name`` is called for the ``call``-th time (before it runs)."""
    real, seen = getattr(owner, name), []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen.append(1)
        if len(seen) == call:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return lambda: monkeypatch.setattr(owner, name, real)


def effects() -> tuple[Counter[tuple[int, str]], Counter[tuple[str, ...]]]:
    """The notifications (per user and key) and the e-mails sent (per recipients and subject)."""
    notifications = Counter(Notification.objects.values_list("user_id", "dedupe_key"))
    emails = Counter((*sorted(m.to), m.subject) for m in mail.outbox)
    return notifications, emails


def assert_each_once(notifications: Counter[Any], emails: Counter[Any], expected: int) -> None:
    assert sum(notifications.values()) == expected and set(notifications.values()) == {1}, notifications
    assert sum(emails.values()) == expected and set(emails.values()) == {1}, emails


# --- the daily reminders (notification keys) ---------------------------------------------------

@pytest.fixture
def grant_reminders_due(org_a, make_user, settings):  # type: ignore[no-untyped-def]
    """Two final reports due soon (two partner members each) and two tranches to pay (one finance officer):
    six reminders."""
    settings.REMINDER_DAYS_AHEAD = 14
    today = timezone.localdate()
    make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)
    make_user("finance")
    for days in (3, 10):
        application = ApplicationFactory(organisation=org_a, state=State.IN_PROGRESS,
                                         report_due_on=today + timedelta(days=days),
                                         first_submitted_on=today - timedelta(days=200))
        Tranche.objects.create(application=application, position=1, due_on=today + timedelta(days=days),
                               amount=Decimal(1000))
    return 6


def test_the_grant_reminders_run_twice_remind_once(grant_reminders_due,  # type: ignore[no-untyped-def]
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert grant_tasks.daily_reminders.call_local() == grant_reminders_due
        assert grant_tasks.daily_reminders.call_local() == 0
    assert_each_once(*effects(), expected=grant_reminders_due)


def test_the_grant_reminders_killed_midway_then_rerun_remind_once(  # type: ignore[no-untyped-def]
        grant_reminders_due, monkeypatch, django_capture_on_commit_callbacks):
    restart = die_after(monkeypatch, grant_tasks, "notify", calls=2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Killed):
        grant_tasks.daily_reminders.call_local()
    assert 0 < Notification.objects.count() < grant_reminders_due
    restart()
    with django_capture_on_commit_callbacks(execute=True):
        grant_tasks.daily_reminders.call_local()
        grant_tasks.daily_reminders.call_local()
    assert_each_once(*effects(), expected=grant_reminders_due)


@pytest.fixture
def convention_reminders_due(org_a, make_user, on_day, settings):  # type: ignore[no-untyped-def]
    """A convention signed for 2024-2026, seen on 20 March 2025: the two 2024 reports (two members) and the
    2025 advance (one finance officer)."""
    settings.REMINDER_DAYS_AHEAD = 14
    make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)
    make_user("finance")
    convention = ConventionFactory(organisation=org_a)
    ConventionDomainFactory(convention=convention, yearly_amount=Decimal("120000.00"))
    on_day(date(2023, 12, 20))
    conventions.sign_convention(make_user("approver"), convention, signed_on=date(2023, 12, 15))
    on_day(date(2025, 3, 20))
    Notification.objects.all().delete()  # the signing's own notification
    mail.outbox.clear()


def test_the_convention_reminders_run_twice_remind_once(convention_reminders_due,  # type: ignore[no-untyped-def]
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = convention_tasks.daily_convention_reminders.call_local()
        assert first >= 4
        assert convention_tasks.daily_convention_reminders.call_local() == 0
    assert_each_once(*effects(), expected=first)


def test_the_convention_reminders_killed_midway_then_rerun_remind_once(  # type: ignore[no-untyped-def]
        convention_reminders_due, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        expected = convention_tasks.daily_convention_reminders.call_local()
    Notification.objects.all().delete()
    mail.outbox.clear()

    restart = die_after(monkeypatch, convention_tasks, "notify", calls=2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Killed):
        convention_tasks.daily_convention_reminders.call_local()
    assert 0 < Notification.objects.count() < expected
    restart()
    with django_capture_on_commit_callbacks(execute=True):
        convention_tasks.daily_convention_reminders.call_local()
        convention_tasks.daily_convention_reminders.call_local()
    assert_each_once(*effects(), expected=expected)


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("assurance.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


@pytest.fixture
def two_expiring_documents(make_user, org_a, org_b):  # type: ignore[no-untyped-def]
    make_user("officer")
    today = timezone.localdate()
    for organisation in (org_a, org_b):
        admin = make_user("partner_admin", organisation=organisation)
        organisations.add_document(admin, organisation, kind="insurance", upload=_pdf(),
                                   valid_until=today + timedelta(days=5))
    return [org_a.name, org_b.name]


def _warned_about(names: list[str]) -> list[str]:
    return sorted(name for m in mail.outbox for name in names if name in m.subject)


def test_the_document_expiry_warnings_killed_between_two_documents_then_rerun_warn_once(  # type: ignore[no-untyped-def]
        two_expiring_documents, monkeypatch):
    """Each warning is claimed (``expiry_warning_sent_on``) in the transaction that sends it: killed while
    preparing the second, the re-run sends only the second, and a third run nothing."""
    from subsidia.organisations import services as module

    restart = die_before(monkeypatch, module, "render_to_string", call=2)
    with pytest.raises(Killed):
        organisation_tasks.warn_about_expiring_documents.call_local()
    restart()
    assert len(mail.outbox) == 1
    assert organisation_tasks.warn_about_expiring_documents.call_local() == 1
    assert organisation_tasks.warn_about_expiring_documents.call_local() == 0
    assert _warned_about(two_expiring_documents) == sorted(two_expiring_documents)


def test_the_document_expiry_warning_killed_after_the_servers_ok_is_sent_again_not_lost(  # type: ignore[no-untyped-def]
        two_expiring_documents, monkeypatch):
    """The window no database closes: the mail server took the message, the worker died before the commit.
    The claim is rolled back, so the re-run sends that warning again (at least once, never lost)."""
    from subsidia.organisations import services as module

    restart = die_after(monkeypatch, module, "send_mail", calls=1)
    with pytest.raises(Killed):
        organisation_tasks.warn_about_expiring_documents.call_local()
    restart()
    assert organisation_tasks.warn_about_expiring_documents.call_local() == 2
    assert organisation_tasks.warn_about_expiring_documents.call_local() == 0
    assert len(mail.outbox) == 3 and len(set(_warned_about(two_expiring_documents))) == 2


# --- retention: registration data deleted once ---------------------------------------------------

def _expired_event() -> Event:
    start = timezone.now() - timedelta(days=60, hours=5)
    event = StaffEventFactory(starts_at=start, ends_at=start + timedelta(hours=4), retention_days=30)
    RegistrationFactory(event=event), RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    return event


def test_the_retention_job_killed_after_one_event_then_rerun_deletes_each_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    events = [_expired_event(), _expired_event(), _expired_event()]
    restart = die_after(monkeypatch, retention, "_delete_for", calls=1)
    with pytest.raises(Killed):
        delete_expired_registration_data.call_local()
    restart()
    assert Event.objects.filter(registration_data_deleted_at__isnull=False).count() == 1

    assert delete_expired_registration_data.call_local() == 2
    assert delete_expired_registration_data.call_local() == 0
    assert not Registration.objects.exists()
    for event in events:
        event.refresh_from_db()
        assert event.participant_count == 1 and event.registration_data_deleted_at is not None
        assert AuditEvent.objects.filter(action="event.registration_data_deleted",
                                         object_id=str(event.pk)).count() == 1


def test_the_retention_job_killed_inside_an_events_transaction_leaves_it_whole(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Killed after the registrations were deleted but before the event was marked: nothing of it is lost."""
    event = _expired_event()
    restart = die_after(monkeypatch, retention, "record", calls=1)
    with pytest.raises(Killed):
        delete_expired_registration_data.call_local()
    restart()
    event.refresh_from_db()
    assert event.registration_data_deleted_at is None and Registration.objects.filter(event=event).count() == 2
    assert delete_expired_registration_data.call_local() == 1
    assert AuditEvent.objects.filter(action="event.registration_data_deleted").count() == 1


# --- e-mail jobs without a record of what was sent ----------------------------------------------

@pytest.mark.xfail(strict=True, reason="send_registration_email keeps no record of the e-mails sent: a re-run "
                                       "(huey retry after a crash before the task returned) sends it again")
def test_the_registration_confirmation_rerun_after_a_crash_sends_once() -> None:
    registration = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is True
    event_tasks.send_registration_email.call_local(registration.pk, "confirmed")  # the re-run
    assert len(mail.outbox) == 1


@pytest.mark.xfail(strict=True, reason="send_meeting_invitations sends to every invitee again on a retry: an "
                                       "SMTP failure at the third invitee resends the first two")
def test_the_meeting_invitations_rerun_after_a_failure_midway_send_each_once(  # type: ignore[no-untyped-def]
        make_user, monkeypatch) -> None:
    people = [make_user(), make_user(), make_user()]
    meeting = MeetingFactory()
    restart = die_after(monkeypatch, dialogue_tasks.EmailMessage, "send", calls=2)
    with pytest.raises(Killed):
        dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people])
    restart()
    dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people])  # the retry
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
