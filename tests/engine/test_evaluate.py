"""evaluate(): outcomes and counts, locations, messages, builtin rules, parameters used."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exitcheck.engine.evaluate import evaluate
from exitcheck.engine.params import load_params
from exitcheck.engine.ruleset import load_ruleset
from exitcheck.findings import FINDING_COLUMNS
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec
from exitcheck.schema.model import InputInfo, Registry

CAT = FieldCatalogue(
    {
        s.name: s
        for s in [
            FieldSpec("household_id", "户编号", "Household ID", "household", "id"),
            FieldSpec("poverty_status", "脱贫标志", "Exit status", "household", "enum",
                      values={"已脱贫": (), "未脱贫": ()}),
            FieldSpec("per_capita_net_income", "人均纯收入", "Per-capita net income",
                      "household", "number"),
            FieldSpec("relation", "与户主关系", "Relation", "member", "enum",
                      values={"户主": (), "配偶": (), "子女": ()}),
            FieldSpec("residents_medical", "是否参加城乡居民基本医疗保险", "Residents' insurance",
                      "member", "bool"),
            FieldSpec("id_number", "证件号码", "ID number", "member", "id_number"),
            # Rule cases are loaded as sheets: the person key and the columns `age`/`sex`
            # become (人编号, 出生日期, 性别) must be fields of the catalogue.
            FieldSpec("member_id", "人编号", "Person ID", "member", "id"),
            FieldSpec("birth_date_stated", "出生日期", "Date of birth", "member", "date"),
            FieldSpec("sex_stated", "性别", "Sex", "member", "enum",
                      values={"男": (), "女": ()}),
        ]
    }
)

RULES = """\
family: INC
rules:
  - code: INC001
    name: income.above_line
    title: 人均纯收入超过标准
    title_en: Income above the line
    severity: fail
    level: household
    when: poverty_status == "已脱贫"
    require: per_capita_net_income > param.line
    message: 人均纯收入 {per_capita_net_income} 元，未超过 {param.line} 元
    message_en: Income {per_capita_net_income} is not above {param.line}
    reference: 测试
  - code: MED001
    family: MED
    name: medical.insured
    title: 参加医保
    title_en: Insured
    severity: fail
    level: member
    require: residents_medical
    message: "{与户主关系}未参加医保（户人均纯收入 {per_capita_net_income}）"
    message_en: "{relation} not insured (household income {per_capita_net_income})"
    reference: 测试
  - code: DQ001
    family: DQ
    name: dq.values
    title: 取值不在允许范围
    title_en: Value not allowed
    severity: error
    level: member
    builtin: value_not_allowed
    message: "{label} 的值 {value} 不在允许范围"
    reference: 测试
"""
PARAMS = {
    "line.yaml": """\
        name: line
        title: 标准
        type: number
        values:
          national: [{from: 2019-01-01, value: 3218, source: 国家}]
          "51": [{from: 2019-01-01, value: 3750, source: 四川, verified: true}]
        """,
    "unused.yaml": """\
        name: unused
        title: 未用
        type: number
        values:
          national: [{from: 2010-01-01, value: 1, source: x}]
        """,
}


def info(path: str, letters: dict[str, str]) -> InputInfo:
    mapping = {f: (CAT.fields[f].label, letter) for f, letter in letters.items()}
    return InputInfo(path=Path(path), sheet="明细", reader="test", encoding=None, sha256="",
                     title_rows=[], header_rows=[1], rows_read=0, member_rows=0, skipped={},
                     mapping=mapping, unmatched=[], missing_optional=[])


def registry(single_file: bool = False) -> Registry:
    """Five households: pass, violated, income blank, not exited, status blank."""
    hh = pd.DataFrame(
        {
            "poverty_status": pd.array(["已脱贫", "已脱贫", "已脱贫", "未脱贫", None],
                                       dtype="string"),
            "per_capita_net_income": pd.array([4000, 3000.5, None, 3000, 5000], dtype="Float64"),
            "member_count": pd.array([2, 1, 1, 1, 1], dtype="Int64"),
            "_input": [0, 1 if not single_file else 0, 0, 0, 0],
            "_row": [3, 7, 5, 6, 8],
        },
        index=pd.Index(["H1", "H2", "H3", "H4", "H5"], name="household_id", dtype="string"),
    )
    members = pd.DataFrame(
        {
            "household_id": pd.array(["H1", "H1", "H2", "H3", "H4", "H5"], dtype="string"),
            "member_id": pd.array(["H1-1", "H1-2", "H2-1", "H3-1", "H4-1", "H5-1"],
                                  dtype="string"),
            "_input": [0, 0, 1 if not single_file else 0, 0, 0, 0],
            "_row": [3, 4, 7, 5, 6, 8],
            "relation": pd.array(["户主", "子女", "户主", "户主", "户主", None], dtype="string"),
            "residents_medical": pd.array([True, None, True, False, True, False],
                                          dtype="boolean"),
        }
    )
    issues = pd.DataFrame(
        {
            "kind": ["value_not_allowed", "unparseable_number"],
            "field": ["relation", "per_capita_net_income"],
            "household_id": ["H1", "H2"],
            "member_id": ["H1-2", pd.NA],
            "_input": [0, 1],
            "_row": [4, 7],
            "value": ["儿子？", "三千"],
            "detail": ["", ""],
        }
    )
    inputs = [info("a.xlsx", {"poverty_status": "C", "per_capita_net_income": "E",
                              "relation": "B", "residents_medical": "F"})]
    if not single_file:
        inputs.append(info("b.xlsx", {"poverty_status": "D", "per_capita_net_income": "H",
                                      "relation": "C", "residents_medical": "K"}))
    return Registry(members=members, households=hh, inputs=inputs, as_of=date(2019, 12, 31),
                    issues=issues)


@pytest.fixture
def sources(tmp_path: Path):
    for name, text in PARAMS.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    store = load_params([tmp_path / "line.yaml", tmp_path / "unused.yaml"], include_shipped=False)
    rs = load_ruleset([tmp_path / "rules.yaml"], include_shipped=False, catalogue=CAT,
                      known_params=store.names())
    return rs, store


def run(sources, reg: Registry | None = None, **kw):
    rs, store = sources
    opts = {"year": 2019, "region": "51", "as_of": date(2019, 12, 31)} | kw
    return evaluate(reg or registry(), rs, store, **opts)


def by(result, rule: str, unit: str) -> pd.Series:
    f = result.findings
    key = "household_id" if rule.startswith("INC") else "member_id"
    rows = f[(f["rule"] == rule) & (f[key] == unit)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_counts_add_up(sources) -> None:
    result = run(sources)
    stats = result.rule_stats.set_index("rule")
    assert list(result.rule_stats.columns) == [
        "rule", "applicable", "passed", "violated", "not_evaluated", "exempted"]
    # H4 is not exited (not applicable); H5's blank status -> not_evaluated, never dropped.
    assert stats.loc["INC001"].tolist() == [4, 1, 1, 2, 0]
    # Members: H1-2 blank -> not_evaluated; H3-1 and H5-1 not insured.
    assert stats.loc["MED001"].tolist() == [6, 3, 2, 1, 0]
    assert stats.loc["DQ001"].tolist() == [6, 5, 1, 0, 0]
    total = stats["passed"] + stats["violated"] + stats["not_evaluated"] + stats["exempted"]
    assert (total == stats["applicable"]).all()
    assert tuple(result.findings.columns) == FINDING_COLUMNS
    assert len(result.findings) == 3 + 3 + 1


def test_household_finding_location_message_values(sources) -> None:
    result = run(sources)
    h2 = by(result, "INC001", "H2")
    assert (h2["status"], h2["family"], h2["severity"]) == ("violated", "INC", "fail")
    assert pd.isna(h2["member_id"])
    assert h2["location"] == "b.xlsx 明细!H7"  # the cited field's cell, file named (2 files)
    assert h2["message"] == "人均纯收入 3000.5 元，未超过 3750 元"
    assert h2["values"] == {"poverty_status": "已脱贫", "per_capita_net_income": 3000.5,
                            "param.line": 3750}
    h3 = by(result, "INC001", "H3")
    assert h3["status"] == "not_evaluated" and "人均纯收入" in h3["message"]
    assert h3["values"]["per_capita_net_income"] is None
    h5 = by(result, "INC001", "H5")
    assert h5["status"] == "not_evaluated" and "脱贫标志" in h5["message"]
    assert result.findings["household_id"].tolist().count("H1") == 2  # MED001 + DQ001 only


def test_member_finding_location_and_blank_in_message(sources) -> None:
    result = run(sources, reg=registry(single_file=True))
    h3 = by(result, "MED001", "H3-1")
    assert h3["household_id"] == "H3" and h3["location"] == "明细!F5"  # one file: no prefix
    assert h3["message"] == "户主未参加医保（户人均纯收入 空）"  # NA shown as 空
    h5 = by(result, "MED001", "H5-1")
    assert h5["message"] == "空未参加医保（户人均纯收入 5000）"  # no trailing .0
    en = run(sources, reg=registry(single_file=True), lang="en")
    h3_en = by(en, "MED001", "H3-1")
    assert h3_en["message"] == "户主 not insured (household income blank)"
    assert by(en, "INC001", "H2")["message"] == "Income 3000.5 is not above 3750"


def test_builtin_rule_turns_issues_into_findings(sources) -> None:
    result = run(sources)
    f = result.findings[result.findings["rule"] == "DQ001"]
    assert len(f) == 1
    row = f.iloc[0]
    assert (row["member_id"], row["location"]) == ("H1-2", "a.xlsx 明细!B4")
    assert row["message"] == "与户主关系 的值 儿子？ 不在允许范围"
    assert row["values"]["value"] == "儿子？"


def test_params_used_and_fallback(sources) -> None:
    result = run(sources)
    assert [p.name for p in result.params] == ["line"]  # "unused" is not listed
    assert result.params[0].value == 3750 and result.region == "51"
    other = run(sources, region="52", region_name="贵州省", region_origin="option")
    assert other.params[0].value == 3218 and "使用全国标准" in (other.params[0].note or "")
    assert by(other, "INC001", "H2")["message"].endswith("未超过 3218 元")
    assert (other.region_name, other.region_origin) == ("贵州省", "option")


def test_progress_and_selection(sources) -> None:
    rs, store = sources
    calls: list[tuple[int, int]] = []
    result = evaluate(registry(), rs.select(["INC"]), store, year=2019, region=None,
                      as_of=date(2019, 12, 31), progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 1)]
    assert [r.code for r in result.rules] == ["INC001"]
    assert result.params[0].value == 3218


def test_no_rows_no_findings(sources) -> None:
    reg = registry()
    empty = Registry(members=reg.members.iloc[:0], households=reg.households.iloc[:0],
                     inputs=reg.inputs, as_of=reg.as_of, issues=reg.issues.iloc[:0])
    result = run(sources, reg=empty)
    assert result.findings.empty and tuple(result.findings.columns) == FINDING_COLUMNS
    assert (result.rule_stats[["applicable", "passed"]].to_numpy() == 0).all()


def test_many_households_vectorized(sources) -> None:
    """2,000 households with a known number of violations (counts, not a timing test)."""
    n = 2000
    rng = np.random.default_rng(7)
    income = rng.integers(2000, 6000, n).astype(float)
    reg = registry(single_file=True)
    hh = pd.DataFrame(
        {
            "poverty_status": pd.array(["已脱贫"] * n, dtype="string"),
            "per_capita_net_income": pd.array(income, dtype="Float64"),
            "_input": 0,
            "_row": np.arange(2, n + 2),
        },
        index=pd.Index([f"H{i}" for i in range(n)], name="household_id", dtype="string"),
    )
    members = reg.members.iloc[:0]
    big = Registry(members=members, households=hh, inputs=reg.inputs, as_of=reg.as_of,
                   issues=reg.issues.iloc[:0])
    result = run(sources, reg=big)
    stats = result.rule_stats.set_index("rule").loc["INC001"]
    assert stats["violated"] == int((income <= 3750).sum())
    assert stats["passed"] == int((income > 3750).sum())


# -- rules that cannot run on this input ---------------------------------------------------------

ABSENT_CAT = FieldCatalogue(
    {
        **CAT.fields,
        "household_category": FieldSpec("household_category", "户类型", "Household type",
                                         "household", "enum", values={"脱贫户": (), "监测户": ()}),
        "out_of_pocket": FieldSpec("out_of_pocket", "合规自付支出", "Out-of-pocket",
                                   "household", "number"),
    }
)
ABSENT_RULES = """\
family: RISK
rules:
  - code: RISK001
    name: risk.needs_absent
    title: 需要缺失列
    title_en: Needs an absent column
    severity: risk
    level: household
    when: poverty_status == "已脱贫" or coalesce(household_category, "") == "脱贫户"
    require: out_of_pocket < per_capita_net_income
    message: 自付 {out_of_pocket}
    reference: 测试
  - code: RISK002
    name: risk.partly_decided
    title: 部分可判定
    title_en: Partly decided
    severity: risk
    level: household
    require: per_capita_net_income > 3500 or out_of_pocket < 100
    message: 收入 {per_capita_net_income}
    reference: 测试
  - code: RISK003
    name: risk.coalesced
    title: 缺失列在 coalesce 中
    title_en: Absent column under coalesce
    severity: risk
    level: household
    require: coalesce(household_category, "脱贫户") == "脱贫户"
    message: 户类型 {household_category}
    reference: 测试
  - code: RISK005
    name: risk.absent_raw_column
    title: 自定义列缺失
    title_en: Custom column absent
    severity: risk
    level: member
    require: col("帮扶责任人") == "张三"
    message: 帮扶责任人
    reference: 测试
  - code: RISK004
    name: risk.no_value_this_year
    title: 当年无参数
    title_en: No parameter value this year
    severity: risk
    level: household
    require: per_capita_net_income > param.later
    message: 收入 {per_capita_net_income}
    reference: 测试
"""


@pytest.fixture
def absent_sources(tmp_path: Path):
    (tmp_path / "line.yaml").write_text(textwrap.dedent(PARAMS["line.yaml"]), encoding="utf-8")
    (tmp_path / "later.yaml").write_text(textwrap.dedent("""\
        name: later
        title: 以后才有
        type: number
        values:
          national: [{from: 2020-01-01, value: 5000, source: 国家}]
        """), encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(ABSENT_RULES, encoding="utf-8")
    store = load_params([tmp_path / "line.yaml", tmp_path / "later.yaml"], include_shipped=False)
    rs = load_ruleset([tmp_path / "rules.yaml"], include_shipped=False, catalogue=ABSENT_CAT,
                      known_params=store.names())
    return rs, store


def test_rule_needing_an_absent_column_is_reported_once_not_per_household(
    absent_sources,
) -> None:
    result = run(absent_sources)
    not_run = {n.code: n for n in result.not_run}
    assert set(not_run) == {"RISK001", "RISK004", "RISK005"}
    # col("表头") for a header the file lacks: named by the header, at member level.
    raw = not_run["RISK005"]
    assert (raw.names, raw.labels, raw.units, raw.rule.level) == (
        ("raw:帮扶责任人",), ("帮扶责任人",), 6, "member")
    risk1 = not_run["RISK001"]
    # Only the field that made `require` unknown is named, not the coalesced one in `when`.
    assert (risk1.reason, risk1.names, risk1.labels) == (
        "fields_absent", ("out_of_pocket",), ("合规自付支出",))
    # H1-H3 are exited (selected by `when`); H5's blank status leaves `when` unknown.
    assert risk1.units == 4 and risk1.rule.level == "household"
    assert (not_run["RISK004"].reason, not_run["RISK004"].names) == ("params_missing", ("later",))
    # Neither is counted as run or passed, and neither lists a finding per household.
    assert [r.code for r in result.rules] == ["RISK002", "RISK003"]
    assert result.rule_stats["rule"].tolist() == ["RISK002", "RISK003"]
    assert not result.findings["rule"].isin(["RISK001", "RISK004"]).any()
    assert any("RISK001" in n and "合规自付支出" in n and "4 户" in n for n in result.notes)
    assert any("RISK004" in n and "later" in n and "2019" in n for n in result.notes)
    assert any(n.startswith("规则 RISK005 无法核查：输入文件没有 帮扶责任人 列（6 人本应核查")
               for n in result.notes)
    en = run(absent_sources, lang="en")
    assert any("has no 帮扶责任人 column (6 members" in n for n in en.notes)
    assert any(n.startswith("RISK001 — not evaluated: the input has no Out-of-pocket "
                            "(合规自付支出) column (4 households") for n in en.notes)


def test_rule_that_decided_some_units_keeps_its_per_unit_findings(absent_sources) -> None:
    result = run(absent_sources)
    stats = result.rule_stats.set_index("rule")
    # RISK002: income 4000 and 5000 pass without the absent column; the others cannot be decided.
    assert stats.loc["RISK002"].tolist() == [5, 2, 0, 3, 0]
    f = result.findings[result.findings["rule"] == "RISK002"]
    assert sorted(f["household_id"]) == ["H2", "H3", "H4"]
    assert set(f["status"]) == {"not_evaluated"}
    # RISK003: the absent column only feeds coalesce(): every household passes.
    assert stats.loc["RISK003"].tolist() == [5, 5, 0, 0, 0]


def test_exemption_for_a_rule_not_run_says_why_it_was_unused(
    absent_sources, tmp_path: Path
) -> None:
    from exitcheck.engine.exemptions import load_exemptions

    path = tmp_path / "ex.yaml"
    path.write_text(textwrap.dedent("""\
        exemptions:
          - {户编号: H2, 规则: RISK001, 原因: 已核实}
          - {户编号: H2, 规则: RISK004, 原因: 已核实}
          - {户编号: H1, 规则: RISK002, 原因: 已核实}
        """), encoding="utf-8")
    result = run(absent_sources, exemptions=load_exemptions(path))
    unused = [n for n in result.notes if "豁免条目" in n]
    assert len(unused) == 3
    assert "本次未运行" in unused[0] and f"{path}:2" in unused[0] and "RISK001" in unused[0]
    assert "本次未运行" in unused[1] and "RISK004" in unused[1]
    # RISK002 ran; H1 passed it: that entry simply matched nothing.
    assert "没有匹配到任何问题" in unused[2] and "RISK002" in unused[2]
