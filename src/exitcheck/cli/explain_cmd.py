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
    show_ids: Annotated[bool, typer.Option("--show-ids", help="显示完整证件号码、电话、银行卡号（默认脱敏）Unmask identifiers")] = False,
    full: Annotated[bool, typer.Option("--full", help="逐条显示全部规则（默认只显示未通过的） Every rule, passed ones too")] = False,
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
    if not household:  # typer 0.16 (the oldest allowed) lets a required option through as None
        raise UsageError("缺少选项 --household", message_en="Missing option --household.")
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
    from rich.text import Text

    from exitcheck.report.mask import ID_KEYS, inert, mask_id, printable, sensitive_fields

    def shown(text: object) -> Text:
        """Data-derived text as the audit report prints it: identifiers masked (unless
        --show-ids), markup and control characters inert (report/mask.py)."""
        return Text(inert(str(text), show_ids=show_ids))

    def rule_text(text: str) -> Text:
        """Rule and parameter text (not data: its literals stay as written), inert."""
        return Text(printable(text))

    def value_text(name: str, value: Any) -> str:
        text = format_scalar(value, lang.value)
        if show_ids or value is None or text in ("", "—"):
            return text
        if name in ID_KEYS or name in sensitive_fields():
            return str(mask_id(text))
        return text

    region_text = scope.region_name or ("national" if en else "全国")
    head = Text(f"{'Household' if en else '户编号'} ", style="bold")
    head.append(inert(household, show_ids=show_ids), style="bold")
    head.append(f"  {'year' if en else '年度'} {scope.year}  {region_text}  "
                f"{'as of' if en else '基准日'} {scope.as_of.isoformat()}")
    out.print(head, highlight=False)
    # By default only what did not pass (violated, not evaluated, not run) is traced; the
    # passes are counted in one line (--full traces every rule: ~500 lines for a household).
    passed = [i for i in results if i.outcome in ("pass", "not_applicable")]
    not_run = [i for i in results if i.outcome == "not_run"]
    for item in (results if full else [i for i in results
                                       if i not in passed and i not in not_run]):
        rule = item.rule
        title = rule.spec.title_en if en else rule.spec.title
        label = outcome_label(item.outcome, lang, styled=True)
        line = Text("\n")
        line.append(rule.code, style="bold")
        line.append_text(rule_text(f" {title}: "))
        line.append_text(Text.from_markup(label))
        out.print(line, highlight=False)
        if rule.spec.when:
            out.print(rule_text(f"  when: {rule.spec.when}"), highlight=False)
        if rule.spec.require:
            out.print(rule_text(f"  require: {rule.spec.require}"), highlight=False)
        for unit, name, value, cell in item.inputs:
            who = f"[{unit}] " if rule.level == "member" else ""
            out.print(shown(f"  {who}{name} = {value_text(name, value)}  ({cell or '-'})"),
                      highlight=False)
        for pv in item.params:
            out.print(rule_text(param_line(pv, lang)), highlight=False)
            if pv.note:
                out.print(shown(f"    {pv.note}"), highlight=False)
        for member, status in item.member_outcomes:
            line = shown(f"  {member}: ")
            line.append_text(Text.from_markup(outcome_label(status, lang, styled=True)))
            out.print(line, highlight=False)
        for message in item.messages:
            out.print(shown(f"  → {message}"), highlight=False)
    if not full and not_run:
        codes = ("、" if not en else ", ").join(i.rule.code for i in not_run)
        out.print(Text("\n" + (f"{len(not_run)} rules not run (not counted as passed): {codes}"
                                if en else f"未运行的规则 {len(not_run)} 条（不计为通过）：{codes}"),
                       style="yellow"), highlight=False)
    if not full and passed:
        n_pass = sum(i.outcome == "pass" for i in passed)
        out.print(Text("\n" + (f"{n_pass} rules passed, {len(passed) - n_pass} not applicable "
                                "(--full shows every rule)" if en else
                                f"另有 {n_pass} 条规则通过、{len(passed) - n_pass} 条不适用"
                                "（加 --full 显示每条规则的完整过程）"), style="dim"),
                  highlight=False)
