"""`exitcheck estimate VISITS... --draw DRAW.xlsx`: merge the filled visit sheets back and
estimate 错退率, 漏评率 and 群众认可度 with the design; `--plan`: sample sizes (issue 10, part 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang
from exitcheck.cli.choices import Lang, OutputFormat
from exitcheck.cli.options import LangOpt, ParamsOpt
from exitcheck.errors import UsageError


def estimate(
    visits: Annotated[list[Path] | None, typer.Argument(help="填好的核查表（抽样工作簿本身，或含 户编号 的 CSV/xlsx）Filled visit sheets", show_default=False)] = None,
    draw: Annotated[Path | None, typer.Option("--draw", help="exitcheck draw 生成的抽样工作簿 The draw workbook")] = None,
    method: Annotated[str, typer.Option("--method", help="区间方法：korn-graubard（默认）或 wilson Interval method")] = "korn-graubard",
    level: Annotated[float, typer.Option("--level", min=0.5, max=0.999, help="单侧置信水平 One-sided confidence level")] = 0.95,
    lonely_psu: Annotated[str, typer.Option("--lonely-psu", help="只有 1 个村的层：error、certainty 或 adjust")] = "error",
    fpc: Annotated[bool, typer.Option("--fpc", help="村阶段有限总体校正 Finite-population correction at the village stage")] = False,
    rural_population: Annotated[float | None, typer.Option("--rural-population", help="乡村总人口（计算综合贫困发生率）Rural population, for the comprehensive incidence")] = None,
    plan: Annotated[bool, typer.Option("--plan", help="只计算样本量 Sample-size planner only")] = False,
    upper: Annotated[float, typer.Option("--upper", help="--plan：要证明低于的比例 Rate to demonstrate below")] = 0.02,
    deff: Annotated[float, typer.Option("--deff", min=1.0, help="--plan：设计效应 Design effect")] = 2.0,
    expected: Annotated[float, typer.Option("--expected", min=0.0, help="--plan：预期比例（默认 0）Expected rate")] = 0.0,
    household_size: Annotated[float | None, typer.Option("--household-size", help="--plan：每户平均人数 Persons per household")] = None,
    params: ParamsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="结果工作簿；默认 ./<抽样工作簿名>_估计.xlsx Workbook path")] = None,
    no_excel: Annotated[bool, typer.Option("--no-excel", help="不写工作簿 Do not write the workbook")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="终端输出：rich 或 json")] = OutputFormat.rich,
    json_path: Annotated[Path | None, typer.Option("--json", help="另存 JSON Write JSON")] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """由入户核查结果估计错退率、漏评率、认可度及其置信上限 Estimate wrong-exit and missed rates
    and approval with design-based bounds."""
    set_lang(lang.value)
    import sys

    from exitcheck.assess import estimate_output as out
    from exitcheck.assess.intervals import METHODS
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.cli.options import console

    if plan:
        from exitcheck.assess.plan import plan_sample

        if not 0 < upper < 1:
            raise UsageError("--upper 应在 0 与 1 之间", message_en="--upper must be in (0, 1)")
        planned = plan_sample(upper, deff=deff, level=level, expected=expected,
                              household_size=household_size)
        if fmt is OutputFormat.json:
            sys.stdout.write(out.write_json(out.plan_dict(planned), None, []) + "\n")
        else:
            out.render_plan(planned, console(), lang.value)
        return
    if draw is None or not visits:
        raise UsageError("需要核查结果文件和 --draw 抽样工作簿（或用 --plan 计算样本量）",
                         message_en="give the visit files and --draw (or --plan for sample sizes)")
    if method not in METHODS:
        raise UsageError(f"--method 应为 {' 或 '.join(METHODS)}",
                         message_en=f"--method must be one of {', '.join(METHODS)}")
    from exitcheck.assess.estimate import LONELY

    if lonely_psu not in LONELY:
        raise UsageError(f"--lonely-psu 应为 {'、'.join(LONELY)}",
                         message_en=f"--lonely-psu must be one of {', '.join(LONELY)}")
    from exitcheck.assess.estimate import composite_incidence, measure
    from exitcheck.assess.visits import read_draw, read_visits
    from exitcheck.engine.params import load_params

    inputs = [draw, *visits]
    workbook = None if no_excel else (output or Path.cwd() / f"{draw.stem}_估计.xlsx")
    check_outputs_differ(inputs, [p for p in (workbook, json_path) if p is not None])
    book = read_draw(draw)
    found = read_visits(list(visits), book)
    store = load_params(list(params or []))
    year = book.year or 2020
    region = book.region

    def threshold(name: str) -> float | None:
        value = store.try_resolve(name, year, region)
        return None if value is None else float(str(value.value))

    western = False
    if region:
        listed = store.resolve("western_provinces", year, region).value
        western = region[:2] in {str(v) for v in (listed if isinstance(listed, list) else [])}
    measures = [
        measure("wrong_exit", book, found, threshold=threshold("wrong_exit_rate_max"),
                param="wrong_exit_rate_max", level=level, method=method, lonely=lonely_psu,
                fpc=fpc),
        measure("missed", book, found, threshold=threshold("missed_rate_max"),
                param="missed_rate_max", level=level, method=method, lonely=lonely_psu, fpc=fpc),
        measure("approval", book, found, threshold=threshold("approval_min"),
                param="approval_min", level=level, method=method, lonely=lonely_psu, fpc=fpc),
    ]
    composite = None
    if rural_population:
        cname = "county_incidence_max_western" if western else "county_incidence_max"
        composite = composite_incidence(book, measures[0], measures[1], rural_population,
                                        threshold(cname) if region else None, level)
    data = out.report_dict(book, found, measures, composite, method=method, level=level,
                           lang=lang.value)
    outputs: dict[str, Path] = {}
    if workbook is not None:
        out.write_workbook(data, found, workbook, inputs)
        outputs["excel"] = workbook
    if json_path is not None:
        out.write_json(data, json_path, inputs)
        outputs["json"] = json_path
    if fmt is OutputFormat.json:
        sys.stdout.write(out.write_json(data, None, inputs) + "\n")
    else:
        out.render(data, found, console(), lang.value, outputs)
