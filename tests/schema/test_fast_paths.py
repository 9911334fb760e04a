"""Fast paths of the load (issue Performance #1) give exactly what the general code gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.schema import ids
from exitcheck.schema.derive import derive_members
from exitcheck.schema.duplicates import duplicate_id_issues
from exitcheck.schema.normalize import (
    _factorize,
    _kind_of,
    _kinds,
    normalize_column,
    same_as_previous_rows,
)


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


# ---- factorizing runs of repeated cells (issue Performance: household fields repeat per row) --

_CELLS = ["是", "否", " 是", "", None, 1, 1.0, True, False, 0, 0.0, 2.5, float("nan"),
          "1", dt.date(2020, 1, 1), dt.datetime(2020, 1, 1), "5116021990"]  # fmt: skip


def _same(values: np.ndarray) -> np.ndarray:
    same = same_as_previous_rows(pd.DataFrame({"c": values}, dtype=object))
    assert same is not None
    return same[:, 0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(range(len(_CELLS))), min_size=2, max_size=60))
def test_run_factorize_equals_full_factorize(picks: list[int]):
    # Runs of equal cells (True == 1 == 1.0 included) keep pandas' codes and first-seen uniques.
    values = np.array([_CELLS[i] for i in picks], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    runs = np.repeat(values, 3)  # long runs, so the run path is taken
    got_codes, got_uniques = _factorize(runs, _same(runs))
    assert got_codes.tolist() == np.repeat(codes, 3).tolist()
    assert [(type(v), v) for v in got_uniques] == [(type(v), v) for v in uniques]


def test_normalize_column_with_runs_gives_the_same_values_and_issues(catalogue):
    cells = np.array(["是", "是", "是", "maybe", "maybe", None, None, "否", " 否", "否", 1.0, 1.0],
                     dtype=object)  # fmt: skip
    spec = catalogue.fields["dangerous_house"]
    full = normalize_column(pd.Series(cells), spec, catalogue)
    fast = normalize_column(pd.Series(cells), spec, catalogue, _same(cells))
    pd.testing.assert_series_equal(fast.values, full.values)
    def described(issues: list) -> list:
        return [(i.kind, i.rows.tolist(), i.value.tolist(), i.detail.tolist()) for i in issues]

    assert described(fast.issues) == described(full.issues)
    assert [i.rows.tolist() for i in fast.issues] == [[3, 4]]  # each offending row, not once


def test_same_as_previous_rows_declines_cells_without_a_boolean_equality():
    frame = pd.DataFrame({"a": [pd.NA, pd.NA, "x"], "b": ["y", "y", "y"]}, dtype=object)
    assert same_as_previous_rows(frame) is None
    typed = pd.DataFrame({"a": pd.array(["x", "x"], dtype="string")})
    assert same_as_previous_rows(typed) is None
    ok = same_as_previous_rows(pd.DataFrame({"a": ["x", "x", None, None], "b": [1.0, 1, 2, 2]},
                                            dtype=object))  # fmt: skip
    assert ok.tolist() == [[True, True], [False, False], [True, True]]
