"""Small helpers shared by the assess workbooks (xlsxwriter, written atomically)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

SHEET_NAME_BAD = set('[]:*?/\\')


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique worksheet name (≤ 31 characters, no []:*?/\\)."""
    clean = "".join("_" if ch in SHEET_NAME_BAD else ch for ch in text).strip("'") or "表"
    name = clean[:31]
    n = 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f"~{n}"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def cell_value(value: Any) -> Any:
    """NaN/NA -> None; numpy scalars -> Python; everything else as is."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_table(ws: Any, row: int, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                head_fmt: Any = None, formats: Sequence[Any] | None = None) -> int:
    """Write a header row and data rows from ``row``; text is always written as text (never a
    formula). Returns the next free row."""
    for c, head in enumerate(headers):
        ws.write_string(row, c, str(head), head_fmt)
    for r, values in enumerate(rows, start=row + 1):
        for c, value in enumerate(values):
            fmt = formats[c] if formats is not None and c < len(formats) else None
            v = cell_value(value)
            if v is None:
                ws.write_blank(r, c, None, fmt)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v, fmt)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, fmt)
            else:
                ws.write_string(r, c, str(v), fmt)
    return row + 1 + len(rows)
