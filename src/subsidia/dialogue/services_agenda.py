"""Writes on a meeting's agenda: an officer adds a point, a participating organisation's gestionnaire proposes
one, which an officer accepts or declines (the table of :mod:`subsidia.dialogue.workflow`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidia.accounts.actors import Actor
from subsidia.accounts.models import User
from subsidia.accounts.roles import Role
from subsidia.audit.services import record
from subsidia.core.errors import Code, Conflict, PermissionDenied, RuleViolation, Violation
from subsidia.core.versions import locked
from subsidia.notifications.models import Kind
from subsidia.notifications.services import notify

from . import selectors
from .errors import DialogueError
from .inputs import AgendaProposal
from .models import AgendaItem, AgendaItemStatus, Meeting, MeetingStatus
from .services import locked_meeting, meeting_url, require_officer, when
from .workflow import AGENDA_WORKFLOW

# --- agenda --------------------------------------------------------------------------------------

@transaction.atomic
def propose_agenda_item(actor: Actor, meeting: Meeting, data: AgendaProposal) -> AgendaItem:
    """An officer adds a point to the agenda; a partner's gestionnaire proposes one, which an officer accepts
    or declines."""
    meeting = locked_meeting(actor, meeting)
    is_officer = selectors.manages_dialogue(actor)
    own = selectors.organisations_of(actor, meeting.series, admin=True)
    if not is_officer and not own.exists():
        raise PermissionDenied.single(Code.FORBIDDEN, _("Seuls les agents et les gestionnaires des organisations "
                                                     "participantes proposent des points."))
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise Conflict.single(DialogueError.MEETING_PAST,
                              _("L'ordre du jour d'une réunion passée ou annulée est clos."), "meeting")
    problems: list[Violation] = []
    title = data.title.strip()
    if not title:
        problems.append(Violation(Code.REQUIRED, _("Formulez le point à inscrire."), "title"))
    elif len(title) > 200:
        problems.append(Violation(Code.INVALID, _("Le point ne peut dépasser 200 caractères."), "title"))
    on_behalf = None
    if not is_officer:
        on_behalf = own.filter(pk=data.organisation).first() if data.organisation else own.first()
        if on_behalf is None:
            problems.append(Violation(Code.INVALID_CHOICE, _("Vous ne représentez pas cette organisation."),
                                      "organisation"))
    if problems:
        raise RuleViolation(problems)
    position = (meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, title=title, description=data.description.strip(), proposed_by=actor,
        organisation=on_behalf, position=position,
        status=AgendaItemStatus.ACCEPTED if is_officer else AgendaItemStatus.PROPOSED)
    record(actor, "meeting.agenda_propose", meeting, after={"item": item.title, "status": item.status,
                                                           "organisation": str(on_behalf or "")})
    if not is_officer:
        officers = User.objects.filter(role_grants__role=Role.OFFICER, is_active=True).distinct()
        notify(officers, Kind.AGENDA_ITEM_PROPOSED, lambda: (
            _("Point proposé par %(org)s") % {"org": on_behalf},
            _("« %(title)s », pour la réunion du %(when)s.") % {"title": item.title, "when": when(meeting)}),
            meeting_url(meeting))
    return item


@transaction.atomic
def decide_agenda_item(actor: Actor, item: AgendaItem, *, accept: bool, reason: str = "") -> AgendaItem:
    """An officer accepts a proposed point, or declines it with the reason the proposer is told."""
    meeting = locked_meeting(actor, item.meeting)
    require_officer(actor)
    item = locked(meeting.agenda_items.all(), item, _("Point introuvable."))
    name = "accept" if accept else "decline"
    act = AGENDA_WORKFLOW.require(actor, item, name)
    reason = str(reason or "").strip()
    if act.reason_required and not reason:
        raise RuleViolation.single(Code.REASON_REQUIRED,
                                   _("Dites à l'organisation pourquoi le point n'est pas retenu."), "reason")
    AGENDA_WORKFLOW.move(actor, item, name, note=reason, audit_fields=["title", "status", "decline_reason"],
                         changes=lambda i: setattr(i, "decline_reason", "" if accept else reason))
    if item.proposed_by is not None:
        notify([item.proposed_by], Kind.AGENDA_ITEM_PROPOSED, lambda: (
            _("Votre point « %(title)s » : %(status)s") % {"title": item.title, "status": item.get_status_display()},
            reason), meeting_url(meeting))
    return item


