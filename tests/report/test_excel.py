"""The audit workbook, read back with openpyxl: sheets, content, masking, safety, atomic write."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import AT_RISK, BAD_ID, FAILING, FORMULA_NAMES, RULES, hid

from exitcheck.aggregate import summarize
from exitcheck.engine.result import AuditResult
from exitcheck.errors import UsageError
from exitcheck.report import excel
from exitcheck.report.excel import display_width, write_workbook
from exitcheck.report.mask import mask_id

ZH_SHEETS = ["概览", "未达标户", "返贫风险户", "数据问题", "按村统计", "规则说明", "明细"]
EN_SHEETS = ["Overview", "Failing households", "At-risk households", "Data issues",
             "By village", "Rules", "All findings"]
EIGHTEEN = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")


def _write(result: AuditResult, path: Path, **kw: object) -> openpyxl.Workbook:
    write_workbook(result, summarize(result, fail_on="fail"), path, **kw)  # type: ignore[arg-type]
    return openpyxl.load_workbook(path)


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def _all_ids(result: AuditResult) -> set[str]:
    return set(result.registry.members["id_number"]) | {BAD_ID}


def test_sheets_headers_and_counts(result: AuditResult, tmp_path: Path) -> None:
    wb = _write(result, tmp_path / "audit.xlsx")
    assert wb.sheetnames == ZH_SHEETS
    failing = _rows(wb["未达标户"])
    assert list(failing[0]) == ["乡镇", "村", "户编号", "户主姓名", "户主证件号码", "脱贫标志",
                                "人均纯收入（元）", "未通过规则", "原因", "无法判定的规则"]
    assert {r["户编号"] for r in failing} == FAILING
    assert {r["户编号"] for r in _rows(wb["返贫风险户"])} == AT_RISK
    assert {r["规则"] for r in _rows(wb["规则说明"])} == {r.code for r in RULES}
    assert len(_rows(wb["明细"])) == len(result.findings)
    data = _rows(wb["数据问题"])
    assert {r["规则"] for r in data} == {"DQ001", "DQ002"}
    assert any(r["来源单元格"] == "贫困人口明细!G17" for r in data)
    villages = _rows(wb["按村统计"])
    assert sum(r["户数"] for r in villages) == 20  # type: ignore[misc]


def test_known_failing_household(result: AuditResult, tmp_path: Path) -> None:
    wb = _write(result, tmp_path / "audit.xlsx")
    row = next(r for r in _rows(wb["未达标户"]) if r["户编号"] == hid(3))
    head = result.registry.members.query("household_id == @hid(3) and relation == '户主'")
    raw_id = head["id_number"].iloc[0]
    assert row["户主证件号码"] == mask_id(raw_id) == f"{raw_id[:6]}********{raw_id[-4:]}"
    assert row["户主姓名"] == "张3"
    assert row["人均纯收入（元）"] == 3500
    assert "INC001" in str(row["未通过规则"]) and "MED001" in str(row["未通过规则"])
    assert "人均纯收入 3500 元，未超过脱贫标准 3750 元" in str(row["原因"])
    ws = wb["未达标户"]
    income_cell = ws.cell(row=2, column=7)
    assert income_cell.number_format == "#,##0.00"


def test_overview_and_percent_format(result: AuditResult, tmp_path: Path) -> None:
    wb = _write(result, tmp_path / "audit.xlsx")
    ws = wb["概览"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    texts = [str(c.value) for c in cells]
    assert "使用的参数" in texts and "按类别核查结果" in texts
    assert "未核实" in texts  # the unverified parameter is marked
    inc = next(c for c in cells if c.value == "一超过")
    # label, audited, passed, violated, share, not evaluated, exempted, rules not run
    head = next(c for c in cells if c.value == "未运行规则")
    assert head.column == inc.column + 7 and head.row < inc.row
    share = ws.cell(row=inc.row, column=inc.column + 4)
    assert share.value == pytest.approx(2 / 15)
    assert share.number_format == "0.0%"


def test_formula_looking_text_stays_text(result: AuditResult, tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    wb = _write(result, path)
    names = {r["户编号"]: r for r in _rows(wb["未达标户"])}
    ws = wb["未达标户"]
    for h, name in FORMULA_NAMES.items():
        assert names[h]["户主姓名"] == name
    for row in ws.iter_rows(min_row=2):
        cell = row[3]
        assert cell.data_type == "s"
        if cell.value in FORMULA_NAMES.values():
            assert cell.quotePrefix  # shown as text, stays text when edited in Excel/WPS
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)  # no formula anywhere


def test_frozen_header_autofilter_and_widths(result: AuditResult, tmp_path: Path) -> None:
    wb = _write(result, tmp_path / "audit.xlsx")
    for name in ZH_SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    ws = wb["未达标户"]
    # 原因 holds long Chinese text: its column is wider than the 户编号 column.
    assert ws.column_dimensions["I"].width > ws.column_dimensions["C"].width >= 16


def test_display_width_counts_cjk_double() -> None:
    import pandas as pd

    assert display_width(pd.Series(["abc", "脱贫户"])) == 6
    assert display_width(pd.Series(["（元）"])) == 6


def test_native_charts_present(result: AuditResult, tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    _write(result, path)
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 3
        xml = "".join(z.read(n).decode() for n in charts)
    assert "<c:barChart>" in xml
    assert "3750" in xml  # the exit line is in the income chart's title
    assert "概览" in xml  # series read the overview's cells


def test_english_workbook(result: AuditResult, tmp_path: Path) -> None:
    wb = _write(result, tmp_path / "audit_en.xlsx", lang="en")
    assert wb.sheetnames == EN_SHEETS
    assert list(_rows(wb["Failing households"])[0])[:3] == ["Township", "Village",
                                                            "Household ID"]


def _zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_no_unmasked_id_anywhere(result: AuditResult, tmp_path: Path) -> None:
    result.notes.append(f"豁免已过期：证件号码 {BAD_ID}")
    path = tmp_path / "audit.xlsx"
    wb = _write(result, path)
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert EIGHTEEN.search(value) is None, (ws.title, value)
    raw = _zip_text(path)
    assert EIGHTEEN.search(raw) is None
    assert all(i not in raw for i in _all_ids(result))
    assert "13800001111" not in raw  # the phone in RISK002's values is stripped


def test_show_ids_unmasks(result: AuditResult, tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    _write(result, path, show_ids=True)
    raw = _zip_text(path)
    assert BAD_ID in raw
    assert "13800001111" not in raw  # contacts are never shown, even with show_ids


def test_atomic_replace_and_no_temp_left(result: AuditResult, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    path = out_dir / "audit.xlsx"
    path.write_bytes(b"old")
    _write(result, path)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in out_dir.iterdir()] == ["audit.xlsx"]


def test_failed_write_keeps_previous_file(
    result: AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    path = out_dir / "audit.xlsx"
    path.write_bytes(b"old")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel.T, "findings_table", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(result, summarize(result, fail_on="fail"), path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in out_dir.iterdir()] == ["audit.xlsx"]


def test_output_equal_to_input_is_refused(result: AuditResult, input_file: Path) -> None:
    before = input_file.read_bytes()
    with pytest.raises(UsageError) as err:
        write_workbook(result, summarize(result, fail_on="fail"), input_file)
    assert err.value.exit_code == 2
    assert input_file.read_bytes() == before
    # The same file through another spelling of its path is refused too.
    other = input_file.parent / "." / input_file.name
    with pytest.raises(UsageError):
        write_workbook(result, summarize(result, fail_on="fail"), other)
    assert sorted(p.name for p in input_file.parent.iterdir()) == [input_file.name]


def test_missing_output_folder(result: AuditResult, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="不存在"):
        write_workbook(result, summarize(result, fail_on="fail"), tmp_path / "no" / "a.xlsx")


def test_a_list_longer_than_a_sheet_continues_on_more_sheets(
    result: AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past Excel's row limit xlsxwriter drops rows silently: the list goes on in 明细 (2)..."""
    assert excel.SHEET_DATA_ROWS == 1_048_575  # Excel's 1,048,576 rows, less the header
    whole = _rows(_write(result, tmp_path / "one.xlsx")["明细"])
    assert len(whole) > 5
    monkeypatch.setattr(excel, "SHEET_DATA_ROWS", 2)
    wb = _write(result, tmp_path / "split.xlsx")
    parts = [n for n in wb.sheetnames if n == "明细" or n.startswith("明细 (")]
    assert parts == ["明细", *(f"明细 ({i})" for i in range(2, len(parts) + 1))]
    assert len(parts) == (len(whole) + 1) // 2
    rows = [r for name in parts for r in _rows(wb[name])]
    assert rows == whole  # every finding, in order, each part with its own header row
    assert all(wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref for name in parts)
    # Every list is split the same way, its parts kept together in the usual sheet order.
    bases = [re.sub(r" \(\d+\)$", "", n) for n in wb.sheetnames]
    assert list(dict.fromkeys(bases)) == ZH_SHEETS
    assert bases == sorted(bases, key=ZH_SHEETS.index)
