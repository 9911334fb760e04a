"""load_registry on real files written here: xlsx with title rows, CSV, several inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from schema_helpers import make_id

from exitcheck.errors import RuleFileError
from exitcheck.schema.loader import load_registry

HEAD = make_id("510102", "19700315", 11)
WIFE = make_id("510102", "19720601", 22)
OTHER = make_id("510104", "19500101", 33)
HEADER = ["户编号", "姓名", "证件号码", "与户主关系", "人均纯收入（元）", "是否危房户", "危房级别",
          "联系电话", "备注"]  # fmt: skip


def write_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "贫困人口明细"
    ws.append(["2019年某县建档立卡贫困人口明细表"])
    ws.append(["导出单位：某县扶贫办"])
    ws.append(HEADER)
    ws.append(["5101020001", "张三", HEAD, "户主", 3800, "否", None, "13800000000", ""])
    ws.append(["5101020001", "李四", float(WIFE[:17] + "0"), "配偶", 3800, "否", None, "", ""])
    ws.append(["5101020002", "王五", OTHER, "户主", "2,900.50", "是", "C级", "", "独居"])
    ws.append([None, "无户号", OTHER, "之子", None, None, None, None, None])
    ws.append(["合计", None, None, None, 10500.5, None, None, None, None])
    wb.save(path)
    return path


def test_xlsx_end_to_end(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "county.xlsx")
    reg = load_registry([path])
    info = reg.inputs[0]
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.sheet == "贫困人口明细"
    assert info.header_rows == [3]
    assert info.rows_read == info.member_rows + sum(info.skipped.values())
    assert info.member_rows == 3
    assert info.skipped.get("no_household_id") == 1
    assert reg.members["_row"].tolist() == [4, 5, 6]
    assert reg.households["per_capita_net_income"].to_dict() == {
        "5101020001": 3800.0, "5101020002": 2900.5
    }
    assert reg.households.loc["5101020002", "dangerous_house_grade"] == "C"
    # The phone column is read (a rule may check it) and listed as sensitive (masked on output).
    assert "phone" in reg.members.columns and reg.inputs[0].sensitive == ["联系电话"]
    stored = reg.issues[reg.issues["kind"] == "id_stored_as_number"]
    assert stored["_row"].tolist() == [5]
    assert reg.location("id_number", 0, 5) == "贫困人口明细!C5"
    assert reg.members["raw:备注"].tolist()[2] == "独居"


def test_csv_and_xlsx_together(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "county.xlsx")
    csv = tmp_path / "more.csv"
    csv.write_text("户编号,姓名,证件号码,与户主关系\n5101020003,赵六," + WIFE + ",户主\n",
                   encoding="gb18030")  # fmt: skip
    reg = load_registry([xlsx, csv])
    assert len(reg.inputs) == 2
    assert reg.inputs[1].sha256 == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert reg.n_households == 3
    assert reg.members.loc[reg.members["_input"] == 1, "name"].tolist() == ["赵六"]


def test_columns_mapping_file(tmp_path: Path) -> None:
    csv = tmp_path / "odd.csv"
    csv.write_text("户代码,姓名,人员证件\nH1,张三," + HEAD + "\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  户代码: household_id\n  人员证件: 证件号码\n", encoding="utf-8")
    reg = load_registry([csv], columns=mapping)
    assert reg.members["id_number"].tolist() == [HEAD]
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  户代码: househld_id\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_registry([csv], columns=bad)
    assert info.value.location == f"{bad}:2"
