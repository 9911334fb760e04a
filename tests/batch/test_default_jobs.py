"""--jobs by default: the usable cores, capped so the workers' estimated memory fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from exitcheck.batch import runner
from exitcheck.batch.units import Unit


def _unit(tmp_path: Path, name: str, mib: float) -> Unit:
    path = tmp_path / name
    path.write_bytes(b"\0" * int(mib * 2**20))
    return Unit(name=path.stem, paths=(path,), origin="file")


def test_estimate_per_format(tmp_path: Path) -> None:
    assert runner.estimate_unit_mib(_unit(tmp_path, "a.parquet", 2)) == pytest.approx(300 + 160)
    assert runner.estimate_unit_mib(_unit(tmp_path, "b.xlsx", 2)) == pytest.approx(300 + 80)


def test_jobs_capped_by_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    units = [_unit(tmp_path, f"{i}.parquet", 10) for i in range(8)]  # ~1100 MiB each
    monkeypatch.setattr(runner, "usable_cores", lambda: 8)
    monkeypatch.setattr(runner, "available_mib", lambda: 4000.0)
    jobs, why = runner.default_jobs(units)
    assert jobs == 2  # 0.8 x 4000 MiB holds two of them
    assert "per-unit≈1100 MiB" in why
    monkeypatch.setattr(runner, "available_mib", lambda: None)  # not Linux: cores only
    assert runner.default_jobs(units)[0] == 8
    assert runner.default_jobs(units[:3])[0] == 3  # never more workers than units
