"""WCAG 2.1 AA in a real browser on the public pages of events, the knowledge base, search and comments.

The same checks as test_browser_accessibility.py (whose browser, watched page and sign-in are reused): every page
loads in Debian's Chromium with no JavaScript error, no console error (a CSP violation is one), no failed request
to the site's own files, then axe-core finds no violation of the WCAG 2.0/2.1 A and AA rules.

The data are made with factories and models only: nothing goes through a service, so no audit event is written
(the audit trail refuses the DELETE with which a transactional test empties the database afterwards). For the same
reason a registration is never submitted valid: the form's errors are checked, and the status page that follows a
registration is opened through the signed link of a registration made with the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.events import signing
from subsidia.events.models import (
    BlockChoice,
    BlockKind,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Event,
    Photo,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from subsidia.events.tests.factories import BlockFactory, EventFactory, RegistrationFactory, SessionFactory
from subsidia.events.tests.factories_staff import PNG
from subsidia.knowledge.models import GoodPractice, GoodPracticeAttachment, NewsItem
from subsidia.knowledge.tests.factories import (
    FaqQuestionFactory,
    FaqTopicFactory,
    GoodPracticeFactory,
    NewsItemFactory,
    NewsTagFactory,
)
from subsidia.moderation.models import Comment, CommentStatus
from subsidia.organisations.tests.factories import MunicipalityFactory, OrganisationFactory, ThemeFactory

from .test_browser_accessibility import (  # noqa: F401 (chromium and open_page are fixtures)
    Watched,
    _horizontal_overflow,
    chromium,
    open_page,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Public:
    upcoming: Event
    online: Event
    past: Event
    practice: GoodPractice
    theme_code: str
    news: NewsItem
    registration: Registration
    reader: User


@pytest.fixture
def public(make_user: Callable[..., User]) -> Public:
    """Events (upcoming with blocks and sessions, online, past with its report, answers and a photo), good
    practices, the FAQ, news with tags and comments, and a plain account that may comment."""
    now = timezone.now().replace(microsecond=0)
    integration = ThemeFactory.create(code="integration", name="Intégration")
    housing = ThemeFactory.create(code="logement", name="Logement")
    town = MunicipalityFactory.create(name="Mersch")
    other_town = MunicipalityFactory.create(name="Esch-sur-Alzette")
    organisation = OrganisationFactory.create(name="Association d'accueil Mersch", acronym="AAM", municipality=town,
                                              description="Accueil des nouveaux arrivants.")
    organisation.themes.set([integration])
    partner = OrganisationFactory.create(name="Croix de Solidarité", acronym="CDS", description="Aide alimentaire.")

    # An upcoming conference: ranked blocks, a programme with speakers, a session with limited seats.
    upcoming = EventFactory.create(title="Conférence nationale de l'intégration", slug="conference-nationale",
                                   summary="Une journée d'échanges entre communes et associations.", municipality=town,
                                   blocks_per_person=2, capacity=120, audience="Communes, associations",
                                   registration_opens_at=now - timedelta(days=5),
                                   registration_closes_at=now + timedelta(days=15))
    upcoming.themes.set([integration])
    upcoming.organisers.set([organisation])
    upcoming.partners.set([partner])
    blocks = [BlockFactory.create(event=upcoming, title=title, description="Échanges en petits groupes.", capacity=30)
              for title in ("Logement", "Emploi", "Langues")]
    BlockFactory.create(event=upcoming, kind=BlockKind.TABLE, title="Table des jeunes", capacity=10)
    SessionFactory.create(event=upcoming, title="Ouverture", speakers="La ministre\nLe président du SYVICOL",
                          room="Grande salle", starts_at=upcoming.starts_at,
                          ends_at=upcoming.starts_at + timedelta(minutes=30))
    for n, block in enumerate(blocks):
        SessionFactory.create(event=upcoming, block=block, title=f"Atelier {block.title}",
                              starts_at=upcoming.starts_at + timedelta(hours=1), description="Retours d'expérience.",
                              ends_at=upcoming.starts_at + timedelta(hours=2), room=f"Salle {n + 1}")
    SessionFactory.create(event=upcoming, title="Visite du centre", capacity=15, speakers="",
                          starts_at=upcoming.starts_at + timedelta(hours=3),
                          ends_at=upcoming.starts_at + timedelta(hours=4))

    online = EventFactory.create(title="Webinaire sur les subsides", slug="webinaire-subsides", place="", address="",
                                 online_url="https://visio.example.lu/webinaire", capacity=None)
    online.themes.set([housing])

    # A past event: its evaluation report is published, with charts, and it has a photo.
    past = EventFactory.create(past=True, title="Rencontre des communes 2024", slug="rencontre-des-communes-2024",
                               participant_count=42, evaluation_sent_at=now - timedelta(days=2),
                               evaluation_report="<p>Les participants ont apprécié les <strong>tables</strong>.</p>",
                               evaluation_published_at=now - timedelta(days=1))
    past.themes.set([integration])
    rating = EvaluationQuestion.objects.create(event=past, position=1, text="Note globale de la rencontre",
                                               kind=QuestionKind.RATING, required=True)
    choice = EvaluationQuestion.objects.create(event=past, position=2, text="Format préféré",
                                               kind=QuestionKind.CHOICE, options="Tables\nPlénière\nAteliers")
    free = EvaluationQuestion.objects.create(event=past, position=3, text="Remarques", kind=QuestionKind.TEXT)
    # Enough respondents for the public report to show its charts (no count of people below five is published).
    for stars, option in [(5, "Tables")] * 6 + [(4, "Ateliers")] * 6:
        response = EvaluationResponse.objects.create(event=past)
        EvaluationAnswer.objects.create(response=response, question=rating, rating=stars)
        EvaluationAnswer.objects.create(response=response, question=choice, choice=option)
        EvaluationAnswer.objects.create(response=response, question=free, text="Très utile.")
    Photo.objects.create(event=past, image=ContentFile(PNG, name="salle.png"), content_type="image/png",
                         size=len(PNG), caption="La salle pendant les tables rondes", credit="Ministère",
                         alt_text="Une trentaine de personnes assises autour de tables rondes")

    # Good practices, one presented at the past event, with its block, communes, actors and an attachment.
    practice = GoodPracticeFactory.create(title="Un potager partagé", slug="potager-partage", theme=integration,
                                          summary="Des habitants cultivent ensemble un jardin communal.",
                                          event=past, municipalities=[town, other_town], actors=[organisation],
                                          other_actors="Le club des aînés", results="Vingt familles participent.",
                                          contact_name="Anne Muller", contact_email="anne@example.lu")
    GoodPracticeAttachment.objects.create(practice=practice, title="Guide du potager",
                                          file=ContentFile(b"%PDF-1.4 guide", name="guide.pdf"),
                                          content_type="application/pdf", size=14)
    GoodPracticeFactory.create(title="Un café des langues", slug="cafe-des-langues", theme=housing,
                               municipalities=[other_town])
    GoodPracticeFactory.create(title="Brouillon caché", slug="brouillon-cache", state="draft", published_at=None)

    for position, name in enumerate(["Subsides", "Événements"]):
        topic = FaqTopicFactory.create(name=name, slug=name.lower().replace("é", "e"), position=position)
        FaqQuestionFactory.create(topic=topic, question=f"Qui peut demander des {name.lower()} ?")
        FaqQuestionFactory.create(topic=topic, question=f"Où trouver les dates : {name.lower()} ?",
                                  answer="<p>Sur la page <a href=\"/evenements/\">des événements</a>.</p>")

    tags = [NewsTagFactory.create(name="Intégration", slug="integration"),
            NewsTagFactory.create(name="Communes", slug="communes")]
    news = NewsItemFactory.create(title="Lancement du plan communal", slug="lancement-plan-communal", place="Mersch",
                                  summary="Le plan est lancé.", tags=tags, issuing_body=organisation, event=upcoming)
    NewsItemFactory.create(title="Appel à projets 2025", slug="appel-a-projets-2025", tags=tags[:1],
                           date=timezone.localdate() - timedelta(days=10))
    writer = make_user(full_name="Claire Lecteur")
    troll = make_user(full_name="Pat Troll")
    kind = ContentType.objects.get_for_model(NewsItem)
    Comment.objects.create(content_type=kind, object_id=news.pk, author=writer, body="Une très bonne nouvelle.",
                           status=CommentStatus.PUBLISHED)
    Comment.objects.create(content_type=kind, object_id=news.pk, author=troll, body="Hors sujet.",
                           status=CommentStatus.HIDDEN, reason="Hors sujet.", moderated_at=now)

    # A registration made with the model (the service would write an audit event), with its ranked choices.
    registration = RegistrationFactory.create(event=upcoming, full_name="Jean Weber", email="jean@example.lu",
                                              organisation_name="Commune de Mersch", municipality=town)
    for rank, block in enumerate(blocks[:2], start=1):
        BlockChoice.objects.create(registration=registration, block=block, rank=rank)
    RegistrationFactory.create(event=upcoming, status=RegistrationStatus.WAITLISTED, waitlisted_at=now)

    reader = make_user(full_name="Lou Lecteur", email="lou@example.lu")
    return Public(upcoming=upcoming, online=online, past=past, practice=practice, theme_code=integration.code,
                  news=news, registration=registration, reader=reader)


PAGES: dict[str, Callable[[Public], str]] = {
    "home": lambda p: "/",
    "directory": lambda p: "/annuaire/",
    "good-practices": lambda p: "/bonnes-pratiques/",
    "good-practices-filtered": lambda p: f"/bonnes-pratiques/?theme={p.theme_code}",
    "good-practice": lambda p: f"/bonnes-pratiques/{p.practice.slug}/",
    "faq": lambda p: "/faq/",
    "news": lambda p: "/actualites/",
    "news-item": lambda p: f"/actualites/{p.news.slug}/",
    "events": lambda p: "/evenements/",
    "events-past": lambda p: "/evenements/?when=past",
    "event-upcoming": lambda p: f"/evenements/{p.upcoming.slug}/",
    "event-online": lambda p: f"/evenements/{p.online.slug}/",
    "event-past": lambda p: f"/evenements/{p.past.slug}/",
    "registration-form": lambda p: f"/evenements/{p.upcoming.slug}/inscription/",
    "registration-status": lambda p: signing.path_for(p.registration, "status"),
    "evaluation-report": lambda p: f"/evenements/{p.past.slug}/evaluation/",
    "gallery": lambda p: f"/evenements/{p.past.slug}/photos/",
    "search": lambda p: "/recherche/",
    "search-results": lambda p: "/recherche/?q=potager",
    "search-nothing": lambda p: "/recherche/?q=zzyzxquux",
    "comment-signup": lambda p: "/compte/inscription/",
}


@pytest.mark.parametrize("name", PAGES)
def test_public_page_is_accessible(name: str, open_page: Callable[..., Watched], public: Public) -> None:  # noqa: F811
    watched = open_page()
    watched.goto(PAGES[name](public))
    assert watched.page.locator("html").get_attribute("lang") == "fr"
    assert watched.page.locator("h1").count() == 1, name
    watched.assert_accessible()


def test_pages_show_what_they_are_checked_for(open_page: Callable[..., Watched], public: Public) -> None:  # noqa: F811
    """The checks above ran on pages holding the parts that matter (charts, photo, comments, results)."""
    watched = open_page()
    page = watched.page
    watched.goto(PAGES["event-past"](public))
    assert page.locator(f"a[href='/evenements/{public.past.slug}/evaluation/']").count() == 1
    assert page.locator(f"a[href='/evenements/{public.past.slug}/photos/']").count() == 1
    watched.goto(PAGES["evaluation-report"](public))
    assert page.locator("main svg").count() >= 2  # the rating and the choice charts
    watched.goto(PAGES["gallery"](public))
    image = page.locator("main img").first
    assert image.get_attribute("alt") == "Une trentaine de personnes assises autour de tables rondes"
    image.scroll_into_view_if_needed()  # the gallery's images load lazily
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(),
                           timeout=10_000)  # fails (times out) if the photo never loads
    watched.goto(PAGES["news-item"](public))
    assert page.locator("#commentaires").get_by_text("Une très bonne nouvelle.").count() == 1
    assert page.locator("#commentaires").get_by_text("Hors sujet.").count() == 0
    watched.goto(PAGES["search-results"](public))
    assert page.locator("main").get_by_text("Un potager partagé").count() >= 1
    watched.goto(PAGES["registration-form"](public))
    assert page.locator("select[name=choice_1]").count() == 1
    watched.assert_clean()


def test_feeds_answer(open_page: Callable[..., Watched], public: Public) -> None:  # noqa: F811
    watched = open_page()
    for path in ("/actualites/rss/", "/actualites/atom/"):
        response = watched.page.request.get(watched.base_url + path)
        assert response.status == 200, path
        assert public.news.title in response.text()


def test_news_item_with_comment_form_is_accessible(open_page: Callable[..., Watched],  # noqa: F811
                                                   public: Public) -> None:
    watched = open_page()
    sign_in(watched, public.reader)
    watched.goto(PAGES["news-item"](public))
    assert watched.page.locator("#commentaires textarea[name=body]").count() == 1
    watched.assert_accessible()


def test_registration_errors_are_accessible(open_page: Callable[..., Watched], public: Public) -> None:  # noqa: F811
    """A refused registration (nothing saved, nothing audited) shows its error summary accessibly."""
    watched = open_page()
    page = watched.page
    watched.goto(PAGES["registration-form"](public))
    page.fill("input[name=email]", "pas-une-adresse")
    page.eval_on_selector("main form[method=post]", "form => { form.noValidate = true; }")
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert not Registration.objects.filter(email="pas-une-adresse").exists()
    watched.errors = [e for e in watched.errors if "status of 422" not in e]  # the refusal's own status
    watched.assert_accessible()


def test_pages_reflow_at_320_css_pixels(open_page: Callable[..., Watched], public: Public) -> None:  # noqa: F811
    """WCAG 1.4.10 (Reflow): at 320 CSS pixels no page scrolls sideways."""
    watched = open_page(width=320)
    overflowing = {}
    for name, path in PAGES.items():
        watched.goto(path(public))
        watched.page.wait_for_load_state("networkidle")  # lazy images finish before the next page
        overflowing[name] = _horizontal_overflow(watched.page)
    overflowing = {name: elements for name, elements in overflowing.items() if elements}
    assert not overflowing, f"pages that scroll sideways at 320px: {overflowing}"
    watched.assert_clean()
