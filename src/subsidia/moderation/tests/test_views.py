"""The comment section (template tag), the readers' posts and the moderators' pages: what each person sees, that
no raw HTML of a comment reaches a page, errors shown on forms, and 403 for people who are not moderators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.audit.models import AuditEvent
from subsidia.knowledge.models import NewsItem
from subsidia.moderation.models import AccountBlock, Comment, FilteredWord

from .factories import AccountBlockFactory, CommentFactory, CommentReportFactory, FilteredWordFactory, NewsItemFactory

pytestmark = pytest.mark.django_db

MALICIOUS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[cliquez](javascript:alert(1)) <a href=\"javascript:alert(2)\">lien</a>",
    "\"><svg onload=alert(3)>",
]
HIDDEN_TEXT = "Ce commentaire a été masqué par la modération."


def render_section(target: Any, user: Any = None, session: SessionBase | None = None) -> str:
    request = RequestFactory().get("/actualites/une-actualite/")
    request.user = user or AnonymousUser()
    request.session = session or SessionStore()
    return Template("{% load comments %}{% comment_section target %}").render(
        RequestContext(request, {"target": target}))


def assert_no_raw_html(html: str) -> None:
    for raw in ["<script>alert", "<img src=x", "onerror=\"", "<svg", "href=\"javascript:"]:
        assert raw not in html, raw


@pytest.fixture
def news() -> NewsItem:
    return NewsItemFactory.create(title="Intégration locale")


class TestCommentSection:
    def test_public_sees_published_and_hidden_as_hidden(self, news: NewsItem, make_user: Callable[..., User]) -> None:
        CommentFactory.create(target=news, body="Visible par tous", status="published")
        CommentFactory.create(target=news, body="Propos masqué", status="hidden")
        CommentFactory.create(target=news, body="En attente secrète", status="pending")
        CommentFactory.create(target=news, body="Refusé secret", status="rejected")
        html = render_section(news)
        assert "Visible par tous" in html
        assert HIDDEN_TEXT in html and "Propos masqué" not in html
        assert "En attente secrète" not in html and "Refusé secret" not in html
        assert reverse("accounts:login") in html and reverse("accounts:signup") in html
        assert "Signaler" not in html
        assert 'name="body"' not in html

    def test_author_sees_own_pending_and_rejected_marked(self, news: NewsItem, make_user: Callable[..., User]) -> None:
        author = make_user()
        CommentFactory.create(target=news, author=author, body="Mon attente", status="pending")
        CommentFactory.create(target=news, author=author, body="Mon refus", status="rejected", reason="Hors sujet")
        CommentFactory.create(target=news, author=author, body="Mon masqué", status="hidden", reason="Agressif")
        html = render_section(news, author)
        assert "Mon attente" in html and "En attente de modération" in html
        assert "Mon refus" in html and "Refusé" in html and "Hors sujet" in html
        assert "Mon masqué" in html and "Agressif" in html
        assert 'name="body"' in html
        assert "relus par un modérateur" in html  # a new account is told it is pre-moderated

    def test_report_form_for_readers_not_on_own_comment(self, news: NewsItem, make_user: Callable[..., User]) -> None:
        author, reader = make_user(), make_user()
        comment = CommentFactory.create(target=news, author=author, status="published")
        assert reverse("moderation:report", args=[comment.pk]) not in render_section(news, author)
        assert reverse("moderation:report", args=[comment.pk]) in render_section(news, reader)
        CommentReportFactory.create(comment=comment, reporter=reader)
        html = render_section(news, reader)
        assert reverse("moderation:report", args=[comment.pk]) not in html
        assert "Vous avez signalé ce commentaire." in html

    def test_blocked_account_sees_until_when_and_why(self, news: NewsItem, make_user: Callable[..., User]) -> None:
        user = make_user()
        block = AccountBlockFactory.create(user=user, justification="Insultes répétées")
        html = render_section(news, user)
        assert 'name="body"' not in html
        assert "Insultes répétées" in html
        assert str(timezone.localtime(block.ends_at).year) in html

    @pytest.mark.parametrize("body", MALICIOUS)
    def test_no_raw_html_reaches_the_page(self, news: NewsItem, make_user: Callable[..., User], body: str) -> None:
        author = make_user(full_name='<b onmouseover="x">Nom</b>')
        CommentFactory.create(target=news, author=author, body=body + "\nligne 2", status="published")
        html = render_section(news, make_user())
        assert_no_raw_html(html)
        assert "<b onmouseover" not in html
        assert "&lt;" in html and "<br>ligne 2" in html

    def test_unpublished_target_has_no_section(self, make_user: Callable[..., User]) -> None:
        draft = NewsItemFactory.create(state="draft")
        CommentFactory.create(target=draft, body="Ne doit pas paraître")
        assert render_section(draft, make_user()).strip() == ""


class TestPosting:
    def post(self, client: Client, news: Any, body: str) -> Any:
        return client.post(reverse("moderation:post", args=["actualite", news.pk]),
                           {"body": body, "next": "/actualites/x/"})

    def test_new_account_is_told_it_waits(self, news: NewsItem, make_user: Callable[..., User],
                                          login: Callable[..., Client]) -> None:
        client = login(make_user())
        response = self.post(client, news, "Bonjour")
        assert response.status_code == 302 and response["Location"] == "/actualites/x/#commentaires"
        assert "après validation" in str(next(iter(get_messages(response.wsgi_request))))
        assert Comment.objects.get().status == "pending"

    def test_error_comes_back_on_the_form(self, news: NewsItem, make_user: Callable[..., User],
                                          login: Callable[..., Client]) -> None:
        user = make_user()
        client = login(user)
        response = self.post(client, news, "x" * 4001)
        assert response.status_code == 302
        assert not Comment.objects.exists()
        session = client.session
        html = render_section(news, user, session)
        assert "4000" in html and 'aria-invalid="true"' in html and "x" * 4001 in html
        session.save()  # as the session middleware does after the page: the draft is shown once
        assert "x" * 4001 not in render_section(news, user, client.session)

    def test_unsafe_next_is_ignored_and_missing_target_is_404(self, news: NewsItem, make_user: Callable[..., User],
                                                              login: Callable[..., Client]) -> None:
        client = login(make_user())
        response = client.post(reverse("moderation:post", args=["actualite", news.pk]),
                               {"body": "Bonjour", "next": "https://evil.example/"})
        assert response.status_code == 302 and "evil" not in response["Location"]
        assert client.post(reverse("moderation:post", args=["actualite", 999999]), {"body": "x"}).status_code == 404
        assert client.post(reverse("moderation:post", args=["inconnu", news.pk]), {"body": "x"}).status_code == 404
        draft = NewsItemFactory.create(state="draft")
        assert client.post(reverse("moderation:post", args=["actualite", draft.pk]), {"body": "x"}).status_code == 404

    def test_blocked_account_gets_a_message(self, news: NewsItem, make_user: Callable[..., User],
                                            login: Callable[..., Client]) -> None:
        user = make_user()
        AccountBlockFactory.create(user=user, justification="Spam")
        response = self.post(login(user), news, "Achetez !")
        assert response.status_code == 302 and not Comment.objects.exists()

    def test_report_of_a_pending_comment_is_404(self, news: NewsItem, make_user: Callable[..., User],
                                                login: Callable[..., Client]) -> None:
        comment = CommentFactory.create(target=news, status="pending")
        client = login(make_user())
        assert client.post(reverse("moderation:report", args=[comment.pk])).status_code == 404

    def test_report_twice_shows_a_message(self, news: NewsItem, make_user: Callable[..., User],
                                          login: Callable[..., Client]) -> None:
        comment = CommentFactory.create(target=news, status="published")
        client = login(make_user())
        client.post(reverse("moderation:report", args=[comment.pk]), {"reason": "Spam"})
        response = client.post(reverse("moderation:report", args=[comment.pk]), {"reason": "Spam"})
        assert response.status_code == 302
        assert "déjà signalé" in str(list(get_messages(response.wsgi_request))[-1])
        assert comment.reports.count() == 1


class TestModeratorPages:
    @pytest.mark.parametrize("name", ["moderation:queue", "moderation:blocks", "moderation:words"])
    @pytest.mark.parametrize("role", [None, "officer", "auditor"])
    def test_403_for_non_moderators(self, name: str, role: str | None, make_user: Callable[..., User],
                                    login: Callable[..., Client]) -> None:
        assert login(make_user(role)).get(reverse(name)).status_code == 403

    @pytest.mark.parametrize("tab", ["pending", "reported", "recent"])
    def test_queue_escapes_bodies(self, tab: str, news: NewsItem, make_user: Callable[..., User],
                                  login: Callable[..., Client]) -> None:
        for body in MALICIOUS:
            CommentFactory.create(target=news, body=body, status="pending")
            CommentFactory.create(target=news, body=body, status="hidden")
        reported = CommentFactory.create(target=news, status="published", report_count=1)
        report = CommentReportFactory.create(comment=reported, reason='<script>alert("r")</script>')
        response = login(make_user("moderator")).get(reverse("moderation:queue"), {"onglet": tab})
        html = response.content.decode()
        assert response.status_code == 200
        assert_no_raw_html(html)
        assert "&lt;script&gt;" in html
        if tab == "reported":
            assert "Intégration locale" in html and report.reporter.get_full_name() in html

    def test_queue_shows_what_the_moderator_needs(self, news: NewsItem, make_user: Callable[..., User],
                                                  login: Callable[..., Client]) -> None:
        author = make_user(full_name="Jeanne Auteur", date_joined=timezone.now() - timedelta(days=2))
        comment = CommentFactory.create(target=news, author=author, status="pending", held_because="word_filter")
        html = login(make_user("moderator")).get(reverse("moderation:queue")).content.decode()
        assert "Jeanne Auteur" in html and "Contient un mot filtré" in html
        assert reverse("moderation:author", args=[author.pk]) in html
        assert "2" in html and "jours" in html
        assert reverse("moderation:decide", args=[comment.pk]) in html

    def test_decide_without_reason_shows_error_on_the_form(self, news: NewsItem, make_user: Callable[..., User],
                                                           login: Callable[..., Client]) -> None:
        comment = CommentFactory.create(target=news, status="published")
        client = login(make_user("moderator"))
        response = client.post(reverse("moderation:decide", args=[comment.pk]),
                               {"action": "hide", "reason": "", "version": comment.version})
        assert response.status_code == 422
        assert "Donnez le motif" in response.content.decode()
        comment.refresh_from_db()
        assert comment.status == "published"

    def test_decide_and_stale_version(self, news: NewsItem, make_user: Callable[..., User],
                                      login: Callable[..., Client]) -> None:
        comment = CommentFactory.create(target=news, status="pending")
        client = login(make_user("moderator"))
        response = client.post(reverse("moderation:decide", args=[comment.pk]),
                               {"action": "approve", "version": 1, "next": reverse("moderation:queue")})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.status == "published"
        again = client.post(reverse("moderation:decide", args=[comment.pk]),
                            {"action": "hide", "reason": "x", "version": 1})
        assert again.status_code == 409

    def test_author_page_block_and_lift(self, news: NewsItem, make_user: Callable[..., User],
                                        login: Callable[..., Client]) -> None:
        author = make_user(full_name="Paul Bloqué")
        CommentFactory.create(target=news, author=author, body="<script>x</script>", status="pending")
        client = login(make_user("moderator"))
        page = client.get(reverse("moderation:author", args=[author.pk]))
        assert page.status_code == 200 and "&lt;script&gt;" in page.content.decode()
        missing = client.post(reverse("moderation:block", args=[author.pk]), {"ends_at": "", "justification": ""})
        assert missing.status_code == 422 and not AccountBlock.objects.exists()
        ends = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        past = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        assert client.post(reverse("moderation:block", args=[author.pk]),
                           {"ends_at": past, "justification": "x"}).status_code == 422
        done = client.post(reverse("moderation:block", args=[author.pk]), {"ends_at": ends, "justification": "Spam"})
        assert done.status_code == 302
        block = AccountBlock.objects.get()
        listing = client.get(reverse("moderation:blocks")).content.decode()
        assert "Paul Bloqué" in listing and reverse("moderation:lift_block", args=[block.pk]) in listing
        assert client.post(reverse("moderation:lift_block", args=[block.pk])).status_code == 302
        block.refresh_from_db()
        assert block.lifted_at is not None

    def test_word_filter_page(self, make_user: Callable[..., User], login: Callable[..., Client]) -> None:
        client = login(make_user("moderator"))
        assert client.post(reverse("moderation:words"), {"word": "Idiot"}).status_code == 302
        assert client.post(reverse("moderation:words"), {"word": "IDIOT"}).status_code == 409
        assert client.post(reverse("moderation:words"), {"word": ""}).status_code == 422
        word = FilteredWord.objects.get()
        assert "Idiot" in client.get(reverse("moderation:words")).content.decode()
        assert client.post(reverse("moderation:word_remove", args=[word.pk])).status_code == 302
        assert not FilteredWord.objects.exists()
        assert AuditEvent.objects.filter(action__startswith="filtered_word.").count() == 2

    def test_admin_is_a_moderator_too(self, make_user: Callable[..., User], login: Callable[..., Client]) -> None:
        FilteredWordFactory.create()
        assert login(make_user("admin")).get(reverse("moderation:words")).status_code == 200


def test_news_page_shows_the_section_escaped(news: NewsItem, make_user: Callable[..., User], client: Client) -> None:
    CommentFactory.create(target=news, body='<script>alert("x")</script>', status="published")
    CommentFactory.create(target=news, body="masqué", status="hidden")
    response = client.get(reverse("knowledge:news_detail", kwargs={"slug": news.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="commentaires"' in html and HIDDEN_TEXT in html
    assert_no_raw_html(html)
    assert "&lt;script&gt;" in html
