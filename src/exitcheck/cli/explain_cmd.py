"""`exitcheck explain FILE --household ID`: every rule's inputs, parameters and outcome for one household."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exitcheck.cli.choices import Lang
from exitcheck.cli.options import AsOfOpt, LangOpt, ParamsOpt, RegionOpt, RulesOpt, YearOpt, console
from exitcheck.cli.text import outcome_label, param_line
from exitcheck.errors import UsageError


def explain(
    file: Annotated[Path, typer.Argument(help="登记表文件 Registry export")],
    household: Annotated[str, typer.Option("--household", help="户编号 Household ID")],
    year: YearOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只解释这些规则 Only these rules")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表 Sheet")] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """逐条规则解释一户的核查过程 Explain every rule's outcome for one household."""
    from exitcheck.cli.app import set_lang
    from exitcheck.cli.rules_cmd import load_sources
    from exitcheck.engine.evaluate import explain_household
    from exitcheck.engine.render import format_scalar
    from exitcheck.schema.derive import add_age
    from exitcheck.schema.loader import load_registry
    from exitcheck.scope import parse_as_of, resolve_scope

    set_lang(lang.value)
    from exitcheck.inputs import expand_inputs
    from exitcheck.io import prefetch

    files = expand_inputs([file])  # a folder: the dataset's tables in it
    prefetch.start(files, sheet)  # parses while the rest is imported (io/prefetch.py)
    en = lang is Lang.en
    ruleset, store = load_sources(rules, params)
    if select:
        ruleset = ruleset.select(select)
    registry = load_registry(files, sheet=sheet)
    scope = resolve_scope(registry, year=year, region=region, as_of=parse_as_of(as_of),
                          lang=lang.value)
    registry = add_age(registry, scope.as_of)
    if household not in set(registry.households.index.astype(str)):
        raise UsageError(f"找不到户编号 {household}", message_en=f"household {household} not found",
                         location=str(file))
    results = explain_household(registry, ruleset, store, household, year=scope.year,
                                region=scope.region, as_of=scope.as_of, lang=lang.value)
    out: Any = console()
    region_text = scope.region_name or ("national" if en else "全国")
    out.print(f"[bold]{'Household' if en else '户编号'} {household}[/bold]  "
              f"{'year' if en else '年度'} {scope.year}  {region_text}  "
              f"{'as of' if en else '基准日'} {scope.as_of.isoformat()}", highlight=False)
    for item in results:
        rule = item.rule
        title = rule.spec.title_en if en else rule.spec.title
        label = outcome_label(item.outcome, lang, styled=True)
        out.print(f"\n[bold]{rule.code}[/bold] {title}: {label}", highlight=False)
        if rule.spec.when:
            out.print(f"  when: {rule.spec.when}", highlight=False, markup=False)
        if rule.spec.require:
            out.print(f"  require: {rule.spec.require}", highlight=False, markup=False)
        for unit, name, value, cell in item.inputs:
            shown = format_scalar(value, lang.value)
            who = f"[{unit}] " if rule.level == "member" else ""
            out.print(f"  {who}{name} = {shown}  ({cell or '-'})", highlight=False, markup=False)
        for pv in item.params:
            out.print(param_line(pv, lang), highlight=False, markup=False)
            if pv.note:
                out.print(f"    {pv.note}", highlight=False, markup=False)
        for member, status in item.member_outcomes:
            label = outcome_label(status, lang, styled=True)
            out.print(f"  {member}: {label}", highlight=False)
        for message in item.messages:
            out.print(f"  → {message}", highlight=False, markup=False)
