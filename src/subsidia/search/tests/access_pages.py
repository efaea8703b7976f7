"""Access-matrix rows (see core/tests/test_access_matrix.py): the search page is public."""

from __future__ import annotations

from subsidia.core.tests.access import EVERYONE, Row

PAGES: dict[str, Row] = {
    "search:search": Row(EVERYONE),
}
