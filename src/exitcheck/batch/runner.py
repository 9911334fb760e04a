"""The per-unit audit function and the local process pool that runs it (docs/batch.md).

``audit_unit`` is a pure function of (unit, options) -> aggregates + files it wrote: the unit's
workbook (with --out-dir) and its findings part (parquet). What it returns is small: counts, the
village table and the household lists as Arrow tables, and the keys the roll-up needs to find
households and persons present in several units. Nothing per finding comes back, so the parent's
memory holds aggregates only, whatever the number of units; a worker holds one unit at a time.
``run_local`` runs the units in a process pool (``--jobs``); batch/dask_runner.py runs the same
function on a Dask cluster.
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exitcheck.batch.units import Unit
from exitcheck.pipeline import AuditOptions, Definitions

# Findings part, overlap keys: file names inside the parts folder (one per unit index).
PART_NAME = "{index:05d}.parquet"
KEYS_NAME = "{index:05d}.keys.parquet"


@dataclass(frozen=True)
class UnitTask:
    """Everything one unit's audit needs; picklable (sent to pool and Dask workers)."""

    index: int
    unit: Unit
    options: AuditOptions  # paths are the unit's
    fail_on: str
    lang: str
    show_ids: bool
    parts_dir: Path  # findings part + keys of this unit are written here
    workbook: Path | None = None  # the unit's own workbook (--out-dir)
    allow_incomplete: bool = False  # --allow-incomplete: no exit 5 for an incomplete audit
    # The roll-up's findings file: a unit workbook whose findings exceed report/detail.py's
    # limit names it on 明细 instead of listing them (the unit's rows are in it, 文件 column).
    findings_file: Path | None = None


@dataclass
class UnitOutcome:
    """What the roll-up keeps of one unit (aggregates only)."""

    index: int
    name: str
    label: str
    paths: list[str]
    exit_code: int
    error: str | None = None  # the unit could not be audited (zh); error_en below
    error_en: str | None = None
    counties: list[str] = field(default_factory=list)
    year: int | None = None
    region_name: str | None = None
    rows_read: int = 0
    rows_units: int = 0  # rows that became members, households, spells or villages
    rows_skipped: int = 0
    reconciled: bool = True
    inputs: list[dict[str, Any]] = field(default_factory=list)
    households: int = 0
    members: int = 0
    failing: int = 0
    at_risk: int = 0
    data_errors: int = 0
    not_evaluated: int = 0  # households with a not_evaluated finding
    rules_not_run: list[str] = field(default_factory=list)
    findings: int = 0  # rows written to the findings part (every status)
    by_status: dict[str, int] = field(default_factory=dict)
    # rule -> [violated findings, violated households]
    by_rule: dict[str, list[int]] = field(default_factory=dict)
    villages: Any = None  # pyarrow.Table: Summary.villages + unit
    failing_list: Any = None  # pyarrow.Table: the failing households (masked unless --show-ids)
    at_risk_list: Any = None
    part: str | None = None  # findings part (parquet) path
    keys: str | None = None  # overlap keys (parquet) path
    workbook: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mib: float = 0.0


# Rule files parsed once per process (a forked or forkserver child inherits the parent's).
_DEFINITIONS: dict[tuple[Any, ...], Definitions] = {}


def definitions_for(options: AuditOptions) -> Definitions:
    from exitcheck.pipeline import load_definitions

    key = (tuple(map(str, options.rules)), tuple(map(str, options.params)),
           tuple(options.select), tuple(options.ignore), str(options.exemptions))
    hit = _DEFINITIONS.get(key)
    if hit is None:
        hit = _DEFINITIONS[key] = load_definitions(options)
    return hit


def audit_unit(task: UnitTask) -> UnitOutcome:
    """Audit one unit; an input error (or any failure) is the unit's outcome, not a crash."""
    from exitcheck.errors import ExitcheckError
    from exitcheck.exitcodes import ExitCode

    start = time.perf_counter()
    out = UnitOutcome(index=task.index, name=task.unit.name, label=task.unit.label,
                      paths=[str(p) for p in task.unit.paths], exit_code=0)
    try:
        _audit_into(task, out)
    except ExitcheckError as err:
        out.exit_code = int(err.exit_code)
        out.error, out.error_en = err.render("zh"), err.render("en")
    except MemoryError:
        out.exit_code = int(ExitCode.INPUT_UNREADABLE)
        out.error = "内存不足，无法处理该单元（请减少 --jobs 或拆分文件）"
        out.error_en = "out of memory for this unit (lower --jobs or split the file)"
    except Exception as exc:  # a bug in one unit must not lose the others
        out.exit_code = int(ExitCode.INTERNAL_ERROR)
        out.error = out.error_en = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
    if out.error and not task.show_ids:
        from exitcheck.report.mask import mask_text

        out.error, out.error_en = mask_text(out.error), mask_text(out.error_en or "")
    out.seconds = time.perf_counter() - start
    out.peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _audit_into(task: UnitTask, out: UnitOutcome) -> None:
    from exitcheck.aggregate import summarize
    from exitcheck.batch.findings_file import write_part
    from exitcheck.pipeline import run_audit
    from exitcheck.report.detail import detail_note, exceeds_limit
    from exitcheck.report.excel import write_workbook

    options = replace(task.options, paths=list(task.unit.paths), notes=[])
    result = run_audit(options, definitions=definitions_for(options))
    detail = None
    if task.workbook is not None and task.findings_file is not None and exceeds_limit(result):
        detail = task.findings_file
        result.notes.append(detail_note(result, detail, task.lang))
    summary = summarize(result, fail_on=task.fail_on, allow_incomplete=task.allow_incomplete,
                        lang=task.lang)
    if task.workbook is not None:
        write_workbook(result, summary, task.workbook, lang=task.lang, show_ids=task.show_ids,
                       detail_file=detail)
        out.workbook = str(task.workbook)
    part = task.parts_dir / PART_NAME.format(index=task.index)
    out.findings = write_part(result, part, unit=task.unit.label, lang=task.lang,
                              show_ids=task.show_ids)
    out.part = str(part)
    keys = task.parts_dir / KEYS_NAME.format(index=task.index)
    write_keys(result, keys)
    out.keys = str(keys)
    _fill(out, result, summary, task)


def _fill(out: UnitOutcome, result: Any, summary: Any, task: UnitTask) -> None:
    import pyarrow as pa

    from exitcheck.report import tables as T

    out.exit_code = int(summary.exit_code)
    out.year, out.region_name = result.year, result.region_name or result.region
    households = result.registry.households
    if "county" in households.columns:
        counties = households["county"].astype("string").dropna().unique()
        out.counties = sorted(str(c) for c in counties if str(c).strip())
    if not out.counties and task.unit.origin == "partition":  # 县=XX/part.parquet
        out.counties = [task.unit.name]
    out.rows_read = sum(acc.rows_read for acc in summary.inputs)
    out.rows_skipped = sum(acc.skipped_total for acc in summary.inputs)
    out.rows_units = sum(acc.member_rows if acc.units < 0 else acc.units
                         for acc in summary.inputs)
    out.reconciled = summary.rows_reconciled
    out.inputs = [{"path": str(acc.path), "sheet": acc.sheet, "table": acc.table,
                   "rows_read": acc.rows_read, "units": acc.units,
                   "rows_skipped": dict(acc.skipped), "reconciled": acc.reconciled}
                  for acc in summary.inputs]
    out.households, out.members = summary.households, summary.members
    v = summary.verdicts
    for name, col in (("failing", "failing"), ("at_risk", "at_risk"),
                      ("data_errors", "data_error")):
        setattr(out, name, int(v[col].sum()) if len(v) else 0)
    out.not_evaluated = summary.not_evaluated_households
    out.rules_not_run = [n.code for n in result.not_run]
    out.by_status = dict(summary.by_status)
    rules = summary.rules
    hit = rules[rules["violated_findings"] > 0]
    out.by_rule = {str(code): [int(n), int(h)] for code, n, h in zip(
        hit.index, hit["violated_findings"], hit["violated_households"], strict=True)}
    villages = summary.villages.assign(unit=out.label)
    out.villages = pa.Table.from_pandas(villages, preserve_index=False)
    for which, attr in (("failing", "failing_list"), ("at_risk", "at_risk_list")):
        table = T.households_table(summary, which, task.lang, show_ids=task.show_ids)
        frame = table.frame.assign(
            unit=out.label,
            county=v.loc[v[which].astype(bool), "county"].astype("string").fillna("")
            .to_numpy(dtype=object))
        setattr(out, attr, pa.Table.from_pandas(frame, preserve_index=False))
    out.notes = [str(n) for n in summary.notes]


def write_keys(result: Any, path: Path) -> None:
    """The unit's household IDs and persons' ID numbers with the row each was read from (the
    roll-up finds the ones present in several units: batch/overlap.py)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    registry = result.registry

    def where(frame: pd.DataFrame) -> np.ndarray:
        inputs = pd.to_numeric(frame["_input"], errors="coerce").fillna(-1).astype("int64")
        rows = pd.to_numeric(frame["_row"], errors="coerce").fillna(0).astype("int64")
        names = np.array([f"{inp.path.name} {inp.sheet}!" for inp in registry.inputs] + [""],
                         dtype=object)
        row = rows.astype(str).to_numpy(dtype=object)
        return names[inputs.to_numpy()] + row + ":" + row

    hh = registry.households
    households = pd.DataFrame({
        "kind": "household",
        "key": hh.index.astype("string").to_numpy(dtype=object),
        "household_id": hh.index.astype("string").to_numpy(dtype=object),
        "member_id": None,
        "location": where(hh) if {"_input", "_row"} <= set(hh.columns) else "",
    })
    frames = [households]
    m = registry.members
    if "id_number" in m.columns and len(m):
        ids = m["id_number"].astype("string").str.strip().str.upper()
        keep = (ids.str.len() >= 15).fillna(False).to_numpy(dtype=bool)
        sub = m[keep]
        frames.append(pd.DataFrame({
            "kind": "person",
            "key": ids[keep].to_numpy(dtype=object),
            "household_id": sub["household_id"].astype("string").to_numpy(dtype=object),
            "member_id": sub["member_id"].astype("string").to_numpy(dtype=object)
            if "member_id" in sub.columns else None,
            "location": where(sub),
        }))
    table = pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False,
                                 schema=pa.schema([(c, pa.string()) for c in
                                                   ("kind", "key", "household_id", "member_id",
                                                    "location")]))
    pq.write_table(table, path)


# -- the local pool ------------------------------------------------------------------------------

# Memory one worker needs, by input format, per byte of the largest unit's files (measured:
# docs/PERFORMANCE.md: 18 MiB xlsx -> 0.73 GiB; 25 MiB parquet (1M members) -> 1.73 GiB,
# ~60 a byte, taken as 80 for exports that compress better; a 2.5 MiB county partition ->
# 515 MiB).
_BYTES_FACTOR = {".xlsx": 40, ".xlsm": 40, ".ods": 40, ".xls": 12, ".csv": 8,
                 ".parquet": 80, ".pq": 80}
_BASE_MIB = 300  # interpreter, libraries, rule files


def estimate_unit_mib(unit: Unit) -> float:
    total = 0.0
    for p in unit.paths:
        with contextlib.suppress(OSError):
            total += p.stat().st_size * _BYTES_FACTOR.get(p.suffix.lower(), 40)
    return _BASE_MIB + total / 2**20


def available_mib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_jobs(units: Sequence[Unit]) -> tuple[int, str]:
    """Cores, capped by the memory available over the largest unit's estimate; and why."""
    cores = usable_cores()
    need = max((estimate_unit_mib(u) for u in units), default=_BASE_MIB)
    avail = available_mib()
    by_memory = cores if avail is None else max(1, int(avail * 0.8 // need))
    jobs = max(1, min(cores, by_memory, len(units)))
    return jobs, f"cores={cores} available={avail and round(avail)} MiB per-unit≈{round(need)} MiB"


def run_local(tasks: Sequence[UnitTask], jobs: int,
              on_done: Callable[[UnitOutcome], None] | None = None) -> list[UnitOutcome]:
    """Run ``audit_unit`` over the tasks: in this process with one job, else in a pool of
    ``jobs`` processes, each auditing one unit and exiting (so a worker's memory is one unit's).
    Children start from a forkserver that has imported exitcheck and parsed the rule files."""
    outcomes: list[UnitOutcome] = []
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            outcomes.append(audit_unit(task))
            if on_done:
                on_done(outcomes[-1])
        return outcomes
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["exitcheck.batch._warm"])
    os.environ["EXITCHECK_WARM"] = _warm_key(tasks[0].options)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, max_tasks_per_child=1) as pool:
        futures = [pool.submit(audit_unit, task) for task in tasks]
        for future in as_completed(futures):
            outcomes.append(future.result())
            if on_done:
                on_done(outcomes[-1])
    return sorted(outcomes, key=lambda o: o.index)


def _warm_key(options: AuditOptions) -> str:
    """The rule options the forkserver parses before forking (batch/_warm.py)."""
    import json

    return json.dumps({"rules": [str(p) for p in options.rules],
                       "params": [str(p) for p in options.params],
                       "select": list(options.select), "ignore": list(options.ignore),
                       "exemptions": str(options.exemptions) if options.exemptions else None})
