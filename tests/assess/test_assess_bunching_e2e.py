"""`exitcheck bunching` end to end on a generated county with smooth incomes and planted
bunching just above the line in three of six villages (exitcheck.sample.bunching)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from diff_data import bunched
from rich.cells import cell_len

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return bunched(tmp_path_factory.mktemp("bunching"))


def test_bunching_flags_planted_villages_not_controls(cli, county, tmp_path: Path) -> None:
    path, info = county
    book, js = tmp_path / "b.xlsx", tmp_path / "b.json"
    res = cli("bunching", path, "-o", book, "--json", js, "--fail-flagged", cwd=tmp_path)
    assert res.returncode == 1, res.stderr  # --fail-flagged: planted villages are flagged
    for line in res.stdout.splitlines():  # the terminal summary fits 80 columns
        if not line.lstrip().startswith(("excel:", "json:")):
            assert cell_len(line.rstrip()) <= 80, line
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["line"] == info["line"] and data["line_param"] == "exit_income_line"
    villages = {(p["township"], p["village"]): p for p in data["places"]
                if p["level"] == "village"}
    assert set(villages) == {tuple(v) for v in info["planted"] + info["controls"]}
    flagged = {k for k, p in villages.items() if p["verdict"] == "flagged"}
    assert flagged == {tuple(v) for v in info["planted"]}

    # Counts re-derived here from the CSV the command read: households just above the line.
    raw = pd.read_csv(path, dtype=str, encoding="gb18030")
    raw = raw[raw["户编号"].fillna("").str.fullmatch(r"\d+")].drop_duplicates("户编号")
    ratio = pd.to_numeric(raw["人均纯收入（元）"]) / info["line"]
    window = data["parameters"]["bunching_window"]
    for (town, village), place in villages.items():
        mine = ratio[(raw["乡(镇)"] == town) & (raw["村"] == village)]
        assert place["above"] == int(((mine >= 1) & (mine < 1 + window)).sum())
        assert place["below"] == int(((mine >= 1 - window) & (mine < 1)).sum())
        assert sum(place["counts"]) == place["households"]
    pushed = sum(villages[tuple(v)]["excess"] for v in info["planted"])
    assert pushed == pytest.approx(info["pushed_households"], rel=0.35)

    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:3] == ["收入聚集", "分组计数", "聚集图"]
    table = list(wb["收入聚集"].iter_rows(min_row=4, values_only=True))
    marked = {(r[1], r[2]) for r in table if r[0] == "村" and r[-1] == "收入在标准上方聚集"}
    assert marked == flagged
    with zipfile.ZipFile(book) as z:  # one native chart per flagged village
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == len(flagged)


def test_bunching_english_and_no_flag_exit_0(cli, county, tmp_path: Path) -> None:
    path, _ = county
    res = cli("bunching", path, "--no-excel", "--lang", "en", "--params", _strict(tmp_path),
              cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Income bunching at the line" in res.stdout and "flagged 0" in res.stdout


def _strict(folder: Path) -> Path:
    """A parameter override: a significance level nothing reaches."""
    p = folder / "bunching_alpha.yaml"
    p.write_text("name: bunching_alpha\nvalues:\n  national:\n    - {from: 2014-01-01, "
                 "value: 1.0e-30, source: test, verified: false}\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("case", ["missing", "no_household_id"])
def test_bunching_bad_input_is_one_line_exit_3(cli, tmp_path: Path, case: str) -> None:
    bad = tmp_path / ("nowhere.csv" if case == "missing" else "no_id.csv")
    if case != "missing":
        bad.write_text("姓名,人均纯收入\n张三,4000\n", encoding="utf-8")
    res = cli("bunching", bad, cwd=tmp_path)
    assert res.returncode == 3
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert bad.name in res.stderr
    assert not list(tmp_path.glob("*.xlsx"))
