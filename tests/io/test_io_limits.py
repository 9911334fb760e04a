"""Read limits (io/limits.py): memory follows the data, not what a file declares (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exitcheck.errors import InputError
from exitcheck.io import read_tables

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data" / "county_2019.xlsx"
SAMPLE_CSV = REPO / "sample_data" / "county_2019.csv"


def _with_sheet(path: Path, sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """The sample workbook with its sheet XML replaced (and members added)."""
    src = zipfile.ZipFile(SAMPLE)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def _sheet(cells: str, dimension: str = "A1:C3") -> bytes:
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}'
        "</sheetData></worksheet>"
    ).encode()


def _sample_sheet() -> bytes:
    return zipfile.ZipFile(SAMPLE).read("xl/worksheets/sheet1.xml")


def test_far_cell_is_refused_before_the_reader_runs(tmp_path: Path) -> None:
    # One cell at XFD1048576: calamine would ask for 17 billion cells and abort the process.
    far = _with_sheet(tmp_path / "far.xlsx", _sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:XFD1048576"))
    with pytest.raises(InputError) as err:
        read_tables(far)
    assert "far.xlsx" in err.value.location and "贫困人口明细" in err.value.location


def test_far_row_is_refused(tmp_path: Path) -> None:
    far = _with_sheet(tmp_path / "row.xlsx", _sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1"><v>1</v></c>'
        '</row><row r="1048000"><c r="B1048000"><v>1</v></c></row>'))
    with pytest.raises(InputError, match=r"远离数据|超过上限"):
        read_tables(far)


def test_invalid_reference_is_refused(tmp_path: Path) -> None:
    bad = _with_sheet(tmp_path / "ref.xlsx", _sheet(
        '<row r="1"><c r="ABCDEFGHIJKLMNOPQ1"><v>1</v></c></row>'))
    with pytest.raises(InputError, match="无效"):
        read_tables(bad)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    src = zipfile.ZipFile(SAMPLE)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        with out.open("xl/media/padding.bin", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(150):
                member.write(block)
    with pytest.raises(InputError, match="压缩比"):
        read_tables(path)


def test_long_shared_string_is_refused(tmp_path: Path) -> None:
    src = zipfile.ZipFile(SAMPLE)
    strings = src.read("xl/sharedStrings.xml").replace(
        b"<t>", b"<t>" + "长".encode() * 40_000, 1)
    path = tmp_path / "long.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = strings if info.filename == "xl/sharedStrings.xml" else src.read(
                info.filename)
            out.writestr(info.filename, data)
    with pytest.raises(InputError, match=r"400\d\d 个字符"):
        read_tables(path)


def test_declared_dimension_costs_nothing(tmp_path: Path) -> None:
    """A1:XFD1048576 declared over the real data: read as the data, memory as the data."""
    sheet = _sample_sheet()
    start = sheet.index(b"<dimension ref=\"")
    end = sheet.index(b"\"", start + 16)
    huge = sheet[:start] + b'<dimension ref="A1:XFD1048576' + sheet[end:]
    path = _with_sheet(tmp_path / "dim.xlsx", huge)
    script = textwrap.dedent("""
        import resource, sys
        from exitcheck.io import read_tables
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tables = read_tables(__import__("pathlib").Path(sys.argv[1]))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(len(tables[0].data), (after - before) // 1024)
    """)
    peaks = []
    for source in (SAMPLE, path):
        out = subprocess.run([sys.executable, "-c", script, str(source)], capture_output=True,
                             text=True, timeout=120, check=True).stdout.split()
        peaks.append((int(out[0]), int(out[1])))
    assert peaks[0][0] == peaks[1][0]  # same rows read
    assert peaks[1][1] < peaks[0][1] + 50  # MB: no grid of the declared size


def test_wide_csv_is_refused_and_limit_overridable(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + "1," * 19_999 + "1\n")
    with pytest.raises(InputError, match="20000") as err:
        read_tables(path)
    assert err.value.location == f"{path}:1"
    monkeypatch.setenv("EXITCHECK_MAX_COLUMNS", "30000")
    (table,) = read_tables(path)  # allowed now
    assert len(table.columns) == 20_000


def test_ragged_csv_grid_is_refused(tmp_path: Path) -> None:
    # One line of 1,500 fields over 5,000 short lines: the parser's grid would be 99% empty.
    path = tmp_path / "ragged.csv"
    lines = ["姓名,证件号码,户编号"] + ["a,b,c"] * 5_000 + [",".join("x" * 1_500)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="远离数据"):
        read_tables(path)


def test_cr_only_csv_reads(tmp_path: Path) -> None:
    data = SAMPLE_CSV.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    path = tmp_path / "cr.csv"
    path.write_bytes(data)
    (table,) = read_tables(path)
    assert len(table.data) == 1866


def test_megabyte_cell_is_refused(tmp_path: Path) -> None:
    rows = list(csv.reader(SAMPLE_CSV.read_text(encoding="gb18030").splitlines()[:20]))
    rows[5][2] = "村" * 1_000_000
    path = tmp_path / "cell.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(InputError, match="1000000") as err:
        read_tables(path)
    assert err.value.location == f"{path}:6"


def test_sheet_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsxwriter

    path = tmp_path / "sheets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for i in range(3):
        book.add_worksheet(f"S{i}").write_string(0, 0, "姓名")
    book.close()
    monkeypatch.setenv("EXITCHECK_MAX_SHEETS", "2")
    with pytest.raises(InputError, match="工作表数 3"):
        read_tables(path)


def test_mutated_xls_never_kills_the_process(tmp_path: Path) -> None:
    """Mutated .xls files can make the reader allocate without bound: the probe (a forked
    child under an address-space limit) turns that into an InputError."""
    xlwt = pytest.importorskip("xlwt")
    rows = list(csv.reader(SAMPLE_CSV.read_text(encoding="gb18030").splitlines()[:40]))
    book = xlwt.Workbook()
    sheet = book.add_sheet("明细")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    base = tmp_path / "base.xls"
    book.save(str(base))
    data = base.read_bytes()
    rng = random.Random(1)
    paths = []
    for k in range(16):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            mutated[rng.randrange(512, len(mutated))] = rng.randrange(256)
        paths.append(tmp_path / f"m{k}.xls")
        paths[-1].write_bytes(bytes(mutated))
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from exitcheck.errors import InputError
        from exitcheck.io import read_tables
        for name in sys.argv[1:]:
            try:
                read_tables(Path(name))
                print("ok")
            except InputError as err:
                assert Path(name).name in err.location
                print("error")
    """)
    env = {**os.environ, "EXITCHECK_MAX_READER_MB": "1024"}
    done = subprocess.run([sys.executable, "-c", script, *map(str, paths)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.split()) == len(paths)
    assert "error" in done.stdout.split()


def _parquet(tmp_path: Path, name: str, column: str, array: pa.Array) -> Path:
    import pandas as pd

    frame = pd.read_csv(SAMPLE_CSV, encoding="gb18030", dtype=str, nrows=40)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if column in table.column_names:
        table = table.set_column(table.column_names.index(column), column, array)
    else:
        table = table.append_column(column, array)
    path = tmp_path / f"{name}.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("name, column, values, note", [
    ("nested", "扩展", pa.array([[1, 2]] * 40), "嵌套"),
    ("binary", "姓名", pa.array([b"\xff\xfe\x00ab"] * 40, type=pa.binary()), "二进制"),
    ("dates", "出生日期", pa.array([dt.date(1, 1, 1)] * 39 + [dt.date(9999, 12, 31)]),
     "超出"),
    ("stamps", "登记时间", pa.array([2**62] * 40, type=pa.timestamp("us")), "超出"),
    ("dictionary", "村", pa.array(["青龙村"] * 40).dictionary_encode(), None),
])
def test_parquet_odd_columns_read_with_a_note(tmp_path: Path, name: str, column: str,
                                              values: pa.Array, note: str | None) -> None:
    (table,) = read_tables(_parquet(tmp_path, name, column, values))
    assert len(table.data) == 40
    if note is None:
        assert set(table.data[column]) == {"青龙村"}
    else:
        assert any(note in n and column in n for n in table.notes), table.notes


def test_parquet_declaring_huge_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"姓名": pa.nulls(30_000_000, pa.string())}), path)
    with pytest.raises(InputError, match=r"远离数据|超过上限"):
        read_tables(path)
