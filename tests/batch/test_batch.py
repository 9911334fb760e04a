"""Batch audits (docs/batch.md): units, overlaps, roll-up reconciliation, findings file, reruns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cli_runner import SAMPLE_DATA, run_cli
from exitcheck.batch.units import plan_units
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

SHARED = 5  # households of county c also exported in county d's file
STRUCTURE = ("DQ010", "DQ011", "DQ013")  # the per-row errors merging overlapping files produced


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """c.xlsx and d.xlsx (d also holds SHARED of c's households), e.csv apart."""
    folder = tmp_path_factory.mktemp("counties")
    fc, tc = generate_county(30, seed=31, county_code="511602")
    fd, td = generate_county(20, seed=33, county_code="511603")
    shared = sorted(fc["household_id"].unique()[:SHARED])
    fd = pd.concat([fd, fc[fc["household_id"].isin(shared)]], ignore_index=True)
    fe, te = generate_county(16, seed=35, county_code="511621")
    return {"folder": folder, "shared": shared,
            "c": save(fc, tc, folder / "c.xlsx"), "d": save(fd, td, folder / "d.xlsx"),
            "e": save(fe, te, folder / "e.csv")}


def audit_json(cwd: Path, *args: Any) -> tuple[int, dict[str, Any]]:
    res = run_cli("audit", *args, "--year", "2019", "--no-excel", "--format", "json", cwd=cwd)
    assert res.returncode in (0, 1, 3), res.stderr
    return res.returncode, json.loads(res.stdout)


@pytest.fixture(scope="module")
def batch(counties: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One batch run of c, d, e (two processes) with --out-dir, and each file audited alone."""
    cwd = tmp_path_factory.mktemp("run")
    out = cwd / "out"
    res = run_cli("audit", counties["c"], counties["d"], counties["e"], "--year", "2019",
                  "--out-dir", out, "--json", out / "r.json", "--jobs", "2", cwd=cwd)
    alone = {k: audit_json(cwd, counties[k]) for k in ("c", "d", "e")}
    return {"res": res, "out": out, "report": json.loads((out / "r.json").read_text("utf-8")),
            "alone": alone}


def test_monitoring_folder_is_one_unit_and_county_files_are_units(
        counties: dict[str, Any]) -> None:
    plan = plan_units([SAMPLE_DATA / "monitoring_2023_tables"])
    assert len(plan.units) == 1 and len(plan.units[0].paths) == 5
    plan = plan_units([counties["folder"]])
    assert [u.label for u in plan.units] == ["c.xlsx", "d.xlsx", "e.csv"]
    assert plan_units([counties["c"]]).is_batch is False


def test_overlap_once_per_shared_household_and_no_structure_flood(
        batch: dict[str, Any], counties: dict[str, Any]) -> None:
    report = batch["report"]
    overlaps = report["overlaps"]
    assert sorted(f["household_id"] for f in overlaps) == counties["shared"]
    assert {f["rule"] for f in overlaps} == {"DQ120"}
    for f in overlaps:
        assert f["values"]["units"] == ["c.xlsx", "d.xlsx"]
        assert "c.xlsx" in f["location"] and "d.xlsx" in f["location"]
    # Each unit has exactly the structure errors of its file audited alone (no merge artefacts).
    for unit, key in zip(report["units"], ("c", "d", "e"), strict=True):
        alone = batch["alone"][key][1]["summary"]["by_rule"]
        for rule in STRUCTURE:
            expected = alone[rule]["violated_findings"] if rule in alone else 0
            got = unit["by_rule"].get(rule, {}).get("violated_findings", 0)
            assert got == expected, (unit["label"], rule)


def test_units_reconcile_and_exit_statuses(batch: dict[str, Any]) -> None:
    report = batch["report"]
    assert batch["res"].returncode == report["summary"]["exit_code"] == 1
    for unit, key in zip(report["units"], ("c", "d", "e"), strict=True):
        code, alone = batch["alone"][key]
        assert unit["exit_code"] == code
        assert unit["rows_read"] == unit["rows_audited"] + unit["rows_skipped"] > 0
        assert unit["reconciled"] is True
        assert unit["households"] == alone["summary"]["households"]
        assert unit["members"] == alone["summary"]["members"]
    s = report["summary"]
    assert s["households"] == sum(u["households"] for u in report["units"])
    assert s["rows_reconciled"] is True


def test_findings_file_holds_every_finding(batch: dict[str, Any]) -> None:
    report = batch["report"]
    table = pq.read_table(batch["out"] / "汇总_核查结果_明细.parquet").to_pandas()
    assert len(table) == report["summary"]["findings"]
    for unit, key in zip(report["units"], ("c", "d", "e"), strict=True):
        alone = batch["alone"][key][1]
        mine = table[table["unit"] == unit["label"]]
        assert len(mine) == unit["findings"] == len(alone["findings"])
        assert sorted(mine["rule"]) == sorted(f["rule"] for f in alone["findings"])
    assert (table["rule"] == "DQ120").sum() == SHARED
    # IDs masked as everywhere else: no 18-character citizen ID in any message.
    assert not table["message"].str.contains(r"\d{17}[\dX]", regex=True).any()


def test_workbooks_per_unit_and_rollup_sheets(batch: dict[str, Any]) -> None:
    out = batch["out"]
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["c_核查结果.xlsx", "d_核查结果.xlsx", "e_核查结果.xlsx", "r.json",
                            "汇总_核查结果.xlsx", "汇总_核查结果_明细.parquet"])
    wb = openpyxl.load_workbook(out / "汇总_核查结果.xlsx", read_only=True)
    assert wb.sheetnames == ["汇总", "未达标户", "返贫风险户", "按村统计", "跨文件重复", "明细"]
    rows = list(wb["汇总"].iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "文件"))
    units = [r[0] for r in rows[header + 1:header + 5]]
    assert units == ["c.xlsx", "d.xlsx", "e.csv", "合计"]
    failing = list(wb["未达标户"].iter_rows(values_only=True))
    assert failing[0][:2] == ("文件", "县")
    report = batch["report"]
    assert len(failing) - 1 == report["summary"]["failing"]
    assert {r[0] for r in failing[1:]} <= {"c.xlsx", "d.xlsx", "e.csv"}
    detail = list(wb["明细"].iter_rows(values_only=True))
    assert len(detail) - 1 == report["summary"]["findings"] - SHARED


def test_second_run_skips_first_run_outputs(counties: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "county_files"
    folder.mkdir()
    for key in ("c", "e"):
        (folder / counties[key].name).write_bytes(counties[key].read_bytes())
    first = run_cli("audit", folder, "--year", "2019", "--out-dir", folder, "--jobs", "1",
                    cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert (folder / "汇总_核查结果_明细.parquet").exists()
    code, again = audit_json(tmp_path, folder, "--out-dir", tmp_path / "second", "--jobs", "1")
    assert code == 1
    assert [u["label"] for u in again["units"]] == ["c.xlsx", "e.csv"]
    assert any("汇总_核查结果" in n and "c_核查结果.xlsx" in n for n in again["notes"])


def test_unreadable_unit_is_exit_3_and_others_still_audited(counties: dict[str, Any],
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table")
    code, report = audit_json(tmp_path, counties["e"], counties["c"], bad, "--jobs", "1")
    assert code == 3 == report["summary"]["exit_code"]
    by_label = {u["label"]: u for u in report["units"]}
    assert by_label["broken.csv"]["exit_code"] == 3 and by_label["broken.csv"]["error"]
    assert by_label["c.xlsx"]["exit_code"] == 1 and by_label["c.xlsx"]["households"] == 30


def test_single_audit_of_a_folder_skips_a_batch_output(counties: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """One county file and a batch's outputs beside it: the plain audit reads the county only."""
    folder = tmp_path / "one_county"
    folder.mkdir()
    (folder / "c.xlsx").write_bytes(counties["c"].read_bytes())
    first = run_cli("audit", folder, "--year", "2019", "--out-dir", folder, "--jobs", "1",
                    cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert (folder / "汇总_核查结果_明细.parquet").exists()
    code, report = audit_json(tmp_path, folder)
    assert code == 1
    assert report["schema"] == "exitcheck.report/1"
    assert [Path(i["path"]).name for i in report["inputs"]] == ["c.xlsx"]
