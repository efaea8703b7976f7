""""Organisation conventionnée": derived from the conventions in force today (never stored), shown on the
public directory (with a filter) and on the organisation's page; the conventions' references only to those
who may open them."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidia.accounts.models import User
from subsidia.conftest import ClientResponse
from subsidia.conventions.tests.factories import ConventionDomainFactory, ConventionFactory
from subsidia.organisations.models import Organisation
from subsidia.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
BADGE = "Organisation conventionnée"


def page(response: ClientResponse) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def organisations(org_a: Organisation, org_b: Organisation) -> dict[str, Any]:
    """A: a convention in force today; B: one that ended last year; C: a draft only."""
    today = timezone.localdate()
    in_force = ConventionFactory.create(organisation=org_a, reference="CONV-EN-VIGUEUR", signed_on=date(2020, 1, 1),
                                        starts_on=date(today.year - 1, 1, 1), ends_on=date(today.year + 1, 12, 31))
    ConventionDomainFactory.create(convention=in_force)
    ConventionFactory.create(organisation=org_b, reference="CONV-TERMINEE", signed_on=date(2020, 1, 1),
                             starts_on=date(today.year - 3, 1, 1), ends_on=date(today.year - 1, 12, 31))
    org_c = OrganisationFactory.create(name="Association C")
    ConventionFactory.create(organisation=org_c, reference="CONV-PROJET", starts_on=today - timedelta(days=10),
                             ends_on=today + timedelta(days=300))
    return {"a": org_a, "b": org_b, "c": org_c, "convention": in_force}


def entry(client: Client, organisation: Organisation) -> str:
    return page(client.get(reverse("directory:directory_entry", args=[organisation.pk])))


def test_the_directory_marks_conventioned_organisations(client: Client, organisations: dict[str, Any]) -> None:
    text = page(client.get(reverse("directory:directory")))
    assert text.count(BADGE) == 1
    before_b = text.split("Association B")[0]
    assert BADGE in before_b.split("Association A")[1]  # on A's card, not B's or C's


def test_the_directory_filters_conventioned_organisations(client: Client, organisations: dict[str, Any]) -> None:
    response = client.get(reverse("directory:directory"), {"conventioned": "on"})
    assert [o.name for o in response.context["page"]] == ["Association A"]
    assert 'name="conventioned"' in page(response) and "Conventionnées seulement" in page(response)
    everyone = client.get(reverse("directory:directory"))
    assert {"Association A", "Association B", "Association C"} <= {o.name for o in everyone.context["page"]}


def test_the_public_entry_says_conventionnee_without_the_references(client: Client,
                                                                    organisations: dict[str, Any]) -> None:
    text = entry(client, organisations["a"])
    assert BADGE in text and "CONV-EN-VIGUEUR" not in text
    assert BADGE not in entry(client, organisations["b"])  # ended
    assert BADGE not in entry(client, organisations["c"])  # never signed


def test_staff_see_the_references_in_force(client: Client, login: Callable[..., Client], make_user: Callable[..., User],
                                           organisations: dict[str, Any]) -> None:
    officer = make_user("officer")
    client = login(officer)
    text = entry(client, organisations["a"])
    detail_url = reverse("conventions:detail", args=[organisations["convention"].pk])
    assert BADGE in text and "CONV-EN-VIGUEUR" in text and detail_url in text
    detail = page(client.get(reverse("organisations:detail", args=[organisations["a"].pk])))
    assert BADGE in detail and "CONV-EN-VIGUEUR" in detail and detail_url in detail
    detail_b = page(client.get(reverse("organisations:detail", args=[organisations["b"].pk])))
    assert BADGE not in detail_b and "CONV-TERMINEE" not in detail_b


def test_partners_see_their_own_references_only(client: Client, login: Callable[..., Client],
                                                make_user: Callable[..., User], organisations: dict[str, Any]) -> None:
    own = login(make_user("partner_member", organisation=organisations["a"]))
    assert "CONV-EN-VIGUEUR" in page(own.get(reverse("organisations:detail", args=[organisations["a"].pk])))
    other = login(make_user("partner_admin", organisation=organisations["b"]))
    text = entry(other, organisations["a"])
    assert BADGE in text and "CONV-EN-VIGUEUR" not in text


def test_a_termination_ends_the_mention(client: Client, organisations: dict[str, Any]) -> None:
    convention = organisations["convention"]
    convention.terminated_on = timezone.localdate()
    convention.termination_reason = "Fin des activités"
    convention.save()
    assert BADGE not in entry(client, organisations["a"])
