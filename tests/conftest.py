"""Shared test fixtures: the installed `exitcheck` command and the bundled sample data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import SAMPLE_DATA, run_cli


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def sample_xlsx() -> Path:
    return SAMPLE_DATA / "county_2019.xlsx"
