"""Long adversarial run (issue 12): >= 10,000 hostile inputs through `exitcheck audit`.

    .venv/bin/python benchmarks/fuzz_hostile.py --cases 10000 --workers 2
    .venv/bin/python benchmarks/fuzz_hostile.py --report-only /tmp/fuzz/results.jsonl

Cases come from the generators of tests/adversarial/hostile.py (weighted by class) plus a
hypothesis-driven byte mutation of sample_data/county_2019.xlsx. Each case runs in a child
forked from a warmed-up worker (tests/adversarial/harness.py), under an address-space limit
(``resource.setrlimit(RLIMIT_AS)``, --mem-mb) and a timeout; every promise is checked (exit
code documented and not 70, no traceback, message naming the file, inputs unchanged, no
partial output, no identifier unmasked, no formula, no terminal escape). Results go to a JSON
lines file; the figures (cases by class, failures by kind, peak memory, time) are written to
docs/ROBUSTNESS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "adversarial"))

import harness  # noqa: E402
import hostile  # noqa: E402

# Share of generated cases per class. Classes whose files pass the read stage cost a whole
# audit (~0.7 s CPU) instead of ~0.05 s, so they get smaller shares.
WEIGHTS = {
    "zip_truncate": 9, "zip_bitflip": 10, "zip_bad_central_directory": 8,
    "zip_odd_version": 6, "zip_bomb": 3, "xlsx_huge_dimension": 1, "xlsx_far_cell": 6,
    "xlsx_bad_reference": 5, "xlsx_sst_out_of_range": 4, "xlsx_entities": 4,
    "xls_biff_mutation": 8, "ods_mutation": 4, "csv_hostile": 5, "parquet_hostile": 3,
    "cells_hostile": 2, "privacy": 1,
}
HYPOTHESIS_CLASS = "hypothesis_sample_mutation"


def run_one(cls: str, case_dir: Path, make, args) -> dict:
    inputs_dir = case_dir / "in"
    out_dir = case_dir / "out"
    for d in (inputs_dir, out_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    try:
        case = make(inputs_dir)
    except Exception as exc:
        return {"class": cls, "skipped": f"generator: {type(exc).__name__}: {exc}"[:200]}
    hashes = {p: harness.sha256(p) for p in case.inputs}
    outcome = harness.run_forked(harness.audit_args(case.inputs, out_dir, case.extra_args),
                                 out_dir, timeout=args.timeout, mem_limit_mb=args.mem_mb)
    result = harness.check(outcome, case.inputs, hashes, out_dir, identifiers=case.identifiers)
    record = {"class": cls, "code": outcome.code, "seconds": round(outcome.seconds, 3),
              "cpu": round(outcome.cpu_seconds, 3), "rss_mb": round(outcome.peak_rss_mb, 1),
              "failures": result.failures, "details": result.details[:3]}
    if result.failures and args.keep:
        keep = Path(args.keep) / result.failures[0]
        keep.mkdir(parents=True, exist_ok=True)
        if len(list(keep.iterdir())) < 20:
            for p in case.inputs:
                shutil.copy(p, keep / f"{cls}-{time.monotonic_ns()}-{p.name}"[-120:])
    return record


def worker(index: int, args, results: Path) -> None:
    rng = random.Random(args.seed * 1000 + index)
    work = Path(args.workdir) / f"w{index}"
    work.mkdir(parents=True, exist_ok=True)
    classes = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in classes]
    per_worker = args.cases // args.workers
    hyp = args.hypothesis // args.workers
    with open(results.with_suffix(f".{index}.jsonl"), "a", encoding="utf-8") as log:
        for _ in range(per_worker - hyp):
            cls = rng.choices(classes, weights)[0]
            seed = rng.randrange(2**32)
            record = run_one(cls, work / "case",
                             lambda d, c=cls, s=seed: hostile.CLASSES[c](d, random.Random(s)),
                             args)
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
            log.flush()
        if hyp:
            _hypothesis(hyp, index, args, work, log)


def _hypothesis(count: int, index: int, args, work: Path, log) -> None:
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    sample = hostile.SAMPLE_XLSX.read_bytes()
    n = len(sample)
    # Where the bytes are: anywhere (uniform), or in the zip headers at both ends.
    position = st.one_of(st.integers(0, n - 1), st.integers(0, 2048),
                         st.integers(max(0, n - 4096), n - 1))
    mutation = st.tuples(position, st.integers(0, 255),
                         st.sampled_from(["set", "xor", "delete", "insert", "truncate"]))

    @seed(args.seed * 7 + index)
    @settings(max_examples=count, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(mutation, min_size=1, max_size=12))
    def mutate(mutations: list[tuple[int, int, str]]) -> None:
        def make(dest: Path) -> hostile.Case:
            data = bytearray(sample)
            for pos, value, how in mutations:
                pos = min(pos, len(data) - 1)
                if how == "set":
                    data[pos] = value
                elif how == "xor":
                    data[pos] ^= value or 1
                elif how == "delete":
                    del data[pos:pos + 1 + value % 16]
                elif how == "insert":
                    data[pos:pos] = bytes([value]) * (1 + value % 16)
                elif len(data) > 1:
                    del data[max(1, pos):]
                if not data:
                    data = bytearray(b"P")
            path = dest / "county_2019.xlsx"
            path.write_bytes(bytes(data))
            return hostile.Case([path])

        record = run_one(HYPOTHESIS_CLASS, work / "case", make, args)
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.flush()

    mutate()


def load(results: Path) -> list[dict]:
    records = []
    for part in sorted(results.parent.glob(results.stem + ".*.jsonl")) + (
            [results] if results.exists() else []):
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pass
    return records


def report(records: list[dict], doc: Path, args, elapsed: float | None) -> None:
    ran = [r for r in records if "skipped" not in r]
    by_class: dict[str, Counter] = defaultdict(Counter)
    failures: Counter = Counter()
    examples: dict[str, str] = {}
    peak = {"rss": 0.0, "class": ""}
    slowest = {"s": 0.0, "class": ""}
    for r in ran:
        c = by_class[r["class"]]
        c["cases"] += 1
        c[f"exit {r['code']}"] += 1
        c["failed"] += bool(r["failures"])
        c["cpu"] += r["cpu"]
        c["rss_max"] = max(c["rss_max"], r["rss_mb"])
        for kind in r["failures"]:
            failures[kind] += 1
            examples.setdefault(kind, f"{r['class']}: {r['details'][0] if r['details'] else ''}")
        if r["rss_mb"] > peak["rss"]:
            peak = {"rss": r["rss_mb"], "class": r["class"]}
        if r["seconds"] > slowest["s"]:
            slowest = {"s": r["seconds"], "class": r["class"]}
    codes = sorted({k for c in by_class.values() for k in c if k.startswith("exit ")},
                   key=lambda k: (k == "exit None", k))
    lines = [
        "# Robustness: the long adversarial run",
        "",
        "Produced by `benchmarks/fuzz_hostile.py` (issue 12); the fast part of the same checks "
        "runs in the normal suite (`tests/adversarial/`, marker `adversarial`).",
        "",
        "Each case is one hostile input given to `exitcheck audit FILE -o out.xlsx --json "
        "out.json --junit out.xml`, run in a child forked from a warmed-up worker (the shipped "
        "rule files parsed once per worker: the cases are about inputs) under an address-space "
        f"limit of {args.mem_mb} MB (`resource.setrlimit(RLIMIT_AS)`) and a {args.timeout:.0f} s "
        "timeout. A case fails when any of these breaks: exit code documented and not 70 "
        "(INTERNAL_ERROR); no Python traceback on stderr; an exit-3 message naming the file; "
        "the inputs' sha256 unchanged; no temp file or output left by a failed run; no input "
        "identifier (ID, mobile, bank card, incl. those planted in names, villages, headers, "
        "sheet and file names) in stdout, stderr, any workbook cell or sheet name (read back "
        "with openpyxl), the JSON or the JUnit XML; no formula cell in the workbook; no ESC "
        "character on the terminal.",
        "",
        f"Run: {len(ran)} cases ({len(records) - len(ran)} generator errors not counted), "
        f"seed {args.seed}, {args.workers} workers"
        + (f", {elapsed / 60:.0f} min wall time" if elapsed else "") + ".",
        "",
        "## Summary",
        "",
        f"- cases: **{len(ran)}**",
        f"- cases with any failure: **{sum(bool(r['failures']) for r in ran)}**",
    ]
    for kind in ("traceback", "internal_error", "undocumented_exit", "killed", "timeout",
                 "unmasked_id", "formula", "partial_output", "input_changed",
                 "message_without_file", "control_chars", "bad_json", "bad_junit",
                 "bad_workbook"):
        lines.append(f"- {kind}: {failures.get(kind, 0)}")
    lines += [
        f"- peak memory of one case (max RSS of the child, the warmed worker's ~100-150 MB "
        f"included): **{peak['rss']:.0f} MB** ({peak['class']}); bound enforced: "
        f"{args.mem_mb} MB address space",
        f"- slowest case: {slowest['s']:.1f} s wall ({slowest['class']}) on a shared 2-core "
        "machine",
        "",
        "## Cases by class",
        "",
        "| class | cases | failed | " + " | ".join(codes) + " | max RSS MB | mean CPU s |",
        "|---|---:|---:|" + "---:|" * len(codes) + "---:|---:|",
    ]
    for cls in sorted(by_class):
        c = by_class[cls]
        lines.append(f"| {cls} | {c['cases']} | {c['failed']} | "
                     + " | ".join(str(c.get(k, 0)) for k in codes)
                     + f" | {c['rss_max']:.0f} | {c['cpu'] / max(c['cases'], 1):.2f} |")
    lines += ["", "## Failures by kind", ""]
    if failures:
        lines += ["| kind | cases | first example |", "|---|---:|---|"]
        for kind, n in failures.most_common():
            example = examples[kind].replace("|", "\\|").replace("\n", " ")[:220]
            lines.append(f"| {kind} | {n} | {example} |")
    else:
        lines.append("None.")
    lines.append("")
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--hypothesis", type=int, default=1_000,
                        help="of --cases, how many are hypothesis mutations of the sample")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--mem-mb", type=int, default=3072)
    parser.add_argument("--workdir", default="/tmp/exitcheck-fuzz")
    parser.add_argument("--keep", default="/tmp/exitcheck-fuzz/failing",
                        help="copy up to 20 failing inputs per kind here")
    parser.add_argument("--doc", default=str(REPO / "docs" / "ROBUSTNESS.md"))
    parser.add_argument("--report-only", metavar="RESULTS")
    args = parser.parse_args()
    if args.report_only:
        report(load(Path(args.report_only)), Path(args.doc), args, None)
        return
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results = work / "results.jsonl"
    for old in work.glob("results.*.jsonl"):
        old.unlink()
    start = time.monotonic()
    harness.warm_up(work / "warm")
    hostile.small_xlsx(), hostile.small_xls(), hostile.base_table(6)
    children = []
    for index in range(args.workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                worker(index, args, results)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            os._exit(code)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    report(load(results), Path(args.doc), args, time.monotonic() - start)
    print(Path(args.doc).read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
