"""CSV/TXT reading: encodings tried in order, explicit encodings, delimiters, true line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from io_helpers import MEMBER_HEADER, MEMBER_ROWS

from exitcheck.errors import InputError, UsageError
from exitcheck.io import SKIP_BLANK, SKIP_TOTAL, read_tables


def _csv_text(sep: str = ",") -> str:
    lines = ["XX县2019年建档立卡贫困人口明细表", sep.join(MEMBER_HEADER)]
    lines += [sep.join(str(v) for v in row) for row in MEMBER_ROWS]
    lines += ["", "合计" + sep * 4 + "11500"]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "county.csv"
    path.write_bytes(_csv_text().encode(encoding))
    [table] = read_tables(path)
    assert table.encoding == detected
    assert any(detected in note and "自动识别" in note for note in table.notes)
    assert table.reader == "pyarrow.csv"  # rectangular below its title line
    assert table.sheet == "county.csv"
    assert table.columns == MEMBER_HEADER  # no BOM left in the first header
    assert table.title_rows == [1] and table.header_rows == [2]
    assert table.rows.tolist() == [3, 4, 5]
    assert table.data["姓名"].tolist() == ["张三", "李四", "王五"]
    assert table.data["证件号码"].iloc[2] == "51010019850506123X"
    assert table.data["人均纯收入（元）"].iloc[0] == "4000"  # CSV cells stay text
    skipped = dict(zip(table.skipped["row"], table.skipped["reason"], strict=True))
    assert skipped == {6: SKIP_BLANK, 7: SKIP_TOTAL}
    assert table.rows_read == len(table.data) + len(table.skipped)


def test_gbk_text_that_is_not_utf8_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(_csv_text().encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the premise: utf-8 must fail first
    [table] = read_tables(path)
    assert table.encoding == "gb18030" and table.columns[1] == "姓名"


def test_explicit_encoding_overrides_and_bad_one_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes(_csv_text().encode("gb18030"))
    [table] = read_tables(path, encoding="gbk")
    assert table.encoding == "gbk" and "按指定" in table.notes[0]
    with pytest.raises(InputError) as caught:
        read_tables(path, encoding="utf-8")
    error = caught.value
    assert error.exit_code == 3
    assert error.location == f"{path}:1"  # the title line is the first with Chinese bytes
    assert "utf-8" in error.message and "gb.csv" in error.render()
    with pytest.raises(UsageError):
        read_tables(path, encoding="no-such-codec")


def test_tab_separated_txt(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(_csv_text("\t"), encoding="utf-8")
    [table] = read_tables(path)
    assert table.columns == MEMBER_HEADER
    assert table.rows.tolist() == [3, 4, 5]


def test_ragged_rows_and_quoted_commas(tmp_path: Path) -> None:
    text = '姓名,住址,备注\n张三,"某县,某乡"\n李四,某村,"有,逗号",\n'
    path = tmp_path / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    [table] = read_tables(path)
    assert table.columns == ["姓名", "住址", "备注"]
    assert table.data.values.tolist() == [["张三", "某县,某乡", None], ["李四", "某村", "有,逗号"]]


_RECTANGULAR = [
    "户编号,姓名,证件号码,人均纯收入（元）\n"
    "5101,张三,510100199001011234,4000\n"
    "5101,李四,510100199203041221,\n"
    ",,,\n"
    "合 计,,,4000\n"
    "户编号,姓名,证件号码,人均纯收入（元）\n"
    '5102,"王,五",  ,"3,750元"\r\n'
    "5102,  ,510100199001011234,\"多\n行\"\r",
    "a;b;c\n1;2;3\n \t; ;\n4;5;6\n",
    # title lines above the header (read from the header on)
    "XX县2019年建档立卡贫困人口明细表\n导出时间：2020-01-01,\n\n"
    "户编号,姓名,证件号码,人均纯收入（元）\r\n5101,张三,510100199001011234,4000\r\n"
    "5101,李四,,\r\n合计,,,4000\r\n",
    "标题\r户编号\t姓名\t证件号码\n5101\t张三\t510100199001011234\n",
]


@pytest.mark.parametrize("text", _RECTANGULAR)
def test_arrow_csv_reads_what_the_pandas_path_reads(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from exitcheck.io import csvfile

    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    [arrow] = read_tables(path)
    assert arrow.reader == "pyarrow.csv"
    monkeypatch.setattr(csvfile, "_arrow_columns", lambda *a: None)
    [grid] = read_tables(path)
    assert grid.reader == "pandas.csv"
    for key in ("columns", "column_letters", "title_rows", "header_rows", "rows_read", "notes"):
        assert getattr(arrow, key) == getattr(grid, key), key
    assert arrow.rows.tolist() == grid.rows.tolist()
    assert arrow.skipped.to_dict("list") == grid.skipped.to_dict("list")
    for col in grid.columns:
        a = [None if pd.isna(v) else v for v in arrow.data[col]]
        assert a == grid.data[col].tolist(), col
