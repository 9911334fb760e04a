"""Options a batch passes to every unit as a single audit applies them: --allow-incomplete, and
the 明细 limit (EXITCHECK_DETAIL_LIMIT) of each unit's workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cli_runner import run_cli
from exitcheck.report.detail import DETAIL_LIMIT_ENV
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

SCOPE = ("--year", "2019", "--region", "51")


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("units")
    out: dict[str, Any] = {"folder": folder, "heads": []}
    (folder / "heads").mkdir()
    for i, code in enumerate(("511602", "511603")):
        frame, truth = generate_county(20, seed=50 + i, county_code=code)
        out[code] = save(frame, truth, folder / f"{code}.csv")
        # One row per household (the head's): no member rows, so EDU and MED decide nothing.
        rows = pd.read_csv(out[code], dtype=str, encoding="gb18030", keep_default_na=False)
        heads = folder / "heads" / f"h{code}.csv"
        rows.drop_duplicates("户编号").to_csv(heads, index=False, encoding="gb18030")
        out["heads"].append(heads)
    return out


def test_allow_incomplete_reaches_every_unit(counties: dict[str, Any], tmp_path: Path) -> None:
    args = ("audit", *counties["heads"], *SCOPE, "--select", "EDU,MED", "--no-excel",
            "--format", "json")
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 5, res.stderr
    report = json.loads(res.stdout)
    assert [u["exit_code"] for u in report["units"]] == [5, 5]
    ok = run_cli(*args, "--allow-incomplete", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert [u["exit_code"] for u in json.loads(ok.stdout)["units"]] == [0, 0]


def test_unit_workbooks_name_the_findings_file_above_the_limit(
        counties: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DETAIL_LIMIT_ENV, "5")
    out = tmp_path / "out"
    res = run_cli("audit", counties["511602"], counties["511603"], *SCOPE, "--out-dir", out,
                  "--json", out / "r.json", cwd=tmp_path)
    assert res.returncode in (0, 1), res.stderr
    report = json.loads((out / "r.json").read_text("utf-8"))
    findings = pq.read_table(out / "汇总_核查结果_明细.parquet")
    for unit in report["units"]:
        assert unit["findings"] > 5
        book = openpyxl.load_workbook(unit["workbook"], read_only=True)
        rows = list(book["明细"].iter_rows(values_only=True))
        assert len(rows) == 1 and "汇总_核查结果_明细.parquet" in str(rows[0][0])
        # The unit's findings are all in the roll-up's findings file, under its label.
        mine = [u for u in findings["unit"].to_pylist() if u == unit["label"]]
        assert len(mine) == unit["findings"]
    assert findings.num_rows == report["summary"]["findings"]
