"""Access-matrix rows of the dialogue's pages (see core/tests/test_access_matrix.py).

Every partner and every member of staff reaches the dialogue's pages; the selectors then scope the series:
organisation A's series is seen by A's people and the ministry's readers of every organisation, and answers
404 to organisation B and to the staff who take no part in it (reviewer, moderator). The officers' pages are
the officer's. The calendar feeds are public: the secret token in the address stands for its owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from subsidia.core.tests.access import EVERYONE, PARTNERS, STAFF, Row
from subsidia.dialogue.models import Meeting, MeetingStatus

PARTICIPANTS = PARTNERS | STAFF
# Who may not see organisation A's series: it does not exist for them.
HIDDEN = dict.fromkeys({"partner_admin_b", "reviewer", "moderator"}, 404)
OFFICER = {"officer"}


def _series(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["series"].pk}


def _meeting(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["meeting"].pk}


def _meeting_with_unpublished_minutes(world: dict[str, Any]) -> dict[str, Any]:
    held = timezone.now() - timedelta(days=7)
    meeting = Meeting.objects.create(series=world["series"], starts_at=held, ends_at=held + timedelta(hours=2),
                                     status=MeetingStatus.HELD, minutes="Compte rendu à publier.")
    return {"pk": meeting.pk}


PAGES: dict[str, Row] = {
    "dialogue:series_list": Row(PARTICIPANTS),
    "dialogue:series_create": Row(OFFICER),
    "dialogue:series": Row(PARTICIPANTS, overrides=HIDDEN, kwargs=_series),
    "dialogue:series_edit": Row(OFFICER, kwargs=_series),
    "dialogue:series_generate": Row(OFFICER, method="POST", ok=302, kwargs=_series),
    "dialogue:meeting_add": Row(OFFICER, kwargs=_series),
    "dialogue:meeting": Row(PARTICIPANTS, overrides=HIDDEN, kwargs=_meeting),
    "dialogue:meeting_ics": Row(PARTICIPANTS, overrides=HIDDEN, kwargs=_meeting),
    "dialogue:meeting_edit": Row(OFFICER, kwargs=_meeting),
    # Officers add points, the partners' gestionnaires propose them; a member is refused by the service.
    "dialogue:agenda_propose": Row(
        PARTNERS | OFFICER, method="POST", ok=302, overrides={"partner_member": 403, "partner_admin_b": 404},
        kwargs=_meeting, data=lambda ctx: {"title": "Interprétariat dans les permanences"}),
    "dialogue:agenda_decide": Row(OFFICER, method="POST", ok=302, kwargs=lambda w: {"pk": w["agenda_proposal"].pk},
                                  data=lambda ctx: {"decision": "accept"}),
    "dialogue:minutes": Row(OFFICER, kwargs=lambda w: {"pk": w["meeting_past"].pk}),
    "dialogue:minutes_publish": Row(OFFICER, method="POST", ok=302, kwargs=_meeting_with_unpublished_minutes),
    "dialogue:action_add": Row(
        OFFICER, method="POST", ok=302, kwargs=_meeting,
        data=lambda ctx: {"title": "Envoyer les chiffres", "owner_organisation": ctx["org_a"].pk}),
    # The action belongs to organisation A: its gestionnaire updates the status, the officer anything; the
    # member and the readers of every organisation are refused by the service.
    "dialogue:action_update": Row(
        PARTICIPANTS, method="POST", ok=302, kwargs=lambda w: {"pk": w["action_item"].pk},
        overrides={**HIDDEN, **dict.fromkeys({"partner_member", "approver", "finance", "auditor", "admin"}, 403)},
        data=lambda ctx: {"status": "in_progress"}),
    "dialogue:invite": Row(OFFICER, method="POST", ok=302, kwargs=_meeting),
    "dialogue:calendar": Row(PARTICIPANTS),
    "dialogue:calendar_renew": Row(PARTICIPANTS, method="POST", ok=302),
    "dialogue:user_feed": Row(EVERYONE, kwargs=lambda w: {"token": w["calendar_token"]}),
    "dialogue:series_feed": Row(EVERYONE, kwargs=lambda w: {"token": w["calendar_token"], "pk": w["series"].pk}),
}
API: dict[tuple[str, str], Row] = {}
