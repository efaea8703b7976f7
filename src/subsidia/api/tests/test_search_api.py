"""GET /api/v1/search: the public search as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from subsidia.search.tests.conftest import corpus  # noqa: F401 - the fixed corpus fixture

from .helpers import auth, call, codes, fields

pytestmark = pytest.mark.django_db


def test_anyone_searches(corpus: dict[str, Any], client: Client) -> None:  # noqa: F811
    response = call(client, "GET", "/search?q=integration")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and body["page"] == 1
    first = body["items"][0]
    assert set(first) >= {"kind", "title", "url", "snippet", "date"}
    assert (first["kind"], first["title"], first["date"]) == ("good_practice", "Plan communal d'intégration",
                                                              "2017-02-11")
    assert first["url"] == f"http://testserver/bonnes-pratiques/{corpus['practice'].slug}/"
    # The practice's text as written (lower case "intégrer"), each form of the stem marked, the rest escaped.
    assert first["snippet"] == ("La commune veut <mark>intégrer</mark> chaque habitant ; "
                                "l&#x27;<mark>intégration</mark> passe aussi par le logement.")
    assert [i["kind"] for i in body["items"]] == ["good_practice", "event", "organisation"]


def test_filter_by_type_and_page(corpus: dict[str, Any], client: Client, make_user: Any) -> None:  # noqa: F811
    response = call(client, "GET", "/search?q=associations&type=faq", headers=auth(make_user()))
    assert response.status_code == 200
    assert [i["title"] for i in response.json()["items"]] == ["Comment une association peut-elle demander un subside ?"]
    assert call(client, "GET", "/search?q=associations&page=2").json()["items"] == []


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=" + "x" * 201, "q=logement&type=nope", "q=a&page=0"])
def test_a_missing_blank_or_too_long_query_is_refused(client: Client, query: str) -> None:
    response = call(client, "GET", f"/search?{query}")
    assert response.status_code == 422
    assert codes(response) and fields(response) <= {"q", "type", "page"}


def test_only_common_words_find_nothing(corpus: dict[str, Any], client: Client) -> None:  # noqa: F811
    response = call(client, "GET", "/search?q=le%20la")
    assert response.status_code == 200 and response.json()["total"] == 0
