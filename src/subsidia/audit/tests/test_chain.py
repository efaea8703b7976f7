"""The audit trail's hash chain: tampering behind the triggers' back is reported by `verify-audit`, a chain
rewritten consistently is caught against the daily exported head, appends never fork the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.audit import heads
from subsidia.audit.chain import GENESIS, HASHED_FIELDS, compute_hash
from subsidia.audit.models import AuditEvent
from subsidia.audit.services import record
from subsidia.audit.tasks import export_audit_chain_head
from subsidia.audit.verification import verify_chain
from subsidia.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL behaviour")


@pytest.fixture
def events(make_user: Callable[..., User]) -> list[AuditEvent]:
    officer = make_user("officer")
    organisation = OrganisationFactory.create(name="Avant")
    return [
        record(officer, "organisation.update", organisation, before={"name": "Avant"}, after={"name": f"Nom {n}",
               "amount": Decimal("1250.50"), "when": dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)})
        for n in range(5)
    ]


@contextmanager
def triggers_off() -> Iterator[None]:
    """What the table's owner can do: switch the append-only triggers off (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign key check may be pending
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        yield


def raw(sql: str, params: list[str | int | None] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def rewrite_chain_consistently() -> None:
    """Recompute every hash from the first record, as someone who knows the algorithm would."""
    prev = GENESIS
    for row in AuditEvent.objects.order_by("id").values(*HASHED_FIELDS):
        digest = compute_hash(row, prev)
        raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, row["id"]])
        prev = digest


def test_each_record_carries_the_previous_records_hash(events: list[AuditEvent]) -> None:
    stored = list(AuditEvent.objects.order_by("id"))
    assert stored[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in stored}) == len(stored)
    assert verify_chain().ok
    assert f"Audit chain intact: 5 records, head record {stored[-1].id} hash {stored[-1].hash}." in verify()


def test_hash_is_sha256_of_sorted_key_json_with_utc_times_and_decimal_strings() -> None:
    fields = {"id": 7, "occurred_at": dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
              "actor_id": None, "actor_label": "système", "action": "a.b", "object_type": "x.y", "object_id": "3",
              "object_repr": "Objet", "before": None, "after": {"z": Decimal("10.50"), "a": [1, 2.0]}, "note": ""}
    expected = ('{"action":"a.b","actor_id":null,"actor_label":"système","after":{"a":[1,2],"z":"10.50"},'
                '"before":null,"id":7,"note":"","object_id":"3","object_repr":"Objet","object_type":"x.y",'
                '"occurred_at":"2026-12-04T08:30:00.000000Z","prev_hash":"' + GENESIS + '"}')
    assert compute_hash(fields, GENESIS) == hashlib.sha256(expected.encode()).hexdigest()


def test_stored_hash_matches_the_values_read_back(events: list[AuditEvent]) -> None:
    # Decimals and date-times in before/after are stored as JSON strings: the hash is of what reads back.
    event = AuditEvent.objects.get(pk=events[0].pk)
    assert event.after is not None and event.after["amount"] == "1250.50"
    assert compute_hash({f: getattr(event, f) for f in HASHED_FIELDS}, event.prev_hash) == event.hash


def test_a_field_changed_behind_the_triggers_is_reported_with_its_record(events: list[AuditEvent]) -> None:
    target = events[2]
    with triggers_off():
        raw("UPDATE audit_auditevent SET object_repr = 'Falsifié' WHERE id = %s", [target.pk])
        with pytest.raises(CommandError) as error:
            verify()
    message = str(error.value)
    assert message.startswith(f"Audit chain broken at record {target.pk}: content altered")
    assert f"expected {target.hash}" in message
    tampered = AuditEvent.objects.values(*HASHED_FIELDS).get(pk=target.pk)
    assert f"found {compute_hash(tampered, target.prev_hash)}" in message


def test_a_deleted_middle_record_is_reported_at_the_next_one(events: list[AuditEvent]) -> None:
    with triggers_off():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
        result = verify_chain()
    assert not result.ok
    brk = result.breaks[0]
    assert (brk.record_id, brk.expected, brk.found) == (events[3].pk, events[1].hash, events[2].hash)
    assert "removed or inserted after record" in brk.problem


def test_a_removed_first_record_is_reported(events: list[AuditEvent]) -> None:
    with triggers_off():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
        result = verify_chain()
    assert (result.breaks[0].record_id, result.breaks[0].expected) == (events[1].pk, GENESIS)


def test_disabled_or_dropped_triggers_are_reported(events: list[AuditEvent]) -> None:
    with triggers_off(), pytest.raises(CommandError, match="Append-only protection: trigger audit_event_no_"):
        verify()


def test_a_consistent_rewrite_passes_alone_but_not_against_the_exported_head(events: list[AuditEvent]) -> None:
    exported = heads.export_head()
    head_file = Path(settings.MEDIA_ROOT) / exported
    assert "Passes through the exported head" in verify("--against", str(head_file))
    with triggers_off():
        raw("UPDATE audit_auditevent SET object_repr = 'Falsifié' WHERE id = %s", [events[1].pk])
        rewrite_chain_consistently()
        assert verify_chain().ok  # from the database alone, a full rewrite looks intact
        with pytest.raises(CommandError) as error:
            verify("--against", str(head_file))
        assert f"record {events[-1].pk}: hash differs from the exported head" in str(error.value)
        assert f"expected {events[-1].hash}" in str(error.value)
        with pytest.raises(CommandError, match="hash differs from the exported head"):
            verify("--against-latest")  # the same head, found by name in storage


def test_the_chain_cut_short_is_caught_against_the_exported_head(events: list[AuditEvent]) -> None:
    head = heads.read_head(str(Path(settings.MEDIA_ROOT) / heads.export_head()))
    with triggers_off():
        raw("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
        assert verify_chain().ok
        result = verify_chain(against=[head])
    assert result.breaks[0].record_id == events[-1].pk
    assert "missing" in result.breaks[0].problem


def test_daily_export_writes_a_head_file_per_day_and_mails_the_auditors(events: list[AuditEvent],
                                                                        make_user: Callable[..., User],
                                                                        mailoutbox: list[EmailMessage]) -> None:
    from huey.contrib.djhuey import HUEY

    assert "subsidia.audit.tasks.export_audit_chain_head" in HUEY._registry._registry
    auditor = make_user("auditor")
    with time_machine.travel(dt.datetime(2026, 12, 4, 0, 15, tzinfo=dt.UTC), tick=False):
        first = export_audit_chain_head.call_local()
        record(None, "organisation.verify", OrganisationFactory.create())
        second = export_audit_chain_head.call_local()
    assert first == "audit-heads/2026-12-04.json"
    assert second.startswith("audit-heads/2026-12-04T") and second != first  # never overwritten
    data = json.loads((Path(settings.MEDIA_ROOT) / first).read_text())
    assert (data["last_id"], data["hash"], data["count"]) == (events[-1].pk, events[-1].hash, 5)
    assert data["verified"] is True and data["exported_at"] == "2026-12-04T00:15:00.000000Z"
    assert json.loads((Path(settings.MEDIA_ROOT) / second).read_text())["count"] == 6
    assert [m.to for m in mailoutbox] == [[auditor.email], [auditor.email]]
    assert events[-1].hash in mailoutbox[0].body


def test_export_flags_a_broken_chain(events: list[AuditEvent], mailoutbox: list[EmailMessage],
                                     settings: Settings) -> None:
    settings.AUDIT_HEAD_RECIPIENTS = ["controle@example.lu"]
    with triggers_off():
        raw("UPDATE audit_auditevent SET note = 'x' WHERE id = %s", [events[0].pk])
        name = heads.export_head()
    data = json.loads((Path(settings.MEDIA_ROOT) / name).read_text())
    assert data["verified"] is False and f"record {events[0].pk}" in data["problem"]
    assert "ALERTE" in mailoutbox[0].subject and mailoutbox[0].to == ["controle@example.lu"]


def test_bulk_create_chains_each_record() -> None:
    AuditEvent.objects.bulk_create([AuditEvent(actor_label="x", action=f"a{n}", object_type="t", object_id="1",
                                               object_repr="r") for n in range(3)])
    assert verify_chain().head.count == 3 and verify_chain().ok


@postgres_only
def test_postgres_refuses_truncate(events: list[AuditEvent]) -> None:
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 5


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_linear_chain() -> None:
    organisation = OrganisationFactory.create()
    writers, per_writer = 4, 15
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    record(None, "organisation.update", organisation, note=f"{n}-{i}")
        except BaseException as error:  # reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = list(AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash"))
    assert len(rows) == writers * per_writer
    assert len({row["prev_hash"] for row in rows}) == len(rows)  # no two records share a parent: no fork
    assert [row["prev_hash"] for row in rows] == [GENESIS] + [row["hash"] for row in rows[:-1]]
    assert verify_chain().ok
