"""Delivery of the notification e-mails through a real SMTP server (aiosmtpd on 127.0.0.1), when it is down,
and when the worker dies in the middle of a job: nothing lost, nothing doubled.

The worker is driven through huey itself (the test settings run it in immediate mode, on an in-memory
storage): a failed task lands in huey's schedule with its retry count and delay, and the test runs it from
there, as the consumer would once the delay is over."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from huey.contrib.djhuey import HUEY
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from subsidia.accounts.models import User
from subsidia.notifications import tasks
from subsidia.notifications.models import Kind, Notification
from subsidia.notifications.services import notify

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process dies here (a BaseException, as SystemExit: no ``except Exception`` stops it)."""


class Inbox:
    """The aiosmtpd handler: every message the server accepted; addresses in ``refused`` are refused."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


class SMTPServer:
    def __init__(self) -> None:
        with socket.socket() as probe:  # a free port, on which nothing listens until start()
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SMTPServer]:
    """A real SMTP server on 127.0.0.1, stopped to begin with, and Django's SMTP backend pointed at it."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://subsidia.example.lu"
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def worker() -> Iterator[Any]:
    assert HUEY.immediate, "the tests run the worker in immediate mode (HUEY_IMMEDIATE=1)"
    HUEY.storage.flush_all()
    yield HUEY
    HUEY.storage.flush_all()


def message() -> tuple[str, str]:
    return "Demande accordée", "La demande est accordée."


def due_retries() -> list[Any]:
    """Take the tasks waiting for a retry out of huey's schedule (as the consumer does when they are due)."""
    return list(HUEY.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)))


def seconds_until(task: Any) -> float:
    return (task.eta - datetime.now(UTC).replace(tzinfo=None)).total_seconds()


def run_when_due(task: Any) -> Any:
    """What the consumer does once the task's time has come."""
    return HUEY.execute(task, timestamp=task.eta)


def notify_two(make_user: Any, capture: Any) -> tuple[list[Any], list[int]]:
    people = [make_user(), make_user()]
    with capture(execute=True):
        created = notify(people, Kind.DECISION, message, url="/subsides/demandes/1/")
    return people, [n.pk for n in created]


# --- the mail server is down ---------------------------------------------------------------------

def test_the_task_is_declared_with_retries_and_a_growing_delay() -> None:
    task = tasks.send_notification_emails.s([1])
    assert (task.retries, task.retry_delay, task.retry_backoff) == (5, 60, 2)


def test_with_the_server_down_nothing_is_lost_and_once_up_each_email_arrives_once(
        make_user: Callable[..., User], smtp: SMTPServer,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    people, ids = notify_two(make_user, django_capture_on_commit_callbacks)

    # The server is down: the task ran, failed, and waits in the schedule for its first retry, in a minute.
    [retry] = due_retries()
    assert retry.name.endswith("send_notification_emails") and retry.args == (ids,)
    assert retry.retries == 4 and 50 <= seconds_until(retry) <= 60
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).count() == 2
    assert smtp.inbox.messages == []

    # Still down at the retry: it fails again and waits twice as long.
    run_when_due(retry)
    [retry] = due_retries()
    assert retry.retries == 3 and 110 <= seconds_until(retry) <= 120
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).count() == 2

    # The server is back: the retry delivers each notification's e-mail, once.
    smtp.start()
    assert run_when_due(retry) == 2
    assert due_retries() == []
    assert smtp.inbox.recipients() == sorted(p.email for p in people)
    assert sorted(m["Message-ID"] for m in smtp.inbox.messages) == sorted(
        tasks.message_id(n) for n in Notification.objects.filter(pk__in=ids))
    assert "https://subsidia.example.lu/subsides/demandes/1/" in smtp.inbox.messages[0].get_payload()
    assert not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exists()

    # The same job delivered once more (or the sweep) sends nothing more.
    assert tasks.send_notification_emails.call_local(ids) == 0
    assert tasks.resend_unsent_emails.call_local() == 0
    assert len(smtp.inbox.messages) == 2


def test_one_refused_recipient_does_not_hold_back_the_others_nor_get_them_twice(
        make_user: Callable[..., User], smtp: SMTPServer,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    smtp.start()
    people = [make_user(), make_user(), make_user()]
    smtp.inbox.refused.add(people[0].email)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(people, Kind.DECISION, message)
    assert smtp.inbox.recipients() == sorted(p.email for p in people[1:])
    [retry] = due_retries()
    assert list(Notification.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True)) == [
        created[0].pk]

    smtp.inbox.refused.clear()
    assert run_when_due(retry) == 1
    assert smtp.inbox.recipients() == sorted(p.email for p in people)


def test_after_the_retries_the_sweep_sends_what_is_still_unsent(
        make_user: Callable[..., User], smtp: SMTPServer,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    people, ids = notify_two(make_user, django_capture_on_commit_callbacks)
    [retry] = due_retries()
    while retry is not None:  # the outage outlasts every retry
        run_when_due(retry)
        retry = next(iter(due_retries()), None)
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).count() == 2

    smtp.start()
    assert tasks.resend_unsent_emails.call_local() == 0  # too recent: left to their own task for a while
    with time_machine.travel(datetime.now(UTC) + tasks.SWEEP_GRACE + timedelta(minutes=1)):
        assert tasks.resend_unsent_emails.call_local() == 2
        assert tasks.resend_unsent_emails.call_local() == 0
    assert smtp.inbox.recipients() == sorted(p.email for p in people)


def test_the_sweep_is_a_periodic_task_of_the_worker() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    assert "subsidia.notifications.tasks.resend_unsent_emails" in HUEY._registry._registry


# --- the worker dies in the middle of the job ----------------------------------------------------

def test_killed_after_the_first_email_the_rerun_sends_only_the_rest(
        make_user: Callable[..., User], smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    smtp.start()
    people = [make_user(), make_user(), make_user()]
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        ids = [n.pk for n in notify(people, Kind.DECISION, message)]
    real_send_one, done = tasks.send_one, []

    def dies_after_the_first(pk: int) -> bool:
        sent = real_send_one(pk)
        done.append(pk)
        if len(done) == 1:
            raise Killed
        return sent

    monkeypatch.setattr(tasks, "send_one", dies_after_the_first)
    with pytest.raises(Killed):
        tasks.send_notification_emails.call_local(ids)
    assert smtp.inbox.recipients() == [people[0].email]
    monkeypatch.setattr(tasks, "send_one", real_send_one)

    jobs[0]()  # the same job, delivered again (a worker picks it up after the crash)
    assert smtp.inbox.recipients() == sorted(p.email for p in people)


def test_killed_after_the_job_before_it_is_acknowledged_the_rerun_sends_nothing(
        make_user: Callable[..., User], smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    smtp.start()
    people, ids = [make_user(), make_user()], []
    real_send_emails = tasks.send_emails

    def dies_before_returning(notification_ids: list[int]) -> int:
        real_send_emails(notification_ids)
        raise Killed

    monkeypatch.setattr(tasks, "send_emails", dies_before_returning)
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        ids = [n.pk for n in notify(people, Kind.DECISION, message)]
    with pytest.raises(Killed):
        jobs[0]()
    assert len(smtp.inbox.messages) == 2
    monkeypatch.setattr(tasks, "send_emails", real_send_emails)

    assert tasks.send_notification_emails.call_local(ids) == 0
    assert len(smtp.inbox.messages) == 2


def test_killed_before_sending_and_the_job_lost_the_sweep_sends_each_once(
        make_user: Callable[..., User], smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    """huey takes a job off the queue before running it: a worker killed then loses the job. The notifications
    stay unsent, and the sweep sends them."""
    smtp.start()
    people = [make_user(), make_user()]

    def dies(pk: int) -> bool:
        raise Killed

    monkeypatch.setattr(tasks, "send_one", dies)
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        notify(people, Kind.DECISION, message)
    with pytest.raises(Killed):
        jobs[0]()
    monkeypatch.undo()
    assert smtp.inbox.messages == []
    with time_machine.travel(datetime.now(UTC) + tasks.SWEEP_GRACE + timedelta(minutes=1)):
        assert tasks.resend_unsent_emails.call_local() == 2
        assert tasks.resend_unsent_emails.call_local() == 0
    assert smtp.inbox.recipients() == sorted(p.email for p in people)


def test_killed_between_the_servers_ok_and_the_commit_the_copy_has_the_same_message_id(
        make_user: Callable[..., User], smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    """The one window no database can close: the server took the message, the worker died before recording
    it. The re-run sends it again (nothing is lost) with the same Message-ID, by which mail systems drop the
    copy; the notification is then recorded as sent, and no third copy follows."""
    smtp.start()
    [user] = [make_user()]
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        [notification] = notify([user], Kind.DECISION, message)
    real_send = mail.EmailMessage.send

    def accepted_then_dies(self: Any, fail_silently: bool = False) -> int:
        real_send(self, fail_silently)
        raise Killed

    monkeypatch.setattr(mail.EmailMessage, "send", accepted_then_dies)
    with pytest.raises(Killed):
        jobs[0]()
    monkeypatch.undo()
    notification.refresh_from_db()
    assert notification.emailed_at is None  # the claim was rolled back with the transaction

    jobs[0]()
    jobs[0]()
    assert [m["Message-ID"] for m in smtp.inbox.messages] == [tasks.message_id(notification)] * 2
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_two_runs_of_the_same_job_at_once_send_once(
        make_user: Callable[..., User], smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    """A second worker runs the same job while the first is between reading the notification and claiming it:
    the claim (a conditional update, under the row's lock) lets only one of them send."""
    smtp.start()
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False):
        [notification] = notify([user], Kind.DECISION, message)
    real_wants_email = tasks.wants_email
    interleaved: list[bool] = []

    def the_other_worker_runs_now(*args: Any) -> bool:
        if not interleaved:
            interleaved.append(True)
            assert tasks.send_one(notification.pk) is True  # the other worker, start to end
        return real_wants_email(*args)

    monkeypatch.setattr(tasks, "wants_email", the_other_worker_runs_now)
    assert tasks.send_one(notification.pk) is False
    assert interleaved and len(smtp.inbox.messages) == 1
