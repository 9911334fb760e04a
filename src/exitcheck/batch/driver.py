"""A batch audit end to end: plan units, run them (pool or Dask), find overlaps, write the roll-up.

Called by cli/audit_cmd.py when the inputs are several units or --out-dir/--jobs/--scheduler is
given. No terminal output here except through the ``echo`` callback the CLI passes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from exitcheck.batch.messages import MSG
from exitcheck.batch.rollup import FINDINGS_STEM, ROLLUP_STEM, Rollup, build_rollup, skipped_note
from exitcheck.batch.runner import UnitOutcome, UnitTask, default_jobs, run_local
from exitcheck.batch.units import Plan
from exitcheck.errors import UsageError
from exitcheck.pipeline import AuditOptions
from exitcheck.report.messages import MSG as REPORT_MSG


@dataclass
class BatchOptions:
    plan: Plan
    audit: AuditOptions  # paths ignored: each unit's own
    fail_on: str
    lang: str
    show_ids: bool
    out_dir: Path | None = None
    workbook: Path | None = None  # the roll-up workbook (None: --no-excel)
    json_path: Path | None = None
    junit_path: Path | None = None
    jobs: int | None = None  # None: default_jobs
    scheduler: str | None = None  # "local" or "tcp://host:8786"
    findings_format: str = "parquet"
    notes: list[str] = field(default_factory=list)
    allow_incomplete: bool = False


def rollup_workbook(out_dir: Path | None) -> Path:
    """Default roll-up path: in --out-dir, else the current folder."""
    return (out_dir or Path.cwd()) / f"{ROLLUP_STEM}.xlsx"


def run_batch(opts: BatchOptions, echo: Callable[[str], None] | None = None) -> Rollup:
    """Audit every unit, then write the roll-up outputs; returns the roll-up (exit_code set)."""
    from exitcheck.batch.overlap import overlap_findings
    from exitcheck.pipeline import load_definitions

    if opts.out_dir is not None:
        if opts.out_dir.exists() and not opts.out_dir.is_dir():
            zh, en = MSG.both("out_dir_not_folder", path=opts.out_dir)
            raise UsageError(zh, message_en=en, location="--out-dir")
        opts.out_dir.mkdir(parents=True, exist_ok=True)
    remote = opts.scheduler is not None and opts.scheduler != "local"
    if remote and opts.out_dir is None:
        zh, en = MSG.both("dask_out_dir")
        raise UsageError(zh, message_en=en, location="--scheduler")
    # Rule files first: a broken one is exit 4 before any unit starts (and DQ120 is needed).
    definitions = load_definitions(opts.audit)
    overlap_rule = definitions.ruleset.get("DQ120")

    parts_dir = Path(tempfile.mkdtemp(prefix=".exitcheck-parts-", dir=opts.out_dir))
    try:
        tasks = [
            UnitTask(index=i, unit=unit, options=replace(opts.audit, paths=list(unit.paths)),
                     fail_on=opts.fail_on, lang=opts.lang, show_ids=opts.show_ids,
                     parts_dir=parts_dir,
                     workbook=(opts.out_dir / f"{unit.name}_核查结果.xlsx"
                               if opts.out_dir is not None and opts.workbook is not None
                               else None),
                     allow_incomplete=opts.allow_incomplete,
                     findings_file=(opts.out_dir / f"{FINDINGS_STEM}.{opts.findings_format}"
                                    if opts.out_dir is not None else None))
            for i, unit in enumerate(opts.plan.units)
        ]
        done = 0

        def progress(outcome: UnitOutcome) -> None:
            nonlocal done
            done += 1
            if echo is not None:
                echo(MSG("progress", opts.lang, done=done, total=len(tasks), unit=outcome.label,
                         code=outcome.exit_code, seconds=outcome.seconds))

        if opts.scheduler is not None:
            from exitcheck.batch.dask_runner import run_dask

            outcomes, runner = run_dask(tasks, opts.scheduler, on_done=progress)
            runner = MSG("dask_line", opts.lang, address=runner[0], workers=runner[1])
        else:
            jobs, why = (opts.jobs, "--jobs") if opts.jobs else default_jobs(opts.plan.units)
            outcomes = run_local(tasks, jobs, on_done=progress)
            runner = MSG("jobs_line", opts.lang, jobs=jobs, why=why)

        overlaps = overlap_findings(outcomes, overlap_rule, opts.lang)
        notes = list(opts.notes)
        if opts.plan.skipped:
            notes.append(skipped_note(opts.plan.skipped, opts.lang))
        rollup = build_rollup(outcomes, overlaps, opts.fail_on, notes)
        rollup.runner = runner
        _write_outputs(rollup, opts)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return rollup


def _write_outputs(rollup: Rollup, opts: BatchOptions) -> None:
    from exitcheck.batch import report
    from exitcheck.batch.findings_file import merge_parts
    from exitcheck.report.detail import detail_limit

    limit = detail_limit()
    limit_exceeded = rollup.findings_total > limit
    target_dir = opts.out_dir or (opts.workbook.parent if opts.workbook is not None else None)
    if opts.out_dir is not None or (limit_exceeded and target_dir is not None):
        assert target_dir is not None
        path = target_dir / f"{FINDINGS_STEM}.{opts.findings_format}"
        extra = None
        if len(rollup.overlaps):
            extra = _overlap_part(rollup, opts.show_ids)
        merge_parts(rollup.parts, path, opts.findings_format, extra=extra)
        rollup.findings_file = path
    if limit_exceeded:
        rollup.notes.append(
            REPORT_MSG("detail_in_file", opts.lang, n=rollup.findings_total,
                limit=limit, path=rollup.findings_file)
            if rollup.findings_file else
            MSG("detail_none", opts.lang, n=rollup.findings_total, limit=limit))
    if opts.out_dir is not None and opts.workbook is not None:
        rollup.unit_workbooks = sum(1 for o in rollup.outcomes if o.workbook)
        rollup.outputs["units"] = opts.out_dir
    if opts.workbook is not None:
        report.write_workbook(rollup, opts.workbook, opts.lang, opts.show_ids)
        rollup.outputs["rollup"] = opts.workbook
    if rollup.findings_file is not None:
        rollup.outputs["findings"] = rollup.findings_file
    if opts.junit_path is not None:
        report.write_junit(rollup, opts.junit_path, opts.lang, opts.show_ids)
        rollup.outputs["junit"] = opts.junit_path
    if opts.json_path is not None:
        rollup.outputs["json"] = opts.json_path
        report.write_json(report.build_json(rollup, opts.lang, opts.show_ids), opts.json_path)


def _overlap_part(rollup: Rollup, show_ids: bool):  # -> pyarrow.Table
    """The overlap findings in the findings file's columns."""
    import pandas as pd
    import pyarrow as pa

    from exitcheck.batch.findings_file import COLUMNS, SCHEMA
    from exitcheck.report.jsonsafe import compact_json
    from exitcheck.report.mask import clean_values, mask_text_series

    f = rollup.overlaps
    frame = pd.DataFrame({c: pd.Series(pd.NA, index=f.index, dtype="string") for c in COLUMNS})
    for key in ("unit", "rule", "family", "severity", "status", "household_id", "member_id",
                "location", "message"):
        text = f[key].astype("string")
        masked = key in ("household_id", "member_id", "location", "message",
                         "unit") and not show_ids
        frame[key] = mask_text_series(text).astype("string") if masked else text
    frame["values"] = [compact_json(clean_values(v or {}, show_ids=show_ids))
                       for v in f["values"]]
    return pa.Table.from_pandas(frame.reset_index(drop=True), schema=SCHEMA,
                                preserve_index=False)
