"""Access-matrix rows of the grants API (see core/tests/test_access_matrix.py)."""

from subsidia.core.tests.access import Row

API: dict[tuple[str, str], Row] = {}
