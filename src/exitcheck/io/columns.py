"""Rows below a header -> RawTable, one Arrow column at a time (no grid of Python objects).

The column-wise twin of ``io.body.build_table`` for readers that hand over typed columns
(parquet): the same blank, whitespace-only, repeated-header and 合计 rows are dropped with the
same reasons, and the data keep their Arrow types (strings, integers, floats, booleans as
``ArrowDtype`` columns; empty text and NaN become missing), so normalize factorizes them in
Arrow instead of boxing every cell (docs/PERFORMANCE.md, issue 9 part 2). Columns of other types
(dates, decimals ...) come as object arrays of Python values, as ``build_table`` has them.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from exitcheck.io.body import (
    LEAD_COLUMNS,
    REPEAT_SHARE,
    TOTAL_CELLS,
    Dropped,
    Origin,
    _dedupe,
    _str_test,
    assemble,
)
from exitcheck.io.cells import cell_text, column_letter
from exitcheck.io.header import Header
from exitcheck.io.table import RawTable

# A typed Arrow column, or an object array of Python values ('' = empty).
Column: TypeAlias = pa.ChunkedArray | np.ndarray


def is_fast_type(kind: pa.DataType) -> bool:
    """Arrow types kept as Arrow columns (the others are read as Python objects)."""
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_boolean(kind))


def build_table_from_columns(
    columns: list[Column], header: Header, origin: Origin, notes: list[str]
) -> RawTable:
    """RawTable from columns holding the rows below a one-row header at grid row ``header.last``
    (parquet: the column names, row 1)."""
    width = len(columns)
    n_rows = len(columns[0]) if width else 0
    filled = [_filled(c) for c in columns]
    any_filled = np.zeros(n_rows, dtype=bool)
    for f in filled:
        any_filled |= f
    blank = ~any_filled | _only_whitespace(columns, filled, any_filled)
    repeated = _repeated_header(columns, header, n_rows) & ~blank
    total = _total_rows(columns[:LEAD_COLUMNS], filled[:LEAD_COLUMNS], n_rows)
    total &= ~blank & ~repeated
    drop = blank | repeated | total

    keep = np.flatnonzero(~drop)
    all_kept = len(keep) == n_rows
    names = list(header.names) + [""] * (width - len(header.names))
    has_data = [bool(f[keep].any()) if len(keep) else False for f in filled]
    chosen = [j for j in range(width) if names[j] or has_data[j]]
    letters = [column_letter(origin.col0 + j) for j in chosen]
    labels = _dedupe([names[j] or f"列{letters[i]}" for i, j in enumerate(chosen)])
    series = {}
    for label, j in zip(labels, chosen, strict=True):
        series[label] = _series(columns[j], None if all_kept else keep)
    frame = pd.DataFrame(series, index=pd.RangeIndex(len(keep)))
    same = _same_as_previous([columns[j] for j in chosen], keep, n_rows)

    dropped = np.flatnonzero(drop)
    texts = _first_texts(columns[:LEAD_COLUMNS], filled[:LEAD_COLUMNS], dropped)
    return assemble(origin, header, notes, labels, letters, frame, keep,
                    Dropped(dropped, blank, repeated, texts), int(n_rows), same)


def _is_text(column: Column) -> bool:
    return isinstance(column, pa.ChunkedArray) and (
        pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _bools(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _filled(column: Column) -> np.ndarray:
    """Cells that are not empty: not null and not '' (NaN counts as filled, as in the grid)."""
    if isinstance(column, np.ndarray):
        return np.asarray(np.not_equal(column, ""), dtype=bool)
    valid = pc.is_valid(column)
    if _is_text(column):
        valid = pc.and_(valid, pc.fill_null(pc.not_equal(column, ""), False))
    return _bools(valid)


def _whitespace(column: Column) -> np.ndarray:
    """Text cells of whitespace only (str.strip() == ''; Arrow's trim removes the same set)."""
    if not _is_text(column):
        return np.zeros(len(column), dtype=bool)
    trimmed = pc.utf8_trim_whitespace(column)
    return _bools(pc.fill_null(pc.equal(trimmed, ""), False))


def _only_whitespace(columns: list[Column], filled: list[np.ndarray],
                     any_filled: np.ndarray) -> np.ndarray:
    """Rows with cells whose every filled cell is whitespace-only text. Column by column on the
    rows still in question: the first column with real text settles nearly every row."""
    rows = np.flatnonzero(any_filled)
    for column, f in zip(columns, filled, strict=True):
        if not len(rows):
            break
        here = f[rows]
        if not here.any():
            continue
        if _is_text(column):
            part = column if len(rows) == len(column) else column.take(
                pa.array(rows, type=pa.int64()))
            space = _whitespace(part)
        else:
            space = np.zeros(len(rows), dtype=bool)
        rows = rows[~(here & ~space)]
    out = np.zeros(len(any_filled), dtype=bool)
    out[rows] = True
    return out


def _equals_text(column: Column, text: object) -> np.ndarray:
    """Cells equal to a header cell's value (Python ``==``: a number never equals a text)."""
    if isinstance(column, np.ndarray):
        return np.asarray(column == text, dtype=bool)
    if isinstance(text, str) and not _is_text(column):
        return np.zeros(len(column), dtype=bool)
    try:
        return _bools(pc.fill_null(pc.equal(column, pa.scalar(text, type=column.type)), False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return np.zeros(len(column), dtype=bool)


def _repeated_header(columns: list[Column], header: Header, n_rows: int) -> np.ndarray:
    """Rows repeating a header row: the first named column first, then the whole row."""
    result = np.zeros(n_rows, dtype=bool)
    width = len(columns)
    for raw in header.raw:
        values = (list(raw) + [""] * width)[:width]
        named = [j for j in range(width) if cell_text(values[j])]
        if not named:
            continue
        candidates = np.flatnonzero(_equals_text(columns[named[0]], values[named[0]]))
        if len(candidates) == 0:
            continue
        hits = np.zeros(len(candidates), dtype=np.int64)
        for j in named:
            hits += _equals_text(columns[j], values[j])[candidates]
        result[candidates[hits >= REPEAT_SHARE * len(named)]] = True
    return result


def _total_rows(lead: list[Column], filled: list[np.ndarray], n_rows: int) -> np.ndarray:
    """合计/总计/小计 rows: one of the first TOTAL_CELLS non-empty lead cells, spaces removed,
    starts with it (``body._total_rows``; the exact test runs on the few cells holding 计)."""
    result = np.zeros(n_rows, dtype=bool)
    rank = np.zeros(n_rows, dtype=np.int16)
    for column, f in zip(lead, filled, strict=True):
        rank += f
        early = f & (rank <= TOTAL_CELLS)
        if isinstance(column, np.ndarray):
            maybe = np.flatnonzero(early & _str_test(column, lambda s: s.contains("计",
                                                                               regex=False)))
        elif _is_text(column):
            has = _bools(pc.fill_null(pc.match_substring(column, "计"), False))
            maybe = np.flatnonzero(early & has)
        else:
            continue
        if len(maybe):
            values = _values_at(column, maybe)
            exact = _str_test(values, lambda s: s.replace(r"\s+", "", regex=True)
                              .str.match("合计|总计|小计"))
            result[maybe[exact]] = True
    return result


def _values_at(column: Column, rows: np.ndarray) -> np.ndarray:
    """Python values of a few rows ('' for empty)."""
    if isinstance(column, np.ndarray):
        return column[rows]
    values = column.take(pa.array(rows, type=pa.int64())).to_pylist()
    return np.array(["" if v is None else v for v in values] + [None], dtype=object)[:-1]


def _first_texts(lead: list[Column], filled: list[np.ndarray], rows: np.ndarray) -> list[str]:
    """cell_text of each row's first non-empty lead cell ('' when none), for skipped rows."""
    texts = [""] * len(rows)
    todo = np.ones(len(rows), dtype=bool)
    for column, f in zip(lead, filled, strict=True):
        here = np.flatnonzero(todo & f[rows]) if len(rows) else np.zeros(0, dtype=np.intp)
        if not len(here):
            continue
        for i, value in zip(here, _values_at(column, rows[here]), strict=True):
            texts[i] = cell_text(value)
        todo[here] = False
    return texts


def _series(column: Column, keep: np.ndarray | None) -> pd.Series:
    """The kept rows of a column: Arrow-typed (empty text and NaN missing), or objects with
    None for empty cells."""
    if isinstance(column, np.ndarray):
        values = column if keep is None else column[keep]
        values = values.copy() if keep is None else values
        values[np.equal(values, "")] = None
        return pd.Series(values, dtype=object)
    if keep is not None:
        column = column.take(pa.array(keep, type=pa.int64()))
    # Rewritten only when needed: each rewrite is a copy of the column.
    if _is_text(column):
        empty = pc.equal(column, "")
        if pc.any(empty).as_py():
            if any(chunk.offset for chunk in column.chunks):  # pyarrow 15's if_else writes
                column = column.take(pa.array(np.arange(len(column))))  # bad offsets then
            column = pc.if_else(empty, pa.scalar(None, column.type), column)
    elif pa.types.is_floating(column.type):
        nan = pc.is_nan(column)
        if pc.any(nan).as_py():
            column = pc.if_else(nan, pa.scalar(None, column.type), column)
    if not isinstance(column, pa.ChunkedArray):
        column = pa.chunked_array([column])
    return pd.Series(pd.arrays.ArrowExtensionArray(column))


def _same_as_previous(columns: list[Column], keep: np.ndarray, n_rows: int) -> np.ndarray | None:
    """(kept rows - 1, columns) bool: the cell equals the kept cell above it and no dropped row
    sits between them (RawTable.same_as_previous; empty cells equal each other)."""
    if len(keep) < 2:
        return None
    contiguous = np.diff(keep) == 1
    # Column-major: each column is written and later read (same[:, j]) contiguously.
    out = np.zeros((len(keep) - 1, len(columns)), dtype=bool, order="F")
    whole = len(keep) == n_rows
    for j, column in enumerate(columns):
        if isinstance(column, np.ndarray):
            values = column if whole else column[keep]
            try:
                same = np.equal(values[1:], values[:-1])
            except (TypeError, ValueError):
                continue
            if same.dtype != bool:
                continue
            out[:, j] = same
            continue
        values = column if whole else column.take(pa.array(keep, type=pa.int64()))
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        below, above = values.slice(1), values.slice(0, len(values) - 1)
        equal = pc.fill_null(pc.equal(below, above), False)
        both_null = pc.and_(pc.is_null(below), pc.is_null(above))
        out[:, j] = _bools(pc.or_(equal, both_null))
    if not whole:
        out &= contiguous[:, None]
    return out
