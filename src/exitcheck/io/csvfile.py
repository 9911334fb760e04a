"""Read .csv/.txt/.tsv tables: decode, sniff the delimiter, parse every cell as text (pandas C)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from exitcheck.errors import InputError
from exitcheck.io.body import Origin, build_table
from exitcheck.io.columns import build_table_from_columns
from exitcheck.io.encoding import decode
from exitcheck.io.errors import input_error
from exitcheck.io.excel import header_notes
from exitcheck.io.header import SCAN_ROWS, HeaderScore, detect_header
from exitcheck.io.limits import Limits, limit_error
from exitcheck.io.table import RawTable

READER = "pandas.csv"
READER_ARROW = "pyarrow.csv"
DELIMITERS = (",", "\t", ";", "|")
SNIFF_LINES = 30


def read_csv(path: Path, encoding: str | None, header_score: HeaderScore | None) -> list[RawTable]:
    """One RawTable; row numbers are record numbers (= line numbers unless a quoted cell spans
    lines), the header line included."""
    data = path.read_bytes()
    if not data.strip():
        raise input_error("empty_file", path)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise input_error("binary_text", path)
    text, used, note = decode(path, data, encoding)
    del data
    if "\x00" in text:  # NULs past the first 4 kB: the C parser would cut cells at them
        raise input_error("binary_text", path)
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    utf8 = text.encode("utf-8")
    del text
    width = _check_shape(path, utf8, delimiter, Limits.from_env())
    columns, skipped, header = _arrow_columns(utf8, delimiter, width), 0, None
    if columns is None:  # title lines above the header? Read the table from the header on.
        header = detect_header(_head(utf8, delimiter, width), None, header_score)
        start = _record_start(utf8, header.rows[0]) if header is not None else None
        if header is not None and header.rows[0] > 0 and start is not None:
            columns, skipped = _arrow_columns(utf8[start:], delimiter, width), header.rows[0]
    if columns is not None:  # column-wise, no grid of Python objects (io/columns.py)
        if header is None:
            head = [[c[i].as_py() for c in columns]
                    for i in range(min(SCAN_ROWS, len(columns[0])))]
            header = detect_header(head, None, header_score)
        if header is None:
            raise input_error("no_header", path, rows=SCAN_ROWS)
        body = [c[header.last + 1 - skipped:] for c in columns]
        origin = Origin(path=path, sheet=path.name, reader=READER_ARROW, encoding=used)
        table = build_table_from_columns(
            [pa.chunked_array([b], type=pa.string()) for b in body], header, origin,
            [note, *header_notes(header, 0)])
        if not len(table.data):
            raise input_error("no_data_rows", path,
                              header="、".join(map(str, table.header_rows)))
        return [table]
    cells = _pandas_cells(path, utf8, delimiter, width)
    header = detect_header(cells[:SCAN_ROWS].tolist(), None, header_score)
    if header is None:
        raise input_error("no_header", path, rows=SCAN_ROWS)
    origin = Origin(path=path, sheet=path.name, reader=READER, encoding=used)
    table = build_table(cells, header, origin, [note, *header_notes(header, 0)])
    if not len(table.data):
        raise input_error("no_data_rows", path, header="、".join(map(str, table.header_rows)))
    return [table]


def _pandas_cells(path: Path, utf8: bytes, delimiter: str, width: int,
                  nrows: int | None = None) -> np.ndarray:
    """Every cell as text ('' for empty; short lines padded) with pandas' C parser."""
    try:
        frame = pd.read_csv(
            io.BytesIO(utf8),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=object,
            na_filter=False,  # every cell stays text, empty cells are ''
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so record numbers stay true
            engine="c",
            encoding="utf-8",
            nrows=nrows,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise input_error("corrupt", path, detail=str(exc).splitlines()[0][:120]) from None
    return frame.to_numpy(dtype=object)


def _head(utf8: bytes, delimiter: str, width: int) -> list[list[object]]:
    """The first SCAN_ROWS records as the pandas path reads them ([] if it cannot)."""
    try:
        return _pandas_cells(Path("-"), utf8, delimiter, width, nrows=SCAN_ROWS).tolist()
    except InputError:
        return []


def _record_start(utf8: bytes, records: int) -> int | None:
    """Byte offset of record ``records`` (0-based) when the lines before it hold no quote (so
    records are lines: \n, \r\n or a \r alone end them), else None."""
    raw = np.frombuffer(utf8[: 1 << 20], dtype=np.uint8)
    is_lf, is_cr = raw == 10, raw == 13
    line_end = is_lf.copy()
    line_end[:-1] |= is_cr[:-1] & ~is_lf[1:]
    ends = np.flatnonzero(line_end)
    if records < 1 or len(ends) < records:
        return None
    start = int(ends[records - 1]) + 1
    if start >= len(raw) - 1 or b'"' in utf8[:start]:  # (a \r at the window's edge: unsure)
        return None
    return start


def _arrow_columns(utf8: bytes, delimiter: str, width: int) -> list[pa.Array] | None:
    """Every field as text with pyarrow's reader, or None when it cannot read the file the way
    the pandas path does: a record with another number of fields (a short line, a blank line),
    a single column, or anything it rejects. Then the pandas path reads it as before."""
    import pyarrow.csv as pacsv

    odd: list[object] = []

    def invalid(row: object) -> str:
        odd.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                # Empty cells (quoted or not) are missing at once, nothing else is ("NA" stays
                # text): no rewrite of the columns later (pyarrow 15's if_else corrupts
                # sliced text arrays).
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowException, ValueError, OSError):
        return None
    if odd or table.num_columns < 2 or table.num_rows == 0:
        return None
    return [table.column(i).combine_chunks() for i in range(table.num_columns)]


def _sniff_delimiter(text: str, ext: str) -> str:
    """',' for .csv (unless absent), '\\t' for .tsv, else the most frequent candidate."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    counts = {d: sample.count(d) for d in DELIMITERS}
    if ext == ".tsv" and counts["\t"]:
        return "\t"
    if ext == ".csv" and counts[","]:
        return ","
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _max_fields(data: bytes, delimiter: str) -> int:
    """Upper bound of fields per line (delimiters inside quotes over-count, which only adds
    empty columns that are dropped later); vectorized over the bytes."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.append(np.flatnonzero(raw == 10), len(raw))
    seps = np.flatnonzero(raw == ord(delimiter))
    per_line = np.diff(np.searchsorted(seps, ends), prepend=0)
    return int(per_line.max()) + 1


def _check_shape(path: Path, data: bytes, delimiter: str, limits: Limits) -> int:
    """Fields of the widest line, after the read limits (io/limits.py): columns, the grid the
    parser will build (lines x widest line) against the fields present, and cell length."""
    raw = np.frombuffer(data, dtype=np.uint8)
    is_lf, is_cr, is_sep = raw == 10, raw == 13, raw == ord(delimiter)
    # Line ends as the C parser sees them: \n, \r\n, and a \r alone (old Mac files). Masks,
    # not np.union1d of positions (numpy 2's hash-based unique: seconds on a 30 MB file).
    line_end = is_lf.copy()
    line_end[:-1] |= is_cr[:-1] & ~is_lf[1:]
    line_end[-1:] |= is_cr[-1:]
    ends = np.append(np.flatnonzero(line_end), len(raw))
    seps = np.flatnonzero(is_sep)
    per_line = np.diff(np.searchsorted(seps, ends), prepend=0) + 1
    width = int(per_line.max())
    if width > limits.max_columns:
        raise _at_line(limit_error(path, None, "limit_columns", "max_columns", width,
                                   limits.max_columns), path, int(np.argmax(per_line)) + 1)
    area = width * len(per_line)
    fields = int(per_line.sum())
    if area > limits.max_cells:
        raise limit_error(path, None, "limit_cells", "max_cells", area, limits.max_cells,
                          cells=fields)
    if area > limits.sparse_min_cells and area > limits.sparse_ratio * fields:
        raise limit_error(path, None, "limit_sparse", "sparse_ratio", area,
                          limits.sparse_ratio, cells=fields)
    # Cell length: the longest stretch between separators and line ends (bytes first, then
    # the few long ones decoded and counted in characters).
    bounds = np.flatnonzero(is_sep | is_lf | is_cr)
    starts = np.append(0, bounds + 1)
    stops = np.append(bounds, len(raw))
    gaps = stops - starts
    for i in np.flatnonzero(gaps > limits.max_cell_chars)[:20]:
        chars = len(data[starts[i]:stops[i]].decode("utf-8", "replace"))
        if chars > limits.max_cell_chars:
            line = int(np.searchsorted(ends, starts[i])) + 1
            raise _at_line(limit_error(path, None, "limit_cell_chars", "max_cell_chars",
                                       chars, limits.max_cell_chars), path, line)
    return width


def _at_line(error: InputError, path: Path, line: int) -> InputError:
    error.location = f"{path}:{line}"  # file:line, like the decode errors
    return error
