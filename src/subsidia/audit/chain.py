"""The audit trail's hash chain: each record carries the SHA-256 of its own content and of the record
before it, so that changing, removing or inserting a record anywhere breaks every later link.

The hash covers a canonical serialisation of the record: a JSON object with sorted keys and no spaces,
UTF-8, date-times in UTC ISO 8601 with microseconds (``2026-12-04T08:15:00.123456Z``), decimals as strings,
integral numbers as integers, and the previous record's hash under ``prev_hash`` (64 zeros for the first
record). The serialisation is a function of the stored values only, so that
:func:`subsidia.audit.verification.verify_chain` can recompute it from the database.

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
from collections.abc import Mapping
from dataclasses import dataclass
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
