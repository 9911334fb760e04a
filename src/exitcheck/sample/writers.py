"""Writers for synthetic exports: national-style xlsx/xls (titles, merged headers, 合计 row),
GB18030 CSV, parquet; atomic saving."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from exitcheck.sample.layout import (
    LAYOUTS,
    MONEY_FIELDS,
    SHEET_NAMES,
    TOTAL_LABEL,
    Column,
    title_rows,
)
from exitcheck.sample.messages import usage_error
from exitcheck.sample.truth import GroundTruth

FORMATS = ("xlsx", "csv", "parquet", "xls")
XLS_MAX_ROWS = 65536
CONSTANT_MEMORY_ROWS = 20_000  # above this the xlsx is streamed row by row
TITLE_ROWS = 2
HEADER_ROWS = 2


def columns_for(frame: pd.DataFrame, truth: GroundTruth) -> list[Column]:
    return [c for c in LAYOUTS[truth.style] if c.field in frame.columns]


def _python_column(series: pd.Series, overrides: dict[int, object] | None) -> list[object]:
    """Cell values as Python objects, missing as None, then the write-time overrides."""
    values = series.astype(object).where(series.notna(), None).tolist()
    for row, value in (overrides or {}).items():
        values[row] = value
    return values


def _total_row(n_columns: int, frame: pd.DataFrame) -> list[object]:
    row: list[object] = [None] * n_columns
    row[0] = TOTAL_LABEL
    if n_columns > 1:
        row[1] = f"共{frame['household_id'].nunique()}户{len(frame)}人"
    return row


def _header_cells(cols: list[Column]) -> tuple[list[str], list[str], list[tuple[int, int, int,
                                                                                   int, str]]]:
    """Upper and lower header rows plus merges (first_row, first_col, last_row, last_col, text)
    relative to the header's first row: groups merge across, single headers merge down."""
    upper, lower, merges = [], [], []
    i = 0
    while i < len(cols):
        group = cols[i].group
        if group is None:
            upper.append(cols[i].header)
            lower.append("")
            merges.append((0, i, 1, i, cols[i].header))
            i += 1
            continue
        j = i
        while j < len(cols) and cols[j].group == group:
            upper.append(group if j == i else "")
            lower.append(cols[j].header)
            j += 1
        merges.append((0, i, 0, j - 1, group))
        i = j
    return upper, lower, merges


def write_xlsx(frame: pd.DataFrame, truth: GroundTruth, path: str | Path) -> None:
    """National-export layout: 2 title rows, 2-row merged header, member rows, 合计 row."""
    import xlsxwriter

    cols = columns_for(frame, truth)
    n_cols = len(cols)
    streamed = len(frame) > CONSTANT_MEMORY_ROWS
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": streamed, "strings_to_numbers": False})
    title, subtitle = title_rows(truth.style, truth.year, truth.province_code, truth.county_code)
    # A fixed creation date makes the file reproducible (same seed, same bytes).
    wb.set_properties({"title": title, "author": "exitcheck sample", "company": "",
                       "created": datetime(truth.year + 1, 1, 15, 9, 30, 12)})
    ws = wb.add_worksheet(SHEET_NAMES[truth.style])
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    f_sub = wb.add_format({"align": "left"})
    f_head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter",
                            "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"})
    f_money = wb.add_format({"num_format": "0.00"})
    f_text = wb.add_format({"num_format": "@"})
    for c, col in enumerate(cols):
        width = 20 if col.field in ("id_number", "member_id", "household_id") else max(
            8, min(2 * len(col.header) + 2, 16))
        fmt = f_money if col.field in MONEY_FIELDS else (
            f_text if col.field in ("id_number", "member_id", "household_id") else None)
        ws.set_column(c, c, width, fmt)

    ws.merge_range(0, 0, 0, n_cols - 1, title, f_title)
    ws.merge_range(1, 0, 1, n_cols - 1, subtitle, f_sub)
    upper, lower, merges = _header_cells(cols)
    if streamed:
        # constant_memory writes rows strictly in order and merge_range refuses a range that
        # starts on an already flushed row, so write both header rows cell by cell and record
        # the ranges directly (xlsxwriter's worksheet.merge list, what merge_range appends to).
        ws.write_row(TITLE_ROWS, 0, upper, f_head)
        ws.write_row(TITLE_ROWS + 1, 0, lower, f_head)
        for r1, c1, r2, c2, _text in merges:
            ws.merge.append([TITLE_ROWS + r1, c1, TITLE_ROWS + r2, c2])
    else:
        for r1, c1, r2, c2, text in merges:
            ws.merge_range(TITLE_ROWS + r1, c1, TITLE_ROWS + r2, c2, text, f_head)
        ws.write_row(TITLE_ROWS + 1, 0, lower, f_head)  # the group's component names
    ws.freeze_panes(TITLE_ROWS + HEADER_ROWS, 0)

    columns = [_python_column(frame[c.field], truth.overrides.get(c.field)) for c in cols]
    first = TITLE_ROWS + HEADER_ROWS
    for i, row in enumerate(zip(*columns, strict=True)):
        ws.write_row(first + i, 0, row)
    ws.write_row(first + len(frame), 0, _total_row(n_cols, frame))
    wb.close()


def write_xls(frame: pd.DataFrame, truth: GroundTruth, path: str | Path) -> None:
    """Legacy .xls (BIFF8) in the same layout; at most 65536 rows in all."""
    import xlwt

    total_rows = TITLE_ROWS + HEADER_ROWS + len(frame) + 1
    if total_rows > XLS_MAX_ROWS:
        raise usage_error("xls_too_long", str(path), rows=total_rows)
    cols = columns_for(frame, truth)
    n_cols = len(cols)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(SHEET_NAMES[truth.style])
    s_title = xlwt.easyxf("font: bold on, height 320; align: horiz center")
    s_head = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on; "
                         "borders: left thin, right thin, top thin, bottom thin")
    s_money = xlwt.easyxf(num_format_str="0.00")
    title, subtitle = title_rows(truth.style, truth.year, truth.province_code, truth.county_code)
    ws.write_merge(0, 0, 0, n_cols - 1, title, s_title)
    ws.write_merge(1, 1, 0, n_cols - 1, subtitle)
    _upper, lower, merges = _header_cells(cols)
    for r1, c1, r2, c2, text in merges:
        ws.write_merge(TITLE_ROWS + r1, TITLE_ROWS + r2, c1, c2, text, s_head)
    for c, text in enumerate(lower):
        if text:
            ws.write(TITLE_ROWS + 1, c, text, s_head)
    first = TITLE_ROWS + HEADER_ROWS
    for c, col in enumerate(cols):  # column by column: xlwt keeps rows in memory anyway
        values = _python_column(frame[col.field], truth.overrides.get(col.field))
        money = col.field in MONEY_FIELDS
        for i, value in enumerate(values):
            if value is None:
                continue
            if money and isinstance(value, float):
                ws.write(first + i, c, value, s_money)
            else:
                ws.write(first + i, c, value)
    for c, value in enumerate(_total_row(n_cols, frame)):
        if value is not None:
            ws.write(first + len(frame), c, value)
    wb.save(str(path))


def _text_column(series: pd.Series, field: str, overrides: dict[int, object] | None) -> pd.Series:
    """A column as the text a CSV export holds: money with 2 decimals, numbers as digits."""
    if field in MONEY_FIELDS:
        text = pd.Series(np.char.mod("%.2f", series.to_numpy(dtype=float)), dtype=object)
    else:
        text = series.astype(object).where(series.notna(), None)
        text = text.map(lambda v: v if v is None else str(v))
    for row, value in (overrides or {}).items():
        text.iloc[row] = _excel_digits(value) if isinstance(value, float) else str(value)
    return text


def _excel_digits(value: float) -> str:
    """A large number as Excel shows it in a CSV: 15 significant digits, then zeros."""
    mantissa, exponent = f"{value:.14e}".split("e")
    digits = mantissa.replace(".", "")
    return digits + "0" * max(0, int(exponent) + 1 - len(digits))


def write_csv(frame: pd.DataFrame, truth: GroundTruth, path: str | Path) -> None:
    """GB18030 CSV with one header row (no titles), CRLF line ends as Windows exports have."""
    cols = columns_for(frame, truth)
    out = pd.DataFrame({c.header: _text_column(frame[c.field], c.field,
                                               truth.overrides.get(c.field)) for c in cols})
    out.to_csv(path, index=False, encoding="gb18030", lineterminator="\r\n")


def write_parquet(frame: pd.DataFrame, truth: GroundTruth, path: str | Path) -> None:
    """Parquet with export headers; typed numbers. Text overrides are applied (C级, √, the digits
    Excel kept of an ID stored as a number); display quirks of numbers are not."""
    cols = columns_for(frame, truth)
    out = {}
    for c in cols:
        series = frame[c.field]
        overrides = truth.overrides.get(c.field)
        if overrides and not pd.api.types.is_numeric_dtype(series):
            series = pd.Series(_text_column(series, c.field, overrides), dtype="string")
        out[c.header] = series
    pd.DataFrame(out).to_parquet(path, index=False, engine="pyarrow", compression="zstd")


WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "parquet": write_parquet, "xls": write_xls}


def save(frame: pd.DataFrame, truth: GroundTruth, path: str | Path, fmt: str | None = None,
         *, overwrite: bool = False) -> Path:
    """Write atomically (temp file in the same folder, then os.replace); refuse to overwrite."""
    target = Path(path)
    fmt = (fmt or target.suffix.lstrip(".")).lower()
    if fmt not in WRITERS:
        raise usage_error("bad_format", "--format", value=fmt)
    if target.exists() and not overwrite:
        raise usage_error("exists", str(target), path=target)
    if not target.parent.is_dir():
        raise usage_error("no_dir", str(target), path=target.parent)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        WRITERS[fmt](frame, truth, temp)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
    return target
