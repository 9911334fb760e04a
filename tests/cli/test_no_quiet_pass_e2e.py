"""No quiet passes, true cells, masked contacts, outputs kept (issue 11, parts 4-7), through the
installed command on small files cut from the bundled sample, outputs read back."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cli_runner import SAMPLE_DATA, run_cli

SAMPLE_CSV = SAMPLE_DATA / "county_2019.csv"  # GB18030, one row per member
SCHEMA = SAMPLE_DATA.parent / "src" / "exitcheck" / "report" / "report.schema.json"
INCOME = "人均纯收入（元）"
SCOPE = ("--year", "2019", "--region", "51")
MOBILE, LANDLINE = "13912345678", "0838-2345678"


def _sample_rows(n: int) -> tuple[list[str], list[list[str]]]:
    with SAMPLE_CSV.open(encoding="gb18030", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1 : n + 1]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _valid(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON report as documented (report.schema.json), exit code 5 and members_missing too."""
    import jsonschema

    jsonschema.validate(report, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return report


def _workbook_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    book.close()
    return "\n".join(cells)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("quiet")
    header, rows = _sample_rows(100)
    out = {}
    # 1. the income header with a year and a unit around it: matches no field.
    near = [("2019年人均纯收入(元)" if h == INCOME else h) for h in header]
    out["near"] = _write(folder / "near.csv", near, rows)
    # 2. one row per household (the head's): no member rows.
    hid = header.index("户编号")
    seen: set[str] = set()
    heads = [r for r in rows if not (r[hid] in seen or seen.add(r[hid]))]  # type: ignore[func-returns-value]
    out["heads"] = _write(folder / "heads.csv", header, heads)
    # 3. the household's income on the second member's row only (the head's cell blank).
    out["two"] = _write(folder / "two.csv", ["户编号", "人编号", "姓名", "证件号码", "与户主关系",
                                             "脱贫标志", "家庭人口数", "人均纯收入"],
                        [["H1", "H1-1", "张三", "511602195403283789", "户主", "已脱贫", "2", ""],
                         ["H1", "H1-2", "李四", "511602195403163517", "配偶", "已脱贫", "2",
                          "3000"]])
    # 4. phone columns: a mobile and a fixed line.
    phones = [*header, "户联系电话", "信息采集人联系电话"]
    out["phones"] = _write(folder / "phones.csv", phones,
                           [[*r, MOBILE, LANDLINE] for r in rows[:40]])
    return out


def test_near_miss_header_names_the_columns_line(files: dict[str, Path], tmp_path: Path) -> None:
    res = run_cli("audit", files["near"], *SCOPE, "--no-excel", "--json", tmp_path / "r.json",
                  cwd=tmp_path)
    assert res.returncode in (1, 5), res.stderr
    line = '"2019年人均纯收入(元)": per_capita_net_income'
    assert line in res.stderr and "--columns" in res.stderr  # seen even with -q / --format json
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert any(line in n and "INC001" in n for n in report["notes"])
    assert "INC001" in {n["rule"] for n in report["rules_not_run"]}
    # The suggested line, put in a mapping file, makes INC001 run.
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"columns:\n  {line}\n", encoding="utf-8")
    res = run_cli("audit", files["near"], *SCOPE, "--no-excel", "--columns", mapping,
                  "--format", "json", cwd=tmp_path)
    mapped = json.loads(res.stdout)
    assert "INC001" in mapped["summary"]["by_rule"]
    assert not any(line in n for n in mapped["notes"])


def test_household_only_file_reports_member_rules_not_run(files: dict[str, Path],
                                                          tmp_path: Path) -> None:
    out = tmp_path / "heads.xlsx"
    res = run_cli("audit", files["heads"], *SCOPE, "-o", out, "--json", tmp_path / "r.json",
                  cwd=tmp_path)
    assert res.returncode in (1, 5), res.stderr
    report = _valid(json.loads((tmp_path / "r.json").read_text("utf-8")))
    missing = {n["rule"] for n in report["rules_not_run"] if n["reason"] == "members_missing"}
    assert {"EDU001", "MED001"} <= missing
    # Never passed: no member rule is counted as applied, EDU decided no household.
    assert not missing & set(report["summary"]["by_rule"])
    assert report["summary"]["by_family"]["EDU"]["passed"] == 0
    note = "成员表每户只有一行"
    assert any(note in n for n in report["notes"]) and note in res.stderr
    assert note in _workbook_text(out)


def test_incomplete_run_exit_code_and_allow_incomplete(files: dict[str, Path],
                                                       tmp_path: Path) -> None:
    # Only the education and medical rules, on a file without member rows: nothing to decide.
    args = ("audit", files["heads"], *SCOPE, "--select", "EDU,MED", "--no-excel")
    res = run_cli(*args, "--junit", tmp_path / "j.xml", "--json", tmp_path / "i.json",
                  cwd=tmp_path)
    assert res.returncode == 5, res.stdout + res.stderr
    summary = _valid(json.loads((tmp_path / "i.json").read_text("utf-8")))["summary"]
    assert summary["exit_code"] == 5 and summary["incomplete_families"] == ["EDU", "MED"]
    assert "核查不完整" in res.stderr and "--allow-incomplete" in res.stderr
    assert "退出码 5" in res.stdout and "义务教育" in res.stdout
    assert "Traceback" not in res.stderr
    ok = run_cli(*args, "--allow-incomplete", "--format", "json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    report = _valid(json.loads(ok.stdout))
    assert report["summary"]["exit_code"] == 0
    assert any("--allow-incomplete" in n for n in report["notes"])


def test_household_value_cites_the_row_it_was_read_from(files: dict[str, Path],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "two.xlsx"
    res = run_cli("audit", files["two"], *SCOPE, "-o", out, "--format", "json", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    inc = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "INC001"]
    assert len(inc) == 1 and "3000" in inc[0]["message"]
    assert inc[0]["location"] == "two.csv!H3"  # the second member's cell, not the head's H2
    book = openpyxl.load_workbook(out, read_only=True)
    cited = [row for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             if "INC001" in row and "two.csv!H3" in row]
    book.close()
    assert cited


def test_phone_read_by_a_user_rule_is_masked_everywhere(files: dict[str, Path],
                                                        tmp_path: Path) -> None:
    rules = tmp_path / "phone_rules.yaml"
    rules.write_text(
        "family: DQ\nrules:\n  - code: DQ901\n    name: contact.phone_filled\n"
        "    title: 户联系电话未填写\n    title_en: Phone blank\n    severity: error\n"
        "    level: household\n    require: isblank(phone)\n"
        "    message: 户联系电话 {phone}，采集人电话 {collector_phone}\n"
        "    message_en: phone {phone}, collector {collector_phone}\n"
        "    reference: docs/policy.md §6\n", encoding="utf-8")
    out = tmp_path / "p.xlsx"
    res = run_cli("audit", files["phones"], *SCOPE, "--rules", rules, "--fail-on", "error",
                  "-o", out, "--json", tmp_path / "p.json", "--junit", tmp_path / "p.xml",
                  cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    report = json.loads((tmp_path / "p.json").read_text("utf-8"))
    found = [f for f in report["findings"] if f["rule"] == "DQ901"]
    assert found and "139******78" in found[0]["message"]
    assert not any(k in f["values"] for f in found for k in ("phone", "collector_phone"))
    digits = re.compile(r"13912345678|2345678")
    for name, text in (("stdout", res.stdout), ("stderr", res.stderr),
                       ("json", (tmp_path / "p.json").read_text("utf-8")),
                       ("junit", (tmp_path / "p.xml").read_text("utf-8")),
                       ("workbook", _workbook_text(out))):
        assert not digits.search(text), name
    # --show-ids shows them (the user asked for it).
    shown = run_cli("audit", files["phones"], *SCOPE, "--rules", rules, "--no-excel",
                    "--show-ids", "--format", "json", cwd=tmp_path)
    assert MOBILE in shown.stdout
    # inspect names the columns treated as sensitive.
    insp = run_cli("inspect", files["phones"], "--format", "json", cwd=tmp_path)
    info = json.loads(insp.stdout)["inputs"][0]
    assert info["sensitive"] == ["户联系电话", "信息采集人联系电话"]


def test_junit_failures_match_exit_code_and_verdict(files: dict[str, Path],
                                                    tmp_path: Path) -> None:
    res = run_cli("audit", files["heads"], *SCOPE, "--no-excel", "--junit", tmp_path / "j.xml",
                  "--json", tmp_path / "j.json", "-q", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    root = ET.parse(tmp_path / "j.xml").getroot()
    failed = [c for c in root.iter("testcase") if c.find("failure") is not None]
    verdict = re.search(r"有 (\d+) 条达到 --fail-on=fail", res.stdout)
    assert verdict, res.stdout
    report: dict[str, Any] = json.loads((tmp_path / "j.json").read_text("utf-8"))
    fail = [f for f in report["findings"] if f["severity"] == "fail"
            and f["status"] == "violated"]
    # One failed test per finding: JUnit's failures, the verdict's count and the exit code's
    # findings are the same number.
    assert int(root.get("failures", "-1")) == len(failed) == int(verdict.group(1)) == len(fail)
    assert len(fail) == report["summary"]["blocking_findings"] > 0
    assert {c.get("name", "").split()[0] for c in failed} == {f["rule"] for f in fail}
    # Risk findings exist but are not JUnit failures at --fail-on=fail.
    assert any(f["severity"] == "risk" for f in report["findings"])


def test_outputs_kept_and_never_read_back(files: dict[str, Path], tmp_path: Path) -> None:
    """An existing output needs --force; a workbook written into the data folder under any name
    is not an input of the next run."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "two.csv").write_bytes(files["two"].read_bytes())
    args = ("audit", folder, *SCOPE, "-o", folder / "report.xlsx", "--json", tmp_path / "r.json")
    assert run_cli(*args, cwd=tmp_path).returncode == 1
    first = (folder / "report.xlsx").read_bytes()
    # An existing output is not replaced without --force: exit 2 naming it, nothing touched.
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 2 and "--force" in res.stderr and "report.xlsx" in res.stderr
    assert "Traceback" not in res.stderr and (folder / "report.xlsx").read_bytes() == first
    assert sorted(p.name for p in folder.iterdir()) == ["report.xlsx", "two.csv"]
    res = run_cli(*args, "--force", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert [Path(i["path"]).name for i in report["inputs"]] == ["two.csv"]
    book = openpyxl.load_workbook(folder / "report.xlsx", read_only=True)
    assert book.properties.creator == "exitcheck audit"
    book.close()
