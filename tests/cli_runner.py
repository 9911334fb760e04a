"""Run the installed `exitcheck` in a subprocess as a user would (conftest and e2e tests).

A plain module rather than a conftest import: several conftest.py files exist, so `conftest` is
not importable by name. tests/ is on sys.path because tests/conftest.py lives there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"


def exitcheck_command() -> list[str]:
    """The console script installed next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "exitcheck"
    if not script.exists():
        raise RuntimeError(f"the exitcheck command is not installed next to {sys.executable}")
    return [str(script)]


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None,
            timeout: float = 300, columns: int = 120) -> subprocess.CompletedProcess[str]:
    """Run `exitcheck ARGS...`, capturing text output (no colour, ``columns`` wide)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*exitcheck_command(), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=timeout,
    )
