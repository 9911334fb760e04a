"""`exitcheck demo-data` replaces `exitcheck sample` (hidden alias kept for one release)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_demo_data_and_hidden_alias(cli, tmp_path: Path) -> None:
    top = cli("--help")
    assert "demo-data" in top.stdout and "draw" in top.stdout and "estimate" in top.stdout
    assert "exit-rates" in top.stdout
    assert not any(line.strip().startswith("sample ") for line in top.stdout.splitlines())
    new = cli("demo-data", "--households", "12", "--seed", "3", "-o", tmp_path / "a.xlsx")
    assert new.returncode == 0, new.stderr
    old = cli("sample", "--households", "12", "--seed", "3", "-o", tmp_path / "b.xlsx")
    assert old.returncode == 0, old.stderr
    assert "demo-data" in old.stderr  # the alias says the new name
    assert (tmp_path / "a.xlsx").stat().st_size > 0 and (tmp_path / "b.xlsx").exists()
