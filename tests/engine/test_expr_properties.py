"""Property tests: the vectorized compiler and the row-by-row reference interpreter agree."""

from __future__ import annotations

import datetime
import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_expr_catalogue import small_catalogue

from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr import compile_expression
from exitcheck.engine.reference import reference_evaluate

CATALOGUE = small_catalogue()
AS_OF = datetime.date(2020, 12, 31)

NUMBERS = [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.5, 10.0, None]
INTS = [0, 1, 2, 3, 17, None]
TEXTS = ["甲", "乙", "丙", " ", "", None]
STATUSES = ["已脱贫", "未脱贫", "拟脱贫", None]
BOOLS = [True, False, None]
DATES = [pd.Timestamp(d) for d in ("2019-01-31", "2019-03-01", "2020-02-29", "2020-06-15")] + [None]
IDS = [
    "11010519491231002X",
    "440524188001010014",
    "11010519491231002x",
    "110105194912310021",
    "123",
    "",
    None,
]


@st.composite
def frames(draw: st.DrawFn) -> EvalContext:
    n_h = draw(st.integers(0, 12))
    ids = [f"H{i}" for i in range(n_h)]
    n_m = draw(st.integers(0, 40))

    def col(values: list[object], n: int) -> list[object]:
        return draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))

    # an occasional orphan member (household id not in the households frame)
    member_hh = col([*ids, "HX"] if ids else ["HX"], n_m)
    members = pd.DataFrame(
        {
            "household_id": pd.array(member_hh, dtype="string"),
            "m_num": pd.array(col(NUMBERS, n_m), dtype="Float64"),
            "m_text": pd.array(col(TEXTS, n_m), dtype="string"),
            "m_bool": pd.array(col(BOOLS, n_m), dtype="boolean"),
            "m_date": pd.Series(col(DATES, n_m), dtype="datetime64[ns]"),
            "m_id": pd.array(col(IDS, n_m), dtype="string"),
            "age": pd.array(col(INTS, n_m), dtype="Int64"),
            "birth_date": pd.Series(col(DATES, n_m), dtype="datetime64[ns]"),
        }
    )
    households = pd.DataFrame(
        {
            "h_num": pd.array(col(NUMBERS, n_h), dtype="Float64"),
            "h_int": pd.array(col(INTS, n_h), dtype="Int64"),
            "h_text": pd.array(col(TEXTS, n_h), dtype="string"),
            "h_bool": pd.array(col(BOOLS, n_h), dtype="boolean"),
            "h_date": pd.Series(col(DATES, n_h), dtype="datetime64[ns]"),
            "status": pd.array(col(STATUSES, n_h), dtype="string"),
            "member_count": pd.array([member_hh.count(h) for h in ids], dtype="Int64"),
        },
        index=pd.Index(ids, name="household_id", dtype="string"),
    )
    params = {
        "p_num": draw(st.sampled_from([2, 0.5, 0, None])),
        "p_list": draw(st.sampled_from([["甲", "乙"], ["丙"], ["甲", None], []])),
    }
    return EvalContext(households, members, params, AS_OF)


def _fields(level: str, household: list[str], member: list[str]) -> list[str]:
    return household + (member if level == "member" else [])


def num_expr(level: str, depth: int) -> st.SearchStrategy[str]:
    fields = _fields(level, ["h_num", "h_int", "户数值", "member_count"], ["m_num", "age"])
    leaves = st.one_of(
        st.sampled_from(["0", "1", "2", "-1", "0.5", "3.5", "10", "param.p_num", "count()"]),
        st.sampled_from(fields),
    )
    if depth == 0:
        return leaves
    sub = num_expr(level, depth - 1)
    member_num = num_expr("member", depth - 1)
    dates = date_expr(level, 0)
    arithmetic = st.tuples(sub, st.sampled_from("+-*/"), sub).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    return st.one_of(
        arithmetic,
        arithmetic,
        leaves,
        sub.map(lambda s: f"-({s})"),
        sub.map(lambda s: f"abs({s})"),
        st.tuples(sub, st.sampled_from(["0", "1", "-1"])).map(lambda t: f"round({t[0]}, {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        dates.map(lambda s: f"year({s})"),
        st.tuples(dates, dates).map(lambda t: f"months_between({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["sum", "min", "max"]), member_num).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        bool_expr("member", depth - 1).map(lambda s: f"count({s})"),
    )


def text_expr(level: str) -> st.SearchStrategy[str]:
    fields = _fields(level, ["h_text", "户文字"], ["m_text", "m_id"])
    return st.one_of(
        st.sampled_from(fields),
        st.sampled_from(['"甲"', '"乙"', '" "']),
        st.tuples(st.sampled_from(fields), st.sampled_from(['"甲"', "h_text"])).map(
            lambda t: f"coalesce({t[0]}, {t[1]})"
        ),
    )


def date_expr(level: str, depth: int) -> st.SearchStrategy[str]:
    fields = _fields(level, ["h_date"], ["m_date", "birth_date"])
    base = st.one_of(
        st.sampled_from(fields),
        st.sampled_from(['date("2019-03-01")', 'date("2020-01-31")']),
    )
    return st.one_of(base, st.tuples(base, base).map(lambda t: f"coalesce({t[0]}, {t[1]})"))


CMP = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


def bool_expr(level: str, depth: int) -> st.SearchStrategy[str]:
    fields = _fields(level, ["h_bool", "户是否"], ["m_bool"])
    any_field = _fields(level, ["h_num", "h_text", "h_bool", "h_date"], ["m_text", "m_num"])
    num = num_expr(level, min(depth, 1))
    text = text_expr(level)
    leaves = st.one_of(
        st.sampled_from([*fields, "True", "False"]),
        st.tuples(num, CMP, num).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(text, CMP, text).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(date_expr(level, 0), CMP, date_expr(level, 0)).map(" ".join),
        st.tuples(st.sampled_from(["isblank", "notblank"]), st.sampled_from(any_field)).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(
            text,
            st.sampled_from(["in", "not in"]),
            st.sampled_from(['("甲", "乙")', '["丙"]', '("甲", None)', "()", "param.p_list"]),
        ).map(" ".join),
        st.tuples(
            st.sampled_from(["in", "not in"]), st.sampled_from(['("已脱贫", "拟脱贫")', "()"])
        ).map(lambda t: f"status {t[0]} {t[1]}"),
        st.tuples(num, num, num).map(lambda t: f"between({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(num, CMP, num, CMP, num).map(" ".join),  # chained comparison
    )
    if level == "member":
        leaves = st.one_of(leaves, st.just("valid_id(m_id)"), st.just("valid_id(m_text)"))
    if depth == 0:
        return leaves
    sub = bool_expr(level, depth - 1)
    member_bool = bool_expr("member", depth - 1)
    aggregate = st.tuples(st.sampled_from(["any", "all"]), member_bool).map(
        lambda t: f"{t[0]}({t[1]})"
    )
    return st.one_of(
        aggregate,
        leaves,
        aggregate,
        st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        sub.map(lambda s: f"not ({s})"),
        st.tuples(num_expr(level, depth - 1), CMP, num_expr(level, depth - 1)).map(" ".join),
    )


def expressions(level: str) -> st.SearchStrategy[str]:
    """Rule-like expressions: a single typed expression, or several clauses and-ed/or-ed."""
    clauses = st.lists(bool_expr(level, 2), min_size=2, max_size=4)
    joined = st.tuples(clauses, st.sampled_from([" and ", " or "])).map(lambda t: t[1].join(t[0]))
    return st.one_of(joined, bool_expr(level, 3), num_expr(level, 3))


def _same(got: object, want: object) -> bool:
    if want is None:
        return got is pd.NA or got is None or (not isinstance(got, str) and bool(pd.isna(got)))
    if got is pd.NA or got is None:
        return False
    if isinstance(want, float):
        return math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
    return bool(got == want)


def _check(level: str, text: str, ctx: EvalContext) -> None:
    expr = compile_expression(
        text, level=level, catalogue=CATALOGUE, known_params={"p_num", "p_list"}
    )  # type: ignore[arg-type]
    got = expr.evaluate(ctx)
    frame = ctx.households if level == "household" else ctx.members
    assert got.index.equals(frame.index)
    if expr.type in ("bool", "number"):
        assert str(got.dtype) == {"bool": "boolean", "number": "Float64"}[expr.type]
    want = reference_evaluate(expr, ctx)
    mismatches = [
        (i, g, w)
        for i, (g, w) in enumerate(zip(got.tolist(), want, strict=True))
        if not _same(g, w)
    ]
    assert not mismatches, f"{text!r}: (row, vectorized, reference) {mismatches[:5]}"
    # a second evaluation on the same context (aggregates now cached) gives the same result
    assert expr.evaluate(ctx).equals(got)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=frames(), texts=st.lists(expressions("household"), min_size=4, max_size=4))
def test_household_expressions_match_reference(ctx: EvalContext, texts: list[str]) -> None:
    for text in texts:
        _check("household", text, ctx)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=frames(), texts=st.lists(expressions("member"), min_size=4, max_size=4))
def test_member_expressions_match_reference(ctx: EvalContext, texts: list[str]) -> None:
    for text in texts:
        _check("member", text, ctx)
