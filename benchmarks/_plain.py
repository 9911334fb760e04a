"""The baseline every benchmark compares with: the fastest plain python-calamine read of a sheet.

"Fastest" means the better of two timings of `CalamineWorkbook.from_path(p).get_sheet_by_index(0)
.to_python()`: as is, and with Python's cyclic GC paused (which exitcheck's own reader does, so
the trick must not count in exitcheck's favour). That is the design card's floor ("python-calamine
reads this file", shared/design/ARCHITECTURE.md §5).

`fastexcel_read` times a second reader for the record: fastexcel (also calamine underneath)
reads every cell into Arrow columns, faster than python-calamine's Python objects, so a ratio
against it is reported too (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path


def best_of(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    """Best wall time of ``runs`` calls, with a full collection before each."""
    best, result = float("inf"), None
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        if _ < runs - 1:
            result = None
    return best, result


def plain_rows(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())


def plain_rows_gc_paused(path: Path) -> int:
    gc.disable()
    try:
        return plain_rows(path)
    finally:
        gc.enable()


def fastest_plain_read(path: Path, runs: int) -> tuple[float, float, int]:
    """(fastest seconds, seconds with the GC on, sheet rows)."""
    t_gc_on, rows = best_of(lambda: plain_rows(path), runs)
    t_paused, _ = best_of(lambda: plain_rows_gc_paused(path), runs)
    return min(t_gc_on, t_paused), t_gc_on, int(rows)  # type: ignore[arg-type]


def fastexcel_read(path: Path, runs: int) -> float | None:
    """Best seconds of fastexcel reading every cell of the first sheet into Arrow; None when
    fastexcel is not installed."""
    try:
        import fastexcel
    except ImportError:
        return None

    def read() -> int:
        table = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_arrow()
        return int(table.num_rows)

    best, _ = best_of(read, runs)
    return best
