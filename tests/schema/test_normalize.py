"""Value cleaning by type: numbers, integers, booleans, enums/grades, dates, months, IDs, text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from exitcheck.schema.catalogue import FieldCatalogue
from exitcheck.schema.normalize import (
    ID_STORED_AS_NUMBER,
    UNPARSEABLE_DATE,
    UNPARSEABLE_NUMBER,
    VALUE_NOT_ALLOWED,
    Normalized,
    normalize_column,
)


def run(catalogue: FieldCatalogue, field: str, cells: list[object]) -> Normalized:
    return normalize_column(pd.Series(cells, dtype=object), catalogue.fields[field], catalogue)


def issues_of(result: Normalized, kind: str) -> dict[int, str]:
    """{row position: raw text} for one issue kind."""
    out: dict[int, str] = {}
    for issue in result.issues:
        if issue.kind == kind:
            out.update(zip(issue.rows.tolist(), issue.value.tolist(), strict=True))
    return out


def test_numbers_from_text(catalogue: FieldCatalogue) -> None:
    cells = ["3,750.00", "３７５０", "3750元", " 3 750 ", 3750.0, 3750, "￥3750", "3，750"]
    result = run(catalogue, "per_capita_net_income", cells)
    assert str(result.values.dtype) == "Float64"
    assert result.values.tolist() == [3750.0] * len(cells)
    assert result.issues == []


def test_blank_and_dash_numbers_are_missing_without_issue(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "wage_income", [None, "", "  ", "-", "——", float("nan"), 12.5])
    assert result.values.isna().tolist() == [True] * 6 + [False]
    assert result.issues == []


def test_unparseable_numbers_keep_raw_text(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "wage_income", [100.0, "约三千", "12元5角", True])
    assert result.values.isna().tolist() == [False, True, True, True]
    assert issues_of(result, UNPARSEABLE_NUMBER) == {1: "约三千", 2: "12元5角", 3: "True"}


def test_integers(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "household_size", [3.0, "4", "５", " 6 人", 4.5, None])
    assert str(result.values.dtype) == "Int64"
    assert result.values.tolist()[:3] == [3, 4, 5]
    assert result.values.isna().tolist() == [False, False, False, True, True, True]
    assert set(issues_of(result, UNPARSEABLE_NUMBER)) == {3, 4}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("是", True), ("否", False), ("√", True), ("×", False), ("有", True), ("无", False),
        ("Y", True), ("n", False), ("1", True), ("0", False), (1.0, True), (0, False),
        ("true", True), ("FALSE", False), (True, True), (False, False), (" 是 ", True),
        ("已参加", True), ("未参加", False),
    ],
)  # fmt: skip
def test_boolean_synonyms(catalogue: FieldCatalogue, cell: object, expected: bool) -> None:
    result = run(catalogue, "critical_illness", [cell])
    assert str(result.values.dtype) == "boolean"
    assert result.values.iloc[0] is np.bool_(expected) or result.values.iloc[0] == expected
    assert result.issues == []


def test_unknown_boolean_is_not_allowed(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "dangerous_house", ["是", "不清楚", None, ""])
    assert result.values.isna().tolist() == [False, True, True, True]
    assert issues_of(result, VALUE_NOT_ALLOWED) == {1: "不清楚"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (0, "未脱贫"), ("0", "未脱贫"), (1.0, "已脱贫"), ("1", "已脱贫"), (3, "返贫"),
        (4, "已脱贫"), ("已脱贫(享受政策)", "已脱贫"), ("已脱贫（不再享受政策）", "已脱贫"),
        ("脱贫", "已脱贫"), ("未脱贫", "未脱贫"), (" 拟脱贫 ", "拟脱贫"), ("返贫", "返贫"),
    ],
)
def test_poverty_status_codes_and_synonyms(
    catalogue: FieldCatalogue, cell: object, expected: str
) -> None:
    result = run(catalogue, "poverty_status", [cell])
    assert result.values.tolist() == [expected]
    assert str(result.values.dtype).startswith("string")


@pytest.mark.parametrize(
    ("field", "cell", "expected"),
    [
        ("dangerous_house_grade", "C级", "C"),
        ("dangerous_house_grade", "c", "C"),
        ("dangerous_house_grade", "ｄ", "D"),
        ("dangerous_house_grade", "局部危房", "C"),
        ("relation", "本人", "户主"),
        ("relation", "长子", "之子"),
        ("relation", "妻子", "配偶"),
        ("school_status", "初一", "七年级"),
        ("school_status", "送教上门", "送教上门"),
        ("health", "慢性病", "长期慢性病"),
        ("labour_skill", "弱劳动力", "弱劳动力或半劳动力"),
        ("household_category", "监测对象", "监测户"),
        ("monitoring_category", "边缘户", "边缘易致贫户"),
        ("poverty_attribute", "五保户", "特困供养贫困户"),
        ("risk_1", "因病致贫", "因病"),
        ("sex_stated", 1, "男"),
        ("out_of_school_reason", "身体原因（不具备学习条件）", "因身体原因不具备学习条件"),
        ("id_type", "身份证", "居民身份证"),
        ("education_level", "文盲", "文盲或半文盲"),
    ],
)
def test_enum_synonyms(catalogue: FieldCatalogue, field: str, cell: object, expected: str) -> None:
    assert run(catalogue, field, [cell]).values.tolist() == [expected]


def test_unknown_enum_value_is_na_with_issue(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "dangerous_house_grade", ["A", "E级", "B", "E级"])
    assert result.values.tolist()[0] == "A"
    assert result.values.isna().tolist() == [False, True, False, True]
    issues = issues_of(result, VALUE_NOT_ALLOWED)
    assert issues == {1: "E级", 3: "E级"}
    detail = next(i.detail for i in result.issues)
    assert "危房级别" in detail[0]


DEC31 = pd.Timestamp("2019-12-31")


@pytest.mark.parametrize(
    "cell",
    [
        dt.datetime(2019, 12, 31), dt.datetime(2019, 12, 31, 8, 30), dt.date(2019, 12, 31),
        43830, 43830.0, "43830", "2019-12-31", "2019/12/31", "2019.12.31", "20191231", 20191231,
        "2019年12月31日", "２０１９年１２月３１日", "2019-12-31 00:00:00", " 2019-12-31 ",
    ],
)  # fmt: skip
def test_date_forms(catalogue: FieldCatalogue, cell: object) -> None:
    result = run(catalogue, "birth_date_stated", [cell])
    assert result.values.dtype == np.dtype("datetime64[ns]")
    assert result.values.iloc[0] == DEC31
    assert result.issues == []


@pytest.mark.parametrize("cell", ["2019年12月", "201912", 201912, "2019-12"])
def test_month_only_dates_are_the_first_of_the_month(
    catalogue: FieldCatalogue, cell: object
) -> None:
    assert run(catalogue, "birth_date_stated", [cell]).values.iloc[0] == pd.Timestamp("2019-12-01")


@pytest.mark.parametrize(
    "cell", ["202103", 202103, "2021年3月", "2021-03-15", dt.date(2021, 3, 15), 44270]
)
def test_month_fields(catalogue: FieldCatalogue, cell: object) -> None:
    result = run(catalogue, "monitoring_identified", [cell])
    assert result.values.iloc[0] == pd.Timestamp("2021-03-01")


def test_unparseable_dates(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "birth_date_stated",
                 ["2019-02-30", "不详", 1990, "2019-13-01", None, "", "-"])  # fmt: skip
    assert result.values.isna().all()
    assert issues_of(result, UNPARSEABLE_DATE) == {
        0: "2019-02-30", 1: "不详", 2: "1990", 3: "2019-13-01"
    }


def test_id_stored_as_number_is_reported_not_repaired(catalogue: FieldCatalogue) -> None:
    cells = [5.11602199001011e17, "511602199001011234", "5.11602E+17", " 51160219900101123x "]
    result = run(catalogue, "id_number", cells)
    assert result.stored_as_number is not None
    assert result.stored_as_number.tolist() == [True, False, True, False]
    values = result.values.tolist()
    # The digits the float holds, as Excel shows them; never a guessed full ID.
    assert values[0] == "511602199001011000"
    assert values[1] == "511602199001011234"
    assert values[2] == "511602000000000000"
    assert values[3] == "51160219900101123X"
    issues = issues_of(result, ID_STORED_AS_NUMBER)
    assert issues == {0: "5.11602199001011e+17", 2: "5.11602E+17"}


def test_short_numeric_id_is_text_without_issue(catalogue: FieldCatalogue) -> None:
    result = run(catalogue, "id_number", [12.0, 123456789012345.0])
    assert result.values.tolist() == ["12", "123456789012345"]
    assert result.stored_as_number is not None and not result.stored_as_number.any()
    assert result.issues == []


def test_text_and_identifiers(catalogue: FieldCatalogue) -> None:
    names = run(catalogue, "name", ["  张三 ", 12.0, 12.5, None, "   "])
    assert names.values.tolist()[:3] == ["张三", "12", "12.5"]
    assert names.values.isna().tolist() == [False, False, False, True, True]
    hids = run(catalogue, "household_id", [5101000001.0, "５１０１ ０００００２", 7])
    assert hids.values.tolist() == ["5101000001", "5101000002", "7"]


def test_mixed_column_keeps_row_order(catalogue: FieldCatalogue) -> None:
    cells = ["是", 1.0, None, "否", "是", 0, "否"] * 3
    result = run(catalogue, "water_safe", cells)
    expected = [True, True, None, False, True, False, False] * 3
    got = [None if pd.isna(v) else bool(v) for v in result.values.tolist()]
    assert got == expected
