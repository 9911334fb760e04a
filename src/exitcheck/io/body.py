"""Rows below a header -> RawTable: drop blank, total and repeated-header rows, vectorized."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exitcheck.io.cells import cell_text, column_letter
from exitcheck.io.header import Header
from exitcheck.io.table import SKIP_BLANK, SKIP_REPEATED_HEADER, SKIP_TOTAL, RawTable

# A total row names itself in one of its first non-empty cells (issue Foundation #4).
TOTAL_CELLS = 3
LEAD_COLUMNS = 12  # ... searched for among the leading columns only (labels sit at the left)
_TOTAL = "合计|总计|小计"  # str.match anchors at the start
_SPACES = re.compile(r"\s+")
REPEAT_SHARE = 0.8  # share of header cells a row must repeat to count as a repeated header


@dataclass
class Origin:
    """Where the grid sits in the sheet: 0-based row and column of its top-left cell."""

    path: Path
    sheet: str
    reader: str
    row0: int = 0
    col0: int = 0
    encoding: str | None = None


def build_table(cells: np.ndarray, header: Header, origin: Origin, notes: list[str]) -> RawTable:
    """RawTable from a 2-D object grid (empty cells are '') and its detected header."""
    start = header.last + 1
    body = cells[start:]
    n_rows, width = body.shape if body.ndim == 2 else (0, len(header.names))
    filled = np.not_equal(body, "")  # readers give '' for every empty cell
    blank = ~filled.any(axis=1)
    same = same_as_above(body)
    firsts, runs = _first_values(body, filled, same)
    blank |= _whitespace_only(body, filled, firsts[0], runs[0])
    repeated = _repeated_header(body, header, same) & ~blank
    total = _total_rows(firsts, runs) & ~blank & ~repeated
    drop = blank | repeated | total

    keep = np.flatnonzero(~drop)
    data = _take_rows(body, keep)
    kept_filled = _take_rows(filled, keep)
    if data.size:
        data[~kept_filled] = None  # '' -> None, as the RawTable contract says

    names = list(header.names) + [""] * (width - len(header.names))
    has_data = np.asarray(kept_filled.any(axis=0)) if n_rows else np.zeros(width, dtype=bool)
    columns = [j for j in range(width) if names[j] or has_data[j]]
    letters = [column_letter(origin.col0 + j) for j in columns]
    labels = _dedupe([names[j] or f"列{letters[i]}" for i, j in enumerate(columns)])
    if len(columns) < width:
        data = data[:, columns]
    kept_same = _kept_same(same, keep, columns if len(columns) < width else None)
    frame = pd.DataFrame(data, columns=labels, dtype=object, copy=False)

    dropped = np.flatnonzero(drop)
    texts = [cell_text(v) for v in firsts[0][dropped]]
    return assemble(origin, header, notes, labels, letters, frame, keep,
                    Dropped(dropped, blank, repeated, texts), int(n_rows), kept_same)


@dataclass
class Dropped:
    """The rows left out and why: positions, the blank and repeated-header masks (others are
    total rows), and each dropped row's first text."""

    rows: np.ndarray
    blank: np.ndarray
    repeated: np.ndarray
    texts: list[str]


def assemble(origin: Origin, header: Header, notes: list[str], labels: list[str],
             letters: list[str], frame: pd.DataFrame, keep: np.ndarray, dropped: Dropped,
             n_rows: int, same: np.ndarray | None) -> RawTable:
    """The RawTable of a body read grid-wise (build_table) or column-wise (io.columns)."""
    first_row = origin.row0 + header.last + 2  # 1-based sheet row of the first body row
    at = dropped.rows
    reason = np.where(
        dropped.blank[at], SKIP_BLANK,
        np.where(dropped.repeated[at], SKIP_REPEATED_HEADER, SKIP_TOTAL),
    )
    skipped = pd.DataFrame(
        {
            "row": (at + first_row).astype(np.int64),
            "reason": pd.Series(reason, dtype=object),
            "text": pd.Series(dropped.texts, dtype=object),
        }
    )
    return RawTable(
        path=origin.path,
        sheet=origin.sheet,
        reader=origin.reader,
        encoding=origin.encoding,
        title_rows=[origin.row0 + i + 1 for i in header.titles],
        header_rows=[origin.row0 + i + 1 for i in header.rows],
        columns=labels,
        column_letters=letters,
        data=frame,
        rows=(keep + first_row).astype(np.int64),
        skipped=skipped,
        rows_read=n_rows,
        notes=notes,
        same_as_previous=same,
    )


def same_as_above(body: np.ndarray) -> np.ndarray | None:
    """(rows - 1, columns) bool: each cell equals the cell above it (Python ``==``), in one
    pass over the row-major grid (~12 ns a cell, vs ~75 ns a cell for any column-wise pass);
    None when some cells have no boolean ``==`` (e.g. pd.NA)."""
    if body.ndim != 2 or len(body) < 2:
        return None
    try:
        same = np.equal(body[1:], body[:-1])
    except (TypeError, ValueError):
        return None
    return same if same.dtype == bool else None


def _kept_same(
    same: np.ndarray | None, keep: np.ndarray, columns: list[int] | None
) -> np.ndarray | None:
    """``same`` between consecutive kept rows: False where a dropped row sat between them (a
    run boundary too many never changes a result, see RawTable.same_as_previous)."""
    if same is None or len(keep) < 2:
        return None
    if keep[-1] - keep[0] + 1 == len(keep):
        out = same[keep[0] : keep[-1]]
    else:
        out = same[keep[1:] - 1] & (np.diff(keep) == 1)[:, None]
    return out[:, columns] if columns is not None else out


def _first_values(
    body: np.ndarray, filled: np.ndarray, same: np.ndarray | None
) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """The first TOTAL_CELLS non-empty values of every row within the leading columns ('' where
    a row has fewer there), and for each a run mask (``_str_test``) read off ``same``."""
    n_rows = len(body)
    if n_rows == 0 or body.shape[1] == 0:
        return [np.full(n_rows, "", dtype=object) for _ in range(TOTAL_CELLS)], [None] * 3
    lead = filled[:, :LEAD_COLUMNS]
    # Most rows fill their first cells: their k-th value is in column k-1; rank the rest only.
    full = lead[:, :TOTAL_CELLS].all(axis=1) if lead.shape[1] >= TOTAL_CELLS else None
    other = np.flatnonzero(~full) if full is not None else np.arange(n_rows)
    rank = np.cumsum(lead[other], axis=1, dtype=np.int16)
    index = np.arange(n_rows)
    out: list[np.ndarray] = []
    runs: list[np.ndarray | None] = []
    for k in range(1, TOTAL_CELLS + 1):
        col = np.full(n_rows, k - 1, dtype=np.intp)
        col[other] = np.argmax(rank == k, axis=1)
        values = body[index, col]
        short = np.zeros(n_rows, dtype=bool)
        short[other] = rank[:, -1] < k
        values[short] = ""
        out.append(values)
        if same is None:
            runs.append(None)
            continue
        # A row continues a run when its k-th value sits in the same column as the row
        # above's and equals that cell; anything else starts a run (a spare start is harmless).
        new_run = np.ones(n_rows, dtype=bool)
        new_run[1:] = ~(same[index[:-1], col[1:]] & (col[1:] == col[:-1]))
        new_run[1:] |= short[1:] | short[:-1]
        runs.append(new_run)
    return out, runs


def _whitespace_only(
    body: np.ndarray, filled: np.ndarray, first: np.ndarray, new_run: np.ndarray | None = None
) -> np.ndarray:
    """Rows whose only contents are spaces: checked cell by cell, but only for the few rows whose
    first non-empty cell is whitespace (a vectorized pre-filter)."""
    result = np.zeros(len(body), dtype=bool)
    test = _str_test(first, lambda s: s.len().gt(0) & s.strip().eq(""), new_run)
    candidates = np.flatnonzero(test)
    for i in candidates:  # rare rows only, never every data row
        values = body[i][filled[i]]
        result[i] = all(isinstance(v, str) and not v.strip() for v in values)
    return result


def _str_test(
    values: np.ndarray, test: Callable[[Any], pd.Series], new_run: np.ndarray | None = None
) -> np.ndarray:
    """Boolean mask of a pandas string test on an object array; non-strings are False.

    The test runs on the distinct values only (a column of village names has few), then is
    mapped back with a hash lookup: this keeps the scan cheap on 100k-row sheets. ``new_run``
    (optional) marks where runs of equal values start; values within a run must be equal.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Neighbouring rows often repeat a value (county, township): hash each run of equal values
    # once. The runs start with the first occurrence of every distinct value, so the test sees
    # the same values it would see on pd.unique(values).
    if new_run is None:
        new_run = np.ones(n, dtype=bool)
        try:
            np.not_equal(values[1:], values[:-1], out=new_run[1:])
        except (TypeError, ValueError):  # cells whose == is not a bool: test every row
            new_run[1:] = True
    codes, distinct = pd.factorize(values[new_run], use_na_sentinel=True)
    try:
        outcome = test(pd.Series(np.asarray(distinct, dtype=object), dtype=object).str)
    except AttributeError:  # no strings at all (e.g. a numeric first column)
        return np.zeros(n, dtype=bool)
    # Through the nullable boolean dtype: fillna on an object column warns on pandas 2.x.
    hit = pd.array(outcome.to_numpy(dtype=object), dtype="boolean").fillna(False)
    hit = hit.to_numpy(dtype=bool)
    if not hit.any():
        return np.zeros(n, dtype=bool)
    per_run = hit[codes] & (codes >= 0)
    return per_run[np.cumsum(new_run) - 1]


def _repeated_header(
    body: np.ndarray, header: Header, same: np.ndarray | None = None
) -> np.ndarray:
    """Rows repeating a header row (page breaks in exports): first compare one column (once per
    run of equal cells when ``same`` is given), then the whole row of the few candidates."""
    result = np.zeros(len(body), dtype=bool)
    width = body.shape[1] if body.ndim == 2 else 0
    for raw in header.raw:
        values = np.array(raw + [""] * (width - len(raw)), dtype=object)[:width]
        named = np.flatnonzero([bool(cell_text(v)) for v in values])
        if len(named) == 0:
            continue
        anchor = named[0]
        if same is None:
            candidates = np.flatnonzero(body[:, anchor] == values[anchor])
        else:  # the anchor is usually the county column: a few runs of one village name
            starts = np.flatnonzero(np.r_[True, ~same[:, anchor]])
            hit = np.asarray(body[starts, anchor] == values[anchor], dtype=bool)
            candidates = np.flatnonzero(np.repeat(hit, np.diff(np.r_[starts, len(body)])))
        if len(candidates) == 0:
            continue
        same = (body[np.ix_(candidates, named)] == values[named]).sum(axis=1)
        result[candidates[same >= REPEAT_SHARE * len(named)]] = True
    return result


def _total_rows(
    firsts: list[np.ndarray], runs: list[np.ndarray | None] | None = None
) -> np.ndarray:
    """合计/总计/小计 rows: one of the first non-empty cells, spaces removed, starts with it."""
    result = np.zeros(len(firsts[0]), dtype=bool)
    for values, new_run in zip(firsts, runs or [None] * len(firsts), strict=True):
        # Cheap pre-filter on the character every label shares, then the exact test on those.
        maybe = np.flatnonzero(
            _str_test(values, lambda s: s.contains("计", regex=False), new_run)
        )
        if len(maybe):
            exact = _str_test(
                values[maybe], lambda s: s.replace(_SPACES, "", regex=True).str.match(_TOTAL)
            )
            result[maybe[exact]] = True
    return result


def _take_rows(body: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Kept rows; a view (no copy of millions of cells) when they are one contiguous block."""
    if len(keep) == 0:
        return body[:0]
    if keep[-1] - keep[0] + 1 == len(keep):
        return body[keep[0] : keep[-1] + 1]
    return body[keep]


def _dedupe(labels: list[str]) -> list[str]:
    """Duplicate header texts get ' (2)', ' (3)' … in sheet order."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out
