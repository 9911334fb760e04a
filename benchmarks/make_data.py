"""Write the benchmark inputs into benchmarks/data/ (git-ignored) and time the generator.

    python benchmarks/make_data.py            # all files missing so far
    python benchmarks/make_data.py --force    # rewrite them all
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine_lines, replace_section, seconds

from exitcheck.sample.generator import generate_county
from exitcheck.sample.truth import GroundTruth
from exitcheck.sample.writers import save

DATA = Path(__file__).resolve().parent / "data"
MEMBERS_PER_HOUSEHOLD = 3.6  # generator's average household size, to size the first draw

# name -> (member rows, format, style)
FILES: dict[str, tuple[int, str, str]] = {
    "county_10k.xlsx": (10_000, "xlsx", "national"),
    "county_100k.xlsx": (100_000, "xlsx", "national"),
    "county_100k.csv": (100_000, "csv", "national"),
    "monitoring_100k.xlsx": (100_000, "xlsx", "monitoring"),
    "county_1m.parquet": (1_000_000, "parquet", "national"),
    # Same rows as county_1m.parquet (same seed and cut): the xlsx side of bench_evaluate.py.
    # Not written by default (about 10 minutes): --only county_1m.xlsx.
    "county_1m.xlsx": (1_000_000, "xlsx", "national"),
}
OPTIONAL = {"county_1m.xlsx"}


@contextmanager
def zip64() -> Iterator[None]:
    """The 1M-row sheet's XML is over 4 GiB: xlsxwriter writes ZIP64 only when asked to."""
    from xlsxwriter.workbook import Workbook

    original = Workbook.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.use_zip64()

    Workbook.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Workbook.__init__ = original  # type: ignore[method-assign]


def county_with_rows(rows: int, style: str, seed: int = 42):
    """A county cut to whole households with at most `rows` member rows (close to it)."""
    region = ("52", "522327", 2023) if style == "monitoring" else ("51", "511602", 2019)
    n = int(rows / MEMBERS_PER_HOUSEHOLD * 1.05) + 10
    frame, truth = generate_county(n, seed=seed, year=region[2], province_code=region[0],
                                   county_code=region[1], style=style)
    ends = frame.groupby("household_id", sort=False).size().cumsum()
    keep = ends.index[ends.to_numpy() <= rows]
    frame = frame.iloc[: int(ends[keep[-1]])]
    kept = set(keep)
    cut = GroundTruth(**{**truth.__dict__, "overrides": {
        col: {r: v for r, v in cells.items() if r < len(frame)}
        for col, cells in truth.overrides.items()}})
    cut.households = {h: k for h, k in truth.households.items() if h in kept}
    return frame, cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    parser.add_argument("--only", nargs="*", default=None, help="file names to write")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)

    rows = ["| file | member rows | households | generate | write | size |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, (target, fmt, style) in FILES.items():
        path = DATA / name
        if (args.only and name not in args.only) or (not args.only and name in OPTIONAL):
            continue
        if path.exists() and not args.force:
            print(f"keep {path}")
            continue
        t0 = time.perf_counter()
        frame, truth = county_with_rows(target, style)
        t1 = time.perf_counter()
        with zip64() if target > 500_000 and fmt == "xlsx" else nullcontext():
            save(frame, truth, path, fmt, overwrite=True)
        t2 = time.perf_counter()
        size = path.stat().st_size / 2**20
        print(f"{name}: {len(frame)} rows, generate {t1 - t0:.1f}s, write {t2 - t1:.1f}s, "
              f"{size:.1f} MiB")
        rows.append(f"| {name} | {len(frame):,} | {frame['household_id'].nunique():,} | "
                    f"{seconds(t1 - t0)} | {seconds(t2 - t1)} | {size:.1f} MiB |")

    # The generator alone: 10^6 member rows (item 8 of the Foundation issue: well under a minute).
    timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        frame, _truth = generate_county(278_000, seed=1)
        timings.append(time.perf_counter() - t0)
    body = "\n".join([
        "Command: `python benchmarks/make_data.py` (writes benchmarks/data/, git-ignored).",
        "",
        f"Generating {len(frame):,} member rows (278,000 households, national style): best of 3 "
        f"**{seconds(min(timings))}** (median {seconds(float(np.median(timings)))}).",
        "",
        *(rows if len(rows) > 2 else ["(all data files existed; run with --force to time "
                                      "writing them)"]),
        "",
        "Machine:",
        "",
        *machine_lines(),
    ])
    print(f"generator: best {min(timings):.1f}s for {len(frame)} rows")
    print(f"wrote section to {replace_section('Sample data generation', body)}")


if __name__ == "__main__":
    main()
