"""The overlap keys counted through hash buckets (a nation's keys do not fit at once) are the
keys counted in memory: shared across units, never within one unit."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exitcheck.batch import overlap


def _unit(tmp: Path, index: int, households: list[str], persons: list[str]) -> SimpleNamespace:
    path = tmp / f"{index}.keys.parquet"
    pq.write_table(pa.table({
        "kind": ["household"] * len(households) + ["person"] * len(persons),
        "key": households + persons,
    }), path)
    return SimpleNamespace(index=index, keys=str(path))


@pytest.mark.parametrize("per_bucket", [1_000_000, 3, 1])
def test_bucketed_count_equals_the_in_memory_count(tmp_path: Path, per_bucket: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overlap, "KEYS_PER_BUCKET", per_bucket)
    ids = [f"5116021990010{i:04d}X" for i in range(40)]
    units = [
        _unit(tmp_path, 0, ["h1", "h2", "h3", "h3"], ids[:10] + ids[:2]),  # twice in one unit
        _unit(tmp_path, 1, ["h3", "h4"], ids[8:20]),
        _unit(tmp_path, 2, ["h2", "h5"], ids[19:30]),
        SimpleNamespace(index=3, keys=None),  # a unit that could not be read
    ]
    households, persons = overlap._shared_keys(units)
    assert sorted(households.to_pylist()) == ["h2", "h3"]
    assert sorted(persons.to_pylist()) == sorted(ids[8:10] + ids[19:20])
    assert list(tmp_path.glob(".keys-*")) == []  # the buckets are removed


def test_no_keys_no_overlap(tmp_path: Path) -> None:
    households, persons = overlap._shared_keys([SimpleNamespace(index=0, keys=None)])
    assert len(households) == 0 and len(persons) == 0
