"""Generators of hostile input files, by class (issue 12).

Every generator is ``make(dest: Path, rng: random.Random) -> Case``: it writes one file (or a
few) under ``dest`` and says which identifiers must never reach an output unmasked. The classes
(``CLASSES``) cover the zip container (truncation, bit flips, a bad central directory, a zip
bomb), the xlsx XML (huge declared dimensions, far cells, invalid references, shared-string
indexes out of range, entity tricks), legacy .xls (BIFF mutations), CSV (ragged rows, unclosed
quotes, mixed encodings, NULs, ``\\r``-only lines, 20k columns, 1 MB cells), parquet (nested,
binary, extreme dates and decimals, dictionary columns) and hostile cell contents (formulas,
errors, NaN/inf, full-width and zero-width characters, RTL marks, emoji, markup, control
characters, identifiers in names, villages, headers, sheet and file names).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CSV = REPO / "sample_data" / "county_2019.csv"
SAMPLE_XLSX = REPO / "sample_data" / "county_2019.xlsx"


@dataclass
class Case:
    inputs: list[Path]
    identifiers: tuple[str, ...] = ()
    expect: set[int] | None = None  # exit codes allowed (None: any documented one)
    extra_args: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- base data

@lru_cache(maxsize=1)
def _sample_rows() -> tuple[list[str], list[list[str]]]:
    import csv

    with open(SAMPLE_CSV, encoding="gb18030", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def base_table(households: int = 6) -> tuple[list[str], list[list[str]]]:
    """Header and the member rows of the first ``households`` households of the sample."""
    header, rows = _sample_rows()
    hh = header.index("户编号")
    out: list[list[str]] = []
    seen: list[str] = []
    for row in rows:
        if row[hh] not in seen:
            if len(seen) == households:
                break
            seen.append(row[hh])
        out.append(list(row))
    return list(header), out


def luhn_complete(prefix: str) -> str:
    """``prefix`` + the Luhn check digit (a valid-looking bank-card number)."""
    for d in "0123456789":
        digits = prefix + d
        total = 0
        for i, ch in enumerate(reversed(digits)):
            v = int(ch)
            if i % 2:
                v = v * 2 - 9 if v > 4 else v * 2
            total += v
        if total % 10 == 0:
            return digits
    raise AssertionError


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8") -> Path:
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]],
               sheet: str = "贫困人口明细") -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False})
    ws = book.add_worksheet(sheet)
    for j, head in enumerate(header):
        ws.write_string(0, j, head)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    ws.write_string(i, j, value)
            else:
                ws.write(i, j, value)
    book.close()
    return path


# ---------------------------------------------------------------- privacy

def privacy_case(dest: Path, rng: random.Random, *, kind: str = "csv") -> Case:
    """Identifiers by every route: in names, villages, a header, the file and sheet names, an
    ID typed with O for 0 / a trailing letter / 17 digits, a phone and a bank card in the ID
    column; also markup, control characters and formula-like text in names."""
    header, rows = base_table(4)
    col = {name: header.index(name) for name in header}
    ids: list[str] = [r[col["证件号码"]] for r in rows]
    birth = f"19{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    def new_id() -> str:
        return f"5116{rng.randint(10, 99)}{birth}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
    in_name, in_village, in_header, in_file, in_sheet = (new_id() for _ in range(5))
    phone = f"1{rng.choice('3456789')}{rng.randint(0, 10**9 - 1):09d}"
    card = luhn_complete("622202" + f"{rng.randint(0, 10**12 - 1):012d}")
    o_typo = rows[1][col["证件号码"]]
    o_typo = o_typo[:3] + "O" + o_typo[4:] if o_typo[3] == "0" else o_typo[:7] + "O" + o_typo[8:]
    trailing = rows[2][col["证件号码"]][:17] + "A"
    truncated = rows[3][col["证件号码"]][:17]
    rows[0][col["姓名"]] = f"张{in_name}"
    rows[0][col["村"]] = f"{rows[0][col['村']]}{in_village}[/bold][red]\x1b[31m\u202e"
    rows[1][col["证件号码"]] = o_typo
    rows[2][col["证件号码"]] = trailing
    rows[3][col["证件号码"]] = truncated
    rows[1][col["姓名"]] = f"=HYPERLINK(\"http://x\",\"{phone}\")"
    rows[2][col["姓名"]] = f"@SUM(1)+{card}"
    if len(rows) > 5:
        rows[4][col["证件号码"]] = phone
        rows[5][col["证件号码"]] = card
    header = [*header, f"备注{in_header}"]
    for r in rows:
        r.append(f"-2+3 {phone}")
    identifiers = (*ids, in_name, in_village, in_header, in_file, in_sheet, phone, card,
                   o_typo, trailing, truncated)
    stem = f"county_{in_file}"
    if kind == "xlsx":
        path = write_xlsx(dest / f"{stem}.xlsx", header, rows, sheet=f"明细{in_sheet}")
    else:
        path = write_csv(dest / f"{stem}.csv", header, rows)
    return Case([path], identifiers, expect={0, 1})


# ---------------------------------------------------------------- small bases (cached bytes)

@lru_cache(maxsize=1)
def small_xlsx() -> bytes:
    import tempfile

    header, rows = base_table(6)
    with tempfile.TemporaryDirectory() as tmp:
        return write_xlsx(Path(tmp) / "b.xlsx", header, rows).read_bytes()


@lru_cache(maxsize=1)
def small_xls() -> bytes:
    import tempfile

    import xlwt

    header, rows = base_table(6)
    book = xlwt.Workbook()
    sheet = book.add_worksheet("明细") if hasattr(book, "add_worksheet") else book.add_sheet("明细")
    for i, row in enumerate([header, *rows]):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.xls"
        book.save(str(path))
        return path.read_bytes()


def _rezip(data: bytes, edit: Callable[[str, bytes], bytes | None],
           extra: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = edit(info.filename, src.read(info.filename))
            if new is not None:
                dst.writestr(info.filename, new)
        for name, value in (extra or {}).items():
            dst.writestr(name, value)
    return out.getvalue()


def _sheet_edit(fn: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: fn(data) if name.startswith("xl/worksheets/") else data


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _out(dest: Path, name: str, data: bytes) -> Path:
    path = dest / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- zip / xlsx classes

def zip_truncate(dest: Path, rng: random.Random) -> Case:
    data = small_xlsx()
    return Case([_out(dest, "trunc.xlsx", data[: rng.randrange(1, len(data))])], expect={3})


def zip_bitflip(dest: Path, rng: random.Random) -> Case:
    data = bytearray(small_xlsx())
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return Case([_out(dest, "flip.xlsx", bytes(data))])


def zip_bad_central_directory(dest: Path, rng: random.Random) -> Case:
    data = bytearray(small_xlsx())
    cd = data.rfind(b"PK\x01\x02")
    start = data.find(b"PK\x01\x02")
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(start, len(data))
        data[i] = rng.randrange(256)
    if rng.random() < 0.3:  # EOCD pointing elsewhere
        eocd = data.rfind(b"PK\x05\x06")
        struct.pack_into("<I", data, eocd + 16, rng.randrange(0, 2**32))
    del cd
    return Case([_out(dest, "cd.xlsx", bytes(data))])


def zip_odd_version(dest: Path, rng: random.Random) -> Case:
    data = bytearray(small_xlsx())
    for sig, ver_off, meth_off in ((b"PK\x03\x04", 4, 8), (b"PK\x01\x02", 6, 10)):
        pos = data.find(sig)
        while pos != -1:
            if rng.random() < 0.5:
                struct.pack_into("<H", data, pos + ver_off, rng.choice([0, 63, 99, 0xFFFF]))
            if rng.random() < 0.3:
                struct.pack_into("<H", data, pos + meth_off, rng.choice([1, 12, 14, 99, 95]))
            pos = data.find(sig, pos + 4)
    return Case([_out(dest, "ver.xlsx", bytes(data))])


@lru_cache(maxsize=1)
def _bomb_member() -> bytes:
    return zlib.compress(b"\0" * (40 << 20), 9)


def zip_bomb(dest: Path, rng: random.Random) -> Case:
    size = rng.choice([20, 40])
    payload = b"\0" * (size << 20)
    target = rng.choice(["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/media/x.bin"])
    if target == "xl/media/x.bin":
        data = _rezip(small_xlsx(), lambda n, d: d, {target: payload})
    else:
        data = _rezip(small_xlsx(), lambda n, d: d + payload if n == target else d)
    return Case([_out(dest, "bomb.xlsx", data)], expect={3})


def xlsx_huge_dimension(dest: Path, rng: random.Random) -> Case:
    ref = f"A1:{_col(rng.randint(1000, 16384))}{rng.randint(10**5, 1048576)}"
    data = _rezip(small_xlsx(), _sheet_edit(
        lambda d: re_sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), d)))
    return Case([_out(dest, "dim.xlsx", data)], expect={0, 1, 3})


def re_sub(pattern: bytes, repl: bytes, data: bytes) -> bytes:
    import re

    out = re.sub(pattern, lambda m: repl, data, count=1)
    return out if out != data else data.replace(b"<sheetData>", repl + b"/><sheetData>", 1) \
        if repl.startswith(b"<dimension") else out


def xlsx_far_cell(dest: Path, rng: random.Random) -> Case:
    col, row = rng.randint(200, 16384), rng.randint(1000, 1048576)
    cell = f'<row r="{row}"><c r="{_col(col)}{row}"><v>1</v></c></row>'.encode()
    data = _rezip(small_xlsx(), _sheet_edit(lambda d: d.replace(b"</sheetData>",
                                                                 cell + b"</sheetData>")))
    return Case([_out(dest, "far.xlsx", data)], expect={3})


def xlsx_bad_reference(dest: Path, rng: random.Random) -> Case:
    ref = rng.choice(["ABCDEFGHIJKLMNOPQ1", "A0", "A99999999999", "a1", "", "1A", "XFE1",
                      "A1048577", "ZZZZ9"])
    cell = f'<row r="2"><c r="{ref}"><v>1</v></c></row>'.encode()
    data = _rezip(small_xlsx(), _sheet_edit(lambda d: d.replace(b"</sheetData>",
                                                                 cell + b"</sheetData>")))
    return Case([_out(dest, "ref.xlsx", data)])


def xlsx_sst_out_of_range(dest: Path, rng: random.Random) -> Case:
    import re

    index = rng.choice([999_999, 2**31, -1, 2**64, 10**30])
    data = _rezip(small_xlsx(), _sheet_edit(lambda d: re.sub(
        rb'(t="s"[^>]*><v>)\d+', lambda m: m.group(1) + str(index).encode(), d, count=3)))
    return Case([_out(dest, "sst.xlsx", data)])


def xlsx_entities(dest: Path, rng: random.Random) -> Case:
    kind = rng.choice(["laughs", "external", "param"])
    if kind == "laughs":
        doctype = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>"
        ref = "&j;"
    elif kind == "external":
        doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        ref = "&e;"
    else:
        doctype = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
        ref = "x"
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            data = data.replace(b"?>", b"?>" + doctype.encode(), 1)
            return data.replace(b"<t>", f"<t>{ref}".encode(), 1)
        return data
    return Case([_out(dest, "ent.xlsx", _rezip(small_xlsx(), edit))])


# ---------------------------------------------------------------- xls / ods

def xls_biff_mutation(dest: Path, rng: random.Random) -> Case:
    data = bytearray(small_xls())
    for _ in range(rng.randint(1, 24)):
        i = rng.randrange(512, len(data))
        data[i] = rng.randrange(256) if rng.random() < 0.7 else rng.choice([0, 0xFF])
    return Case([_out(dest, "m.xls", bytes(data))])


def ods_mutation(dest: Path, rng: random.Random) -> Case:
    import re

    data = (REPO / "tests" / "io" / "data" / "county_ods.ods").read_bytes()
    def edit(name: str, body: bytes) -> bytes:
        if name != "content.xml":
            return body
        if rng.random() < 0.5:
            return re.sub(rb'number-columns-repeated="\d+"',
                          f'number-columns-repeated="{rng.choice([16384, 10**6, 10**9])}"'
                          .encode(), body, count=rng.randint(1, 3))
        return re.sub(rb'number-rows-repeated="\d+"',
                      f'number-rows-repeated="{rng.choice([10**6, 10**9])}"'.encode(), body,
                      count=2)
    if rng.random() < 0.5:
        out = _rezip(data, edit)
    else:
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        out = bytes(raw)
    return Case([_out(dest, "m.ods", out)])


# ---------------------------------------------------------------- CSV

def _csv_lines(households: int = 4) -> list[str]:
    import csv as _csv

    header, rows = base_table(households)
    buf = io.StringIO()
    _csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().splitlines()


def csv_hostile(dest: Path, rng: random.Random) -> Case:
    lines = _csv_lines()
    kind = rng.choice(["ragged", "unclosed", "mixed", "invalid", "nul", "cr", "wide", "cell",
                       "utf16", "empty_lines", "only_header", "bom_junk"])
    enc_lines = [line.encode("utf-8") for line in lines]
    if kind == "ragged":
        for i in rng.sample(range(1, len(lines)), 3):
            enc_lines[i] = b",".join(enc_lines[i].split(b",")[: rng.randint(0, 60)])
    elif kind == "unclosed":
        i = rng.randrange(1, len(lines))
        enc_lines[i] = enc_lines[i].replace(b",", b',"', 1)
    elif kind == "mixed":
        for i in range(1, len(lines), 2):
            enc_lines[i] = lines[i].encode("gb18030")
    elif kind == "invalid":
        for _ in range(5):
            i = rng.randrange(len(enc_lines))
            enc_lines[i] += bytes([rng.randrange(128, 256)])
    elif kind == "nul":
        i = rng.randrange(len(enc_lines))
        enc_lines[i] = enc_lines[i][:5] + b"\0" + enc_lines[i][5:]
    elif kind == "wide":
        enc_lines[0] += b"," + b",".join(f"x{i}".encode() for i in range(20_000))
    elif kind == "cell":
        enc_lines[2] = enc_lines[2].replace(b",", b"," + b"A" * (1 << 20) + b",", 1)
    elif kind == "empty_lines":
        enc_lines = [b"", b",,,", *enc_lines, b"", b""]
    elif kind == "only_header":
        enc_lines = enc_lines[:1]
    sep = b"\r" if kind == "cr" else rng.choice([b"\n", b"\r\n"])
    data = sep.join(enc_lines) + sep
    if kind == "utf16":
        data = "\n".join(lines).encode("utf-16")
    if kind == "bom_junk":
        data = b"\xef\xbb\xbf\xef\xbb\xbf" + data
    return Case([_out(dest, f"{kind}.csv", data)])


# ---------------------------------------------------------------- parquet

PARQUET_KINDS = ("nested", "struct", "binary", "dates", "stamps", "decimal", "dictionary",
                 "year", "nan", "nulls", "empty")


def parquet_hostile(dest: Path, rng: random.Random, kind: str | None = None) -> Case:
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    header, rows = base_table(4)
    table = pa.table({h: [r[j] for r in rows] for j, h in enumerate(header)})
    n = table.num_rows
    kind = kind or rng.choice(PARQUET_KINDS)
    def put(name: str, array: pa.Array) -> pa.Table:
        if name in table.column_names:
            return table.set_column(table.column_names.index(name), name, array)
        return table.append_column(name, array)
    if kind == "nested":
        table = put("姓名", pa.array([[1, 2]] * n))
    elif kind == "struct":
        table = put("扩展", pa.array([{"a": 1}] * n))
    elif kind == "binary":
        table = put("姓名", pa.array([bytes(rng.randrange(256) for _ in range(6))
                                      for _ in range(n)], type=pa.binary()))
    elif kind == "dates":
        table = put("出生日期", pa.array([rng.choice([dt.date(1, 1, 1), dt.date(9999, 12, 31),
                                                     dt.date(1677, 1, 1)]) for _ in range(n)]))
    elif kind == "stamps":
        table = put("登记时间", pa.array([2**62] * n, type=pa.timestamp("us")))
    elif kind == "decimal":
        table = put("人均纯收入（元）", pa.array([Decimal("1e37")] * n, type=pa.decimal128(38, 0)))
    elif kind == "dictionary":
        table = put("村", pa.array([r[2] for r in rows]).dictionary_encode())
    elif kind == "year":
        table = put("脱贫年度", pa.array([rng.choice([20190, -1, 0, 2**40])] * n))
    elif kind == "nan":
        table = put("人均纯收入（元）", pa.array([rng.choice([float("nan"), float("inf"),
                                                           -float("inf"), 1e308])
                                                for _ in range(n)]))
    elif kind == "nulls":
        table = pa.table({"姓名": pa.nulls(rng.choice([10**6, 3 * 10**7]))})
    else:
        table = table.slice(0, 0)
    path = dest / f"{kind}.parquet"
    pq.write_table(table, path)
    return Case([path])


# ---------------------------------------------------------------- cell contents

CELL_VALUES = [
    "=1+1", "=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
    "\t=1", "\r=1", "#DIV/0!", "#N/A", "TRUE", "nan", "inf", "-inf", "１２３４５", "张\u200b三",
    "\u202e村龙青", "\u200f李四", "😀👨‍👩‍👧", "[/bold]", "[red]x[/red]", "\x1b[31mred\x1b[0m",
    "\x07bell", "a\x00b", "\ufeff王", "Ｏ", "20190", "99999999999999999999", "-0", "1e400",
]


def cells_hostile(dest: Path, rng: random.Random) -> Case:
    """Hostile values in text columns (names, villages, year) of a small xlsx or CSV."""
    import math

    header, rows = base_table(4)
    col = {name: header.index(name) for name in header}
    typed: list[list[object]] = [list(r) for r in rows]
    for _ in range(rng.randint(3, 12)):
        r = rng.randrange(len(typed))
        c = col[rng.choice(["姓名", "村", "乡(镇)", "脱贫年度", "人均纯收入（元）", "家庭人口数",
                            "与户主关系", "民族"])]
        typed[r][c] = rng.choice(CELL_VALUES)
    if rng.random() < 0.5:
        rows_out: list[list[object]] = typed
        path = dest / "cells.xlsx"
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        ws = book.add_worksheet(rng.choice(["明细", "=SUM(1)", "+cmd|calc", "明细\u202e"]))
        for j, h in enumerate(header):
            ws.write_string(0, j, h)
        for i, row in enumerate(rows_out, start=1):
            for j, value in enumerate(row):
                roll = rng.random()
                if isinstance(value, str) and value.startswith("=") and roll < 0.5:
                    ws.write_formula(i, j, value, None, rng.choice([0, "x", "#N/A"]))
                elif value in ("nan", "inf", "-inf") and roll < 0.5:
                    ws.write_number(i, j, float(value))
                elif value == "TRUE" and roll < 0.5:
                    ws.write_boolean(i, j, True)
                elif isinstance(value, str) and value:
                    ws.write_string(i, j, value)
        book.close()
        del math
        return Case([path])
    return Case([write_csv(dest / "cells.csv", header, [[str(v) for v in r] for r in typed])])


def privacy_any(dest: Path, rng: random.Random) -> Case:
    return privacy_case(dest, rng, kind=rng.choice(["csv", "xlsx"]))


CLASSES: dict[str, Callable[[Path, random.Random], Case]] = {
    "zip_truncate": zip_truncate,
    "zip_bitflip": zip_bitflip,
    "zip_bad_central_directory": zip_bad_central_directory,
    "zip_odd_version": zip_odd_version,
    "zip_bomb": zip_bomb,
    "xlsx_huge_dimension": xlsx_huge_dimension,
    "xlsx_far_cell": xlsx_far_cell,
    "xlsx_bad_reference": xlsx_bad_reference,
    "xlsx_sst_out_of_range": xlsx_sst_out_of_range,
    "xlsx_entities": xlsx_entities,
    "xls_biff_mutation": xls_biff_mutation,
    "ods_mutation": ods_mutation,
    "csv_hostile": csv_hostile,
    "parquet_hostile": parquet_hostile,
    "cells_hostile": cells_hostile,
    "privacy": privacy_any,
}
