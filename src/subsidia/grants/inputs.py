"""The typed inputs of the grants' writes, produced by the Django forms (``form.to_input()``) and by the API's
schemas (``payload.to_input()``), which have already checked types and formats: the services take them as they
are and check only the rules (against the call, the database, the state), reporting every problem at once.

A field left :data:`UNSET` is not changed (a partial edit, the API's PATCH); ``None`` empties it where the field
may be empty."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar, Union


class Unset(enum.Enum):
    """The value of a field an input does not give."""

    UNSET = "unset"


UNSET = Unset.UNSET
T = TypeVar("T")
Maybe = Union[T, Literal[Unset.UNSET]]  # noqa: UP007 - a generic alias over a TypeVar needs Union here


def given(data: object) -> dict[str, Any]:
    """The fields an input gives (not :data:`UNSET`), by name."""
    return {f.name: getattr(data, f.name) for f in fields(data)  # type: ignore[arg-type]
            if getattr(data, f.name) is not UNSET}


# --- calls ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    title: str
    weight: int = 1
    help_text: str = ""


@dataclass(frozen=True)
class QuestionInput:
    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    help_text: str = ""
    shown_if_question: str = ""  # the key of an earlier question; empty: always shown
    shown_if_value: str = ""


@dataclass(frozen=True)
class CallInput:
    """A call's fields; on creation the unset ones take the documented defaults."""

    programme: Maybe[str] = UNSET
    year: Maybe[int] = UNSET
    title: Maybe[str] = UNSET
    text: Maybe[str] = UNSET
    eligible_legal_forms: Maybe[tuple[str, ...]] = UNSET
    min_lead_weeks: Maybe[int] = UNSET
    required_document_kinds: Maybe[tuple[str, ...]] = UNSET
    deliverable_types: Maybe[tuple[str, ...]] = UNSET
    opens_on: Maybe[date | None] = UNSET
    closes_on: Maybe[date | None] = UNSET
    budget: Maybe[Decimal] = UNSET
    is_published: Maybe[bool] = UNSET
    priorities: Maybe[tuple[str, ...]] = UNSET
    criteria: Maybe[tuple[CriterionInput, ...]] = UNSET
    questions: Maybe[tuple[QuestionInput, ...]] = UNSET


# --- applications --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLineInput:
    """One budget line; ``amount`` None is a line whose amount was left empty (refused by the service)."""

    kind: str
    label: str
    amount: Decimal | None


@dataclass(frozen=True)
class ApplicationInput:
    """An application's editable fields; ``budget_lines``, when given, replaces the planned budget."""

    title: Maybe[str] = UNSET
    summary: Maybe[str] = UNSET
    description: Maybe[str] = UNSET
    priority_id: Maybe[int | None] = UNSET
    activity_domain_id: Maybe[int | None] = UNSET
    deliverable_types: Maybe[tuple[str, ...]] = UNSET
    start_date: Maybe[date | None] = UNSET
    end_date: Maybe[date | None] = UNSET
    requested_amount: Maybe[Decimal | None] = UNSET
    answers: Maybe[Mapping[str, str]] = UNSET
    budget_lines: Maybe[tuple[BudgetLineInput, ...]] = UNSET


# --- decisions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrancheInput:
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class DecisionInput:
    """The approver's decision; an approval without ``tranches`` is paid in one tranche due today."""

    outcome: str
    granted_amount: Decimal = Decimal(0)
    conditions: str = ""
    motivation: str = ""
    tranches: tuple[TrancheInput, ...] | None = None
