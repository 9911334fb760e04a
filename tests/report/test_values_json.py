"""values_json gives exactly the per-finding compact_json(clean_values(...)) of every finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.report.jsonsafe import compact_json
from exitcheck.report.mask import clean_values
from exitcheck.report.values_json import values_json


def _reference(values: list[Any], show_ids: bool) -> list[str]:
    return [compact_json(clean_values(v if isinstance(v, dict) else {}, show_ids=show_ids))
            for v in values]


TEXTS = st.sampled_from([
    "张三", "", "  ", "510100199001011234", "身份证 51010019900101123X 号", "13812345678",
    "卡号 6222021234567890123", "a\"b\\c", "line\nbreak", "\x01ctrl", "广安区罗渡镇", "1.5e+17",
]) | st.text(max_size=30)
SCALARS = st.one_of(
    st.none(), st.booleans(), TEXTS,
    st.integers(min_value=-10**19, max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5.101001990010113e17, 13812345678.0, 3750.0, -0.0, 1e10, 9_999_999_999.0]),
    st.builds(np.float64, st.floats(allow_nan=True)),
    st.builds(np.int64, st.integers(min_value=-10**12, max_value=10**12)),
    st.just(pd.NA), st.just(pd.NaT),
    st.builds(pd.Timestamp, st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                         max_value=dt.datetime(2100, 1, 1))),
    st.dates(),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(st.sampled_from(["a", "id_number"]), SCALARS, max_size=2))
KEYS = st.sampled_from(["name", "income", "id_number", "head_id_number", "phone", "field",
                        "value", "param.line", "count()", "51010019900101123X", "bank_account"])


@st.composite
def findings(draw: Any) -> list[Any]:
    """Findings in a few groups of shared keys, as one rule's findings have them."""
    shapes = draw(st.lists(st.lists(KEYS, max_size=5, unique=True), min_size=1, max_size=4))
    out: list[Any] = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        i = draw(st.integers(min_value=0, max_value=len(shapes)))
        if i == len(shapes):
            out.append(draw(st.sampled_from([None, "text", 3])))  # not a dict
            continue
        d = {k: draw(VALUES) for k in shapes[i]}
        if "field" in d:  # builtin findings name the field of their "value"
            d["field"] = draw(st.sampled_from(["id_number", "name", "head_id_number", None]))
        out.append(d)
    return out


@settings(max_examples=300, deadline=None)
@given(findings(), st.booleans())
def test_equals_the_per_finding_path(values: list[Any], show_ids: bool) -> None:
    assert values_json(values, show_ids=show_ids) == _reference(values, show_ids)


@pytest.mark.parametrize("show_ids", [False, True])
def test_typical_findings(show_ids: bool) -> None:
    values = [
        {"name": "张三", "income": 3200.5, "param.line": 3750.0, "id_number": "510100199001011234"},
        {"name": "李四", "income": None, "param.line": 3750.0, "id_number": 5.101001990010113e17},
        {"field": "id_number", "value": "51010019900101123X"},
        {"field": "name", "value": "王五"},
        {"phone": "13812345678", "name": "赵六"},
        {},
        None,
    ]
    got = values_json(values, show_ids=show_ids)
    assert got == _reference(values, show_ids)
    assert "13812345678" not in got[4]
    if not show_ids:
        assert "510100199001011234" not in got[0] and "51010019900101123X" not in got[2]
