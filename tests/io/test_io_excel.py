"""xlsx/xls reading: title rows, merged two-row headers, true coordinates, skipped rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xlwt
from io_helpers import MEMBER_HEADER, MEMBER_ROWS, rows_writer, write_xlsx

from exitcheck.errors import InputError
from exitcheck.io import SKIP_BLANK, SKIP_REPEATED_HEADER, SKIP_TOTAL, read_tables


def _merged_sheet(ws) -> None:
    """Two title rows, then a two-row header with vertical and horizontal merges."""
    ws.merge_range("A1:F1", "XX县2019年建档立卡贫困人口明细表")
    ws.write("A2", "导出时间：2020-01-05")
    ws.merge_range("A3:A4", "户编号")
    ws.merge_range("B3:B4", "姓名")
    ws.merge_range("C3:E3", "收入情况（元）")
    ws.write_row("C4", ["工资性收入", "生产经营性收入", "转移性收入"])
    ws.merge_range("F3:F4", "证件号码")
    ws.write_row("A5", ["H001", "张三", 1200, 300.5, 80, "510100199001011234"])
    ws.write_row("A6", ["H001", "李四", 0, 0, 80, "510100199203041221"])


def test_two_title_rows_and_merged_two_row_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "county.xlsx", {"贫困人口明细": _merged_sheet})
    [table] = read_tables(path)
    assert table.reader == "calamine"
    assert table.title_rows == [1, 2]
    assert table.header_rows == [3, 4]
    assert table.columns == [
        "户编号",
        "姓名",
        "收入情况（元）/工资性收入",
        "收入情况（元）/生产经营性收入",
        "收入情况（元）/转移性收入",
        "证件号码",
    ]
    assert table.column_letters == ["A", "B", "C", "D", "E", "F"]
    assert table.rows.tolist() == [5, 6]
    assert table.data["姓名"].tolist() == ["张三", "李四"]
    assert table.data["收入情况（元）/生产经营性收入"].iloc[0] == pytest.approx(300.5)
    assert table.location("收入情况（元）/转移性收入", 6) == "贫困人口明细!E6"
    assert table.rows_read == 2 and table.skipped.empty
    assert any("两行" in note for note in table.notes)


def test_two_row_header_without_merges_is_forward_filled(tmp_path: Path) -> None:
    rows = [
        ["姓名", "收入情况", None, "备注"],
        [None, "工资性收入", "转移性收入", None],
        ["张三", 100, 20, "无"],
    ]
    path = write_xlsx(tmp_path / "plain.xlsx", {"表": rows_writer(rows)})
    [table] = read_tables(path)
    assert table.columns == ["姓名", "收入情况/工资性收入", "收入情况/转移性收入", "备注"]
    assert table.header_rows == [1, 2]


def test_single_header_followed_by_text_data_is_not_a_second_header(tmp_path: Path) -> None:
    rows = [
        ["县", "乡", "村", "姓名"],
        ["某县", "某乡", "某村", "张三"],
        ["某县", "某乡", "某村", "李四"],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", {"表": rows_writer(rows)})
    [table] = read_tables(path)
    assert table.header_rows == [1]
    assert table.rows.tolist() == [2, 3]


def test_data_starting_at_b3_keeps_true_coordinates(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "b3.xlsx",
        {"明细": rows_writer([MEMBER_HEADER, *MEMBER_ROWS], first_row=2, first_col=1)},
    )
    [table] = read_tables(path)
    assert table.header_rows == [3]
    assert table.column_letters == ["B", "C", "D", "E", "F"]
    assert table.rows.tolist() == [4, 5, 6]
    assert table.location("证件号码", 6) == "明细!D6"
    assert table.data["姓名"].tolist() == ["张三", "李四", "王五"]


def test_id_typed_as_number_stays_numeric(tmp_path: Path) -> None:
    rows = [["姓名", "证件号码"], ["张三", 510100199001011234], ["李四", "510100199203041221"]]
    path = write_xlsx(tmp_path / "ids.xlsx", {"表": rows_writer(rows)})
    [table] = read_tables(path)
    as_number, as_text = table.data["证件号码"].tolist()
    assert isinstance(as_number, int | float) and not isinstance(as_number, bool)
    assert int(as_number) != 510100199001011234  # the digits Excel lost stay visible
    assert as_text == "510100199203041221"


def test_blank_total_and_repeated_header_rows_are_skipped(tmp_path: Path) -> None:
    rows = [
        ["XX村脱贫户花名册"],
        MEMBER_HEADER,
        MEMBER_ROWS[0],
        [None, None, None, None, None],
        MEMBER_ROWS[1],
        ["小计", None, None, None, 8000],
        ["   "],
        MEMBER_HEADER,
        MEMBER_ROWS[2],
        [None, "合 计", None, None, 11500],
        ["总计：", None, None, None, 11500],
    ]
    path = write_xlsx(tmp_path / "skip.xlsx", {"花名册": rows_writer(rows)})
    [table] = read_tables(path)
    assert table.title_rows == [1]
    assert table.rows.tolist() == [3, 5, 9]
    skipped = dict(zip(table.skipped["row"], table.skipped["reason"], strict=True))
    # row 4 is never written, so it is blank; so is the whitespace-only row 7
    assert skipped == {
        4: SKIP_BLANK,
        6: SKIP_TOTAL,
        7: SKIP_BLANK,
        8: SKIP_REPEATED_HEADER,
        10: SKIP_TOTAL,
        11: SKIP_TOTAL,
    }
    assert table.rows_read == len(table.data) + len(table.skipped) == 9
    assert table.skipped.set_index("row").loc[10, "text"] == "合 计"


def test_empty_cells_are_none_and_duplicate_headers_are_suffixed(tmp_path: Path) -> None:
    rows = [["姓名", "备注", "备注", "备注"], ["张三", "甲", None, "丙"]]
    path = write_xlsx(tmp_path / "dup.xlsx", {"表": rows_writer(rows)})
    [table] = read_tables(path)
    assert table.columns == ["姓名", "备注", "备注 (2)", "备注 (3)"]
    assert table.data.iloc[0].tolist() == ["张三", "甲", None, "丙"]


def _notes(ws) -> None:
    ws.write("A1", "填表说明：本表由系统导出，请勿修改。")


def test_multi_sheet_returns_data_sheets_best_first(tmp_path: Path) -> None:
    household = [["户编号", "户主姓名", "人均纯收入（元）"], ["H001", "张三", 4000]]
    path = write_xlsx(
        tmp_path / "multi.xlsx",
        {
            "说明": _notes,
            "户表": rows_writer(household),
            "人员表": rows_writer([MEMBER_HEADER, *MEMBER_ROWS]),
        },
    )
    tables = read_tables(path)
    assert [t.sheet for t in tables] == ["人员表", "户表"]  # 5 header-like cells beat 3

    def prefer_household(cells: list[str]) -> float:
        return 1.0 if "户主姓名" in cells else 0.5 if "姓名" in cells else 0.0

    tables = read_tables(path, header_score=prefer_household)
    assert [t.sheet for t in tables] == ["户表", "人员表"]
    assert [t.sheet for t in read_tables(path, sheet="户表")] == ["户表"]
    assert [t.sheet for t in read_tables(path, sheet="3")] == ["人员表"]


def test_header_score_chooses_the_header_row(tmp_path: Path) -> None:
    # Row 1 looks header-like to the text heuristic, but the catalogue knows row 2.
    rows = [
        ["一", "二", "三"],
        ["姓名", "证件号码", "户编号"],
        ["张三", "510100199001011234", "H1"],
    ]
    path = write_xlsx(tmp_path / "s.xlsx", {"表": rows_writer(rows)})
    known = {"姓名", "证件号码", "户编号"}
    [table] = read_tables(path, header_score=lambda cells: sum(c in known for c in cells) / 3)
    assert table.header_rows == [2] and table.title_rows == [1]
    assert table.columns == ["姓名", "证件号码", "户编号"]


def test_unknown_sheet_lists_available_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", {"人员表": rows_writer([MEMBER_HEADER, *MEMBER_ROWS])})
    with pytest.raises(InputError) as caught:
        read_tables(path, sheet="户表")
    assert caught.value.exit_code == 3
    assert "人员表" in caught.value.message and "m.xlsx" in caught.value.render()


def test_xls_with_titles_and_merged_header(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    ws = book.add_sheet("明细")
    ws.write_merge(1, 1, 1, 4, "XX县2019年建档立卡贫困人口明细表")  # title at B2
    ws.write(2, 1, "填报单位：XX乡")
    ws.write_merge(3, 4, 1, 1, "姓名")
    ws.write_merge(3, 3, 2, 3, "收入情况（元）")
    ws.write(4, 2, "工资性收入")
    ws.write(4, 3, "转移性收入")
    ws.write_merge(3, 4, 4, 4, "证件号码")
    ws.write(5, 1, "张三")
    ws.write(5, 2, 1000)
    ws.write(5, 3, 20.5)
    ws.write(5, 4, 510100199001011234)
    ws.write(6, 1, "合计")
    ws.write(6, 2, 1000)
    path = tmp_path / "old.xls"
    book.save(str(path))
    [table] = read_tables(path)
    assert table.title_rows == [2, 3]
    assert table.header_rows == [4, 5]
    assert table.columns == [
        "姓名",
        "收入情况（元）/工资性收入",
        "收入情况（元）/转移性收入",
        "证件号码",
    ]
    assert table.column_letters == ["B", "C", "D", "E"]
    assert table.rows.tolist() == [6]
    assert table.skipped["reason"].tolist() == [SKIP_TOTAL]
    assert isinstance(table.data["证件号码"].iloc[0], int | float)
    assert isinstance(table.rows, np.ndarray) and table.rows.dtype == np.int64
