"""Rule evaluation benchmark: every shipped rule on ~1M member rows vs reading those rows from xlsx.

    python benchmarks/bench_evaluate.py    # needs benchmarks/data/county_1m.parquet

The Registry is built once from county_1m.parquet (load_registry, then add_age); only
`exitcheck.engine.evaluate.evaluate` is timed (best of 3), shipped rule set and parameters,
year 2019, region "51". The other side is the plain python-calamine read of the same rows as
xlsx (county_1m.xlsx, `make_data.py --only county_1m.xlsx`, about 10 minutes to write). Without
that file the 100k xlsx read is timed and scaled by member rows, and the section says so.
Target (issue Performance #3): evaluating takes less time than the read. Writes the
"Evaluating rules" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plain import best_of, fastest_plain_read
from _report import machine_lines, replace_section, seconds

DATA = Path(__file__).resolve().parent / "data"
PARQUET = DATA / "county_1m.parquet"
XLSX_1M = DATA / "county_1m.xlsx"
XLSX_100K = DATA / "county_100k.xlsx"
YEAR, REGION = 2019, "51"
RUNS = 3


def main() -> None:
    if not PARQUET.exists():
        sys.exit(f"missing {PARQUET}: run python benchmarks/make_data.py")
    from exitcheck.engine.evaluate import evaluate
    from exitcheck.engine.params import load_params
    from exitcheck.engine.ruleset import load_ruleset
    from exitcheck.schema.derive import add_age
    from exitcheck.schema.loader import load_registry

    as_of = date(YEAR, 12, 31)
    registry = add_age(load_registry([PARQUET]), as_of)
    ruleset, params = load_ruleset([]), load_params([])
    members = registry.n_members

    def run() -> object:
        return evaluate(registry, ruleset, params, year=YEAR, region=REGION, as_of=as_of)

    t_eval, result = best_of(run, RUNS)
    n_findings = len(result.findings)  # type: ignore[union-attr]
    n_rules = len(result.rules)  # type: ignore[union-attr]
    del result
    print(f"evaluate: {t_eval:.2f}s for {members:,} members, {n_rules} rules, "
          f"{n_findings:,} findings")

    if XLSX_1M.exists():
        runs = 1  # one 1M-row read is ~30 s and has little noise relative to its size
        t_read, _, rows = fastest_plain_read(XLSX_1M, runs)
        read_text = (f"{seconds(t_read)} (measured: `{XLSX_1M.name}`, {rows:,} sheet rows, "
                     f"{XLSX_1M.stat().st_size / 2**20:.0f} MiB, one run)")
        how = "measured"
    else:
        t_small, _, rows = fastest_plain_read(XLSX_100K, RUNS)
        from exitcheck.schema.loader import load_registry as _load

        small_members = _load([XLSX_100K]).n_members
        t_read = t_small * members / small_members
        read_text = (f"{seconds(t_read)} (**extrapolated**: `{XLSX_100K.name}` read in "
                     f"{seconds(t_small)} (best of {RUNS}) for {small_members:,} members, "
                     f"scaled linearly to {members:,} members)")
        how = "extrapolated"
    ratio = t_eval / t_read
    verdict = "met" if t_eval < t_read else "**missed**"
    print(f"plain xlsx read ({how}): {t_read:.2f}s; evaluate/read {ratio:.2f} ({verdict})")

    lines = [
        "Command: `python benchmarks/bench_evaluate.py` (inputs from "
        "`python benchmarks/make_data.py`; the 1M-row xlsx with `--only county_1m.xlsx`).", "",
        f"Times only `exitcheck.engine.evaluate.evaluate` (best of {RUNS}): every shipped rule "
        f"with the shipped parameters, year {YEAR}, region \"{REGION}\", on a Registry built "
        f"once from `{PARQUET.name}` (`load_registry` + `add_age`). Target: less time than "
        "reading the same rows from xlsx with the fastest reader (plain python-calamine "
        "`to_python()`).", "",
        "| members | households | rules run | findings | evaluate | plain xlsx read | "
        "evaluate / read | target |",
        "|---:|---:|---:|---:|---:|---|---:|---|",
        f"| {members:,} | {registry.n_households:,} | {n_rules} | {n_findings:,} | "
        f"{seconds(t_eval)} | {read_text} | {ratio:.2f} | {verdict} |",
        "", "Machine:", "", *machine_lines(),
    ]
    print(f"wrote section to {replace_section('Evaluating rules', chr(10).join(lines))}")


if __name__ == "__main__":
    main()
