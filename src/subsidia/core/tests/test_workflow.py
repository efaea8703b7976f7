"""The shared workflow engine: a table's checks and lists, with the domain's wording (the moves themselves are
tested through each domain's services, which write their history and audit through it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from subsidia.core.errors import Code, Conflict, PermissionDenied
from subsidia.core.workflow import Transition, Workflow, transition


@dataclass
class Item:
    state: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def get_state_display(self) -> str:
        return self.state.upper()


TABLE = Workflow("item", [
    transition("publish", {"draft"}, "published", {"editor"}, "Publier"),
    transition("archive", {"published"}, "archived", {"editor", "chief"}, "Archiver"),
    transition("amend", {"draft", "published"}, None, {"chief"}, "Modifier"),
    transition("expire", {"published"}, "archived", set()),
], illegal="Pas « %(action)s » depuis « %(state)s ».")


def test_the_table_lists_what_is_open_from_a_state_in_its_order() -> None:
    assert [t.name for t in TABLE.from_state("published")] == ["archive", "amend", "expire"]
    assert [t.name for t in TABLE.from_state("archived")] == []


def test_a_person_sees_only_the_acts_of_their_roles_and_never_the_systems() -> None:
    editor = Item("draft", frozenset({"editor"}))
    assert [t.name for t in TABLE.available_to(editor, "published")] == ["archive"]
    assert [t.name for t in TABLE.available_to(Item("x", frozenset({"chief"})), "published")] == ["archive", "amend"]
    assert TABLE.available_to(object(), "published") == []  # no roles at all: an anonymous visitor


def test_require_refuses_a_role_with_403_and_a_state_with_409_in_the_domains_words() -> None:
    with pytest.raises(PermissionDenied) as denied:
        TABLE.require(Item("draft", frozenset({"chief"})), Item("draft"), "publish")
    assert denied.value.violations[0].code == Code.FORBIDDEN
    assert "Publier" in str(denied.value.violations[0].message)

    with pytest.raises(Conflict) as conflict:
        TABLE.require(Item("x", frozenset({"editor"})), Item("archived"), "publish")
    violation = conflict.value.violations[0]
    assert (violation.code, violation.field) == (Code.ILLEGAL_TRANSITION, "state")
    assert violation.message == "Pas « Publier » depuis « ARCHIVED »."


def test_require_returns_the_transition_when_allowed() -> None:
    assert TABLE.require(Item("x", frozenset({"editor"})), Item("draft"), "publish") is TABLE["publish"]


def test_a_system_move_is_made_only_by_the_system_and_the_system_makes_no_persons_move() -> None:
    anyone = Item("x", frozenset({"editor", "chief"}))
    with pytest.raises(PermissionDenied):
        TABLE.require(anyone, Item("published"), "expire")
    assert TABLE.require(None, Item("published"), "expire", system=True).target == "archived"
    with pytest.raises(PermissionDenied):
        TABLE.require(None, Item("draft"), "publish", system=True)


def test_a_transition_stores_enum_values_as_strings_and_a_name_is_declared_once() -> None:
    from enum import StrEnum

    class S(StrEnum):
        A = "a"
        B = "b"

    made = transition("go", {S.A}, S.B, {"r"})
    assert made == Transition("go", frozenset({"a"}), "b", frozenset({"r"}))
    assert type(next(iter(made.sources))) is str
    with pytest.raises(ValueError, match="declared twice"):
        Workflow("x", [made, made])
