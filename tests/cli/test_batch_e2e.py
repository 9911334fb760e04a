"""End-to-end: several inputs in one run (a batch of units, docs/batch.md), atomic outputs,
inputs never touched."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from cli_runner import run_cli
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two different small generated counties: an xlsx and a GB18030 CSV."""
    folder = tmp_path_factory.mktemp("inputs")
    fa, ta = generate_county(30, seed=31, county_code="511602")
    fb, tb = generate_county(24, seed=32, county_code="511621")
    a = save(fa, ta, folder / "a.xlsx")
    b = save(fb, tb, folder / "b.csv")
    return {"a": a, "b": b, "ta": ta, "tb": tb, "frames": (fa, fb),
            "na": fa["household_id"].nunique(),
            "nb": fb["household_id"].nunique(), "ma": len(fa), "mb": len(fb)}


def audit_json(tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    res = run_cli("audit", *files, "--no-excel", "--format", "json", *extra, cwd=tmp_path)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


def batch_run(tmp_path: Path, *files: Path) -> tuple[dict[str, Any], pd.DataFrame, Path]:
    """A batch of ``files`` with --out-dir: the roll-up JSON, the findings file, the folder."""
    out = tmp_path / "out"
    res = run_cli("audit", *files, "--year", "2019", "--out-dir", out, "--json", out / "r.json",
                  "--jobs", "1", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    findings = pd.read_parquet(out / "汇总_核查结果_明细.parquet")
    return json.loads((out / "r.json").read_text("utf-8")), findings, out


def test_two_files_households_add_up(tmp_path: Path, two_counties: dict[str, Any]) -> None:
    """Two county files are two units (docs/batch.md): each as audited alone, totals summed."""
    a, b = two_counties["a"], two_counties["b"]
    both, findings, _ = batch_run(tmp_path, a, b)
    only_a = audit_json(tmp_path, a, extra=("--year", "2019"))
    only_b = audit_json(tmp_path, b, extra=("--year", "2019"))
    s = both["summary"]
    assert s["households"] == only_a["summary"]["households"] + only_b["summary"]["households"]
    assert s["households"] == two_counties["na"] + two_counties["nb"]
    assert s["members"] == two_counties["ma"] + two_counties["mb"]
    assert [u["label"] for u in both["units"]] == ["a.xlsx", "b.csv"]
    assert [[Path(i["path"]).name for i in u["inputs"]] for u in both["units"]] == [
        ["a.xlsx"], ["b.csv"]]
    assert [u["exit_code"] for u in both["units"]] == [1, 1]

    # Failing households of the batch = failing of each file alone, and include the plants.
    def failing(r: dict[str, Any]) -> set[str]:
        return {f["household_id"] for f in r["findings"]
                if f["rule"] == "INC001" and f["status"] == "violated"}

    batch_failing = set(findings.loc[(findings["rule"] == "INC001")
                                     & (findings["status"] == "violated"), "household_id"])
    assert batch_failing == failing(only_a) | failing(only_b)
    # Independent oracle: exited households whose per-capita income (as generated) is not above
    # the 2019 Sichuan line. (Not the ground truth's income_below_line list: the generator may
    # plant it where fixed transfers keep the income above the line; see the report.)
    line = two_counties["ta"].income_line
    below = set()
    for frame in two_counties["frames"]:
        heads = frame[(frame["poverty_status"] == "已脱贫")]
        below |= set(heads.loc[heads["per_capita_net_income"] <= line, "household_id"])
    assert below
    assert batch_failing == below


def test_locations_name_the_file_when_several(tmp_path: Path,
                                              two_counties: dict[str, Any]) -> None:
    """Each finding of the findings file names its unit (file), and cites a row of that file."""
    a, b = two_counties["a"], two_counties["b"]
    _, findings, _ = batch_run(tmp_path, a, b)
    located = findings[findings["location"].fillna("") != ""]
    assert len(located)
    for unit, hid in zip(located["unit"], located["household_id"], strict=True):
        assert unit == ("a.xlsx" if hid.startswith("511602") else "b.csv")
    # The cited row is that household's row in the xlsx input.
    wb = openpyxl.load_workbook(a, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    col = rows[2].index("户编号")
    checked = 0
    for loc, hid in zip(located["location"], located["household_id"], strict=True):
        m = re.fullmatch(r"[^!]+!(?:[A-Z]+(\d+)|(\d+):\2)", loc)
        if m and hid.startswith("511602"):
            assert rows[int(m.group(1) or m.group(2)) - 1][col] == hid
            checked += 1
    assert checked
    # One file per unit: the file name is not repeated in every location.
    assert not located["location"].str.startswith("a.xlsx").any()


def test_batch_workbook_lists_both_files(tmp_path: Path, two_counties: dict[str, Any]) -> None:
    a, b = two_counties["a"], two_counties["b"]
    res = run_cli("audit", a, b, "--year", "2019", "-o", tmp_path / "both.xlsx", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "both.xlsx", read_only=True)
    summary = [str(v) for row in wb["汇总"].iter_rows(values_only=True) for v in row if v]
    assert "a.xlsx" in summary and "b.csv" in summary
    total = two_counties["na"] + two_counties["nb"]
    members = two_counties["ma"] + two_counties["mb"]
    assert f"共 2 个核查单元（县/数据集），{total} 户 {members} 人" in summary


def test_inputs_untouched_and_no_temp_files(tmp_path: Path,
                                            two_counties: dict[str, Any]) -> None:
    a, b = two_counties["a"], two_counties["b"]
    before = {p: fingerprint(p) for p in (a, b)}
    listing = sorted(os.listdir(a.parent))
    out = tmp_path / "reports"
    out.mkdir()
    res = run_cli("audit", a, b, "--year", "2019", "-o", out / "r.xlsx", "--json",
                  out / "r.json", "--junit", out / "r.xml", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert {p: fingerprint(p) for p in (a, b)} == before
    assert sorted(os.listdir(a.parent)) == listing
    assert sorted(os.listdir(out)) == ["r.json", "r.xlsx", "r.xml"]
    assert sorted(os.listdir(tmp_path)) == ["reports"]

    # A second run refuses to replace them without --force (exit 2, nothing touched) ...
    old = (out / "r.json").stat().st_ino
    res = run_cli("audit", a, b, "--year", "2019", "-o", out / "r.xlsx", "--json",
                  out / "r.json", "--junit", out / "r.xml", "--lang", "en", cwd=tmp_path)
    assert res.returncode == 2 and "--force" in res.stderr, res.stderr
    assert (out / "r.json").stat().st_ino == old
    # ... and with --force replaces them in place; still no temp files left behind.
    res = run_cli("audit", a, b, "--year", "2019", "-o", out / "r.xlsx", "--json",
                  out / "r.json", "--junit", out / "r.xml", "--lang", "en", "--force",
                  cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert sorted(os.listdir(out)) == ["r.json", "r.xlsx", "r.xml"]
    assert (out / "r.json").stat().st_ino != old  # replaced (os.replace), not rewritten
    assert json.loads((out / "r.json").read_text("utf-8"))["run"]["lang"] == "en"


def test_failed_run_leaves_existing_report(tmp_path: Path, two_counties: dict[str, Any]) -> None:
    a = two_counties["a"]
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"previous report")
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    res = run_cli("audit", a, bad, "-o", report, "--force", cwd=tmp_path)
    assert res.returncode == 3
    assert report.read_bytes() == b"previous report"
    assert sorted(os.listdir(tmp_path)) == ["broken.xlsx", "r.xlsx"]


def test_default_output_in_current_folder(tmp_path: Path, two_counties: dict[str, Any]) -> None:
    a = two_counties["a"]
    work = tmp_path / "cwd"
    work.mkdir()
    res = run_cli("audit", a, cwd=work)
    assert res.returncode == 1, res.stderr
    expected = work / "a_核查结果.xlsx"
    assert os.listdir(work) == [expected.name]
    assert str(expected) in res.stdout.replace("\n", "")
    assert not (a.parent / expected.name).exists()  # never next to the input
    wb = openpyxl.load_workbook(expected, read_only=True)
    assert wb.sheetnames[0] == "概览"
