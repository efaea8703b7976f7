"""Objects of the knowledge base in the access matrix's world: a published and a draft good practice (the
draft with an attachment too), a FAQ topic with a published and a draft question, a published news item and
organisation A's partner's draft news item."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from subsidia.knowledge.models import GoodPracticeAttachment

from .factories import FaqQuestionFactory, FaqTopicFactory, GoodPracticeFactory, NewsItemFactory

PDF = b"%PDF-1.4\n%test\n"


def _attach(practice: Any) -> GoodPracticeAttachment:
    return GoodPracticeAttachment.objects.create(
        practice=practice, title="Rapport", content_type="application/pdf", size=len(PDF),
        file=SimpleUploadedFile("rapport.pdf", PDF))


def add_knowledge(world: dict[str, Any]) -> None:
    practice = GoodPracticeFactory.create(title="Accueil des nouveaux arrivants", slug="accueil",
                                          actors=[world["org_a"]])
    draft = GoodPracticeFactory.create(title="Projet en préparation", slug="projet-brouillon", state="draft",
                                       published_at=None)
    topic = FaqTopicFactory.create(name="Inscription", slug="inscription")
    world["knowledge"] = {
        "practice": practice,
        "attachment": _attach(practice),
        "draft_practice": draft,
        "draft_attachment": _attach(draft),
        "faq_topic": topic,
        "faq_question": FaqQuestionFactory.create(topic=topic),
        "faq_draft": FaqQuestionFactory.create(topic=topic, state="draft"),
        "news": NewsItemFactory.create(title="Conférence nationale", slug="conference"),
        "partner_draft": NewsItemFactory.create(title="Notre fête de quartier", slug="fete-quartier", state="draft",
                                                published_at=None, issuing_body=world["org_a"],
                                                created_by=world["people"]["partner_admin"]),
    }
