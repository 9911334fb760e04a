"""`exitcheck bunching FILE...`: excess mass of households just above the income line per
village, township and county, the 被越线 signal (issue 10, part 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang
from exitcheck.cli.choices import Lang, OutputFormat
from exitcheck.cli.options import (
    AsOfOpt,
    ColumnsOpt,
    EncodingOpt,
    FormatOpt,
    JsonOpt,
    LangOpt,
    NoExcelOpt,
    ParamsOpt,
    RegionOpt,
    SheetOpt,
    YearOpt,
)


def bunching(
    files: Annotated[list[Path], typer.Argument(help="登记表文件（可多个，或多表文件夹）Registry exports", show_default=False)],
    line_param: Annotated[str | None, typer.Option("--line-param", help="收入标准参数：默认 2020 年及以前 exit_income_line，之后 monitoring_income_line Line parameter")] = None,
    fail_flagged: Annotated[bool, typer.Option("--fail-flagged", help="有村被标记时退出码 1 Exit 1 when a village is flagged")] = False,
    year: YearOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    params: ParamsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="工作簿路径；默认 ./<输入名>_收入聚集.xlsx Workbook path")] = None,
    no_excel: NoExcelOpt = False,
    fmt: FormatOpt = OutputFormat.rich,
    json_path: JsonOpt = None,
    lang: LangOpt = Lang.zh,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """检验收入是否在标准上方聚集（“被越线”信号）Income bunching just above the line."""
    set_lang(lang.value)
    import sys

    from exitcheck.assess import bunching_output as out
    from exitcheck.assess.bunching import run_bunching
    from exitcheck.assess.inputs import load_snapshot
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.cli.options import console
    from exitcheck.engine.params import load_params
    from exitcheck.exitcodes import ExitCode
    from exitcheck.scope import parse_as_of

    workbook = None if no_excel else (output or Path.cwd() / f"{files[0].stem}_收入聚集.xlsx")
    check_outputs_differ(list(files), [p for p in (workbook, json_path) if p is not None])
    store = load_params(list(params or []))
    snap = load_snapshot(files, year=year, region=region, as_of=parse_as_of(as_of),
                         sheet=sheet, encoding=encoding, columns=columns, lang=lang.value)
    result = run_bunching(snap, store, line_param=line_param)
    outputs: dict[str, Path] = {}
    if workbook is not None:
        out.write_workbook(result, workbook, lang.value, list(files))
        outputs["excel"] = workbook
    data = out.to_json(result, lang.value)
    if json_path is not None:
        out.write_json(data, json_path, list(files))
        outputs["json"] = json_path
    if fmt is OutputFormat.json:
        sys.stdout.write(out.write_json(data, None, list(files)) + "\n")
    else:
        out.render(result, console(), lang.value, outputs)
    flagged = (result.table["level"] == "village") & (result.table["verdict"] == "flagged")
    if fail_flagged and bool(flagged.any()):
        raise typer.Exit(int(ExitCode.FINDINGS))
