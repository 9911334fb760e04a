"""Read .xlsx/.xlsm/.xls/.ods workbooks with python-calamine: pick sheets, find headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from python_calamine import CalamineSheet, CalamineWorkbook, PasswordError, SheetTypeEnum

from exitcheck.gcpause import gc_paused
from exitcheck.io import prefetch
from exitcheck.io.body import Origin, build_table
from exitcheck.io.errors import input_error
from exitcheck.io.header import SCAN_ROWS, Header, HeaderScore, Merge, detect_header, passes
from exitcheck.io.messages import MSG
from exitcheck.io.sniff import ODS, XLS, XLSX
from exitcheck.io.table import RawTable

READER = "calamine"
# Extensions calamine dispatches on; other names (an .xls saved as .xlsx) are read by content.
_NATIVE = {XLSX: {".xlsx", ".xlsm"}, XLS: {".xls"}, ODS: {".ods"}}


_EMPTY = object()  # marks a sheet without any cell
_BLOCK_ROWS = 16_384  # rows turned into Python objects at a time (_cells)
_SAMPLE = 1_024  # cells of a block column that tell whether its values repeat (_shared)


@dataclass
class _Candidate:
    name: str
    sheet: CalamineSheet | None  # None once read (_read_sheet)
    header: Header
    row0: int
    col0: int


def read_workbook(
    path: Path, kind: str, sheet: str | None, header_score: HeaderScore | None
) -> list[RawTable]:
    """Every sheet whose header passes, best first; or just ``sheet`` (name or 1-based index)."""
    ahead = prefetch.take(path)
    book = ahead.book if ahead is not None else _open(path, kind)
    parsed = ahead.sheets if ahead is not None else {}
    names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    if not names:
        raise input_error("empty_workbook", path)
    explicit = sheet is not None
    chosen = [_resolve_sheet(path, sheet, names)] if sheet is not None else names
    scanned = [_scan(path, book, name, header_score, explicit, parsed.get(name))
               for name in chosen]
    if all(c is _EMPTY for c in scanned):
        raise input_error("empty_workbook", path)
    found = [c for c in scanned if isinstance(c, _Candidate)]
    if not explicit:
        found = [c for c in found if passes(c.header, header_score)]
        if not found:
            filled = [n for n, c in zip(chosen, scanned, strict=True) if c is not _EMPTY]
            if len(filled) == 1:
                raise input_error("no_header", path, filled[0], rows=SCAN_ROWS)
            raise input_error("no_sheet_with_header", path, available=_listing(names))
        # Catalogue scores outrank heuristic ones; ties keep workbook order (sort is stable).
        found.sort(key=lambda c: (not c.header.fallback, c.header.score), reverse=True)
    # Only the candidates keep their parsed sheets from here: each is dropped once its cells are
    # Python objects (io.prefetch's and the scan's references go first).
    del ahead, parsed, scanned
    tables = [_read_sheet(path, c) for c in found]
    with_data = [t for t in tables if len(t.data)]
    if not with_data:
        first = tables[0]
        raise input_error(
            "no_data_rows", path, first.sheet, header="、".join(map(str, first.header_rows))
        )
    return with_data


def _open(path: Path, kind: str) -> CalamineWorkbook:
    try:
        if path.suffix.lower() in _NATIVE[kind]:
            return CalamineWorkbook.from_path(path)
        with open(path, "rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except PasswordError:
        raise input_error("encrypted", path) from None
    except BaseException as exc:  # calamine raises several error types for damaged files,
        _reraise_interrupts(exc)  # and a Rust panic is a BaseException (pyo3 PanicException)
        raise input_error("corrupt", path, detail=_short(exc)) from None


def _resolve_sheet(path: Path, sheet: str, names: list[str]) -> str:
    if sheet in names:
        return sheet
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    raise input_error("unknown_sheet", path, sheet=sheet, available=_listing(names))


def _scan(
    path: Path,
    book: CalamineWorkbook,
    name: str,
    header_score: HeaderScore | None,
    explicit: bool,
    parsed: CalamineSheet | None = None,
) -> _Candidate | object | None:
    """Parse one sheet (once; ``parsed`` if io.prefetch already did) and find its header from its
    first rows only; _EMPTY for a sheet without cells, None for one without a header."""
    try:
        sheet = parsed if parsed is not None else book.get_sheet_by_name(name)
        head = sheet.to_python(nrows=SCAN_ROWS)
        start = sheet.start
        ranges = sheet.merged_cell_ranges
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise input_error("corrupt", path, name, detail=_short(exc)) from None
    if start is None or not any(str(v).strip() for row in head for v in row):
        if explicit:
            raise input_error("empty_sheet", path, name)
        return _EMPTY
    row0, col0 = start
    merges: list[Merge] | None = None
    if ranges is not None:
        merges = [((r1 - row0, c1 - col0), (r2 - row0, c2 - col0)) for (r1, c1), (r2, c2) in ranges]
    header = detect_header(head, merges, header_score)
    if header is None:
        if explicit:
            raise input_error("no_header", path, name, rows=SCAN_ROWS)
        return None
    return _Candidate(name=name, sheet=sheet, header=header, row0=row0, col0=col0)


def _read_sheet(path: Path, found: _Candidate) -> RawTable:
    assert found.sheet is not None, "each candidate is read once"
    try:
        with gc_paused():
            cells = _cells(found.sheet, found.row0)
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise input_error("corrupt", path, found.name, detail=_short(exc)) from None
    # The parsed sheet (calamine's cells: ~230 MiB for a 100,000 x 45 sheet) is not needed any
    # more: freed before the table is built from the objects.
    found.sheet = None
    if cells.shape[1] < len(found.header.names):
        wider = np.full((len(cells), len(found.header.names)), "", dtype=object)
        wider[:, :cells.shape[1]] = cells
        cells = wider
    origin = Origin(path=path, sheet=found.name, reader=READER, row0=found.row0, col0=found.col0)
    return build_table(cells, found.header, origin, header_notes(found.header, found.row0))


def _cells(sheet: CalamineSheet, row0: int) -> np.ndarray:
    """The sheet's used range as a 2-D object grid ('' for an empty cell), as ``to_python()``
    gives it, read _BLOCK_ROWS rows at a time. In each block a column of texts only (or of
    floats only) whose values repeat keeps one object per distinct value: a registry repeats
    its villages, grades and 是/否 on every row, and one Python object per cell was the audit's
    largest allocation (~320 MiB at 10^5 members, held beside calamine's own cells).

    python-calamine's ``iter_rows`` starts at the sheet's first row (``to_python`` at the first
    used one): the rows above are skipped, and a count that does not add up falls back to
    ``to_python``."""
    height, width = sheet.height, sheet.width
    rows = sheet.iter_rows()
    for _ in islice(rows, row0):
        pass
    grid = np.empty((height, width), dtype=object)
    seen = 0
    while block := list(islice(rows, _BLOCK_ROWS)):
        part = _grid(block)
        if part.shape != (len(block), width) or seen + len(block) > height:
            seen = -1
            break
        for j in range(width):
            grid[seen:seen + len(block), j] = _shared(part[:, j])
        seen += len(block)
    if seen != height:
        rows_all = sheet.to_python()
        return _grid(rows_all) if rows_all else np.empty((0, width), dtype=object)
    return grid


def _shared(column: np.ndarray) -> np.ndarray:
    """``column`` with equal cells as one object, when all its cells are texts or all floats
    (``==`` between other types would merge 1, 1.0 and True, which normalize tells apart) and
    its first cells repeat (names and ID numbers hardly do: hashing them would gain nothing)."""
    if infer_dtype(column, skipna=False) not in ("string", "floating"):
        return column
    sample = column[:_SAMPLE]
    if len(sample) == _SAMPLE and len(pd.unique(sample)) > _SAMPLE // 2:
        return column
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(uniques, dtype=object)[codes]


def _grid(rows: Sequence[Sequence[object]]) -> np.ndarray:
    """2-D object array of equal-length rows, filled straight from the cells (np.array would
    first probe every row for nesting); ragged rows fall back to np.array."""
    n, width = len(rows), len(rows[0])
    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=n)
    if width == 0 or (lengths != width).any():
        return np.array(rows, dtype=object)
    flat = np.fromiter(chain.from_iterable(rows), dtype=object, count=n * width)
    return flat.reshape(n, width)


def header_notes(header: Header, row0: int) -> list[str]:
    """Notes telling how the header was found (two-row header, heuristic fallback)."""
    notes = []
    if header.fallback:
        notes.append(MSG("note_header_fallback", row=row0 + header.rows[-1] + 1))
    if len(header.rows) == 2:
        upper, lower = (row0 + r + 1 for r in header.rows)
        notes.append(MSG("note_two_row_header", upper=upper, lower=lower))
    return notes


def _listing(names: list[str]) -> str:
    return "、".join(f"{i}. {n}" for i, n in enumerate(names, start=1))


def _reraise_interrupts(exc: BaseException) -> None:
    """Ctrl-C, exit and out-of-memory keep their meaning; anything else from the reader is a
    damaged file (python-calamine turns a Rust panic into a BaseException)."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError | GeneratorExit):
        raise exc


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
