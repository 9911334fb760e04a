"""values_records (zip-built) gives what DataFrame.to_dict("records") gave, value for value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from exitcheck.engine.evaluate import _plain_column, values_records


def _reference(values, params, n):
    cols = {name: _plain_column(s) for name, s in values.items()}
    for name, value in params.items():
        cols[f"param.{name}"] = [value] * n if isinstance(value, list) else value
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n))
    records = frame.astype(object).to_dict("records")
    # pandas 3 made blank text/dates NaN there (str dtype inferred); the documented value, and
    # what the JSON and workbook always showed, is None.
    return [{k: None if isinstance(v, float) and v != v else v for k, v in r.items()}
            for r in records]


def test_same_records_and_python_types_as_to_dict():
    n = 4
    values = {
        "income": pd.Series([1.5, None, 3.0, 4.25], dtype="Float64"),
        "age": pd.Series([1, 2, None, 4], dtype="Int64"),
        "flag": pd.Series([True, None, False, True], dtype="boolean"),
        "status": pd.Series(["已脱贫", None, "未脱贫", "x"], dtype="string"),
        "born": pd.Series(pd.to_datetime(["2019-01-02", None, "1990-12-31", "2000-02-29"])),
        "raw": pd.Series([np.int64(3), "a", np.float64(2.5), None], dtype=object),
    }
    params = {"exit_income_line": 3750, "statuses": ["已脱贫", "拟脱贫"], "share": 0.5}
    got = values_records(values, params, n)
    want = _reference(values, params, n)
    assert got == want
    assert [[type(v) for v in r.values()] for r in got] == \
        [[type(v) for v in r.values()] for r in want]
    assert got[0]["param.statuses"] is got[1]["param.statuses"]  # one list, as before


def test_params_only_and_empty():
    assert values_records({}, {"line": 3750}, 2) == [{"param.line": 3750}] * 2
    assert values_records({}, {}, 3) == [{}, {}, {}]
    assert values_records({"a": pd.Series([], dtype="Float64")}, {"line": 1}, 0) == []
