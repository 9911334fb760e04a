"""Batch audits (docs/batch.md): many county files, a province partitioned by county, Dask.

    python benchmarks/bench_batch.py [--only files,province,dask,nation] [--nation-counties 100]

Each case is timed against a baseline in the same run, every run a subprocess of the installed
`exitcheck` (start-up to exit), wall time and peak memory:

* ``files``: 20 county files of ~10k members (xlsx) with ``--jobs 1`` and ``--jobs 2``, against
  the baseline of what users ran before: 20 single `exitcheck audit FILE` commands one after
  the other;
* ``province``: ~10^6 members as a parquet dataset partitioned by county (10 x ``县=…/
  part.parquet``), ``--jobs 2 --out-dir``, against the single audit of the same members in one
  parquet file (benchmarks/data/county_1m.parquet, from make_data.py);
* ``dask``: the 20 files on ``--scheduler local`` (a LocalCluster of 2 workers), against
  ``--jobs 2``;
* ``nation`` (optional, long): 10^7 members in ``--nation-counties`` partitions with ``--jobs
  2``; baseline: the province case's per-member rate.

Peak memory is measured two ways: the largest single process (``ru_maxrss`` of the process tree,
from ``os.wait4``) and the largest sum of the RSS of every process of the run (sampled 10 times a
second with psutil: the main process, the pool's forkserver and its workers, or Dask's workers).
Data under benchmarks/data/batch/ (git-ignored), generated once with fixed seeds. Writes the
"Batch audits" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine_lines, replace_section, seconds
from bench_audit import exitcheck_command
from make_data import MEMBERS_PER_HOUSEHOLD

from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

DATA = Path(__file__).resolve().parent / "data" / "batch"
FILES = 20
FILE_MEMBERS = 10_000
PROVINCE_COUNTIES = 10
PROVINCE_MEMBERS = 1_000_000


def county_code(i: int) -> str:
    return f"51{1600 + i:04d}"  # distinct county codes: no household in two counties


def make_files() -> list[Path]:
    folder = DATA / f"files_{FILES}x{FILE_MEMBERS // 1000}k"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(FILES):
        path = folder / f"county_{county_code(i)}.xlsx"
        if not path.exists():
            frame, truth = county(FILE_MEMBERS, i, seed=100 + i)
            save(frame, truth, path, "xlsx")
            print(f"wrote {path}", flush=True)
        paths.append(path)
    return paths


def county(members: int, i: int, seed: int):  # type: ignore[no-untyped-def]
    """A generated county of about ``members`` members with a county code of its own (valid
    ID numbers: the generator makes them for that code)."""
    n = int(members / MEMBERS_PER_HOUSEHOLD)
    return generate_county(n, seed=seed, county_code=county_code(i))


def make_partitioned(counties: int, members: int, tag: str) -> Path:
    """A parquet dataset 县=<name>/part.parquet with ``counties`` partitions of equal size."""
    root = DATA / tag
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        for i in range(counties):
            frame, truth = county(members // counties, i, seed=1000 + i)
            # The export's own headers (as save() writes them), then parquet without 县 (the
            # partition folder says it).
            tmp = save(frame, truth, scratch / f"{i}.parquet", "parquet")
            table = pq.read_table(tmp)
            names = [n for n in table.column_names if n != "县"]
            part = root / f"县=县{county_code(i)}"
            part.mkdir()
            pq.write_table(table.select(names), part / "part.parquet")
            tmp.unlink()
            del frame, table
            if i % 10 == 9:
                print(f"{tag}: {i + 1}/{counties} partitions", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    done.write_text("ok")
    return root


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process and all its descendants, 10 times a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.stop.wait(0.1)


def run(args: list[str], cwd: Path) -> dict[str, float]:
    """One `exitcheck ARGS` subprocess: wall seconds, peak of one process and of the tree (MiB)."""
    t0 = time.perf_counter()
    with open(cwd / "stdout.txt", "wb") as so, open(cwd / "stderr.txt", "wb") as se:
        proc = subprocess.Popen([*exitcheck_command(), *args], cwd=cwd, stdout=so, stderr=se)
        sampler = TreeRss(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"exitcheck {' '.join(args)} failed ({code}):\n"
                 + (cwd / "stderr.txt").read_text(errors="replace")[-2000:])
    return {"wall": wall, "one": usage.ru_maxrss / 1024, "tree": sampler.peak / 2**20,
            "code": code}


def mib(x: float) -> str:
    return f"{x / 1024:.2f} GiB" if x >= 1024 else f"{x:.0f} MiB"


def row(label: str, m: dict[str, float], base: float | None) -> str:
    ratio = f"{m['wall'] / base:.2f}x" if base else "baseline"
    return (f"| {label} | {seconds(m['wall'])} | {ratio} | {mib(m['one'])} | "
            f"{mib(m['tree'])} |")


HEAD = ["| run | wall | vs baseline | peak RSS, largest process | peak RSS, all processes |",
        "|---|---:|---:|---:|---:|"]


def bench_files(work: Path, lines: list[str]) -> dict[str, float]:
    paths = make_files()
    base = {"wall": 0.0, "one": 0.0, "tree": 0.0}
    for p in paths:  # what users ran before: one audit per file
        out = work / f"single_{p.stem}"
        out.mkdir()
        m = run(["audit", str(p), "-o", str(out / "r.xlsx"), "--json", str(out / "r.json"),
                 "--quiet", "--force"], out)
        base["wall"] += m["wall"]
        base["one"] = max(base["one"], m["one"])
        base["tree"] = max(base["tree"], m["tree"])
    results = {}
    for jobs in (1, 2):
        out = work / f"jobs{jobs}"
        out.mkdir()
        results[jobs] = run(["audit", *map(str, paths), "--out-dir", str(out / "o"),
                             "--json", str(out / "r.json"), "--jobs", str(jobs), "--quiet"], out)
        print(f"files --jobs {jobs}: {results[jobs]}", flush=True)
    lines += [
        f"### {FILES} county files of ~{FILE_MEMBERS:,} members (xlsx)", "",
        f"`exitcheck audit {FILES} files --out-dir OUT --json r.json --jobs N --quiet` (one "
        "workbook per county, the roll-up, the findings file) against the baseline of "
        f"{FILES} single `exitcheck audit FILE -o r.xlsx --json r.json` runs one after the "
        "other.", "", *HEAD,
        row(f"baseline: {FILES} single audits in sequence", base, None),
        row("batch, --jobs 1", results[1], base["wall"]),
        row("batch, --jobs 2", results[2], base["wall"]), "",
    ]
    return results[2]


def dataset_run(root: Path, work: Path, name: str) -> tuple[int, dict[str, float]]:
    """(members, measures) of `exitcheck audit DATASET --out-dir --jobs 2` on a partitioned set."""
    members = sum(pq.read_metadata(p).num_rows for p in root.glob("*/part.parquet"))
    out = work / name
    out.mkdir()
    m = run(["audit", str(root), "--out-dir", str(out / "o"), "--json", str(out / "r.json"),
             "--jobs", "2", "--quiet"], out)
    print(f"{name}: {m}", flush=True)
    m["findings"] = pq.read_metadata(out / "o" / "汇总_核查结果_明细.parquet").num_rows
    return members, m


def bench_province(work: Path, lines: list[str]) -> dict[str, float]:
    root = make_partitioned(PROVINCE_COUNTIES, PROVINCE_MEMBERS, "province_1m")
    single = Path(__file__).resolve().parent / "data" / "county_1m.parquet"
    members, batch = dataset_run(root, work, "province")
    base = None
    if single.exists():
        out1 = work / "province_single"
        out1.mkdir()
        base = run(["audit", str(single), "-o", str(out1 / "r.xlsx"), "--json",
                    str(out1 / "r.json"), "--quiet"], out1)
        print(f"province single: {base}", flush=True)
    lines += [
        f"### A province of {members:,} members: parquet partitioned by county", "",
        f"`exitcheck audit DATASET --out-dir OUT --json r.json --jobs 2 --quiet` on "
        f"{PROVINCE_COUNTIES} partitions `县=…/part.parquet` of ~{members // PROVINCE_COUNTIES:,} "
        "members, against the single audit of ~10^6 members in one parquet file "
        "(benchmarks/data/county_1m.parquet, `-o r.xlsx --json r.json`: everything in one "
        "registry, as before batches).", "", *HEAD,
    ]
    if base is not None:
        lines.append(row("baseline: one file, one registry", base, None))
    lines += [row("batch by county, --jobs 2", batch, base["wall"] if base else None), ""]
    return batch


def bench_dask(work: Path, lines: list[str], jobs2: dict[str, float]) -> None:
    paths = make_files()
    out = work / "dask"
    out.mkdir()
    m = run(["audit", *map(str, paths), "--out-dir", str(out / "o"), "--json",
             str(out / "r.json"), "--scheduler", "local", "--quiet"], out)
    print(f"dask: {m}", flush=True)
    lines += [
        f"### Dask LocalCluster ({FILES} county files)", "",
        "`--scheduler local` (a LocalCluster of 2 single-threaded worker processes, started "
        "by the command) against `--jobs 2` on the same files (the table above).", "", *HEAD,
        row("baseline: --jobs 2", jobs2, None),
        row("--scheduler local", m, jobs2["wall"]), "",
    ]


def bench_nation(work: Path, lines: list[str], counties: int, total: int,
                 province: dict[str, float] | None) -> None:
    t0 = time.perf_counter()
    root = make_partitioned(counties, total, f"nation_{counties}x{total // counties // 1000}k")
    made = time.perf_counter() - t0
    members, m = dataset_run(root, work, "nation")
    findings = int(m["findings"])
    lines += [
        f"### {members:,} members in {counties} county partitions, --jobs 2", "",
        f"Generated in {seconds(made)} (0 when it existed). `exitcheck audit DATASET --out-dir "
        f"OUT --json r.json --jobs 2 --quiet`; findings file: {findings:,} rows. Baseline: the "
        "province run above, scaled by members (one registry of this size would need ~4.4 "
        "GiB per million members, issue 9).", "", *HEAD,
    ]
    if province is not None:
        scaled = {k: v for k, v in province.items()}
        scaled["wall"] = province["wall"] * members / PROVINCE_MEMBERS
        lines.append(row("baseline: province run x members", scaled, None))
        lines.append(row(f"{counties} partitions, --jobs 2", m, scaled["wall"]))
    else:
        lines.append(row(f"{counties} partitions, --jobs 2", m, None))
    lines.append("")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="files,province,dask",
                        help="comma-separated cases: files, province, dask, nation")
    parser.add_argument("--nation-counties", type=int, default=100)
    parser.add_argument("--nation-members", type=int, default=10 * PROVINCE_MEMBERS)
    args = parser.parse_args()
    cases = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-batch-run-"))
    lines: list[str] = []
    start = time.perf_counter()
    try:
        jobs2 = bench_files(work, lines) if "files" in cases or "dask" in cases else None
        province = bench_province(work, lines) if "province" in cases else None
        if "dask" in cases and jobs2 is not None:
            bench_dask(work, lines, jobs2)
        if "nation" in cases:
            bench_nation(work, lines, args.nation_counties, args.nation_members, province)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    body = "\n".join([
        f"Command: `python benchmarks/bench_batch.py --only {args.only}` (one run of each; "
        f"{seconds(time.perf_counter() - start)} in all). Inputs generated once into "
        "benchmarks/data/batch/ with fixed seeds.",
        "",
        "One run each, on a machine shared with other work (up to 6 sessions on 2 cores): "
        "the numbers are noisy, and the ratio to the baseline of the same run is the one to "
        "read.",
        "",
        *lines,
        "Machine:",
        "",
        *machine_lines(),
    ])
    section = "Batch audits" if cases != {"nation"} else "Batch audits: many counties"
    print(f"wrote section to {replace_section(section, body)}")


if __name__ == "__main__":
    main()
