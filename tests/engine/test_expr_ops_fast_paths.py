"""The column fast paths of expr_ops give what the general paths give (issue 9, evaluate at 10^6
rows): Arrow booleans turned into nullable booleans, and coalesce() with a constant."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.engine.expr_ops import (
    Const,
    as_boolean,
    coalesce,
    compare,
    duplicated,
    text_test,
)


def test_arrow_booleans_keep_values_and_missing() -> None:
    index = pd.RangeIndex(5)
    arrow = pd.array([True, None, False, True, None], dtype=pd.ArrowDtype(pa.bool_()))
    got = as_boolean(pd.Series(arrow, index=index), index)
    assert str(got.dtype) == "boolean"
    assert got.isna().tolist() == [False, True, False, False, True]
    assert got.fillna(False).tolist() == [True, False, False, True, False]


def test_arrow_booleans_on_another_index_are_aligned_not_copied() -> None:
    arrow = pd.Series(pd.array([True, False], dtype=pd.ArrowDtype(pa.bool_())), index=[1, 0])
    got = as_boolean(arrow, pd.Index([0, 1]))
    assert got.tolist() == [False, True]  # by label, as pd.Series(result, index=...) does


@pytest.mark.parametrize("op", ["==", "!="])
def test_text_comparison_is_nullable_and_kleene(op: str) -> None:
    index = pd.RangeIndex(4)
    text = pd.Series(["户主", None, "配偶", "户主"], dtype="string", index=index)
    got = compare(op, text, Const("户主"), index, "text")
    want = [True, None, False, True] if op == "==" else [False, None, True, False]
    assert str(got.dtype) == "boolean"
    assert [None if pd.isna(v) else bool(v) for v in got] == want


@pytest.mark.parametrize(
    ("values", "fill", "vtype"),
    [
        (pd.Series(["a", None, "", None], dtype="string"), "", "text"),
        (pd.Series([1.5, None, 0.0, None], dtype="Float64"), 3, "number"),
        (pd.Series(pd.to_datetime(["2019-01-01", None, "2020-02-29", None])),
         pd.Timestamp("2019-12-31"), "date"),
        (pd.Series([True, None, False, None], dtype="boolean"), False, "bool"),
    ],
)
def test_coalesce_with_a_constant_fills_every_gap(values: pd.Series, fill: object,
                                                  vtype: str) -> None:
    index = values.index
    got = coalesce([values, Const(fill)], index, vtype)
    assert got.dtype == values.dtype
    assert not got.isna().any()
    assert (got[values.notna()] == values[values.notna()]).all()
    assert (got[values.isna()] == fill).all()


def test_coalesce_of_text_with_a_number_still_harmonizes() -> None:
    index = pd.RangeIndex(3)
    text = pd.Series(["12", None, "x"], dtype="string", index=index)
    got = coalesce([text, Const(0)], index, "any")
    # Text meets a number: the text side is read as numbers first ("x" -> NA), then filled;
    # the constant fast path is not taken (kinds differ). Same as before the fast path.
    assert got.tolist() == [12.0, 0.0, 0.0]


def _duplicated_by_frames(x: pd.Series, g: pd.Series | None) -> list[bool]:
    """duplicated() as written before the integer-code version: string frames, groupby."""
    xs = x.astype("string").str.strip()
    present = (xs.notna() & (xs != "")).to_numpy(dtype=bool)
    out = [False] * len(x)
    kept = xs[present].reset_index(drop=True)
    if g is None:
        flags = kept.duplicated(keep=False).tolist()
    else:
        gs = g.astype("string").fillna("").reset_index(drop=True)[present].reset_index(drop=True)
        pairs = pd.DataFrame({"x": kept, "g": gs}).drop_duplicates()
        sizes = pairs.groupby("x", sort=False)["g"].size()
        flags = (kept.map(sizes) > 1).tolist()
    for i, flag in zip([i for i, p in enumerate(present) if p], flags, strict=True):
        out[i] = bool(flag)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", " A", "B", "", "  ", None, "C"]),
                          st.sampled_from(["h1", "h2", "", None])), max_size=30),
       st.booleans())
def test_duplicated_counts_codes_as_the_frames_did(rows: list[tuple[str | None, str | None]],
                                                   grouped: bool) -> None:
    index = pd.RangeIndex(len(rows))
    x = pd.Series([r[0] for r in rows], index=index, dtype="string")
    g = pd.Series([r[1] for r in rows], index=index, dtype="string")
    got = duplicated([x, g] if grouped else [x], index)
    assert str(got.dtype) == "boolean" and not got.isna().any()
    assert got.tolist() == _duplicated_by_frames(x, g if grouped else None)


@pytest.mark.parametrize("test, needle", [("matches", "^.{3}4[12]"), ("contains", "41"),
                                          ("startswith", "abc"), ("endswith", "2")])
def test_text_tests_through_arrow_keep_unknowns(test: str, needle: str) -> None:
    index = pd.RangeIndex(10, 15)
    s = pd.Series(["abc41", "abc39", None, "  ", " abc42 "], index=index, dtype="string")
    got = text_test(test, s, needle, index)
    assert str(got.dtype) == "boolean" and list(got.index) == list(index)
    assert got.isna().tolist() == [False, False, True, True, False]  # blank text: unknown
    want = {"matches": [True, False, True], "contains": [True, False, False],
            "startswith": [True, True, True], "endswith": [False, False, True]}[test]
    assert [bool(got.iloc[i]) for i in (0, 1, 4)] == want
