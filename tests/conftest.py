"""Shared test fixtures: the installed `exitcheck` command and the bundled sample data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"


def exitcheck_command() -> list[str]:
    """The console script installed next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "exitcheck"
    if not script.exists():
        raise RuntimeError(f"the exitcheck command is not installed next to {sys.executable}")
    return [str(script)]


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `exitcheck` in a subprocess, capturing text output."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*exitcheck_command(), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def sample_xlsx() -> Path:
    return SAMPLE_DATA / "county_2019.xlsx"
