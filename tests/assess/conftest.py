"""Fixtures of the assessor-toolkit tests: the installed command and the bundled samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import SAMPLE_DATA, run_cli


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def county_xlsx() -> Path:
    return SAMPLE_DATA / "county_2019.xlsx"


@pytest.fixture(scope="session")
def monitoring_xlsx() -> Path:
    return SAMPLE_DATA / "monitoring_2023.xlsx"
