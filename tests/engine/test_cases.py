"""Rule test cases: tiny registries from canonical values, pass/fail comparison, malformed files."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from exitcheck.engine.cases import Case, case_registry, run_cases
from exitcheck.errors import RuleFileError

try:
    from test_evaluate import CAT, sources
except ImportError:  # pragma: no cover
    from .test_evaluate import CAT, sources  # type: ignore[no-redef]  # noqa: F401

AGE_RULE = """\
family: EDU
rules:
  - code: EDU001
    name: education.child
    title: 儿童
    title_en: Child
    severity: fail
    level: member
    when: age < 16
    require: residents_medical
    message: 未参保
    reference: 测试
"""


def write(tmp: Path, name: str, text: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_cases_pass_and_fail(sources, tmp_path: Path) -> None:
    rs, store = sources
    path = write(tmp_path / "cases", "INC001.yaml", """\
        rule: INC001
        cases:
          - name: 高于标准
            year: 2019
            region: "51"
            household: {poverty_status: 已脱贫, per_capita_net_income: 4000}
            members: [{relation: 户主}]
            expect: pass
          - name: 四川标准 3750 下 3500 不达标
            year: 2019
            region: 51
            household: {脱贫标志: 已脱贫, per_capita_net_income: 3500}
            expect: violated
          - name: 全国标准下 3500 达标
            year: 2019
            household: {poverty_status: 已脱贫, per_capita_net_income: 3500}
            expect: pass
          - name: 收入为空
            year: 2019
            household: {poverty_status: 已脱贫, per_capita_net_income: null}
            expect: not_evaluated
          - name: 导出表没有收入列
            year: 2019
            household: {poverty_status: 已脱贫}
            expect: not_run
          - name: 未脱贫户不适用
            year: 2019
            household: {poverty_status: 未脱贫, per_capita_net_income: 100}
            expect: not_applicable
          - name: 参数覆盖
            year: 2019
            params: {line: 5000}
            household: {poverty_status: 已脱贫, per_capita_net_income: 4000}
            expect: violated
          - name: 故意写错的预期
            year: 2019
            household: {poverty_status: 已脱贫, per_capita_net_income: 4000}
            expect: violated
        """)
    results = run_cases([tmp_path / "cases"], ruleset=rs, params=store, catalogue=CAT)
    assert [r.passed for r in results] == [True] * 7 + [False]
    wrong = results[-1]
    assert (wrong.expected, wrong.actual, wrong.rule) == ("violated", "pass", "INC001")
    assert wrong.where == f"{path}:35"  # the case's `- name:` line
    assert results[1].messages == ["人均纯收入 3500 元，未超过 3750 元"]


def test_member_cases_with_expect_members(sources, tmp_path: Path) -> None:
    rs, store = sources
    write(tmp_path, "MED001.yaml", """\
        rule: medical.insured
        cases:
          - name: 一人未参保
            year: 2019
            members:
              - {relation: 户主, residents_medical: 是}
              - {relation: 子女, residents_medical: 否}
              - {relation: 配偶}
            expect: violated
            expect_members: [pass, violated, not_evaluated]
        """)
    (result,) = run_cases([tmp_path / "MED001.yaml"], ruleset=rs, params=store, catalogue=CAT)
    assert result.passed and result.actual_members == ["pass", "violated", "not_evaluated"]


def test_age_from_id_number_at_year_end() -> None:
    case = Case.model_validate({
        "name": "x", "year": 2019, "expect": "pass",
        "members": [{"id_number": "510102200401010011"}, {"id_number": "510102200412310011"},
                    {"age": 7}, {"id_number": "bad"}],
    })
    reg = case_registry(case, CAT, date(2019, 12, 31))
    assert reg.members["age"].tolist()[:3] == [15, 15, 7]
    assert reg.members["age"].isna().tolist() == [False, False, False, True]
    early = case_registry(case, CAT, date(2019, 12, 30))
    assert early.members["age"].tolist()[:2] == [15, 14]


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: passed\n", 5, "passed"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n    hh: {}\n", 6,
         "hh"),
        ("rule: INC404\ncases: []\n", 1, "INC404"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n"
         "    household: {per_capita_income: 1}\n", 6, "per_capita_income"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n"
         "    household: {relation: 户主}\n", 6, "relation"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n"
         "    household: {per_capita_net_income: 很多}\n", 6, "很多"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n"
         "    expect_members: [pass]\n", 6, "expect_members"),
        ("rule: INC001\ncases:\n  - name: a\n    year: 2019\n    expect: pass\n"
         "    household: {poverty_status: 脱贫了}\n", 6, "脱贫了"),
    ],
    ids=["bad_expect", "unknown_key", "unknown_rule", "unknown_field", "wrong_level",
         "bad_number", "expect_members_household", "bad_enum"],
)
def test_malformed_case_files(sources, tmp_path: Path, body: str, line: int, needle: str) -> None:
    rs, store = sources
    path = write(tmp_path, "bad.yaml", body)
    with pytest.raises(RuleFileError) as info:
        run_cases([path], ruleset=rs, params=store, catalogue=CAT)
    assert info.value.location == f"{path}:{line}"
    assert needle in info.value.message


def test_member_rule_with_age(tmp_path: Path) -> None:
    from exitcheck.engine.params import load_params
    from exitcheck.engine.ruleset import load_ruleset

    rules = write(tmp_path, "edu.yaml", AGE_RULE)
    rs = load_ruleset([rules], include_shipped=False, catalogue=CAT, known_params=[])
    store = load_params([], include_shipped=False)
    write(tmp_path / "", "EDU001.yaml", """\
        rule: EDU001
        cases:
          - name: 成年人不适用，儿童未参保
            year: 2019
            members:
              - {id_number: "510102198001010011", residents_medical: 否}
              - {age: 10, residents_medical: 否}
            expect: violated
            expect_members: [not_applicable, violated]
        """)
    (res,) = run_cases([tmp_path / "EDU001.yaml"], ruleset=rs, params=store, catalogue=CAT)
    assert res.passed, (res.actual, res.actual_members)
