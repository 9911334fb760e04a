"""Loading benchmark: exitcheck's load_registry vs a plain python-calamine read of the same xlsx.

    python benchmarks/make_data.py --only county_100k.xlsx
    python benchmarks/bench_load.py [FILE.xlsx ...]

Times best of 3 runs of each, in the same process run, and writes the "Loading" section of
docs/PERFORMANCE.md. Target (ARCHITECTURE.md §5): loading within 1.3x of the plain read.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plain import best_of, fastest_plain_read
from _report import ROOT, machine_lines, replace_section, seconds

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_FILES = ("county_100k.xlsx",)
TARGET = 1.3
RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or [DATA / name for name in DEFAULT_FILES]
    missing = [f for f in files if not f.exists()]
    if missing:
        sys.exit(f"missing {', '.join(map(str, missing))}: run python benchmarks/make_data.py")

    try:
        from exitcheck.schema.loader import load_registry
    except ImportError as err:  # the loader lands separately (Foundation issue)
        load_registry = None
        why = str(err)

    command = "python benchmarks/bench_load.py " + " ".join(
        shlex.quote(str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)) for f in files)
    lines = [f"Command: `{command}` (best of {RUNS}, same run; inputs from "
             "`python benchmarks/make_data.py`).", "",
             f"Target: `load_registry` within **{TARGET}x** of the fastest plain python-calamine "
             "read (`CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()`, timed "
             "both as is and with the cyclic GC paused, as exitcheck's reader pauses it; the "
             "faster of the two is the baseline).", "",
             "The ratio is the number to watch: both sides run back to back in one process, so "
             "machine load shifts both; absolute times vary with it.", "",
             "| file | rows | size | plain read (GC on) | plain read (GC paused) "
             "| load_registry | ratio to the faster | target |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for path in files:
        t_plain, t_plain_gc, n_rows = fastest_plain_read(path, RUNS)
        size = f"{path.stat().st_size / 2**20:.1f} MiB"
        if load_registry is None:
            lines.append(f"| {path.name} | {n_rows:,} | {size} | {seconds(t_plain_gc)} | "
                         f"{seconds(t_plain)} | not importable | – | – |")
            print(f"{path.name}: plain {t_plain:.2f}s; load_registry not importable ({why})")
            continue
        t_load, registry = best_of(lambda p=path: load_registry([p]), RUNS)
        ratio = t_load / t_plain
        verdict = "met" if ratio <= TARGET else "**missed**"
        members = registry.n_members  # type: ignore[union-attr]
        lines.append(f"| {path.name} | {n_rows:,} ({members:,} members) | {size} | "
                     f"{seconds(t_plain_gc)} | {seconds(t_plain)} | {seconds(t_load)} | "
                     f"{ratio:.2f}x | {verdict} |")
        print(f"{path.name}: plain {t_plain:.2f}s, load_registry {t_load:.2f}s, "
              f"ratio {ratio:.2f}x (target {TARGET}x: {verdict})")
        del registry
    if load_registry is None:
        lines += ["", f"`exitcheck.schema.loader.load_registry` was not importable ({why}): "
                  "only the plain read was timed."]
    lines += ["", "Machine:", "", *machine_lines()]
    print(f"wrote section to {replace_section('Loading', chr(10).join(lines))}")


if __name__ == "__main__":
    main()
