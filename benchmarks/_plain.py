"""The baseline every benchmark compares with: the fastest plain python-calamine read of a sheet.

"Fastest" means the better of two timings of `CalamineWorkbook.from_path(p).get_sheet_by_index(0)
.to_python()`: as is, and with Python's cyclic GC paused (which exitcheck's own reader does, so
the trick must not count in exitcheck's favour).
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
