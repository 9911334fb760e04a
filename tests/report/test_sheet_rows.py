"""Rows handed to xlsxwriter as XML (report/sheet_rows.py) read back exactly as the rows it
writes cell by cell: values, types, styles, whitespace, escapes, blank cells and rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.report import sheet_rows
from exitcheck.report import tables as T
from exitcheck.report.excel import _Writer

TRICKY = [
    "广安区", "", "a & b < c > d", "=SUM(A1)", "+86 138", "-5", "@home", "\tindent",
    " leading space", "trailing space ", "\u3000全角空格\u3000", "ctrl\x01\x1fchar",
    "_x0041_ literal escape", "line\nbreak", 'quote "q"', "emoji 😀", "\ufffe odd", "x",
]


def _table(n: int = len(TRICKY)) -> T.Table:
    rng = np.random.default_rng(7)
    text = [TRICKY[i % len(TRICKY)] for i in range(n)]
    money = rng.normal(5000, 3000, n).round(2)
    money[::5] = np.nan
    count = rng.integers(0, 10**9, n).astype(float)
    count[::7] = np.nan
    share = rng.random(n)
    frame = pd.DataFrame({
        "t": pd.Series(text, dtype=object),
        "m": money,
        "c": count,
        "p": share,
        "t2": pd.Series([TRICKY[(i * 5) % len(TRICKY)] for i in range(n)], dtype=object),
    })
    frame.loc[3, ["t", "m", "c", "p", "t2"]] = ["", np.nan, np.nan, np.nan, ""]  # empty row
    return T.Table(frame, ["文本", "金额", "人数", "比例", "文本2"],
                   [T.TEXT, T.MONEY, T.INT, T.PERCENT, T.TEXT])


def _write(path: Path, table: T.Table, *, xml: bool, monkeypatch: pytest.MonkeyPatch,
           first_col: int = 0) -> Path:
    with monkeypatch.context() as m:
        if not xml:
            m.setattr(sheet_rows, "usable", lambda ws, row, n: False)
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False,
                                               "strings_to_numbers": False})
        w = _Writer(book, show_ids=True)
        ws = book.add_worksheet("列表")
        end = w.table(ws, 0, table, first_col)
        w.string(ws, end + 1, 0, "表后一行")  # a row written after the table, through the API
        book.close()
    return path


def _cells(path: Path) -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)["列表"]
    out = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                out.append((c.coordinate, c.value, c.data_type, c.number_format,
                            c.quotePrefix, c.font.name, c.alignment.wrap_text))
    out.append(("dimensions", ws.dimensions))
    return out


@pytest.mark.parametrize(("first_col", "block"), [(0, 20_000), (2, 20_000), (1, 7)])
def test_xml_rows_read_back_like_cell_by_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               first_col: int, block: int) -> None:
    monkeypatch.setattr(sheet_rows, "_BLOCK", block)  # 7: rows built in blocks, one blank
    table = _table(60)
    fast = _write(tmp_path / "fast.xlsx", table, xml=True, monkeypatch=monkeypatch,
                  first_col=first_col)
    slow = _write(tmp_path / "slow.xlsx", table, xml=False, monkeypatch=monkeypatch,
                  first_col=first_col)
    got, want = _cells(fast), _cells(slow)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        # xlsxwriter writes 16 significant digits, the XML rows Arrow's shortest exact text
        if isinstance(a[1], float):
            assert a[1] == pytest.approx(b[1], rel=1e-15)
            a, b = a[:1] + a[2:], b[:1] + b[2:]
        assert a == b
    values = {v for _, v, *_ in got}
    # openpyxl shows Excel's _xHHHH_ escapes as they are stored
    assert "a & b < c > d" in values and "ctrl_x0001__x001F_char" in values
    assert "_x005F_x0041_ literal escape" in values and " leading space" in values
    assert "\u3000全角空格\u3000" in values and "表后一行" in values


def test_formula_like_text_is_quoted_not_evaluated(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _write(tmp_path / "fast.xlsx", _table(), xml=True, monkeypatch=monkeypatch)
    ws = openpyxl.load_workbook(fast)["列表"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=SUM(A1)")
    assert cell.data_type == "s" and cell.quotePrefix


def test_infinite_number_falls_back_to_cell_by_cell(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table()
    table.frame.loc[1, "m"] = np.inf
    assert sheet_rows.number_text(table.frame["m"].to_numpy()) is None
    path = tmp_path / "inf.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    ws = book.add_worksheet("列表")
    _Writer(book, show_ids=True).table(ws, 0, table)
    book.close()
    cells = {c.coordinate: c.value for row in openpyxl.load_workbook(path)["列表"].iter_rows()
             for c in row}
    assert cells["B3"] == "=1/0"  # xlsxwriter's nan_inf_to_errors: an error cell, as before
    assert cells["A2"] == TRICKY[0]  # the rest of the table is there too


def test_not_usable_without_constant_memory(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = book.add_worksheet()
    assert not sheet_rows.usable(ws, 1, 5)
    book.close()


def _escape_reference(text: str) -> str:
    """xlsxwriter's inline-string escapes (worksheet._write_cell, constant_memory), one text."""
    text = re.sub("(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    text = re.sub(r"([\x00-\x08\x0b-\x1f])", lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Characters the escapes act on, often; any other character (no surrogates: not UTF-8) too.
_CHARS = st.sampled_from(list("_x0aF<>&\x01\x1f\ufffe 文")) | st.characters(codec="utf-8")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=_CHARS, max_size=12), min_size=1, max_size=30))
def test_escape_matches_xlsxwriter(texts: list[str]) -> None:
    got = sheet_rows.escape(pa.array(texts, type=pa.string())).to_pylist()
    assert got == [_escape_reference(t) for t in texts]


def test_rich_string_lookalike_is_escaped(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """xlsxwriter writes a text that starts with <r> and ends with </r> as raw XML (its rich
    strings); the XML rows escape it like any text, so a cell cannot inject XML."""
    frame = pd.DataFrame({"t": pd.Series(["<r><t>x</t></r>", "ok"], dtype=object)})
    table = T.Table(frame, ["文本"], [T.TEXT])
    ws = openpyxl.load_workbook(_write(tmp_path / "r.xlsx", table, xml=True,
                                       monkeypatch=monkeypatch))["列表"]
    assert ws["A2"].value == "<r><t>x</t></r>" and ws["A3"].value == "ok"


def _row_numbers(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]


def test_last_row_stays_pending_for_a_later_height(tmp_path: Path) -> None:
    """The overview sets row heights after a table is written: the table's last row is still
    xlsxwriter's pending row, so its height lands and no row is written twice."""
    path = tmp_path / "h.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("列表")
    w = _Writer(book, show_ids=True)
    table = _table(30)
    end = w.table(ws, 0, table)
    ws.set_row(end - 1, 42)  # the last data row
    w.string(ws, end + 1, 0, "表后一行")
    book.close()
    rows = _row_numbers(path)
    assert len(rows) == len(set(rows)) and rows == sorted(rows)
    sheet = openpyxl.load_workbook(path)["列表"]
    assert sheet.row_dimensions[end].height == 42
    assert sheet.cell(end + 2, 1).value == "表后一行"


def test_rows_with_a_height_set_ahead_are_written_cell_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "ahead.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("列表")
    ws.set_row(5, 33)
    assert not sheet_rows.usable(ws, 1, 10) and sheet_rows.usable(ws, 6, 10)
    _Writer(book, show_ids=True).table(ws, 0, _table(30))
    book.close()
    rows = _row_numbers(path)
    assert len(rows) == len(set(rows))
    assert openpyxl.load_workbook(path)["列表"].row_dimensions[6].height == 33
