"""OpenDocument (.ods) exports read like the same county as .xlsx (python-calamine reads both).

The .ods fixture is committed (tests/io/data/make_ods.py made it with LibreOffice from the same
generated county that is written as xlsx here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from io_helpers import ODS_COUNTY, ODS_HOUSEHOLDS, ODS_SEED

from cli_runner import run_cli
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save
from exitcheck.schema.loader import load_registry

ODS = Path(__file__).resolve().parent / "data" / "county_ods.ods"


@pytest.fixture(scope="module")
def same_county_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame, truth = generate_county(ODS_HOUSEHOLDS, seed=ODS_SEED, county_code=ODS_COUNTY)
    return save(frame, truth, tmp_path_factory.mktemp("ods") / "county_ods.xlsx")


def test_ods_loads_like_the_same_xlsx(same_county_xlsx: Path) -> None:
    ods, xlsx = load_registry([ODS]), load_registry([same_county_xlsx])
    a, b = ods.inputs[0], xlsx.inputs[0]
    assert (a.sheet, a.title_rows, a.header_rows, a.rows_read, a.member_rows, a.skipped) == (
        b.sheet, b.title_rows, b.header_rows, b.rows_read, b.member_rows, b.skipped)
    assert a.mapping == b.mapping  # two-row merged header joined the same way
    pd.testing.assert_frame_equal(ods.members, xlsx.members)
    pd.testing.assert_frame_equal(ods.households, xlsx.households)
    issues = ["kind", "field", "household_id", "member_id", "_row"]
    pd.testing.assert_frame_equal(ods.issues[issues].reset_index(drop=True),
                                  xlsx.issues[issues].reset_index(drop=True))
    assert "id_stored_as_number" in set(ods.issues["kind"])  # a numeric cell stays a number


def test_audit_of_ods_reports_the_same_findings(tmp_path: Path, same_county_xlsx: Path) -> None:
    def findings(path: Path) -> list[tuple[str, str, str, str]]:
        res = run_cli("audit", path, "--format", "json", "--no-excel", cwd=tmp_path)
        assert res.returncode == 1, res.stderr  # the generated county has failing households
        report = json.loads(res.stdout)
        assert report["inputs"][0]["reader"] == "calamine"
        return sorted((f["rule"], f["household_id"], f["status"], f["location"])
                      for f in report["findings"])

    got = findings(ODS)
    assert got == findings(same_county_xlsx)
    assert any(rule == "INC001" for rule, *_ in got)
