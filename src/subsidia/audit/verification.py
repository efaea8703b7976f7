"""Reading the audit trail back: the chain recomputed from its first record (:func:`verify_chain`), its stored
head, and the append-only triggers.

Apart from :mod:`subsidia.audit.chain`, which the model uses to link each new record and a migration uses to
hash the existing ones: the hashing needs no model, the reading does, and neither module imports the other's
importer back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from .chain import EMPTY_HEAD, GENESIS, HASHED_FIELDS, Head, compute_hash
from .models import AuditEvent


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
