"""Parquet reading: column names are the header; typed values and nulls come through."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from exitcheck.io import SKIP_TOTAL, read_tables


def test_parquet_keeps_types_and_numbers_rows_like_csv(tmp_path: Path) -> None:
    table = pa.table(
        {
            "姓名": ["张三", None, "合计"],
            "证件号码": pa.array([510100199001011234, 510100199203041221, None], pa.int64()),
            "人均纯收入（元）": [4000.5, None, 4000.5],
        }
    )
    path = tmp_path / "members.parquet"
    pq.write_table(table, path)
    [raw] = read_tables(path)
    assert raw.reader == "pyarrow.parquet"
    assert raw.columns == ["姓名", "证件号码", "人均纯收入（元）"]
    assert raw.header_rows == [1] and raw.rows.tolist() == [2, 3]
    assert raw.data["证件号码"].tolist() == [510100199001011234, 510100199203041221]
    assert isinstance(raw.data["证件号码"].iloc[0], int)
    # Arrow-typed columns (io/columns.py): an empty cell is missing (pd.NA), not None.
    assert raw.data["姓名"].iloc[0] == "张三" and pd.isna(raw.data["姓名"].iloc[1])
    assert pd.isna(raw.data["人均纯收入（元）"].iloc[1])
    assert raw.skipped["reason"].tolist() == [SKIP_TOTAL] and raw.skipped["row"].tolist() == [4]
    assert raw.rows_read == 3
