"""Field catalogues for the expression tests, and checks that every real field is usable."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from ruamel.yaml import YAML

from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr import compile_expression
from exitcheck.errors import RuleFileError
from exitcheck.levels import LEVELS, depth
from exitcheck.resources import field_catalogue_path
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec


def real_catalogue() -> FieldCatalogue:
    """rules/fields.yaml, through schema's loader when it exists (another helper writes it)."""
    try:
        from exitcheck.schema.catalogue import load_catalogue  # type: ignore[attr-defined]
    except ImportError:
        load_catalogue = None
    if load_catalogue is not None:
        return load_catalogue()  # type: ignore[no-any-return]
    path = field_catalogue_path()
    raw = YAML(typ="safe").load(path.read_text(encoding="utf-8"))["fields"]
    fields = {
        name: FieldSpec(
            name=name,
            label=spec["label"],
            label_en=spec["label_en"],
            level=spec["level"],
            type=spec["type"],
            values={v: () for v in spec.get("values", {}) or {}},
        )
        for name, spec in raw.items()
    }
    return FieldCatalogue(fields, source=path)


def spec(name: str, label: str, level: str, type_: str, values: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(
        name=name,
        label=label,
        label_en=name,
        level=level,
        type=type_,  # type: ignore[arg-type]
        values={v: () for v in values},
    )


def small_catalogue() -> FieldCatalogue:
    """A few fields of every type at both levels (the property tests' universe)."""
    specs = [
        spec("h_num", "户数值", "household", "number"),
        spec("h_int", "户整数", "household", "integer"),
        spec("h_text", "户文字", "household", "text"),
        spec("h_bool", "户是否", "household", "bool"),
        spec("h_date", "户日期", "household", "month"),
        spec("status", "状态", "household", "enum", ("已脱贫", "未脱贫", "拟脱贫")),
        spec("m_num", "人数值", "member", "number"),
        spec("m_text", "人文字", "member", "text"),
        spec("m_bool", "人是否", "member", "bool"),
        spec("m_date", "人日期", "member", "date"),
        spec("m_id", "证件号码", "member", "id_number"),
    ]
    return FieldCatalogue({s.name: s for s in specs})


def test_every_real_field_compiles_by_name_and_label_at_its_level() -> None:
    catalogue = real_catalogue()
    assert len(catalogue.fields) > 40
    for field in catalogue.fields.values():
        for written in (field.name, field.label):
            expr = compile_expression(f"isblank({written})", level=field.level, catalogue=catalogue)
            assert expr.fields == {field.name}
            # readable at its own level and every level below (repeated from its unit); at a
            # level above it only inside an aggregate
            for level in LEVELS:
                text = f"notblank({written})"
                if depth(level) >= depth(field.level):
                    compile_expression(text, level=level, catalogue=catalogue)
                else:
                    with pytest.raises(RuleFileError, match="字段"):
                        compile_expression(text, level=level, catalogue=catalogue)
                    compile_expression(f"any({text})", level=level, catalogue=catalogue)


def test_real_catalogue_types_drive_compile_time_checks() -> None:
    catalogue = real_catalogue()
    compile_expression("人均纯收入 > 3750", level="household", catalogue=catalogue)
    compile_expression('脱贫年度 >= 2019 and 户编号 != ""', level="household", catalogue=catalogue)
    with pytest.raises(RuleFileError, match="类型不匹配"):
        compile_expression('人均纯收入 > "3750"', level="household", catalogue=catalogue)
    with pytest.raises(RuleFileError, match="算术"):
        compile_expression("村 + 1 > 0", level="household", catalogue=catalogue)


def test_real_household_rule_evaluates_on_a_small_registry() -> None:
    catalogue = real_catalogue()
    households = pd.DataFrame(
        {
            "poverty_status": ["已脱贫", "已脱贫", "未脱贫"],
            "per_capita_net_income": [4100.0, None, 2000.0],
            "household_size": pd.array([2, 1, 1], dtype="Int64"),
            "member_count": pd.array([2, 1, 0], dtype="Int64"),
        },
        index=pd.Index(["H1", "H2", "H3"], name="household_id"),
    )
    members = pd.DataFrame(
        {
            "household_id": ["H1", "H1", "H2"],
            "residents_medical": pd.array([True, False, None], dtype="boolean"),
            "employee_medical": pd.array([False, True, None], dtype="boolean"),
            "age": pd.array([40, 12, 70], dtype="Int64"),
        }
    )
    ctx = EvalContext(households, members, {"exit_income_line": 3750}, datetime.date(2019, 12, 31))
    income = compile_expression(
        "人均纯收入 > param.exit_income_line",
        level="household",
        catalogue=catalogue,
        known_params={"exit_income_line"},
    )
    assert income.evaluate(ctx).tolist() == [True, pd.NA, False]
    insured = compile_expression(
        "all(residents_medical or employee_medical)", level="household", catalogue=catalogue
    )
    # H3 has no members: all() over nothing holds
    assert insured.evaluate(ctx).tolist() == [True, pd.NA, True]
    size = compile_expression("家庭人口数 == member_count", level="household", catalogue=catalogue)
    assert size.evaluate(ctx).tolist() == [True, True, False]
