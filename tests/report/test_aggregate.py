"""summarize(): counts, shares, verdicts, row accounting and the exit code for every --fail-on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from report_fixtures import (
    AT_RISK,
    DATA_ERROR,
    EXEMPTED,
    EXITED,
    FAILING,
    NOT_EVALUATED,
    NOT_EXITED,
    PLANNED,
    RULES,
    WARNING,
    _finding,
    hid,
)

from exitcheck.aggregate import check_fail_on, summarize
from exitcheck.engine.result import AuditResult
from exitcheck.errors import UsageError
from exitcheck.exitcodes import ExitCode

MakeResult = Callable[..., AuditResult]


def test_household_and_member_counts(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    assert s.households == 20
    assert s.members == len(result.registry.members)
    assert s.by_poverty_status == {"已脱贫": len(EXITED), "未脱贫": len(NOT_EXITED),
                                   "拟脱贫": len(PLANNED)}
    assert sum(s.by_poverty_status.values()) == s.households


def test_finding_counts_by_status_severity_and_rule(result: AuditResult) -> None:
    f = result.findings
    s = summarize(result, fail_on="fail")
    assert s.by_status == {"violated": int((f.status == "violated").sum()),
                           "not_evaluated": 4, "exempted": 1}
    assert s.by_severity.loc["fail", "violated_households"] == len(FAILING)
    assert s.by_severity.loc["risk", "violated_households"] == len(AT_RISK)
    assert s.by_severity.loc["error", "violated_households"] == len(DATA_ERROR)
    assert s.by_severity.loc["warning", "violated_households"] == len(WARNING)
    assert s.by_severity.loc["fail", "not_evaluated_households"] == len(NOT_EVALUATED)
    assert s.by_severity["violated_findings"].sum() == s.by_status["violated"]
    assert list(s.rules.index) == [r.code for r in RULES]
    assert s.rules.loc["INC001", "violated_households"] == 2
    assert s.rules.loc["FOOD001", "not_evaluated_households"] == 3
    assert s.rules.loc["INC001", "applicable_units"] == 15
    assert s.rules.loc["WAT001", "violated_findings"] == 1
    # Top rules: only rules that fired, most households first.
    assert "FOOD001" not in s.top_rules.index
    counts = s.top_rules["violated_households"].tolist()
    assert counts == sorted(counts, reverse=True)


def test_family_table(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    fam = s.families
    assert list(fam.index[:8]) == ["INC", "FOOD", "EDU", "MED", "HOU", "WAT", "RISK", "DQ"]
    assert fam.loc["INC", ["violated", "not_evaluated", "exempted"]].tolist() == [2, 1, 1]
    assert fam.loc["INC", "audited"] == 15  # the population of INC001's `when`
    assert fam.loc["INC", "passed"] == 11
    assert fam.loc["FOOD", "not_evaluated"] == 3
    assert fam.loc["FOOD", "passed"] == 12  # not_evaluated is never counted as passed
    assert fam.loc["RISK", "violated"] == len(AT_RISK)
    # H002 is both at risk (RISK) and not evaluated (FOOD): one household in each family.
    assert fam.loc["DQ", "violated"] == 2
    assert fam.loc["INC", "violated_share"] == pytest.approx(2 / 15)
    assert fam.loc["EDU", "audited"] == 20  # member-level family: every household examined


def test_area_tables(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    t = s.townships.set_index("township")
    assert t["households"].sum() == 20
    assert t.loc["城关镇", "failing"] == len({h for h in FAILING if int(h[-4:]) <= 10})
    assert t.loc["石桥乡", "data_errors"] == 1
    assert t.loc["城关镇", "exited"] == 10
    v = s.villages.set_index("village")
    assert len(v) == 4
    assert v.loc["东风村", "failing"] == 2  # H003, H005
    assert v.loc["东风村", "at_risk"] == 1  # H002
    assert v.loc["东风村", "failing_share"] == pytest.approx(2 / 5)
    # 已脱贫户 as the rules audit them (rules/populations.yaml exited): 已脱贫 and 拟脱贫.
    assert v.loc["白杨村", "exited"] == len([h for h in EXITED + PLANNED if int(h[-4:]) > 15])
    assert v.loc["白杨村", "exited_failing_share"] == 0.0
    assert v["households"].sum() == 20


def test_verdicts_one_row_per_household_with_findings(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    v = s.verdicts.set_index("household_id")
    expected = FAILING | AT_RISK | DATA_ERROR | WARNING | NOT_EVALUATED | EXEMPTED
    assert set(v.index) == expected
    assert set(v.index[v["failing"]]) == FAILING
    assert set(v.index[v["at_risk"]]) == AT_RISK
    h3 = v.loc[hid(3)]
    assert h3["verdict"] == "fail"
    assert set(h3["failed_codes"].split(", ")) == {"INC001", "MED001"}
    assert "3500" in h3["reasons"] and "3750" in h3["reasons"]  # the deciding values
    assert h3["head_name"] == "张3"
    assert h3["township"] == "城关镇" and h3["village"] == "东风村"
    assert v.loc[hid(12), "verdict"] == "not_evaluated"
    assert v.loc[hid(15), "verdict"] == "exempted"
    assert v.loc[hid(15), "exempted_codes"] == "INC001"
    assert v.loc[hid(2), "verdict"] == "risk"
    assert v.loc[hid(2), "not_evaluated_codes"] == "FOOD001"
    assert v.loc[hid(14), "verdict"] == "warning"


def test_row_accounting_reconciles(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    (acc,) = s.inputs
    assert acc.rows_read == acc.member_rows + acc.skipped_total
    assert acc.skipped == {"blank": 2, "total": 1}
    assert s.rows_reconciled
    assert s.notes == result.notes


def test_row_accounting_mismatch_is_noted(result: AuditResult) -> None:
    result.registry.inputs[0].rows_read += 1
    s = summarize(result, fail_on="fail")
    assert not s.rows_reconciled
    assert any("行数不平" in n for n in s.notes)


def test_income_bands_cover_every_household(result: AuditResult) -> None:
    s = summarize(result, fail_on="fail")
    assert s.exit_income_line == 3750
    assert s.income_bands["households"].sum() == 20
    assert s.income_bands.loc["missing", "households"] == 1  # H012
    # At or below the line: H003 3500, H007 3700, H015 3600, H013 2800, H017 3000.
    assert s.income_bands["households"].iloc[0] == 5


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("fail", ExitCode.FINDINGS), ("risk", ExitCode.FINDINGS), ("error", ExitCode.FINDINGS),
     ("warning", ExitCode.FINDINGS), ("never", ExitCode.OK)],
)
def test_exit_code_full_audit(result: AuditResult, fail_on: str, expected: ExitCode) -> None:
    assert summarize(result, fail_on=fail_on).exit_code == expected


@pytest.mark.parametrize(
    ("severity_rule", "fail_on", "expected"),
    [
        ("DQ002", "fail", ExitCode.OK),  # a warning only
        ("DQ002", "error", ExitCode.OK),
        ("DQ002", "warning", ExitCode.FINDINGS),
        ("DQ001", "risk", ExitCode.OK),  # an error only
        ("DQ001", "error", ExitCode.FINDINGS),
        ("RISK001", "fail", ExitCode.OK),
        ("RISK001", "risk", ExitCode.FINDINGS),
        ("RISK001", "warning", ExitCode.FINDINGS),
        ("INC001", "fail", ExitCode.FINDINGS),
        ("INC001", "never", ExitCode.OK),
    ],
)
def test_exit_code_by_level(
    make_result: MakeResult, severity_rule: str, fail_on: str, expected: ExitCode
) -> None:
    findings = [_finding(severity_rule, "violated", hid(1), "x", {})]
    assert summarize(make_result(findings), fail_on=fail_on).exit_code == expected


def test_exempted_and_not_evaluated_alone_never_fail(make_result: MakeResult) -> None:
    findings = [_finding("INC001", "exempted", hid(3), "x", {}),
                _finding("INC001", "not_evaluated", hid(4), "y", {})]
    s = summarize(make_result(findings), fail_on="warning")
    assert s.exit_code == ExitCode.OK
    assert s.not_evaluated_findings == 1 and s.not_evaluated_households == 1


def test_no_findings(make_result: MakeResult) -> None:
    s = summarize(make_result([]), fail_on="warning")
    assert s.exit_code == ExitCode.OK
    assert s.verdicts.empty
    assert s.top_rules.empty
    assert (s.families["violated"] == 0).all()
    assert s.families.loc["INC", "passed"] == 15


def test_invalid_fail_on() -> None:
    with pytest.raises(UsageError) as err:
        check_fail_on("fatal")
    assert "--fail-on" in err.value.render()


def test_findings_without_household_are_counted_but_get_no_verdict(
    make_result: MakeResult,
) -> None:
    findings = [_finding("HOU001", "violated", hid(5), "危房", {}),
                {**_finding("HOU001", "violated", hid(6), "村级问题", {}), "household_id": None}]
    s = summarize(make_result(findings), fail_on="fail")
    assert list(s.verdicts["household_id"]) == [hid(5)]
    assert s.by_status["violated"] == 2
    assert s.exit_code == ExitCode.FINDINGS
