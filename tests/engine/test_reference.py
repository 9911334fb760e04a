"""The row-by-row reference interpreter on hand-worked cases (it is the oracle of the
property tests, so its own answers are checked against values worked out by hand here)."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from test_expr_catalogue import small_catalogue

from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr import compile_expression
from exitcheck.engine.reference import reference_evaluate

CAT = small_catalogue()


def _ctx() -> EvalContext:
    households = pd.DataFrame(
        {
            "h_num": pd.array([4000.0, None, 0.0], dtype="Float64"),
            "h_bool": pd.array([True, None, False], dtype="boolean"),
            "h_text": pd.array(["甲", " ", None], dtype="string"),
            "h_date": pd.to_datetime(["2020-01-31", None, "2019-11-15"]),
        },
        index=pd.Index(["H1", "H2", "H3"], name="household_id"),
    )
    members = pd.DataFrame(
        {
            "household_id": ["H1", "H1", "H2", "ORPHAN"],
            "m_bool": pd.array([True, False, None, True], dtype="boolean"),
            "m_num": pd.array([1.5, 2.5, None, 9.0], dtype="Float64"),
            "age": pd.array([40, 7, None, 3], dtype="Int64"),
        }
    )
    return EvalContext(
        households, members, {"line": 3750, "names": ["甲", None]}, datetime.date(2020, 12, 31)
    )


CASES = [
    ("household", "h_bool and False", [False, False, False]),
    ("household", "h_bool or True", [True, True, True]),
    ("household", "not h_bool", [False, None, True]),
    ("household", "h_num > param.line", [True, None, False]),
    ("household", "100 / h_num", [0.025, None, None]),
    ("household", "h_text in param.names", [True, None, None]),
    ("household", 'h_text not in ("甲",)', [False, True, None]),
    ("household", "0 <= h_num < 5000", [True, None, True]),
    ("household", "any(m_bool)", [True, None, False]),
    ("household", "all(m_bool)", [False, None, True]),
    ("household", "count(m_bool)", [1.0, None, 0.0]),
    ("household", "count()", [2.0, 1.0, 0.0]),
    ("household", "sum(m_num)", [4.0, None, 0.0]),
    ("household", "max(age)", [40.0, None, None]),
    ("household", "isblank(h_text)", [False, True, True]),
    ("household", 'months_between(h_date, date("2020-03-15"))', [1.0, None, 4.0]),
    ("household", "round(h_num / 3, 1)", [1333.3, None, 0.0]),
    ("household", "coalesce(h_num, -1)", [4000.0, -1.0, 0.0]),
    # the orphan member (no household row) sees NA for household fields and aggregates
    ("member", "age < 18 or h_bool", [True, True, None, True]),
    ("member", "count() + 0", [2.0, 2.0, 1.0, None]),
    ("member", "h_num > 0", [True, True, None, None]),
]


@pytest.mark.parametrize(("level", "text", "expected"), CASES, ids=[c[1] for c in CASES])
def test_reference_matches_hand_worked_values(
    level: str, text: str, expected: list[object]
) -> None:
    ctx = _ctx()
    expr = compile_expression(text, level=level, catalogue=CAT)  # type: ignore[arg-type]
    assert reference_evaluate(expr, ctx) == expected
    vectorized = [None if v is pd.NA else v for v in expr.evaluate(ctx).tolist()]
    assert vectorized == expected
