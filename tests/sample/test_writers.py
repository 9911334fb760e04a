"""Writers: files read back by openpyxl / xlrd / pandas with titles, merged headers, 合计 row."""

from __future__ import annotations

import hashlib

import openpyxl
import pandas as pd
import pytest
import xlrd
from openpyxl.utils import get_column_letter

from exitcheck.errors import UsageError
from exitcheck.sample import truth as t
from exitcheck.sample import writers
from exitcheck.sample.generator import generate_county
from exitcheck.sample.layout import INCOME_GROUP, LAYOUTS


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _income_span(style: str) -> tuple[int, int]:
    cols = [i for i, c in enumerate(LAYOUTS[style]) if c.group == INCOME_GROUP]
    return cols[0] + 1, cols[-1] + 1  # 1-based


@pytest.mark.parametrize("fixture", ["national", "monitoring"])
def test_xlsx_layout(fixture, request, tmp_path):
    frame, truth = request.getfixturevalue(fixture)
    path = writers.save(frame, truth, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(path).active
    layout = LAYOUTS[truth.style]
    n_cols = len(layout)
    assert ws.max_row == 4 + len(frame) + 1 and ws.max_column == n_cols
    assert ws["A1"].value.endswith("明细表") and str(truth.year) in ws["A1"].value
    assert ws["A2"].value.startswith("导出单位：") and "导出时间：" in ws["A2"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    last = get_column_letter(n_cols)
    assert {f"A1:{last}1", f"A2:{last}2", "A3:A4"} <= merged
    first, end = _income_span(truth.style)
    assert f"{get_column_letter(first)}3:{get_column_letter(end)}3" in merged
    assert ws.cell(3, first).value == INCOME_GROUP
    assert [ws.cell(4, c).value for c in range(first, end + 1)] == [
        c.header for c in layout if c.group == INCOME_GROUP]
    singles = [i + 1 for i, c in enumerate(layout) if c.group is None]
    assert all(f"{get_column_letter(c)}3:{get_column_letter(c)}4" in merged for c in singles)
    assert [ws.cell(3, c).value for c in singles] == [c.header for c in layout if not c.group]
    assert ws.cell(ws.max_row, 1).value == "合计"
    assert f"{frame['household_id'].nunique()}户" in ws.cell(ws.max_row, 2).value
    # IDs are text, except the one planted as a number (its last digits lost)
    id_col = [c.field for c in layout].index("id_number") + 1
    ids = [ws.cell(r, id_col).value for r in range(5, 5 + len(frame))]
    numbers = [i for i, v in enumerate(ids) if not isinstance(v, str)]
    assert numbers == sorted(truth.overrides["id_number"])
    assert all(str(int(ids[i])) != frame["id_number"].iloc[i] for i in numbers)
    assert [v for i, v in enumerate(ids) if i not in numbers] == [
        v for i, v in enumerate(frame["id_number"]) if i not in numbers]
    name_col = [c.field for c in layout].index("name") + 1
    blank_row = frame.index[frame["name"].isna()][0]
    assert ws.cell(5 + blank_row, name_col).value is None


def test_xlsx_pandas_two_row_header(national, tmp_path):
    frame, truth = national
    path = writers.save(frame, truth, tmp_path / "out.xlsx")
    read = pd.read_excel(path, header=[2, 3], dtype=str, engine="openpyxl")
    assert ("收入情况（元）", "工资性收入") in read.columns
    assert read.iloc[-1, 0] == "合计"
    assert len(read) == len(frame) + 1


def test_xlsx_constant_memory_keeps_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "CONSTANT_MEMORY_ROWS", 10)
    frame, truth = generate_county(20, seed=3)
    path = writers.save(frame, truth, tmp_path / "big.xlsx")
    ws = openpyxl.load_workbook(path).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    first, end = _income_span("national")
    assert f"{get_column_letter(first)}3:{get_column_letter(end)}3" in merged
    assert "B3:B4" in merged and ws["B3"].value == "乡(镇)"
    assert ws.cell(4, first).value == "工资性收入"
    assert ws.cell(ws.max_row, 1).value == "合计"


def test_xlsx_and_csv_are_reproducible(tmp_path):
    digests = []
    for k in range(2):
        frame, truth = generate_county(40, seed=9)
        x = writers.save(frame, truth, tmp_path / f"a{k}.xlsx")
        c = writers.save(frame, truth, tmp_path / f"a{k}.csv")
        digests.append((_sha(x), _sha(c)))
    assert digests[0] == digests[1]
    frame, truth = generate_county(40, seed=10)
    assert _sha(writers.save(frame, truth, tmp_path / "b.csv")) != digests[0][1]


def test_csv_gb18030(national, tmp_path):
    frame, truth = national
    path = writers.save(frame, truth, tmp_path / "out.csv")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    header = text.split("\r\n", 1)[0].split(",")
    assert header == [c.header for c in LAYOUTS["national"]]
    read = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    assert len(read) == len(frame)
    assert (read["户编号"] == frame["household_id"]).all()
    ok = ~frame.index.isin(list(truth.overrides["id_number"]))
    assert (read.loc[ok, "证件号码"] == frame.loc[ok, "id_number"]).all()
    (row, number), = truth.overrides["id_number"].items()
    shown = read.loc[row, "证件号码"]
    assert shown == frame["id_number"].iloc[row][:15] + "000" and float(shown) == number
    assert read["工资性收入"].str.fullmatch(r"[0-9]+\.[0-9]{2}|[０-９]+").all()
    assert any("," in v for v in read["人均纯收入（元）"])  # thousands separators, quoted
    assert "C级" in set(read["危房级别"]) and "√" in set(read["不愁吃"])


def test_parquet_round_trip(national, tmp_path):
    frame, truth = national
    path = writers.save(frame, truth, tmp_path / "out.parquet")
    read = pd.read_parquet(path)
    assert list(read.columns) == [c.header for c in LAYOUTS["national"]]
    assert len(read) == len(frame)
    assert (read["人均纯收入（元）"] == frame["per_capita_net_income"]).all()
    assert read["证件号码"].str.len().eq(18).all()
    assert "C级" in set(read["危房级别"])


def test_xls_layout(national, tmp_path):
    frame, truth = national
    path = writers.save(frame, truth, tmp_path / "out.xls")
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sh = book.sheet_by_index(0)
    assert sh.nrows == 4 + len(frame) + 1
    assert sh.cell_value(0, 0).endswith("建档立卡贫困人口明细表")
    assert sh.cell_value(1, 0).startswith("导出单位：")
    first, end = _income_span("national")
    merged = set(sh.merged_cells)  # (rlo, rhi, clo, chi), half-open
    assert (2, 3, first - 1, end) in merged and (2, 4, 0, 1) in merged
    assert sh.cell_value(2, first - 1) == INCOME_GROUP
    assert sh.cell_value(3, first - 1) == "工资性收入"
    assert sh.cell_value(sh.nrows - 1, 0) == "合计"
    id_col = [c.field for c in LAYOUTS["national"]].index("id_number")
    assert sh.cell_value(4, id_col) == frame["id_number"].iloc[0]
    (row, _), = truth.overrides["id_number"].items()
    assert sh.cell_type(4 + row, id_col) == xlrd.XL_CELL_NUMBER


def test_xls_row_limit(tmp_path):
    frame, truth = generate_county(18_500, seed=1)
    assert len(frame) > 65_536
    with pytest.raises(UsageError) as err:
        writers.save(frame, truth, tmp_path / "big.xls")
    assert "65535" in err.value.message
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_save_refuses_overwrite_and_bad_format(tmp_path):
    frame, truth = generate_county(5, seed=1)
    path = writers.save(frame, truth, tmp_path / "x.csv")
    before = path.read_bytes()
    frame2, truth2 = generate_county(5, seed=2)
    with pytest.raises(UsageError):
        writers.save(frame2, truth2, path)
    assert path.read_bytes() == before
    writers.save(frame2, truth2, path, overwrite=True)
    assert path.read_bytes() != before
    with pytest.raises(UsageError):
        writers.save(frame, truth, tmp_path / "x.txt")
    with pytest.raises(UsageError):
        writers.save(frame, truth, tmp_path / "missing" / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_truth_overrides_point_at_planted_members(national):
    frame, truth = national
    (row, _), = truth.overrides["id_number"].items()
    assert frame["member_id"].iloc[row] in truth.members_with(t.ID_STORED_AS_NUMBER)
