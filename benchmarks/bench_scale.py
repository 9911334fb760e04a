"""Issue 9's single-run targets in one run: the 100k xlsx audit against the fastexcel read, and
the 1M-member parquet audit.

    python benchmarks/bench_scale.py                 # both; writes "Audit against fastexcel"
    python benchmarks/bench_scale.py --runs 1 --no-write
    python benchmarks/bench_scale.py --only xlsx

Every timing is a subprocess (start-up and imports count), with its peak RSS from `os.wait4`:

* the baseline: fastexcel reading every cell of the sheet into Arrow
  (`fastexcel.read_excel(p).load_sheet(0, header_row=None).to_arrow()`), in a fresh interpreter;
* `exitcheck audit FILE -o OUT.xlsx --json OUT.json --quiet` on the same file, the two
  alternating so that machine load hits both alike (best of --runs each);
* `exitcheck audit county_1m.parquet -o OUT.xlsx --json OUT.json --quiet` (one run by default:
  ~20-60 s each).

Targets (issue 9, "Done when"): the xlsx audit within 2.5x of the read's wall time and 1.5x of its
peak RSS; the parquet audit under 20 s and 2 GiB. Inputs: `python benchmarks/make_data.py`.
The parsed-rules cache (exitcheck.yamlcache) is warmed by one untimed audit first, as in any
run after the first on a machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine_lines, replace_section, seconds

DATA = Path(__file__).resolve().parent / "data"
XLSX = DATA / "county_100k.xlsx"
PARQUET = DATA / "county_1m.parquet"
WALL_RATIO, RSS_RATIO = 2.5, 1.5
PARQUET_WALL, PARQUET_RSS_MIB = 20.0, 2048.0

_FASTEXCEL = ("import sys, fastexcel; "
              "fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=None).to_arrow()")


def exitcheck_command() -> list[str]:
    local = Path(sys.executable).with_name("exitcheck")
    return [str(local)] if local.exists() else ["exitcheck"]


def timed(args: list[str], out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one subprocess; exits on an error."""
    t0 = time.perf_counter()
    with open(out / "stdout.txt", "wb") as so, open(out / "stderr.txt", "wb") as se:
        proc = subprocess.Popen(args, stdout=so, stderr=se)
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1 = findings at --fail-on
        sys.exit(f"{' '.join(args)} failed ({code}):\n"
                 f"{(out / 'stderr.txt').read_text(errors='replace')[-2000:]}")
    kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return wall, kib / 1024


def audit_args(path: Path, out: Path) -> list[str]:
    for name in ("out.xlsx", "out.json"):  # the audit does not overwrite earlier results
        (out / name).unlink(missing_ok=True)
    return [*exitcheck_command(), "audit", str(path), "-o", str(out / "out.xlsx"),
            "--json", str(out / "out.json"), "--quiet"]


def bench_xlsx(path: Path, runs: int, out: Path) -> dict[str, object]:
    timed(audit_args(path, out), out)  # warm the rules cache and the page cache
    reads, audits = [], []
    for _ in range(runs):
        reads.append(timed([sys.executable, "-c", _FASTEXCEL, str(path)], out))
        audits.append(timed(audit_args(path, out), out))
        print(f"  fastexcel read {reads[-1][0]:.2f}s {reads[-1][1]:.0f} MiB | "
              f"audit {audits[-1][0]:.2f}s {audits[-1][1]:.0f} MiB", flush=True)
    read_wall, read_rss = min(w for w, _ in reads), min(r for _, r in reads)
    audit_wall, audit_rss = min(w for w, _ in audits), max(r for _, r in audits)
    return {"read_wall": read_wall, "read_rss": read_rss, "audit_wall": audit_wall,
            "audit_rss": audit_rss, "reads": reads, "audits": audits,
            "workbook": (out / "out.xlsx").stat().st_size / 2**20,
            "json": (out / "out.json").stat().st_size / 2**20}


def bench_parquet(path: Path, runs: int, out: Path) -> dict[str, object]:
    audits = []
    for _ in range(runs):
        audits.append(timed(audit_args(path, out), out))
        print(f"  parquet audit {audits[-1][0]:.2f}s {audits[-1][1]:.0f} MiB", flush=True)
    return {"wall": min(w for w, _ in audits), "rss": max(r for _, r in audits),
            "audits": audits, "workbook": (out / "out.xlsx").stat().st_size / 2**20,
            "json": (out / "out.json").stat().st_size / 2**20}


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="xlsx: read/audit pairs")
    parser.add_argument("--parquet-runs", type=int, default=1)
    parser.add_argument("--only", choices=("xlsx", "parquet"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--commit", default=None, help="commit measured (for the record)")
    args = parser.parse_args()
    for path in (XLSX, PARQUET):
        if not path.exists():
            sys.exit(f"missing {path}: run python benchmarks/make_data.py")

    lines = ["Command: `python benchmarks/bench_scale.py` (one run; every figure a subprocess "
             "with its peak RSS from `os.wait4`).", ""]
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        out = Path(tmp)
        if args.only in (None, "xlsx"):
            print(f"{XLSX.name}: fastexcel read vs exitcheck audit, {args.runs} pairs")
            x = bench_xlsx(XLSX, args.runs, out)
            wall_ratio = x["audit_wall"] / x["read_wall"]  # type: ignore[operator]
            rss_ratio = x["audit_rss"] / x["read_rss"]  # type: ignore[operator]
            print(f"  wall {wall_ratio:.2f}x (target {WALL_RATIO}x), "
                  f"peak RSS {rss_ratio:.2f}x (target {RSS_RATIO}x)")
            lines += [
                f"**100k-member xlsx** (`{XLSX.name}`): `exitcheck audit` with workbook and "
                "JSON against fastexcel reading every cell into Arrow, alternating, best of "
                f"{args.runs} (peak RSS: the audit's largest, the read's smallest).", "",
                "| | fastexcel read | exitcheck audit | ratio | target |",
                "|---|---:|---:|---:|---|",
                f"| wall | {seconds(x['read_wall'])} | {seconds(x['audit_wall'])} | "  # type: ignore[arg-type]
                f"{wall_ratio:.2f}x | {WALL_RATIO}x: {_met(wall_ratio <= WALL_RATIO)} |",
                f"| peak RSS | {x['read_rss']:.0f} MiB | {x['audit_rss']:.0f} MiB | "
                f"{rss_ratio:.2f}x | {RSS_RATIO}x: {_met(rss_ratio <= RSS_RATIO)} |", "",
                "All pairs (read / audit): " + "; ".join(
                    f"{r[0]:.2f} s / {a[0]:.2f} s" for r, a in zip(
                        x["reads"], x["audits"], strict=True)) +  # type: ignore[call-overload]
                f". Workbook {x['workbook']:.1f} MiB, JSON {x['json']:.1f} MiB.", "",
            ]
        if args.only in (None, "parquet"):
            print(f"{PARQUET.name}: exitcheck audit, {args.parquet_runs} run(s)")
            p = bench_parquet(PARQUET, args.parquet_runs, out)
            print(f"  {p['wall']:.2f}s, {p['rss']:.0f} MiB")
            lines += [
                f"**1M-member parquet** (`{PARQUET.name}`, 999,998 members): `exitcheck audit "
                f"-o OUT.xlsx --json OUT.json --quiet`, best of {args.parquet_runs}.", "",
                "| wall | target | peak RSS | target | workbook | JSON |",
                "|---:|---|---:|---|---:|---:|",
                f"| {seconds(p['wall'])} | {PARQUET_WALL:.0f} s: "  # type: ignore[arg-type]
                f"{_met(p['wall'] <= PARQUET_WALL)} | {p['rss']:.0f} MiB | "  # type: ignore[operator]
                f"2 GiB: {_met(p['rss'] <= PARQUET_RSS_MIB)} | "  # type: ignore[operator]
                f"{p['workbook']:.1f} MiB | {p['json']:.0f} MiB |", "",
            ]
    if args.commit:
        lines += [f"Commit measured: {args.commit}.", ""]
    lines += ["Machine:", "", *machine_lines()]
    if not args.no_write:
        print(f"wrote section to {replace_section('Audit against fastexcel', chr(10).join(lines))}")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
