"""The ``fuzz`` marker: the schemathesis run (test_fuzz.py) takes minutes, so it runs only when asked for with
``-m fuzz`` (its own make target), never as part of the ordinary suite."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: schemathesis over the OpenAPI schema; runs only with -m fuzz")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "fuzz" in (config.getoption("markexpr", "") or "") and "not fuzz" not in config.getoption("markexpr", ""):
        return
    skip = pytest.mark.skip(reason="the fuzzing runs with -m fuzz (make test-fuzz)")
    for item in items:
        if item.get_closest_marker("fuzz"):
            item.add_marker(skip)
