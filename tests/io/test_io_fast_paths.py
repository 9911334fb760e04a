"""Fast paths of the read stage (issue Performance) give what the plain numpy/pandas code gives."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.gcpause import gc_paused
from exitcheck.io.body import _str_test
from exitcheck.io.excel import _grid

_CELLS = ["合计", "县", " ", "", "小计：", 1, 1.0, True, None, "合 计", "广安区"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(range(len(_CELLS))), min_size=1, max_size=40), st.integers(1, 4))
def test_str_test_on_runs_equals_testing_every_distinct_value(picks: list[int], repeat: int):
    values = np.repeat(np.array([_CELLS[i] for i in picks], dtype=object), repeat)
    expected = np.array(
        [isinstance(v, str) and "计" in v for v in values], dtype=bool
    )  # the element-wise meaning of the test
    got = _str_test(values, lambda s: s.contains("计", regex=False))
    assert got.tolist() == expected.tolist()


def test_grid_matches_np_array_and_handles_ragged_rows():
    rows = [["a", 1.0, None], ["b", "", True]]
    grid = _grid(rows)
    assert grid.shape == (2, 3) and grid.dtype == object
    assert grid.tolist() == np.array(rows, dtype=object).tolist()
    ragged = _grid([["a", "b"], ["c"]])  # not what calamine gives; still not silently reshaped
    assert ragged.shape == (2,)
    assert pd.isna(_grid([[None]])[0, 0])


def test_gc_paused_restores_the_previous_state():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()


def test_gc_paused_freezes_what_was_made_meanwhile():
    # Re-enabling must not leave the bulk of a sheet for the next full collection to walk.
    gc.unfreeze()
    with gc_paused():
        rows = [[i, str(i)] for i in range(10_000)]
    try:
        assert gc.get_freeze_count() >= len(rows)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def _table_from_rows(rows: list[list[object]]):
    from pathlib import Path

    from exitcheck.io.body import Origin, build_table
    from exitcheck.io.header import detect_header

    header = detect_header(rows[:5], None, None)
    assert header is not None
    origin = Origin(path=Path("t.xlsx"), sheet="s", reader="calamine")
    return build_table(_grid(rows), header, origin, [])


def test_same_as_previous_hint_is_true_only_between_equal_adjacent_kept_rows():
    from exitcheck.schema.normalize import same_as_previous_rows

    head = ["县", "户编号", "姓名", "证件号码", ""]
    rows = [head,
            ["广安区", "H1", "甲", "1", ""],
            ["广安区", "H1", "乙", "2", ""],
            ["", "", "", "", ""],            # blank: dropped
            ["广安区", "H1", "乙", "2", ""],  # equal to the row above the dropped one
            ["合计", "", "", "", ""],        # total: dropped
            ["广安区", "H2", "丙", "3", ""],
            ["广安区", "H2", "丙", 3.0, ""]]  # fmt: skip
    table = _table_from_rows(rows)
    hint = table.same_as_previous
    assert table.skipped["reason"].tolist() == ["blank", "total"]
    assert hint is not None and hint.shape == (len(table.data) - 1, len(table.columns))
    exact = same_as_previous_rows(table.data)
    assert not (hint & ~exact).any()  # never claims equality that is not there
    # Across a dropped row the hint says "new run"; between adjacent kept rows it is exact.
    adjacent = np.diff(table.rows) == 1
    assert (hint[adjacent] == exact[adjacent]).all()
    assert not hint[~adjacent].any()


def test_total_rows_found_with_runs_read_off_the_grid():
    head = ["县", "乡镇", "户编号", "姓名"]
    body = [["广安区", "罗渡镇", f"H{i // 3}", f"人{i}"] for i in range(9)]
    body[4] = ["", "合 计", "", ""]         # label in the 1st non-empty cell, not in column A
    body[7] = ["广安区", "罗渡镇", "小计", ""]  # label in the 3rd non-empty cell
    table = _table_from_rows([head, *body])
    assert table.skipped["reason"].tolist() == ["total", "total"]
    assert table.skipped["row"].tolist() == [6, 9]
    assert len(table.data) == 7
