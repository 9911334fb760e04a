"""`exitcheck params list|show`: the parameters, their dated values and sources."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from exitcheck.cli.choices import Lang
from exitcheck.cli.help import HelpCommand
from exitcheck.cli.options import LangOpt, ParamsOpt, RegionOpt, console
from exitcheck.cli.text import pick

params_app = typer.Typer(
    help="查看参数（标准、阈值）及其来源 Show parameters (thresholds) and their sources.",
    no_args_is_help=True,
)


@params_app.command("list", cls=HelpCommand)
def list_params(params: ParamsOpt = None, lang: LangOpt = Lang.zh) -> None:
    """列出全部参数 List every parameter."""
    from rich.table import Table

    from exitcheck.cli.app import set_lang
    from exitcheck.engine.params import load_params

    set_lang(lang.value)
    store = load_params(params or [])
    table = Table(pick(lang, "参数", "Parameter"), pick(lang, "名称", "Title"),
                  pick(lang, "单位", "Unit"), pick(lang, "类型", "Type"),
                  pick(lang, "地区", "Regions"))
    for name in store.names():
        pdef = store.defs[name]
        table.add_row(name, pdef.title_en if lang is Lang.en else pdef.title, pdef.unit or "",
                      pdef.type, ", ".join(sorted(pdef.values)))
    out: Any = console()
    out.print(table)


@params_app.command("show", cls=HelpCommand)
def show_param(
    name: Annotated[str, typer.Argument(help="参数名，如 exit_income_line Parameter name")],
    year: Annotated[int, typer.Option("--year", help="核查年度 Year")],
    region: RegionOpt = None,
    params: ParamsOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """显示参数在某年某省的取值及全部历史取值 Show a parameter's value for (year, region)."""
    from rich.table import Table

    from exitcheck.cli.app import set_lang
    from exitcheck.engine.params import NATIONAL, load_params
    from exitcheck.engine.regions import resolve_region
    from exitcheck.engine.render import format_scalar

    set_lang(lang.value)
    store = load_params(params or [])
    code = resolve_region(region)[0] if region else None
    pv = store.resolve(name, year, code)
    pdef = store.get(name)
    out: Any = console()
    where = store.region_names.get(pv.region, pv.region) if pv.region else pick(
        lang, "全国", "national")
    out.print(f"[bold]{name}[/bold]  {pdef.title_en if lang is Lang.en else pdef.title}")
    lines = [
        (pick(lang, "取值", "Value"), f"{format_scalar(pv.value, lang.value)} {pv.unit or ''}"),
        (pick(lang, "适用地区", "Region"), where),
        (pick(lang, "生效日期", "Effective from"), pv.effective_from.isoformat()),
        (pick(lang, "来源", "Source"), pv.source),
        (pick(lang, "已核实", "Verified"), pick(lang, "是", "yes") if pv.verified
         else pick(lang, "否（未核实，请确认）", "no (unverified: please confirm)")),
    ]
    if pv.note:
        lines.append((pick(lang, "说明", "Note"), pv.note))
    for key, value in lines:
        out.print(f"  {key}: {value}", highlight=False, markup=False)
    table = Table(pick(lang, "地区", "Region"), pick(lang, "生效日期", "From"),
                  pick(lang, "取值", "Value"), pick(lang, "已核实", "Verified"),
                  pick(lang, "来源", "Source"), title=pick(lang, "全部取值", "All dated values"))
    for key, entry in pdef.table():
        shown = pick(lang, "全国", "national") if key == NATIONAL else (
            f"{store.region_names.get(key, key)} ({key})")
        table.add_row(shown, entry.from_.isoformat(), format_scalar(entry.value, lang.value),
                      "✓" if entry.verified else "✗", entry.source)
    out.print(table)
