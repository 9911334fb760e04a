"""概览 as a dashboard and a printout (issue 11): read back with openpyxl and the drawing XML
(runs everywhere), and rendered by LibreOffice where `soffice` exists (skipped elsewhere)."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from exitcheck.aggregate import summarize
from exitcheck.engine.result import AuditResult
from exitcheck.report import excel
from exitcheck.report.excel import write_workbook

REPO = Path(__file__).resolve().parents[2]
FIRST_SCREEN_COLS = 10  # A..J: charts anchored there are seen on opening the sheet
FIRST_SCREEN_ROWS = 45


def _write(result: AuditResult, path: Path, lang: str = "zh") -> Path:
    write_workbook(result, summarize(result, fail_on="fail"), path, lang=lang)
    return path


def chart_anchors(path: Path) -> list[tuple[int, int]]:
    """(column, row), 0-based, of the top-left corner of every chart in the first sheet's
    drawing (openpyxl does not load charts back)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/drawings/drawing1.xml").decode()
    return [(int(c), int(r)) for c, r in re.findall(
        r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>-?\d+</xdr:colOff>"
        r"<xdr:row>(\d+)</xdr:row>", xml)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_within_the_first_screen(result: AuditResult, tmp_path: Path, lang: str) -> None:
    path = _write(result, tmp_path / "a.xlsx", lang)
    anchors = chart_anchors(path)
    assert len(anchors) == 3
    assert all(col < FIRST_SCREEN_COLS and row < FIRST_SCREEN_ROWS for col, row in anchors)
    # beside the tables, not over them: every table cell is left of the charts' column
    ws = openpyxl.load_workbook(path)[excel.MSG("sheet.overview", lang)]
    chart_col = min(col for col, _ in anchors)
    first_page = [c for row in ws.iter_rows(max_row=FIRST_SCREEN_ROWS) for c in row
                  if c.value is not None]
    assert max(c.column for c in first_page) <= chart_col  # openpyxl columns are 1-based


def test_verdict_first_frozen_titles_and_page_setup(result: AuditResult, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_write(result, tmp_path / "a.xlsx"))["概览"]
    assert ws["A1"].value == "脱贫退出核查报告"
    assert ws["A3"].value == "共 20 户 42 人" or str(ws["A3"].value).startswith("共 20 户")
    assert str(ws["A4"].value).startswith("结论：有 7 条达到 --fail-on=fail 的问题")
    assert str(ws["A5"].value).startswith("问题：未达标 7 条")
    assert ws.freeze_panes == "A6"
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1 is the default, which xlsxwriter leaves out), any number tall
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$5"
    assert ws.print_area is not None


def test_each_table_has_fitting_columns_and_parameters_come_last(
    result: AuditResult, tmp_path: Path
) -> None:
    ws = openpyxl.load_workbook(_write(result, tmp_path / "a.xlsx"))["概览"]
    sections = [(c.row, c.value) for c in ws["A"] if c.value and c.row > excel.TITLE_ROWS
                and c.font.color is not None and str(c.font.color.rgb).endswith("1F4E78")]
    names = [v for _, v in sections]
    assert names[:2] == ["按类别核查结果", "按乡镇统计"]
    assert names.index("使用的参数") > names.index("触发最多的规则")
    assert names[-1] == "说明" and names[-2] == "使用的参数"
    # Parameters by their Chinese names, first column
    row = dict((v, r) for r, v in sections)["使用的参数"]
    assert ws.cell(row=row + 1, column=1).value == "标题"
    assert ws.cell(row=row + 2, column=1).value == "义务教育适龄上限" or re.search(
        r"[\u4e00-\u9fff]", str(ws.cell(row=row + 2, column=1).value))
    # Numbers get a narrow column of their own, labels a wider one: no column holds both a
    # long title and a number (widths in characters, as Excel measures them).
    widths = {i: d.width for d in ws.column_dimensions.values() if d.width
              for i in range(d.min, d.max + 1)}  # openpyxl groups equal neighbours
    assert widths[1] >= 14
    for col in range(2, 9):  # B..H
        assert 6 <= widths[col] <= 20, (col, widths[col])


render = pytest.mark.skipif(
    not all(__import__("shutil").which(t) for t in ("soffice", "pdftoppm", "pdfinfo")),
    reason="needs LibreOffice (soffice) and poppler-utils to render 概览 to PDF",
)


@render
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_prints_on_two_pages(tmp_path: Path, lang: str) -> None:
    """The sample county's 概览 rendered by LibreOffice: A4 landscape, 1-2 pages."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import render_overview
    finally:
        sys.path.pop(0)
    pdf, pages, pngs = render_overview.render(render_overview.SAMPLE, tmp_path, lang)
    assert 1 <= pages <= 2
    assert len(pngs) == pages
    import subprocess

    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", size).groups())
    assert width > height  # landscape
    assert round(width) in (841, 842) and round(height) == 595  # A4 in points
