"""The terminal report: zh and en, 80 columns, no colour, key numbers present."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from report_fixtures import BAD_ID, _finding, hid
from rich.console import Console

from exitcheck.aggregate import summarize
from exitcheck.engine.result import AuditResult
from exitcheck.report.console import render_console


def _render(result: AuditResult, lang: str, fail_on: str = "fail", **kw: object) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=80, no_color=True, record=True)
    render_console(result, summarize(result, fail_on=fail_on), console, lang=lang,
                   **kw)  # type: ignore[arg-type]
    return console.export_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fits_80_columns_without_colour(result: AuditResult, lang: str) -> None:
    buf = io.StringIO()
    console = Console(file=buf, width=80, no_color=True)
    render_console(result, summarize(result, fail_on="fail"), console, lang=lang,
                   outputs={"Excel": Path("out/audit.xlsx")})
    text = buf.getvalue()
    assert "\x1b[" not in text
    from rich.cells import cell_len

    assert max(cell_len(line) for line in text.splitlines()) <= 80


def test_chinese_report(result: AuditResult) -> None:
    text = _render(result, "zh", outputs={"Excel": Path("out/audit.xlsx"),
                                          "JSON": Path("out/audit.json")})
    assert "共 20 户" in text
    assert "county_2019.xlsx" in text and "成员表" in text and "空行 2" in text
    assert "3750 元/人·年" in text and "未核实" in text
    for label in ("一超过", "两不愁", "义务教育", "基本医疗", "住房安全", "饮水安全",
                  "返贫风险", "数据质量"):
        assert label in text
    assert "2 (13.3%)" in text  # INC: 2 of 15 audited households violated
    assert "3 (20.0%)" in text  # FOOD: 3 of 15 not evaluated
    assert "INC001" in text and "东风村" in text
    assert "无法判定：4 条（4 户）" in text
    assert "out/audit.xlsx" in text and "out/audit.json" in text
    assert "退出码 1" in text and "7 条" in text  # 7 violated findings of severity fail


def test_ids_in_notes_are_masked(result: AuditResult) -> None:
    result.notes.append(f"豁免已过期：证件号码 {BAD_ID}")
    text = _render(result, "zh")
    assert BAD_ID not in text and f"{BAD_ID[:6]}********{BAD_ID[-4:]}" in text


def test_english_report(result: AuditResult) -> None:
    text = _render(result, "en")
    assert "20 households" in text
    assert "Income above line" in text and "Data quality" in text
    assert "Not evaluated: 4 findings" in text
    assert "exit code 1" in text


def test_ok_verdict(make_result: Callable[..., AuditResult]) -> None:
    result = make_result([_finding("DQ002", "violated", hid(14), "x", {})])
    text = _render(result, "zh", fail_on="fail")
    assert "没有达到 --fail-on=fail 的问题，退出码 0" in text
    text = _render(result, "zh", fail_on="never")
    assert "退出码 0" in text
