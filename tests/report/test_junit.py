"""JUnit XML: one testsuite per family, one testcase per rule, not_evaluated as <error>."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from report_fixtures import BAD_ID, RULES, _finding, hid

from exitcheck.aggregate import summarize
from exitcheck.engine.result import AuditResult
from exitcheck.report.junit import MAX_LINES, write_junit

EIGHTEEN = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")


def _write(result: AuditResult, path: Path, fail_on: str = "fail", **kw: object) -> ET.Element:
    write_junit(result, summarize(result, fail_on=fail_on), path, **kw)  # type: ignore[arg-type]
    return ET.parse(path).getroot()


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    """Each rule's own case (further failed findings are cases named ``… · household``)."""
    return {c.get("name", "").split()[0]: c for c in root.iter("testcase")
            if " · " not in c.get("name", "")}


def test_structure(result: AuditResult, tmp_path: Path) -> None:
    root = _write(result, tmp_path / "junit.xml")
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name", "").split()[0] for s in suites] == [
        "INC", "FOOD", "EDU", "MED", "HOU", "WAT", "RISK", "DQ"]
    cases = _cases(root)
    assert set(cases) == {r.code for r in RULES}
    inc = cases["INC001"]
    assert inc.get("classname") == "INC" and inc.get("name") == "INC001 income.above_exit_line"
    # One failed test per finding: the rule's case carries the first, a case per further one.
    failure = inc.find("failure")
    assert failure is not None and failure.get("type") == "fail"
    more = [c for c in root.iter("testcase")
            if c.get("name", "").startswith("INC001 income.above_exit_line · ")]
    assert len(more) == 1 and more[0].get("classname") == "INC"
    texts = [failure.text or "", more[0].find("failure").text or ""]  # type: ignore[union-attr]
    assert any(hid(3) in t and "贫困人口明细!Q7" in t for t in texts)
    assert failure.get("message") == texts[0].split(": ", 1)[1]  # the finding's message
    error = inc.find("error")
    assert error is not None and error.get("type") == "not_evaluated"
    assert hid(12) in (error.text or "")
    assert inc.find("skipped") is None
    food = cases["FOOD001"]  # only not_evaluated findings: an error, never a pass
    assert food.find("failure") is None and food.find("error") is not None
    assert food.find("skipped") is None
    assert len(list(cases["WAT001"])) == 1  # failure only
    # Totals add up at both levels: failures are the findings at or above --fail-on (fail), as
    # the exit code and the verdict count them.
    summary = summarize(result, fail_on="fail")
    extra = summary.blocking_findings - summary.blocking_rules
    assert root.get("tests") == str(len(RULES) + extra)
    assert root.get("failures") == str(summary.blocking_findings)
    assert summary.blocking_findings > summary.blocking_rules > 0
    assert root.get("errors") == "2"
    assert sum(int(s.get("tests", "0")) for s in suites) == int(root.get("tests", "0"))
    rsk = next(s for s in suites if s.get("name", "").startswith("RISK"))
    assert rsk.get("tests") == "2" and rsk.get("failures") == "0"
    below = [c for c in rsk.iter("testcase") if c.find("system-out") is not None]
    assert below and "低于 --fail-on=fail" in (below[0].find("system-out").text or "")


def test_failures_follow_fail_on(result: AuditResult, tmp_path: Path) -> None:
    """JUnit <failure>s, the exit code and the verdict count the same findings at any --fail-on."""
    for fail_on in ("fail", "risk", "warning", "never"):
        summary = summarize(result, fail_on=fail_on)
        write_junit(result, summary, tmp_path / f"{fail_on}.xml")
        root = ET.parse(tmp_path / f"{fail_on}.xml").getroot()
        failed = [c for c in root.iter("testcase") if c.find("failure") is not None]
        assert int(root.get("failures", "-1")) == len(failed) == summary.blocking_findings
        assert (summary.blocking_findings > 0) == (int(summary.exit_code) == 1)


def test_rule_without_findings_passes(
    make_result: Callable[..., AuditResult], tmp_path: Path
) -> None:
    root = _write(make_result([]), tmp_path / "junit.xml")
    assert all(len(list(c)) == 0 for c in root.iter("testcase"))
    assert root.get("failures") == "0" and root.get("errors") == "0"


def test_exempted_only_is_listed_not_failed(
    make_result: Callable[..., AuditResult], tmp_path: Path
) -> None:
    root = _write(make_result([_finding("INC001", "exempted", hid(15), "豁免", {})]),
                  tmp_path / "junit.xml")
    inc = _cases(root)["INC001"]
    assert inc.find("failure") is None and inc.find("error") is None
    out = inc.find("system-out")
    assert out is not None and hid(15) in (out.text or "")


def test_long_lists_are_capped(make_result: Callable[..., AuditResult], tmp_path: Path) -> None:
    """Lists in <error> and <system-out> are capped; each failed finding is its own test."""
    many = [_finding("HOU001", "not_evaluated", f"H{n:05d}", "缺数据", {})
            for n in range(MAX_LINES + 50)]
    root = _write(make_result(many), tmp_path / "junit.xml")
    error = _cases(root)["HOU001"].find("error")
    assert error is not None
    lines = (error.text or "").splitlines()
    assert len(lines) == MAX_LINES + 1
    assert lines[-1] == "… 另有 50 条"
    assert error.get("message", "").startswith(f"{MAX_LINES + 50} 户")
    failing = [_finding("HOU001", "violated", f"H{n:05d}", "危房", {}) for n in range(300)]
    root = _write(make_result(failing), tmp_path / "junit2.xml")
    assert root.get("failures") == "300"


def test_escaping_and_masking(make_result: Callable[..., AuditResult], tmp_path: Path) -> None:
    nasty = f'<b>&"引号"\x01 ]]> 证件号码 {BAD_ID}'
    root = _write(make_result([_finding("DQ001", "violated", hid(13), nasty, {})]),
                  tmp_path / "junit.xml", fail_on="error")
    text = _cases(root)["DQ001"].find("failure").text or ""  # type: ignore[union-attr]
    assert '<b>&"引号"' in text and "]]>" in text
    raw = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert EIGHTEEN.search(raw) is None


def test_english(result: AuditResult, tmp_path: Path) -> None:
    root = _write(result, tmp_path / "junit.xml", lang="en")
    error = _cases(root)["INC001"].find("error")
    assert error is not None and error.get("message", "").startswith("1 households")
    assert root.find("testsuite").get("name", "").startswith("INC ")  # type: ignore[union-attr]
