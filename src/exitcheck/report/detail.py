"""The per-finding list when it is too long for a workbook (issue 9, item 3; docs/batch.md).

Above detail_limit() findings the workbook's 明细 sheet holds a note instead of the rows, and
every finding goes to a findings file beside the workbook, in the batch findings file's columns
(exitcheck/batch/findings_file.py). One limit for a single audit, a batch unit's workbook and
the batch roll-up; ``EXITCHECK_DETAIL_LIMIT`` sets another (as the read limits, io/limits.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# xlsxwriter writes ~5-9 µs a cell: 200k findings x 9-11 columns is ~10-20 s and ~15 MiB of
# workbook (docs/PERFORMANCE.md), and a sheet that long is no longer read by a person.
DETAIL_LIMIT = 200_000
DETAIL_LIMIT_ENV = "EXITCHECK_DETAIL_LIMIT"


def detail_limit() -> int:
    """DETAIL_LIMIT, or a whole number >= 0 in EXITCHECK_DETAIL_LIMIT (another value: ignored)."""
    raw = os.environ.get(DETAIL_LIMIT_ENV, "").replace("_", "").strip()
    return int(raw) if raw.isdigit() else DETAIL_LIMIT


def detail_path(workbook: Path) -> Path:
    """The findings file written beside ``workbook`` when its findings exceed the limit."""
    return workbook.with_name(f"{workbook.stem}_明细.parquet")


def exceeds_limit(result: Any) -> bool:
    return len(result.findings) > detail_limit()


def write_detail_file(result: Any, path: Path, *, show_ids: bool) -> int:
    """Every finding of ``result`` to ``path`` (parquet, atomically); return the rows written."""
    import pyarrow.parquet as pq

    from exitcheck.batch.findings_file import findings_table
    from exitcheck.report.atomic import atomic_output

    inputs = [inp.path for inp in result.registry.inputs]
    unit = inputs[0].name if inputs else ""
    table = findings_table(result, unit=unit, show_ids=show_ids)
    with atomic_output(path, inputs=inputs) as tmp:
        pq.write_table(table, tmp)
    return int(table.num_rows)


def detail_note(result: Any, path: Path, lang: str) -> str:
    """The note that says where the findings are (workbook 明细 sheet, terminal, JSON notes)."""
    from exitcheck.report.messages import MSG

    return MSG("detail_in_file", lang, n=len(result.findings), limit=detail_limit(),
               path=path.name)
