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


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
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
