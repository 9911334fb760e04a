"""A table's rows as worksheet XML, built a column at a time with Arrow string kernels.

xlsxwriter writes a cell in ~7-10 µs of Python (reference, style, escaping, one write per
cell); a list sheet of 150,000 households x 10 columns took most of the workbook's time
(docs/PERFORMANCE.md). In ``constant_memory`` mode xlsxwriter streams each finished row's XML
to the worksheet's file and keeps nothing else of it, so a block of rows can be handed over as
XML instead, built here for whole columns at once: the same elements xlsxwriter writes for
``write_string`` (an inline string) and ``write_number``, the same escapes (control characters
as ``_xHHHH_``, a literal ``_xHHHH_`` as ``_x005F_xHHHH_``, ``& < >``), ``xml:space="preserve"``
on text with leading or trailing whitespace, and nothing for a blank cell or an empty row.

One difference, on purpose: xlsxwriter writes a text that starts with ``<r>`` and ends with
``</r>`` unescaped (it takes it for one of its rich strings), so such a cell would put raw XML in
the sheet; here it is escaped like any other text.

The hand-over uses worksheet members xlsxwriter has had since its first constant_memory
release (``constant_memory``, ``previous_row``, ``fh``, ``table``, ``_write_single_row``,
``_check_dimensions``; ``usable`` checks them, and the writer falls back to cell-by-cell writes
without them) and the formats' ``_get_xf_index``. tests/report/test_sheet_rows.py writes the same
table both ways and compares, on the newest xlsxwriter and on the oldest pyproject allows (CI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

_BLOCK = 20_000  # rows built, joined into one string and written at a time
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))]
_CONTROL_RE = "[\\x00-\\x08\\x0b-\\x1f\\x{fffe}\\x{ffff}]"
_LITERAL_ESCAPE_RE = "(_x[0-9a-fA-F]{4}_)"
_MEMBERS = ("previous_row", "fh", "table", "_write_single_row", "_check_dimensions")


@dataclass
class Column:
    """One column's cells: ``text`` (string; null = blank cell) is the exact text of each text
    cell or the number of each number cell; ``xf`` is each cell's style index (an int for the
    whole column, or an int array)."""

    text: pa.Array
    number: bool
    xf: int | np.ndarray


def usable(ws: Any, first_row: int, n: int) -> bool:
    """Whether ``n`` rows from ``first_row`` on can be handed to ``ws`` as XML: a
    constant_memory worksheet whose pending row (if any) lies above them, and none of them
    given a height, format or comment in advance (xlsxwriter writes those with the row)."""
    if not getattr(ws, "constant_memory", False):
        return False
    if not all(hasattr(ws, m) for m in _MEMBERS) or ws.fh is None:
        return False
    if not (first_row > ws.previous_row or (first_row == ws.previous_row and not ws.table)):
        return False
    # Rows given a height or format (``row_info``; ``set_rows`` in older xlsxwriter, 3.1) or a
    # comment.
    ahead = [*getattr(ws, "row_info", {}), *getattr(ws, "set_rows", {}),
             *getattr(ws, "comments", {})]
    return not any(first_row <= r < first_row + n for r in ahead)


def write_rows(ws: Any, first_row: int, first_col: int, columns: list[Column]) -> None:
    """Write ``columns`` as rows ``first_row``... of ``ws`` (check ``usable`` first); the XML
    is built and written _BLOCK rows at a time, so its memory stays that of one block."""
    n = len(columns[0].text) if columns else 0
    if n == 0:
        return
    ws._write_single_row(first_row)  # flushes the row pending above (the header)
    letters = [xl_col_to_name(first_col + j) for j in range(len(columns))]
    used_rows: list[int] = []
    used_cols = np.zeros(len(columns), dtype=bool)
    for start in range(0, n, _BLOCK):
        size = min(_BLOCK, n - start)
        block = [Column(c.text.slice(start, size), c.number,
                        c.xf if isinstance(c.xf, int) else c.xf[start:start + size])
                 for c in columns]
        filled = [np.asarray(c.text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
                  for c in block]
        any_filled = np.logical_or.reduce(filled)
        used_cols |= [f.any() for f in filled]
        rows = np.flatnonzero(any_filled)
        if len(rows):
            used_rows += [start + int(rows[0]), start + int(rows[-1])]
        first = first_row + start + 1
        numbers = pc.cast(pa.array(np.arange(first, first + size)), pa.string())
        cells = [_cells(c, letter, numbers) for c, letter in zip(block, letters, strict=True)]
        body = pc.binary_join_element_wise(*cells, "", null_handling="replace",
                                           null_replacement="")
        xml = pc.binary_join_element_wise('<row r="', numbers, '">', body, "</row>", "")
        xml = pc.if_else(pa.array(any_filled), xml, "")
        ws.fh.write("".join(xml.to_pylist()))
    if used_rows:
        cols = np.flatnonzero(used_cols)
        ws._check_dimensions(first_row + used_rows[0], first_col + int(cols[0]))
        ws._check_dimensions(first_row + used_rows[-1], first_col + int(cols[-1]))
    ws.previous_row = first_row + n - 1  # written: nothing is pending in ws.table


def _cells(column: Column, letter: str, numbers: pa.Array) -> pa.Array:
    """Each cell's ``<c>`` element (null for a blank cell)."""
    xf: Any = (str(column.xf) if isinstance(column.xf, int)
               else pa.array(column.xf.astype(str)))
    if column.number:
        return pc.binary_join_element_wise(
            '<c r="', letter, numbers, '" s="', xf, '"><v>', column.text, "</v></c>", "")
    text = escape(column.text)
    kept = pc.utf8_length(pc.utf8_trim_whitespace(text))
    preserve = pc.if_else(pc.not_equal(kept, pc.utf8_length(text)), ' xml:space="preserve"', "")
    return pc.binary_join_element_wise(
        '<c r="', letter, numbers, '" s="', xf, '" t="inlineStr"><is><t', preserve, ">", text,
        "</t></is></c>", "")


def escape(text: pa.Array) -> pa.Array:
    """What xlsxwriter does to an inline string: ``_xHHHH_`` literals and control characters
    first (Excel's own escape), then the XML characters."""
    if pc.any(pc.match_substring_regex(text, _LITERAL_ESCAPE_RE)).as_py():
        text = pc.replace_substring_regex(text, _LITERAL_ESCAPE_RE, "_x005F\\1")
    if pc.any(pc.match_substring_regex(text, _CONTROL_RE)).as_py():
        for char in [*_CONTROL, "\ufffe", "\uffff"]:
            text = pc.replace_substring(text, char, f"_x{ord(char):04X}_")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, char, entity)
    return text


def number_text(values: np.ndarray) -> pa.Array | None:
    """float64 values as the text of ``<v>`` (NaN: blank cell); None when one is infinite
    (xlsxwriter writes those as error cells: the caller writes that table cell by cell)."""
    if np.isinf(values).any():
        return None
    return pc.cast(pa.array(values, from_pandas=True), pa.string())
