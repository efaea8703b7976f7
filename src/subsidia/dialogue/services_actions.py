"""Writes on the action items decided at meetings: an officer adds one with its owner (a person, an
organisation or both) and due date, and changes anything; the owner, or the owner organisation's gestionnaire,
updates its status. An item's status has no transition table: its owner chooses it freely, and core's
optimistic locking guards the edit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.values import parse_date, parse_id
from subsidia.core.versions import check_version
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from . import selectors
from .models import ActionItem, ActionStatus, Meeting, MeetingSeries
from .services import locked_meeting, meeting_url, require_officer

ACTION_FIELDS = ["title", "description", "owner", "owner_organisation", "due_on", "status", "closed_at", "version"]


# --- action items --------------------------------------------------------------------------------

def _action_owner(series: MeetingSeries, data: dict[str, Any], problems: list[Violation]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "owner_organisation" in data:
        value = data["owner_organisation"]
        organisation = series.organisations.filter(pk=parse_id(value) or 0).first()
        if value not in (None, "") and organisation is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Cette organisation ne participe pas à la série."),
                                      "owner_organisation"))
        clean["owner_organisation"] = organisation
    if "owner" in data:
        value = data["owner"]
        owner = selectors.participants(series).filter(pk=parse_id(value) or 0).first()
        if value not in (None, "") and owner is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Le responsable doit participer à la série."), "owner"))
        clean["owner"] = owner
    return clean


@transaction.atomic
def add_action_item(actor: Actor, meeting: Meeting, data: dict[str, Any]) -> ActionItem:
    """An action decided at a meeting, with its owner (a person, an organisation or both) and due date."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    problems: list[Violation] = []
    title = str(data.get("title") or "").strip()
    if not title:
        problems.append(Violation(Code.REQUIRED, _("Décrivez l'action."), "title"))
    clean = _action_owner(meeting.series, data, problems)
    due_on = None
    try:
        due_on = parse_date(data.get("due_on"), "due_on", required=False)
    except RuleViolation as error:
        problems.extend(error.violations)
    if not clean.get("owner") and not clean.get("owner_organisation") and not problems:
        problems.append(Violation(Code.REQUIRED, _("Désignez un responsable (une personne ou une organisation)."),
                                  "owner"))
    if problems:
        raise RuleViolation(problems)
    item = ActionItem.objects.create(series=meeting.series, raised_at=meeting, title=title[:200],
                                     description=str(data.get("description") or "").strip(), due_on=due_on,
                                     created_by=actor, **clean)
    record(actor, "action_item.create", item, after=snapshot(item, ACTION_FIELDS))
    _notify_owner(item)
    return item


def _notify_owner(item: ActionItem) -> None:
    people: list[User] = [item.owner] if item.owner else []
    if item.owner_organisation is not None:
        people += list(User.objects.filter(memberships__organisation=item.owner_organisation,
                                           memberships__role=Role.PARTNER_ADMIN, is_active=True))
    due = formats.date_format(item.due_on) if item.due_on else _("sans échéance")
    notify(people, Kind.ACTION_ITEM, lambda: (
        _("Action de suivi : %(title)s") % {"title": item.title},
        _("Décidée lors de la réunion « %(series)s » ; échéance : %(due)s.") % {
            "series": item.series.title, "due": due}), meeting_url(item.raised_at))


@transaction.atomic
def update_action_item(actor: Actor, item: ActionItem, data: dict[str, Any],
                       expected_version: int | None = None) -> ActionItem:
    """Officers change anything; the owner (or the owner organisation's gestionnaire) updates the status."""
    if not selectors.series_visible_to(actor).filter(pk=item.series_id).exists():
        raise NotFound.single(Code.NOT_FOUND, _("Action introuvable."))
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("series", "raised_at",
                                                                               "owner_organisation").get(pk=item.pk)
    if not selectors.can_update_action(actor, item):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls l'agent gestionnaire et le responsable de l'action la "
                                                     "mettent à jour."))
    if not selectors.manages_dialogue(actor) and set(data) - {"status"}:
        raise PermissionDenied.single(Code.FORBIDDEN, _("Le responsable met à jour le statut de l'action ; le reste "
                                                     "est du ressort de l'agent gestionnaire."))
    check_version(item, expected_version)
    problems: list[Violation] = []
    clean = _action_owner(item.series, data, problems)
    if "title" in data:
        clean["title"] = str(data["title"] or "").strip()[:200]
        if not clean["title"]:
            problems.append(Violation(Code.REQUIRED, _("Décrivez l'action."), "title"))
    if "description" in data:
        clean["description"] = str(data["description"] or "").strip()
    if "due_on" in data:
        try:
            clean["due_on"] = parse_date(data["due_on"], "due_on", required=False)
        except RuleViolation as error:
            problems.extend(error.violations)
    if "status" in data:
        if data["status"] not in ActionStatus.values:
            problems.append(Violation(Code.INVALID_CHOICE, _("Statut inconnu."), "status"))
        clean["status"] = data["status"]
    if problems:
        raise RuleViolation(problems)
    before = snapshot(item, ACTION_FIELDS)
    was_closed = item.is_closed
    for key, value in clean.items():
        setattr(item, key, value)
    if item.is_closed and not was_closed:
        item.closed_at = timezone.now()
    elif not item.is_closed:
        item.closed_at = None
    item.save_bumped()
    record(actor, "action_item.update", item, before=before, after=snapshot(item, ACTION_FIELDS))
    return item


