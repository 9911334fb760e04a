"""Fast paths of the load (issue Performance #1) give exactly what the general code gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from exitcheck.schema import ids
from exitcheck.schema.derive import derive_members
from exitcheck.schema.duplicates import duplicate_id_issues
from exitcheck.schema.normalize import _kind_of, _kinds


def test_kinds_match_value_by_value_classification():
    values = np.array(
        ["a", " ", "", "\x1c", " x ", np.str_("q"), np.str_(" "), 1, 2.5, float("nan"),
         np.float64("nan"), np.int64(3), True, np.bool_(False), None, pd.NA, pd.NaT,
         dt.date(2020, 1, 1), dt.datetime(2020, 1, 1), np.datetime64("NaT"),
         np.datetime64("2020-01-01"), pd.Timestamp("2020-01-01"), dt.time(1, 2), object()],
        dtype=object,
    )
    expected = [_kind_of(v) for v in values]
    assert _kinds(values).tolist() == expected
    assert _kinds(np.array([], dtype=object)).tolist() == []


def _members() -> pd.DataFrame:
    id_numbers = ["110101199003071234", "110101199003071234", "999999199001011111",
                  "51160219900101123X", None, " 11010119900307123401 ", "abc"]
    return pd.DataFrame({
        "household_id": pd.array(["H1", "H2", "H3", "H4", "H4", "H5", "H6"], dtype="string"),
        "member_id": pd.array([f"M{i}" for i in range(7)], dtype="string"),
        "id_number": pd.array(id_numbers, dtype="string"),
        "_input": pd.array([0] * 7, dtype="Int64"),
        "_row": pd.array(range(2, 9), dtype="Int64"),
    })


def test_shared_id_parse_gives_the_same_derived_columns_and_duplicates():
    members = _members()
    stored = np.zeros(len(members), dtype=bool)
    facts, core = ids.facts_and_core(members["id_number"])
    pd.testing.assert_frame_equal(facts, ids.id_facts(members["id_number"]))
    pd.testing.assert_frame_equal(derive_members(members, stored, facts),
                                  derive_members(members, stored))
    shared = duplicate_id_issues(members, (core, facts["placeholder"]))
    alone = duplicate_id_issues(members)
    pd.testing.assert_frame_equal(shared, alone)
    # H1, H2 and H5 (with a registry suffix) hold one ID; the placeholder 999999... is left out.
    assert set(alone["household_id"]) == {"H1", "H2", "H5"}
