"""The knowledge base's pages: filters, details, attachments, feeds, the FAQ and the management pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.knowledge.models import FaqQuestion, GoodPractice, NewsItem
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory

from .access_world import _attach
from .factories import FaqQuestionFactory, FaqTopicFactory, GoodPracticeFactory, NewsItemFactory, NewsTagFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_good_practice_list_filters_and_counts(client: Client) -> None:
    theme, mersch = ThemeFactory.create(code="logement", name="Logement"), MunicipalityFactory.create(name="Mersch")
    GoodPracticeFactory.create(title="Logement abordable", theme=theme, municipalities=[mersch], is_example=True)
    GoodPracticeFactory.create(title="Plan d'intégration")
    GoodPracticeFactory.create(title="Brouillon caché", state="draft", theme=theme)
    GoodPracticeFactory.create(title="Archive cachée", state="archived", theme=theme)
    url = reverse("knowledge:good_practice_list")
    html = client.get(url).content.decode()
    assert "Logement abordable" in html and "Plan d&#x27;intégration" in html
    assert "Brouillon caché" not in html and "Archive cachée" not in html
    assert "2 bonnes pratiques" in html and "Logement (1)" in html and 'class="badge badge-example"' in html
    filtered = client.get(url, {"theme": "logement", "municipality": str(mersch.pk)}).content.decode()
    assert "Logement abordable" in filtered and "Plan d" not in filtered and "1 bonne pratique" in filtered
    only_examples = client.get(url, {"examples": "on"}).content.decode()
    assert "Logement abordable" in only_examples and "Plan d" not in only_examples
    assert client.get(url, {"theme": "inconnu", "page": "x"}).status_code == 200


def test_good_practice_detail_and_attachment(client: Client, make_user: Callable[..., User]) -> None:
    org = OrganisationFactory.create(name="Centre social")
    practice = GoodPracticeFactory.create(title="Tables rondes", actors=[org], other_actors="Commune\nClub",
                                          is_example=True, contact_email="contact@example.lu",
                                          results="Deux cents personnes")
    attachment = _attach(practice)
    html = client.get(reverse("knowledge:good_practice_detail", args=[practice.slug])).content.decode()
    assert reverse("directory:directory_entry", kwargs={"pk": org.pk}) in html
    assert "Club" in html and "Deux cents personnes" in html and "Exemple" in html
    download = reverse("knowledge:good_practice_attachment", args=[practice.slug, attachment.pk])
    assert download in html
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")
    assert 'filename="rapport.pdf"' in response["Content-Disposition"]


def test_drafts_answer_404_to_the_public_and_archived_show_a_notice(client: Client, make_user: Callable[..., User],
                                                                    login: Callable[..., Client]) -> None:
    draft = GoodPracticeFactory.create(state="draft")
    archived = GoodPracticeFactory.create(state="archived")
    draft_attachment = _attach(draft)
    assert client.get(reverse("knowledge:good_practice_detail", args=[draft.slug])).status_code == 404
    assert client.get(reverse("knowledge:good_practice_attachment",
                              args=[draft.slug, draft_attachment.pk])).status_code == 404
    html = client.get(reverse("knowledge:good_practice_detail", args=[archived.slug])).content.decode()
    assert "Archivé" in html
    login(make_user("officer"))
    assert "Brouillon" in client.get(reverse("knowledge:good_practice_detail", args=[draft.slug])).content.decode()


def test_faq_page_groups_questions_with_their_date(client: Client) -> None:
    topic = FaqTopicFactory.create(name="Inscription", slug="inscription")
    FaqQuestionFactory.create(topic=topic, question="Comment s'inscrire ?", last_updated_on=date(2024, 3, 5),
                              answer="<p>En ligne.</p><script>x()</script>")
    FaqQuestionFactory.create(topic=topic, question="Question en préparation", state="draft")
    html = client.get(reverse("knowledge:faq")).content.decode()
    assert 'href="#inscription"' in html and 'id="inscription"' in html
    assert "<h3>Comment s&#x27;inscrire ?" in html and "<p>En ligne.</p>" in html and "x()" not in html
    assert 'datetime="2024-03-05"' in html and "Mis à jour le" in html
    assert "Question en préparation" not in html


def test_news_list_detail_and_feed_links(client: Client) -> None:
    tag = NewsTagFactory.create(name="Logement", slug="logement")
    NewsItemFactory.create(title="Nouveau foyer", tags=[tag], place="Mersch")
    NewsItemFactory.create(title="Autre nouvelle")
    NewsItemFactory.create(title="Pas encore", state="draft")
    html = client.get(reverse("knowledge:news_list")).content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in html and 'type="application/atom+xml"' in html
    assert "Nouveau foyer" in html and "Pas encore" not in html
    filtered = client.get(reverse("knowledge:news_list"), {"tag": "logement"}).content.decode()
    assert "Nouveau foyer" in filtered and "Autre nouvelle" not in filtered
    draft = NewsItem.objects.get(title="Pas encore")
    assert client.get(reverse("knowledge:news_detail", args=[draft.slug])).status_code == 404


def test_rss_and_atom_feeds_parse_with_published_items(client: Client) -> None:
    item = NewsItemFactory.create(title="Conférence & ateliers", summary="Le programme",
                                  tags=[NewsTagFactory.create(name="Agenda")],
                                  issuing_body=OrganisationFactory.create(name="Ministère"))
    NewsItemFactory.create(title="Brouillon", state="draft")
    rss = client.get(reverse("knowledge:news_rss"))
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")  # noqa: S314 - our own feed
    assert [i.findtext("title") for i in items] == ["Conférence & ateliers"]
    assert items[0].findtext("description") == "Le programme" and items[0].findtext("category") == "Agenda"
    atom = client.get(reverse("knowledge:news_atom"))
    entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Conférence & ateliers"]
    link = entries[0].find(f"{ATOM}link")
    assert link is not None and link.get("href", "").endswith(reverse("knowledge:news_detail", args=[item.slug]))
    author = entries[0].find(f"{ATOM}author/{ATOM}name")
    assert author is not None and author.text == "Ministère"


# --- management pages ------------------------------------------------------------------------------

def test_officer_creates_edits_and_publishes_a_good_practice(client: Client, make_user: Callable[..., User],
                                                             login: Callable[..., Client]) -> None:
    login(make_user("officer"))
    response = client.post(reverse("knowledge:good_practice_create"), {"title": "", "summary": ""})
    assert response.status_code == 422 and "Le formulaire contient" in response.content.decode()
    response = client.post(reverse("knowledge:good_practice_create"), {
        "title": "Speed tables", "summary": "Rencontres", "body": "<p>ok</p><script>x</script>"})
    practice = GoodPractice.objects.get()
    assert response.status_code == 302 and practice.body == "<p>ok</p>"
    edit = reverse("knowledge:good_practice_edit", args=[practice.pk])
    stale = client.post(edit, {"title": "Changé", "summary": "x", "version": 99})
    assert stale.status_code == 409 and GoodPractice.objects.get().title == "Speed tables"
    publish = reverse("knowledge:good_practice_transition", args=[practice.pk, "publish"])
    assert client.post(publish, {"version": 1}).status_code == 302
    assert GoodPractice.objects.get().state == "published"
    again = client.post(publish, {"version": 2})
    assert again.status_code == 409
    assert client.post(reverse("knowledge:good_practice_transition", args=[practice.pk, "nope"])).status_code == 404
    listing = client.get(reverse("knowledge:good_practice_manage"), {"state": "published"}).content.decode()
    assert "Speed tables" in listing


def test_attachment_upload_refuses_a_disguised_file(client: Client, make_user: Callable[..., User],
                                                    login: Callable[..., Client]) -> None:
    login(make_user("officer"))
    practice = GoodPracticeFactory.create()
    url = reverse("knowledge:good_practice_attachment_add", args=[practice.pk])
    bad = client.post(url, {"file": SimpleUploadedFile("cv.pdf", b"<html>not a pdf</html>")})
    assert bad.status_code == 422 and "accepté" in bad.content.decode()
    assert not practice.attachments.exists()
    good = client.post(url, {"title": "Affiche", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")})
    assert good.status_code == 302 and practice.attachments.get().title == "Affiche"


def test_officer_manages_the_faq(client: Client, make_user: Callable[..., User], login: Callable[..., Client]) -> None:
    login(make_user("officer"))
    client.post(reverse("knowledge:faq_topic_create"), {"name": "Subsides", "position": 0})
    topic_id = client.get(reverse("knowledge:faq_manage")).context["topics"][0].pk
    assert client.post(reverse("knowledge:faq_question_create"), {
        "topic": topic_id, "question": "Quand déposer ?", "answer": "<p>Avant mars.</p>", "position": 0,
    }).status_code == 302
    question = FaqQuestion.objects.get()
    assert "Quand déposer" not in client.get(reverse("knowledge:faq")).content.decode()
    client.post(reverse("knowledge:faq_question_transition", args=[question.pk, "publish"]),
                {"version": question.version})
    assert "Quand déposer" in client.get(reverse("knowledge:faq")).content.decode()
    refused = client.post(reverse("knowledge:faq_topic_delete", args=[topic_id]))
    assert refused.status_code == 409 and "contient des questions" in refused.content.decode()


def test_partner_proposes_news_and_officer_sends_it_back(client: Client, make_user: Callable[..., User],
                                                         login: Callable[..., Client], org_a: Organisation) -> None:
    partner = make_user("partner_admin", organisation=org_a)
    login(partner)
    response = client.post(reverse("knowledge:news_create"), {
        "title": "Portes ouvertes", "date": "2024-05-01", "body": "<p>Bienvenue</p>", "issuing_body": org_a.pk})
    item = NewsItem.objects.get()
    assert response.status_code == 302 and item.issuing_body == org_a and item.created_by == partner
    submit = reverse("knowledge:news_transition", args=[item.pk, "submit"])
    assert client.post(submit, {"version": item.version}).status_code == 302
    assert client.post(reverse("knowledge:news_transition", args=[item.pk, "publish"])).status_code == 403
    page = client.get(reverse("knowledge:news_edit", args=[item.pk])).content.decode()
    assert "seul le ministère" in page
    client.logout()
    login(make_user("officer"))
    manage = client.get(reverse("knowledge:news_manage")).content.decode()
    assert "Portes ouvertes" in manage and "Propositions des partenaires" in manage
    send_back = reverse("knowledge:news_send_back", args=[item.pk])
    assert client.post(send_back, {"reason": ""}).status_code == 422
    assert client.post(send_back, {"reason": "Précisez l'heure."}).status_code == 302
    item.refresh_from_db()
    assert item.submitted_at is None and partner.notifications.filter(body__contains="Précisez l").exists()


def test_partner_sees_only_their_organisation_news(client: Client, make_user: Callable[..., User],
                                                   login: Callable[..., Client], org_a: Organisation,
                                                   org_b: Organisation) -> None:
    own = NewsItemFactory.create(title="La nôtre", state="draft", issuing_body=org_a)
    other = NewsItemFactory.create(title="La leur", state="draft", issuing_body=org_b, submitted_at=timezone.now())
    login(make_user("partner_admin", organisation=org_a))
    listing = client.get(reverse("knowledge:news_manage")).content.decode()
    assert "La nôtre" in listing and "La leur" not in listing
    assert client.get(reverse("knowledge:news_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("knowledge:news_detail", args=[other.slug])).status_code == 404
    assert client.get(reverse("knowledge:news_detail", args=[own.slug])).status_code == 200
    assert client.post(reverse("knowledge:news_transition", args=[other.pk, "submit"])).status_code == 404


def test_comment_section_is_on_the_public_pages() -> None:
    from django.template.loader import get_template

    for name, target in [("knowledge/good_practice_detail.html", "practice"), ("knowledge/news_detail.html", "item")]:
        source = get_template(name).template.source  # type: ignore[attr-defined]
        assert "{% load i18n rich_text comments %}" in source and f"{{% comment_section {target} %}}" in source


def test_detail_links_a_published_event(client: Client) -> None:
    from datetime import timedelta

    from subsidia.events.models import Event

    start = timezone.now()
    event = Event.objects.create(title="Conférence de Mersch", slug="conference-mersch", summary="…",
                                 starts_at=start, ends_at=start + timedelta(hours=4), status="published")
    practice = GoodPracticeFactory.create(event=event)
    html = client.get(reverse("knowledge:good_practice_detail", args=[practice.slug])).content.decode()
    assert f'href="{reverse("events:detail", kwargs={"slug": event.slug})}"' in html
    event.status = "draft"
    event.save()
    html = client.get(reverse("knowledge:good_practice_detail", args=[practice.slug])).content.decode()
    assert "Conférence de Mersch" in html and reverse("events:detail", kwargs={"slug": event.slug}) not in html
