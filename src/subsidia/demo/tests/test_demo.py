"""The smoke test of the demo: ``subsidia load-demo`` is loaded once for the module (it is the most expensive
fixture of the suite), then every fact the demo must show is checked on it: the README's promises (its
"Demo accounts" section and the paragraph after it), the directory and the accounts, and the story of each
domain. Each test runs in a savepoint of the loaded demo, so what one test changes (loading again, a changed
website) is gone for the next."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from pytest_django import DjangoDbBlocker, Settings

from subsidia.accounts.management.commands.demo_totp import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET_B32
from subsidia.accounts.models import RoleGrant, User
from subsidia.accounts.roles import STAFF_ROLES, Role
from subsidia.audit.models import AuditEvent
from subsidia.conftest import sign_in
from subsidia.conventions import money
from subsidia.conventions import selectors as conventions_selectors
from subsidia.conventions.models import (
    Amendment,
    AmendmentLine,
    Convention,
    ConventionDomain,
    DomainSpending,
    Indicator,
    IndicatorValue,
    PaymentKind,
    ReportDocument,
    ReportKind,
    ReportStatus,
    ScheduledPayment,
    YearlyReport,
)
from subsidia.conventions.tasks import send_convention_reminders
from subsidia.core.values import years_earlier
from subsidia.demo.conventions import tell_conventions
from subsidia.demo.dialogue import tell_dialogue
from subsidia.demo.documents import tiny_pdf
from subsidia.demo.events import tell_events
from subsidia.demo.grants import tell_grants
from subsidia.demo.knowledge import tell_knowledge
from subsidia.demo.moderation import tell_moderation
from subsidia.demo.story import Story
from subsidia.dialogue import selectors as dialogue_selectors
from subsidia.dialogue.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    MeetingStatus,
)
from subsidia.events.models import (
    Block,
    BlockChoice,
    EvaluationAnswer,
    EvaluationResponse,
    Event,
    EventStatus,
    Photo,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Session,
)
from subsidia.grants import rules
from subsidia.grants.models import (
    Application,
    ApplicationDocument,
    BudgetLine,
    Call,
    Decision,
    EligibilityCheck,
    FinalReport,
    Review,
    Score,
    State,
    StateChange,
    Tranche,
)
from subsidia.grants.workflow import WORKFLOW
from subsidia.knowledge.models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, NewsTag, PublicationState
from subsidia.moderation import selectors as moderation_selectors
from subsidia.moderation.models import Comment, CommentReport, CommentStatus, FilteredWord, HeldBecause
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import (
    ActivityDomain,
    Contact,
    LegalForm,
    Membership,
    Municipality,
    Organisation,
    Service,
    TargetPublic,
    Theme,
)

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
README = Path(django_settings.BASE_DIR) / "README.md"

MEGA = "Ministère de l'Égalité des genres et de la Diversité"
MEGA_PARTNERS = {
    "Fondation Caritas Luxembourg": {"trafficking"},
    "CID Fraen an Gender": {"discrimination-sex", "gender-equality"},
    "Centre d'information gay et lesbien": {"sexual-orientation", "gender-identity", "sex-characteristics"},
    "Conseil national des femmes du Luxembourg": {"discrimination-sex", "gender-equality"},
    "Croix-Rouge luxembourgeoise": {"domestic-violence"},
    "Femmes en détresse": {"domestic-violence", "trafficking"},
    "Fondation Maison de la Porte Ouverte": {"domestic-violence", "trafficking"},
    "Fondation Pro Familia": {"domestic-violence"},
    "InfoMann – Act Together": {"domestic-violence"},  # noqa: RUF001 - the organisation's name
    "Initiativ Rem Schaffen": {"domestic-violence"},
    "Rosa Lëtzebuerg": {"sexual-orientation", "gender-identity", "sex-characteristics"},
}
INTEGRATION_PARTNERS = [
    "Association de soutien aux travailleurs immigrés",
    "Comité de liaison des associations d'étrangers",
    "Centre d'étude et de formation interculturelles et sociales",
    "Fondation Caritas Luxembourg",
]
STAFF_ACCOUNTS = {
    "officer@demo.subsidia.lu": Role.OFFICER,
    "reviewer@demo.subsidia.lu": Role.REVIEWER,
    "approver@demo.subsidia.lu": Role.APPROVER,
    "approver2@demo.subsidia.lu": Role.APPROVER,
    "finance@demo.subsidia.lu": Role.FINANCE,
    "moderator@demo.subsidia.lu": Role.MODERATOR,
    "auditor@demo.subsidia.lu": Role.AUDITOR,
    "admin@demo.subsidia.lu": Role.ADMIN,
}
PARTNER_ACCOUNTS = {
    "gestionnaire@demo.subsidia.lu": (Role.PARTNER_ADMIN, "Femmes en détresse"),
    "membre@demo.subsidia.lu": (Role.PARTNER_MEMBER, "Femmes en détresse"),
    "gestionnaire.asti@demo.subsidia.lu": (Role.PARTNER_ADMIN, "Association de soutien aux travailleurs immigrés"),
}
INTEGRATION = "Département de l'intégration"
ASTI = "Association de soutien aux travailleurs immigrés"
CARITAS = "Fondation Caritas Luxembourg"
CLAE = "Comité de liaison des associations d'étrangers"
CEFIS = "Centre d'étude et de formation interculturelles et sociales"
MERSCH = "Conférence nationale sur l'intégration au niveau local"
BLOCKS = ["Logement social abordable", "Plan communal d'intégration", "Vivre ensemble et participation"]
UPCOMING = "Journée d'échange des communes : plan d'intégration et participation (exemple)"
ONLINE = "Atelier en ligne : rédiger une demande de subside (exemple)"
PAST = "Matinée d'échange : l'accueil des nouveaux arrivants dans les communes (exemple)"
# What a second load must leave as it is.
COUNTED: list[type[models.Model]] = [
    Theme, TargetPublic, Municipality, Organisation, Service, Contact, User, RoleGrant, Membership, TOTPDevice,
    AuditEvent, Event, Block, Session, Registration, BlockChoice, EvaluationResponse, EvaluationAnswer, Photo,
    GoodPractice, FaqTopic, FaqQuestion, NewsItem, NewsTag, Comment, CommentReport, FilteredWord, Call,
    Application, ApplicationDocument, BudgetLine, StateChange, EligibilityCheck, Review, Score, Decision, Tranche,
    FinalReport, Notification, ActivityDomain, Convention, ConventionDomain, Indicator, Amendment, AmendmentLine,
    ScheduledPayment, YearlyReport, IndicatorValue, DomainSpending, ReportDocument, MeetingSeries, Meeting,
    AgendaItem, Attendance, MeetingDecision, ActionItem,
]


@dataclass(frozen=True)
class Loaded:
    output: str
    media: Path


def load(**options: Any) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The demo, loaded once for the module with DEBUG off (``--force``), in a transaction rolled back at the
    end; its files in a media directory of its own."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS,
                                                        DEBUG=False), transaction.atomic():
        yield Loaded(load(force=True), media)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, demo: Loaded) -> None:
    """Instead of the suite's own: the media directory stays the demo's, where its documents and photos are."""
    settings.MEDIA_ROOT = demo.media
    settings.PASSWORD_HASHERS = FAST_HASHERS
    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()


# --- The command ---------------------------------------------------------------------------------------

def test_loading_again_changes_nothing(demo: Loaded) -> None:
    first = counts()
    updated_at = dict(Organisation.objects.values_list("name", "updated_at"))
    password_hashes = dict(User.objects.values_list("email", "password"))
    photo_files = sorted(p.image.name for p in Photo.objects.all())
    applications = dict(Application.objects.values_list("reference", "updated_at"))
    committed = dict(Call.objects.values_list("title", "committed"))
    assert "Events: 4 (4 created" in demo.output and "Good practices: 24 (24 created" in demo.output
    assert "Conventions: 16 (16 created" in demo.output
    again = load(force=True)
    assert counts() == first
    # A second run changes nothing: no row saved again, no password re-hashed, no audit event.
    assert dict(Organisation.objects.values_list("name", "updated_at")) == updated_at
    assert dict(User.objects.values_list("email", "password")) == password_hashes
    assert sorted(p.image.name for p in Photo.objects.all()) == photo_files
    assert dict(Application.objects.values_list("reference", "updated_at")) == applications
    assert dict(Call.objects.values_list("title", "committed")) == committed
    assert first["Application"] >= 12 and first["Call"] == 2
    assert first["Organisation"] >= 21
    assert first["Theme"] == 8
    assert "Events: 4 (0 created, 0 updated)" in again and "Comments: 10 (0 created, 0 updated)" in again
    # The parts of the story, told once more, add no act.
    story = Story()
    tell_grants(story)
    tell_conventions(story)
    tell_dialogue(story)
    tell_events(story)
    tell_knowledge(story)
    tell_moderation(story)
    assert story.pending == 0
    assert not [key for key, n in story.counts.items() if key[1] != "unchanged" and n]


def test_loading_again_restores_changed_data() -> None:
    Organisation.objects.filter(name="Femmes en détresse").update(website="https://changed.example.org")
    Organisation.objects.get(name="Rosa Lëtzebuerg").themes.clear()
    events = AuditEvent.objects.count()
    load(force=True)
    assert Organisation.objects.get(name="Femmes en détresse").website == "https://www.fed.lu"
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").themes.count() == 3
    assert AuditEvent.objects.count() == events + 2


def test_refused_without_debug_unless_forced(settings: Settings) -> None:
    # The module's demo itself was loaded with DEBUG off and --force.
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert counts() == before


def test_an_existing_totp_device_is_kept() -> None:
    user = User.objects.get(email="officer@demo.subsidia.lu")
    TOTPDevice.objects.filter(user=user).delete()
    own = TOTPDevice.objects.create(user=user, name="Mon téléphone", confirmed=True)
    output = load(force=True)
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    assert "officer@demo.subsidia.lu already has its own two-factor device" in output


def test_the_summary_lists_accounts_password_and_secret(demo: Loaded) -> None:
    for email in [*STAFF_ACCOUNTS, *PARTNER_ACCOUNTS]:
        assert email in demo.output
    assert django_settings.DEMO_PASSWORD in demo.output
    assert "ON2WE43JMRUWCLLEMVWW6LLUN52HAIJB" in demo.output  # base32 of b"subsidia-demo-totp!!"


def test_demo_totp_refuses_without_debug(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_totp_code_signs_in_a_demo_staff_user(settings: Settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__email="officer@demo.subsidia.lu", confirmed=True)
    assert device.verify_token(code)


# --- The README's promises and the accounts --------------------------------------------------------------

def test_the_readme_demo_accounts() -> None:
    """Every account of the README's table signs in with the README's password; the README's secret is the
    demo staff accounts' two-factor key."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    password = re.search(r"password \*\*`([^`]+)`\*\*", section)
    assert password is not None and password.group(1) == django_settings.DEMO_PASSWORD
    table = dict(re.findall(r"^\| `([^`]+@demo\.subsidia\.lu)` \| ([^|]+) \|$", section, re.MULTILINE))
    assert set(table) == {*STAFF_ACCOUNTS, *PARTNER_ACCOUNTS}
    for email, role in table.items():
        user = User.objects.get(email=email)
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        if email in PARTNER_ACCOUNTS:
            organisation = Organisation.objects.get(name=PARTNER_ACCOUNTS[email][1])
            assert organisation.name in role or organisation.acronym in role, email
            assert not user.requires_two_factor, email
        else:
            assert user.requires_two_factor, email
    assert f"`{DEMO_TOTP_SECRET_B32}`" in section


def test_the_readme_paragraph_on_the_demo_data() -> None:
    """What the README says the demo holds (the paragraph after "Demo accounts"), it holds."""
    section = README.read_text(encoding="utf-8").split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    paragraph = " ".join(section.split("\n\n")[-1].split())
    for claim in ("MEGA) with its 11 conventioned organisations", "Department of Integration with ASTI, CLAE, CEFIS",
                  '"Subsides intégration 2023" (its two priorities, the six-week rule, a 150 000 € envelope)',
                  "applications in every state of the workflow", "open rolling call of the current year",
                  "(reception and a day centre, with an amendment)", "a report waiting for the officer",
                  "a statement sent back", "meets their managers quarterly", "a proposed agenda item",
                  "double-funding warning"):
        assert claim in paragraph, claim
    today = timezone.localdate()
    call = Call.objects.get(title="Subsides intégration 2023")
    assert (call.priorities.count(), call.min_lead_weeks, call.budget) == (2, 6, Decimal("150000.00"))
    # Every state of the workflow, between the 2023 call and the rolling call of the current year.
    states = set(Application.objects.filter(call__programme__in=["Subsides intégration", "Subsides vivre ensemble"])
                 .values_list("state", flat=True))
    assert states == set(State.values)
    rolling = Call.objects.get(title=f"Subsides vivre ensemble {today.year}")
    assert rolling.is_rolling and rolling.is_open(today) and rolling.applications.filter(state=State.DRAFT).exists()
    assert Convention.objects.active_on(today).filter(department__name=MEGA).count() == 11
    integration = Convention.objects.active_on(today).filter(department__name=INTEGRATION)
    assert set(integration.values_list("organisation__name", flat=True)) == {ASTI, CARITAS, CLAE, CEFIS}
    assert integration.get(organisation__name=ASTI).domains.count() == 3
    assert integration.get(organisation__name=CARITAS).amendments.exists()
    assert ScheduledPayment.objects.filter(convention__in=integration, kind=PaymentKind.ADVANCE,
                                           paid_on__isnull=False).exists()
    assert YearlyReport.objects.filter(convention__in=integration, status=ReportStatus.SUBMITTED).count() == 1
    assert YearlyReport.objects.filter(convention__in=integration, status=ReportStatus.RETURNED,
                                       kind=ReportKind.FINANCIAL).count() == 1
    series = MeetingSeries.objects.get(department__name=MEGA)
    assert series.cadence == "quarterly" and series.meetings.filter(minutes_published_at__isnull=False).exists()
    assert series.action_items.filter(status=ActionStatus.OPEN).exists()
    assert AgendaItem.objects.filter(meeting__series=series, status=AgendaItemStatus.PROPOSED).exists()
    application = Application.objects.get(organisation__name=ASTI, title__startswith="Ateliers « Je vote aussi »")
    assert conventions_selectors.overlaps_for_application(application)


def test_the_demo_accounts() -> None:
    for email, role in STAFF_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert role in user.roles, email
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        assert user.requires_two_factor
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == DEMO_TOTP_KEY_HEX
    assert User.objects.get(email="admin@demo.subsidia.lu").is_superuser
    for email, (role, organisation) in PARTNER_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.roles == {role}, email
        assert user.check_password(django_settings.DEMO_PASSWORD), email
        assert Membership.objects.get(user=user).organisation.name == organisation
        assert not TOTPDevice.objects.filter(user=user).exists()
    assert set(STAFF_ACCOUNTS.values()) == STAFF_ROLES


# --- The directory ---------------------------------------------------------------------------------------

def test_the_mega_and_its_partners() -> None:
    mega = Organisation.objects.get(name=MEGA)
    assert (mega.acronym, mega.legal_form, mega.website) == ("MEGA", LegalForm.ADMINISTRATION, "https://mega.public.lu")
    assert mega.municipality is not None
    assert mega.municipality.name == "Luxembourg"
    for name, expected in MEGA_PARTNERS.items():
        organisation = Organisation.objects.get(name=name)
        assert expected <= set(organisation.themes.values_list("code", flat=True)), name
    assert Organisation.objects.get(name="Fondation Caritas Luxembourg").legal_form == LegalForm.FONDATION
    assert Organisation.objects.get(name="Croix-Rouge luxembourgeoise").legal_form == LegalForm.OTHER
    assert Organisation.objects.get(name="Rosa Lëtzebuerg").legal_form == LegalForm.ASBL


def test_the_department_of_integration_and_its_partners() -> None:
    department = Organisation.objects.get(name="Département de l'intégration")
    assert department.parent is not None
    assert department.parent.name == "Ministère de la Famille, de l'Intégration et à la Grande Région"
    assert department.parent.legal_form == LegalForm.ADMINISTRATION
    integration = Theme.objects.get(code="integration")
    for name in INTEGRATION_PARTNERS:
        assert integration.organisations.filter(name=name).exists(), name
    assert Organisation.objects.filter(name__icontains="Caritas").count() == 1
    communes = Organisation.objects.filter(legal_form=LegalForm.COMMUNE, themes=integration)
    assert set(communes.values_list("name", flat=True)) >= {
        "Ville de Luxembourg", "Ville d'Esch-sur-Alzette", "Commune de Mersch", "Ville de Differdange",
    }
    assert Municipality.objects.get(name="Ettelbruck").canton == "Diekirch"


def test_examples_and_verification_dates() -> None:
    # Invented services and contacts only on organisations flagged as examples.
    assert not Service.objects.filter(organisation__is_example=False).exists()
    assert not Contact.objects.filter(organisation__is_example=False).exists()
    assert Contact.objects.filter(is_public=True).exists()
    assert Contact.objects.filter(is_public=False).exists()
    assert Service.objects.filter(kind="shelter", capacity__gt=0).exists()
    assert all("(exemple)" in name for name in Contact.objects.values_list("name", flat=True))
    # The officer dashboard has entries to verify: never verified, or more than a year ago.
    assert Organisation.objects.filter(last_verified_on__isnull=True).exists()
    year_ago = years_earlier(timezone.localdate())  # the dashboard's own rule (29 February included)
    assert Organisation.objects.filter(last_verified_on__lt=year_ago).exists()
    assert Organisation.objects.filter(last_verified_on__gte=year_ago).exists()
    # Checked by the officer on that day, through the service (audited).
    verified = AuditEvent.objects.filter(action="organisation.verify", actor__email="officer@demo.subsidia.lu")
    assert verified.count() == Organisation.objects.filter(last_verified_on__isnull=False).count()


# --- Events, knowledge, moderation -----------------------------------------------------------------------

def test_the_2017_conference_in_mersch() -> None:
    event = Event.objects.get(title=MERSCH)
    assert event.time_zone == "Europe/Luxembourg"
    here = ZoneInfo(event.time_zone)
    start, end = event.starts_at.astimezone(here), event.ends_at.astimezone(here)
    # Saturday 11 February 2017, in the morning (Luxembourg time).
    assert start.date() == end.date() == date(2017, 2, 11) and start.weekday() == 5
    assert time(8) <= start.time() < time(10) and end.time() <= time(13, 30)
    assert event.municipality is not None
    assert event.municipality.name == "Mersch" and event.status == EventStatus.PUBLISHED
    assert event.participant_count == 162
    assert event.registration_data_deleted_at is not None and not event.registrations.exists()
    assert [o.name for o in event.organisers.all()] == ["Département de l'intégration"]
    assert [o.name for o in event.partners.all()] == ["Commune de Mersch"]
    assert list(event.blocks.values_list("title", "kind")) == [(title, "block") for title in BLOCKS]
    titles = list(event.sessions.values_list("title", flat=True))
    assert titles[0] == "Accueil des participants" and "Conclusions et suites de la conférence" in titles
    for block in event.blocks.all():
        assert block.sessions.filter(title__startswith="Speed tables").count() == 2
    assert "<script" not in event.description and "exemples" in event.description
    # Told through the services: created and published by the officer, its registrations deleted by the worker.
    assert event.created_by is not None and event.created_by.email == "officer@demo.subsidia.lu"
    assert AuditEvent.objects.filter(action="event.registration_data_deleted", object_id=str(event.pk)).exists()


def test_the_24_example_good_practices() -> None:
    event = Event.objects.get(title=MERSCH)
    practices = GoodPractice.objects.filter(event=event)
    assert practices.count() == 24
    assert sorted(practices.values("block__title").annotate(n=Count("pk")).values_list("block__title", "n")) == \
        sorted((title, 8) for title in BLOCKS)
    assert Counter(practices.values_list("state", flat=True)) == {
        PublicationState.PUBLISHED: 22, PublicationState.ARCHIVED: 1, PublicationState.DRAFT: 1}
    for practice in practices:
        assert practice.is_example and "(exemple)" in practice.title and "exemple" in practice.body
        assert practice.theme is not None and practice.municipalities.exists()
        assert practice.summary and practice.results and practice.contact_email.endswith("example.lu")
        assert (practice.published_at is None) == (practice.state == PublicationState.DRAFT)
        assert (practice.archived_at is not None) == (practice.state == PublicationState.ARCHIVED)
    assert practices.filter(actors__isnull=False).distinct().count() >= 15
    assert practices.exclude(other_actors="").count() >= 20


def test_the_evaluation_and_the_photos() -> None:
    event = Event.objects.get(title=MERSCH)
    kinds = set(event.evaluation_questions.values_list("kind", flat=True))
    assert kinds == {QuestionKind.RATING, QuestionKind.CHOICE, QuestionKind.TEXT}
    responses = event.evaluation_responses.all()
    assert responses.count() == 30 and not responses.filter(registration__isnull=False).exists()
    assert EvaluationAnswer.objects.filter(response__event=event).count() == 30 * 4
    choice = event.evaluation_questions.get(kind=QuestionKind.CHOICE)
    assert set(choice.answers.values_list("choice", flat=True)) <= set(choice.option_list)
    assert event.evaluation_published_at is not None and "exemple" in event.evaluation_report
    photos = list(event.photos.all())
    assert len(photos) == 4
    for photo in photos:
        assert photo.alt_text and photo.credit and "exemple" in photo.caption
        assert default_storage.exists(photo.image.name) and photo.content_type == "image/png"
        with default_storage.open(photo.image.name) as stored:
            assert Image.open(stored).format == "PNG"
        assert photo.size == default_storage.size(photo.image.name)


def test_the_events_around_today() -> None:
    now = timezone.now()
    upcoming = Event.objects.get(title=UPCOMING)
    assert upcoming.starts_at > now + timedelta(days=35) and upcoming.is_example
    assert upcoming.registration_opens_at is not None and upcoming.registration_closes_at is not None
    assert upcoming.registration_opens_at < now < upcoming.registration_closes_at < upcoming.starts_at
    tables = list(upcoming.blocks.all())
    assert len(tables) == 2 and all(t.kind == "table" and t.capacity == 60 for t in tables)
    assert upcoming.blocks_per_person == 1 and upcoming.capacity == 120
    live = upcoming.registrations.exclude(status=RegistrationStatus.CANCELLED)
    assert live.count() == live.filter(status=RegistrationStatus.CONFIRMED).count() > 0
    for registration in live:
        assert sorted(registration.choices.values_list("rank", flat=True)) == [1, 2]

    online = Event.objects.get(title=ONLINE)
    assert online.is_online and online.online_url and not online.place
    assert now + timedelta(days=15) < online.starts_at < now + timedelta(days=25)
    assert online.organisers.get().acronym == "ASTI"
    statuses = Counter(online.registrations.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CONFIRMED: online.capacity, RegistrationStatus.WAITLISTED: 1}
    assert online.registrations.get(status=RegistrationStatus.WAITLISTED).waitlisted_at is not None

    past = Event.objects.get(title=PAST)
    assert now - timedelta(days=40) < past.ends_at < now
    assert past.registration_data_deleted_at is None and past.ends_at + timedelta(days=past.retention_days) > now
    assert past.registrations.filter(checked_in_at__isnull=False).exists()
    assert past.capacity is not None
    assert past.registrations.filter(status=RegistrationStatus.CONFIRMED).count() <= past.capacity
    assert all(r.email.endswith("@example.lu") for r in Registration.objects.all())


def test_the_faq_and_the_news() -> None:
    assert FaqTopic.objects.count() >= 3
    questions = FaqQuestion.objects.published()
    assert 10 <= questions.count() <= 14 and questions.filter(is_example=True).exists()
    assert len(set(questions.values_list("last_updated_on", flat=True))) > 5
    assert not questions.filter(answer__contains="<script").exists()

    published = NewsItem.objects.published()
    assert 6 <= published.count() <= 8
    assert all(item.issuing_body and item.tags.exists() and item.published_at for item in published)
    assert published.filter(event__title=MERSCH).exists()
    draft = NewsItem.objects.get(state=PublicationState.DRAFT)
    assert draft.issuing_body is not None and draft.created_by is not None
    assert draft.submitted_at is not None and draft.issuing_body.name == "Femmes en détresse"
    assert draft.created_by.email == "gestionnaire@demo.subsidia.lu"


def test_public_accounts_and_comments_to_moderate() -> None:
    public = User.objects.filter(email__startswith="lecteur", email__endswith="@demo.subsidia.lu")
    assert public.count() == 4
    now = timezone.now()
    for user in public:
        assert user.check_password(django_settings.DEMO_PASSWORD) and not user.roles
    recent = [u for u in public if u.date_joined > now - timedelta(days=django_settings.COMMENT_TRUST_AFTER_DAYS)]
    assert len(recent) == 1

    assert Comment.objects.filter(status=CommentStatus.PUBLISHED).count() >= 4
    pending = Comment.objects.filter(status=CommentStatus.PENDING)
    assert 3 <= pending.count() <= 4
    held_new = pending.filter(held_because=HeldBecause.NEW_ACCOUNT)
    assert held_new.exists() and all(c.author == recent[0] for c in held_new)
    filtered = pending.get(held_because=HeldBecause.WORD_FILTER)
    assert moderation_selectors.filtered_words_in(filtered.body)
    hidden = Comment.objects.get(status=CommentStatus.HIDDEN)
    assert hidden.held_because == HeldBecause.REPORTS and hidden.report_count == 3
    assert hidden.reports.filter(resolved_at__isnull=True).values("reporter").distinct().count() == 3
    assert hidden.author_id not in set(hidden.reports.values_list("reporter_id", flat=True))
    # Trusted readers' comments were published: the oldest account counts as trusted.
    assert moderation_selectors.is_trusted(User.objects.get(email="lecteur1@demo.subsidia.lu"))
    assert not moderation_selectors.is_trusted(recent[0])
    event = Event.objects.get(title=MERSCH)
    on_event = Comment.objects.filter(object_id=event.pk, content_type__model="event")
    assert set(on_event.values_list("status", flat=True)) == {CommentStatus.PUBLISHED, CommentStatus.PENDING}


# --- Grants ----------------------------------------------------------------------------------------------

def test_the_2023_integration_call() -> None:
    call = Call.objects.get(title="Subsides intégration 2023")
    assert (call.programme, call.year, call.min_lead_weeks) == ("Subsides intégration", 2023, 6)
    assert list(call.priorities.values_list("title", flat=True)) == [
        "Participation politique des non-Luxembourgeois", "Lutte contre les discriminations"]
    assert call.eligible_legal_forms == ["asbl", "federation"]
    assert call.required_document_kinds == ["description", "budget"]
    assert call.deliverable_types == ["event", "brochure", "exhibition", "video"]
    assert call.opens_on is not None and call.closes_on is not None
    assert (call.opens_on.isoformat(), call.closes_on.isoformat()) == ("2023-01-15", "2023-10-31")
    assert call.budget == Decimal("150000.00") and call.is_published
    assert [(c.title, c.weight) for c in call.criteria.all()] == [
        ("Pertinence", 3), ("Caractère innovant", 2), ("Faisabilité et budget", 2), ("Impact", 1)]
    communes, which = call.questions.all()
    assert (communes.label, communes.kind, communes.choices) == ("Le projet implique-t-il des communes ?",
                                                                 "choice", ["oui", "non"])
    assert which.label == "Lesquelles ?"
    assert which.shown_if_question == communes and which.shown_if_value == "oui"
    assert which.is_shown({"communes": "oui"}) and not which.is_shown({"communes": "non"})


def test_a_rolling_call_is_open_now() -> None:
    today = timezone.localdate()
    call = Call.objects.get(title=f"Subsides vivre ensemble {today.year}")
    assert call.is_rolling and call.is_open(today)
    draft = call.applications.get(state=State.DRAFT)
    assert draft.organisation.name == "Femmes en détresse"
    assert rules.check(draft, today) == []  # the demo partner can file it right away
    assert User.objects.get(email="gestionnaire@demo.subsidia.lu").memberships.filter(
        organisation=draft.organisation).exists()


def test_applications_in_every_state_and_consistent() -> None:
    call = Call.objects.get(title="Subsides intégration 2023")
    applications = list(Application.objects.filter(call__in=Call.objects.filter(
        programme__in=["Subsides intégration", "Subsides vivre ensemble"])))
    states = {a.state for a in applications}
    assert len(states) >= 8
    assert {State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.MORE_INFORMATION_REQUESTED, State.INELIGIBLE,
            State.APPROVED, State.IN_PROGRESS, State.REPORTING, State.CLOSED, State.REJECTED,
            State.WITHDRAWN} <= states
    assert {a.organisation.name for a in applications} == {
        "Femmes en détresse", "Association de soutien aux travailleurs immigrés"}
    for application in applications:
        assert "(exemple)" in application.title and "(exemple)" in application.summary
        # Budget balanced, required documents stored (tiny PDFs).
        totals = application.totals()
        assert application.requested_amount is not None
        assert totals["expenses"] == totals["incomes"] + application.requested_amount, application.title
        for document in application.documents.all():
            with default_storage.open(document.file.name, "rb") as handle:
                assert handle.read().startswith(b"%PDF-"), document
        # The history follows the workflow table, from the draft to the current state.
        state: str = State.DRAFT
        for change in application.state_changes.all():
            transition = WORKFLOW[change.transition]
            assert (change.from_state, change.to_state) == (state, transition.target)
            assert change.from_state in transition.sources
            assert change.at.year == 2023 or application.state == State.DRAFT
            state = change.to_state
        assert state == application.state, application.title
        if application.first_submitted_on:
            assert call.opens_on is not None and call.closes_on is not None
            assert call.opens_on <= application.first_submitted_on <= call.closes_on
            assert rules.check(application, application.first_submitted_on) == [], application.title
            first_change = application.state_changes.first()
            assert first_change is not None and first_change.actor is not None
            assert first_change.actor.email.startswith("gestionnaire")
    # The envelope: what is committed is what was finally granted.
    granted = sum(d.granted_amount for d in Decision.objects.filter(application__call=call, outcome="approved",
                                                                    confirmed_at__isnull=False))
    assert call.committed == granted > 0


def test_decisions_payments_reviews_and_reports() -> None:
    call = Call.objects.get(title="Subsides intégration 2023")
    approver2 = User.objects.get(email="approver2@demo.subsidia.lu")
    assert Role.APPROVER in approver2.roles and approver2.requires_two_factor
    threshold = Decimal(str(django_settings.FOUR_EYES_THRESHOLD))
    for decision in Decision.objects.filter(application__call=call):
        assert decision.is_final
        if decision.outcome == "approved" and decision.granted_amount > threshold:
            assert decision.confirmed_by == approver2 and decision.decided_by.email == "approver@demo.subsidia.lu"
        else:
            assert decision.confirmed_by is None
        if decision.outcome == "approved":
            tranches = list(decision.application.tranches.all())
            assert sum(t.amount for t in tranches) == decision.granted_amount
            assert decision.application.report_due_on is not None
        else:
            assert decision.motivation and "(exemple)" in decision.motivation
    assert Decision.objects.filter(application__call=call, confirmed_by=approver2).exists()
    approved = Application.objects.get(call=call, state=State.APPROVED)
    assert approved.tranches.filter(paid_on__isnull=False).count() == 1
    assert approved.tranches.filter(paid_on__isnull=True).count() == 1
    closed = Application.objects.get(call=call, state=State.CLOSED)
    assert not closed.tranches.filter(paid_on__isnull=True).exists()
    for state in (State.REPORTING, State.CLOSED):
        application = Application.objects.get(call=call, state=state)
        assert application.final_report.deliverables
        assert application.lines("actual")
        assert application.documents.filter(kind="final_report").exists()
    under_review = Application.objects.get(call=call, state=State.UNDER_REVIEW)
    review = under_review.reviews.get()
    assert review.reviewer.email == "reviewer@demo.subsidia.lu"
    assert review.status == Review.Status.SUBMITTED and review.weighted_score() is not None
    assert Application.objects.get(call=call, state=State.MORE_INFORMATION_REQUESTED).information_request
    assert Application.objects.get(call=call, state=State.INELIGIBLE).ineligibility_reasons
    # Paid by finance on the day the story says, through the service (audited).
    for tranche in Tranche.objects.filter(application__call=call, paid_on__isnull=False):
        assert tranche.recorded_by is not None and tranche.recorded_by.email == "finance@demo.subsidia.lu"
        assert tranche.paid_on is not None and tranche.paid_on.year == 2023


def test_tiny_pdf_is_well_formed() -> None:
    """The demo documents are real PDFs: each cross-reference entry points at its object."""
    content = tiny_pdf("Budget prévisionnel - Projet (exemple) \\ fin")
    assert content.startswith(b"%PDF-1.4\n") and content.endswith(b"%%EOF\n")
    found = re.search(rb"startxref\n(\d+)\n", content)
    assert found is not None
    startxref = int(found.group(1))
    assert content[startxref:].startswith(b"xref\n0 6\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", content)]
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, 1):
        assert content[offset:].startswith(b"%d 0 obj\n" % number)
    found = re.search(rb"/Length (\d+)", content)
    assert found is not None
    length = int(found.group(1))
    stream = content.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
    assert b"pr\xe9visionnel" in stream and b"\\(exemple\\)" in stream


# --- Conventions -----------------------------------------------------------------------------------------

def current(organisation: str, department: str = INTEGRATION) -> Convention:
    today = timezone.localdate()
    return conventions_selectors.with_details(Convention.objects.active_on(today)).get(
        organisation__name=organisation, department__name=department)


def _check_money(convention: Convention, today: date) -> None:
    """The schedule is what the services keep: each year adds up to the amount granted (or, once the
    financial statement is accepted, to the eligible amount); what was due a week ago is paid."""
    for position in money.positions(convention, today):
        target = position.eligible if position.statement_status == ReportStatus.ACCEPTED else position.granted
        assert position.scheduled == target, (convention, position.year)
        assert position.surplus == 0
        for payment in position.payments:
            assert payment.paid_on is None or payment.paid_on <= today
            if payment.kind == PaymentKind.ADVANCE and payment.due_on < today - timedelta(days=7):
                assert payment.paid_on is not None, payment


def test_the_conventions_of_the_department_of_integration() -> None:
    today = timezone.localdate()
    last = today.year - 1
    # The Département de l'intégration's four partners, "conventionnées" today, over several years.
    asti, caritas, clae, cefis = (current(name) for name in (ASTI, CARITAS, CLAE, CEFIS))
    assert [str(d.activity) for d in asti.domains.all()] == [
        "Accompagnement des communes", "Traduction orale directe", "Guichet Info-Migrants"]
    assert [str(d.activity) for d in caritas.domains.all()] == ["Accueil", "Centre de jour"]
    assert [d.activity.code for d in clae.domains.all()] == ["participation-citoyenne-interculturalite"]
    assert [d.activity.code for d in cefis.domains.all()] == ["observatoire-formation-interculturelle"]
    for convention in (asti, caritas, clae, cefis):
        assert conventions_selectors.is_conventioned(convention.organisation)
        assert convention.signed_on is not None
        assert convention.is_example and convention.signed_on < convention.starts_on <= today
        assert convention.ends_on.year - convention.starts_on.year >= 2
        assert all(i.yearly_target > 0 for d in convention.domains.all() for i in d.indicators.all())
        assert all("(exemple)" in d.description for d in convention.domains.all())
        _check_money(convention, today)
        assert convention.payments.filter(year=last, kind=PaymentKind.ADVANCE, paid_on__isnull=True).count() == 0

    # Last year's reports: ASTI's activity report waits for the officer, CLAE's statement was returned.
    waiting = asti.reports.get(year=last, kind=ReportKind.ACTIVITY)
    assert waiting.submitted_by is not None
    assert waiting.status == ReportStatus.SUBMITTED and waiting.submitted_by.email.startswith("gestionnaire.asti")
    assert waiting.indicator_values.count() == 6 and "(exemple)" in waiting.narrative
    assert list(conventions_selectors.reports_to_review()) == [waiting]
    returned = clae.reports.get(year=last, kind=ReportKind.FINANCIAL)
    assert returned.status == ReportStatus.RETURNED and "(exemple)" in returned.officer_comment
    assert returned.reviewed_by is not None and returned.reviewed_by.email == "officer@demo.subsidia.lu"
    overdue = set(conventions_selectors.overdue_reports(today))
    assert overdue == ({returned} if today > returned.due_on else set())
    if today > money.report_due_on(last) + timedelta(days=30):
        for report in YearlyReport.objects.filter(convention__in=[asti, caritas, clae, cefis], year=last).exclude(
                pk__in=[waiting.pk, returned.pk]):
            assert report.status == ReportStatus.ACCEPTED, report
            assert report.submitted_at is not None and report.reviewed_at is not None
            assert report.submitted_at < report.reviewed_at <= timezone.now()
    for document in ReportDocument.objects.all():
        with default_storage.open(document.file.name, "rb") as handle:
            assert handle.read().startswith(b"%PDF-")
    # Filed by the partners' gestionnaires through the service (the audit trail says who).
    filed = AuditEvent.objects.filter(action="convention.report_submit")
    assert filed.exists() and all(event.actor_label.startswith("gestionnaire") for event in filed)

    # Caritas' amendment raises the day centre's amount mid-year.
    amendment = caritas.amendments.get()
    line = amendment.lines.get()
    assert (str(line.domain.activity), line.yearly_amount) == ("Centre de jour", 455000)
    assert amendment.effective_from.month == 7 and amendment.signed_on < amendment.effective_from <= today


def test_the_mega_conventions_and_the_overlap() -> None:
    today = timezone.localdate()
    # The MEGA and its 11 conventioned organisations, one domain each.
    for name in MEGA_PARTNERS:
        convention = current(name, MEGA)
        assert convention.domains.count() == 1 and convention.is_example
        _check_money(convention, today)
    assert {o.name for o in conventions_selectors.conventioned_organisations()} == {
        ASTI, CARITAS, CLAE, CEFIS, *MEGA_PARTNERS}

    # ASTI's subsidy application in a domain its (earlier) convention funded: the overlap warning.
    application = Application.objects.get(organisation__name=ASTI, title__startswith="Ateliers « Je vote aussi »")
    overlaps = conventions_selectors.overlaps_for_application(application)
    assert [(o.domain.activity.code, o.convention.organisation.name) for o in overlaps] == [
        ("guichet-info-migrants", ASTI)]
    assert application.start_date is not None and application.end_date is not None
    overview = conventions_selectors.funding_overview(Organisation.objects.get(name=ASTI), application.start_date,
                                                      application.end_date)
    assert overview.overlaps and any(line.warning for line in overview.lines if line.kind == "subsidy")


def test_the_conventions_inboxes_and_admin(client: Client) -> None:
    today = timezone.localdate()
    # The past is not in the inboxes: only what still waits (the officer's report to review).
    assert not Notification.objects.filter(kind__in=[Kind.CONVENTION_PAYMENT, Kind.CONVENTION]).exists()
    notice = Notification.objects.get(kind=Kind.CONVENTION_REPORT_SUBMITTED)
    assert notice.user.email == "officer@demo.subsidia.lu" and notice.read_at is None and notice.emailed_at
    assert send_convention_reminders(today) >= 0  # the worker's job runs on the demo

    # The technical administrator reads it all in the admin.
    sign_in(client, User.objects.get(email="admin@demo.subsidia.lu"))
    for model in [Convention, ConventionDomain, Indicator, Amendment, AmendmentLine, ScheduledPayment, YearlyReport,
                  IndicatorValue, DomainSpending, ReportDocument]:
        url = reverse(f"admin:conventions_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    asti = current(ASTI)
    assert client.get(reverse("admin:conventions_convention_change", args=[asti.pk])).status_code == 200


# --- Dialogue --------------------------------------------------------------------------------------------

def test_the_meetings_of_the_mega_with_its_partners(client: Client) -> None:
    now = timezone.now()
    series = MeetingSeries.objects.get(title="Réunion des gestionnaires des organismes conventionnés")
    assert series.department.acronym == "MEGA" and series.cadence == "quarterly" and series.is_example
    assert set(series.organisations.values_list("name", flat=True)) == set(MEGA_PARTNERS)
    assert series.organisations.count() == 11
    assert [u.email for u in series.ministry_participants.all()] == ["officer@demo.subsidia.lu"]

    # One meeting held about two months ago, its minutes published.
    past = list(series.meetings.filter(starts_at__lt=now))
    assert len(past) == 1
    held = past[0]
    assert 55 <= (now - held.starts_at).days <= 95
    assert held.status == MeetingStatus.HELD and held.minutes_published_at and "(exemple)" in held.minutes
    assert held.minutes_published_at > held.ends_at
    assert held.decisions.count() == 3 and held.attendance.count() == 12
    assert held.attendance.filter(organisation__isnull=True).count() == 1  # the ministry

    # The meetings to come, generated by the cadence.
    upcoming = list(series.meetings.filter(starts_at__gt=now).order_by("starts_at"))
    assert len(upcoming) >= 3 and all(m.status == MeetingStatus.PLANNED for m in upcoming)
    assert all(timezone.localtime(m.starts_at).weekday() < 5 for m in [held, *upcoming])
    following = upcoming[0]
    assert dialogue_selectors.previous_meeting(following) == held

    # The action items carried over: two open (one for Femmes en détresse), one done since.
    gestionnaire = User.objects.get(email="gestionnaire@demo.subsidia.lu")
    follow_up = list(dialogue_selectors.follow_up(following))
    assert len(follow_up) == 3
    assert sorted(item.status for item in follow_up) == [ActionStatus.DONE, ActionStatus.OPEN, ActionStatus.OPEN]
    fed = next(item for item in follow_up if item.owner_organisation and item.owner_organisation.name ==
               "Femmes en détresse")
    assert fed.due_on is not None
    assert fed.owner == gestionnaire and not fed.is_closed and fed.due_on < timezone.localtime(
        following.starts_at).date()
    assert list(dialogue_selectors.open_actions_of(gestionnaire)) == [fed]
    assert [i.status for i in dialogue_selectors.follow_up(upcoming[1])] == [ActionStatus.OPEN, ActionStatus.OPEN]

    # The next meeting's agenda, with the point Femmes en détresse proposed.
    proposed = following.agenda_items.get(status=AgendaItemStatus.PROPOSED)
    assert proposed.organisation is not None
    assert proposed.proposed_by == gestionnaire and proposed.organisation.name == "Femmes en détresse"
    assert following.agenda_items.filter(status=AgendaItemStatus.ACCEPTED).count() == 2
    assert Notification.objects.filter(user__email="officer@demo.subsidia.lu", kind=Kind.AGENDA_ITEM_PROPOSED,
                                       read_at__isnull=True).exists()
    assert Notification.objects.filter(user=gestionnaire, kind=Kind.ACTION_ITEM).count() == 1
    assert not Notification.objects.filter(emailed_at__isnull=True, kind__in=[
        Kind.ACTION_ITEM, Kind.MINUTES_PUBLISHED, Kind.AGENDA_ITEM_PROPOSED]).exists()

    # The technical administrator reads it in the admin.
    sign_in(client, User.objects.get(email="admin@demo.subsidia.lu"))
    for model in [MeetingSeries, Meeting, AgendaItem, Attendance, MeetingDecision, ActionItem]:
        url = reverse(f"admin:dialogue_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
