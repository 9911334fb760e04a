"""`inspect` and `explain` print through the audit report's mask and inert escaping (issue 12):
identifiers planted by every route (names, villages, a header, the file and sheet names, phone
and bank-card numbers) never appear unmasked; markup and control characters never act."""

from __future__ import annotations

import json
import random
from pathlib import Path

import harness
import hostile
import pytest


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[hostile.Case, str]:
    """A hostile workbook and the household whose head's name and village carry an ID."""
    from exitcheck.schema.loader import load_registry

    case = hostile.privacy_case(tmp_path_factory.mktemp("planted"), random.Random(11),
                                kind="xlsx")
    in_name = case.identifiers[-10]  # hostile.privacy_case: (*ids, in_name, in_village, ...)
    members = load_registry(case.inputs).members
    household = str(members.loc[members["name"].astype(str).str.contains(in_name),
                                "household_id"].iloc[0])
    return case, household


def _check(case: hostile.Case, args: list[str], out: Path) -> harness.Outcome:
    hashes = {p: harness.sha256(p) for p in case.inputs}
    outcome = harness.run_installed(args, out)
    result = harness.check(outcome, case.inputs, hashes, out, identifiers=case.identifiers,
                           expect={0})
    assert result.ok, (result.details, outcome.stdout[-500:])
    return outcome


@pytest.mark.parametrize("fmt", ["rich", "json"])
def test_inspect_masks_and_stays_inert(planted: tuple[hostile.Case, str], tmp_path: Path,
                                       fmt: str) -> None:
    case, _ = planted
    outcome = _check(case, ["inspect", str(case.inputs[0]), "--format", fmt], tmp_path)
    text = outcome.stdout
    assert "511602" in text or "5116" in text  # masked IDs keep their area code
    if fmt == "json":
        info = json.loads(text)["inputs"][0]
        assert any("*" in h for h in info["unmatched"])  # the header holding an ID, masked
        assert "*" in info["sheet"]


def test_explain_masks_and_stays_inert(planted: tuple[hostile.Case, str],
                                       tmp_path: Path) -> None:
    case, household = planted
    outcome = _check(case, ["explain", str(case.inputs[0]), "--household", household,
                            "--year", "2019", "--region", "51", "--full"], tmp_path)
    text = outcome.stdout
    assert "id_number = " in text and "********" in text  # the ID values shown masked
    # Markup in the village name is shown as text, never applied; the bidi override escaped.
    assert "\u202e" not in text
    # --show-ids shows the planted name (the user asked for it).
    shown = harness.run_installed(["explain", str(case.inputs[0]), "--household", household,
                                   "--year", "2019", "--region", "51", "--full",
                                   "--show-ids"], tmp_path)
    assert shown.code == 0, shown.stderr
    assert case.identifiers[-10] in shown.stdout
