"""Read .parquet tables with pyarrow: column names are the header, typed values kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from exitcheck.io.body import Origin
from exitcheck.io.columns import build_table_from_columns, is_fast_type
from exitcheck.io.errors import input_error
from exitcheck.io.header import Header
from exitcheck.io.limits import Limits, limit_error
from exitcheck.io.messages import MSG
from exitcheck.io.table import RawTable

READER = "pyarrow.parquet"


def read_parquet(path: Path) -> list[RawTable]:
    """One RawTable. Rows are numbered as if exported with the header on row 1 (data from 2),
    the same numbers a CSV of the same table would have. Nested columns are left out (with a
    note), binary ones read as UTF-8, dictionary columns decoded, and dates or numbers out of
    the range pandas handles kept as text (a DQ finding later says they are unreadable)."""
    limits = Limits.from_env()
    _check_metadata(path, limits)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError, TypeError, IndexError, KeyError,
            NotImplementedError, OverflowError) as exc:
        raise input_error("corrupt", path, detail=_first_line(exc)) from None
    names = [str(n) for n in table.column_names]
    if not names:
        raise input_error("empty_file", path)
    notes: list[str] = []
    kept: list[tuple[str, pa.ChunkedArray]] = []
    for name, column in zip(names, table.columns, strict=True):
        if _nested(column.type):
            notes.append(MSG("parquet_nested", column=name, type=str(column.type)[:60]))
            continue
        kept.append((name, column))
    if not kept:
        raise input_error("no_data_rows", path, header=1)
    names = [n for n, _ in kept]
    columns: list[pa.ChunkedArray | np.ndarray] = []
    for name, column in kept:
        try:
            columns.append(_arrow_or_objects(column, name, notes, path, limits))
        except (pa.ArrowException, ValueError, OverflowError, TypeError) as exc:
            raise input_error("corrupt", path, detail=f"{name}: {_first_line(exc)}") from None
    header = Header(
        rows=[0], titles=[], names=names, score=float(len(names)), raw=[list[object](names)]
    )
    origin = Origin(path=path, sheet=path.name, reader=READER)
    result = build_table_from_columns(columns, header, origin, notes)
    if not len(result.data):
        raise input_error("no_data_rows", path, header=1)
    return [result]


def _arrow_or_objects(column: pa.ChunkedArray, name: str, notes: list[str], path: Path,
                      limits: Limits) -> pa.ChunkedArray | np.ndarray:
    """Text, numbers and booleans stay Arrow columns (dictionaries decoded, binary as UTF-8);
    other types become Python objects (``_to_objects``)."""
    column = _decoded(column, name, notes)
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        _check_text_length(column, name, path, limits)
    if pa.types.is_float16(kind):  # Arrow's kernels do not all take half floats
        column = column.cast(pa.float64())
        kind = column.type
    if is_fast_type(kind):
        return column
    return _to_objects(column, name, notes)


def _decoded(column: pa.ChunkedArray, name: str, notes: list[str]) -> pa.ChunkedArray:
    """Dictionary columns decoded, binary ones read as UTF-8 (invalid bytes shown as �)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = pa.chunked_array([c.dictionary_decode() for c in column.chunks],
                                  type=kind.value_type)
        kind = column.type
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or (
            pa.types.is_fixed_size_binary(kind)):
        notes.append(MSG("parquet_binary", column=name))
        values = column.to_pylist()
        column = pa.chunked_array(
            [pa.array([None if v is None else v.decode("utf-8", "replace") for v in values],
                      type=pa.string())])
    return column


def _check_text_length(column: pa.ChunkedArray, name: str, path: Path, limits: Limits) -> None:
    if len(column) and column.null_count < len(column):
        # Bytes bound characters: count characters only when some cell has that many bytes.
        if (pc.max(pc.binary_length(column)).as_py() or 0) <= limits.max_cell_chars:
            return
        longest = pc.max(pc.utf8_length(column)).as_py() or 0
        if longest > limits.max_cell_chars:
            raise limit_error(path, name, "limit_cell_chars", "max_cell_chars", longest,
                              limits.max_cell_chars)


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _check_metadata(path: Path, limits: Limits) -> None:
    """Columns and declared rows before reading: a tiny file may declare 10^9 null rows."""
    try:
        meta = pq.ParquetFile(path).metadata
        rows, columns = int(meta.num_rows), int(meta.num_columns)
    except Exception as exc:  # pyarrow raises several types on damaged footers
        raise input_error("corrupt", path, detail=_first_line(exc)) from None
    if columns > limits.max_columns:
        raise limit_error(path, None, "limit_columns", "max_columns", columns,
                          limits.max_columns)
    area = max(rows, 0) * max(columns, 1)
    if area > limits.max_cells:
        raise limit_error(path, None, "limit_cells", "max_cells", area, limits.max_cells,
                          cells="?")
    size = max(1, path.stat().st_size)
    # Cells per byte of file: columnar encodings compress repeated values very well (a real
    # export stays under ~50 cells a byte); a file of runs of nulls declares far more.
    if area > limits.sparse_min_cells and area > 5 * limits.sparse_ratio * size:
        raise limit_error(path, None, "limit_sparse", "sparse_ratio", area,
                          limits.sparse_ratio, cells=f"{size} B")


def _nested(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _nested(kind.value_type)
    return bool(pa.types.is_nested(kind) or pa.types.is_union(kind)
                or pa.types.is_map(kind))


# Dates pandas can hold (datetime64[ns]); others are kept as text.
_FIRST_DAY = dt.date(1678, 1, 1)
_LAST_DAY = dt.date(2261, 12, 31)


def _to_objects(column: pa.ChunkedArray, name: str, notes: list[str]) -> np.ndarray:
    """Python values per cell of a column Arrow does not keep (dates, timestamps, decimals ...;
    nulls become ''), one column at a time."""
    kind = column.type  # decoded by _arrow_or_objects
    # dates, timestamps, decimals, ...: python objects keep their meaning
    try:
        values = column.to_pylist()
    except (ValueError, OverflowError, pa.ArrowException):  # e.g. a timestamp past year 9999
        notes.append(MSG("parquet_out_of_range", column=name))
        text = column.cast(pa.int64()) if pa.types.is_temporal(kind) else column
        return np.array(["" if v is None else str(v) for v in text.to_pylist()], dtype=object)
    out = np.array(["" if v is None else v for v in values], dtype=object)
    if pa.types.is_temporal(kind) or pa.types.is_decimal(kind):
        odd = [i for i, v in enumerate(values) if not _in_range(v)]
        if odd:
            notes.append(MSG("parquet_out_of_range", column=name))
            for i in odd:
                out[i] = str(values[i])
    return out


def _in_range(value: object) -> bool:
    """Whether pandas can hold the value (dates within datetime64[ns], finite decimals)."""
    if value is None:
        return True
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return _FIRST_DAY <= day <= _LAST_DAY
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) < Decimal("1e15")
    return True
