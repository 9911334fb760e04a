"""Helpers that write real registry-like files for the read-stage tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter

MEMBER_HEADER = ["户编号", "姓名", "证件号码", "与户主关系", "人均纯收入（元）"]


def write_xlsx(path: Path, sheets: dict[str, Callable[[Any], None]]) -> Path:
    """One worksheet per entry; each callable fills its xlsxwriter worksheet."""
    book = xlsxwriter.Workbook(str(path))
    for name, fill in sheets.items():
        fill(book.add_worksheet(name))
    book.close()
    return path


def rows_writer(rows: list[list[object]], first_row: int = 0, first_col: int = 0):
    """A sheet filler writing ``rows`` (None = leave the cell empty) from a 0-based corner."""

    def fill(sheet: Any) -> None:
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(first_row + i, first_col + j, value)

    return fill


MEMBER_ROWS: list[list[object]] = [
    ["H001", "张三", "510100199001011234", "户主", 4000],
    ["H001", "李四", "510100199203041221", "配偶", 4000],
    ["H002", "王五", "51010019850506123X", "户主", 3500],
]

# The county behind tests/io/data/county_ods.ods (made by tests/io/data/make_ods.py).
ODS_SEED, ODS_HOUSEHOLDS, ODS_COUNTY = 41, 25, "511602"
