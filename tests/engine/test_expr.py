"""Semantics of the vectorized expression compiler: NULL logic, levels, aggregates, functions."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from test_expr_catalogue import small_catalogue

from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr import compile_expression
from exitcheck.errors import RuleFileError

NA = pd.NA
CAT = small_catalogue()


@pytest.fixture
def ctx() -> EvalContext:
    # H1: two members, H2: one member with unknowns, H3: no members
    households = pd.DataFrame(
        {
            "h_num": pd.array([4000.0, None, 0.0], dtype="Float64"),
            "h_text": pd.array(["甲", " ", None], dtype="string"),
            "h_bool": pd.array([True, None, False], dtype="boolean"),
            "h_date": pd.to_datetime(["2020-01-01", "2020-07-01", None]),
            "status": pd.array(["已脱贫", "未脱贫", None], dtype="string"),
            "member_count": pd.array([2, 1, 0], dtype="Int64"),
        },
        index=pd.Index(["H1", "H2", "H3"], name="household_id"),
    )
    members = pd.DataFrame(
        {
            "household_id": ["H1", "H1", "H2"],
            "m_num": pd.array([1.5, 2.5, None], dtype="Float64"),
            "m_bool": pd.array([True, False, None], dtype="boolean"),
            "m_text": pd.array(["x", "", None], dtype="string"),
            "m_id": pd.array(["11010519491231002X", "110105194912310021", None], dtype="string"),
            "age": pd.array([40, 7, None], dtype="Int64"),
            "raw:备注": pd.array(["12", "abc", None], dtype="string"),
        }
    )
    params = {"line": 3750, "names": ["甲", "乙"], "cutoff": datetime.date(2020, 3, 1)}
    return EvalContext(households, members, params, datetime.date(2020, 12, 31))


def hh(text: str, ctx: EvalContext) -> list[object]:
    return compile_expression(text, level="household", catalogue=CAT).evaluate(ctx).tolist()


def mm(text: str, ctx: EvalContext) -> list[object]:
    return compile_expression(text, level="member", catalogue=CAT).evaluate(ctx).tolist()


def test_comparison_touching_na_is_unknown(ctx: EvalContext) -> None:
    assert hh("h_num > param.line", ctx) == [True, NA, False]
    assert hh('h_text == "甲"', ctx) == [True, False, NA]
    assert hh('h_date < date("2020-03-01")', ctx) == [True, False, NA]
    assert hh("h_date < param.cutoff", ctx) == [True, False, NA]


def test_kleene_logic(ctx: EvalContext) -> None:
    # h_bool = [True, NA, False]
    assert hh("h_bool and False", ctx) == [False, False, False]
    assert hh("h_bool or True", ctx) == [True, True, True]
    assert hh("h_bool and True", ctx) == [True, NA, False]
    assert hh("not h_bool", ctx) == [False, NA, True]
    assert hh("h_bool or h_num > 1", ctx) == [True, NA, False]


def test_chained_comparison_is_a_conjunction(ctx: EvalContext) -> None:
    assert hh("0 <= h_num < 5000", ctx) == [True, NA, True]
    assert hh("1 < h_num < 2", ctx) == [False, NA, False]


def test_in_and_not_in(ctx: EvalContext) -> None:
    assert hh('status in ("已脱贫", "拟脱贫")', ctx) == [True, False, NA]
    assert hh('status not in ("已脱贫", "拟脱贫")', ctx) == [False, True, NA]
    assert hh("h_text in param.names", ctx) == [True, False, NA]
    # a None in the list makes a non-match unknown rather than False
    assert hh('h_text in ("甲", None)', ctx) == [True, NA, NA]


def test_arithmetic_with_na_and_division_by_zero(ctx: EvalContext) -> None:
    assert hh("h_num / 2 + 1", ctx) == [2001.0, NA, 1.0]
    assert hh("100 / h_num", ctx) == [0.025, NA, NA]
    assert hh("-h_num * 2", ctx) == [-8000.0, NA, 0.0]
    result = compile_expression("h_num / member_count", level="household", catalogue=CAT)
    assert str(result.evaluate(ctx).dtype) == "Float64"


def test_aggregates_and_households_without_members(ctx: EvalContext) -> None:
    # m_bool: H1 [True, False], H2 [NA], H3 none
    assert hh("any(m_bool)", ctx) == [True, NA, False]
    assert hh("all(m_bool)", ctx) == [False, NA, True]
    assert hh("count(m_bool)", ctx) == [1.0, NA, 0.0]
    assert hh("count()", ctx) == [2.0, 1.0, 0.0]
    assert hh("sum(m_num)", ctx) == [4.0, NA, 0.0]
    assert hh("min(m_num)", ctx) == [1.5, NA, NA]
    assert hh("max(age)", ctx) == [40.0, NA, NA]
    assert hh("any(age < 18) and h_num > 0", ctx) == [True, NA, False]
    assert hh("count(age >= 18) == member_count - 1", ctx) == [True, NA, False]


def test_household_fields_inside_aggregates_and_member_level(ctx: EvalContext) -> None:
    assert hh("any(age > 30 and h_bool)", ctx) == [True, NA, False]
    assert mm("age >= 18 and h_num > param.line", ctx) == [True, False, NA]
    assert mm("count() + m_num", ctx) == [3.5, 4.5, NA]
    assert mm('status == "已脱贫"', ctx) == [True, True, False]


def test_aggregate_computed_once_and_shared_across_spellings(ctx: EvalContext) -> None:
    first = compile_expression("any(age < 18)", level="household", catalogue=CAT)
    second = compile_expression("h_num > 0 or any(age < 18)", level="household", catalogue=CAT)
    first.evaluate(ctx)
    keys = {k for k in ctx.cache if k.startswith("agg:")}
    second.evaluate(ctx)
    assert {k for k in ctx.cache if k.startswith("agg:")} == keys and len(keys) == 1
    # the cached series is the one reused: poison it and see it come back
    (key,) = keys
    ctx.cache[key] = pd.Series([True, True, True], index=ctx.households.index, dtype="boolean")
    assert second.evaluate(ctx).tolist() == [True, True, True]


def test_blank_functions_never_unknown(ctx: EvalContext) -> None:
    assert hh("isblank(h_text)", ctx) == [False, True, True]
    assert hh("notblank(h_num)", ctx) == [True, False, True]
    assert mm("isblank(m_text)", ctx) == [False, True, True]


def test_between_inclusive(ctx: EvalContext) -> None:
    assert mm("between(age, 7, 40)", ctx) == [True, True, NA]
    assert mm("between(age, 8, 39)", ctx) == [False, False, NA]


def test_valid_id_checksum(ctx: EvalContext) -> None:
    # 11010519491231002X is the GB 11643-1999 example; ...0021 has a wrong check digit
    assert mm("valid_id(m_id)", ctx) == [True, False, NA]
    assert mm('valid_id(" 11010519491231002x ")', ctx) == [True, True, True]
    assert mm('valid_id("1101051949123100")', ctx) == [False, False, False]
    assert mm('valid_id("")', ctx) == [False, False, False]
    assert mm("notblank(m_id) and valid_id(m_id)", ctx) == [True, False, False]


def test_months_between_whole_months() -> None:
    households = pd.DataFrame(
        {
            "h_date": pd.to_datetime(["2020-01-31", "2020-01-15", "2020-03-01", None]),
        },
        index=pd.Index(["a", "b", "c", "d"], name="household_id"),
    )
    ctx = EvalContext(
        households, pd.DataFrame({"household_id": []}), {}, datetime.date(2020, 12, 31)
    )
    assert hh('months_between(h_date, date("2020-02-29"))', ctx) == [0.0, 1.0, -0.0, NA]
    assert hh('months_between(date("2020-07-01"), h_date)', ctx) == [-5.0, -5.0, -4.0, NA]
    assert hh("year(h_date)", ctx) == [2020.0, 2020.0, 2020.0, NA]


def test_coalesce_abs_round(ctx: EvalContext) -> None:
    assert hh("coalesce(h_num, -1)", ctx) == [4000.0, -1.0, 0.0]
    assert hh('coalesce(h_text, "无")', ctx) == ["甲", " ", "无"]
    assert hh("abs(0 - h_num)", ctx) == [4000.0, NA, 0.0]
    assert hh("round(h_num / 3, 1)", ctx) == [1333.3, NA, 0.0]
    assert hh("round(h_num, -3)", ctx) == [4000.0, NA, 0.0]


def test_raw_column_by_header_is_coerced_when_compared_with_numbers(ctx: EvalContext) -> None:
    expr = compile_expression('col("备注") > 10', level="member", catalogue=CAT)
    assert expr.fields == {"raw:备注"}
    assert expr.evaluate(ctx).tolist() == [True, NA, NA]
    bare = compile_expression(
        '备注 == "abc"', level="member", catalogue=CAT, extra_columns=["raw:备注"]
    )
    assert bare.evaluate(ctx).tolist() == [False, True, NA]
    # col() with a catalogue label is that field
    assert compile_expression('col("人数值") > 1', level="member", catalogue=CAT).fields == {
        "m_num"
    }


def test_absent_column_is_all_unknown(ctx: EvalContext) -> None:
    expr = compile_expression("h_int > 1", level="household", catalogue=CAT)
    assert expr.evaluate(ctx).tolist() == [NA, NA, NA]


def test_labels_and_names_are_interchangeable(ctx: EvalContext) -> None:
    assert hh("户数值 > 100 and 户是否", ctx) == hh("h_num > 100 and h_bool", ctx)


def test_metadata_fields_params_type(ctx: EvalContext) -> None:
    expr = compile_expression(
        "h_num > param.line and any(age < 18) and member_count > 0",
        level="household",
        catalogue=CAT,
        known_params={"line"},
    )
    assert expr.fields == {"h_num", "age", "member_count"}
    assert expr.params == {"line"}
    assert expr.type == "bool" and expr.level == "household"


def test_field_values_aligned_to_level_frame(ctx: EvalContext) -> None:
    expr = compile_expression(
        "h_num > param.line and count() > 1 and any(age < 18)", level="household", catalogue=CAT
    )
    values = expr.field_values(ctx)
    assert list(values) == ["h_num", "param.line", "count()", "any(age < 18)"]
    assert values["h_num"].tolist() == [4000.0, NA, 0.0]
    assert values["param.line"].tolist() == [3750, 3750, 3750]
    assert values["count()"].tolist() == [2.0, 1.0, 0.0]
    assert all(v.index.equals(ctx.households.index) for v in values.values())
    member = compile_expression("age < 18 and h_num > 0", level="member", catalogue=CAT)
    values = member.field_values(ctx)
    assert values["h_num"].tolist() == [4000.0, 4000.0, NA]
    assert values["age"].index.equals(ctx.members.index)


def test_multi_line_expression_from_a_yaml_block(ctx: EvalContext) -> None:
    text = "h_num > param.line\nand any(age < 18)\n"
    assert hh(text, ctx) == [True, NA, False]
    with pytest.raises(RuleFileError) as err:
        compile_expression("h_num > 0\nand age < 18", level="household", catalogue=CAT)
    assert err.value.detail == "and age < 18\n    ^^^"


def test_empty_frames(ctx: EvalContext) -> None:
    empty = EvalContext(ctx.households.iloc[:0], ctx.members.iloc[:0], ctx.params, ctx.as_of)
    result = compile_expression("any(m_bool) or h_num > 0", level="household", catalogue=CAT)
    out = result.evaluate(empty)
    assert len(out) == 0 and str(out.dtype) == "boolean"


def test_no_eval_or_query_in_the_engine() -> None:
    """The expression text only ever reaches ast.parse (docs/rules.md: no eval, no exec)."""
    import ast
    from pathlib import Path

    import exitcheck.engine as engine

    for path in Path(engine.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            assert not (isinstance(func, ast.Name) and func.id in ("eval", "exec", "compile")), path
            assert not (isinstance(func, ast.Attribute) and func.attr in ("query", "eval")), path
