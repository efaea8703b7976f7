"""Notifications: one record per recipient, the e-mail only when wanted, reminders once, in the
recipient's language; the pages to read them and choose what also comes by e-mail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from subsidia.accounts.models import User
from subsidia.conftest import sign_in
from subsidia.notifications.context_processors import unread_notifications
from subsidia.notifications.models import Kind, Notification, Preference
from subsidia.notifications.services import email_preferences, mark_read, notify, set_email_preferences


def message() -> tuple[str, str]:
    return "Demande accordée", "La demande est accordée."


@pytest.mark.django_db
def test_notify_creates_one_row_per_recipient_and_emails_them(
        make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    alice, bob = make_user(), make_user()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([alice, bob, alice, None], Kind.DECISION, message, url="/subsides/demandes/1/")
    assert len(created) == 2
    assert Notification.objects.filter(user=alice).count() == 1
    assert Notification.objects.filter(user=bob).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    sent = mail.outbox[0]
    assert sent.subject == "Demande accordée"
    assert "La demande est accordée." in sent.body
    assert "/subsides/demandes/1/" in sent.body
    assert all(n.emailed_at is not None for n in Notification.objects.all())


@pytest.mark.django_db
def test_inactive_users_are_not_notified(make_user: Callable[..., User],
                                         django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    gone = make_user(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([gone], Kind.DECISION, message) == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_email_only_when_preferred(make_user: Callable[..., User],
                                   django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    wants, declines = make_user(), make_user()
    set_email_preferences(declines, {Kind.PAYMENT: False})
    with django_capture_on_commit_callbacks(execute=True):
        notify([wants, declines], Kind.PAYMENT, message)
    assert [m.to for m in mail.outbox] == [[wants.email]]
    # The notification itself is kept in the application for both.
    assert Notification.objects.filter(user=declines, emailed_at__isnull=True).count() == 1
    # Other kinds still come by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        notify([declines], Kind.DECISION, message)
    assert mail.outbox[-1].to == [declines.email]


@pytest.mark.django_db
def test_email_waits_for_the_commit(make_user: Callable[..., User],
                                    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([user], Kind.DECISION, message)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_dedupe_key_prevents_a_second_reminder(
        make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(notify([user], Kind.REPORT_DUE, message, dedupe_key="report-due-1")) == 1
        assert notify([user], Kind.REPORT_DUE, message, dedupe_key="report-due-1") == []
        assert len(notify([user], Kind.REPORT_DUE, message, dedupe_key="report-overdue-1")) == 1
    assert Notification.objects.filter(user=user).count() == 2
    assert len(mail.outbox) == 2
    # Without a key, the same message may be sent again (e.g. a second change of state).
    notify([user], Kind.APPLICATION_STATE, message)
    notify([user], Kind.APPLICATION_STATE, message)
    assert Notification.objects.filter(user=user, kind=Kind.APPLICATION_STATE).count() == 2


@pytest.mark.django_db
def test_message_is_written_in_each_recipients_language(make_user: Callable[..., User]) -> None:
    german, french = make_user(preferred_language="de"), make_user(preferred_language="fr")
    seen: list[str] = []

    def localised() -> tuple[str, str]:
        language = translation.get_language()
        seen.append(language)
        return f"subject-{language}", ""

    with translation.override("en"):
        notify([german, french], Kind.DECISION, localised)
        assert translation.get_language() == "en"  # restored afterwards
    assert seen == ["de", "fr"]
    assert Notification.objects.get(user=german).subject == "subject-de"
    assert Notification.objects.get(user=french).subject == "subject-fr"


@pytest.mark.django_db
def test_mark_read_service(make_user: Callable[..., User]) -> None:
    user, other = make_user(), make_user()
    first = notify([user], Kind.DECISION, message)[0]
    notify([user], Kind.PAYMENT, message)
    foreign = notify([other], Kind.DECISION, message)[0]
    assert mark_read(user, first.pk) == 1
    assert mark_read(user, first.pk) == 0  # already read
    from subsidia.core.errors import NotFound

    with pytest.raises(NotFound):
        mark_read(user, foreign.pk)
    assert mark_read(user) == 1
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=foreign.pk).read_at is None


# --- pages ---------------------------------------------------------------------------------------

def _notification(user: User, subject: str = "Demande accordée", url: str = "/subsides/demandes/1/",
                  **kwargs: Any) -> Notification:
    return Notification.objects.create(user=user, kind=Kind.DECISION, subject=subject, url=url, **kwargs)


@pytest.mark.django_db
def test_list_shows_own_notifications_unread_first(make_user: Callable[..., User], client: Client) -> None:
    user, other = make_user(), make_user()
    old_unread = _notification(user, "Ancienne non lue", created_at=timezone.now() - timedelta(days=3))
    _notification(user, "Récente lue", read_at=timezone.now())
    _notification(other, "Celle d'un autre")
    sign_in(client, user)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Celle d'un autre" not in content
    assert content.index("Ancienne non lue") < content.index("Récente lue")
    assert response.context["page"][0] == old_unread
    assert "Non lue" in content  # the state is written, not only shown by style
    assert reverse("notifications:mark_read", args=[old_unread.pk]) in content
    assert '<th scope="col">' in content


@pytest.mark.django_db
def test_list_is_paginated(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    Notification.objects.bulk_create([Notification(user=user, kind=Kind.DECISION, subject=f"N{i}")
                                      for i in range(30)])
    sign_in(client, user)
    assert len(client.get(reverse("notifications:list")).context["page"]) == 25
    assert len(client.get(reverse("notifications:list") + "?page=2").context["page"]) == 5


@pytest.mark.django_db
def test_mark_read_follows_the_local_link(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    notification = _notification(user)
    sign_in(client, user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/subsides/demandes/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_mark_read_never_redirects_elsewhere(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    external = _notification(user, url="https://evil.example.org/")
    protocol_relative = _notification(user, url="//evil.example.org/")
    sign_in(client, user)
    for notification in (external, protocol_relative):
        response = client.post(reverse("notifications:mark_read", args=[notification.pk]),
                               {"next": "https://evil.example.org/"})
        assert response["Location"] == reverse("notifications:list")
        notification.refresh_from_db()
        assert notification.read_at is not None


@pytest.mark.django_db
def test_mark_read_and_stay(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    notification = _notification(user)
    sign_in(client, user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]),
                           {"stay": "1", "next": reverse("notifications:list") + "?page=1"})
    assert response["Location"] == reverse("notifications:list") + "?page=1"


@pytest.mark.django_db
def test_mark_read_of_someone_else_is_404(make_user: Callable[..., User], client: Client) -> None:
    user, other = make_user(), make_user()
    foreign = _notification(other)
    sign_in(client, user)
    assert client.post(reverse("notifications:mark_read", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("notifications:mark_read", args=[foreign.pk])).status_code == 405
    foreign.refresh_from_db()
    assert foreign.read_at is None


@pytest.mark.django_db
def test_mark_all_read(make_user: Callable[..., User], client: Client) -> None:
    user, other = make_user(), make_user()
    for i in range(3):
        _notification(user, f"N{i}")
    foreign = _notification(other)
    sign_in(client, user)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert "3 notifications marquées comme lues." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    foreign.refresh_from_db()
    assert foreign.read_at is None


@pytest.mark.django_db
def test_preferences_page(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    sign_in(client, user)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Recevoir aussi par e-mail" in content
    for kind in Kind:
        assert f'id="id_{kind.value}"' in content and f'for="id_{kind.value}"' in content
        assert str(kind.label).replace("'", "&#x27;") in content
    assert content.count("checked") == len(Kind)  # everything by e-mail until the user says otherwise
    keep = {Kind.DECISION.value: "on", Kind.PAYMENT.value: "on"}
    response = client.post(reverse("notifications:preferences"), keep)
    assert response.status_code == 302
    assert email_preferences(user) == {kind: kind in keep for kind in Kind.values}
    assert Preference.objects.filter(user=user).count() == len(Kind)
    assert client.get(reverse("notifications:preferences")).content.decode().count("checked") == 2
    # Unchecking everything is a valid choice too.
    client.post(reverse("notifications:preferences"), {})
    assert not any(email_preferences(user).values())


@pytest.mark.django_db
def test_navigation_shows_the_unread_count(make_user: Callable[..., User], client: Client) -> None:
    user = make_user()
    _notification(user)
    _notification(user)
    _notification(user, read_at=timezone.now())
    sign_in(client, user)
    content = client.get(reverse("notifications:preferences")).content.decode()
    assert f'href="{reverse("notifications:list")}">Notifications (2<span class="visually-hidden"> non lues' in content


@pytest.mark.django_db
def test_context_processor(make_user: Callable[..., User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_notifications(request) == {}
    user = make_user()
    _notification(user)
    request.user = user
    assert unread_notifications(request) == {"nav_unread_notifications": 1}
    rendered = Template("{{ nav_unread_notifications }}").render(Context(unread_notifications(request)))
    assert rendered == "1"


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
