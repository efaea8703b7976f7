"""The issue-5 part of `subsidia load-demo`: the 2017 conference in Mersch (162 participants, three blocks, 24
example good practices, evaluation, photos), the FAQ, the news, the events around today (one online, one full
with a waiting list), public demo accounts and comments waiting for moderation; loading again adds nothing."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from PIL import Image

from subsidia.accounts.models import User
from subsidia.events.demo import (
    BLOCKS,
    MERSCH_SLUG,
    ONLINE_SLUG,
    PAST_SLUG,
    UPCOMING_SLUG,
    load_events_demo,
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
from subsidia.knowledge.demo import load_knowledge_demo
from subsidia.knowledge.models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, NewsTag, PublicationState
from subsidia.moderation import selectors as moderation_selectors
from subsidia.moderation.demo import load_moderation_demo
from subsidia.moderation.models import Comment, CommentReport, CommentStatus, FilteredWord, HeldBecause

COUNTED = [Event, Block, Session, Registration, BlockChoice, EvaluationResponse, EvaluationAnswer, Photo,
           GoodPractice, FaqTopic, FaqQuestion, NewsItem, NewsTag, Comment, CommentReport, FilteredWord, User]


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture
def demo(db: None) -> str:
    output = load()
    return output


def test_loading_the_demo_again_adds_nothing(demo: str) -> None:
    first = counts()
    photo_files = sorted(p.image.name for p in Photo.objects.all())
    assert "Events: 4 (4 created" in demo and "Good practices: 24 (24 created" in demo
    again = load()
    assert counts() == first
    assert sorted(p.image.name for p in Photo.objects.all()) == photo_files
    assert "Events: 4 (0 created, 0 updated)" in again and "Comments: 10 (0 created, 0 updated)" in again
    # The loaders themselves, called once more, add nothing either.
    added: Counter[tuple[str, str]] = Counter()
    load_events_demo(added)
    load_knowledge_demo(added)
    load_moderation_demo(added)
    assert not [key for key, n in added.items() if key[1] != "unchanged" and n]
    assert counts() == first


def test_the_2017_conference_in_mersch(demo: str) -> None:
    event = Event.objects.get(slug=MERSCH_SLUG)
    assert event.title == "Conférence nationale sur l'intégration au niveau local"
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


def test_the_24_example_good_practices(demo: str) -> None:
    event = Event.objects.get(slug=MERSCH_SLUG)
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


def test_the_evaluation_and_the_photos(demo: str) -> None:
    event = Event.objects.get(slug=MERSCH_SLUG)
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


def test_the_events_around_today(demo: str) -> None:
    now = timezone.now()
    upcoming = Event.objects.get(slug=UPCOMING_SLUG)
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

    online = Event.objects.get(slug=ONLINE_SLUG)
    assert online.is_online and online.online_url and not online.place
    assert now + timedelta(days=15) < online.starts_at < now + timedelta(days=25)
    assert online.organisers.get().acronym == "ASTI"
    statuses = Counter(online.registrations.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CONFIRMED: online.capacity, RegistrationStatus.WAITLISTED: 1}
    assert online.registrations.get(status=RegistrationStatus.WAITLISTED).waitlisted_at is not None

    past = Event.objects.get(slug=PAST_SLUG)
    assert now - timedelta(days=40) < past.ends_at < now
    assert past.registration_data_deleted_at is None and past.ends_at + timedelta(days=past.retention_days) > now
    assert past.registrations.filter(checked_in_at__isnull=False).exists()
    assert past.capacity is not None
    assert past.registrations.filter(status=RegistrationStatus.CONFIRMED).count() <= past.capacity
    assert all(r.email.endswith("@example.lu") for r in Registration.objects.all())


def test_the_faq_and_the_news(demo: str) -> None:
    assert FaqTopic.objects.count() >= 3
    questions = FaqQuestion.objects.published()
    assert 10 <= questions.count() <= 14 and questions.filter(is_example=True).exists()
    assert len(set(questions.values_list("last_updated_on", flat=True))) > 5
    assert not questions.filter(answer__contains="<script").exists()

    published = NewsItem.objects.published()
    assert 6 <= published.count() <= 8
    assert all(item.issuing_body and item.tags.exists() and item.published_at for item in published)
    assert published.filter(event__slug=MERSCH_SLUG).exists()
    draft = NewsItem.objects.get(state=PublicationState.DRAFT)
    assert draft.issuing_body is not None and draft.created_by is not None
    assert draft.submitted_at is not None and draft.issuing_body.name == "Femmes en détresse"
    assert draft.created_by.email == "gestionnaire@demo.subsidia.lu"


def test_public_accounts_and_comments_to_moderate(demo: str) -> None:
    public = User.objects.filter(email__startswith="lecteur", email__endswith="@demo.subsidia.lu")
    assert public.count() == 4
    now = timezone.now()
    for user in public:
        assert user.check_password(settings.DEMO_PASSWORD) and not user.roles
    recent = [u for u in public if u.date_joined > now - timedelta(days=settings.COMMENT_TRUST_AFTER_DAYS)]
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
    event = Event.objects.get(slug=MERSCH_SLUG)
    on_event = Comment.objects.filter(object_id=event.pk, content_type__model="event")
    assert set(on_event.values_list("status", flat=True)) == {CommentStatus.PUBLISHED, CommentStatus.PENDING}
