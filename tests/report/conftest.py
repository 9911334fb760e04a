"""Fixtures for the report tests: the hand-built audit of report_fixtures.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from report_fixtures import build_result

from exitcheck.engine.result import AuditResult


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "county_2019.xlsx"
    path.write_bytes(b"PK\x03\x04 placeholder input")
    return path


@pytest.fixture
def make_result(input_file: Path) -> Callable[..., AuditResult]:
    """Factory: ``make_result()`` is the full audit; ``make_result([...])`` a variant."""

    def make(findings: list[dict[str, object]] | None = None) -> AuditResult:
        return build_result(input_file, findings)

    return make


@pytest.fixture
def result(make_result: Callable[..., AuditResult]) -> AuditResult:
    return make_result()
