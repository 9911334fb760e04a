"""Rule files: each load error names file:line with a caret; selection by code/name/alias."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from exitcheck.engine.params import load_params
from exitcheck.engine.ruleset import load_ruleset
from exitcheck.errors import RuleFileError, UsageError
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec

CAT = FieldCatalogue(
    {
        s.name: s
        for s in [
            FieldSpec("household_id", "户编号", "Household ID", "household", "id"),
            FieldSpec("poverty_status", "脱贫标志", "Exit status", "household", "enum",
                      values={"已脱贫": (), "未脱贫": ()}),
            FieldSpec("per_capita_net_income", "人均纯收入", "Per-capita net income",
                      "household", "number"),
            FieldSpec("residents_medical", "是否参加城乡居民基本医疗保险", "Residents' insurance",
                      "member", "bool"),
        ]
    }
)

PARAM = """\
name: income_line
title: 收入线
type: number
values:
  national:
    - {from: 2019-01-01, value: 3000, source: test}
"""

RULE = """\
  - code: {code}
    name: {name}
    title: 收入
    title_en: Income
    severity: fail
    level: household
    when: poverty_status == "已脱贫"
    require: per_capita_net_income > param.income_line
    message: 人均纯收入 {{per_capita_net_income}} 未超过 {{param.income_line}}
    reference: 测试依据
    aliases: {aliases}
"""


def rule_text(code: str = "INC001", name: str = "income.line", aliases: str = "[]") -> str:
    return RULE.format(code=code, name=name, aliases=aliases)


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(*paths: Path, tmp: Path):
    (tmp / "params").mkdir(exist_ok=True)
    write(tmp / "params", "income_line.yaml", PARAM)
    store = load_params([tmp / "params"], include_shipped=False)
    return load_ruleset(list(paths), include_shipped=False, catalogue=CAT,
                        known_params=store.names())


def error_of(tmp: Path, text: str) -> RuleFileError:
    path = write(tmp, "bad.yaml", text)
    with pytest.raises(RuleFileError) as info:
        load(path, tmp=tmp)
    return info.value


def test_valid_file_loads_with_fields_params_and_cite(tmp_path: Path) -> None:
    rs = load(write(tmp_path, "ok.yaml", "family: INC\nrules:\n" + rule_text()), tmp=tmp_path)
    (rule,) = rs.rules
    assert rule.params == ("income_line",)
    assert rule.fields == ("poverty_status", "per_capita_net_income")
    assert rule.cite == "per_capita_net_income"  # first field of `require`
    info = rs.info()[0]
    assert (info.code, info.family, info.level, info.params) == (
        "INC001", "INC", "household", ("income_line",))
    assert info.source.endswith("ok.yaml")


def test_yaml_syntax_error_has_line_and_caret(tmp_path: Path) -> None:
    err = error_of(tmp_path, "family: INC\nrules:\n  - code: INC001\n    name: [unclosed\n")
    assert err.location is not None and err.location.startswith(str(tmp_path / "bad.yaml") + ":")
    assert int(err.location.rsplit(":", 1)[1]) >= 4
    assert "YAML" in err.message and err.detail is not None and "^" in err.detail


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    text = "family: INC\nrules:\n" + rule_text().replace("    title: 收入", "    titel: 收入")
    err = error_of(tmp_path, text)
    assert err.location == f"{tmp_path / 'bad.yaml'}:5"
    assert "titel" in err.message and "title" in err.message  # 是否想写 title？
    assert err.detail is not None
    source_line, caret_line = err.detail.splitlines()[:2]
    assert "titel: 收入" in source_line
    assert caret_line.index("^") == source_line.index("titel")
    assert caret_line.count("^") == len("titel")


def test_duplicate_code_across_two_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "family: INC\nrules:\n" + rule_text())
    b = write(tmp_path, "b.yaml",
              "family: INC\n# second\nrules:\n" + rule_text(name="income.other"))
    with pytest.raises(RuleFileError) as info:
        load(a, b, tmp=tmp_path)
    err = info.value
    assert err.location == f"{b}:4"
    assert "INC001" in err.message and f"{a}:3" in err.message
    assert err.detail is not None and "^" in err.detail


def test_duplicate_name_and_alias_clash(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "family: INC\nrules:\n" + rule_text())
    b = write(tmp_path, "b.yaml", "family: INC\nrules:\n" + rule_text(code="INC002"))
    with pytest.raises(RuleFileError, match=r"income\.line"):
        load(a, b, tmp=tmp_path)
    c = write(tmp_path, "c.yaml", "family: INC\nrules:\n"
              + rule_text(code="INC002", name="income.two", aliases="[INC001]"))
    with pytest.raises(RuleFileError) as info:
        load(a, c, tmp=tmp_path)
    assert "INC001" in info.value.message and info.value.location == f"{c}:13"


def test_unknown_field_points_into_expression(tmp_path: Path) -> None:
    text = "family: INC\nrules:\n" + rule_text().replace(
        "require: per_capita_net_income", "require: per_capita_net_incom")
    err = error_of(tmp_path, text)
    assert err.location == f"{tmp_path / 'bad.yaml'}:10"
    assert "per_capita_net_incom" in err.message
    assert err.detail is not None and "^" in err.detail


def test_unknown_param(tmp_path: Path) -> None:
    text = "family: INC\nrules:\n" + rule_text().replace("param.income_line", "param.incom_line", 1)
    err = error_of(tmp_path, text)
    assert err.location == f"{tmp_path / 'bad.yaml'}:10"
    assert "incom_line" in err.message and err.detail is not None and "^" in err.detail


def test_unknown_message_placeholder(tmp_path: Path) -> None:
    text = "family: INC\nrules:\n" + rule_text().replace("{param.income_line}", "{param.nope}")
    err = error_of(tmp_path, text)
    assert err.location == f"{tmp_path / 'bad.yaml'}:11" and "param.nope" in err.message
    caret_line = err.detail.splitlines()[1]  # type: ignore[union-attr]
    assert caret_line.count("^") == len("{param.nope}")


@pytest.mark.parametrize("code", ["INC01", "INCOME001", "inc001", "XYZ001"])
def test_bad_code_pattern(tmp_path: Path, code: str) -> None:
    err = error_of(tmp_path, "family: INC\nrules:\n" + rule_text(code=code))
    assert err.location == f"{tmp_path / 'bad.yaml'}:3"
    assert code in err.message and err.detail is not None and code in err.detail


def test_code_of_other_family(tmp_path: Path) -> None:
    err = error_of(tmp_path, "family: INC\nrules:\n" + rule_text(code="MED001"))
    assert "MED001" in err.message and "INC" in err.message
    ok = rule_text(code="MED001").replace("    name:", "    family: MED\n    name:")
    rs = load(write(tmp_path, "ok.yaml", "family: INC\nrules:\n" + ok), tmp=tmp_path)
    assert rs.rules[0].family == "MED"


def test_missing_title_and_blank_reference(tmp_path: Path) -> None:
    err = error_of(tmp_path, "family: INC\nrules:\n" + rule_text().replace("    title: 收入\n", ""))
    assert "title" in err.message and err.location == f"{tmp_path / 'bad.yaml'}:3"
    err = error_of(tmp_path, "family: INC\nrules:\n"
                   + rule_text().replace("reference: 测试依据", 'reference: "  "'))
    assert "reference" in err.message and err.location == f"{tmp_path / 'bad.yaml'}:12"


def test_require_xor_builtin_and_bad_builtin(tmp_path: Path) -> None:
    both = rule_text().replace("    message:", "    builtin: value_not_allowed\n    message:")
    assert "builtin" in error_of(tmp_path, "family: INC\nrules:\n" + both).message
    builtin = textwrap.dedent("""\
        family: DQ
        rules:
          - code: DQ001
            name: dq.values
            title: 取值
            title_en: Values
            severity: error
            level: member
            builtin: no_such_kind
            message: "{label} 的值 {value} 无效"
            reference: 测试
        """)
    err = error_of(tmp_path, builtin)
    assert err.location == f"{tmp_path / 'bad.yaml'}:9" and "no_such_kind" in err.message


def test_bad_severity_lists_choices(tmp_path: Path) -> None:
    err = error_of(tmp_path, "family: INC\nrules:\n" + rule_text().replace("fail", "fatal"))
    assert err.location == f"{tmp_path / 'bad.yaml'}:7" and "fatal" in err.message


def test_missing_rules_path_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load(tmp_path / "nope.yaml", tmp=tmp_path)


def test_selection(tmp_path: Path) -> None:
    med = rule_text(code="MED003", name="medical.insured").replace(
        "    name:", "    family: MED\n    name:")
    text = ("family: INC\nrules:\n" + rule_text(aliases="[INC900]")
            + rule_text(code="INC012", name="income.margin") + med)
    rs = load(write(tmp_path, "r.yaml", text), tmp=tmp_path)

    def codes(select=(), ignore=()):
        return [r.code for r in rs.select(list(select), list(ignore)).rules]

    assert codes() == ["INC001", "INC012", "MED003"]
    assert codes(["INC012"]) == ["INC012"]
    assert codes(["INC"]) == ["INC001", "INC012"]
    assert codes(["INC0"]) == ["INC001", "INC012"]
    assert codes(["INC01"]) == ["INC012"]
    assert codes(["income.margin"]) == ["INC012"]
    assert codes(["income."]) == codes(["income.*"]) == codes(["income"]) == ["INC001", "INC012"]
    assert codes(["INC900"]) == ["INC001"]  # alias
    assert codes(["INC,MED003"]) == ["INC001", "INC012", "MED003"]
    assert codes(ignore=["INC001"]) == ["INC012", "MED003"]
    assert codes(["INC"], ["income.margin"]) == ["INC001"]
    with pytest.raises(UsageError) as info:
        rs.select(["INC999"])
    assert "INC999" in info.value.message
    with pytest.raises(UsageError, match=r"income\.margin"):
        rs.select([], ["income.margn"])  # did-you-mean lists the close name
    assert rs.get("inc900") is rs.rules[0]
