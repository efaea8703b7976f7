"""Rate limits on writes: beyond the limit of the window a write answers 429 with Retry-After and stores nothing;
another account from another address is not affected; the next window accepts writes again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.accounts.services import issue_api_token
from subsidia.conftest import ClientResponse, sign_in
from subsidia.core.ratelimit import client_address
from subsidia.events.tests.factories import EventFactory
from subsidia.knowledge.models import NewsItem
from subsidia.moderation.models import Comment
from subsidia.moderation.tests.factories import NewsItemFactory
from subsidia.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def _comment(client: Client, news: NewsItem, body: str, address: str = "192.0.2.10") -> ClientResponse:
    return client.post(reverse("moderation:post", args=["actualite", news.pk]), {"body": body, "next": "/"},
                       REMOTE_ADDR=address)


def test_the_comment_beyond_the_limit_is_refused_and_not_stored(clock: time_machine.Traveller,
                                                                make_user: Callable[..., User],
                                                                settings: Settings) -> None:
    settings.RATE_LIMIT_COMMENTS = "10/m"
    news = NewsItemFactory.create()
    author = sign_in(Client(), make_user())
    for n in range(10):
        assert _comment(author, news, f"Commentaire {n}").status_code == 302
    refused = _comment(author, news, "Le onzième")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Trop de demandes" in refused.content.decode()
    assert Comment.objects.count() == 10
    assert not Comment.objects.filter(body__contains="onzième").exists()

    # Another account, from another address, is not affected.
    other = sign_in(Client(), make_user())
    assert _comment(other, news, "Un autre lecteur", address="198.51.100.7").status_code == 302

    # The same account from another address is still refused: the limit is the account's.
    assert _comment(author, news, "Depuis ailleurs", address="198.51.100.8").status_code == 429

    # After the window, the account may write again.
    clock.shift(61)
    assert _comment(author, news, "Une minute plus tard").status_code == 302
    assert Comment.objects.filter(body="Une minute plus tard").exists()


def test_one_address_is_limited_over_several_accounts(clock: time_machine.Traveller, make_user: Callable[..., User],
                                                      settings: Settings) -> None:
    settings.RATE_LIMIT_COMMENTS_PER_ADDRESS = "3/m"
    news = NewsItemFactory.create()
    for n in range(3):
        assert _comment(sign_in(Client(), make_user()), news, f"Compte {n}").status_code == 302
    assert _comment(sign_in(Client(), make_user()), news, "Compte 4").status_code == 429
    assert _comment(sign_in(Client(), make_user()), news, "Ailleurs", address="203.0.113.5").status_code == 302
    assert Comment.objects.count() == 4


def test_event_registrations_are_limited_per_address(clock: time_machine.Traveller, settings: Settings) -> None:
    settings.RATE_LIMIT_REGISTRATIONS_PER_ADDRESS = "2/m"
    event = EventFactory.create()
    url = reverse("events:register", args=[event.slug])
    client = Client()
    assert client.post(url, {}, REMOTE_ADDR="192.0.2.20").status_code == 422  # counted, even when invalid
    assert client.post(url, {}, REMOTE_ADDR="192.0.2.20").status_code == 422
    refused = client.post(url, {}, REMOTE_ADDR="192.0.2.20")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert client.get(url, REMOTE_ADDR="192.0.2.20").status_code == 200  # reading is never limited
    assert client.post(url, {}, REMOTE_ADDR="192.0.2.21").status_code == 422


def test_sign_ups_are_limited_per_address(clock: time_machine.Traveller, settings: Settings) -> None:
    settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS = "2/h"
    client = Client()
    url = reverse("accounts:signup")
    for _ in range(2):
        assert client.post(url, {"email": "x"}, REMOTE_ADDR="192.0.2.30").status_code != 429
    refused = client.post(url, {"email": "x"}, REMOTE_ADDR="192.0.2.30")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600


def test_api_writes_beyond_the_limit_answer_429_json(clock: time_machine.Traveller, make_user: Callable[..., User],
                                                     settings: Settings) -> None:
    settings.RATE_LIMIT_API_WRITES = "3/m"
    officer = make_user("officer")
    client = Client(headers={"Authorization": f"Bearer {issue_api_token(officer, officer)}"})

    def create(name: str) -> ClientResponse:
        return client.post("/api/v1/organisations", {"name": name, "legal_form": "asbl"},
                           content_type="application/json", REMOTE_ADDR="192.0.2.40")

    for n in range(3):
        assert create(f"Association {n}").status_code == 201
    refused = create("Association de trop")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"errors": [{"code": "rate_limited", "message": refused.json()["errors"][0]["message"],
                                          "field": None}]}
    assert not Organisation.objects.filter(name="Association de trop").exists()
    assert client.get("/api/v1/organisations", REMOTE_ADDR="192.0.2.40").status_code == 200  # reads are not limited
    # A second token of the same account shares the account's limit.
    other_token = Client(headers={"Authorization": f"Bearer {issue_api_token(officer, officer)}"})
    assert other_token.post("/api/v1/organisations", {"name": "Encore", "legal_form": "asbl"},
                            content_type="application/json", REMOTE_ADDR="192.0.2.41").status_code == 429
    clock.shift(61)
    assert create("Association suivante").status_code == 201


def test_limits_can_be_turned_off(clock: time_machine.Traveller, make_user: Callable[..., User],
                                  settings: Settings) -> None:
    settings.RATE_LIMITS_ENABLED = False
    settings.RATE_LIMIT_COMMENTS = "1/m"
    news = NewsItemFactory.create()
    author = sign_in(Client(), make_user())
    assert [_comment(author, news, f"c{n}").status_code for n in range(3)] == [302, 302, 302]


def test_the_client_address_behind_trusted_proxies(rf: RequestFactory, settings: Settings) -> None:
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    settings.RATE_LIMIT_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"  # X-Forwarded-For is not trusted without proxies
    settings.RATE_LIMIT_PROXY_COUNT = 1
    assert client_address(request) == "198.51.100.1"
    ipv6 = rf.post("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    settings.RATE_LIMIT_PROXY_COUNT = 0
    assert client_address(ipv6) == "2001:db8:1:2::/64"
