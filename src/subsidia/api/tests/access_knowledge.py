"""Access-matrix rows of the knowledge base's API (see core/tests/test_access_matrix.py): public and read
only, for everyone, signed in or not."""

from __future__ import annotations

from subsidia.core.tests.access import EVERYONE, Row

API: dict[tuple[str, str], Row] = {
    ("GET", "/good-practices"): Row(EVERYONE),
    ("GET", "/good-practices/{good_practice_id}"): Row(
        EVERYONE, kwargs=lambda w: {"good_practice_id": w["knowledge"]["practice"].pk}),
    ("GET", "/faq"): Row(EVERYONE),
    ("GET", "/news"): Row(EVERYONE),
    ("GET", "/news/{news_id}"): Row(EVERYONE, kwargs=lambda w: {"news_id": w["knowledge"]["news"].pk}),
}
