"""io/columns.py: the column-wise body builder keeps Arrow columns valid and empty cells missing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from exitcheck.io.body import Origin
from exitcheck.io.columns import build_table_from_columns
from exitcheck.io.header import Header


def test_sliced_text_with_empty_cells_stays_valid() -> None:
    # pyarrow 15's if_else wrote bad offsets for sliced text arrays (the CSV reader slices the
    # header off): every output column must validate and hold the same texts.
    values = ["名称", "", "因身体原因不具备学习条件", "abc", "", "因身体原因", "y", "x"] * 4
    full = pa.array(values, pa.string())
    body = pa.chunked_array([full[1:]])
    other = pa.chunked_array([pa.array([str(i) for i in range(len(values))])[1:]])
    header = Header(rows=[0], titles=[], names=["原因", "编号"], score=2.0,
                    raw=[["原因", "编号"]])
    table = build_table_from_columns([body, other], header,
                                     Origin(path=Path("t.csv"), sheet="t.csv", reader="t"), [])
    column = table.data["原因"]
    column.array._pa_array.validate(full=True)
    expected = [v or None for v in values[1:]]
    kept = [expected[i - 2] for i in table.rows.tolist()]
    assert [None if pd.isna(v) else v for v in column] == kept
