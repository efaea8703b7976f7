"""Access-matrix rows of this app's pages (see core/tests/test_access_matrix.py)."""

from subsidia.core.tests.access import Row

PAGES: dict[str, Row] = {}
