"""The one loader of the demo: the acts of every part of the story, replayed in date order through the
services, each at its own moment under a controlled clock and by the demo account who would do it.

The services date what they do "now" (a submission, a history row, a payment, an audit record, a
notification): replaying an act under ``time_machine.travel(moment, tick=False)`` makes "now" the day of
the story, so nothing is dated after the fact. An act later than today has not happened yet and is left
out; one later today than the clock happens now. The clock of the caller (``SUBSIDIA_TEST_NOW`` in tests)
is the story's "today": the travels nest inside it.

The notifications an act sends are settled as the worker would have left them by today (:func:`settle_inbox`):
those of a past event are not kept, so that the demo inboxes show only what still waits; the work it left for
after the commit (e-mails, a letter to render) is not done again now (:func:`forget_after_commit_work`).

Idempotent: each part of the story decides, before the replay, which of its stories are already told (a
call, a convention, an event found on its natural key) and adds the acts of the others only.
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import time_machine
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.core.errors import RuleViolation
from subsidia.notifications.models import Notification

from . import clock


class Inbox(enum.Enum):
    """What becomes of the notifications an act sends."""

    DISCARD = "discard"  # a past event: not in the inboxes any more
    UNREAD = "unread"  # still waits for its reader (e-mailed at the time)
    READ = "read"  # kept, read at the time


@dataclass(frozen=True)
class Act:
    """One thing that happened: at ``at``, ``actor`` (a demo account's e-mail; "" for the system) did ``do``."""

    at: datetime
    actor: str
    what: str
    do: Callable[[Actor | None], object]
    inbox: Inbox = Inbox.DISCARD


@dataclass
class Story:
    """The acts to replay, and the summary's counts ("Calls", "created")."""

    now: datetime = field(default_factory=timezone.now)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # The acts to come, by moment (acts of the same moment in the order they were added).
    _pending: list[tuple[datetime, int, Act]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def day(self, text: str, **names: date) -> date:
        try:
            return clock.day(text, self.today, names)
        except clock.BadDay as exc:
            raise CommandError(f"Demo data: {exc}.") from exc

    def at(self, text: str, time_of_day: str | int = 10, **names: date) -> datetime:
        return clock.at(self.day(text, **names), time_of_day)

    def moment(self, text: str, default: str | int = 10, **names: date) -> datetime:
        """The moment a data file writes "<day> at HH:MM" (or "<day>", at ``default``)."""
        day_text, _at, time_of_day = text.partition(" at ")
        return self.at(day_text, time_of_day or default, **names)

    def add(self, at: datetime, actor: str, what: str, do: Callable[[Actor | None], object],
            inbox: Inbox = Inbox.DISCARD) -> None:
        """Add an act; an act being replayed may add later ones (what followed from it)."""
        heapq.heappush(self._pending, (at, next(self._order), Act(at, actor, what, do, inbox)))

    def count(self, label: str, status: str, n: int = 1) -> None:
        self.counts[label, status] += n

    def labels(self, *labels: str) -> None:
        """Reserve the summary's lines in this order (counted later, during the replay)."""
        for label in labels:
            self.counts[label, "created"] += 0

    @property
    def pending(self) -> int:
        """How many acts are still to replay."""
        return len(self._pending)

    def replay(self) -> None:
        """Every act up to today, in date order."""
        while self._pending:
            _at, _n, act = heapq.heappop(self._pending)
            if timezone.localdate(act.at) > self.today:
                continue
            moment = min(act.at, self.now)
            with time_machine.travel(moment, tick=False):
                start = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
                after_commit = len(transaction.get_connection().run_on_commit)
                try:
                    act.do(account(act.actor) if act.actor else None)
                except RuleViolation as exc:
                    raise CommandError(f"Demo, {act.what} on {moment:%Y-%m-%d %H:%M}: {exc}") from exc
                settle_inbox(start, act.inbox)
                forget_after_commit_work(after_commit)


def account(email: str) -> User:
    """The demo account of ``email``, read again for each act (its roles may have changed since)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"The demo needs the demo account {email!r}.")
    return user


def forget_after_commit_work(start: int) -> None:
    """What the act left for after the commit (the e-mails to registrants and invitees, a decision letter to
    render, the search index to update) belonged to its own day: the worker did it then, it is not done again
    now. The index is rebuilt once the whole story is told."""
    del transaction.get_connection().run_on_commit[start:]


def settle_inbox(after: int, inbox: Inbox) -> None:
    """The notifications sent since notification ``after``, as the worker would have left them: e-mailed at
    the time (so that it does not mail the demo accounts now), read or not, or gone for a past event. Written
    to the model directly: no service dates an e-mail in the past."""
    sent = Notification.objects.filter(pk__gt=after)
    if inbox is Inbox.DISCARD:
        sent.delete()
        return
    now = timezone.now()
    sent.update(emailed_at=now, read_at=now if inbox is Inbox.READ else None)
