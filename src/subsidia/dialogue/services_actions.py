"""Writes on the action items decided at meetings: an officer adds one with its owner (a person, an
organisation or both) and due date, and changes anything; the owner, or the owner organisation's gestionnaire,
updates its status. An item's status has no transition table: its owner chooses it freely, and core's
optimistic locking guards the edit."""

from __future__ import annotations

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record, snapshot
from subsidia.core.errors import Code, NotFound, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import check_version
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify
from subsidia.organisations.models import Organisation

from . import selectors
from .inputs import ActionInput
from .models import ActionItem, ActionStatus, Meeting, MeetingSeries
from .services import locked_meeting, meeting_url, require_officer

ACTION_FIELDS = ["title", "description", "owner", "owner_organisation", "due_on", "status", "closed_at", "version"]


# --- action items --------------------------------------------------------------------------------

def _owners(series: MeetingSeries, data: ActionInput, item: ActionItem | None,
            problems: list[Violation]) -> tuple[User | None, Organisation | None]:
    """The owner and owner organisation the input names: of the series (one kept as it was stays, even if it
    has left the series since)."""
    organisation = series.organisations.filter(pk=data.owner_organisation).first() \
        if data.owner_organisation is not None else None
    if item is not None and data.owner_organisation == item.owner_organisation_id:
        organisation = item.owner_organisation
    elif data.owner_organisation is not None and organisation is None:
        problems.append(Violation(Code.INVALID_CHOICE, _("Cette organisation ne participe pas à la série."),
                                  "owner_organisation"))
    owner = selectors.participants(series).filter(pk=data.owner).first() if data.owner is not None else None
    if item is not None and data.owner == item.owner_id:
        owner = item.owner
    elif data.owner is not None and owner is None:
        problems.append(Violation(Code.INVALID_CHOICE, _("Le responsable doit participer à la série."), "owner"))
    return owner, organisation


def _texts(data: ActionInput, problems: list[Violation]) -> None:
    if not data.title.strip():
        problems.append(Violation(Code.REQUIRED, _("Décrivez l'action."), "title"))
    if data.status not in ActionStatus.values:
        problems.append(Violation(Code.INVALID_CHOICE, _("Statut inconnu."), "status"))


@transaction.atomic
def add_action_item(actor: Actor, meeting: Meeting, data: ActionInput) -> ActionItem:
    """An action decided at a meeting, with its owner (a person, an organisation or both) and due date."""
    meeting = locked_meeting(actor, meeting)
    require_officer(actor)
    problems: list[Violation] = []
    _texts(data, problems)
    owner, organisation = _owners(meeting.series, data, None, problems)
    if owner is None and organisation is None and not problems:
        problems.append(Violation(Code.REQUIRED, _("Désignez un responsable (une personne ou une organisation)."),
                                  "owner"))
    if problems:
        raise RuleViolation(problems)
    item = ActionItem.objects.create(series=meeting.series, raised_at=meeting, title=data.title.strip()[:200],
                                     description=data.description.strip(), due_on=data.due_on, status=data.status,
                                     created_by=actor, owner=owner, owner_organisation=organisation)
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


def _locked_item(actor: Actor, item: ActionItem, data: ActionInput) -> ActionItem:
    """The item, locked, if the actor may change what the input changes: officers anything, its owner (or
    the owner organisation's gestionnaire) the status."""
    if not selectors.series_visible_to(actor).filter(pk=item.series_id).exists():
        raise NotFound.single(Code.NOT_FOUND, _("Action introuvable."))
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("series", "raised_at",
                                                                               "owner_organisation").get(pk=item.pk)
    if not selectors.can_update_action(actor, item):
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls l'agent gestionnaire et le responsable de l'action la "
                                                     "mettent à jour."))
    changed = {key for key, value in vars(data).items() if value != getattr(ActionInput.of(item), key)}
    if not selectors.manages_dialogue(actor) and changed - {"status"}:
        raise PermissionDenied.single(Code.FORBIDDEN, _("Le responsable met à jour le statut de l'action ; le reste "
                                                     "est du ressort de l'agent gestionnaire."))
    return item


@transaction.atomic
def update_action_item(actor: Actor, item: ActionItem, data: ActionInput,
                       expected_version: int | None = None) -> ActionItem:
    """Officers change anything; the owner (or the owner organisation's gestionnaire) updates the status."""
    item = _locked_item(actor, item, data)
    check_version(item, expected_version)
    problems: list[Violation] = []
    _texts(data, problems)
    owner, organisation = _owners(item.series, data, item, problems)
    if problems:
        raise RuleViolation(problems)
    before = snapshot(item, ACTION_FIELDS)
    was_closed = item.is_closed
    item.title, item.description, item.due_on = data.title.strip()[:200], data.description.strip(), data.due_on
    item.owner, item.owner_organisation, item.status = owner, organisation, data.status
    if item.is_closed and not was_closed:
        item.closed_at = timezone.now()
    elif not item.is_closed:
        item.closed_at = None
    item.save_bumped()
    record(actor, "action_item.update", item, before=before, after=snapshot(item, ACTION_FIELDS))
    return item
