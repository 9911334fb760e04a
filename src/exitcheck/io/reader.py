"""read_tables: dispatch a registry export to its reader and return its data tables."""

from __future__ import annotations

from pathlib import Path

from exitcheck.io.header import HeaderScore
from exitcheck.io.sniff import CSV, PARQUET, sniff_format
from exitcheck.io.table import RawTable


def read_tables(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    header_score: HeaderScore | None = None,
) -> list[RawTable]:
    """Read a workbook, CSV or parquet file into RawTables, best-scoring sheet first.

    ``sheet`` picks one sheet (name, or 1-based index as text); ``encoding`` overrides CSV
    encoding detection; ``header_score(cells) -> float`` (higher = more header-like) is the
    schema stage's scorer, else a text heuristic finds the header. Bad input -> InputError.
    """
    path = Path(path)
    kind = sniff_format(path)
    if kind not in (CSV, PARQUET):
        from exitcheck.io.limits import check_workbook

        check_workbook(path, kind)  # before any parse: io/limits.py
    if kind == CSV:
        from exitcheck.io.csvfile import read_csv

        return read_csv(path, encoding, header_score)
    if kind == PARQUET:
        from exitcheck.io.parquet import read_parquet

        return read_parquet(path)
    from exitcheck.io.excel import read_workbook

    return read_workbook(path, kind, sheet, header_score)
