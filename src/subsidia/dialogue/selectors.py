"""Reads on the dialogue, scoped by the user who reads: the ministry's staff see every series; a partner's
members see the series their organisation takes part in; minutes only once published."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from subsidia.accounts.actors import Visitor
from subsidia.accounts.models import User
from subsidia.accounts.roles import ALL_ORGANISATIONS_ROLES, Role
from subsidia.organisations.models import Organisation

from .models import ActionItem, AgendaItem, AgendaItemStatus, Meeting, MeetingSeries, MeetingStatus


def sees_all_series(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.staff_roles & ALL_ORGANISATIONS_ROLES)


def manages_dialogue(user: Visitor) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.OFFICER))


def series_visible_to(user: Visitor) -> QuerySet[MeetingSeries]:
    if not user.is_authenticated:
        return MeetingSeries.objects.none()
    series = MeetingSeries.objects.select_related("department")
    if sees_all_series(user):
        return series
    scope = Q(ministry_participants=user)
    if user.partner_roles:
        scope |= Q(organisations__memberships__user=user)
    return series.filter(scope).distinct()


def meetings_visible_to(user: Visitor) -> QuerySet[Meeting]:
    return Meeting.objects.filter(series__in=series_visible_to(user).values("pk")).select_related(
        "series__department")


def organisations_of(user: Visitor, series: MeetingSeries, *, admin: bool = False) -> QuerySet[Organisation]:
    """The user's organisations that take part in the series (as a gestionnaire when ``admin``)."""
    memberships = Q(memberships__user=user)
    if admin:
        memberships &= Q(memberships__role=Role.PARTNER_ADMIN)
    return series.organisations.filter(memberships).distinct()


def can_read_minutes(user: Visitor, meeting: Meeting) -> bool:
    return meeting.minutes_published_at is not None or manages_dialogue(user) or sees_all_series(user)


def agenda(meeting: Meeting, user: Visitor) -> QuerySet[AgendaItem]:
    """The agenda as the user may see it: staff see every proposal; partners the accepted items and their
    own organisations' proposals."""
    items = meeting.agenda_items.select_related("proposed_by", "organisation")
    if sees_all_series(user):
        return items
    return items.filter(Q(status=AgendaItemStatus.ACCEPTED) | Q(organisation__memberships__user=user)
                        | Q(proposed_by=user)).distinct()


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
            .exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at").first())


def follow_up(meeting: Meeting) -> QuerySet[ActionItem]:
    """The action items carried over to ``meeting``: raised at an earlier meeting of the series and still open,
    or closed since the previous meeting (so that the meeting takes note that they are done)."""
    earlier = ActionItem.objects.filter(series_id=meeting.series_id, raised_at__starts_at__lt=meeting.starts_at)
    previous = previous_meeting(meeting)
    still_listed = Q(closed_at__isnull=True)
    if previous is not None:
        still_listed |= Q(closed_at__gte=previous.starts_at)
    else:
        still_listed |= Q(closed_at__isnull=False)
    return earlier.filter(still_listed).select_related("owner", "owner_organisation", "raised_at").order_by(
        "due_on", "pk")


def raised_at(meeting: Meeting) -> QuerySet[ActionItem]:
    return meeting.raised_actions.select_related("owner", "owner_organisation").order_by("due_on", "pk")


def open_actions_of(user: Visitor) -> QuerySet[ActionItem]:
    """Open action items owned by the user or by one of their organisations, in series they can see."""
    return (ActionItem.objects.filter(series__in=series_visible_to(user).values("pk"), closed_at__isnull=True)
            .filter(Q(owner=user) | Q(owner_organisation__memberships__user=user)).distinct()
            .select_related("series", "raised_at").order_by("due_on", "pk"))


def participants(series: MeetingSeries) -> QuerySet[User]:
    """The people invited to the series' meetings: the ministry's participants and the gestionnaires of the
    participating organisations."""
    return User.objects.filter(
        Q(pk__in=series.ministry_participants.values("pk"))
        | Q(memberships__organisation__in=series.organisations.all(), memberships__role=Role.PARTNER_ADMIN),
        is_active=True).distinct()


# --- for the pages -------------------------------------------------------------------------------

def can_update_action(user: Visitor, item: ActionItem) -> bool:
    """Who may update an action item (services.update_action_item enforces it; the pages offer the form):
    officers, its owner, and the gestionnaires of its owner organisation."""
    if not user.is_authenticated:
        return False
    if manages_dialogue(user) or item.owner_id == user.pk:
        return True
    return bool(item.owner_organisation_id and user.memberships.filter(
        organisation_id=item.owner_organisation_id, role=Role.PARTNER_ADMIN).exists())


def open_actions_of_series(series: MeetingSeries) -> QuerySet[ActionItem]:
    return (series.action_items.filter(closed_at__isnull=True)
            .select_related("owner", "owner_organisation", "raised_at").order_by("due_on", "pk"))


def may_propose(user: Visitor, meeting: Meeting) -> bool:
    """Whether the meeting page offers ``user`` to propose a point (officers, and the participating
    organisations' gestionnaires, before the meeting)."""
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        return False
    return manages_dialogue(user) or organisations_of(user, meeting.series, admin=True).exists()
