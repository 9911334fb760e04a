"""RawTable: what the read stage hands to normalize — one sheet's data rows with their origins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# Reasons a row below the header is not a data row. Reported with counts in every report.
SKIP_BLANK = "blank"  # every cell empty
SKIP_TOTAL = "total"  # 合计 / 总计 / 小计 row
SKIP_REPEATED_HEADER = "repeated_header"  # the header row repeated (page breaks in exports)


@dataclass
class RawTable:
    """One sheet (or CSV/parquet file) after header detection, before any typing.

    ``data`` has one column per header column, named by the (joined) header text, in sheet
    order; duplicate header texts get a suffix `` (2)``. Cell values are kept as the reader
    gave them so that normalize can tell an ID stored as a number from one stored as text:
    object columns of Python values (str, int, float, bool, datetime/date, or None), or, from
    the column-wise reader (io/columns.py: parquet), Arrow-typed columns (``ArrowDtype``
    string, integer, float, boolean) whose empty cells are missing. ``rows[i]`` is the 1-based
    spreadsheet row number (CSV: line number, header line = its own number) of ``data.iloc[i]``.

    Row accounting invariant: ``rows_read == len(data) + len(skipped)``; rows_read counts every
    row below the header (title and header rows are listed in ``header_rows``/``title_rows``).
    """

    path: Path
    sheet: str  # sheet name; for csv/parquet the file name (e.g. "county.csv")
    reader: str  # e.g. "calamine", "xlrd", "pyarrow.csv", "pyarrow.parquet"
    encoding: str | None  # CSV only: the encoding used (and how it was chosen, see notes)
    title_rows: list[int]  # 1-based rows above the header that were skipped as titles
    header_rows: list[int]  # 1-based rows that form the header (1 or 2 when merged)
    columns: list[str]  # header text per column, joined with "/" for two-row headers
    column_letters: list[str]  # spreadsheet column letter per column ("A", "B", ..., "AA")
    data: pd.DataFrame  # data rows, columns == self.columns
    rows: np.ndarray  # int64, 1-based row number per data row
    skipped: pd.DataFrame  # columns: row (int), reason (SKIP_*), text (first non-empty cell)
    rows_read: int
    notes: list[str] = field(default_factory=list)  # e.g. "encoding gb18030 detected"
    # Optional hint, (len(data) - 1, len(columns)) bool: the cell equals the cell above it.
    # True only where it does; False is always allowed (it merely starts a new run), so
    # normalize may factorize each run once. None: not known (normalize compares itself).
    same_as_previous: np.ndarray | None = None

    @property
    def label(self) -> str:
        """How locations cite this table: the sheet name (file name for csv/parquet)."""
        return self.sheet

    def letter_of(self, column: str) -> str:
        return self.column_letters[self.columns.index(column)]

    def location(self, column: str, row: int) -> str:
        """Cell reference such as ``贫困人口明细!H17``."""
        return f"{self.sheet}!{self.letter_of(column)}{row}"
