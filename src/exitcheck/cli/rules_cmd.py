"""`exitcheck rules list|show|test`: browse the rules and run their YAML test cases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exitcheck.cli.choices import Lang
from exitcheck.cli.help import HelpCommand
from exitcheck.cli.options import LangOpt, ParamsOpt, RegionOpt, RulesOpt, YearOpt, console
from exitcheck.cli.text import outcome_label, param_line, pick

if TYPE_CHECKING:
    from exitcheck.engine.params import ParamStore
    from exitcheck.engine.ruleset import RuleSet

rules_app = typer.Typer(
    help="查看规则并运行规则测试用例 Browse rules and run their test cases.",
    no_args_is_help=True,
)

def _set_lang(lang: Lang) -> None:
    from exitcheck.cli.app import set_lang

    set_lang(lang.value)


def load_sources(
    rules: list[Path] | None, params: list[Path] | None
) -> tuple[RuleSet, ParamStore]:
    """Shipped + users' rules and parameters (rule expressions checked against both)."""
    from exitcheck.engine.params import load_params
    from exitcheck.engine.ruleset import load_ruleset

    store = load_params(params or [])
    return load_ruleset(rules or [], known_params=store.names()), store


@rules_app.command("list", cls=HelpCommand)
def list_rules(
    family: Annotated[str | None, typer.Option("--family", help="只列出该规则族，如 INC Only this family")] = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """列出规则 List the rules (code, name, severity, level, title)."""
    from rich.table import Table

    from exitcheck.report.messages import label

    _set_lang(lang)
    ruleset, _ = load_sources(rules, params)
    chosen = ruleset.select([family]) if family else ruleset
    table = Table(pick(lang, "规则", "Code"), pick(lang, "名称", "Name"),
                  pick(lang, "严重程度", "Severity"), pick(lang, "层级", "Level"),
                  pick(lang, "标题", "Title"))
    for rule in chosen.rules:
        spec = rule.spec
        table.add_row(rule.code, rule.name, label("severity", str(spec.severity), lang.value),
                      label("level", spec.level, lang.value),
                      spec.title_en if lang is Lang.en else spec.title)
    out: Any = console()
    out.print(table)
    out.print(pick(lang, f"共 {len(chosen)} 条规则", f"{len(chosen)} rules"))


@rules_app.command("show", cls=HelpCommand)
def show_rule(
    code: Annotated[str, typer.Argument(help="规则编号、别名或名称 Rule code, alias or name")],
    year: YearOpt = None,
    region: RegionOpt = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """显示一条规则的全部内容 Show one rule: condition, message, parameters, examples."""
    from exitcheck.engine.cases import run_cases, shipped_tests_dir
    from exitcheck.engine.regions import resolve_region
    from exitcheck.report.messages import label

    _set_lang(lang)
    ruleset, store = load_sources(rules, params)
    rule = ruleset.select([code]).rules[0]
    spec = rule.spec
    out: Any = console()
    out.print(f"[bold]{rule.code}[/bold]  {rule.name}", highlight=False)
    rows = [
        (pick(lang, "标题", "Title"), spec.title if lang is Lang.zh else spec.title_en),
        (pick(lang, "英文标题", "Chinese title"), spec.title_en if lang is Lang.zh else spec.title),
        (pick(lang, "严重程度", "Severity"), label("severity", str(spec.severity), lang.value)),
        (pick(lang, "层级", "Level"), label("level", spec.level, lang.value)),
        (pick(lang, "适用范围 when", "Applies when"), spec.when or pick(lang, "（全部）", "(all)")),
        (pick(lang, "要求 require", "Requires"), spec.require or f"builtin: {spec.builtin}"),
        (pick(lang, "消息", "Message"), spec.message_en if lang is Lang.en and spec.message_en
         else spec.message),
        (pick(lang, "依据", "Reference"), spec.reference),
        (pick(lang, "别名", "Aliases"), ", ".join(spec.aliases) or "-"),
        (pick(lang, "来源", "Defined in"), rule.where),
    ]
    for key, value in rows:
        out.print(f"  {key}: {value}", highlight=False, markup=False)
    if rule.params:
        out.print(pick(lang, "参数：", "Parameters:"))
        if year is None:
            out.print(pick(lang, "  （加 --year 与 --region 显示取值）",
                         "  (add --year and --region to see the values)"))
            for name in rule.params:
                out.print(f"  param.{name}", highlight=False, markup=False)
        else:
            code_region = resolve_region(region)[0] if region else None
            for name in rule.params:
                pv = store.resolve(name, year, code_region)
                out.print(param_line(pv, lang), highlight=False, markup=False)
                if pv.note:
                    out.print(f"    {pv.note}", highlight=False, markup=False)
    case_file = shipped_tests_dir() / f"{rule.code}.yaml"
    if case_file.is_file():
        results = run_cases([case_file], ruleset=ruleset, params=store)
        out.print(pick(lang, "示例（测试用例）：", "Examples (test cases):"))
        for res in results:
            out.print(f"  - {res.name} → {outcome_label(res.expected, lang)}",
                      highlight=False, markup=False)


@rules_app.command("test", cls=HelpCommand)
def test_rules(
    paths: Annotated[list[Path] | None, typer.Argument(help="测试用例文件或目录（默认内置用例）Case files/folders")] = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """运行规则测试用例 Run rule test cases; exit 1 if any fails."""
    from rich.table import Table

    from exitcheck.engine.cases import run_cases

    _set_lang(lang)
    ruleset, store = load_sources(rules, params)
    results = run_cases(paths or None, ruleset=ruleset, params=store)
    table = Table(pick(lang, "规则", "Rule"), pick(lang, "用例", "Case"),
                  pick(lang, "预期", "Expected"), pick(lang, "实际", "Actual"),
                  pick(lang, "结果", "Result"), pick(lang, "位置", "Where"))
    failed = [r for r in results if not r.passed]
    for res in results:
        expected = res.expected + (f" {res.expected_members}" if res.expected_members else "")
        actual = res.actual + (f" {res.actual_members}" if res.expected_members else "")
        mark = "[green]✓[/green]" if res.passed else "[red]✗[/red]"
        table.add_row(res.rule, res.name, expected, actual, mark, res.where)
    out: Any = console()
    out.print(table)
    passed = len(results) - len(failed)
    counts = f"{passed} passed, {len(failed)} failed"
    closing = counts if lang is Lang.en else f"{passed} 个通过，{len(failed)} 个失败（{counts}）"
    out.print(closing, highlight=False, markup=False)
    if failed:
        raise typer.Exit(1)


@rules_app.command("doc", cls=HelpCommand)
def doc_rules(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（默认标准输出）Write to a file")] = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
) -> None:
    """生成规则目录 Markdown（docs/rule-catalogue.md）Write the rule catalogue as Markdown."""
    from exitcheck.report.atomic import write_text_atomic
    from exitcheck.report.rule_catalogue import render_rule_catalogue

    ruleset, store = load_sources(rules, params)
    text = render_rule_catalogue(ruleset, store)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
