"""Citations a user can follow (issue 11, part 3): rules, code and docs cite public documents or
files in the repository, never the project's internal notes, and every `docs/policy.md §N` they
cite is a section of that file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli_runner import REPO

SCANNED = ("rules", "src", "docs")
SUFFIXES = {".py", ".yaml", ".yml", ".md", ".json", ".txt", ".toml"}
# Files outside the repository that users cannot open: the project's internal domain notes and
# design card, local report files by their internal numbers, the shared work folders.
INTERNAL = {
    "internal policy notes": re.compile(r"POLICY\.md"),
    "internal design card": re.compile(r"ARCHITECTURE(?:\.md)?\s*§?"),
    "local report by internal number": re.compile(r"\bseeds?\s*0\d\d\b|\bseed\s+0\d\d"),
    "shared folder": re.compile(
        r"\.\./shared|shared/(?:domain|seeds|design)|/work/shared|/\.library|\.library/"),
}
SECTION_REF = re.compile(r"docs/policy\.md\s*§\s*(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#+\s*§(\d+(?:\.\d+)*)", re.MULTILINE)


def _files() -> list[Path]:
    out = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            if (path.is_file() and path.suffix in SUFFIXES and "egg-info" not in str(path)
                    and "__pycache__" not in path.parts):
                out.append(path)
    return out


def test_scan_finds_the_files() -> None:
    files = {p.relative_to(REPO).as_posix() for p in _files()}
    assert {"docs/policy.md", "rules/params/exit_income_line.yaml",
            "src/exitcheck/aggregate.py", "docs/rule-catalogue.md"} <= files


@pytest.mark.parametrize("kind", sorted(INTERNAL))
def test_no_reference_to_internal_notes(kind: str) -> None:
    pattern = INTERNAL[kind]
    hits = []
    for path in _files():
        for no, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                  .splitlines(), start=1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(REPO)}:{no}: {line.strip()[:120]}")
    assert not hits, f"{kind}:\n" + "\n".join(hits[:30])


def test_cited_policy_sections_exist() -> None:
    sections = set(HEADING.findall((REPO / "docs" / "policy.md").read_text(encoding="utf-8")))
    assert {"1", "2", "3", "4", "5", "6", "9.1.3", "9.2"} <= sections
    missing = []
    for path in [*_files(), REPO / "README.md"]:
        for ref in SECTION_REF.findall(path.read_text(encoding="utf-8", errors="replace")):
            if ref.rstrip(".") not in sections:
                missing.append(f"{path.relative_to(REPO)}: §{ref}")
    assert not missing, "\n".join(missing)


def test_every_parameter_value_names_its_source() -> None:
    from ruamel.yaml import YAML

    empty = []
    for path in sorted((REPO / "rules" / "params").glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        values = [v for block in (data.get("values"), *(data.get("regions") or {}).values())
                  if block for v in block] if isinstance(data, dict) else []
        for value in values:
            if isinstance(value, dict) and not str(value.get("source") or "").strip():
                empty.append(f"{path.name}: {value.get('from')}")
    assert not empty, "\n".join(empty)
