"""Comment services: pre- and post-moderation, the word filter, readers' reports and their threshold, every
moderator act (with the reason told to the author and the audit trail), blocked accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, models
from django.test import override_settings
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from subsidia.events.models import Event
from subsidia.knowledge.models import NewsItem
from subsidia.moderation import selectors, services
from subsidia.moderation.models import AccountBlock, Comment, CommentStatus, FilteredWord, HeldBecause
from subsidia.notifications.models import Kind, Notification
from subsidia.organisations.models import Organisation

from .factories import AccountBlockFactory, CommentFactory, CommentReportFactory, FilteredWordFactory, NewsItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def news() -> NewsItem:
    return NewsItemFactory.create()


@pytest.fixture
def newcomer(make_user: Callable[..., User]) -> User:
    return make_user(full_name="Nouvelle Lectrice", email="nouvelle@example.lu")


@pytest.fixture
def trusted(make_user: Callable[..., User]) -> User:
    """An old account with enough published comments: post-moderated."""
    user = make_user(full_name="Lecteur Fidèle", date_joined=timezone.now() - timedelta(days=90))
    CommentFactory.create_batch(3, author=user, status=CommentStatus.PUBLISHED)
    return user


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("moderator")


def actions(obj: models.Model) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="moderation.comment", object_id=str(obj.pk))
                .order_by("pk").values_list("action", flat=True))


class TestTrust:
    def test_new_accounts_are_not_trusted(self, newcomer: User) -> None:
        assert not selectors.is_trusted(newcomer)

    def test_old_account_needs_published_comments(self, make_user: Callable[..., User]) -> None:
        old = make_user(date_joined=timezone.now() - timedelta(days=31))
        CommentFactory.create_batch(2, author=old, status=CommentStatus.PUBLISHED)
        CommentFactory.create(author=old, status=CommentStatus.REJECTED)
        assert not selectors.is_trusted(old)
        CommentFactory.create(author=old, status=CommentStatus.PUBLISHED)
        assert selectors.is_trusted(old)

    def test_young_account_with_published_comments_is_not_trusted(self, make_user: Callable[..., User]) -> None:
        young = make_user(date_joined=timezone.now() - timedelta(days=29))
        CommentFactory.create_batch(5, author=young, status=CommentStatus.PUBLISHED)
        assert not selectors.is_trusted(young)

    @override_settings(COMMENT_TRUST_AFTER_DAYS=0, COMMENT_TRUST_AFTER_PUBLISHED=0)
    def test_thresholds_are_settings(self, newcomer: User) -> None:
        assert selectors.is_trusted(newcomer)

    def test_staff_and_partner_members_are_trusted(self, make_user: Callable[..., User], org_a: Organisation) -> None:
        assert selectors.is_trusted(make_user("officer"))
        assert selectors.is_trusted(make_user("partner_member", organisation=org_a))


class TestPosting:
    def test_new_account_is_pre_moderated(self, newcomer: User, news: NewsItem) -> None:
        comment = services.post_comment(newcomer, news, "  Très utile, merci !  ")
        assert (comment.status, comment.held_because, comment.body) == ("pending", "new_account",
                                                                        "Très utile, merci !")
        assert actions(comment) == ["comment.post"]

    def test_trusted_account_is_post_moderated(self, trusted: User, news: NewsItem) -> None:
        comment = services.post_comment(trusted, news, "Bravo.")
        assert (comment.status, comment.held_because) == ("published", "")

    @pytest.mark.parametrize("body", ["Quel CRETIN, celui-là", "quel crétin.", "Crétin!", "un  Crétin\n"])
    def test_filtered_word_holds_even_a_trusted_comment(self, trusted: User, news: NewsItem, body: str) -> None:
        FilteredWordFactory.create(word="crétin")
        comment = services.post_comment(trusted, news, body)
        assert (comment.status, comment.held_because) == ("pending", "word_filter")

    @pytest.mark.parametrize("body", ["Une crétinerie", "discrétion", "cretins"])
    def test_filter_matches_whole_words_only(self, trusted: User, news: NewsItem, body: str) -> None:
        FilteredWordFactory.create(word="crétin")
        assert services.post_comment(trusted, news, body).status == "published"

    def test_filter_matches_expressions(self, trusted: User, news: NewsItem) -> None:
        FilteredWordFactory.create(word="Rentrez chez vous")
        assert services.post_comment(trusted, news, "Qu'ils RENTRENT... non : rentrez, chez vous !").status \
            == "pending"
        assert services.post_comment(trusted, news, "Rentrez tôt chez vous").status == "published"

    def test_empty_and_too_long_are_refused(self, trusted: User, news: NewsItem) -> None:
        with pytest.raises(RuleViolation) as empty:
            services.post_comment(trusted, news, "   \n ")
        assert empty.value.status_code == 422 and empty.value.violations[0].field == "body"
        with pytest.raises(RuleViolation) as long:
            services.post_comment(trusted, news, "x" * 4001)
        assert long.value.status_code == 422
        assert services.post_comment(trusted, news, "x" * 4000).pk
        assert Comment.objects.filter(author=trusted, body__startswith="xx").count() == 1

    def test_blocked_account_is_told_until_when(self, newcomer: User, news: NewsItem) -> None:
        block = AccountBlockFactory.create(user=newcomer, justification="Insultes.")
        with pytest.raises(PermissionDenied) as refused:
            services.post_comment(newcomer, news, "Bonjour")
        assert refused.value.status_code == 403
        assert str(block.ends_at.astimezone(timezone.get_current_timezone()).year) in str(refused.value)
        assert "Insultes." in str(refused.value)
        assert not Comment.objects.filter(author=newcomer).exists()

    def test_expired_or_lifted_block_no_longer_applies(self, newcomer: User, news: NewsItem) -> None:
        AccountBlockFactory.create(user=newcomer, starts_at=timezone.now() - timedelta(days=10),
                                   ends_at=timezone.now() - timedelta(days=1))
        AccountBlockFactory.create(user=newcomer, lifted_at=timezone.now())
        assert services.post_comment(newcomer, news, "Bonjour").pk

    def test_only_published_targets_take_comments(self, trusted: User) -> None:
        draft = NewsItemFactory.create(state="draft")
        with pytest.raises(NotFound):
            services.post_comment(trusted, draft, "Bonjour")
        now = timezone.now()
        event = Event.objects.create(title="Conférence", slug="conference", summary="s", starts_at=now,
                                     ends_at=now + timedelta(hours=2), status="published")
        assert services.post_comment(trusted, event, "J'y serai").status == "published"
        not_commentable = ContentType.objects.first()
        assert not_commentable is not None
        with pytest.raises(NotFound):
            services.post_comment(trusted, not_commentable, "Bonjour")

    def test_anonymous_cannot_post(self, news: NewsItem) -> None:
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            services.post_comment(AnonymousUser(), news, "Bonjour")


class TestReports:
    def test_one_report_per_reader_and_not_ones_own(self, make_user: Callable[..., User], trusted: User,
                                                    news: NewsItem) -> None:
        comment = services.post_comment(trusted, news, "Avis tranché.")
        reader = make_user()
        services.report_comment(reader, comment, "Agressif")
        with pytest.raises(Conflict):
            services.report_comment(reader, comment, "Encore")
        with pytest.raises(PermissionDenied):
            services.report_comment(trusted, comment, "moi")
        comment.refresh_from_db()
        assert comment.report_count == 1 and comment.status == "published"
        assert actions(comment) == ["comment.post", "comment.report"]

    def test_pending_comments_of_others_cannot_be_reported(self, make_user: Callable[..., User], newcomer: User,
                                                           news: NewsItem) -> None:
        comment = services.post_comment(newcomer, news, "En attente")
        with pytest.raises(NotFound):
            services.report_comment(make_user(), comment)

    def test_three_reports_hide_the_comment(self, make_user: Callable[..., User], trusted: User,
                                            news: NewsItem) -> None:
        comment = services.post_comment(trusted, news, "Avis tranché.")
        for n in range(2):
            services.report_comment(make_user(), comment, f"raison {n}")
        comment.refresh_from_db()
        assert comment.status == "published" and comment.report_count == 2
        services.report_comment(make_user(), comment, "raison 3")
        comment.refresh_from_db()
        assert (comment.status, comment.held_because, comment.report_count) == ("hidden", "reports", 3)
        assert "comment.hidden_by_reports" in actions(comment)
        assert list(selectors.moderation_queue("reported")) == [comment]
        with pytest.raises(Conflict):
            services.report_comment(make_user(), comment)

    @override_settings(COMMENT_REPORT_THRESHOLD=1)
    def test_threshold_is_a_setting(self, make_user: Callable[..., User], trusted: User, news: NewsItem) -> None:
        comment = services.post_comment(trusted, news, "Avis tranché.")
        services.report_comment(make_user(), comment)
        comment.refresh_from_db()
        assert comment.status == "hidden"

    @override_settings(COMMENT_REPORT_THRESHOLD=5)
    def test_higher_threshold(self, make_user: Callable[..., User], trusted: User, news: NewsItem) -> None:
        comment = services.post_comment(trusted, news, "Avis tranché.")
        for _n in range(4):
            services.report_comment(make_user(), comment)
        comment.refresh_from_db()
        assert comment.status == "published"
        services.report_comment(make_user(), comment)
        comment.refresh_from_db()
        assert comment.status == "hidden"

    def test_restoring_resolves_the_reports(self, make_user: Callable[..., User], trusted: User, news: NewsItem,
                                            moderator: User) -> None:
        comment = services.post_comment(trusted, news, "Avis tranché.")
        for _n in range(3):
            services.report_comment(make_user(), comment)
        services.restore(moderator, comment)
        comment.refresh_from_db()
        assert (comment.status, comment.report_count, comment.held_because) == ("published", 0, "")
        assert not comment.reports.filter(resolved_at__isnull=True).exists()
        # Resolved reports no longer count: it takes three new readers to hide it again.
        services.report_comment(make_user(), comment)
        comment.refresh_from_db()
        assert comment.status == "published" and comment.report_count == 1


def test_keep_files_the_reports_without_telling_the_author(make_user: Callable[..., User], trusted: User,
                                                           news: NewsItem, moderator: User) -> None:
    comment = services.post_comment(trusted, news, "Avis tranché.")
    services.report_comment(make_user(), comment, "Pas d'accord")
    kept = services.moderate(moderator, comment, "keep")
    assert (kept.status, kept.report_count) == ("published", 0)
    assert not comment.reports.filter(resolved_at__isnull=True).exists()
    assert "comment.keep" in actions(comment)
    assert not Notification.objects.filter(user=trusted).exists()
    assert comment not in selectors.moderation_queue("reported")


class TestModeratorActs:
    def decide(self, act: str, comment: Comment, moderator: User, reason: str,
               capture: DjangoCaptureOnCommitCallbacks) -> Comment:
        with capture(execute=True):
            return services.moderate(moderator, comment, act, reason)

    @pytest.mark.parametrize(("act", "start", "end", "reason"), [
        ("approve", "pending", "published", ""),
        ("hide", "published", "hidden", "Propos hors sujet"),
        ("restore", "hidden", "published", ""),
        ("reject", "pending", "rejected", "Injurieux"),
        ("reject", "hidden", "rejected", "Publicité"),
    ])
    def test_each_act_is_audited_and_told_to_the_author(
            self, act: str, start: str, end: str, reason: str, moderator: User, make_user: Callable[..., User],
            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        author = make_user(preferred_language="fr")
        comment = CommentFactory.create(author=author, status=start)
        mail.outbox.clear()
        done = self.decide(act, comment, moderator, reason, django_capture_on_commit_callbacks)
        assert done.status == end and done.moderated_by == moderator and done.reason == reason
        event = AuditEvent.objects.get(action=f"comment.{act}", object_id=str(comment.pk))
        assert event.actor == moderator
        assert event.before is not None and event.after is not None
        assert event.before["status"] == start and event.after["status"] == end
        note = Notification.objects.get(user=author, kind=Kind.COMMENT_MODERATION)
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [author.email]
        if reason:
            assert reason in note.body and reason in mail.outbox[0].body
        assert comment.body in mail.outbox[0].body

    @pytest.mark.parametrize("act", ["hide", "reject"])
    def test_reason_is_required(self, act: str, moderator: User) -> None:
        comment = CommentFactory.create(status="published" if act == "hide" else "pending")
        with pytest.raises(RuleViolation) as refused:
            services.moderate(moderator, comment, act, "  ")
        assert refused.value.violations[0].field == "reason"
        comment.refresh_from_db()
        assert comment.version == 1
        assert not AuditEvent.objects.filter(action=f"comment.{act}").exists()

    def test_author_is_told_in_their_language(
            self, moderator: User, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch,
            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        from django.utils import translation

        languages = []
        original = services._decision_message

        def spy(comment: Comment, act: str) -> tuple[str, str]:
            languages.append(translation.get_language())
            return original(comment, act)

        monkeypatch.setattr(services, "_decision_message", spy)
        comment = CommentFactory.create(author=make_user(preferred_language="de"), status="pending")
        with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
            services.reject(moderator, comment, "Beleidigend")
        assert languages == ["de"]

    def test_stale_version_is_refused(self, moderator: User, make_user: Callable[..., User]) -> None:
        comment = CommentFactory.create(status="pending")
        services.approve(make_user("moderator"), comment)
        with pytest.raises(Conflict):
            services.reject(moderator, comment, "Trop tard", expected_version=1)
        comment.refresh_from_db()
        assert comment.status == "published"


class TestBlocks:
    def test_block_and_lift(self, moderator: User, newcomer: User, news: NewsItem,
                            django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        waiting = services.post_comment(newcomer, news, "En attente")
        ends = timezone.now() + timedelta(days=7)
        with django_capture_on_commit_callbacks(execute=True):
            block = services.block_account(moderator, newcomer, ends, "Insultes répétées")
        assert selectors.active_block(newcomer) == block
        assert AuditEvent.objects.filter(action="comment_block.create", object_id=str(block.pk),
                                         actor=moderator).exists()
        assert "Insultes répétées" in mail.outbox[-1].body
        waiting.refresh_from_db()
        assert waiting.status == "pending"  # stays for review
        with pytest.raises(PermissionDenied):
            services.post_comment(newcomer, news, "Encore")
        with pytest.raises(Conflict):
            services.block_account(moderator, newcomer, ends + timedelta(days=1), "Encore")
        services.lift_block(moderator, block)
        assert selectors.active_block(newcomer) is None
        assert AuditEvent.objects.filter(action="comment_block.lift", object_id=str(block.pk)).exists()
        assert services.post_comment(newcomer, news, "De retour").pk
        with pytest.raises(Conflict):
            services.lift_block(moderator, block)

    def test_justification_and_future_end_are_required(self, moderator: User, newcomer: User) -> None:
        with pytest.raises(RuleViolation) as refused:
            services.block_account(moderator, newcomer, timezone.now() - timedelta(minutes=1), " ")
        assert {v.field for v in refused.value.violations} == {"justification", "ends_at"}
        assert not AccountBlock.objects.exists()

    def test_only_moderators_block(self, make_user: Callable[..., User], newcomer: User) -> None:
        with pytest.raises(PermissionDenied):
            services.block_account(make_user("officer"), newcomer, timezone.now() + timedelta(days=1), "x")
        block = AccountBlockFactory.create(user=newcomer)
        with pytest.raises(PermissionDenied):
            services.lift_block(make_user("officer"), block)


class TestWordFilter:
    def test_add_and_remove(self, moderator: User, trusted: User, news: NewsItem) -> None:
        word = services.add_filtered_word(moderator, "  Abruti ")
        assert word.word == "Abruti"
        assert AuditEvent.objects.filter(action="filtered_word.add", actor=moderator).exists()
        with pytest.raises(Conflict):
            services.add_filtered_word(moderator, "ABRUTÍ")
        with pytest.raises(RuleViolation):
            services.add_filtered_word(moderator, " !! ")
        assert services.post_comment(trusted, news, "Quel abruti").held_because == HeldBecause.WORD_FILTER
        services.remove_filtered_word(moderator, word)
        assert not FilteredWord.objects.exists()
        assert AuditEvent.objects.filter(action="filtered_word.remove", actor=moderator,
                                         before={"word": "Abruti"}).exists()
        assert services.post_comment(trusted, news, "Quel abruti").status == "published"

    def test_only_moderators(self, make_user: Callable[..., User]) -> None:
        with pytest.raises(PermissionDenied):
            services.add_filtered_word(make_user(), "mot")
        with pytest.raises(PermissionDenied):
            services.remove_filtered_word(make_user("officer"), FilteredWordFactory.create())


class TestSelectors:
    def test_public_sees_published_and_hidden_authors_also_their_own(
            self, news: NewsItem, make_user: Callable[..., User]) -> None:
        author, other = make_user(), make_user()
        published = CommentFactory.create(target=news, status="published")
        hidden = CommentFactory.create(target=news, status="hidden")
        own_pending = CommentFactory.create(target=news, author=author, status="pending")
        own_rejected = CommentFactory.create(target=news, author=author, status="rejected")
        CommentFactory.create(target=news, status="pending")
        CommentFactory.create(target=news, status="rejected")
        CommentFactory.create(status="published")  # another page
        from django.contrib.auth.models import AnonymousUser

        assert list(selectors.comments_for(news, AnonymousUser())) == [published, hidden]
        assert list(selectors.comments_for(news, other)) == [published, hidden]
        assert list(selectors.comments_for(news, author)) == [published, hidden, own_pending, own_rejected]
        news.state = "archived"
        assert not selectors.comments_for(news, author).exists()

    def test_queue_tabs(self, make_user: Callable[..., User]) -> None:
        pending = CommentFactory.create(status="pending")
        hidden = CommentFactory.create(status="hidden")
        reported = CommentFactory.create(status="published", report_count=1)
        CommentReportFactory.create(comment=reported)
        old = CommentFactory.create(status="published", created_at=timezone.now() - timedelta(days=40))
        assert list(selectors.moderation_queue("pending")) == [pending]
        assert set(selectors.moderation_queue("reported")) == {hidden, reported}
        assert old not in selectors.moderation_queue("recent")
        assert set(selectors.moderation_queue("recent")) == {pending, hidden, reported}
        assert selectors.queue_counts() == {"pending": 1, "reported": 2, "recent": 3}


@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_count_every_reader(make_user: Callable[..., User], trusted: User) -> None:
    import threading

    news = NewsItemFactory.create()
    comment = services.post_comment(trusted, news, "Avis tranché.")
    readers = [make_user() for _n in range(3)]
    barrier = threading.Barrier(3)

    def report(reader: User) -> None:
        try:
            barrier.wait()
            services.report_comment(reader, comment, "Agressif")
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(r,)) for r in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    comment.refresh_from_db()
    assert (comment.report_count, comment.status) == (3, "hidden")
