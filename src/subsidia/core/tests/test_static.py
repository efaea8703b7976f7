"""Static files: the layout's files exist, and every page loads its code and styles from this site."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from subsidia.accounts.models import User
from subsidia.conftest import sign_in
from subsidia.organisations.models import Organisation


@pytest.mark.django_db
def test_every_static_file_the_layout_references_exists(client: Client) -> None:
    page = client.get("/").content.decode()
    paths = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert "subsidia/js/htmx.min.js" in paths and "subsidia/css/subsidia.css" in paths
    for path in paths:
        assert finders.find(path), f"missing static file {path}"


class _Assets(HTMLParser):
    """The addresses a page loads code and styles from: every ``<script src>`` and ``<link href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.found.append((tag, value))


def _assets(html: str) -> list[tuple[str, str]]:
    parser = _Assets()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
def test_htmx_is_vendored_not_loaded_from_a_cdn(client: Client, make_user: Callable[..., User],
                                                org_a: Organisation) -> None:
    """Real pages of each audience (public, partner, staff): every script and stylesheet comes from this
    site, and htmx from its own static files, which exist and are htmx."""
    pages = {
        None: ["/", reverse("directory:directory"), reverse("grants:call_list")],
        make_user("partner_admin", organisation=org_a): [
            reverse("core:partner_dashboard"), reverse("organisations:detail", kwargs={"pk": org_a.pk})],
        make_user("officer"): [reverse("core:staff_dashboard"), reverse("grants:queue")],
    }
    htmx = f"{settings.STATIC_URL}subsidia/js/htmx.min.js"
    for user, paths in pages.items():
        browser = Client() if user is None else sign_in(Client(), user)
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            assets = _assets(response.content.decode())
            assert ("script", htmx) in assets, f"{path} does not load htmx from the static files: {assets}"
            for tag, url in assets:
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc and url.startswith("/"), \
                    f"{path} loads <{tag}> from another origin: {url}"
                if url.startswith(settings.STATIC_URL):
                    assert finders.find(parts.path.removeprefix(settings.STATIC_URL)), f"{path}: missing {url}"
    found = finders.find("subsidia/js/htmx.min.js")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as handle:
        head = handle.read(2000)
    assert "htmx" in head and "<html" not in head.lower()  # the library itself, not a saved error page
