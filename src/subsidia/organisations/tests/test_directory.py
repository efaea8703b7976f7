from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from subsidia.conftest import ClientResponse
from subsidia.organisations.tests.factories import (
    ContactFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ServiceFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> dict[str, Any]:
    violence = ThemeFactory.create(code="domestic-violence", name="Violence domestique")
    integration = ThemeFactory.create(code="integration", name="Intégration")
    mersch = MunicipalityFactory.create(name="Mersch")
    esch = MunicipalityFactory.create(name="Esch-sur-Alzette")
    fed = OrganisationFactory.create(name="Femmes en détresse", acronym="FED", legal_form="asbl", municipality=esch)
    fed.themes.set([violence])
    asti = OrganisationFactory.create(name="ASTI", legal_form="asbl", municipality=mersch)
    asti.themes.set([integration])
    fondation = OrganisationFactory.create(name="Fondation Pro Familia", legal_form="fondation", municipality=esch)
    fondation.themes.set([violence])
    hidden = OrganisationFactory.create(name="Association cachée", listed_in_directory=False)
    ContactFactory.create(organisation=fed, name="Accueil public", is_public=True)
    ContactFactory.create(organisation=fed, name="Directrice privée", is_public=False)
    ServiceFactory.create(organisation=asti, municipality=esch, name="Guichet Esch")
    return {"fed": fed, "asti": asti, "fondation": fondation, "hidden": hidden, "esch": esch, "mersch": mersch}


def names(response: ClientResponse) -> list[str]:
    return [o.name for o in response.context["page"]]


def test_directory_lists_listed_organisations_only(client: Client, entries: dict[str, Any]) -> None:
    response = client.get(reverse("directory:directory"))
    assert names(response) == ["ASTI", "Femmes en détresse", "Fondation Pro Familia"]


@pytest.mark.parametrize("query, expected", [
    ({"q": "détresse"}, ["Femmes en détresse"]),
    ({"q": "fed"}, ["Femmes en détresse"]),
    ({"theme": "domestic-violence"}, ["Femmes en détresse", "Fondation Pro Familia"]),
    ({"legal_form": "fondation"}, ["Fondation Pro Familia"]),
    ({"theme": "domestic-violence", "legal_form": "asbl"}, ["Femmes en détresse"]),
])
def test_directory_filters(client: Client, entries: dict[str, Any], query: dict[str, str],
                          expected: list[str]) -> None:
    assert names(client.get(reverse("directory:directory"), query)) == expected


def test_municipality_filter_includes_services_run_there(client: Client, entries: dict[str, Any]) -> None:
    response = client.get(reverse("directory:directory"), {"municipality": str(entries["esch"].pk)})
    assert names(response) == ["ASTI", "Femmes en détresse", "Fondation Pro Familia"]
    response = client.get(reverse("directory:directory"), {"municipality": str(entries["mersch"].pk)})
    assert names(response) == ["ASTI"]


def test_directory_shows_public_contacts_only(client: Client, entries: dict[str, Any]) -> None:
    page = client.get(reverse("directory:directory_entry", args=[entries["fed"].pk])).content.decode()
    assert "Accueil public" in page
    assert "Directrice privée" not in page


def test_unlisted_organisation_has_no_public_page(client: Client, entries: dict[str, Any]) -> None:
    assert client.get(reverse("directory:directory_entry", args=[entries["hidden"].pk])).status_code == 404


def test_htmx_request_gets_only_the_results_fragment(client: Client, entries: dict[str, Any]) -> None:
    response = client.get(reverse("directory:directory"), {"q": "ASTI"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and "ASTI" in content


def test_an_invalid_filter_value_is_ignored_not_a_500(client: Client, entries: dict[str, Any]) -> None:
    response = client.get(reverse("directory:directory"), {"municipality": "abc", "legal_form": "nope"})
    assert response.status_code == 200
