"""build_registry: members, households from the head's row, conflicts, accounting, layouts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from schema_helpers import make_id, make_table

from exitcheck.errors import InputError
from exitcheck.schema.build import build_registry
from exitcheck.schema.catalogue import FieldCatalogue
from exitcheck.schema.derive import add_age
from exitcheck.schema.model import ISSUE_COLUMNS

HEAD_ID = make_id("510102", "19700315", 11)  # male
WIFE_ID = make_id("510102", "19720601", 22)  # female
SON_ID = make_id("510102", "20080101", 31)  # male
COLS = ["户编号", "姓名", "证件号码", "与户主关系", "人均纯收入（元）", "脱贫标志", "危房级别"]


def test_household_fields_come_from_the_heads_row(catalogue: FieldCatalogue) -> None:
    table = make_table(COLS, [
        ["H1", "李四", WIFE_ID, "配偶", "3000", "已脱贫", "C级"],
        ["H1", "张三", HEAD_ID, "户主", "3,800", "已脱贫", None],
        ["H1", "张小", SON_ID, "之子", None, None, None],
    ])  # fmt: skip
    reg = build_registry([table], catalogue)
    hh = reg.households.loc["H1"]
    assert hh["per_capita_net_income"] == 3800.0
    assert hh["poverty_status"] == "已脱贫"
    assert hh["dangerous_house_grade"] == "C"  # the head's cell is blank: the rows agree on C
    assert hh["member_count"] == 3
    assert hh["_row"] == 5  # the head's spreadsheet row (header on 3, data from 4)
    assert hh["_input"] == 0
    conflicts = reg.issues[reg.issues["kind"] == "household_field_conflict"]
    assert conflicts["field"].tolist() == ["per_capita_net_income"]
    row = conflicts.iloc[0]
    assert row["household_id"] == "H1" and row["_row"] == 4  # the row that disagrees
    assert "3800" in row["value"] and "3000" in row["value"]
    assert reg.location("per_capita_net_income", 0, 4) == "贫困人口明细!E4"


def test_without_a_head_rows_must_agree(catalogue: FieldCatalogue) -> None:
    table = make_table(COLS, [
        ["H1", "甲", HEAD_ID, "配偶", 4000, "已脱贫", "A"],
        ["H1", "乙", WIFE_ID, "之子", 4000, "未脱贫", "A"],
    ])  # fmt: skip
    reg = build_registry([table], catalogue)
    hh = reg.households.loc["H1"]
    assert hh["per_capita_net_income"] == 4000.0  # agreed
    assert hh["dangerous_house_grade"] == "A"
    assert pd.isna(hh["poverty_status"])  # disagreeing and no head: nobody is authoritative
    issues = reg.issues[reg.issues["kind"] == "household_field_conflict"]
    assert issues["field"].tolist() == ["poverty_status"]


def test_members_ids_and_row_accounting(catalogue: FieldCatalogue) -> None:
    cols = ["户编号", "人编号", "姓名", "证件号码", "与户主关系"]
    table = make_table(cols, [
        ["H1", "P1", "张三", HEAD_ID, "户主"],
        ["H1", None, "李四", WIFE_ID, "配偶"],
        [None, None, "无户号", SON_ID, "之子"],
        ["", "P9", "空户号", SON_ID, "之子"],
        ["H2", None, "王五", SON_ID, "户主"],
    ], skipped=[(5, "blank", ""), (10, "total", "合计")])  # fmt: skip
    reg = build_registry([table], catalogue)
    info = reg.inputs[0]
    assert info.rows_read == 7
    assert info.member_rows == 3
    assert info.skipped == {"blank": 1, "total": 1, "no_household_id": 2}
    assert info.rows_read == info.member_rows + sum(info.skipped.values())
    assert reg.members["member_id"].tolist() == ["P1", "H1-2", "H2-1"]
    assert reg.members["_row"].tolist() == [4, 6, 9]
    assert reg.households["member_count"].to_dict() == {"H1": 2, "H2": 1}
    assert str(reg.households["member_count"].dtype) == "Int64"
    assert reg.households.index.name == "household_id"


def test_derived_member_columns(catalogue: FieldCatalogue) -> None:
    cols = ["户编号", "姓名", "证件号码", "与户主关系", "出生日期", "性别"]
    table = make_table(cols, [
        ["H1", "张三", HEAD_ID, "户主", "1970-03-15", "男"],
        ["H1", "李四", "不详", "配偶", "1972年6月1日", "女"],
        ["H1", "张小", 5.10102200801013e17, "之子", None, "男"],
    ])  # fmt: skip
    reg = add_age(build_registry([table], catalogue), dt.date(2019, 12, 31))
    m = reg.members
    assert m["birth_date"].tolist() == [pd.Timestamp("1970-03-15"), pd.Timestamp("1972-06-01"),
                                        pd.Timestamp("2008-01-01")]  # fmt: skip
    assert m["sex"].tolist() == ["男", "女", "男"]
    assert m["id_valid"].tolist() == [True, False, False]
    assert m["id_stored_as_number"].tolist() == [False, False, True]
    assert m["age"].tolist() == [49, 47, 11]
    assert reg.as_of == dt.date(2019, 12, 31)
    stored = reg.issues[reg.issues["kind"] == "id_stored_as_number"]
    assert stored["member_id"].tolist() == ["H1-3"] and stored["_row"].tolist() == [6]


def test_age_counts_the_birthday_itself(catalogue: FieldCatalogue) -> None:
    table = make_table(["户编号", "姓名", "证件号码"], [["H1", "甲", HEAD_ID]])
    reg = build_registry([table], catalogue)
    assert add_age(reg, dt.date(2019, 3, 15)).members["age"].tolist() == [49]
    assert add_age(reg, dt.date(2019, 3, 14)).members["age"].tolist() == [48]
    assert reg.as_of is None  # add_age returns a copy


def test_issues_frame_shape(catalogue: FieldCatalogue) -> None:
    table = make_table(COLS, [
        ["H1", "张三", HEAD_ID, "户主", "约三千", "已脱贫", "E"],
        ["H2", "李四", WIFE_ID, "亲戚朋友", 4000, "已脱贫", "A"],
    ])  # fmt: skip
    reg = build_registry([table], catalogue)
    issues = reg.issues
    assert tuple(issues.columns) == ISSUE_COLUMNS
    got = set(zip(issues["kind"], issues["field"], issues["member_id"], issues["_row"],
                  issues["value"], strict=True))  # fmt: skip
    assert got == {
        ("unparseable_number", "per_capita_net_income", "H1-1", 4, "约三千"),
        ("value_not_allowed", "dangerous_house_grade", "H1-1", 4, "E"),
        ("value_not_allowed", "relation", "H2-1", 5, "亲戚朋友"),
    }
    assert str(issues["_row"].dtype) == "Int64"


def test_missing_required_columns_lists_closest_headers(catalogue: FieldCatalogue) -> None:
    table = make_table(["户编号", "人员名称", "身份证件号", "备注"], [["H1", "甲", HEAD_ID, ""]],
                       path="county.xlsx", sheet="明细")  # fmt: skip
    with pytest.raises(InputError) as info:
        build_registry([table], catalogue)
    err = info.value
    assert err.location == "county.xlsx 明细"
    assert "\n" not in err.message
    # Each missing field is named with the header that most resembles it.
    parts = err.message.split("：", 1)[1].split("；")
    assert len(parts) == 2
    assert parts[0].startswith("姓名（name") and "人员名称" in parts[0]
    assert parts[1].startswith("证件号码（id_number") and "身份证件号" in parts[1]
    assert "household_id" not in err.message
    assert "身份证件号" in err.message_en


def test_no_member_sheet_at_all(catalogue: FieldCatalogue) -> None:
    table = make_table(["序号", "说明"], [[1, "本表说明"]], sheet="说明")
    with pytest.raises(InputError) as info:
        build_registry([table], catalogue)
    assert "户编号" in info.value.message


def test_two_sheet_layout_joins_households(catalogue: FieldCatalogue) -> None:
    households = make_table(
        ["户编号", "人均纯收入（元）", "是否危房户", "家庭人口数", "户备注"],
        [["H1", "3800", "否", 2, "搬迁"], ["H2", "2900", "是", 1, ""], ["H3", "5000", "否", 1, ""]],
        sheet="户信息", header_row=2,
    )  # fmt: skip
    members = make_table(
        ["户编号", "姓名", "证件号码", "与户主关系"],
        [["H1", "张三", HEAD_ID, "户主"], ["H1", "李四", WIFE_ID, "配偶"],
         ["H2", "王五", SON_ID, "户主"]],
        sheet="成员信息",
    )  # fmt: skip
    reg = build_registry([households, members], catalogue)
    assert [i.role for i in reg.inputs] == ["households", "members"]
    hh = reg.households
    assert hh.loc["H1", "per_capita_net_income"] == 3800.0
    assert bool(hh.loc["H2", "dangerous_house"]) is True
    assert hh["member_count"].to_dict() == {"H1": 2, "H2": 1, "H3": 0}
    assert hh.loc["H2", "_input"] == 0 and hh.loc["H2", "_row"] == 4  # cited on 户信息
    assert reg.location("dangerous_house", 0, 4) == "户信息!C4"
    assert reg.members["per_capita_net_income"].tolist() == [3800.0, 3800.0, 2900.0]
    assert hh.loc["H1", "raw:户备注"] == "搬迁"
    assert "raw:户备注" in reg.extra_columns
    info = reg.inputs[0]
    assert info.household_rows == 3 and info.member_rows == 0
    assert info.rows_read == info.household_rows + sum(info.skipped.values())


def test_sensitive_columns_are_read_and_listed(catalogue: FieldCatalogue) -> None:
    """Phone and bank-card columns are fields a rule may read; the input lists them as
    sensitive (masked in every output: tests/cli/test_no_quiet_pass_e2e.py)."""
    table = make_table(
        ["户编号", "姓名", "证件号码", "户联系电话", "家庭成员联系电话", "信息采集人联系电话",
         "银行卡号", "备注"],
        [["H1", "张三", HEAD_ID, "13800000000", "13900000000", "0838-2345678",
          "6222000000000000", "x"]],
    )
    reg = build_registry([table], catalogue)
    info = reg.inputs[0]
    assert {"phone", "member_phone", "collector_phone", "bank_account"} <= set(info.mapping)
    assert info.sensitive == ["户联系电话", "家庭成员联系电话", "信息采集人联系电话", "银行卡号"]
    assert reg.households["phone"].tolist() == ["13800000000"]
    assert reg.members["member_phone"].tolist() == ["13900000000"]
    assert any("户联系电话" in note and "银行卡号" in note for note in info.notes)
    assert reg.members["raw:备注"].tolist() == ["x"]
    assert info.unmatched == ["备注"] and reg.extra_columns == ["raw:备注"]


def test_several_tables_are_concatenated(catalogue: FieldCatalogue) -> None:
    a = make_table(COLS[:4], [["H1", "张三", HEAD_ID, "户主"]], path="a.xlsx")
    b = make_table([*COLS[:4], "备注"], [["H1", "李四", WIFE_ID, "配偶", "b"],
                                        ["H2", "王五", SON_ID, "户主", ""]], path="b.csv",
                   sheet="b.csv")  # fmt: skip
    reg = build_registry([a, b], catalogue)
    assert reg.members["_input"].tolist() == [0, 1, 1]
    assert reg.members["member_id"].tolist() == ["H1-1", "H1-2", "H2-1"]
    assert reg.households["member_count"].to_dict() == {"H1": 2, "H2": 1}
    assert reg.members["raw:备注"].isna().tolist() == [True, False, True]
    assert [str(i.path) for i in reg.inputs] == ["a.xlsx", "b.csv"]


def test_column_mapping_overrides_headers(catalogue: FieldCatalogue) -> None:
    table = make_table(["户代码", "姓名", "人员证件"], [["H1", "张三", HEAD_ID]])
    reg = build_registry([table], catalogue, {"户代码": "household_id", "人员证件": "id_number"})
    assert reg.members["household_id"].tolist() == ["H1"]
    assert reg.inputs[0].mapping["id_number"] == ("人员证件", "C")


def test_unrelated_sheet_is_ignored_with_a_note(catalogue: FieldCatalogue) -> None:
    notes = make_table(["填表说明"], [["请按要求填写"]], sheet="说明")
    data = make_table(COLS[:4], [["H1", "张三", HEAD_ID, "户主"]])
    reg = build_registry([notes, data], catalogue)
    assert len(reg.inputs) == 1
    assert any("说明" in note for note in reg.inputs[0].notes)


def test_sheet_without_household_id_is_not_a_member_sheet(catalogue: FieldCatalogue) -> None:
    helpers = make_table(["姓名", "联系电话", "职务"], [["帮扶人", "139", "干部"]],
                         sheet="帮扶责任人")  # fmt: skip
    data = make_table(COLS[:4], [["H1", "张三", HEAD_ID, "户主"]])
    reg = build_registry([helpers, data], catalogue)
    assert reg.members["name"].tolist() == ["张三"]
    assert any("帮扶责任人" in note for note in reg.inputs[0].notes)


def test_table_whose_rows_all_lack_a_household_id(catalogue: FieldCatalogue) -> None:
    table = make_table(COLS, [[None, "甲", HEAD_ID, "户主", 3000, "已脱贫", "A"]])
    reg = build_registry([table], catalogue)
    assert reg.n_members == 0 and reg.n_households == 0
    info = reg.inputs[0]
    assert info.skipped == {"no_household_id": 1}
    assert info.rows_read == info.member_rows + sum(info.skipped.values())
    assert len(reg.issues) == 0


def test_household_value_keeps_the_row_it_was_read_from(catalogue: FieldCatalogue) -> None:
    """The head's 人均纯收入 is blank, the wife's row has it: the household cites her row (issue
    11, part 5); 脱贫标志 on the head's row needs no extra citation."""
    from exitcheck.schema.build import source_input_column, source_row_column

    table = make_table(COLS, [["H1", "张三", HEAD_ID, "户主", None, "已脱贫", None],
                              ["H1", "李四", WIFE_ID, "配偶", 3000, "已脱贫", None],
                              ["H2", "王五", SON_ID, "户主", 5000, "已脱贫", None]])
    reg = build_registry([table], catalogue)
    hh = reg.households
    assert hh.loc["H1", "per_capita_net_income"] == 3000.0
    assert hh["_row"].tolist() == [4, 6]  # the heads' rows (header on row 3)
    assert hh[source_row_column("per_capita_net_income")].tolist() == [5, 6]
    assert hh[source_input_column("per_capita_net_income")].tolist() == [0, 0]
    assert source_row_column("poverty_status") not in hh.columns
