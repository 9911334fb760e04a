"""The terminal report (rich): what was read, parameters, verdicts by family, hot spots, exit code.

Chinese by default, English with ``lang="en"``; fits an 80-column terminal (long text wraps)
and reads the same without colour (``Console(no_color=True)`` or output to a file).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from exitcheck.aggregate import Summary
from exitcheck.engine.result import AuditResult
from exitcheck.exitcodes import ExitCode
from exitcheck.findings import SEVERITY_ORDER, Severity
from exitcheck.report import tables as T
from exitcheck.report.mask import inert, printable
from exitcheck.report.messages import MSG, label

TOP_AREAS = 5


def _cell(value: object, kind: str) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == T.NUMBER_TEXT:
        return str(value)
    if kind == T.PERCENT:
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    if kind == T.INT:
        return f"{int(value):,}"  # type: ignore[call-overload]
    if kind == T.MONEY:
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    return str(value)


def _rich_table(table: T.Table, keys: list[str] | None = None, title: str | None = None,
                *, show_ids: bool = False) -> Table:
    keys = keys or list(table.frame.columns)
    index = [list(table.frame.columns).index(k) for k in keys]
    out = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                show_edge=False, pad_edge=False, expand=False)
    # One terminal line per row of a small summary table (tens of rows, never members).
    # Cells are data (file, sheet, village names...): masked, controls made visible, and added
    # as Text below so that rich never reads markup such as "[/bold]" in them.
    rows = [[inert(_cell(v, table.kinds[i]), show_ids=show_ids)
             for v, i in zip(values, index, strict=True)]
            for values in table.frame[keys].itertuples(index=False, name=None)]
    for pos, i in enumerate(index):
        numeric = table.kinds[i] != T.TEXT
        # Keep numbers and short labels whole on an 80-column terminal; headers may wrap.
        widest = max((cell_len(r[pos]) for r in rows), default=1)
        out.add_column(table.headers[i], justify="right" if numeric else "left",
                       overflow="fold", min_width=widest if numeric else min(widest, 12))
    for row in rows:
        out.add_row(*map(Text, row))
    return out


def _params(result: AuditResult, lang: str) -> Table:
    """One line per parameter; the source is cut to the line (the workbook and JSON keep it
    whole) and fallbacks to the national value are summarised once under the table."""
    out = Table(title=MSG("sec.params", lang), title_justify="left", title_style="bold",
                box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    values = [T.param_value_text(p.value) + (f" {p.unit}" if p.unit else "") for p in result.params]
    titles = [p.title_en if lang == "en" else p.title for p in result.params]
    widest = max(map(cell_len, titles), default=4)
    out.add_column(MSG("col.param", lang), overflow="fold", min_width=min(widest, 20),
                   max_width=min(widest, 28))
    out.add_column(MSG("col.value", lang), no_wrap=True,
                   min_width=max(map(cell_len, values), default=4))
    out.add_column(MSG("col.effective_from", lang), no_wrap=True, min_width=15)
    out.add_column(MSG("col.source", lang), no_wrap=True, overflow="ellipsis", max_width=40)
    fallbacks = []
    for p, value, title in zip(result.params, values, titles, strict=True):
        source = Text(printable(p.source))
        if not p.verified:
            source = Text.assemble((f"[{MSG('unverified', lang)}] ", "bold red"),
                                   printable(p.source))
        if p.note:
            fallbacks.append(p.note)
        region = (result.region_name if p.region and p.region == result.region
                  else p.region) or MSG("national", lang)
        out.add_row(Text(printable(title)), Text(printable(value)),
                    Text(printable(f"{p.effective_from.isoformat()} {region}")), source)
    if fallbacks:  # every fallback note says the same: name the province once
        out.caption = MSG("params_fallback", lang, region=result.region_name or "")
        out.caption_justify = "left"
        out.caption_style = "yellow"
    return out


def _at_or_above(summary: Summary) -> int:
    if summary.fail_on == "never":
        return 0
    levels = [s.value for s in SEVERITY_ORDER[: Severity(summary.fail_on).rank + 1]]
    return int(summary.by_severity.loc[levels, "violated_findings"].sum())


def render_console(
    result: AuditResult,
    summary: Summary,
    console: Console,
    *,
    lang: str = "zh",
    outputs: Mapping[str, Path] | None = None,
    show_ids: bool = False,
) -> None:
    """Print the audit report to ``console`` (IDs in notes masked unless ``show_ids``)."""
    region = result.region_name or result.region or MSG("region_unknown", lang)
    console.print(Text(MSG("title", lang), style="bold"))
    console.print(escape(inert(MSG("run_line", lang, year=result.year,
                                   as_of=result.as_of.isoformat(), region=region,
                                   origin=label("origin", result.region_origin, lang)),
                               show_ids=show_ids)))
    console.print(MSG("totals", lang, households=summary.households, members=summary.members))
    console.print()

    inputs = T.inputs_table(summary, lang)
    frame = inputs.frame
    frame["file"] = frame["file"] + " [" + frame["sheet"] + "]"
    frame["reader"] = frame["reader"].where(frame["encoding"] == "",
                                            frame["reader"] + " (" + frame["encoding"] + ")")
    console.print(_rich_table(inputs, ["file", "table", "rows_read", "member_rows", "skipped"],
                              MSG("sec.inputs", lang), show_ids=show_ids))
    if not summary.rows_reconciled:
        console.print(Text(MSG("rows_unreconciled", lang), style="bold red"))
    console.print(_params(result, lang))
    console.print(_rich_table(T.population_table(summary, lang),
                              title=MSG("sec.populations", lang), show_ids=show_ids))
    families = T.family_table(summary, lang)
    frame = families.frame
    for col in ("violated", "not_evaluated"):
        # "count (share)" in one cell keeps the table within 80 columns.
        frame[col] = [f"{_cell(n, T.INT)} ({_cell(sh, T.PERCENT)})"
                      for n, sh in zip(frame[col], frame[f"{col}_share"], strict=True)]
        families.kinds[list(frame.columns).index(col)] = T.NUMBER_TEXT
    shown = ["label", "audited", "violated", "not_evaluated", "exempted"]
    if result.not_run:  # a family whose rules could not run must not read as "0 failing"
        shown.append("rules_not_run")
    console.print(_rich_table(families, shown, MSG("sec.families", lang), show_ids=show_ids))
    top = T.top_rules_table(summary, lang)
    if len(top):
        console.print(_rich_table(top, ["rule", "title_l", "severity_l", "violated_households",
                                        "violated_findings"], MSG("sec.top_rules", lang),
                                  show_ids=show_ids))
    villages = summary.villages.sort_values(
        ["problems", "failing"], ascending=False, kind="stable").head(TOP_AREAS)
    villages = villages[villages["problems"] > 0]
    if len(villages):
        table = T.area_table(villages, lang)
        console.print(_rich_table(table, ["township", "village", "households", "problems",
                                          "failing", "at_risk", "data_errors"],
                                  MSG("sec.areas", lang), show_ids=show_ids))

    console.print(Text(MSG("not_evaluated_line", lang, findings=summary.not_evaluated_findings,
                           households=summary.not_evaluated_households), style="yellow"))
    if result.not_run:
        sep = "、" if lang != "en" else ", "
        console.print(Text(MSG("rules_not_run_line", lang,
                               codes=sep.join(n.code for n in result.not_run)), style="yellow"))
    if summary.by_status.get("exempted"):
        console.print(MSG("exempted_line", lang, findings=summary.by_status["exempted"]))
    for note in summary.notes:
        console.print(Text(f"· {inert(str(note), show_ids=show_ids)}", style="dim"))
    if outputs:
        console.print()
        console.print(Text(MSG("sec.outputs", lang), style="bold"))
        for kind, path in outputs.items():
            what = MSG(f"output.{kind}", lang) if f"output.{kind}" in MSG.entries else kind
            shown_path = inert(str(path), show_ids=show_ids)
            console.print(Text(f"  {what}：{shown_path}" if lang != "en"
                               else f"  {what}: {shown_path}"), soft_wrap=True, highlight=False)
    console.print()
    code = int(summary.exit_code)
    if summary.exit_code == ExitCode.FINDINGS:
        line = MSG("verdict.fail_line", lang, n=_at_or_above(summary), fail_on=summary.fail_on,
                   code=code)
        console.print(Text(line, style="bold red"))
    else:
        console.print(Text(MSG("verdict.ok_line", lang, fail_on=summary.fail_on, code=code),
                           style="bold green"))
