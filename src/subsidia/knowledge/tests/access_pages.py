"""Access-matrix rows of the knowledge base's pages (see core/tests/test_access_matrix.py).

The public pages are everyone's. Good practices and the FAQ are managed by officers. News are written by
officers and by partners' gestionnaires: organisation A's draft is A's gestionnaire's and the officer's, and
answers 404 to organisation B's gestionnaire; publishing it is the officer's (A's gestionnaire: 403)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.core.tests.access import EVERYONE, Row
from subsidia.knowledge.models import FaqTopic

OFFICER = {"officer"}
NEWS_WRITERS = {"officer", "partner_admin", "partner_admin_b"}


def _k(world: dict[str, Any]) -> dict[str, Any]:
    return world["knowledge"]


def _practice(world: dict[str, Any]) -> dict[str, Any]:
    return {"slug": _k(world)["practice"].slug}


def _draft(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _k(world)["draft_practice"].pk}


def _empty_topic(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": FaqTopic.objects.create(name="Rubrique vide", slug="rubrique-vide").pk}


def _pdf(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Affiche", "file": SimpleUploadedFile("affiche.pdf", b"%PDF-1.4\n%x\n", "application/pdf")}


PAGES: dict[str, Row] = {
    "knowledge:good_practice_list": Row(EVERYONE),
    "knowledge:good_practice_detail": Row(EVERYONE, kwargs=_practice),
    "knowledge:good_practice_attachment": Row(EVERYONE, kwargs=lambda w: {
        "slug": _k(w)["practice"].slug, "pk": _k(w)["attachment"].pk}),
    "knowledge:good_practice_manage": Row(OFFICER),
    "knowledge:good_practice_create": Row(OFFICER),
    "knowledge:good_practice_edit": Row(OFFICER, kwargs=_draft),
    "knowledge:good_practice_transition": Row(
        OFFICER, method="POST", ok=302, kwargs=lambda w: {**_draft(w), "transition": "publish"},
        data=lambda ctx: {"version": ctx["knowledge"]["draft_practice"].version}),
    "knowledge:good_practice_attachment_add": Row(OFFICER, method="POST", ok=302, kwargs=_draft, data=_pdf),
    "knowledge:good_practice_attachment_delete": Row(OFFICER, method="POST", ok=302, kwargs=lambda w: {
        **_draft(w), "attachment_pk": _k(w)["draft_attachment"].pk}),
    "knowledge:faq": Row(EVERYONE),
    "knowledge:faq_manage": Row(OFFICER),
    "knowledge:faq_topic_create": Row(OFFICER),
    "knowledge:faq_topic_edit": Row(OFFICER, kwargs=lambda w: {"pk": _k(w)["faq_topic"].pk}),
    "knowledge:faq_topic_delete": Row(OFFICER, method="POST", ok=302, kwargs=_empty_topic),
    "knowledge:faq_question_create": Row(OFFICER),
    "knowledge:faq_question_edit": Row(OFFICER, kwargs=lambda w: {"pk": _k(w)["faq_question"].pk}),
    "knowledge:faq_question_transition": Row(
        OFFICER, method="POST", ok=302, kwargs=lambda w: {"pk": _k(w)["faq_draft"].pk, "transition": "publish"}),
    "knowledge:faq_question_delete": Row(OFFICER, method="POST", ok=302,
                                         kwargs=lambda w: {"pk": _k(w)["faq_draft"].pk}),
    "knowledge:news_list": Row(EVERYONE),
    "knowledge:news_rss": Row(EVERYONE),
    "knowledge:news_atom": Row(EVERYONE),
    "knowledge:news_detail": Row(EVERYONE, kwargs=lambda w: {"slug": _k(w)["news"].slug}),
    "knowledge:news_manage": Row(NEWS_WRITERS),
    "knowledge:news_create": Row(NEWS_WRITERS),
    "knowledge:news_edit": Row(NEWS_WRITERS, overrides={"partner_admin_b": 404},
                               kwargs=lambda w: {"pk": _k(w)["partner_draft"].pk}),
    "knowledge:news_transition": Row(
        NEWS_WRITERS, method="POST", ok=302, overrides={"partner_admin": 403, "partner_admin_b": 404},
        kwargs=lambda w: {"pk": _k(w)["partner_draft"].pk, "transition": "publish"}),
    "knowledge:news_send_back": Row(OFFICER, kwargs=lambda w: {"pk": _k(w)["partner_draft"].pk}),
}
