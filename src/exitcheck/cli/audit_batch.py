"""`exitcheck audit` on several units (counties, datasets): the CLI side of exitcheck/batch.

audit_cmd.py hands over here when the inputs are several units (docs/batch.md) or when
--out-dir, --jobs or --scheduler is given; one unit without them keeps the single audit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from exitcheck.batch.units import Plan, plan_units


def batch_plan(files: list[Path], sheet: str | None, *, forced: bool) -> Plan | None:
    """The units when this run is a batch, else None (the single audit runs as before)."""
    if len(files) == 1 and not files[0].is_dir() and not forced:
        return None  # the common case: no planning, no header sniff
    plan = plan_units(files, sheet=sheet)
    return plan if plan.is_batch or forced else None


def planned_outputs(plan: Plan, out_dir: Path, findings_format: str, *,
                    unit_workbooks: bool) -> list[Path]:
    """The files a batch writes into --out-dir besides the roll-up."""
    from exitcheck.batch.rollup import FINDINGS_STEM

    units = [out_dir / f"{u.name}_核查结果.xlsx" for u in plan.units] if unit_workbooks else []
    return [*units, out_dir / f"{FINDINGS_STEM}.{findings_format}"]


def audit_batch(plan: Plan, options: object, *, fail_on: str, lang: str, show_ids: bool,
                out_dir: Path | None, output: Path | None, no_excel: bool,
                json_path: Path | None, junit_path: Path | None, json_stdout: bool,
                quiet: bool, jobs: int | None, scheduler: str | None,
                findings_format: str, force: bool = False,
                allow_incomplete: bool = False) -> None:
    """Run the batch and print the roll-up; exits with the roll-up's exit code."""
    from rich.console import Console

    from exitcheck.batch import report
    from exitcheck.batch.driver import BatchOptions, rollup_workbook, run_batch
    from exitcheck.batch.messages import MSG
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.errors import UsageError
    from exitcheck.report.atomic import refuse_existing_outputs

    if jobs is not None and jobs < 1:
        zh, en = MSG.both("jobs_invalid")
        raise UsageError(zh, message_en=en, location="--jobs")
    from exitcheck.batch.findings_file import FORMATS

    if findings_format not in FORMATS:
        raise UsageError(f"--findings-format 的取值 {findings_format!r} 无效，可选：parquet, csv",
                         message_en=f"invalid --findings-format {findings_format!r}: "
                                    "parquet or csv", location="--findings-format")
    workbook = None if no_excel else (output or rollup_workbook(out_dir))
    inputs = [p for unit in plan.units for p in unit.paths]
    written = [p for p in (workbook, json_path, junit_path) if p]
    check_outputs_differ(inputs, written)
    if out_dir is not None:
        written += planned_outputs(plan, out_dir, findings_format, unit_workbooks=not no_excel)
    refuse_existing_outputs(written, force=force, created=out_dir)
    opts = BatchOptions(plan=plan, audit=options, fail_on=fail_on, lang=lang,  # type: ignore[arg-type]
                        show_ids=show_ids, out_dir=out_dir, workbook=workbook,
                        json_path=json_path, junit_path=junit_path, jobs=jobs,
                        scheduler=scheduler, findings_format=findings_format,
                        allow_incomplete=allow_incomplete)
    stderr = Console(stderr=True)
    show_progress = not quiet and not json_stdout and stderr.is_terminal
    rollup = run_batch(opts, echo=(lambda line: stderr.print(line, highlight=False))
                       if show_progress else None)
    if json_stdout:
        report.write_json_stream(report.build_json(rollup, lang, show_ids), sys.stdout)
    elif quiet:
        typer.echo(report.verdict_line(rollup, lang))
    else:
        report.render_console(rollup, Console(), lang, show_ids)
    raise typer.Exit(rollup.exit_code)
