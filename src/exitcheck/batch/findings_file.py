"""The findings file of a batch: every finding of every unit, written unit by unit (docs/batch.md).

Each unit's worker writes its findings to a part (parquet); the parent appends the parts one at a
time to ``汇总_核查结果_明细.parquet`` (or ``.csv``), so no process ever holds more than one unit's
findings. Columns (stable, English like the JSON report's keys): unit, county, township, village,
rule, family, severity, status, household_id, member_id, location, message, values (JSON text).
ID numbers are masked unless --show-ids, as in every other output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

COLUMNS: tuple[str, ...] = ("unit", "county", "township", "village", "rule", "family",
                            "severity", "status", "household_id", "member_id", "location",
                            "message", "values")
SCHEMA = pa.schema([(c, pa.string()) for c in COLUMNS])
FORMATS = ("parquet", "csv")


def findings_table(result: Any, *, unit: str, show_ids: bool) -> pa.Table:
    """The unit's findings as an Arrow table of FINDING_COLUMNS + area and unit columns."""
    import pandas as pd

    from exitcheck.aggregate import findings_frame
    from exitcheck.report.mask import mask_text_series
    from exitcheck.report.values_json import values_json

    f = findings_frame(result)
    households = result.registry.households
    hid = f["household_id"].astype("string")
    frame = pd.DataFrame({"unit": unit}, index=f.index)
    for key in ("county", "township", "village"):
        col = (households[key].astype("string") if key in households.columns
               else pd.Series(pd.NA, index=households.index, dtype="string"))
        frame[key] = hid.map(col).astype("string")
    for key in ("rule", "family", "severity", "status"):
        frame[key] = f[key].astype("string")
    # Masked as in the workbook and the JSON (a 户编号 that looks like a card number too).
    for key in ("household_id", "member_id", "location", "message"):
        text = f[key].astype("string")
        frame[key] = text if show_ids else mask_text_series(text).astype("string")
    # One JSON text per finding (as the workbook's 明细 sheet), encoded a key at a time.
    frame["values"] = values_json(f["values"].tolist(), show_ids=show_ids)
    return pa.Table.from_pandas(frame.reset_index(drop=True), schema=SCHEMA,
                                preserve_index=False)


def write_part(result: Any, path: Path, *, unit: str, lang: str, show_ids: bool) -> int:
    """Write the unit's findings part; return its number of rows."""
    import pyarrow.parquet as pq

    del lang  # messages were rendered in the run's language by the engine
    table = findings_table(result, unit=unit, show_ids=show_ids)
    pq.write_table(table, path)
    return table.num_rows


def iter_parts(parts: Sequence[Path | str], batch_rows: int = 50_000) -> Iterator[pa.Table]:
    """The parts' rows in unit order, ``batch_rows`` at a time (one part open at a time)."""
    import pyarrow.parquet as pq

    for part in parts:
        reader = pq.ParquetFile(part)
        for batch in reader.iter_batches(batch_size=batch_rows):
            yield pa.Table.from_batches([batch], schema=SCHEMA)


def merge_parts(parts: Sequence[Path | str], target: Path, fmt: str = "parquet",
                extra: pa.Table | None = None) -> int:
    """Append the parts (then ``extra``, the roll-up's own findings) to ``target``, atomically;
    return the rows written."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from exitcheck.report.atomic import atomic_output

    rows = 0
    with atomic_output(target) as tmp:
        if fmt == "csv":
            # UTF-8 with BOM: Excel and WPS open it as UTF-8 (without it they guess GBK).
            with open(tmp, "wb") as fh:
                fh.write("\ufeff".encode())
                writer = pacsv.CSVWriter(fh, SCHEMA)
                for table in _tables(parts, extra):
                    writer.write_table(table)
                    rows += table.num_rows
                writer.close()
        else:
            writer = pq.ParquetWriter(tmp, SCHEMA)
            try:
                for table in _tables(parts, extra):
                    writer.write_table(table)
                    rows += table.num_rows
            finally:
                writer.close()
    return rows


def _tables(parts: Sequence[Path | str], extra: pa.Table | None) -> Iterator[pa.Table]:
    yield from iter_parts(parts)
    if extra is not None and extra.num_rows:
        yield extra.select(list(COLUMNS)).cast(SCHEMA)
