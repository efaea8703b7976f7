"""WCAG 2.1 AA in a real browser on the pages the security controls added: « Confirmez votre identité » (empty and
with its error), the page of a throttled password reset, the 429 page of a rate limit and the 503 page shown
while the database is unreachable. The same checks as test_browser_accessibility.py: no JavaScript or console
error, no failed request to the site's own files, no axe-core violation, and no horizontal scroll at 320 px."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from pytest_django import Settings

from subsidia.accounts.models import User
from subsidia.organisations.tests.factories import OrganisationFactory

from .test_browser_accessibility import (  # noqa: F401 (chromium and open_page are fixtures)
    Watched,
    _horizontal_overflow,
    chromium,
    open_page,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _status_page(watched: Watched, path: str, status: int) -> None:
    response = watched.page.goto(watched.base_url + path)
    assert response is not None and response.status == status, f"GET {path}: {response and response.status}"


def _expected_status(watched: Watched, status: int) -> None:
    """Chromium reports a page answered with an error status on the console: that one is what is tested."""
    watched.errors[:] = [e for e in watched.errors if f"status of {status} " not in e]


def _accessible_at_both_widths(watched: Watched, status: int | None = None) -> None:
    if status is not None:
        _expected_status(watched, status)
    watched.assert_accessible()
    watched.page.set_viewport_size({"width": 320, "height": 720})
    assert not _horizontal_overflow(watched.page), f"{watched.page.url} scrolls sideways at 320 px"


def test_the_reauthentication_page_and_its_error(open_page: Callable[..., Watched],  # noqa: F811
                                                 make_user: Callable[..., User]) -> None:
    user = make_user("partner_admin", organisation=OrganisationFactory.create())
    watched = open_page()
    sign_in(watched, user)
    watched.goto("/compte/confirmer/?next=/tableau-de-bord/")
    assert watched.page.locator("h1").inner_text().strip().startswith("Confirmez votre identité")
    watched.assert_accessible()
    watched.page.fill("input[name=password]", "not-the-password")
    with watched.page.expect_navigation():
        watched.page.click("main form button[type=submit]")
    assert watched.page.get_by_text("Mot de passe incorrect.").count() >= 1
    _accessible_at_both_widths(watched)


def test_the_throttled_password_reset_page(open_page: Callable[..., Watched], settings: Settings) -> None:  # noqa: F811
    settings.PASSWORD_RESET_PER_ADDRESS = 1
    watched = open_page()
    for attempt in range(2):
        watched.goto("/compte/mot-de-passe/oubli/")
        watched.page.fill("input[name=email]", f"someone{attempt}@example.org")
        with watched.page.expect_navigation() as navigation:
            watched.page.click("main form button[type=submit]")
    response = navigation.value
    assert response is not None and response.status == 429
    _accessible_at_both_widths(watched, 429)


def test_the_rate_limit_page(open_page: Callable[..., Watched], settings: Settings) -> None:  # noqa: F811
    settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS = "1/h"
    watched = open_page()
    statuses = []
    for attempt in range(2):
        watched.goto("/compte/inscription/")
        form = watched.page.locator("main form").first
        for field in form.locator("input[type=email]").all():
            field.fill(f"new{attempt}@example.org")
        for field in form.locator("input[type=text]").all():
            field.fill("Camille Test")
        for field in form.locator("input[type=password]").all():
            field.fill("un-mot-de-passe-solide-2026")
        for box in form.locator("input[type=checkbox]").all():
            box.check()
        with watched.page.expect_navigation() as navigation:
            form.locator("button[type=submit]").click()
        statuses.append(navigation.value.status if navigation.value else None)
    assert statuses[-1] == 429, statuses
    assert navigation.value is not None and "retry-after" in navigation.value.headers
    _accessible_at_both_widths(watched, 429)


@contextmanager
def _database_down() -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused (test)")

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse), \
            mock.patch.object(BaseDatabaseWrapper, "cursor", refuse):
        yield


def test_the_service_unavailable_page(open_page: Callable[..., Watched]) -> None:  # noqa: F811
    watched = open_page()
    with _database_down():
        _status_page(watched, "/annuaire/", 503)
        _accessible_at_both_widths(watched, 503)
