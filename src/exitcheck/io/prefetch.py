"""Parse workbooks ahead: python-calamine runs without the GIL, so imports overlap the parse.

The command line starts a prefetch before it imports pandas and the rest of exitcheck (~0.25 s
at start-up, docs/PERFORMANCE.md); ``io.excel`` then takes the parsed sheets instead of parsing
again. Only the first input is parsed ahead: parsing file i+1 while file i is converted would
save ~0.5 s a file but hold a second parsed workbook (~20x its file size) in memory at once.

Nothing here reports errors: anything that goes wrong is left for the normal read to meet and
report with file, sheet and cell.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Suffixes python-calamine opens by name (the readers open other names by content).
_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass
class Parsed:
    """A workbook opened ahead and the worksheets parsed so far, by name."""

    book: Any  # python_calamine.CalamineWorkbook
    sheets: dict[str, Any] = field(default_factory=dict)  # name -> CalamineSheet


class _Ahead:
    def __init__(self, path: Path, sheet: str | None) -> None:
        self.path = path
        self.sheet = sheet
        self.result: Parsed | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name="exitcheck-prefetch")
        self.thread.start()

    def _run(self) -> None:
        try:
            # Only an xlsx that passes the read limits is parsed ahead: python-calamine aborts
            # the process on a far cell (io/limits.py); xls and ods are probed by the read.
            if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
                self.result = None
                return
            from exitcheck.io.limits import check_workbook

            check_workbook(self.path, "xlsx")
            from python_calamine import CalamineWorkbook, SheetTypeEnum

            book = CalamineWorkbook.from_path(self.path)
            parsed = Parsed(book)
            names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            if self.sheet is not None:
                names = [n for i, n in enumerate(names, start=1)
                         if self.sheet in (n, str(i))][:1]
            for name in names:
                parsed.sheets[name] = book.get_sheet_by_name(name)
            self.result = parsed
        except BaseException:  # incl. a Rust panic (pyo3): the normal read meets the
            self.result = None  # same problem and reports it properly


_lock = threading.Lock()
_ahead: _Ahead | None = None


def start(paths: list[Path], sheet: str | None = None) -> None:
    """Begin parsing the first of ``paths`` if it is a workbook (not a CSV or parquet file)."""
    global _ahead
    with _lock:
        first = Path(paths[0]) if paths else None
        ok = first is not None and first.suffix.lower() in _SUFFIXES and first.is_file()
        _ahead = _Ahead(first, sheet) if ok and first is not None else None


def take(path: Path) -> Parsed | None:
    """The prefetched workbook for ``path`` (waiting for its parse), else None. Once only."""
    global _ahead
    with _lock:
        ahead = _ahead
        if ahead is None or ahead.path != Path(path):
            return None
        _ahead = None
    ahead.thread.join()
    return ahead.result


def clear() -> None:
    """Forget the prefetch (a running parse finishes in its daemon thread, unused)."""
    global _ahead
    with _lock:
        _ahead = None
