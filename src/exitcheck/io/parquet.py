"""Read .parquet tables with pyarrow: column names are the header, typed values kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from exitcheck.io.body import Origin, build_table
from exitcheck.io.errors import input_error
from exitcheck.io.header import Header
from exitcheck.io.table import RawTable

READER = "pyarrow.parquet"


def read_parquet(path: Path) -> list[RawTable]:
    """One RawTable. Rows are numbered as if exported with the header on row 1 (data from 2),
    the same numbers a CSV of the same table would have."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise input_error("corrupt", path, detail=str(exc).splitlines()[0][:120]) from None
    names = [str(n) for n in table.column_names]
    if not names:
        raise input_error("empty_file", path)
    cells = np.empty((table.num_rows + 1, len(names)), dtype=object)
    cells[0] = names
    for j, column in enumerate(table.columns):
        cells[1:, j] = _to_objects(column)
    header = Header(
        rows=[0], titles=[], names=names, score=float(len(names)), raw=[list[object](names)]
    )
    origin = Origin(path=path, sheet=path.name, reader=READER)
    result = build_table(cells, header, origin, [])
    if not len(result.data):
        raise input_error("no_data_rows", path, header=1)
    return [result]


def _to_objects(column: pa.ChunkedArray) -> np.ndarray:
    """Python values per cell (int stays int, nulls become ''), one column at a time."""
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        if column.null_count:
            values = column.fill_null(0 if not pa.types.is_boolean(kind) else False)
            out = values.to_numpy().astype(object)
            out[column.is_null().to_numpy(zero_copy_only=False)] = ""
            return out
        return column.to_numpy().astype(object)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        out = column.to_numpy(zero_copy_only=False).astype(object)
        if column.null_count:
            out[column.is_null().to_numpy(zero_copy_only=False)] = ""
        return out
    # dates, timestamps, decimals, ...: python objects keep their meaning
    return np.array(["" if v is None else v for v in column.to_pylist()], dtype=object)
