"""Privacy on every path and inert text: identifiers planted by every route never reach an
output unmasked; markup, control characters and formula-like text never act (issue 12)."""

from __future__ import annotations

import random
from pathlib import Path

import harness
import hostile
import pytest


def _run(case: hostile.Case, out: Path, forked: bool) -> harness.Check:
    hashes = {p: harness.sha256(p) for p in case.inputs}
    args = harness.audit_args(case.inputs, out, case.extra_args)
    outcome = (harness.run_forked(args, out, timeout=120) if forked
               else harness.run_installed(args, out))
    result = harness.check(outcome, case.inputs, hashes, out, identifiers=case.identifiers,
                           expect=case.expect)
    assert result.ok, result.details
    return result


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_identifiers_masked_everywhere(warm: Path, tmp_path: Path, kind: str) -> None:
    case = hostile.privacy_case(tmp_path, random.Random(kind), kind=kind)
    out = tmp_path / "out"
    out.mkdir()
    _run(case, out, forked=True)
    # Each output was written and read back (workbook via openpyxl, JSON, JUnit).
    assert all((out / name).exists() for name in harness.OUTPUT_NAMES)


def test_installed_command_masks_and_stays_inert(tmp_path: Path) -> None:
    case = hostile.privacy_case(tmp_path, random.Random(7), kind="xlsx")
    out = tmp_path / "out"
    out.mkdir()
    _run(case, out, forked=False)


def test_error_line_masks_file_name(warm: Path, tmp_path: Path) -> None:
    bad = tmp_path / "户_511602199001011234_[bold]\x1b.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "out"
    out.mkdir()
    outcome = harness.run_forked(harness.audit_args([bad], out), out)
    assert outcome.code == 3
    assert "511602199001011234" not in outcome.stderr
    assert "511602********1234" in outcome.stderr and "\\x1b" in outcome.stderr


def test_show_ids_shows_them(warm: Path, tmp_path: Path) -> None:
    case = hostile.privacy_case(tmp_path, random.Random(3))
    out = tmp_path / "out"
    out.mkdir()
    outcome = harness.run_forked(harness.audit_args(case.inputs, out, ["--show-ids"]), out)
    assert outcome.code in (0, 1), outcome.stderr
    assert case.inputs[0].name in outcome.stdout.replace("\n", "")
