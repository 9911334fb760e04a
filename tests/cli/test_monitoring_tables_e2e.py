"""End-to-end `exitcheck audit` on the bundled monitoring-era dataset of five tables
(sample_data/monitoring_2023_tables/, docs/dataset-model.md): the installed command, real files.

The planted problems and the controls are listed in the folder's truth.json (made by
exitcheck.sample.monitoring_tables); sample_data/README.md describes them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cli_runner import SAMPLE_DATA, run_cli

pytestmark = pytest.mark.e2e

FOLDER = SAMPLE_DATA / "monitoring_2023_tables"
TRUTH = json.loads((FOLDER / "truth.json").read_text("utf-8"))
# Which kind of table each file must be read as (JSON inputs[].table).
KINDS = {
    "监测对象信息.xlsx": "members",
    "户信息.xlsx": "households",
    "已外出务工信息.xlsx": "work",
    "计划外出务工信息.xlsx": "work_plan",
    "行政村信息.xlsx": "village",
}
CELL_ROW = re.compile(r"!\$?[A-Z]*\$?(\d+)(?::|$)")


def _row(location: str | None) -> int | None:
    """The sheet row of a finding's source cell ("f.xlsx 表!B128" or "f.xlsx 表!5:5")."""
    m = CELL_ROW.search(location or "")
    return int(m.group(1)) if m else None


def _matches(entry: dict[str, Any], f: dict[str, Any]) -> bool:
    """Is finding f about the truth entry (its household, member, spell row or village)?"""
    in_table = (f["location"] or "").startswith(entry["table"])
    if "row" in entry and in_table and _row(f["location"]) == entry["row"]:
        return True  # a spell row (a spell finding of an unjoined row has no household)
    if entry["household_id"] is not None:
        return f["household_id"] == entry["household_id"] and (
            entry["member_id"] is None or f["member_id"] in (None, entry["member_id"]))
    if not in_table:
        return False
    if "row" in entry:
        return False
    if "village" in entry:
        return entry["village"] in (f["message"] or "")
    return True


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("monitoring_tables")
    res = run_cli("audit", FOLDER, "-o", out / "m.xlsx", "--json", out / "m.json",
                  "--year", "2023", "--region", "52", cwd=out)
    report = None
    if (out / "m.json").exists():
        report = json.loads((out / "m.json").read_text("utf-8"))
    return {"res": res, "xlsx": out / "m.xlsx", "report": report}


def _report(audit: dict[str, Any]) -> dict[str, Any]:
    res = audit["res"]
    assert audit["report"] is not None, (
        f"no JSON report (exit {res.returncode}):\n{res.stderr}\n{res.stdout[-2000:]}")
    return audit["report"]


def test_exit_code_1_without_traceback(audit: dict[str, Any]) -> None:
    res = audit["res"]
    assert "Traceback" not in res.stderr + res.stdout
    assert res.returncode == 1, res.stderr + res.stdout[-2000:]
    assert audit["xlsx"].stat().st_size > 0


def test_every_table_read_as_its_kind_and_every_row_reconciles(audit: dict[str, Any]) -> None:
    report = _report(audit)
    read = {Path(i["path"]).name: i for i in report["inputs"]}
    assert {name: i["table"] for name, i in read.items()} == KINDS
    assert [name for name, i in read.items() if not i["reconciled"]] == []
    counts = TRUTH["counts"]
    for name, kind in KINDS.items():
        assert read[name]["rows_read"] == counts[kind], name
    assert read["监测对象信息.xlsx"]["member_rows"] == counts["members"]
    # The one spell of a person missing from the member table is accounted for, not dropped.
    assert read["已外出务工信息.xlsx"]["rows_skipped"] == {"spell_without_member": 1}
    assert report["summary"]["members"] == counts["members"]


def test_every_planted_problem_is_found_by_its_rule(audit: dict[str, Any]) -> None:
    findings = [f for f in _report(audit)["findings"] if f["status"] == "violated"]
    missed = []
    for entry in TRUTH["problems"]:
        if not any(f["rule"] == entry["rule"] and _matches(entry, f) for f in findings):
            near = sorted({f["rule"] for f in findings if _matches(entry, f)})
            missed.append((entry["rule"], entry["kind"], entry["household_id"],
                           entry["member_id"], near))
    assert missed == []


def test_no_control_is_reported(audit: dict[str, Any]) -> None:
    findings = _report(audit)["findings"]
    reported = [(c["rule"], c["kind"], f["status"], f["location"])
                for c in TRUTH["controls"] for f in findings
                if f["rule"] == c["rule"] and _matches(c, f)]
    assert reported == []
    # The village written with a trailing space in 行政村信息 joins its households.
    spaced = [c["village"] for c in TRUTH["controls"] if "village" in c]
    assert spaced
    assert [f["message"] for f in findings if f["rule"] in ("DQ082", "DQ083")
            and any(v in (f["message"] or "") for v in spaced)] == []


def test_no_code_list_value_is_reported_as_not_allowed(audit: dict[str, Any]) -> None:
    # Every value in the sample is spelled as in the national code lists (患有大病, 农村低保,
    # 高职高专一年级 …): none may become value_not_allowed.
    bad = sorted({(f["values"].get("field"), f["values"].get("value"))
                  for f in _report(audit)["findings"] if f["rule"] == "DQ090"}, key=str)
    assert bad == []


def test_workbook_details_cite_the_source_cells(audit: dict[str, Any]) -> None:
    report = _report(audit)
    wb = openpyxl.load_workbook(audit["xlsx"], read_only=True)
    rows = [list(r) for r in wb["明细"].iter_rows(values_only=True)]
    wb.close()
    head = [str(h) for h in rows[0]]
    rule_col, cell_col = head.index("规则"), head.index("来源单元格")
    details = [(r[rule_col], r[cell_col]) for r in rows[1:] if r[rule_col]]
    assert len(details) == len(report["findings"])
    cells = {(rule, cell) for rule, cell in details}
    # A spell finding cites its cell in the work-spell file, a village finding the village file.
    ghost = next(p for p in TRUTH["problems"] if p["rule"] == "DQ080")
    assert any(rule == "DQ080" and str(cell).startswith("已外出务工信息.xlsx")
               and _row(str(cell)) == ghost["row"] for rule, cell in cells), sorted(
        c for c in cells if c[0] == "DQ080")
    assert any(rule == "DQ083" and str(cell).startswith("行政村信息.xlsx") for rule, cell in cells)
    # Every planted problem appears in 明细 with a source cell in one of the five files.
    for entry in TRUTH["problems"]:
        cited = [cell for rule, cell in details if rule == entry["rule"]]
        assert cited, entry
        assert all(str(c).split(" ")[0] in KINDS for c in cited if c), (entry["rule"], cited)


def test_an_unrelated_table_alongside_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in KINDS:
        shutil.copy(FOLDER / name, folder / name)
    (folder / "联系人.csv").write_text("姓名,电话\n张三,13800000000\n李四,13900000000\n",
                                      encoding="utf-8")
    res = run_cli("audit", *sorted(folder.glob("*")), "--year", "2023", "--region", "52",
                  "--no-excel", cwd=tmp_path)
    assert res.returncode == 3, res.stdout[-2000:] + res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert "联系人.csv" in res.stderr + res.stdout
