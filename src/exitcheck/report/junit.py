"""JUnit XML for CI dashboards: one <testsuite> per rule family, one <testcase> per rule.

Each violated finding at or above --fail-on is a failed test (<failure>): the rule's case for
the first, a case per further one, so `failures` is the number of findings the exit code and the
verdict line count; violated findings below --fail-on are listed in <system-out>. A rule
with not_evaluated findings gets an <error type="not_evaluated"> (never a silent pass). Exempted
findings are listed in <system-out> and do not fail the case. A selected rule that was not run
is a case too: <error type="fields_absent"> when the input lacks a column it needs, <skipped>
when it has no parameter value for the audited year (no standard to check against then).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from exitcheck.aggregate import FAMILY_ORDER, Summary, blocking_mask, findings_frame
from exitcheck.engine.evaluate import not_run_reason
from exitcheck.engine.result import (
    FIELDS_ABSENT,
    MEMBERS_MISSING,
    AuditResult,
    RuleInfo,
    RuleNotRun,
)
from exitcheck.findings import Status
from exitcheck.report.atomic import atomic_output
from exitcheck.report.mask import mask_text, mask_text_series
from exitcheck.report.messages import MSG, family_label

MAX_LINES = 200  # households listed per <failure>/<error>; the rest are counted
# Characters XML 1.0 cannot carry at all (ElementTree escapes <>&" but writes these as is).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _texts(sub: pd.DataFrame) -> list[str]:
    """``household_id location: message`` per finding."""
    loc = sub["location"].astype("string").fillna("")
    text = (sub["household_id"].astype("string").fillna("") + " " + loc + ": "
            + sub["message"].astype("string").fillna("")).str.replace(" : ", ": ", regex=False)
    return [str(t) for t in text.tolist()]


def _lines(sub: pd.DataFrame, lang: str) -> str:
    """:func:`_texts` joined by lines, capped at MAX_LINES."""
    text = _texts(sub)
    lines = text[:MAX_LINES]
    if len(text) > MAX_LINES:
        lines.append(MSG("junit.more", lang, n=len(text) - MAX_LINES))
    return _xml_safe("\n".join(lines))


def build_junit(result: AuditResult, *, lang: str = "zh", show_ids: bool = False,
                fail_on: str = "fail") -> ET.Element:
    """The <testsuites> element (IDs in messages masked unless ``show_ids``).

    A <failure> is one finding that makes the exit code 1 (aggregate.blocking_mask): violated
    at or above ``fail_on``; findings below it are listed in <system-out>, so JUnit's
    ``failures``, the exit code and the verdict line count the same findings.
    """
    f = findings_frame(result)
    f["_blocking"] = blocking_mask(f, fail_on)
    if not show_ids:
        f["message"] = mask_text_series(f["message"])
    by_rule = {code: sub for code, sub in f.groupby("rule", sort=False)}
    not_run = {n.code: n for n in result.not_run}
    rules = sorted([*result.rules, *(n.rule for n in result.not_run)], key=lambda r: (
        FAMILY_ORDER.index(r.family) if r.family in FAMILY_ORDER else len(FAMILY_ORDER),
        r.family, r.code))
    root = ET.Element("testsuites", name="exitcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites: dict[str, ET.Element] = {}
    for rule in rules:
        suite = suites.get(rule.family)
        if suite is None:
            suite = ET.SubElement(root, "testsuite", name=f"{rule.family} "
                                  f"{family_label(rule.family, lang)}")
            suite.attrib.update(tests="0", failures="0", errors="0", skipped="0", time="0")
            suites[rule.family] = suite
        title = rule.title_en if lang == "en" else rule.title
        case = ET.SubElement(suite, "testcase", classname=rule.family,
                             name=_xml_safe(f"{rule.code} {rule.name}"), time="0")
        case.set("title", _xml_safe(title))
        if rule.code in not_run:
            counts = _not_run_case(case, not_run[rule.code], result.year, lang)
        else:
            counts = _case(suite, case, rule, by_rule.get(rule.code, f.iloc[0:0]), lang,
                           fail_on)
        for key, val in counts.items():
            suite.set(key, str(int(suite.get(key, "0")) + val))
            totals[key] += val
    root.attrib.update({k: str(v) for k, v in totals.items()})
    return root


def _case(suite: ET.Element, case: ET.Element, rule: RuleInfo, sub: pd.DataFrame, lang: str,
          fail_on: str) -> dict[str, int]:
    """Fill one rule's <testcase> from its findings; returns the counts it adds.

    Each blocking finding is one failed test, so ``failures`` is the number the verdict line
    and the exit code count: the first on the rule's own case, each further one a case of its
    own named by rule and household (``INC001 income.above_exit_line · 5116…``).
    """
    counts = {"tests": 1, "failures": 0, "errors": 0, "skipped": 0}
    violated = sub[sub["_blocking"].astype(bool)]
    below = sub[(sub["status"] == Status.VIOLATED.value) & ~sub["_blocking"].astype(bool)]
    not_eval = sub[sub["status"] == Status.NOT_EVALUATED.value]
    exempted = sub[sub["status"] == Status.EXEMPTED.value]
    if len(violated):
        texts = _texts(violated)
        households = violated["household_id"].astype("string").fillna("").tolist()
        messages = violated["message"].astype("string").fillna("").tolist()
        for i, (text, household, message) in enumerate(zip(texts, households, messages,
                                                           strict=True)):
            target = case
            if i:
                target = ET.SubElement(suite, "testcase", classname=case.get("classname", ""),
                                       name=_xml_safe(f"{case.get('name')} · {household}"),
                                       time="0")
                target.set("title", case.get("title", ""))
            el = ET.SubElement(target, "failure", type=rule.severity,
                               message=_xml_safe(message))
            el.text = _xml_safe(text)
        counts["failures"] = len(violated)
        counts["tests"] = len(violated)
    if len(not_eval):
        n = not_eval["household_id"].nunique()
        el = ET.SubElement(case, "error", type=Status.NOT_EVALUATED.value,
                           message=MSG("junit.error", lang, n=n))
        el.text = _lines(not_eval, lang)
        counts["errors"] = 1
    listed = []
    if len(below):
        listed.append(MSG("junit.below_fail_on", lang, n=below["household_id"].nunique(),
                          fail_on=fail_on) + "\n" + _lines(below, lang))
    if len(exempted):
        listed.append(MSG("junit.exempted", lang, n=exempted["household_id"].nunique())
                      + "\n" + _lines(exempted, lang))
    if listed:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(listed)
    return counts


def _not_run_case(case: ET.Element, item: RuleNotRun, year: int, lang: str) -> dict[str, int]:
    message = _xml_safe(not_run_reason(item, year, lang))
    if item.reason in (FIELDS_ABSENT, MEMBERS_MISSING):
        ET.SubElement(case, "error", type=item.reason, message=message)
        return {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
    ET.SubElement(case, "skipped", message=message)
    return {"tests": 1, "failures": 0, "errors": 0, "skipped": 1}


def write_junit(
    result: AuditResult,
    summary: Summary,
    path: Path | str,
    *,
    lang: str = "zh",
    show_ids: bool = False,
) -> Path:
    """Write the JUnit XML file atomically; refuse to overwrite an input file."""
    root = build_junit(result, lang=lang, show_ids=show_ids, fail_on=summary.fail_on)
    if not show_ids:  # every text and attribute (household codes, locations, names) masked
        for el in root.iter():
            el.text = mask_text(el.text) if el.text else el.text
            for key, value in el.attrib.items():
                el.set(key, mask_text(value))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    target = Path(path)
    with atomic_output(target, inputs=[i.path for i in result.registry.inputs]) as tmp:
        tree.write(tmp, encoding="utf-8", xml_declaration=True)
    return target
