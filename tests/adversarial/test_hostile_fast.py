"""The fast part of the adversarial suite: every class of hostile input, a few cases each,
run through the real command (forked from a warm process); each case must keep every promise
(harness.check). The long run is benchmarks/fuzz_hostile.py (docs/ROBUSTNESS.md)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import harness
import hostile
import pytest

# Classes whose files fail at the read stage are cheap: two seeds each; the others one.
CHEAP = ["zip_truncate", "zip_bitflip", "zip_bad_central_directory", "zip_odd_version",
         "zip_bomb", "xlsx_far_cell", "xlsx_bad_reference", "xlsx_sst_out_of_range",
         "xlsx_entities", "xls_biff_mutation", "ods_mutation"]
FULL = ["xlsx_huge_dimension", "csv_hostile", "cells_hostile", "privacy"]
CASES = [(c, s) for c in CHEAP for s in (1, 2)] + [(c, 1) for c in FULL] + [
    ("csv_hostile", s) for s in (2, 3, 4, 5)]


def _check(case: hostile.Case, out: Path) -> harness.Check:
    hashes = {p: harness.sha256(p) for p in case.inputs}
    outcome = harness.run_forked(harness.audit_args(case.inputs, out, case.extra_args), out,
                                 timeout=60, mem_limit_mb=3072)
    return harness.check(outcome, case.inputs, hashes, out, identifiers=case.identifiers,
                         expect=case.expect)


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    return inputs, out


@pytest.mark.parametrize("cls, seed", CASES)
def test_hostile_class(warm: Path, tmp_path: Path, cls: str, seed: int) -> None:
    inputs, out = _dirs(tmp_path)
    case = hostile.CLASSES[cls](inputs, random.Random(seed))
    result = _check(case, out)
    assert result.ok, result.details


@pytest.mark.parametrize("kind", [k for k in hostile.PARQUET_KINDS if k != "year"])
def test_hostile_parquet(warm: Path, tmp_path: Path, kind: str) -> None:
    inputs, out = _dirs(tmp_path)
    result = _check(hostile.parquet_hostile(inputs, random.Random(1), kind), out)
    assert result.ok, result.details


def test_year_20190_is_not_an_internal_error(warm: Path, tmp_path: Path) -> None:
    inputs, out = _dirs(tmp_path)
    result = _check(hostile.parquet_hostile(inputs, random.Random(1), "year"), out)
    assert result.ok, result.details


def test_mutated_sample_bytes(warm: Path, tmp_path: Path) -> None:
    """A few byte mutations of the bundled sample (the long run does 1,000 with hypothesis)."""
    sample = hostile.SAMPLE_XLSX.read_bytes()
    rng = random.Random(12)
    for k in range(6):
        inputs, out = tmp_path / f"in{k}", tmp_path / f"out{k}"
        inputs.mkdir()
        out.mkdir()
        data = bytearray(sample)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = inputs / "county_2019.xlsx"
        path.write_bytes(bytes(data))
        result = _check(hostile.Case([path]), out)
        assert result.ok, (k, result.details)
        shutil.rmtree(out)
