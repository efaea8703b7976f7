"""Access-matrix rows of the API (see core/tests/test_access_matrix.py)."""

from __future__ import annotations

from subsidia.core.tests.access import Row

API: dict[str, Row] = {}
