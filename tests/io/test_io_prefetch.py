"""io.prefetch: a workbook parsed ahead reads exactly as one parsed on demand; errors are left
for the normal read to report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from io_helpers import MEMBER_HEADER, MEMBER_ROWS, rows_writer, write_xlsx

from exitcheck.errors import InputError
from exitcheck.io import prefetch, read_tables
from exitcheck.io.table import RawTable


@pytest.fixture(autouse=True)
def _clean():
    prefetch.clear()
    yield
    prefetch.clear()


def _same(a: RawTable, b: RawTable) -> None:
    assert (a.sheet, a.columns, a.header_rows, a.title_rows, a.rows_read) == (
        b.sheet, b.columns, b.header_rows, b.title_rows, b.rows_read)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.rows.tolist() == b.rows.tolist()
    pd.testing.assert_frame_equal(a.skipped, b.skipped)


def _book(path: Path, *, first_row: int = 0) -> Path:
    rows = [MEMBER_HEADER, *MEMBER_ROWS]
    return write_xlsx(path, {"说明": rows_writer([["本表说明"]]),
                             "贫困人口明细": rows_writer(rows, first_row=first_row)})


def test_prefetched_workbook_reads_like_one_parsed_on_demand(tmp_path: Path) -> None:
    path = _book(tmp_path / "a.xlsx", first_row=2)
    expected = read_tables(path)
    prefetch.start([path])
    ahead = prefetch.take(path)
    assert ahead is not None and set(ahead.sheets) == {"说明", "贫困人口明细"}
    assert prefetch.take(path) is None  # taken once
    prefetch.start([path])
    got = read_tables(path)
    assert [t.sheet for t in got] == [t.sheet for t in expected] == ["贫困人口明细"]
    _same(got[0], expected[0])


def test_only_the_first_workbook_is_parsed_ahead(tmp_path: Path) -> None:
    a, b = (_book(tmp_path / f"{n}.xlsx") for n in "ab")
    prefetch.start([a, b])
    assert prefetch.take(b) is None  # never a second parsed workbook in memory
    assert prefetch.take(a) is not None
    for first in (tmp_path / "missing.xlsx", tmp_path / "notes.csv"):
        prefetch.start([first, a])
        assert prefetch.take(a) is None  # the first input is not a workbook: nothing ahead
    prefetch.start([])
    assert prefetch.take(a) is None


def test_sheet_option_parses_only_that_sheet(tmp_path: Path) -> None:
    path = _book(tmp_path / "a.xlsx")
    prefetch.start([path], "2")
    ahead = prefetch.take(path)
    assert ahead is not None and list(ahead.sheets) == ["贫困人口明细"]
    prefetch.start([path], "贫困人口明细")
    [table] = read_tables(path, sheet="贫困人口明细")
    _same(table, read_tables(path, sheet="2")[0])


def test_a_broken_workbook_is_reported_by_the_normal_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    good = _book(tmp_path / "good.xlsx").read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated zip
    prefetch.start([path])
    with pytest.raises(InputError) as err:
        read_tables(path)
    assert "broken.xlsx" in err.value.render() and "损坏" in err.value.render()
