"""The xlsx body read in blocks (io/excel.py ``_cells``) gives exactly ``to_python()``'s grid:
same values, same Python types (1, 1.0 and True stay apart), wherever the used range starts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from exitcheck.io import excel

MIXED = ["是", "否", 1, 1.0, True, 0, False, "1", dt.date(2020, 1, 2), "", 3750.5, "是"]


def _write(path: Path, top_left: tuple[int, int], rows: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    r0, c0 = top_left
    for i in range(rows):
        values = [
            f"村{i % 3}",  # repeats: shared objects
            f"姓名{i}",  # unique: left alone
            float(i % 5) + 0.5,  # floats that repeat
            MIXED[i % len(MIXED)],  # every type in one column
            None if i % 3 else "x",  # mostly empty
        ]
        for j, v in enumerate(values):
            if v is not None:
                ws.cell(r0 + i, c0 + j, v)
    wb.save(path)
    return path


@pytest.mark.parametrize("top_left", [(1, 1), (4, 3)])
@pytest.mark.parametrize("block", [7, 16_384])
def test_block_read_equals_to_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     top_left: tuple[int, int], block: int) -> None:
    monkeypatch.setattr(excel, "_BLOCK_ROWS", block)
    monkeypatch.setattr(excel, "_SAMPLE", 6)  # the repetition test runs on small blocks too
    path = _write(tmp_path / "b.xlsx", top_left, 60)
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    want = sheet.to_python()
    got = excel._cells(sheet, sheet.start[0])
    assert got.shape == (len(want), len(want[0]))
    for i, row in enumerate(want):
        assert [type(v) for v in got[i]] == [type(v) for v in row]
        assert list(got[i]) == row
    # repeated texts share one object; the mixed column keeps 1, 1.0 and True apart
    villages = got[:, 0]
    assert villages[0] is villages[3] and villages[0] == "村0"
    assert {float, bool, str} <= {type(v) for v in got[:, 3]}


def test_count_that_does_not_add_up_falls_back_to_to_python(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "f.xlsx", (2, 2), 20)
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    want = sheet.to_python()
    # A reader whose iter_rows started at the used range would skip real rows: row0 too large.
    got = excel._cells(sheet, sheet.start[0] + 5)
    assert got.shape == (len(want), len(want[0]))
    assert all(list(got[i]) == row for i, row in enumerate(want))


def test_audit_reads_a_sheet_starting_below_and_right(tmp_path: Path) -> None:
    """The whole read on an offset sheet: header found, cells cited at their real place."""
    from exitcheck.io.reader import read_tables

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "明细"
    ws.cell(3, 2, "县"), ws.cell(3, 3, "姓名"), ws.cell(3, 4, "证件号码")
    for i in range(40):
        ws.cell(4 + i, 2, "广安区")
        ws.cell(4 + i, 3, f"姓名{i}")
        ws.cell(4 + i, 4, 511602199001011000 + i if i == 5 else f"51160219900101{i:04d}")
    wb.save(tmp_path / "o.xlsx")
    table = read_tables(tmp_path / "o.xlsx")[0]
    assert table.columns == ["县", "姓名", "证件号码"]
    assert table.column_letters == ["B", "C", "D"]
    assert table.rows[0] == 4 and table.rows[-1] == 43
    ids = table.data["证件号码"]
    assert isinstance(ids.iloc[5], int | float) and isinstance(ids.iloc[4], str)
    assert np.all(table.data["县"] == "广安区")
