"""`exitcheck exit-rates FILE...`: poverty incidence and exit verdicts per village, township
and county (issue 10, part 1)."""

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
    RulesOpt,
    SheetOpt,
    YearOpt,
)


def exit_rates(
    files: Annotated[list[Path], typer.Argument(help="登记表文件（可多个，含行政村表）Registry exports", show_default=False)],
    population: Annotated[Path | None, typer.Option("--population", help="人口文件（县/乡镇/村/人口 列，CSV 或 xlsx）Population file")] = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="工作簿路径；默认 ./<输入名>_退出判定.xlsx Workbook path")] = None,
    no_excel: NoExcelOpt = False,
    fmt: FormatOpt = OutputFormat.rich,
    json_path: JsonOpt = None,
    lang: LangOpt = Lang.zh,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """按村、乡镇、县计算贫困发生率并判定能否退出 Poverty incidence and exit verdicts per village,
    township and county."""
    set_lang(lang.value)
    import sys

    from exitcheck.assess.exit_rates import (
        check_population_unused,
        compute_exit_rates,
        read_population_file,
    )
    from exitcheck.assess.exit_rates_output import render, write_json, write_workbook
    from exitcheck.assess.inputs import run_pipeline
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.cli.options import console
    from exitcheck.scope import parse_as_of

    inputs = [*files, *([population] if population else [])]
    workbook = None if no_excel else (output or Path.cwd() / f"{files[0].stem}_退出判定.xlsx")
    check_outputs_differ(inputs, [p for p in (workbook, json_path) if p is not None])
    pop = read_population_file(population) if population is not None else None
    result, store = run_pipeline(files, year=year, region=region, as_of=parse_as_of(as_of),
                                 sheet=sheet, encoding=encoding, columns=columns,
                                 rules=rules or [], params=params or [], lang=lang.value)
    rates = compute_exit_rates(result, store, population=pop)
    unused = check_population_unused(rates, pop)
    if unused:
        shown = "、".join(unused[:10]) + ("…" if len(unused) > 10 else "")
        rates.notes.append(f"人口文件中 {len(unused)} 行未对应任何地区：{shown}")
        rates.notes_en.append(f"{len(unused)} population-file rows match no area: {shown}")
    outputs: dict[str, Path] = {}
    if workbook is not None:
        write_workbook(rates, workbook, lang.value, inputs)
        outputs["excel"] = workbook
    if json_path is not None:
        write_json(rates, json_path, lang.value, inputs)
        outputs["json"] = json_path
    if fmt is OutputFormat.json:
        sys.stdout.write(write_json(rates, None, lang.value, inputs) + "\n")
    else:
        render(rates, console(), lang.value, outputs)
