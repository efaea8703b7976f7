"""Access-matrix rows of the search API (see core/tests/test_access_matrix.py).

The matrix calls ``GET /search`` without ``q``: every caller, anonymous included, gets past the access check and
is answered 422 (``q`` is required), never 401 or 403: the operation is public. Its answers with a query are
tested in test_search_api.py."""

from __future__ import annotations

from subsidia.core.tests.access import EVERYONE, Row

API: dict[tuple[str, str], Row] = {
    ("GET", "/search"): Row(EVERYONE, ok=422),
}
