"""Every shipped rule test case (rules/tests/<CODE>.yaml) gives its expected outcome."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from exitcheck.engine.cases import CaseResult, run_cases, shipped_tests_dir
from exitcheck.engine.params import load_params
from exitcheck.engine.ruleset import load_ruleset
from exitcheck.resources import shipped_rules_dir
from exitcheck.schema.catalogue import load_catalogue

TESTS_DIR = shipped_rules_dir() / "tests"


def _collect() -> list[tuple[Path, str]]:
    """(case file, case name) for every case, read here so that pytest ids name each case."""
    yaml = YAML(typ="safe")
    found: list[tuple[Path, str]] = []
    for path in sorted(TESTS_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        found += [(path, str(case["name"])) for case in data["cases"]]
    return found


CASES = _collect()


@cache
def _shipped() -> dict[str, Any]:
    """Catalogue, parameters and rule set, loaded once for all case files."""
    catalogue = load_catalogue()
    params = load_params()
    ruleset = load_ruleset(catalogue=catalogue, known_params=params.names())
    return {"catalogue": catalogue, "params": params, "ruleset": ruleset}


@cache
def _results(path: Path) -> dict[str, CaseResult]:
    return {r.name: r for r in run_cases([path], **_shipped())}


def _explain(result: CaseResult) -> str:
    lines = [
        f"{result.where} {result.rule} {result.name}",
        f"  expected {result.expected}, got {result.actual}",
    ]
    if result.expected_members is not None:
        lines.append(f"  members expected {result.expected_members}, got {result.actual_members}")
    lines += [f"  finding: {m}" for m in result.messages]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("path", "name"), CASES, ids=[f"{path.stem}-{name}" for path, name in CASES]
)
def test_shipped_case(path: Path, name: str) -> None:
    result = _results(path)[name]
    assert result.passed, _explain(result)


def test_cases_exist_for_many_rules() -> None:
    # Guards the parametrization itself: an empty or unreadable folder would pass vacuously.
    assert len({path for path, _ in CASES}) >= 40
    assert len(CASES) >= 200


def test_default_run_reads_this_folder() -> None:
    """run_cases() without paths (the `exitcheck rules test` default) runs these same files."""
    assert shipped_tests_dir() == TESTS_DIR
