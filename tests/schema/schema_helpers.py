"""Helpers for schema tests: RawTable objects built as the read stage would, and valid IDs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from exitcheck.io.cells import column_letter
from exitcheck.io.table import RawTable


def make_table(
    columns: list[str],
    rows: list[list[object]],
    *,
    sheet: str = "贫困人口明细",
    path: str = "county.xlsx",
    header_row: int = 3,
    skipped: list[tuple[int, str, str]] | None = None,
) -> RawTable:
    """A RawTable whose header is on ``header_row`` (two title rows above by default) and whose
    data rows follow it; ``skipped`` rows (row, reason, text) are counted in rows_read."""
    data = pd.DataFrame([list(r) for r in rows], columns=columns, dtype=object)
    skipped = skipped or []
    skip_rows = {r for r, _, _ in skipped}
    numbers, n = [], header_row + 1
    while len(numbers) < len(rows):
        if n not in skip_rows:
            numbers.append(n)
        n += 1
    return RawTable(
        path=Path(path),
        sheet=sheet,
        reader="test",
        encoding=None,
        title_rows=list(range(1, header_row)),
        header_rows=[header_row],
        columns=list(columns),
        column_letters=[column_letter(i) for i in range(len(columns))],
        data=data,
        rows=np.array(numbers, dtype=np.int64),
        skipped=pd.DataFrame(
            {"row": [r for r, _, _ in skipped], "reason": [x for _, x, _ in skipped],
             "text": [t for _, _, t in skipped]}
        ),
        rows_read=len(rows) + len(skipped),
    )


def make_id(area: str, birth: str, seq: int) -> str:
    """An 18-digit ID with its GB 11643 check character, computed here from the standard's
    definition (weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 -> X)."""
    body = f"{area}{birth}{seq:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))
