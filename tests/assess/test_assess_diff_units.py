"""Matching of exitcheck diff: ID normalisation (15 → 18 digits, X case, registry suffix), person
keys, and the --fail-over limits."""

from __future__ import annotations

import pandas as pd
import pytest

from exitcheck.assess.diff import NO_ID_PREFIX, exceeded, parse_limits
from exitcheck.errors import UsageError
from exitcheck.schema.ids import id_match_key

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _check(first17: str) -> str:
    """GB 11643-1999 check character, written out here independently of schema/ids.py."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@pytest.mark.parametrize("old15", ["511602490317123", "110105710923002", "522327850101001"])
def test_fifteen_digit_ids_widen_to_the_eighteen_digit_form(old15: str) -> None:
    first17 = old15[:6] + "19" + old15[6:]
    got = id_match_key(pd.Series([old15, first17 + _check(first17)]))
    assert got.iloc[0] == got.iloc[1] == first17 + _check(first17)
    assert len(got.iloc[0]) == 18


def test_x_case_blanks_spaces_and_suffixes() -> None:
    first17 = "51160219530519423"
    assert _check(first17) == "X"  # the case under test
    ids = pd.Series([first17 + "x", f" {first17}X ", first17 + "X01", "", None, "abc"])
    got = id_match_key(ids)
    assert got.iloc[:3].tolist() == [first17 + "X"] * 3
    assert got.iloc[3:5].isna().all()
    assert got.iloc[5] == "ABC"  # kept as written (upper-cased), never dropped


def test_person_keys_fall_back_to_member_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from exitcheck.assess.diff import persons

    members = pd.DataFrame({"household_id": ["1", "1", "2"], "member_id": ["1001", "1002",
                                                                           "2001"],
                            "id_number": ["511602490317123", None, "511602490317123"],
                            "name": ["甲", "乙", "甲"]})
    snap = SimpleNamespace(registry=SimpleNamespace(members=members))
    got = persons(snap)  # type: ignore[arg-type]
    assert got["key"].tolist() == ["511602194903171236", NO_ID_PREFIX + "1002",
                                   "511602194903171236"]
    assert got["household_id"].tolist() == ["1", "1", "2"]


def test_limits() -> None:
    limits = parse_limits(["10", "income_drop=2,member_moved=0"])
    assert limits == {"total": 10, "income_drop": 2, "member_moved": 0}
    counts = {"income_drop": 3, "member_moved": 0, "household_added": 8}
    assert exceeded(counts, limits) == [("total", 11, 10), ("income_drop", 3, 2)]
    assert exceeded(counts, {"total": 11}) == []
    for bad in ("x", "-1", "nothing=3", "income_drop=y"):
        with pytest.raises(UsageError):
            parse_limits([bad])
