"""`exitcheck diff OLD NEW`: households and members added and removed, status changes, income
drops, exits without an income change and IDs that moved households between two years
(issue 10, part 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang, set_show_ids
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
)


def diff(
    old: Annotated[Path, typer.Argument(help="上一年度的登记数据（文件或多表文件夹）Older registry", show_default=False)],
    new: Annotated[Path, typer.Argument(help="本年度的登记数据（文件或多表文件夹）Newer registry", show_default=False)],
    fail_over: Annotated[list[str] | None, typer.Option("--fail-over", help="变化超过上限时退出码 1：N（全部）或 类型=N，如 income_drop=5 Exit 1 when changes exceed N (or KIND=N)")] = None,
    old_year: Annotated[int | None, typer.Option("--old-year", min=2000, max=2100, help="旧数据年度（默认由数据推断）Year of OLD")] = None,
    new_year: Annotated[int | None, typer.Option("--new-year", min=2000, max=2100, help="新数据年度（默认由数据推断）Year of NEW")] = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    params: ParamsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="工作簿路径；默认 ./<新数据名>_年度比对.xlsx Workbook path")] = None,
    no_excel: NoExcelOpt = False,
    fmt: FormatOpt = OutputFormat.rich,
    json_path: JsonOpt = None,
    show_ids: Annotated[bool, typer.Option("--show-ids", help="显示完整证件号码（默认脱敏）Unmask ID numbers")] = False,
    lang: LangOpt = Lang.zh,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """比对两个年度的登记数据：增减户与成员、状态变化、收入下降、证件号码跨户
    Year-over-year changes between two registries."""
    set_lang(lang.value)
    set_show_ids(show_ids)
    import sys

    from exitcheck.assess import diff_output as out
    from exitcheck.assess.diff import DiffParams, compare, exceeded, parse_limits
    from exitcheck.assess.inputs import load_snapshot
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.cli.options import console
    from exitcheck.engine.params import load_params
    from exitcheck.exitcodes import ExitCode
    from exitcheck.scope import parse_as_of

    limits = parse_limits(fail_over or [])
    inputs = [old, new]
    workbook = None if no_excel else (output or Path.cwd() / f"{new.stem}_年度比对.xlsx")
    check_outputs_differ(inputs, [p for p in (workbook, json_path) if p is not None])
    date = parse_as_of(as_of)
    before, after = (load_snapshot([path], year=y, as_of=d, region=region, sheet=sheet,
                                   encoding=encoding, columns=columns, lang=lang.value)
                     for path, y, d in ((old, old_year, None), (new, new_year, date)))
    store = load_params(list(params or []))

    def value(name: str) -> float:
        return float(str(store.resolve(name, after.scope.year, after.scope.region).value))

    result = compare(before, after, DiffParams(value("diff_income_drop_ratio"),
                                               value("diff_income_unchanged_ratio")),
                     lang.value)
    over = exceeded(result.counts(), limits)
    outputs: dict[str, Path] = {}
    if workbook is not None:
        out.write_workbook(result, workbook, lang.value, show_ids, inputs, over)
        outputs["excel"] = workbook
    data = out.to_json(result, lang.value, show_ids, limits, over)
    if json_path is not None:
        out.write_json(data, json_path, inputs)
        outputs["json"] = json_path
    if fmt is OutputFormat.json:
        sys.stdout.write(out.write_json(data, None, inputs) + "\n")
    else:
        out.render(result, console(), lang.value, outputs, limits, over)
    if over:
        raise typer.Exit(int(ExitCode.FINDINGS))
