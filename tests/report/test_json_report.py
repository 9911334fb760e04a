"""The JSON report: schema validity, JSON safety, masking, writing to a file or stdout."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_fixtures import BAD_ID, EXIT_LINE, FAILING, hid

from exitcheck.aggregate import summarize
from exitcheck.engine.result import AuditResult
from exitcheck.errors import UsageError
from exitcheck.report.json_report import SCHEMA_ID, SCHEMA_PATH, build_report, write_json

EIGHTEEN = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")
# The schema as shipped in the source tree (the tests run from a checkout).
SCHEMA_FILE = Path(__file__).parents[2] / "src" / "exitcheck" / "report" / "report.schema.json"


def _schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema  # type: ignore[no-any-return]


def _report(result: AuditResult, **kw: Any) -> dict[str, Any]:
    return build_report(result, summarize(result, fail_on="fail"), **kw)


def test_schema_file_is_the_packaged_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")


def test_validates_against_schema(result: AuditResult) -> None:
    report = _report(result)
    jsonschema.Draft202012Validator(_schema()).validate(report)
    assert report["schema"] == SCHEMA_ID


def test_schema_rejects_broken_reports(result: AuditResult) -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    report = _report(result)
    report["findings"][0]["status"] = "passed"
    assert not validator.is_valid(report)
    report = _report(result)
    report["findings"][0]["values"]["phone"] = "13800001111"
    assert not validator.is_valid(report)
    report = _report(result)
    del report["summary"]["by_status"]
    assert not validator.is_valid(report)


def test_content(result: AuditResult) -> None:
    report = _report(result, lang="en")
    assert report["run"] == {"year": 2019, "as_of": "2019-12-31", "region": "51",
                             "region_name": "四川省", "region_origin": "inferred",
                             "fail_on": "fail", "lang": "en", "show_ids": False}
    (inp,) = report["inputs"]
    assert inp["rows_skipped"] == {"blank": 2, "total": 1}
    assert inp["rows_read"] == inp["member_rows"] + 3
    line = next(p for p in report["parameters"] if p["name"] == "exit_income_line")
    assert line["value"] == EXIT_LINE and line["effective_from"] == "2019-01-01"
    assert line["verified"] is True
    s = report["summary"]
    assert s["households"] == 20 and s["exit_code"] == 1
    assert s["by_status"] == {"violated": 12, "not_evaluated": 4, "exempted": 1}
    assert s["by_family"]["INC"]["violated"] == 2
    assert s["by_rule"]["FOOD001"]["not_evaluated_households"] == 3
    assert s["by_severity"]["fail"]["violated_households"] == len(FAILING)
    assert len(report["findings"]) == len(result.findings)
    households = {h["household_id"]: h for h in report["households"]}
    assert households[hid(12)]["per_capita_net_income"] is None  # NA -> null
    assert households[hid(3)]["verdict"] == "fail"


def test_json_safe_and_masked(result: AuditResult) -> None:
    report = _report(result)
    text = json.dumps(report, ensure_ascii=False, allow_nan=False)  # no NaN, no numpy
    assert EIGHTEEN.search(text) is None
    assert BAD_ID not in text
    assert "13800001111" not in text and "bank_account" not in text
    dq = next(f for f in report["findings"] if f["rule"] == "DQ001")
    assert dq["values"]["id_number"] == f"{BAD_ID[:6]}********{BAD_ID[-4:]}"
    assert "********" in dq["message"]


def test_show_ids(result: AuditResult) -> None:
    text = json.dumps(_report(result, show_ids=True), ensure_ascii=False)
    assert BAD_ID in text
    assert "13800001111" not in text


def test_write_file_stdout_and_stream(
    result: AuditResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(result)
    path = tmp_path / "report.json"
    write_json(report, path)
    assert json.loads(path.read_text(encoding="utf-8")) == report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county_2019.xlsx", "report.json"]
    write_json(report, "-")
    assert json.loads(capsys.readouterr().out) == report
    buf = io.StringIO()
    write_json(report, buf)
    assert json.loads(buf.getvalue())["schema"] == SCHEMA_ID


def test_write_over_input_refused(result: AuditResult, input_file: Path) -> None:
    before = input_file.read_bytes()
    with pytest.raises(UsageError):
        write_json(_report(result), input_file)  # inputs default to the report's inputs[]
    with pytest.raises(UsageError):
        write_json({"schema": SCHEMA_ID}, input_file, inputs=[input_file])
    assert input_file.read_bytes() == before


def test_ids_in_notes_are_masked(result: AuditResult) -> None:
    result.notes.append(f"豁免已过期：证件号码 {BAD_ID}")
    text = json.dumps(_report(result), ensure_ascii=False)
    assert BAD_ID not in text and f"{BAD_ID[:6]}********" in text


def test_empty_audit_validates(make_result: Callable[..., AuditResult]) -> None:
    result = make_result([])
    report = _report(result)
    jsonschema.Draft202012Validator(_schema()).validate(report)
    assert report["findings"] == [] and report["households"] == []
    assert report["summary"]["exit_code"] == 0


def test_unreconciled_rows_are_said_in_the_report_language(result: AuditResult) -> None:
    result.registry.inputs[0].rows_read += 1  # a row neither audited nor skipped
    try:
        en = summarize(result, fail_on="fail", lang="en")
        zh = summarize(result, fail_on="fail", lang="zh")
    finally:
        result.registry.inputs[0].rows_read -= 1
    assert not en.rows_reconciled
    assert any(n.startswith("rows do not reconcile") for n in en.notes)
    assert any(n.startswith("行数不平") for n in zh.notes)


def test_records_are_json_values_whatever_the_dtype() -> None:
    import numpy as np
    import pandas as pd

    from exitcheck.report.json_report import _records

    frame = pd.DataFrame({
        "f": [1.5, np.nan, np.inf], "F": pd.array([1.0, None, 2.0], dtype="Float64"),
        "i": [1, 2, 3], "I": pd.array([1, None, 3], dtype="Int64"),
        "b": [True, False, True], "B": pd.array([True, None, False], dtype="boolean"),
        "s": pd.array(["a", None, "c"], dtype="string"), "o": ["x", None, np.int64(7)],
    })
    rows = _records(frame)
    assert rows[0] == {"f": 1.5, "F": 1.0, "i": 1, "I": 1, "b": True, "B": True, "s": "a",
                       "o": "x"}
    assert rows[1] == {"f": None, "F": None, "i": 2, "I": None, "b": False, "B": None,
                       "s": None, "o": None}
    assert rows[2]["f"] is None and rows[2]["o"] == 7 and type(rows[2]["I"]) is int
    json.dumps(rows, allow_nan=False)  # strict JSON: no NaN or Infinity
