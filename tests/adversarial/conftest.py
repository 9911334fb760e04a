"""Adversarial suite: hostile inputs run through the real command (see harness.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder carries the `adversarial` marker (declared in pyproject.toml)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.adversarial)


@pytest.fixture(scope="session")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warmed-up parent for forked runs (imports done, rule files parsed once)."""
    import harness

    work = tmp_path_factory.mktemp("warm")
    harness.warm_up(work)
    return work
