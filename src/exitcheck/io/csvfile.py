"""Read .csv/.txt/.tsv tables: decode, sniff the delimiter, parse every cell as text (pandas C)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from exitcheck.io.body import Origin, build_table
from exitcheck.io.encoding import decode
from exitcheck.io.errors import input_error
from exitcheck.io.excel import header_notes
from exitcheck.io.header import SCAN_ROWS, HeaderScore, detect_header
from exitcheck.io.table import RawTable

READER = "pandas.csv"
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
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    utf8 = text.encode("utf-8")
    try:
        frame = pd.read_csv(
            io.BytesIO(utf8),
            sep=delimiter,
            header=None,
            names=range(_max_fields(utf8, delimiter)),
            dtype=object,
            na_filter=False,  # every cell stays text, empty cells are ''
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so record numbers stay true
            engine="c",
            encoding="utf-8",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise input_error("corrupt", path, detail=str(exc).splitlines()[0][:120]) from None
    cells = frame.to_numpy(dtype=object)
    header = detect_header(cells[:SCAN_ROWS].tolist(), None, header_score)
    if header is None:
        raise input_error("no_header", path, rows=SCAN_ROWS)
    origin = Origin(path=path, sheet=path.name, reader=READER, encoding=used)
    table = build_table(cells, header, origin, [note, *header_notes(header, 0)])
    if not len(table.data):
        raise input_error("no_data_rows", path, header="、".join(map(str, table.header_rows)))
    return [table]


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
