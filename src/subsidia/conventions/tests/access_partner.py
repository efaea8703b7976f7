"""Access-matrix rows (see core/tests/test_access_matrix.py); filled in with the pages or API operations."""

from subsidia.core.tests.access import Row

PAGES: dict[str, Row] = {}
API: dict[tuple[str, str], Row] = {}
