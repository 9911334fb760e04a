"""End-to-end `exitcheck inspect`: what loading detected, read back from the real command's JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl

from cli_runner import SAMPLE_DATA, run_cli

COUNTY_XLSX = SAMPLE_DATA / "county_2019.xlsx"
COUNTY_CSV = SAMPLE_DATA / "county_2019.csv"


def inspect_json(path: Path, *extra: str) -> dict:
    res = run_cli("inspect", path, "--format", "json", *extra)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_inspect_xlsx_json() -> None:
    data = inspect_json(COUNTY_XLSX)
    assert type(data["households"]) is int and type(data["members"]) is int
    assert (data["households"], data["members"]) == (500, 1866)
    [info] = data["inputs"]
    assert info["reader"] == "calamine"
    assert info["encoding"] is None
    assert info["sheet"] == "贫困人口明细"
    assert info["title_rows"] == [1, 2]
    assert info["header_rows"] == [3, 4]
    assert info["sha256"] == hashlib.sha256(COUNTY_XLSX.read_bytes()).hexdigest()
    # The 合计 row at the bottom is read and skipped, not a member.
    assert info["rows_skipped"] == {"total": 1}
    assert info["rows_read"] == info["member_rows"] + 1 == 1867
    cols = info["columns"]
    assert cols["per_capita_net_income"]["header"].startswith("人均纯收入")
    assert cols["id_number"]["header"] == "证件号码"
    # The column letter is the real column of that header in the file.
    ws = openpyxl.load_workbook(COUNTY_XLSX, read_only=True).worksheets[0]
    header = {c.column_letter: c.value for row in ws.iter_rows(min_row=3, max_row=4)
              for c in row if getattr(c, "value", None)}
    for name in ("per_capita_net_income", "household_id", "id_number", "poverty_status"):
        assert header[cols[name]["column"]] == cols[name]["header"], name
    # Loading issues are counted by kind: the planted ID stored as a number and the duplicate.
    assert data["issues"].get("id_stored_as_number") == 1


def test_inspect_gb18030_csv_matches_xlsx() -> None:
    csv = inspect_json(COUNTY_CSV)
    xlsx = inspect_json(COUNTY_XLSX)
    [info] = csv["inputs"]
    assert info["encoding"] == "gb18030"
    assert info["header_rows"] == [1] and info["title_rows"] == []
    assert (csv["households"], csv["members"]) == (xlsx["households"], xlsx["members"])
    assert info["rows_read"] == info["member_rows"] + sum(info["rows_skipped"].values())
    assert set(xlsx["inputs"][0]["columns"]) <= set(info["columns"])


def test_inspect_rich_view(cli) -> None:
    res = cli("inspect", COUNTY_XLSX)
    assert res.returncode == 0, res.stderr
    for text in ("贫困人口明细", "calamine", "1867", "1866", "per_capita_net_income"):
        assert text in res.stdout
    en = cli("inspect", COUNTY_XLSX, "--lang", "en")
    assert en.returncode == 0 and "贫困人口明细" in en.stdout
    assert en.stdout != res.stdout


def test_inspect_two_files(cli) -> None:
    res = cli("inspect", COUNTY_XLSX, SAMPLE_DATA / "monitoring_2023.xlsx", "--format", "json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["inputs"]) == 2
    assert data["households"] == 500 + 300
    assert data["members"] == sum(i["member_rows"] for i in data["inputs"])
