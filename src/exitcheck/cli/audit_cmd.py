"""`exitcheck audit FILE...`: run every rule and write the terminal, Excel, JSON and JUnit reports."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang, set_show_ids
from exitcheck.cli.choices import FailOn, Lang, OutputFormat
from exitcheck.cli.options import AsOfOpt, LangOpt, ParamsOpt, RegionOpt, RulesOpt, YearOpt
from exitcheck.errors import UsageError


def _split(values: list[str] | None) -> list[str]:
    """`--select INC,EDU --select DQ001` -> ["INC", "EDU", "DQ001"]."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def default_output(first_input: Path) -> Path:
    """`county.xlsx` -> `./county_核查结果.xlsx` in the current folder (never next to the input)."""
    return Path.cwd() / f"{first_input.stem}_核查结果.xlsx"


def check_outputs_differ(inputs: list[Path], outputs: list[Path]) -> None:
    """An output path equal to an input would destroy the input: refuse before doing any work."""
    resolved = {p.resolve() for p in inputs}
    for out in outputs:
        if out.resolve() in resolved:
            raise UsageError(
                f"输出文件 {out} 与输入文件相同，已拒绝（输入文件永不修改）",
                message_en=f"output {out} is one of the inputs; refused (inputs are never modified)",
            )


def audit(
    files: Annotated[list[Path], typer.Argument(help="登记表文件（xlsx/xls/csv/parquet），可多个 Registry exports", show_default=False)],
    year: YearOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只运行这些规则（代码、前缀或名称，逗号分隔）Only these rules")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="跳过这些规则 Skip these rules")] = None,
    exemptions: Annotated[Path | None, typer.Option("--exemptions", help="豁免清单 Exemption list (yaml/csv/xlsx)")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="结果工作簿路径；默认 ./<输入名>_核查结果.xlsx Workbook path")] = None,
    no_excel: Annotated[bool, typer.Option("--no-excel", help="不写工作簿 Do not write the workbook")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="终端输出：rich 报告或 json（仅 JSON 于 stdout）")] = OutputFormat.rich,
    json_path: Annotated[Path | None, typer.Option("--json", help="另存 JSON 报告 Write the JSON report")] = None,
    junit_path: Annotated[Path | None, typer.Option("--junit", help="另存 JUnit XML Write JUnit XML")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="达到该严重程度即以 1 退出 Exit 1 at or above this severity")] = FailOn.fail,
    lang: LangOpt = Lang.zh,
    show_ids: Annotated[bool, typer.Option("--show-ids", help="输出中显示完整证件号码（默认脱敏）Unmask ID numbers")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="只输出结论与问题数 Only the verdict and counts")] = False,
    top: Annotated[int, typer.Option("--top", min=0, help="终端列出的未达标户、风险户各几户 Households listed per list")] = 10,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称或序号 Sheet name or 1-based index")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="CSV 编码（默认自动识别）CSV encoding")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", help="表头映射文件 Header mapping YAML")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="批量：每个单元一个工作簿、汇总与明细文件写入此文件夹 Batch output folder")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="批量：并行进程数（默认按核数与内存）Units audited in parallel")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="批量：Dask 调度器 tcp://host:8786 或 local Dask scheduler")] = None,
    findings_format: Annotated[str, typer.Option("--findings-format", help="批量明细文件格式 parquet|csv Findings file format")] = "parquet",
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件 Replace existing output files")] = False,
    allow_incomplete: Annotated[bool, typer.Option("--allow-incomplete", help="退出标准某类无一户可核查时仍以 0 退出（默认退出码 5）Accept an incomplete audit")] = False,
) -> None:
    """核查脱贫退出标准并输出报告 Audit registry exports against the exit standard."""
    set_lang(lang.value)
    set_show_ids(show_ids)
    from exitcheck.cli.audit_batch import batch_plan

    # Several counties/datasets, or batch options: each unit audited apart (docs/batch.md).
    plan = batch_plan(files, sheet, forced=bool(out_dir or jobs or scheduler))
    if plan is not None:
        from exitcheck.cli.audit_batch import audit_batch
        from exitcheck.pipeline import AuditOptions
        from exitcheck.scope import parse_as_of

        audit_batch(plan, AuditOptions(
            paths=[], year=year, region=region, as_of=parse_as_of(as_of), sheet=sheet,
            encoding=encoding, columns=columns, rules=rules or [], params=params or [],
            select=_split(select), ignore=_split(ignore), exemptions=exemptions,
            lang=lang.value), fail_on=fail_on.value, lang=lang.value, show_ids=show_ids,
            out_dir=out_dir, output=output, no_excel=no_excel, json_path=json_path,
            junit_path=junit_path, json_stdout=fmt is OutputFormat.json, quiet=quiet, jobs=jobs,
            scheduler=scheduler, findings_format=findings_format, force=force,
            allow_incomplete=allow_incomplete)
    from exitcheck.inputs import expand_inputs
    from exitcheck.io import prefetch

    given, files = files, expand_inputs(files)  # a folder: the dataset's tables in it
    prefetch.start(files, sheet)  # parses while the rest is imported (io/prefetch.py)
    from rich.console import Console

    from exitcheck.cli.progress import AuditProgress
    from exitcheck.pipeline import AuditOptions, run_audit
    from exitcheck.report.console import quiet_lines, render_console
    from exitcheck.scope import parse_as_of

    as_of_date = parse_as_of(as_of)
    workbook = None if no_excel else (output or default_output(given[0]))
    written = [p for p in (workbook, json_path, junit_path) if p is not None]
    check_outputs_differ(files, written)
    from exitcheck.report.atomic import refuse_existing_outputs

    refuse_existing_outputs(written, force=force)

    stderr = Console(stderr=True)
    show_progress = fmt is OutputFormat.rich and not quiet and stderr.is_terminal
    options = AuditOptions(
        paths=files, year=year, region=region, as_of=as_of_date, sheet=sheet, encoding=encoding,
        columns=columns, rules=rules or [], params=params or [], select=_split(select),
        ignore=_split(ignore), exemptions=exemptions, lang=lang.value,
    )
    with AuditProgress(stderr, lang.value) if show_progress else nullcontext() as shown:
        result = run_audit(options, progress=shown)
        if shown is not None:
            shown("write")
        summary, outputs = _write(result, fail_on, lang, show_ids, workbook, json_path,
                                  junit_path, allow_incomplete=allow_incomplete, force=force)
    _warn_on_stderr(stderr, result, summary, show_ids, lang.value)

    if fmt is OutputFormat.json:
        from exitcheck.report.json_report import write_report

        write_report(result, summary, sys.stdout, show_ids=show_ids, lang=lang.value)
    elif quiet:
        for line in quiet_lines(summary, lang.value):
            typer.echo(line)
    else:
        render_console(result, summary, Console(), lang=lang.value, outputs=outputs,
                       show_ids=show_ids, top=top)
    raise typer.Exit(int(summary.exit_code))


def _warn_on_stderr(stderr, result, summary, show_ids: bool, lang: str) -> None:
    """What must not pass quietly, also on stderr (seen even with -q or --format json): headers
    that almost name a needed field, with their --columns line; a member table without member
    rows; an incomplete audit."""
    import pandas as pd
    from rich.text import Text

    from exitcheck.exitcodes import ExitCode
    from exitcheck.report.mask import inert
    from exitcheck.schema.messages import MSG as SCHEMA_MSG

    lines = list(result.column_hints)
    registry = result.registry
    if registry.single_row_households and registry.n_members:
        column = registry.households.get("household_size")
        multi = 0 if column is None else int((pd.to_numeric(column, errors="coerce") > 1).sum())
        lines.append(SCHEMA_MSG("note_single_row", lang, households=registry.n_households,
                                multi=multi))
    if summary.exit_code == ExitCode.INCOMPLETE:
        lines.append(summary.notes[0])
    for line in lines:
        stderr.print(Text(inert(line, show_ids=show_ids), style="yellow"), soft_wrap=True)


def _write(result, fail_on: FailOn, lang: Lang, show_ids: bool, workbook: Path | None,
           json_path: Path | None, junit_path: Path | None, *,
           allow_incomplete: bool = False, force: bool = False):
    """Summarise once, then write each requested file (each write is atomic).

    More findings than a workbook lists (report/detail.py): every finding goes to a findings
    file beside the workbook, and the workbook, terminal and JSON notes name it.
    Returns (summary, outputs written).
    """
    from exitcheck.aggregate import summarize
    from exitcheck.memory import release_unused
    from exitcheck.report.atomic import refuse_existing_outputs
    from exitcheck.report.detail import detail_note, detail_path, exceeds_limit, write_detail_file
    from exitcheck.report.excel import write_workbook
    from exitcheck.report.json_report import write_report
    from exitcheck.report.junit import write_junit

    detail = None
    if workbook is not None and exceeds_limit(result):
        detail = detail_path(workbook)
        refuse_existing_outputs([detail], force=force)
        result.notes.append(detail_note(result, detail, lang.value))
    summary = summarize(result, fail_on=fail_on.value, allow_incomplete=allow_incomplete,
                        lang=lang.value)
    outputs: dict[str, Path] = {}
    if workbook is not None:
        if detail is not None:
            write_detail_file(result, detail, show_ids=show_ids)
            outputs["findings"] = detail
        release_unused()
        write_workbook(result, summary, workbook, lang=lang.value, show_ids=show_ids,
                       detail_file=detail)
        outputs["excel"] = workbook
    release_unused()  # each writer's transient columns, before the next one
    if json_path is not None:
        write_report(result, summary, json_path, show_ids=show_ids, lang=lang.value)
        outputs["json"] = json_path
    if junit_path is not None:
        write_junit(result, summary, junit_path, lang=lang.value, show_ids=show_ids)
        outputs["junit"] = junit_path
    return summary, outputs

