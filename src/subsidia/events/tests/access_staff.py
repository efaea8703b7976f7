"""Access-matrix rows of the officers' event pages and of the public pages after an event (see
core/tests/test_access_matrix.py). The officers' pages are the officer's alone; the questionnaire (signed link),
the published evaluation report, the gallery and its photo files are public."""

from __future__ import annotations

from typing import Any

from subsidia.core.tests.access import EVERYONE, Row

OFFICER = {"officer"}


def _past(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["staff_event_past"].pk}


def _upcoming(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["staff_event_upcoming"].pk}


def _pk(key: str) -> Any:
    return lambda world: {"pk": world[key].pk}


def _photo(index: int) -> Any:
    return lambda world: {"pk": world["staff_photos"][index].pk}


PAGES: dict[str, Row] = {
    "events:staff_list": Row(OFFICER),
    "events:staff_create": Row(OFFICER),
    "events:staff_detail": Row(OFFICER, kwargs=_upcoming),
    "events:staff_edit": Row(OFFICER, kwargs=_upcoming),
    "events:staff_publish": Row(OFFICER, method="POST", ok=302, kwargs=_pk("staff_event_draft")),
    "events:staff_cancel": Row(OFFICER, method="POST", ok=302, kwargs=_upcoming,
                               data=lambda ctx: {"reason": "Salle indisponible"}),
    "events:staff_block_add": Row(OFFICER, kwargs=_upcoming),
    "events:staff_block_edit": Row(OFFICER, kwargs=_pk("staff_block")),
    "events:staff_block_delete": Row(OFFICER, method="POST", ok=302, kwargs=_pk("staff_block")),
    "events:staff_session_add": Row(OFFICER, kwargs=_upcoming),
    "events:staff_session_edit": Row(OFFICER, kwargs=_pk("staff_session")),
    "events:staff_session_delete": Row(OFFICER, method="POST", ok=302, kwargs=_pk("staff_session")),
    "events:staff_registrations": Row(OFFICER, kwargs=_upcoming),
    "events:staff_registration_cancel": Row(OFFICER, method="POST", ok=302, kwargs=_pk("staff_registration")),
    "events:staff_allocate": Row(OFFICER, method="POST", ok=302, kwargs=_upcoming),
    "events:staff_export_csv": Row(OFFICER, kwargs=_upcoming),
    "events:staff_export_xlsx": Row(OFFICER, kwargs=_upcoming),
    "events:evaluation_builder": Row(OFFICER, kwargs=_past),
    "events:evaluation_question_edit": Row(OFFICER, kwargs=_pk("staff_question_answered")),
    "events:evaluation_question_delete": Row(OFFICER, method="POST", ok=302,
                                             kwargs=_pk("staff_question_unanswered")),
    "events:evaluation_question_move": Row(OFFICER, method="POST", ok=302, kwargs=_pk("staff_question_unanswered"),
                                           data=lambda ctx: {"direction": "up"}),
    "events:evaluation_send": Row(OFFICER, method="POST", ok=302, kwargs=_past),
    "events:evaluation_results": Row(OFFICER, kwargs=_past),
    "events:evaluation_report_edit": Row(OFFICER, kwargs=_past),
    "events:evaluation_report_publish": Row(OFFICER, method="POST", ok=302, kwargs=_past,
                                            data=lambda ctx: {"publish": "1"}),
    "events:staff_photos": Row(OFFICER, kwargs=_past),
    "events:staff_photo_edit": Row(OFFICER, kwargs=_photo(0)),
    "events:staff_photo_delete": Row(OFFICER, method="POST", ok=302, kwargs=_photo(0)),
    "events:staff_photo_move": Row(OFFICER, method="POST", ok=302, kwargs=_photo(1),
                                   data=lambda ctx: {"direction": "up"}),
    # Public, after the event.
    "events:evaluation_answer": Row(EVERYONE, kwargs=lambda w: {"token": w["staff_evaluation_token"]}),
    "events:evaluation_report": Row(EVERYONE, kwargs=lambda w: {"slug": w["staff_event_past"].slug}),
    "events:gallery": Row(EVERYONE, kwargs=lambda w: {"slug": w["staff_event_past"].slug}),
    "events:photo_file": Row(EVERYONE, kwargs=lambda w: {"slug": w["staff_event_past"].slug,
                                                         "pk": w["staff_photos"][0].pk}),
}
