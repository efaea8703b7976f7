"""Error codes are enums with one spelling across domains, and the API's error schema lists them all."""

from __future__ import annotations

from enum import StrEnum

import pytest

from subsidia.core.errors import Code, all_codes, error_codes


def test_a_code_spelled_by_two_enums_is_refused() -> None:
    class Clash(StrEnum):
        MINE = "mine_only_here"
        STALE = Code.STALE_VERSION.value

    with pytest.raises(ValueError, match="stale_version"):
        error_codes(Clash)
    assert "mine_only_here" not in all_codes()


def test_every_shared_code_is_listed_once_sorted() -> None:
    codes = all_codes()
    assert codes == sorted(set(codes))
    assert {c.value for c in Code} <= set(codes)
