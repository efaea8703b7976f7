"""The audit trail's hash chain: each record carries the SHA-256 of its own content and of the record
before it, so that changing, removing or inserting a record anywhere breaks every later link.

The hash covers a canonical serialisation of the record: a JSON object with sorted keys and no spaces,
UTF-8, date-times in UTC ISO 8601 with microseconds (``2026-12-04T08:15:00.123456Z``), decimals as strings,
integral numbers as integers, and the previous record's hash under ``prev_hash`` (64 zeros for the first
record). The serialisation is a function of the stored values only, so that :func:`verify_chain` can
recompute it from the database.

Appending is serialised (:func:`lock_chain`): on PostgreSQL a transaction-level advisory lock held until
commit, on SQLite the IMMEDIATE transaction that already holds the database's write lock. Two concurrent
writers therefore never read the same head, and the chain stays one line.

A chain rewritten consistently from the first record cannot be caught from the database alone: the head
(last id and hash) is exported daily out of the database's reach (``audit.tasks``), and
``verify-audit --against HEAD_FILE`` checks that the chain still passes through it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections

GENESIS = "0" * 64
ALGORITHM = "sha256-v1"
# pg_advisory_xact_lock key of the chain ("SUBSAUDT" as a 64-bit integer).
ADVISORY_LOCK_KEY = 0x5355425341554454 - (1 << 63)
# The fields of a record covered by its hash, besides prev_hash.
HASHED_FIELDS = ("id", "occurred_at", "actor_id", "actor_label", "action", "object_type", "object_id",
                 "object_repr", "before", "after", "note")


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("audit date-times must be aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # PostgreSQL's jsonb reads 1e+16 back as 10000000000000000: an integral float is written as an integer.
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def normalise_json(value: Any) -> Any:
    """A before/after value as it will read back from the database (through JSON, Django's encoder)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_bytes(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    data = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    data["prev_hash"] = prev_hash
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def compute_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical_bytes(fields, prev_hash)).hexdigest()


def lock_chain(using: str = DEFAULT_DB_ALIAS) -> None:
    """Serialise appends until the end of the current transaction (call inside ``transaction.atomic``)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the settings open every transaction with BEGIN IMMEDIATE, which takes the database's write
    # lock before the head is read; there is nothing more to lock.


@dataclass(frozen=True)
class Head:
    """The end of the chain: the last record's id and hash, and how many records lead to it."""

    last_id: int | None
    hash: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"algorithm": ALGORITHM, "last_id": self.last_id, "hash": self.hash, "count": self.count}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Head:
        try:
            last_id = data["last_id"]
            return cls(last_id=None if last_id is None else int(last_id), hash=str(data["hash"]),
                       count=int(data["count"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an audit chain head: {error}") from error


EMPTY_HEAD = Head(last_id=None, hash=GENESIS, count=0)


@dataclass
class Break:
    record_id: int | None
    problem: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"record {self.record_id}" if self.record_id is not None else "the chain"
        return f"{where}: {self.problem}: expected {self.expected}, found {self.found}"


@dataclass
class Verification:
    head: Head
    breaks: list[Break] = field(default_factory=list)
    checked_against: list[Head] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(using: str, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    from .models import AuditEvent

    yield from (AuditEvent.objects.using(using).order_by("id")
                .values(*HASHED_FIELDS, "prev_hash", "hash").iterator(chunk_size=chunk_size))


def verify_chain(against: Iterable[Head] = (), using: str = DEFAULT_DB_ALIAS) -> Verification:
    """Recompute the chain from its first record. The first broken link is reported (record id, expected
    vs found) and the walk stops there; otherwise the chain is checked against each exported head."""
    expected_prev = GENESIS
    previous_id: int | None = None
    count = 0
    hashes_at: dict[int, tuple[str, int]] = {}
    wanted = {head.last_id for head in against if head.last_id is not None}
    for row in _rows(using):
        count += 1
        if row["prev_hash"] != expected_prev:
            after = f"record {previous_id}" if previous_id is not None else "the start of the chain"
            problem = (f"link to the previous record broken (a record was removed or inserted after {after}, "
                       "or the chain rewritten)")
            return Verification(head=Head(previous_id, expected_prev, count - 1),
                                breaks=[Break(row["id"], problem, expected_prev, row["prev_hash"])])
        computed = compute_hash(row, row["prev_hash"])
        if computed != row["hash"]:
            return Verification(head=Head(previous_id, expected_prev, count - 1),
                                breaks=[Break(row["id"], "content altered (hash of its fields)", row["hash"],
                                              computed)])
        if row["id"] in wanted:
            hashes_at[row["id"]] = (row["hash"], count)
        expected_prev, previous_id = row["hash"], row["id"]
    result = Verification(head=Head(previous_id, expected_prev, count))
    for exported in against:
        result.checked_against.append(exported)
        if exported.last_id is None:
            if exported.count:
                result.breaks.append(Break(None, "exported head names no record", "an empty chain", "a head"))
            continue
        if exported.last_id not in hashes_at:
            result.breaks.append(Break(exported.last_id, "record of the exported head is missing (chain truncated "
                                       "or rewritten)", exported.hash, "no record"))
            continue
        found_hash, found_count = hashes_at[exported.last_id]
        if found_hash != exported.hash:
            result.breaks.append(Break(exported.last_id, "hash differs from the exported head (chain rewritten)",
                                       exported.hash, found_hash))
        elif found_count != exported.count:
            result.breaks.append(Break(exported.last_id, "number of records up to the exported head differs",
                                       str(exported.count), str(found_count)))
    return result


def current_head(using: str = DEFAULT_DB_ALIAS) -> Head:
    """The stored head (last record's id and hash), without recomputing the chain."""
    from .models import AuditEvent

    events = AuditEvent.objects.using(using)
    last = events.order_by("-id").values("id", "hash").first()
    if last is None:
        return EMPTY_HEAD
    return Head(last_id=last["id"], hash=last["hash"], count=events.count())


EXPECTED_TRIGGERS = {
    "sqlite": ("audit_event_no_update", "audit_event_no_delete"),
    "postgresql": ("audit_event_no_change", "audit_event_no_truncate"),
}


def trigger_problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The append-only triggers that are missing or disabled."""
    from .models import AuditEvent

    connection = connections[using]
    expected = EXPECTED_TRIGGERS.get(connection.vendor, ())
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, 'O' FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           [table])
        else:
            return []
        found = dict(cursor.fetchall())
    problems = []
    for name in expected:
        if name not in found:
            problems.append(f"trigger {name} is missing")
        elif found[name] == "D":
            problems.append(f"trigger {name} is disabled")
    return problems
