"""End-to-end `exitcheck audit` on the bundled sample exports: the installed command, real files."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import openpyxl
import pytest
import xlsxwriter

from cli_runner import SAMPLE_DATA, run_cli
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import columns_for

REPO = SAMPLE_DATA.parent
SCHEMA = REPO / "src" / "exitcheck" / "report" / "report.schema.json"
COUNTY_XLSX = SAMPLE_DATA / "county_2019.xlsx"
COUNTY_CSV = SAMPLE_DATA / "county_2019.csv"
MONITORING_XLSX = SAMPLE_DATA / "monitoring_2023.xlsx"
SHEETS_ZH = ["概览", "未达标户", "返贫风险户", "数据问题", "按村统计", "规则说明", "明细"]
MASKED = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
# An unmasked citizen ID: 18 characters standing alone (19-digit 人编号 are not IDs), or an ID
# stored as a number printed in scientific notation (still 15 of its digits).
BARE_ID = re.compile(r"(?<![0-9.])\d{17}[\dX](?![0-9])")
FLOAT_ID = re.compile(r"\d\.\d{9,}[eE]\+?1[4-7]")

# Which rule must catch each planted defect kind (sample_data/README.md, docs/rule-catalogue.md).
DEFECT_RULES = {
    "income_below_line": {"INC001"},
    "out_of_school": {"EDU001"},
    "no_medical_insurance": {"MED001"},
    "dangerous_house": {"HOU001"},
    "water_unsafe": {"WAT001"},
    "income_identity_broken": {"DQ020"},
    "household_size_mismatch": {"DQ013"},
    "id_bad_checksum": {"DQ001"},
    "id_duplicate": {"DQ003"},
    "two_heads": {"DQ010"},
    "no_head": {"DQ010"},
    "id_stored_as_number": {"DQ004"},
    "blank_name": {"DQ005"},
    "education_impossible": {"DQ030", "DQ031", "DQ032"},
}
# Controls look odd but are fine: these rules must not report them (in any status).
CONTROL_NOT_RULES = {
    "home_schooled": {"EDU001"},
    "schooling_exempt": {"EDU001"},
    "thousands_separator": {"INC001", "DQ020", "DQ021", "DQ092"},
    "fullwidth_digits": {"INC001", "DQ020", "DQ092"},
    "grade_suffix": {"HOU001", "DQ090"},
    "check_mark": {"DQ090"},
}


# --- helpers ------------------------------------------------------------------------------

def read_export(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(header by column index, every row) of a national-style export: 2 title rows, then a
    2-row merged header (the lower row names a group's components)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    upper, lower = rows[2], rows[3]
    header = [str(lo or up or "") for up, lo in zip(upper, lower, strict=True)]
    return header, rows


def true_ids(path: Path) -> set[str]:
    header, rows = read_export(path)
    col = header.index("证件号码")
    return {r[col] for r in rows[4:] if isinstance(r[col], str) and len(r[col]) == 18}


def workbook_texts(path: Path) -> list[str]:
    """Every cell value of every sheet as text, plus the raw XML of every part of the zip."""
    wb = openpyxl.load_workbook(path)
    texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row
             if c.value is not None]
    with zipfile.ZipFile(path) as z:
        texts += [z.read(name).decode("utf-8", "replace") for name in z.namelist()]
    return texts


def id_leaks(text: str, ids: set[str]) -> list[str]:
    """Unmasked IDs in a text: any 18-character ID token, any real ID, any float-printed ID."""
    found = set(BARE_ID.findall(text)) | set(FLOAT_ID.findall(text))
    found |= {i for i in ids if i in text}
    return sorted(found)


def sheet_rows(wb: openpyxl.Workbook, name: str) -> tuple[list[str], list[list[Any]]]:
    ws = wb[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def violated_by_household(report: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for f in report["findings"]:
        if f["status"] == "violated":
            out[f["household_id"]].add(f["rule"])
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- one audit of the sample county, shared by the tests below --------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("county")
    res = run_cli("audit", COUNTY_XLSX, "-o", out / "r.xlsx", "--json", out / "r.json",
                  "--junit", out / "r.xml", cwd=out)
    insp = run_cli("inspect", COUNTY_XLSX, "--format", "json", cwd=out)
    assert insp.returncode == 0, insp.stderr
    return {
        "res": res, "dir": out, "xlsx": out / "r.xlsx", "json_path": out / "r.json",
        "junit": out / "r.xml", "report": json.loads((out / "r.json").read_text("utf-8")),
        "inspect": json.loads(insp.stdout),
        "truth": json.loads((SAMPLE_DATA / "county_2019.truth.json").read_text("utf-8")),
    }


def test_exit_code_1_and_reports_written(county: dict[str, Any]) -> None:
    res = county["res"]
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    for key in ("xlsx", "json_path", "junit"):
        assert county[key].stat().st_size > 0
    assert county["report"]["summary"]["exit_code"] == 1
    # The terminal says where the outputs went and states the exit code.
    assert "r.xlsx" in res.stdout and "r.json" in res.stdout and "r.xml" in res.stdout
    assert "退出码 1" in res.stdout


def test_workbook_sheets_in_order(county: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(county["xlsx"], read_only=True)
    assert wb.sheetnames == SHEETS_ZH


def test_overview_counts_reconcile_with_inspect_and_json(county: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(county["xlsx"])
    rows = [list(r) for r in wb["概览"].iter_rows(values_only=True)]
    texts = [str(v) for r in rows for v in r if v is not None]
    line = next(t for t in texts if re.fullmatch(r"共 \d+ 户 \d+ 人", t))
    households, members = map(int, re.findall(r"\d+", line))
    summary = county["report"]["summary"]
    assert (households, members) == (county["inspect"]["households"],
                                     county["inspect"]["members"])
    assert (households, members) == (summary["households"], summary["members"])
    assert (households, members) == (500, 1866)  # sample_data/README.md

    # Households by 脱贫标志 add up to the total and match the JSON.
    start = next(i for i, r in enumerate(rows) if r[0] == "脱贫标志")
    by_status: dict[str, int] = {}
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        by_status[str(r[0])] = int(r[1])
    assert sum(by_status.values()) == households
    assert by_status == {k or "": v for k, v in summary["households_by_poverty_status"].items()}

    # The verdict table by family equals the JSON's by_family counts (rows by family label).
    from exitcheck.report.messages import family_label

    codes = {family_label(code): code for code in summary["by_family"]}
    start = next(i for i, r in enumerate(rows) if r[0] == "类别")
    head = [str(h) for h in rows[start]]
    fam_rows = {}
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        fam_rows[codes[str(r[0])]] = dict(zip(head, r, strict=False))
    assert set(fam_rows) == set(summary["by_family"])
    for fam, row in fam_rows.items():
        js = summary["by_family"][fam]
        assert row["核查户数"] == js["audited"]
        assert row["未通过户"] == js["violated"]
        assert row["通过户"] == js["passed"]
    assert fam_rows["DQ"]["核查户数"] == households


def test_every_planted_defect_is_reported_by_its_rule(county: dict[str, Any]) -> None:
    truth, report = county["truth"], county["report"]
    violated = violated_by_household(report)
    missed = [(hh, kind, sorted(violated.get(hh, ())))
              for hh, kinds in truth["households"].items() for kind in kinds
              if not DEFECT_RULES[kind] & violated.get(hh, set())]
    assert missed == []

    # Member-level rules name the planted member itself.
    levels = {code: r["level"] for code, r in report["summary"]["by_rule"].items()}
    by_member: dict[str, set[str]] = defaultdict(set)
    for f in report["findings"]:
        if f["status"] == "violated" and f["member_id"]:
            by_member[f["member_id"]].add(f["rule"])
    for member, kinds in truth["members"].items():
        for kind in kinds:
            member_rules = {c for c in DEFECT_RULES[kind] if levels.get(c) == "member"}
            if member_rules:
                assert member_rules & by_member.get(member, set()), (member, kind)


def test_the_same_findings_are_in_the_workbook(county: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(county["xlsx"], read_only=True)
    head, rows = sheet_rows(wb, "明细")
    rule, hh, status = head.index("规则"), head.index("户编号"), head.index("状态")
    in_sheet = {(r[rule], r[hh]) for r in rows if r[status] == "未通过"}
    in_json = {(f["rule"], f["household_id"]) for f in county["report"]["findings"]
               if f["status"] == "violated"}
    assert in_sheet == in_json
    assert len(rows) == len(county["report"]["findings"])


def test_rules_sheet_lists_rules_not_run_with_their_reason(county: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(county["xlsx"], read_only=True)
    head, rows = sheet_rows(wb, "规则说明")
    rule, state, applicable = head.index("规则"), head.index("核查情况"), head.index("适用单位数")
    by_code = {r[rule]: r for r in rows}
    report = county["report"]
    assert set(by_code) == set(report["summary"]["by_rule"]) | {
        n["rule"] for n in report["rules_not_run"]}
    assert by_code["INC001"][state] == "已运行"
    assert by_code["RISK005"][state].startswith("无法核查：输入文件没有 合规自付支出 列")
    assert by_code["RISK001"][state].startswith("未运行：参数 monitoring_income_line 在 2019 年")
    assert by_code["RISK005"][applicable] is None  # not counted: never shown as 0 failures
    notes = report["notes"]
    assert any(n.startswith("规则 RISK005 无法核查") for n in notes)


def test_controls_are_not_reported(county: dict[str, Any]) -> None:
    any_status: dict[str, set[str]] = defaultdict(set)
    for f in county["report"]["findings"]:
        any_status[f["household_id"]].add(f["rule"])
    wrong = [(hh, kind, sorted(CONTROL_NOT_RULES[kind] & any_status.get(hh, set())))
             for hh, kinds in county["truth"]["controls"].items() for kind in kinds
             if CONTROL_NOT_RULES[kind] & any_status.get(hh, set())]
    assert wrong == []


def test_failing_household_row_has_values_and_masked_id(county: dict[str, Any]) -> None:
    household = min(h for h, k in county["truth"]["households"].items()
                    if "income_below_line" in k)
    header, rows = read_export(COUNTY_XLSX)
    hid, rel = header.index("户编号"), header.index("与户主关系")
    head_row = next(r for r in rows[4:] if r[hid] == household and r[rel] == "户主")
    income = float(head_row[header.index("人均纯收入（元）")])
    head_id = head_row[header.index("证件号码")]

    line = next(p for p in county["report"]["parameters"] if p["name"] == "exit_income_line")
    assert (line["value"], line["region"]) == (3750, "51")

    wb = openpyxl.load_workbook(county["xlsx"], read_only=True)
    head, table = sheet_rows(wb, "未达标户")
    row = dict(zip(head, next(r for r in table if r[head.index("户编号")] == household),
                   strict=True))
    assert "INC001" in row["未通过规则"]
    reason = row["原因"]
    spellings = {f"{income:.2f}", f"{income:g}", f"{income:,.2f}"}
    assert any(s in reason for s in spellings), (reason, spellings)
    assert "3750" in reason
    assert MASKED.match(row["户主证件号码"])
    assert row["户主证件号码"] == f"{head_id[:6]}********{head_id[-4:]}"
    assert row["人均纯收入（元）"] == pytest.approx(income)

    # Every failing household of the JSON is in the sheet, and only those.
    failing = {h["household_id"] for h in county["report"]["households"] if h["failing"]}
    assert {r[head.index("户编号")] for r in table} == failing


def test_no_unmasked_id_in_any_output(county: dict[str, Any]) -> None:
    ids = true_ids(COUNTY_XLSX)
    assert len(ids) > 1800
    texts = workbook_texts(county["xlsx"])
    texts += [county["json_path"].read_text("utf-8"), county["junit"].read_text("utf-8"),
              county["res"].stdout]
    leaks = sorted({leak for text in texts for leak in id_leaks(text, ids)})
    assert leaks == []


def test_show_ids_unmasks(tmp_path: Path) -> None:
    res = run_cli("audit", COUNTY_XLSX, "--show-ids", "-o", tmp_path / "r.xlsx",
                  "--json", tmp_path / "r.json", "--junit", tmp_path / "r.xml", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    header, rows = read_export(COUNTY_XLSX)
    hid, rel, idc = header.index("户编号"), header.index("与户主关系"), header.index("证件号码")
    heads = {r[hid]: r[idc] for r in rows[4:] if r[rel] == "户主"}
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["run"]["show_ids"] is True
    failing = [h for h in report["households"] if h["failing"]]
    assert failing
    for h in failing:
        assert h["head_id_number"] == heads[h["household_id"]]
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    head, table = sheet_rows(wb, "未达标户")
    shown = {r[head.index("户编号")]: r[head.index("户主证件号码")] for r in table}
    assert shown == {h["household_id"]: heads[h["household_id"]] for h in failing}
    # The bad-checksum ID is quoted in full in the DQ001 message.
    bad = next(f for f in report["findings"] if f["rule"] == "DQ001")
    assert BARE_ID.search(bad["message"])


def test_source_cells_point_at_the_household_row(county: dict[str, Any]) -> None:
    header, rows = read_export(COUNTY_XLSX)
    hid = header.index("户编号")
    wb = openpyxl.load_workbook(county["xlsx"], read_only=True)
    checked = 0
    for sheet in ("明细", "数据问题"):
        head, table = sheet_rows(wb, sheet)
        hh_col, loc_col = head.index("户编号"), head.index("来源单元格")
        rule_col = head.index("规则")
        for r in table:
            loc = r[loc_col]
            m = re.fullmatch(r"贫困人口明细!(?:([A-Z]+)(\d+)|(\d+):\3)", str(loc))
            assert m, loc
            row = int(m.group(2) or m.group(3))
            assert rows[row - 1][hid] == r[hh_col], (sheet, loc, r[hh_col])
            if m.group(1) and r[rule_col] == "INC001":  # cites the income cell itself
                col = openpyxl.utils.column_index_from_string(m.group(1)) - 1
                assert header[col] == "人均纯收入（元）"
            checked += 1
    assert checked > 100


def test_junit_one_case_per_rule_and_failures(county: dict[str, Any]) -> None:
    import xml.etree.ElementTree as ET

    root = ET.parse(county["junit"]).getroot()
    assert root.tag == "testsuites"
    # Each rule's own case; a further failed finding of a rule is a case "<rule> · <household>".
    cases = {c.get("name").split()[0]: c for c in root.iter("testcase")
             if " · " not in c.get("name")}
    by_rule = county["report"]["summary"]["by_rule"]
    not_run = {n["rule"]: n for n in county["report"]["rules_not_run"]}
    summary = county["report"]["summary"]
    extra = summary["blocking_findings"] - summary["blocking_rules"]
    assert len(list(root.iter("testcase"))) == len(by_rule) + len(not_run) + extra
    assert set(cases) == set(by_rule) | set(not_run) and not set(by_rule) & set(not_run)
    failed = {code for code, c in cases.items() if c.find("failure") is not None}
    # A <failure> is what the exit code counts: violated findings at or above --fail-on (fail);
    # rules with findings below it list them in <system-out> (docs/exit-codes.md).
    assert failed == {code for code, r in by_rule.items()
                      if r["violated_findings"] > 0 and r["severity"] == "fail"}
    below = {code for code, r in by_rule.items()
             if r["violated_findings"] > 0 and r["severity"] != "fail"}
    assert below and all("--fail-on=fail" in (cases[c].find("system-out").text or "")
                         for c in below)
    errors = {code for code, c in cases.items() if c.find("error") is not None}
    absent = {code for code, n in not_run.items() if n["reason"] == "fields_absent"}
    assert errors == {code for code, r in by_rule.items()
                      if r["not_evaluated_findings"] > 0} | absent
    # The 2019 sample has no 合规自付支出 column: RISK005 is one error, not 100+ households.
    assert "RISK005" in absent and not_run["RISK005"]["names"] == ["compliant_out_of_pocket"]
    # Monitoring-era checks that need a column the 2014-2020 export lacks are reported the same
    # way (one error naming the column), never as passed or as a violation per household.
    mapped = {f for i in county["report"]["inputs"] for f in i.get("mapping", {})}
    for code in absent:
        assert not_run[code]["names"] and not set(not_run[code]["names"]) & mapped, code
    assert "合规自付支出" in cases["RISK005"].find("error").get("message")
    # Rules with no parameter value for 2019 (the monitoring line) are skipped, never passed.
    skipped = {code for code, c in cases.items() if c.find("skipped") is not None}
    assert skipped == set(not_run) - absent and "RISK001" in skipped
    assert int(root.get("tests")) == len(by_rule) + len(not_run) + extra
    # JUnit's failures = the findings the exit code and the verdict count (8 in the sample).
    fail_findings = sum(r["violated_findings"] for code, r in by_rule.items() if code in failed)
    assert int(root.get("failures")) == fail_findings == summary["blocking_findings"] == 8
    assert summary["blocking_rules"] == len(failed)
    assert int(root.get("errors")) == len(errors) and int(root.get("skipped")) == len(skipped)
    report_rules = county["report"]["findings"]
    assert not any(f["rule"] in not_run for f in report_rules)
    inc = [c.find("failure") for c in root.iter("testcase")
           if c.get("name").startswith("INC001 ") and c.find("failure") is not None]
    assert inc and all(f.get("type") == "fail" for f in inc)
    inc_text = "\n".join(f.text for f in inc)
    for hh, kinds in county["truth"]["households"].items():
        if "income_below_line" in kinds:
            assert hh in inc_text


def test_format_json_stdout_is_the_report(tmp_path: Path, county: dict[str, Any]) -> None:
    res = run_cli("audit", COUNTY_XLSX, "--format", "json", "--no-excel", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)  # nothing but JSON on stdout
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.validate(report, schema)
    assert report["schema"] == "exitcheck.report/1"
    assert list(tmp_path.iterdir()) == []  # --no-excel: nothing written
    for info in report["inputs"]:
        assert info["sha256"] == sha256(Path(info["path"]))
        assert info["rows_read"] == info["member_rows"] + sum(info["rows_skipped"].values())
        assert info["reconciled"] is True
    # --json PATH writes the same report.
    assert report == county["report"]


def test_gb18030_csv_finds_the_same_failing_households(tmp_path: Path,
                                                      county: dict[str, Any]) -> None:
    res = run_cli("audit", COUNTY_CSV, "--format", "json", "--no-excel", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)
    assert report["inputs"][0]["encoding"] == "gb18030"
    assert (report["summary"]["households"], report["summary"]["members"]) == (500, 1866)

    def inc001(r: dict[str, Any]) -> set[str]:
        return {f["household_id"] for f in r["findings"]
                if f["rule"] == "INC001" and f["status"] == "violated"}

    assert inc001(report) == inc001(county["report"])
    planted = {h for h, k in county["truth"]["households"].items() if "income_below_line" in k}
    assert inc001(report) == planted
    # The thousands separator / full-width controls are read as numbers in the CSV too.
    controls = {h for h, k in county["truth"]["controls"].items()
                if set(k) & {"thousands_separator", "fullwidth_digits"}}
    assert not {f["household_id"] for f in report["findings"]
                if f["rule"] in ("INC001", "DQ020", "DQ092")} & controls


def test_lang_en(tmp_path: Path) -> None:
    res = run_cli("audit", COUNTY_XLSX, "--lang", "en", "-o", tmp_path / "en.xlsx",
                  "--json", tmp_path / "en.json", "--junit", tmp_path / "en.xml", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "households" in res.stdout
    assert "户数" not in res.stdout and "退出码" not in res.stdout
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx", read_only=True)
    assert wb.sheetnames == ["Overview", "Failing households", "At-risk households",
                             "Data issues", "By village", "Rules", "All findings"]
    report = json.loads((tmp_path / "en.json").read_text("utf-8"))
    assert report["run"]["lang"] == "en"
    inc = next(f for f in report["findings"] if f["rule"] == "INC001")
    assert re.search(r"[A-Za-z]{4}", inc["message"]) and "元" not in inc["message"]
    junit = (tmp_path / "en.xml").read_text("utf-8")
    assert "户未通过" not in junit
    # Notes of the run are English too: the inferred year and region, the rules not run.
    notes = report["notes"]
    assert any(n.startswith("audit year 2019 inferred from the data's 脱贫年度") for n in notes)
    assert any(n.startswith("region 四川省 (51) inferred: 100% of ID numbers") for n in notes)
    assert any(n.startswith("RISK001, RISK006, RISK007 — not run: parameter "
                            "monitoring_income_line has no value for 2019") for n in notes)
    assert ("RISK005 — not evaluated: the input has no Compliant out-of-pocket medical spending "
            "(合规自付支出) column (125 households it applies to; not counted as passed)") in notes
    assert not any(re.search(r"[推断未运行]", n) for n in notes), notes


def test_default_language_is_chinese(county: dict[str, Any]) -> None:
    out = county["res"].stdout
    assert "共 500 户 1866 人" in out
    assert "households" not in out
    assert county["report"]["run"]["lang"] == "zh"


def test_monitoring_export(tmp_path: Path) -> None:
    res = run_cli("audit", MONITORING_XLSX, "-o", tmp_path / "m.xlsx", "--json",
                  tmp_path / "m.json", cwd=tmp_path)
    assert res.returncode in (0, 1), res.stderr
    report = json.loads((tmp_path / "m.json").read_text("utf-8"))
    run = report["run"]
    assert (run["year"], run["region"], run["region_origin"]) == (2023, "52", "inferred")
    params = {p["name"]: p for p in report["parameters"]}
    assert params["monitoring_income_line"]["value"] == 7300
    assert params["monitoring_income_line"]["region"] == "52"
    truth = json.loads((SAMPLE_DATA / "monitoring_2023.truth.json").read_text("utf-8"))
    violated = violated_by_household(report)
    risk_rules = {
        # A 脱贫户 below the monitoring line and not monitored (RISK006) / below the line
        # (RISK001).
        "income_below_line": {"RISK001", "RISK006"},
        "risk_eliminated_below_line": {"RISK007"},
        "elimination_too_soon": {"RISK008", "RISK009"},
    }
    for kind, rules in risk_rules.items():
        households = [h for h, k in truth["households"].items() if kind in k]
        assert households, kind
        for hh in households:
            assert rules & violated.get(hh, set()), (hh, kind, sorted(violated.get(hh, ())))
    for hh, kinds in truth["households"].items():
        for kind in kinds:
            if DEFECT_RULES.get(kind, set()) and next(iter(DEFECT_RULES[kind])).startswith("DQ"):
                assert DEFECT_RULES[kind] & violated.get(hh, set()), (hh, kind)
    # The monitoring export has no 不愁吃/不愁穿 columns: 两不愁 was not checked, and every
    # report says so instead of showing a family with nothing failing.
    not_run = {n["rule"]: n for n in report["rules_not_run"]}
    assert {not_run[c]["names"][0] for c in ("FOOD001", "FOOD002")} == {
        "food_secure", "clothing_secure"}
    food = report["summary"]["by_family"]["FOOD"]
    assert (food["rules"], food["rules_not_run"], food["audited"]) == (0, 2, 0)
    assert "未运行规则" in res.stdout and "FOOD001" in res.stdout


def test_monitoring_export_reports_unmet_basic_needs(tmp_path: Path) -> None:
    """sample_data/README.md: out_of_school, no_medical_insurance, dangerous_house and
    water_unsafe planted in 脱贫户 of the monitoring export "must be reported" (by some rule)."""
    res = run_cli("audit", MONITORING_XLSX, "--format", "json", "--no-excel", cwd=tmp_path)
    report = json.loads(res.stdout)
    truth = json.loads((SAMPLE_DATA / "monitoring_2023.truth.json").read_text("utf-8"))
    violated = violated_by_household(report)
    kinds = ("out_of_school", "no_medical_insurance", "dangerous_house", "water_unsafe")
    unreported = sorted((hh, kind) for hh, ks in truth["households"].items() for kind in ks
                        if kind in kinds and not violated.get(hh))
    assert unreported == []


# --- formula injection -------------------------------------------------------------------

FORMULA_LIKE = ("=1+2", "@SUM(A1)", "+86123", "-2+3")


def write_plain_xlsx(frame: Any, truth: Any, path: Path) -> Path:
    """The generated registry as a one-header-row xlsx whose text cells stay text (the sample
    writer lets xlsxwriter turn "=..." into formulas, which no registry export contains)."""
    cols = columns_for(frame, truth)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_numbers": False})
    ws = wb.add_worksheet("贫困人口明细")
    ws.write_row(0, 0, [c.header for c in cols])
    for j, c in enumerate(cols):
        values = frame[c.field].astype(object).where(frame[c.field].notna(), None).tolist()
        for i, value in enumerate(values):
            if value is not None:
                ws.write(i + 1, j, value)
    wb.close()
    return path


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    frame, truth = generate_county(20, seed=11)
    failing = truth.households_with("income_below_line")[0]
    checksum = truth.members_with("id_bad_checksum")[0]
    names = frame["name"].to_numpy(dtype=object).copy()
    positions = np.flatnonzero((frame["household_id"] == failing).to_numpy())
    for pos, text in zip(positions, FORMULA_LIKE, strict=False):
        names[pos] = text
    names[np.flatnonzero((frame["member_id"] == checksum).to_numpy())[0]] = "=HYPERLINK(1)"
    frame["name"] = names
    frame.loc[frame["household_id"] == failing, "village"] = "=cmd|' /C calc'!A0"
    src = write_plain_xlsx(frame, truth, tmp_path / "inj.xlsx")
    rows = positions

    res = run_cli("audit", src, "-o", tmp_path / "out.xlsx", "--json", tmp_path / "o.json",
                  cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    planted = {*FORMULA_LIKE[: len(rows)], "=HYPERLINK(1)", "=cmd|' /C calc'!A0"}
    seen: set[str] = set()
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    pytest.fail(f"formula in {ws.title}!{cell.coordinate}: {cell.value}")
                if isinstance(cell.value, str) and cell.value in planted:
                    assert cell.data_type == "s"
                    seen.add(cell.value)
    # The head's name and the village are shown in 未达标户, the member's name in 明细.
    assert {"=HYPERLINK(1)", "=cmd|' /C calc'!A0"} <= seen
    assert seen & set(FORMULA_LIKE)
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


def test_hand_written_registry_formula_text(tmp_path: Path) -> None:
    """A small hand-written registry (xlsxwriter, strings not turned into formulas)."""
    src = tmp_path / "hand.xlsx"
    wb = xlsxwriter.Workbook(str(src), {"strings_to_formulas": False})
    ws = wb.add_worksheet("明细")
    header = ["县", "乡", "村", "户编号", "姓名", "证件号码", "与户主关系", "家庭人口数",
              "脱贫标志", "人均纯收入"]
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, ["广安区", "代市镇", "@村", "5116021012010001", "=1+2",
                        "511602198001011236", "户主", 1, "已脱贫", 1000])
    wb.close()
    res = run_cli("audit", src, "--year", "2019", "-o", tmp_path / "out.xlsx", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    out = openpyxl.load_workbook(tmp_path / "out.xlsx")
    head, table = sheet_rows(out, "未达标户")
    row = dict(zip(head, table[0], strict=True))
    assert row["户主姓名"] == "=1+2" and row["村"] == "@村"
    cell = out["未达标户"].cell(2, head.index("户主姓名") + 1)
    assert cell.data_type == "s" and cell.quotePrefix
