"""docs/practice-checks.md agrees with the shipped rules' `practice:` numbers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from exitcheck.engine.ruleset import load_ruleset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs"))
from make_practice_checks import practice_keys

DOC = Path(__file__).resolve().parents[2] / "docs" / "practice-checks.md"
ROW = re.compile(r"^\| (?P<file>[^|]+) \| (?P<no>[^|]+) \| [^|]* \| .* \| (?P<rules>[^|]+) \|$")


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m and m["file"].strip() not in ("file", "---"):
            rows.append({k: v.strip() for k, v in m.groupdict().items()})
    return rows


def test_every_check_is_listed_with_rules_or_a_reason() -> None:
    rows = _rows()
    assert len(rows) >= 250
    for row in rows:
        assert row["rules"].startswith("—") or re.fullmatch(r"[A-Z]+\d{3}(, [A-Z]+\d{3})*",
                                                           row["rules"]), row
        if row["rules"].startswith("—"):
            assert len(row["rules"]) > 5, f"{row['file']}: left out without a reason"


def test_document_matches_the_rules() -> None:
    """Each check's rules are exactly the shipped rules naming its number or file."""
    by_key: dict[str, set[str]] = {}
    for rule in load_ruleset():
        for number in rule.spec.practice:
            by_key.setdefault(number, set()).add(rule.code)
    listed: set[str] = set()
    for row in _rows():
        keys = set(practice_keys(row["no"], row["file"]))
        listed |= keys
        expected = set().union(*(by_key.get(k, set()) for k in keys))
        shown = set() if row["rules"].startswith("—") else set(row["rules"].split(", "))
        assert shown == expected, f"{row['file']}: docs {sorted(shown)} rules {sorted(expected)}"
    unknown = set(by_key) - listed
    assert not unknown, f"practice numbers that name no check: {sorted(unknown)}"


def test_at_least_180_checks_are_covered() -> None:
    covered = [r for r in _rows() if not r["rules"].startswith("—")]
    assert len(covered) >= 180, len(covered)
