import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_every_static_file_the_layout_references_exists(client: Client) -> None:
    page = client.get("/").content.decode()
    paths = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert "subsidia/js/htmx.min.js" in paths and "subsidia/css/subsidia.css" in paths
    for path in paths:
        assert finders.find(path), f"missing static file {path}"


def test_htmx_is_vendored_not_loaded_from_a_cdn(client: Client) -> None:
    found = finders.find("subsidia/js/htmx.min.js")
    assert found
    with open(found, encoding="utf-8") as handle:
        assert "htmx" in handle.read(2000)
