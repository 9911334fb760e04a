"""`exitcheck exit-rates`: counts, incidence and verdicts checked against counts computed here
directly from the bundled sample's CSV (not through exitcheck's loader)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli_runner import SAMPLE_DATA

pytestmark = pytest.mark.e2e


def _independent_counts() -> pd.DataFrame:
    """Persons per village and 脱贫标志, read from the GBK CSV twin of county_2019.xlsx."""
    raw = pd.read_csv(SAMPLE_DATA / "county_2019.csv", dtype=str, encoding="gb18030")
    raw = raw[raw["户编号"].notna() & raw["户编号"].str.fullmatch(r"\d+")]
    raw = raw.rename(columns={"乡(镇)": "乡镇"})
    g = raw.groupby(["乡镇", "村"])
    return pd.DataFrame({
        "persons": g.size(),
        "remaining": g["脱贫标志"].apply(lambda s: int((s == "未脱贫").sum())),
        "exited": g["脱贫标志"].apply(lambda s: int((s == "已脱贫").sum())),
    })


def test_exit_rates_with_population_file(cli, county_xlsx: Path, tmp_path: Path) -> None:
    truth = _independent_counts()
    villages = list(truth.index)
    small = truth["remaining"].idxmax()  # gets a population that makes it fail
    left_out = next(v for v in villages if v[0] != small[0])  # no population: 无法判定
    rows = []
    for township, village in villages:
        if (township, village) == left_out:
            continue
        pop = 200 if (township, village) == small else 1000
        rows.append({"县": "广安区", "乡镇": township, "村": village, "人口": pop})
    rows.append({"县": "广安区", "乡镇": "", "村": "", "人口": 60000})
    pop_csv = tmp_path / "pop.csv"
    pd.DataFrame(rows).to_csv(pop_csv, index=False, encoding="utf-8-sig")
    out = tmp_path / "rates.xlsx"
    js = tmp_path / "rates.json"
    res = cli("exit-rates", county_xlsx, "--population", pop_csv, "-o", out, "--json", js,
              cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["western"] is True  # 四川
    assert data["thresholds"]["village"]["value"] == pytest.approx(0.03)
    got = {(r["township"], r["village"]): r for r in data["rows"] if r["level"] == "village"}
    assert set(got) == set(villages)
    for key, row in got.items():
        assert row["persons"] == truth.loc[key, "persons"]
        assert row["remaining_poor"] == truth.loc[key, "remaining"]
        assert row["exited"] == truth.loc[key, "exited"]
        if key == left_out:
            assert row["population_source"] == "none"
            assert row["incidence"] is None and row["verdict"] == "not_evaluable"
            continue
        pop = 200 if key == small else 1000
        assert row["population"] == pop and row["population_source"] == "population_file"
        assert row["incidence"] == pytest.approx(truth.loc[key, "remaining"] / pop)
        want = "pass" if truth.loc[key, "remaining"] / pop < 0.03 else "fail"
        assert row["verdict"] == want
    assert got[small]["verdict"] == "fail"
    townships = {r["township"]: r for r in data["rows"] if r["level"] == "township"}
    # the township of the left-out village has no denominator; the others sum their villages
    assert townships[left_out[0]]["population_source"] == "none"
    for name, row in townships.items():
        assert row["verdict"] == "no_standard"
        if name != left_out[0]:
            n = sum(1 for v in villages if v[0] == name)
            extra = -800 if small[0] == name else 0
            assert row["population"] == 1000 * n + extra
            assert row["population_source"] == "sum_of_villages"
    county = next(r for r in data["rows"] if r["level"] == "county")
    assert county["population"] == 60000 and county["population_source"] == "population_file"
    assert county["remaining_poor"] == truth["remaining"].sum()
    assert county["incidence"] == pytest.approx(truth["remaining"].sum() / 60000)
    assert county["verdict"] == "pass"
    wb = openpyxl.load_workbook(out, read_only=True)
    sheet = wb.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[2][:4] == ["层级", "县", "乡镇", "村"]
    assert sum(1 for r in values[3:] if r and r[0] == "村") == len(villages)
    assert "无法判定" in res.stdout


def test_exit_rates_without_population_says_not_evaluable(cli, monitoring_xlsx: Path,
                                                         tmp_path: Path) -> None:
    res = cli("exit-rates", monitoring_xlsx, "--format", "json", "--no-excel", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["rows"] and all(r["verdict"] in ("not_evaluable", "no_standard")
                                for r in data["rows"])
    assert all(r["population_source"] == "none" for r in data["rows"])
    assert any("无人口数" in n or "没有人口数" in n for n in data["notes"])


def test_exit_rates_village_table_is_the_denominator(cli, tmp_path: Path) -> None:
    tables = sorted((SAMPLE_DATA / "monitoring_2023_tables").glob("*.xlsx"))
    res = cli("exit-rates", *tables, "--format", "json", "--no-excel", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    villages = openpyxl.load_workbook(SAMPLE_DATA / "monitoring_2023_tables" / "行政村信息.xlsx",
                                      read_only=True).worksheets[0]
    rows = [list(r) for r in villages.iter_rows(values_only=True)]
    head_at = next(i for i, r in enumerate(rows) if "总人口数" in r)
    head = rows[head_at]
    pops = {str(r[head.index("村")]).strip(): r[head.index("总人口数")] for r in rows[head_at + 1:]
            if r[head.index("村")]}
    got = {r["village"]: r for r in data["rows"] if r["level"] == "village"}
    for name, pop in pops.items():
        assert got[name]["population"] == pop
        assert got[name]["population_source"] == "village_table"
    county = next(r for r in data["rows"] if r["level"] == "county")
    assert county["population_source"] in ("sum_of_villages", "registry_with_ordinary")
