"""Property: whatever titles, blank and total rows surround the data, every data row comes back
exactly once with its true row number, and rows_read == len(data) + len(skipped)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from io_helpers import MEMBER_HEADER, write_xlsx

from exitcheck.io import SKIP_BLANK, SKIP_TOTAL, read_tables

TITLES = ["XX县2019年建档立卡贫困人口明细表", "导出时间：2020-01-05", "单位：元"]
TOTAL_LABELS = ["合计", "小计", "总计", "合 计", "小计：", "总  计"]

item = st.one_of(
    st.just(("data",)),
    st.tuples(st.just("blank")),
    st.tuples(st.just("spaces")),
    st.tuples(st.just("total"), st.sampled_from(TOTAL_LABELS), st.integers(0, 2)),
)


@settings(max_examples=30, deadline=None)
@given(
    titles=st.lists(st.sampled_from(TITLES), max_size=3),
    gap_after_titles=st.booleans(),
    items=st.lists(item, min_size=1, max_size=25).filter(lambda xs: ("data",) in xs),
    top=st.integers(0, 2),
    left=st.integers(0, 2),
)
def test_every_data_row_comes_back_once_with_its_row_number(
    titles: list[str], gap_after_titles: bool, items: list[tuple], top: int, left: int
) -> None:
    rows: list[list[object]] = [[t] for t in titles]
    if titles and gap_after_titles:
        rows.append([])
    header_row = top + len(rows) + 1  # 1-based
    rows.append(list(MEMBER_HEADER))
    expected_data: dict[str, int] = {}  # member id -> 1-based row
    expected_skips: dict[int, str] = {}
    for n, entry in enumerate(items):
        sheet_row = top + len(rows) + 1
        if entry[0] == "data":
            key = f"H{n:03d}"
            rows.append([key, f"姓名{n}", f"5101001990{n:08d}", "户主", 3000 + n])
            expected_data[key] = sheet_row
        elif entry[0] == "blank":
            rows.append([])
            expected_skips[sheet_row] = SKIP_BLANK
        elif entry[0] == "spaces":
            rows.append(["   "])
            expected_skips[sheet_row] = SKIP_BLANK
        else:
            _, label, position = entry
            # label first, after an empty cell, or after a filled one ("某村 | 小计")
            lead: list[object] = [[], [None], ["某村"]][position]
            rows.append([*lead, label, None, None, 100 * n])
            expected_skips[sheet_row] = SKIP_TOTAL
    # xlsxwriter writes nothing for trailing empty rows: they are outside the sheet.
    last_written = max(i for i, r in enumerate(rows) if any(v is not None for v in r))
    expected_skips = {r: why for r, why in expected_skips.items() if r <= top + last_written + 1}

    def fill(sheet) -> None:
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(top + i, left + j, value)

    with tempfile.TemporaryDirectory() as folder:
        [table] = read_tables(write_xlsx(Path(folder) / "p.xlsx", {"明细": fill}))

    assert table.header_rows == [header_row]
    assert table.title_rows == [top + i + 1 for i in range(len(titles))]
    assert table.column_letters[0] == chr(ord("A") + left)
    assert table.rows_read == len(table.data) + len(table.skipped)
    got = dict(zip(table.data["户编号"], table.rows.tolist(), strict=True))
    assert len(got) == len(table.data)  # each data row exactly once
    assert got == expected_data
    assert dict(zip(table.skipped["row"], table.skipped["reason"], strict=True)) == expected_skips
