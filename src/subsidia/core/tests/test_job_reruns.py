"""The worker's jobs run again after a crash: one effect, however many runs.

A worker killed in the middle of a job is simulated by raising :class:`Killed` (a BaseException, as the
SystemExit of a dying process: no ``except Exception`` in the code stops it) at a chosen point; the job is then
run again, as huey does on a retry or the next day's run, and the effects are counted: notifications, e-mails,
audit records, deleted rows. Each daily job is also run twice in a row (the same day): the second run does
nothing.

The e-mail jobs of events and the dialogue record each e-mail they send (claimed, sent and committed one at a
time, as the notification e-mails): run twice they send each once, killed midway the re-run sends only the
rest. Killed after the mail server took a message and before the commit, the re-run sends that one again
with the same Message-ID (at least once, never lost; mail systems drop the duplicate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.conventions import tasks as convention_tasks
from subsidia.conventions.inputs import SignInput
from subsidia.conventions.services.acts import sign_convention
from subsidia.conventions.tests.factories import ConventionDomainFactory, ConventionFactory
from subsidia.dialogue import tasks as dialogue_tasks
from subsidia.dialogue.tests.factories import MeetingFactory
from subsidia.events import retention
from subsidia.events import tasks as event_tasks
from subsidia.events.inputs import RegistrationInput
from subsidia.events.models import Event, Registration, RegistrationStatus
from subsidia.events.tasks_staff import delete_expired_registration_data
from subsidia.events.tests.factories_staff import RegistrationFactory, StaffEventFactory
from subsidia.grants import tasks as grant_tasks
from subsidia.grants.models import State, Tranche
from subsidia.grants.tests.factories import ApplicationFactory
from subsidia.notifications.models import Notification
from subsidia.organisations import services as organisations
from subsidia.organisations import tasks as organisation_tasks
from subsidia.organisations.models import Organisation

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
    emails = Counter((*sorted(m.to), str(m.subject)) for m in mail.outbox)
    return notifications, emails


def assert_each_once(notifications: Counter[Any], emails: Counter[Any], expected: int) -> None:
    assert sum(notifications.values()) == expected and set(notifications.values()) == {1}, notifications
    assert sum(emails.values()) == expected and set(emails.values()) == {1}, emails


# --- the daily reminders (notification keys) ---------------------------------------------------

@pytest.fixture
def grant_reminders_due(org_a: Organisation, make_user: Callable[..., User], settings: Settings) -> int:
    """Two final reports due soon (two partner members each) and two tranches to pay (one finance officer):
    six reminders."""
    settings.REMINDER_DAYS_AHEAD = 14
    today = timezone.localdate()
    make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)
    make_user("finance")
    for days in (3, 10):
        application = ApplicationFactory.create(organisation=org_a, state=State.IN_PROGRESS,
                                                report_due_on=today + timedelta(days=days),
                                                first_submitted_on=today - timedelta(days=200))
        Tranche.objects.create(application=application, position=1, due_on=today + timedelta(days=days),
                               amount=Decimal(1000))
    return 6


def test_the_grant_reminders_run_twice_remind_once(
        grant_reminders_due: int, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert grant_tasks.daily_reminders.call_local() == grant_reminders_due
        assert grant_tasks.daily_reminders.call_local() == 0
    assert_each_once(*effects(), expected=grant_reminders_due)


def test_the_grant_reminders_killed_midway_then_rerun_remind_once(
        grant_reminders_due: int, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
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
def convention_reminders_due(org_a: Organisation, make_user: Callable[..., User], on_day: Callable[[date], None],
                             settings: Settings) -> None:
    """A convention signed for 2024-2026, seen on 20 March 2025: the two 2024 reports (two members) and the
    2025 advance (one finance officer)."""
    settings.REMINDER_DAYS_AHEAD = 14
    make_user("partner_admin", organisation=org_a), make_user("partner_member", organisation=org_a)
    make_user("finance")
    convention = ConventionFactory.create(organisation=org_a)
    ConventionDomainFactory.create(convention=convention, yearly_amount=Decimal("120000.00"))
    on_day(date(2023, 12, 20))
    sign_convention(make_user("approver"), convention, SignInput(signed_on=date(2023, 12, 15)))
    on_day(date(2025, 3, 20))
    Notification.objects.all().delete()  # the signing's own notification
    mail.outbox.clear()


def test_the_convention_reminders_run_twice_remind_once(
        convention_reminders_due: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = convention_tasks.daily_convention_reminders.call_local()
        assert first >= 4
        assert convention_tasks.daily_convention_reminders.call_local() == 0
    assert_each_once(*effects(), expected=first)


def test_the_convention_reminders_killed_midway_then_rerun_remind_once(
        convention_reminders_due: None, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
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
def two_expiring_documents(make_user: Callable[..., User], org_a: Organisation, org_b: Organisation) -> list[str]:
    make_user("officer")
    today = timezone.localdate()
    for organisation in (org_a, org_b):
        admin = make_user("partner_admin", organisation=organisation)
        organisations.add_document(admin, organisation, kind="insurance", upload=_pdf(),
                                   valid_until=today + timedelta(days=5))
    return [org_a.name, org_b.name]


def _warned_about(names: list[str]) -> list[str]:
    return sorted(name for m in mail.outbox for name in names if name in m.subject)


def test_the_document_expiry_warnings_killed_between_two_documents_then_rerun_warn_once(
        two_expiring_documents: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_the_document_expiry_warning_killed_after_the_servers_ok_is_sent_again_not_lost(
        two_expiring_documents: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
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
    event = StaffEventFactory.create(starts_at=start, ends_at=start + timedelta(hours=4), retention_days=30)
    RegistrationFactory.create(event=event)
    RegistrationFactory.create(event=event, status=RegistrationStatus.CANCELLED)
    return event


def test_the_retention_job_killed_after_one_event_then_rerun_deletes_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_the_retention_job_killed_inside_an_events_transaction_leaves_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
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


# --- the e-mail jobs of events and the dialogue: each e-mail claimed, sent, committed -------------

def _sent_to() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def test_the_registration_confirmation_rerun_after_a_crash_sends_once() -> None:
    registration = RegistrationFactory.create(status=RegistrationStatus.CONFIRMED)
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is True
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is False  # the re-run
    assert len(mail.outbox) == 1
    message_id = mail.outbox[0].extra_headers["Message-ID"]
    assert message_id == event_tasks.message_id(registration.pk, "confirmed")
    assert message_id.startswith(f"<registration-{registration.pk}-confirmed@")


def test_each_registration_e_mail_goes_once_per_purpose() -> None:
    """Waitlisted, then promoted, then cancelled: three e-mails, each once however often the jobs run."""
    registration = RegistrationFactory.create(status=RegistrationStatus.WAITLISTED)
    for kind, status in [("waitlisted", None), ("promoted", RegistrationStatus.CONFIRMED),
                         ("cancelled", RegistrationStatus.CANCELLED)]:
        if status:
            Registration.objects.filter(pk=registration.pk).update(status=status)
        assert event_tasks.send_registration_email.call_local(registration.pk, kind) is True
        assert event_tasks.send_registration_email.call_local(registration.pk, kind) is False
    assert len(mail.outbox) == 3 and len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3


def test_the_registration_e_mail_killed_after_the_servers_ok_is_sent_again_with_the_same_message_id(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window no database closes: the server took it, the worker died before the commit. The re-run sends
    it again (never lost), with the same Message-ID (mail systems drop the duplicate); a third run nothing."""
    registration = RegistrationFactory.create(status=RegistrationStatus.CONFIRMED)
    restart = die_after(monkeypatch, event_tasks.EmailMessage, "send", calls=1)
    with pytest.raises(Killed):
        event_tasks.send_registration_email.call_local(registration.pk, "confirmed")
    restart()
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is True
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is False
    assert len(mail.outbox) == 2 and len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 1


def test_a_registration_e_mail_refused_by_the_server_is_sent_on_the_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    import smtplib

    registration = RegistrationFactory.create(status=RegistrationStatus.CONFIRMED)

    def refuse(self: Any) -> int:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(event_tasks.EmailMessage, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        event_tasks.send_registration_email.call_local(registration.pk, "confirmed")
    monkeypatch.undo()
    assert not registration.emails_sent.exists()
    assert event_tasks.send_registration_email.call_local(registration.pk, "confirmed") is True
    assert len(mail.outbox) == 1


def _allocated_event(make_user: Any, django_capture_on_commit_callbacks: Any) -> tuple[Event, list[int]]:
    from subsidia.accounts.roles import Role
    from subsidia.events import services
    from subsidia.events.tests.factories import BlockFactory, EventFactory

    event = EventFactory.create(capacity=None)
    blocks = [BlockFactory.create(event=event, capacity=2), BlockFactory.create(event=event, capacity=10)]
    ids = [services.register(None, event, RegistrationInput(full_name=f"P{n}", email=f"p{n}@example.lu",
                             block_ranking=[b.pk for b in blocks])).pk for n in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        services.run_allocation(make_user(Role.OFFICER), event)
    mail.outbox.clear()
    return event, ids


def test_the_allocation_results_run_twice_tell_each_once(
        make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    event, ids = _allocated_event(make_user, django_capture_on_commit_callbacks)
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 3
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 0
    assert _sent_to() == ["p0@example.lu", "p1@example.lu", "p2@example.lu"]


def test_the_allocation_results_killed_after_the_first_then_rerun_send_only_the_rest(
        make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
        monkeypatch: pytest.MonkeyPatch) -> None:
    event, ids = _allocated_event(make_user, django_capture_on_commit_callbacks)
    restart = die_before(monkeypatch, event_tasks.EmailMessage, "send", call=2)
    with pytest.raises(Killed):
        event_tasks.send_allocation_results.call_local(event.pk, ids)
    restart()
    assert len(mail.outbox) == 1
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 2
    assert _sent_to() == ["p0@example.lu", "p1@example.lu", "p2@example.lu"]


def test_a_new_run_of_the_allocation_is_told_again(
        make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    from subsidia.accounts.roles import Role
    from subsidia.events import services

    event, ids = _allocated_event(make_user, django_capture_on_commit_callbacks)
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 3
    with django_capture_on_commit_callbacks(execute=False):
        services.run_allocation(make_user(Role.OFFICER), event)
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 3
    assert event_tasks.send_allocation_results.call_local(event.pk, ids) == 0
    assert len(mail.outbox) == 6 and len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 6


def _registrations(event: Event, n: int = 3) -> list[int]:
    return [RegistrationFactory.create(event=event, email=f"r{i}@example.lu").pk for i in range(n)]


def test_the_event_cancellation_run_twice_tells_each_once() -> None:
    event = StaffEventFactory.create()
    ids = _registrations(event)
    assert event_tasks.tasks_staff.send_event_cancelled.call_local(event.pk, ids, "Grève") == 3
    assert event_tasks.tasks_staff.send_event_cancelled.call_local(event.pk, ids, "Grève") == 0
    assert _sent_to() == ["r0@example.lu", "r1@example.lu", "r2@example.lu"]


def test_the_event_cancellation_killed_after_the_first_then_rerun_tells_only_the_rest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    event = StaffEventFactory.create()
    ids = _registrations(event)
    restart = die_before(monkeypatch, event_tasks.EmailMessage, "send", call=2)
    with pytest.raises(Killed):
        event_tasks.tasks_staff.send_event_cancelled.call_local(event.pk, ids)
    restart()
    assert len(mail.outbox) == 1
    assert event_tasks.tasks_staff.send_event_cancelled.call_local(event.pk, ids) == 2
    assert _sent_to() == ["r0@example.lu", "r1@example.lu", "r2@example.lu"]


def test_the_evaluation_invitations_run_twice_invite_each_once() -> None:
    ids = _registrations(StaffEventFactory.create())
    assert event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids) == 3
    assert event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids) == 0
    assert _sent_to() == ["r0@example.lu", "r1@example.lu", "r2@example.lu"]


def test_the_evaluation_invitations_killed_after_the_first_then_rerun_invite_only_the_rest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _registrations(StaffEventFactory.create())
    restart = die_before(monkeypatch, event_tasks.EmailMessage, "send", call=2)
    with pytest.raises(Killed):
        event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids)
    restart()
    assert event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids) == 2
    assert _sent_to() == ["r0@example.lu", "r1@example.lu", "r2@example.lu"]


def test_one_refused_e_mail_does_not_hold_back_the_others_and_the_retry_sends_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import smtplib

    ids = _registrations(StaffEventFactory.create())
    real, calls = event_tasks.EmailMessage.send, []

    def second_refused(self: Any, *args: Any) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise smtplib.SMTPRecipientsRefused({})
        return real(self, *args)

    monkeypatch.setattr(event_tasks.EmailMessage, "send", second_refused)
    with pytest.raises(RuntimeError, match="1 e-mail"):
        event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids)
    monkeypatch.undo()
    assert _sent_to() == ["r0@example.lu", "r2@example.lu"]
    assert event_tasks.tasks_staff.send_evaluation_invitations.call_local(ids) == 1
    assert _sent_to() == ["r0@example.lu", "r1@example.lu", "r2@example.lu"]


def test_the_meeting_invitations_rerun_after_a_failure_midway_send_each_once(
        make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed at the third invitee: the retry sends only to the third, a further run to nobody."""
    people = [make_user(), make_user(), make_user()]
    meeting = MeetingFactory.create()
    restart = die_before(monkeypatch, dialogue_tasks.EmailMessage, "send", call=3)
    with pytest.raises(Killed):
        dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people])
    restart()
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people]) == 1  # the retry
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people]) == 0
    assert _sent_to() == sorted(p.email for p in people)


def test_a_meeting_invitation_killed_after_the_servers_ok_is_sent_again_with_the_same_message_id(
        make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    people = [make_user(), make_user(), make_user()]
    meeting = MeetingFactory.create()
    restart = die_after(monkeypatch, dialogue_tasks.EmailMessage, "send", calls=2)
    with pytest.raises(Killed):
        dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people])
    restart()
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, [p.pk for p in people]) == 2
    assert _sent_to() == sorted([people[1].email, *(p.email for p in people)])
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3


def test_a_changed_meeting_is_sent_again_once(make_user: Callable[..., User]) -> None:
    """A new SEQUENCE (moved, relocated, cancelled) is a new invitation to everyone, itself sent once."""
    from subsidia.dialogue.models import Meeting

    people = [make_user(), make_user()]
    meeting = MeetingFactory.create()
    ids = [p.pk for p in people]
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, ids) == 2
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, ids) == 0
    Meeting.objects.filter(pk=meeting.pk).update(place="Salle 5", ical_sequence=meeting.ical_sequence + 1)
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, ids) == 2
    assert dialogue_tasks.send_meeting_invitations.call_local(meeting.pk, ids) == 0
    assert len(mail.outbox) == 4 and len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 4
    assert all("Salle 5" in m.body for m in mail.outbox[2:])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers, and the audit trail's "
                    "append-only trigger forbids the flush a transactional test needs; runs on PostgreSQL")
def test_two_workers_running_the_same_e_mail_job_at_once_send_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second worker waits on the first one's claim (the unique key), then finds it taken."""
    import threading
    import time

    registration = RegistrationFactory.create(status=RegistrationStatus.CONFIRMED)
    real = event_tasks.EmailMessage.send

    def slow(self: Any, *args: Any) -> int:
        time.sleep(0.3)
        return real(self, *args)

    monkeypatch.setattr(event_tasks.EmailMessage, "send", slow)
    barrier, outcomes = threading.Barrier(2), []

    def work() -> None:
        from django.db import connections

        try:
            barrier.wait()
            outcomes.append(event_tasks.send_registration_email.call_local(registration.pk, "confirmed"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True] and len(mail.outbox) == 1
