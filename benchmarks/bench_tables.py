"""Five-table (monitoring-era) audit benchmark: `exitcheck audit FOLDER` vs the plain read.

    python benchmarks/bench_tables.py [--persons 100000]

Makes a county of about ``--persons`` persons by tiling the bundled five-table sample
(sample_data/monitoring_2023_tables/: 监测对象信息, 户信息, 已外出务工信息, 计划外出务工信息,
行政村信息) with new, valid ID numbers, household and person codes and village names per copy,
written as five xlsx files under benchmarks/data/tables_<N>/. Then times the installed
`exitcheck audit FOLDER -o OUT.xlsx --json OUT.json --quiet --year 2023 --region 52` in a
subprocess (best of 3) against the fastest plain python-calamine read of the same five files in
this process, records both peak RSS values, and writes the "Five-table audit" section of
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plain import best_of, plain_rows
from _report import ROOT, machine_lines, replace_section, seconds
from bench_audit import exitcheck_command

SAMPLE = ROOT / "sample_data" / "monitoring_2023_tables"
DATA = Path(__file__).resolve().parent / "data"
RUNS = 3
# Columns that identify a unit: rewritten per copy so that every copy is a distinct county part.
ID_COLUMNS = ("证件号码",)
CODE_COLUMNS = ("户编号", "人编号")
VILLAGE_COLUMN = "村"


def _read(path: Path) -> tuple[str, pd.DataFrame]:
    """(title row text, data) of one sample table: title on row 1, header on row 2."""
    title = pd.read_excel(path, header=None, nrows=1).iloc[0, 0]
    frame = pd.read_excel(path, header=1, dtype=object)
    for col in (*ID_COLUMNS, *CODE_COLUMNS):
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v: None if pd.isna(v) else str(v))
    return str(title), frame


def _with_check_char(first17: pd.Series) -> pd.Series:
    """GB 11643 check character appended (ISO 7064 MOD 11-2), column at a time."""
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    digits = np.array([list(s) for s in first17], dtype=np.int64)
    rest = (digits * weights).sum(axis=1) % 11
    chars = np.array(list("10X98765432"))[rest]
    return first17 + pd.Series(chars, index=first17.index)


def _copy(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Copy ``k`` of a table: area digits 3-6 of every ID and code become the copy number, so
    IDs stay valid (province 52 kept, check character recomputed) and unique across copies."""
    out = frame.copy()
    area = f"{k:04d}"
    for col in ID_COLUMNS:
        if col in out.columns:
            s = out[col]
            ok = s.notna() & (s.str.len() == 18)
            first17 = s[ok].str[:2] + area + s[ok].str[6:17]
            out.loc[ok, col] = _with_check_char(first17)
    for col in CODE_COLUMNS:
        if col in out.columns:
            s = out[col]
            ok = s.notna() & (s.str.len() > 6)
            out.loc[ok, col] = s[ok].str[:2] + area + s[ok].str[6:]
    if VILLAGE_COLUMN in out.columns:
        out[VILLAGE_COLUMN] = out[VILLAGE_COLUMN].astype("string").str.strip() + str(k)
    return out


def make_tables(persons: int) -> Path:
    """benchmarks/data/tables_<persons>/ with the five tables tiled to about ``persons``."""
    folder = DATA / f"tables_{persons}"
    if folder.exists() and len(list(folder.glob("*.xlsx"))) == 5:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tables = {p.name: _read(p) for p in sorted(SAMPLE.glob("*.xlsx"))}
    base = len(tables["监测对象信息.xlsx"][1])
    copies = max(1, round(persons / base))
    for name, (title, frame) in tables.items():
        big = pd.concat([_copy(frame, k + 1) for k in range(copies)], ignore_index=True)
        _write(folder / name, title, big)
    return folder


def _write(path: Path, title: str, frame: pd.DataFrame) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(path.stem)
    sheet.write(0, 0, title)
    sheet.write_row(1, 0, list(frame.columns))
    values = frame.astype(object).where(frame.notna(), None).to_numpy()
    for i, row in enumerate(values, start=2):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(i, j, value)
            else:
                sheet.write(i, j, value)
    book.close()


def plain_read(folder: Path) -> int:
    return sum(plain_rows(p) for p in sorted(folder.glob("*.xlsx")))


def plain_peak_rss(folder: Path) -> float:
    """Peak RSS (MiB) of a subprocess reading the five files with python-calamine."""
    code = ("import gc, sys, glob; gc.disable(); from python_calamine import CalamineWorkbook; "
            "keep = [CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python() "
            "for p in sorted(glob.glob(sys.argv[1] + '/*.xlsx'))]")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)])
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("the plain read failed in a subprocess")
    return float(usage.ru_maxrss / 1024)


def one_audit(command: list[str], folder: Path, out: Path) -> tuple[float, float]:
    args = [*command, "audit", str(folder), "-o", str(out / "out.xlsx"), "--json",
            str(out / "out.json"), "--quiet", "--year", "2023", "--region", "52"]
    t0 = time.perf_counter()
    with open(out / "stdout.txt", "wb") as so, open(out / "stderr.txt", "wb") as se:
        proc = subprocess.Popen(args, stdout=so, stderr=se)
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"exitcheck audit failed ({code}): {(out / 'stderr.txt').read_text()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    args = parser.parse_args()
    folder = make_tables(args.persons)
    sizes = {p.name: p.stat().st_size / 2**20 for p in sorted(folder.glob("*.xlsx"))}
    t_plain, rows = best_of(lambda: plain_read(folder), RUNS)
    plain_peak = plain_peak_rss(folder)
    command = exitcheck_command()
    walls, peaks = [], []
    with tempfile.TemporaryDirectory(prefix="bench_tables_") as tmp:
        out = Path(tmp)
        for _ in range(RUNS):
            wall, peak = one_audit(command, folder, out)
            walls.append(wall)
            peaks.append(peak)
            print(f"audit run: {wall:.2f}s, peak RSS {peak:.0f} MiB")
        import json

        report = json.loads((out / "out.json").read_text())
    units = {i["path"].split("/")[-1]: (i["table"], i["units"]) for i in report["inputs"]}
    t_audit = min(walls)
    ratio = t_audit / t_plain
    print(f"plain {t_plain:.2f}s ({rows} rows), audit {t_audit:.2f}s, {ratio:.2f}x; "
          f"peak {max(peaks):.0f} MiB vs {plain_peak:.0f} MiB")
    table_rows = [f"| {name} | {units[name][0]} | {units[name][1]:,} | {mib:.1f} MiB |"
                  for name, mib in sizes.items()]
    lines = [
        f"Command: `python benchmarks/bench_tables.py --persons {args.persons}` (best of {RUNS}, "
        "same run).", "",
        "A Guizhou 2023 county of five tables, made by tiling the bundled "
        "sample_data/monitoring_2023_tables/ with new IDs and codes per copy:", "",
        "| file | read as | records | size |", "|---|---|---:|---:|", *table_rows, "",
        "`exitcheck audit FOLDER -o OUT.xlsx --json OUT.json --quiet --year 2023 --region 52` in "
        "a subprocess (start-up, reading and joining the five tables, every shipped rule at "
        "member, household, spell and village level, workbook and JSON) against the fastest "
        "plain python-calamine read of the same five files (`to_python()` of each sheet, "
        "benchmarks/_plain.py) in the benchmark process.", "",
        "| plain read (5 files) | exitcheck audit | ratio | audit peak RSS | read-only peak RSS |",
        "|---:|---:|---:|---:|---:|",
        f"| {seconds(t_plain)} | {seconds(t_audit)} | {ratio:.2f}x | {max(peaks):.0f} MiB | "
        f"{plain_peak:.0f} MiB |", "",
        f"All audit runs: {', '.join(seconds(w) for w in walls)}; findings "
        f"{len(report['findings']):,}.", "", "Machine:", "", *machine_lines(),
    ]
    print(f"wrote section to {replace_section('Five-table audit', chr(10).join(lines))}")


if __name__ == "__main__":
    main()
