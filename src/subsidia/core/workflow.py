"""One workflow engine for every domain: a domain declares its table of transitions, the engine checks and
carries them out.

A :class:`Transition` says from which states an act is open, to which state it leads (or none: an act such
as an amendment that keeps the state), which roles may make it (none: the system's own move) and whether a
reason is required. A :class:`Workflow` holds a domain's table and does what every domain did by hand:

- :meth:`Workflow.available_to` lists the acts a person may make from a state (the buttons of a page, the
  operations of the API);
- :meth:`Workflow.require` refuses an act the actor's role does not allow (403, ``forbidden``) or the
  object's state does not (409, ``illegal_transition``), with the domain's own wording;
- :meth:`Workflow.move` changes the state in one transaction: version raised in the database, the domain's
  history row, and the audit record of the act with the object's values before and after.

Object access (may this actor see this object at all) is the domain's selectors' business and is checked
before, when the object is locked (:func:`subsidia.core.versions.locked`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import auditing
from .errors import Code, Conflict, PermissionDenied

M = TypeVar("M", bound=models.Model)
ILLEGAL = _("Impossible de « %(action)s » depuis l'état « %(state)s ».")
FORBIDDEN = _("Votre rôle ne permet pas : %(action)s.")


@dataclass(frozen=True)
class Transition:
    """One act of a workflow. ``target`` None keeps the state; ``roles`` empty makes it the system's move."""

    name: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    label: str | Promise = ""
    reason_required: bool = False

    def opens_from(self, state: str) -> bool:
        return state in self.sources

    def allows(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & set(roles))

    @property
    def by_system(self) -> bool:
        return not self.roles


def transition(name: str, sources: Iterable[str], target: str | None, roles: Iterable[str],
               label: str | Promise = "", *, reason_required: bool = False) -> Transition:
    """A transition from enum members or strings (stored as their string values)."""
    return Transition(name, frozenset(str(s) for s in sources), None if target is None else str(target),
                      frozenset(str(r) for r in roles), label, reason_required)


T = TypeVar("T", bound=Transition)


def roles_of(actor: object) -> frozenset[str]:
    """The roles an actor holds (none for an anonymous visitor or the system)."""
    return frozenset(getattr(actor, "roles", frozenset()))


class Workflow(Generic[T]):
    """A domain's table of transitions over the ``state_field`` of its objects.

    ``subject`` names the audit actions (``"<subject>.<transition>"``); ``illegal`` is the domain's message for
    an act its object's state does not allow (``%(action)s`` and ``%(state)s``, the state's label)."""

    def __init__(self, subject: str, transitions: Iterable[T], *, state_field: str = "state",
                 illegal: str | Promise = ILLEGAL, forbidden: str | Promise = FORBIDDEN,
                 state_of: Callable[[Any], str] | None = None,
                 state_label: Callable[[Any], str] | None = None) -> None:
        self.subject = subject
        self.transitions: dict[str, T] = {}
        for item in transitions:
            if item.name in self.transitions:
                raise ValueError(f"{subject}: transition {item.name!r} is declared twice")
            self.transitions[item.name] = item
        self.state_field = state_field
        self.illegal = illegal
        self.forbidden = forbidden
        self._state_of = state_of
        self._state_label = state_label

    # --- the table -----------------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> T:
        return self.transitions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.transitions

    def __iter__(self) -> Iterator[T]:
        return iter(self.transitions.values())

    def get(self, name: str) -> T | None:
        return self.transitions.get(name)

    def from_state(self, state: str) -> list[T]:
        """The transitions open from ``state``, in the table's order."""
        return [t for t in self if t.opens_from(state)]

    def available_to(self, actor: object, state: str) -> list[T]:
        """The transitions open from ``state`` whose role ``actor`` holds (object access is checked apart)."""
        roles = roles_of(actor)
        return [t for t in self.from_state(state) if t.allows(roles)]

    def state_of(self, obj: Any) -> str:
        if self._state_of is not None:
            return self._state_of(obj)
        return str(getattr(obj, self.state_field))

    def state_label(self, obj: Any) -> str:
        if self._state_label is not None:
            return self._state_label(obj)
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return str(display()) if callable(display) else self.state_of(obj)

    # --- checking and moving -------------------------------------------------------------------------------

    def require(self, actor: object, obj: Any, name: str, *, system: bool = False) -> T:
        """The transition ``name`` if ``actor`` may make it on ``obj`` now; else ``PermissionDenied`` (the
        role) or ``Conflict`` (the state). A system move (no roles) is made only with ``system=True``."""
        item = self[name]
        if item.by_system != system or (not system and not item.allows(roles_of(actor))):
            raise PermissionDenied.single(Code.FORBIDDEN, str(self.forbidden) % {"action": item.label or name})
        if not item.opens_from(self.state_of(obj)):
            raise Conflict.single(Code.ILLEGAL_TRANSITION, str(self.illegal) % {
                "action": item.label or name, "state": self.state_label(obj)}, self.state_field)
        return item

    def move(self, actor: object, obj: M, name: str, *, note: str = "", before: dict[str, Any] | None = None,
             audit_fields: Iterable[str] | None = None, history: Callable[[str, str], object] | None = None,
             changes: Callable[[M], None] | None = None, after_extra: Mapping[str, Any] | None = None) -> M:
        """Carry out ``name`` (already checked by :meth:`require`) on ``obj``, in one transaction.

        ``changes`` sets the other fields the act changes; ``history(source, target)`` writes the domain's
        history row; the audit records ``before`` (taken now if not given) and the values after, with
        ``after_extra`` beside them (what the act did beyond the object's fields, e.g. how many were told)."""
        item = self[name]
        fields = list(audit_fields) if audit_fields is not None else None
        with transaction.atomic():
            before = before if before is not None else auditing.snapshot(obj, fields)
            source = self.state_of(obj)
            if item.target is not None:
                setattr(obj, self.state_field, item.target)
            if changes is not None:
                changes(obj)
            if hasattr(obj, "version"):
                obj.version = F("version") + 1
            obj.save()
            obj.refresh_from_db()
            if history is not None:
                history(source, self.state_of(obj))
            after = {**auditing.snapshot(obj, fields), **(after_extra or {})}
            auditing.record(actor, f"{self.subject}.{name}", obj, before=before, after=after, note=note)
        return obj
