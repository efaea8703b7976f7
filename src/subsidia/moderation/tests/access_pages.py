"""Access-matrix rows (see core/tests/test_access_matrix.py)."""

from __future__ import annotations

from subsidia.core.tests.access import Row

PAGES: dict[str, Row] = {}
