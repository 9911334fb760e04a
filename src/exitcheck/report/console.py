"""The terminal report (rich), in the order an analyst reads it: verdict and counts by family,
the households to act on, the rules and places with most problems, what was read and with which
parameters, then notes.

Chinese by default, English with ``lang="en"``; fits an 80-column terminal without losing a
column (long text wraps inside its cell) and reads the same without colour
(``Console(no_color=True)`` or output to a file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from exitcheck.aggregate import Summary
from exitcheck.engine.result import AuditResult
from exitcheck.exitcodes import ExitCode
from exitcheck.report import tables as T
from exitcheck.report.mask import inert, printable
from exitcheck.report.messages import MSG, label, unit_label

TOP_AREAS = 5
TOP_HOUSEHOLDS = 10  # households listed per list (audit --top)


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


def _longest_word(text: str) -> int:
    """Cells of the longest run rich will not break: a word of Latin text, or a run of CJK."""
    return max((cell_len(w) for w in re.split(r"\s+", text) if w), default=1)


def _wrap_header(header: str, width: int) -> str:
    """``header`` on as many lines as it takes to be ``width`` cells wide (at word breaks)."""
    lines: list[str] = []
    for word in header.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines) or header


def _new_table(title: str | None) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, expand=False)


def _rich_table(table: T.Table, keys: list[str] | None = None, title: str | None = None,
                *, width: int = 80, show_ids: bool = False, wrap: tuple[str, ...] = ()) -> Table:
    """Numbers are never wrapped; when the table is wider than ``width``, headers wrap at
    their spaces first, then the ``wrap`` columns (titles, file names) and place names wrap
    at their word breaks."""
    keys = keys or list(table.frame.columns)
    index = [list(table.frame.columns).index(k) for k in keys]
    out = _new_table(title)
    # One terminal line per row of a small summary table (tens of rows, never members).
    # Cells are data (file, sheet, village names...): masked, controls made visible, and added
    # as Text below so that rich never reads markup such as "[/bold]" in them.
    rows = [[inert(_cell(v, table.kinds[i]), show_ids=show_ids)
             for v, i in zip(values, index, strict=True)]
            for values in table.frame[keys].itertuples(index=False, name=None)]
    heads = [table.headers[i] for i in index]
    content = [max((cell_len(r[pos]) for r in rows), default=1) for pos in range(len(keys))]
    natural = sum(max(c, cell_len(h)) for c, h in zip(content, heads, strict=True))
    narrow = natural + 3 * (len(keys) - 1) > width  # padding 1+1 and the box's divider
    # (rich's min_width is not used: rich 15 draws such a column wider than it measured it,
    # pushing the last column off the line.)
    for pos, (key, i) in enumerate(zip(keys, index, strict=True)):
        numeric = table.kinds[i] != T.TEXT
        head = heads[pos]
        if narrow and key not in wrap:
            # two lines where one is too wide ("Rules not run" -> "Rules / not run")
            head = _wrap_header(head, max(content[pos], _longest_word(head),
                                          -(-cell_len(head) // 2)))
        if numeric:
            out.add_column(head, justify="right", no_wrap=True)
        else:
            out.add_column(head, overflow="fold", ratio=1 if key in wrap else None)
    for row in rows:
        out.add_row(*map(Text, row))
    return out


def _params(result: AuditResult, lang: str, width: int) -> Table:
    """One line per parameter: title, value with its unit, effective date, region. Sources are
    in the workbook and the JSON (they do not fit a line); fallbacks to the national value and
    unverified values are said once under the table."""
    out = _new_table(MSG("sec.params", lang))
    rows = []
    unverified = False
    for p in result.params:
        value = T.param_value_text(p.value) + (f" {unit_label(p.unit, lang)}" if p.unit else "")
        if not p.verified:
            value += " *"
            unverified = True
        region = (result.region_name if p.region and p.region == result.region
                  else p.region) or MSG("national", lang)
        rows.append([printable(p.title_en if lang == "en" else p.title), printable(value),
                     p.effective_from.isoformat(), printable(region)])
    heads = [MSG(k, lang) for k in ("col.param", "col.value", "col.effective", "col.region")]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows])
              for i, h in enumerate(heads)]
    # One line per parameter: a title too long for the terminal ends in "…" (whole in the
    # workbook and the JSON); the other columns keep their width.
    room = max(12, width - sum(widths[1:]) - 3 * (len(heads) - 1))
    out.add_column(heads[0], no_wrap=True, overflow="ellipsis", max_width=room)
    for head in heads[1:]:
        out.add_column(head, no_wrap=True)
    for row in rows:
        out.add_row(*map(Text, row))
    caption = []
    if unverified:
        caption.append(MSG("params.unverified_mark", lang))
    if any(p.note for p in result.params):  # every fallback note says the same: say it once
        caption.append(MSG("params_fallback", lang, region=result.region_name or ""))
    caption.append(MSG("params.sources", lang))
    out.caption = "\n".join(caption)
    out.caption_justify = "left"
    out.caption_style = "dim"
    return out


def quiet_lines(summary: Summary, lang: str = "zh") -> list[str]:
    """What `audit -q` prints: the verdict line, and the counts by severity with the totals."""
    totals = MSG("totals", lang, households=summary.households, members=summary.members)
    return [T.verdict_line(summary, lang),
            T.counts_line(summary, lang) + ("；" if lang != "en" else "; ") + totals]


def _verdict(summary: Summary, console: Console, lang: str) -> None:
    style = "bold red" if summary.exit_code == ExitCode.FINDINGS else "bold green"
    console.print(Text(T.verdict_line(summary, lang), style=style))
    console.print(Text(T.counts_line(summary, lang)))


def _families(result: AuditResult, summary: Summary, lang: str, show_ids: bool,
              width: int) -> Table:
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
    return _rich_table(families, shown, MSG("sec.families", lang), width=width,
                       show_ids=show_ids)


def _act_rows(table: T.Table, console: Console, show_ids: bool) -> None:
    """Households as aligned rows (township, village, 户编号, head, ID), each followed by its
    reasons indented below on the full width: at 80 columns a reasons column would be ~15
    cells wide."""
    keys = [k for k in table.frame.columns if k != "reasons"]
    index = [list(table.frame.columns).index(k) for k in keys]
    rows = [[inert(_cell(v, T.TEXT), show_ids=show_ids) for v in values]
            for values in table.frame[keys].itertuples(index=False, name=None)]
    heads = [table.headers[i] for i in index]
    widths = [max([cell_len(h)] + [cell_len(r[c]) for r in rows]) for c, h in enumerate(heads)]

    def line(cells: list[str], style: str = "") -> Table:
        grid = Table.grid(padding=(0, 2))
        for w in widths:  # the same widths on every line: the columns align
            grid.add_column(width=w, overflow="fold")
        grid.add_row(*(Text(c, style=style) for c in cells))
        return grid

    console.print(line(heads, "bold"))
    console.print(Text("─" * min(console.width, sum(widths) + 2 * (len(widths) - 1))))
    for row, reasons in zip(rows, table.frame["reasons"], strict=True):
        console.print(line(row))
        console.print(Padding(Text(inert(str(reasons), show_ids=show_ids), style="dim"),
                              (0, 0, 0, 4)))


def _households(result: AuditResult, summary: Summary, console: Console, lang: str,
                top: int, show_ids: bool) -> None:
    for which, sheet in (("failing", "sheet.failing"), ("at_risk", "sheet.at_risk")):
        table, total = T.action_table(result, summary, which, lang, top=top, show_ids=show_ids)
        if not total:
            continue
        shown = ("" if len(table) >= total
                 else MSG("act.top", lang, n=len(table), sheet=MSG(sheet, lang)))
        console.print()
        console.print(Text(MSG(f"sec.act.{which}", lang, total=total, shown=shown),
                           style="bold"))
        if len(table):
            _act_rows(table, console, show_ids)


def _notes(result: AuditResult, summary: Summary, console: Console, lang: str,
           show_ids: bool) -> None:
    console.print()
    console.print(Text(MSG("sec.notes", lang), style="bold"))
    console.print(Text(MSG("not_evaluated_line", lang, findings=summary.not_evaluated_findings,
                           households=summary.not_evaluated_households), style="yellow"))
    if result.not_run:
        console.print(Text(MSG("sec.not_run", lang, n=len(result.not_run)), style="yellow"))
        for line in T.not_run_groups(result.not_run, result.year, lang):
            console.print(Padding(Text(f"· {inert(line, show_ids=show_ids)}", style="yellow"),
                                  (0, 0, 0, 2)))
    if summary.by_status.get("exempted"):
        console.print(MSG("exempted_line", lang, findings=summary.by_status["exempted"]))
    for note in T.other_notes(result, summary, lang):
        console.print(Text(f"· {inert(note, show_ids=show_ids)}", style="dim"))


def render_console(
    result: AuditResult,
    summary: Summary,
    console: Console,
    *,
    lang: str = "zh",
    outputs: Mapping[str, Path] | None = None,
    show_ids: bool = False,
    top: int = TOP_HOUSEHOLDS,
) -> None:
    """Print the audit report to ``console`` (IDs masked unless ``show_ids``); ``top``: the
    households listed per list (failing, at risk)."""
    region = result.region_name or result.region or MSG("region_unknown", lang)
    console.print(Text(MSG("title", lang), style="bold"))
    console.print(escape(inert(MSG("run_line", lang, year=result.year,
                                   as_of=result.as_of.isoformat(), region=region,
                                   origin=label("origin", result.region_origin, lang)),
                               show_ids=show_ids)))
    console.print(MSG("totals", lang, households=summary.households, members=summary.members))
    _verdict(summary, console, lang)
    console.print()
    console.print(_families(result, summary, lang, show_ids, console.width))
    _households(result, summary, console, lang, top, show_ids)

    top_rules = T.top_rules_table(summary, lang)
    if len(top_rules):
        console.print()
        console.print(_rich_table(top_rules, ["rule", "title_l", "severity_l",
                                              "violated_households", "violated_findings"],
                                  MSG("sec.top_rules", lang), show_ids=show_ids,
                                  width=console.width, wrap=("title_l",)))
    villages = summary.villages.sort_values(
        ["problems", "failing"], ascending=False, kind="stable").head(TOP_AREAS)
    villages = villages[villages["problems"] > 0]
    if len(villages):
        table = T.area_table(villages, lang)
        console.print()
        console.print(_rich_table(table, ["township", "village", "households", "problems",
                                          "failing", "at_risk", "data_errors"],
                                  MSG("sec.areas", lang), width=console.width,
                                  show_ids=show_ids))

    inputs = T.inputs_table(summary, lang)
    console.print()
    frame = inputs.frame
    frame["file"] = frame["file"] + " [" + frame["sheet"] + "]"
    console.print(_rich_table(inputs, ["file", "table", "rows_read", "member_rows", "skipped"],
                              MSG("sec.inputs", lang), width=console.width, show_ids=show_ids,
                              wrap=("file",)))
    if not summary.rows_reconciled:
        console.print(Text(MSG("rows_unreconciled", lang), style="bold red"))
    console.print()
    console.print(_rich_table(T.population_table(summary, lang),
                              title=MSG("sec.populations", lang), width=console.width,
                              show_ids=show_ids))
    console.print()
    console.print(_params(result, lang, console.width))
    _notes(result, summary, console, lang, show_ids)

    if outputs:
        console.print()
        console.print(Text(MSG("sec.outputs", lang), style="bold"))
        for kind, path in outputs.items():
            what = MSG(f"output.{kind}", lang) if f"output.{kind}" in MSG.entries else kind
            shown_path = inert(str(path), show_ids=show_ids)
            console.print(Text(f"  {what}：{shown_path}" if lang != "en"
                               else f"  {what}: {shown_path}"), soft_wrap=True, highlight=False)
    console.print()
    _verdict(summary, console, lang)
