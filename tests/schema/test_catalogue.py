"""Field catalogue: loading, strict validation with file:line, header matching and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from exitcheck.errors import RuleFileError
from exitcheck.exitcodes import ExitCode
from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue


def test_shipped_catalogue_is_complete(catalogue: FieldCatalogue) -> None:
    required = {s.name for s in catalogue.fields.values() if s.required}
    assert required == {"household_id", "name", "id_number"}
    for spec in catalogue.fields.values():
        if spec.type in ("enum", "grade"):
            assert spec.values, spec.name
    assert set(catalogue.fields["poverty_status"].values) == {"未脱贫", "已脱贫", "返贫", "拟脱贫"}
    assert set(catalogue.fields["dangerous_house_grade"].values) == {"A", "B", "C", "D"}
    assert catalogue.fields["phone"].sensitive and catalogue.fields["bank_account"].sensitive


def test_catalogue_is_cached_per_path(catalogue: FieldCatalogue) -> None:
    assert load_catalogue() is catalogue


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("人均纯收入", "per_capita_net_income"),
        ("人均纯收入（元）", "per_capita_net_income"),
        ("人均纯收入(元)", "per_capita_net_income"),
        ("AAC082", "per_capita_net_income"),
        ("aac082", "per_capita_net_income"),
        ("ＡＡＣ０８２", "per_capita_net_income"),
        ("per_capita_net_income", "per_capita_net_income"),
        ("收入情况（元）/工资性收入", "wage_income"),
        ("收入情况（元）/生产经营性支出", "business_expense"),
        ("乡(镇)", "township"),
        ("乡（镇）", "township"),
        ("县（市、区）", "county"),
        ("户　编号", "household_id"),  # full-width space
        ("证件\n号码", "id_number"),
        (" 姓名 ", "name"),
        ("*姓名", "name"),
        ("家庭人口数(人)", "household_size"),
        ("家庭人口数（人）", "household_size"),
        ("林地面积（亩）", "forest_area"),
        ("致贫/返贫风险1", "risk_1"),
        ("风险信息/致贫/返贫风险2", "risk_2"),
        ("aab004", "id_number"),
        ("aar010", "poverty_status"),
        ("身份证号码", "id_number"),
        ("是否解决安全饮用水", "water_safe"),
        ("与户主的关系", "relation"),
    ],
)
def test_match_header(catalogue: FieldCatalogue, header: str, field: str) -> None:
    spec = catalogue.match_header(header)
    assert spec is not None, header
    assert spec.name == field


@pytest.mark.parametrize(
    "header", ["序号", "备注", "2019年某县建档立卡贫困人口明细表", "收入情况（元）"]
)
def test_unknown_headers_do_not_match(catalogue: FieldCatalogue, header: str) -> None:
    assert catalogue.match_header(header) is None


def test_header_score_prefers_the_real_header(catalogue: FieldCatalogue) -> None:
    title = ["2019年某县建档立卡贫困人口明细表", None, None, None, None, None]
    lone = ["姓名", "", None, "", "", ""]  # a title row that happens to be a label
    header = ["序号", "户编号", "姓名", "证件号码", "与户主关系", "人均纯收入（元）"]
    data = [1, "5101000001", "张三", "11010519491231002X", "户主", 3800.0]
    scores = {k: catalogue.header_score(v) for k, v in
              {"title": title, "lone": lone, "header": header, "data": data}.items()}
    assert scores["title"] == 0.0
    assert scores["header"] > scores["lone"] > scores["data"]
    assert scores["header"] > 0.5
    assert catalogue.header_score([]) == 0.0


# ---- strict loading ---------------------------------------------------------------------------

GOOD = """\
version: 1
booleans:
  yes: [是, 行]
  no: [否, 不行]
fields:
  household_id: {label: 户编号, label_en: Household ID, level: household, type: id, required: true}
  name: {label: 姓名, label_en: Name, level: member, type: text}
  grade:
    label: 等级
    label_en: Grade
    level: household
    type: grade
    values:
      A: [A级]
      B: [B级, 2]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fields.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_catalogue_loads_booleans_and_coerces_codes(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path, GOOD))
    assert cat.bool_map["行"] is True and cat.bool_map["不行"] is False
    assert "是" in cat.true_values and "是" not in cat.false_values
    # An unquoted YAML number among synonyms means the text "2".
    assert cat.value_map(cat.fields["grade"])["2"] == "B"
    assert cat.value_map(cat.fields["grade"])["a级"] == "A"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (GOOD.replace("label: 姓名", "lable: 姓名"), "lable: 姓名"),  # typo in a key
        (GOOD.replace("type: text", "type: txt"), "type: txt"),  # not a type
        (GOOD.replace("level: household, type: id,", "level: home, type: id,"), "level: home"),
        (GOOD.replace("version: 1", "version: 1\ncolour: red"), "colour: red"),
    ],
)
def test_invalid_catalogue_names_file_and_line(tmp_path: Path, bad: str, needle: str) -> None:
    path = write(tmp_path, bad)
    with pytest.raises(RuleFileError) as info:
        load_catalogue(path)
    assert info.value.location == f"{path}:{line_of(bad, needle)}"
    assert info.value.exit_code == ExitCode.RULES_INVALID
    shown = info.value.detail or ""
    assert needle in shown.splitlines()[0] and "^" in shown.splitlines()[1]  # line + caret


def test_enum_without_values_is_an_error(tmp_path: Path) -> None:
    bad = GOOD + "  status: {label: 状态, label_en: Status, level: household, type: enum}\n"
    path = write(tmp_path, bad)
    with pytest.raises(RuleFileError) as info:
        load_catalogue(path)
    assert info.value.location == f"{path}:{line_of(bad, 'status:')}"


def test_alias_shared_by_two_fields_is_an_error(tmp_path: Path) -> None:
    bad = GOOD + (
        "  other: {label: 其他, label_en: Other, level: member, type: text, aliases: [户 编号]}\n"
    )
    with pytest.raises(RuleFileError) as info:
        load_catalogue(write(tmp_path, bad))
    assert "household_id" in info.value.message and "other" in info.value.message


def test_synonym_for_two_values_is_an_error(tmp_path: Path) -> None:
    bad = GOOD.replace("B: [B级, 2]", "B: [B级, a级]")
    with pytest.raises(RuleFileError) as info:
        load_catalogue(write(tmp_path, bad))
    assert "a级" in info.value.message


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    bad = GOOD.replace("  name: {label: 姓名,", "  name: {label: [姓名,")
    path = write(tmp_path, bad)
    with pytest.raises(RuleFileError) as info:
        load_catalogue(path)
    assert info.value.location is not None and info.value.location.startswith(f"{path}:")


def test_missing_catalogue_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError):
        load_catalogue(tmp_path / "nope.yaml")
