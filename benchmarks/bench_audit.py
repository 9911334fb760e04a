"""End-to-end benchmark: the installed `exitcheck audit` command vs a plain python-calamine read.

    python benchmarks/bench_audit.py [FILE.xlsx]     # default benchmarks/data/county_100k.xlsx

Runs `exitcheck audit FILE -o OUT.xlsx --json OUT.json --quiet` in a subprocess (best of 3 wall
times, so start-up and imports count) and the plain read in this process, back to back, and
writes the "Audit end to end" section of docs/PERFORMANCE.md. Peak memory is the subprocess's
maximum resident set size. Target (issue "`exitcheck audit`"): within 2x of the fastest plain
read (benchmarks/_plain.py).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plain import fastest_plain_read, fastexcel_read
from _report import ROOT, machine_lines, replace_section, seconds

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA / "county_100k.xlsx"
TARGET = 2.0
RUNS = 3


def exitcheck_command() -> list[str]:
    """The installed console script next to this interpreter (else on PATH)."""
    local = Path(sys.executable).with_name("exitcheck")
    if local.exists():
        return [str(local)]
    found = shutil.which("exitcheck")
    if found is None:
        sys.exit("exitcheck is not installed: pip install -e .")
    return [found]


def plain_read_peak_rss(path: Path) -> float:
    """Peak RSS in MiB of a subprocess that only does the plain read (the memory floor)."""
    code = ("import gc, sys; gc.disable(); from python_calamine import CalamineWorkbook; "
            "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("the plain read failed in a subprocess")
    rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return float(rss_kib / 1024)


def one_audit(command: list[str], path: Path, out: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one audit subprocess."""
    args = [*command, "audit", str(path), "-o", str(out / "out.xlsx"),
            "--json", str(out / "out.json"), "--quiet"]
    t0 = time.perf_counter()
    with open(out / "stdout.txt", "wb") as so, open(out / "stderr.txt", "wb") as se:
        proc = subprocess.Popen(args, stdout=so, stderr=se)  # files: no pipe can fill up
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - t0
    stdout = (out / "stdout.txt").read_text(errors="replace")
    stderr = (out / "stderr.txt").read_text(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1 = findings at --fail-on; 2+ = an error
        sys.exit(f"exitcheck audit failed ({code}):\n{stdout}\n{stderr}")
    rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return wall, rss_kib / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    path: Path = args.file
    if not path.exists():
        sys.exit(f"missing {path}: run python benchmarks/make_data.py")
    command = exitcheck_command()

    walls, peaks = [], []
    with tempfile.TemporaryDirectory(prefix="bench_audit_") as tmp:
        out = Path(tmp)
        t_plain, t_plain_gc_on, n_rows = fastest_plain_read(path, RUNS)
        t_fx = fastexcel_read(path, RUNS)
        plain_peak = plain_read_peak_rss(path)
        for _ in range(RUNS):
            wall, peak, _code = one_audit(command, path, out)
            walls.append(wall)
            peaks.append(peak)
            print(f"audit run: {wall:.2f}s, peak RSS {peak:.0f} MiB")
        sizes = {name: (out / name).stat().st_size / 2**20 for name in ("out.xlsx", "out.json")}
    t_audit = min(walls)
    ratio = t_audit / t_plain
    verdict = "met" if ratio <= TARGET else "**missed**"
    print(f"{path.name}: plain {t_plain:.2f}s, audit {t_audit:.2f}s, ratio {ratio:.2f}x "
          f"(target {TARGET}x: {verdict}); peak RSS {max(peaks):.0f} MiB")

    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = [
        f"Command: `python benchmarks/bench_audit.py {shlex.quote(str(shown))}` (best of {RUNS}, "
        "same run).", "",
        f"Times `exitcheck audit {path.name} -o OUT.xlsx --json OUT.json --quiet` as a subprocess "
        "(start-up, imports, reading, rules, workbook and JSON all count) against the fastest "
        "plain python-calamine read (`CalamineWorkbook.from_path(p).get_sheet_by_index(0)"
        ".to_python()`, GC on or paused, whichever is faster: benchmarks/_plain.py) in the "
        f"benchmark process. Target: within **{TARGET}x** of that read.", "",
        "| file | rows | plain read (GC on) | fastest plain read | exitcheck audit | ratio | "
        "target | peak RSS | workbook | JSON |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
        f"| {path.name} | {n_rows:,} | {seconds(t_plain_gc_on)} | {seconds(t_plain)} | "
        f"{seconds(t_audit)} | {ratio:.2f}x | "
        f"{verdict} | {max(peaks):.0f} MiB | {sizes['out.xlsx']:.1f} MiB | "
        f"{sizes['out.json']:.1f} MiB |",
        "",
        (f"For the record, fastexcel (calamine into Arrow columns, benchmarks/_plain.py) read the "
         f"same sheet in {seconds(t_fx)}: the audit is {t_audit / t_fx:.2f}x of that."
         if t_fx is not None else
         "fastexcel is not installed (`pip install -e '.[bench]'`): its read was not timed."),
        "",
        f"All audit runs: {', '.join(seconds(w) for w in walls)}. Peak RSS is the largest "
        "`ru_maxrss` of the audit subprocesses (from `os.wait4`); a subprocess doing only the "
        f"plain read peaks at {plain_peak:.0f} MiB (python-calamine's parsed sheet is most of "
        f"both), so the audit's peak is {max(peaks) / plain_peak:.2f}x the read's.",
        "", "Machine:", "", *machine_lines(),
    ]
    print(f"wrote section to {replace_section('Audit end to end', chr(10).join(lines))}")


if __name__ == "__main__":
    main()
