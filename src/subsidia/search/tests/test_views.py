"""The public search page /recherche/."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from subsidia.search import index

from . import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("search:search")


def test_the_page_without_a_query_invites_to_search(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and '<label for="id_q">' in html
    assert "Saisissez un ou plusieurs mots" in html
    assert html.count("<h1") == 1


def test_results_are_ranked_filtered_and_highlighted(corpus: dict[str, Any], client: Client) -> None:
    response = client.get(URL, {"q": "integration"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 résultats pour « integration »" in html
    assert html.index("Plan communal d&#x27;<mark>intégration</mark>") < html.index(
        "Conférence nationale sur l&#x27;<mark>intégration</mark> locale")
    assert f'href="/bonnes-pratiques/{corpus["practice"].slug}/"' in html
    assert "Tous les types (3)" in html and "Événement (1)" in html and "Actualité (0)" in html
    assert 'href="/recherche/?q=integration&amp;type=event"' in html

    filtered = client.get(URL, {"q": "integration", "type": "event"}).content.decode()
    assert "1 résultat pour « integration » (Événement)" in filtered
    assert "Plan communal" not in filtered
    assert 'aria-current="page" class="current">Événement (1)' in filtered


def test_no_results_come_with_suggestions(corpus: dict[str, Any], client: Client) -> None:
    html = client.get(URL, {"q": "logement xylophone"}).content.decode()
    assert "Aucun résultat pour « logement xylophone »" in html
    assert 'href="/recherche/?q=logement"' in html and "Chercher seulement « logement » (2 résultats)" in html
    assert 'href="/annuaire/"' in html and 'href="/subsides/appels/"' in html

    html = client.get(URL, {"q": "le la"}).content.decode()
    assert "ne contient que des mots trop courants" in html


def test_the_query_is_escaped(client: Client) -> None:
    html = client.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_too_long_query_is_a_form_error(client: Client) -> None:
    response = client.get(URL, {"q": "x" * 201})
    assert response.status_code == 422
    assert "Le formulaire contient une erreur" in response.content.decode()
    assert client.get(URL, {"q": "logement", "type": "nope"}).status_code == 422


def test_pagination_links(client: Client) -> None:
    for n in range(25):
        f.faq(f"Question {n} sur le logement", day=date(2024, 1, 1 + n))
    index.rebuild()
    html = client.get(URL, {"q": "logement"}).content.decode()
    assert "Page 1 sur 2" in html and 'href="/recherche/?q=logement&amp;page=2"' in html
    html = client.get(URL, {"q": "logement", "page": "2"}).content.decode()
    assert 'start="21"' in html and "Question 0 sur le <mark>logement</mark>" in html and "Page précédente" in html
    assert client.get(URL, {"q": "logement", "page": "abc"}).status_code == 200
    last = client.get(URL, {"q": "logement", "page": "99"}).content.decode()
    assert "Question 0 sur le <mark>logement</mark>" in last


def test_the_search_box_partial(rf: Any) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("search/_search_box.html", request=request)
    assert 'role="search"' in html and 'action="/recherche/"' in html
    assert '<label for="site-search-q"' in html and 'id="site-search-q"' in html
