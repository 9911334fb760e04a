"""The audit workbook (xlsxwriter): overview with native charts, household lists, rules, findings.

Safety (issue `exitcheck audit`, item 3): every text goes through ``write_string`` (the workbook
is also opened with ``strings_to_formulas: False``), and text starting with = + - @ or a tab/CR
gets Excel's quote-prefix style, so neither Excel nor WPS ever evaluates it — the value itself
stays unchanged. The file is written to a temp file in the same folder and moved into place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from exitcheck.aggregate import Summary
from exitcheck.engine.result import AuditResult
from exitcheck.report import tables as T
from exitcheck.report.atomic import atomic_output
from exitcheck.report.mask import mask_text, mask_text_series
from exitcheck.report.messages import MSG, label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
MIN_WIDTH = 6
# East Asian wide characters (CJK, full-width forms): two column-width units each.
CJK = (r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
       r"\uff00-\uff60\uffe0-\uffe6]")
CHART_ROWS = 16  # rows a chart occupies at the default size
# Data rows one worksheet holds: Excel's 1,048,576 rows less the header row.
SHEET_DATA_ROWS = 1_048_576 - 1


# The same ranges in RE2 syntax, for pyarrow's regex kernels.
_CJK_RE2 = re.sub(r"\\u([0-9a-f]{4})", r"\\x{\1}", CJK)


def display_width(series: pd.Series) -> int:
    """Widest cell in characters, a CJK character counting as 2 (Excel column width units)."""
    text = series.astype("string").fillna("")
    if text.empty:
        return 0
    # Distinct texts only (list columns repeat codes and labels), measured by arrow kernels.
    distinct = pa.array(pd.unique(text.to_numpy(dtype=object)), type=pa.string())
    widths = pc.add(pc.utf8_length(distinct), pc.count_substring_regex(distinct, _CJK_RE2))
    return int(pc.max(widths).as_py())


class _Writer:
    """Formats and typed cell writing for one workbook."""

    def __init__(self, book: xlsxwriter.Workbook, show_ids: bool = False) -> None:
        self.book = book
        self.show_ids = show_ids  # else every text cell is masked (report/mask.py), headers too
        base = {"font_name": "等线", "font_size": 10, "valign": "top"}
        self.text = book.add_format(base)
        self.quoted = book.add_format({**base, "quote_prefix": True})
        self.int = book.add_format({**base, "num_format": "#,##0"})
        self.money = book.add_format({**base, "num_format": "#,##0.00"})
        self.percent = book.add_format({**base, "num_format": "0.0%"})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7",
                                       "border": 1, "text_wrap": True})
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.section = book.add_format({**base, "bold": True, "font_size": 11,
                                        "font_color": "#1F4E78"})
        self.warn = book.add_format({**base, "font_color": "#C00000", "bold": True})

    def string(self, ws: Worksheet, row: int, col: int, text: str, fmt: Any = None) -> None:
        if text == "":
            return
        if not self.show_ids:
            text = mask_text(text)
        if text.startswith(FORMULA_START):
            fmt = self.quoted
        ws.write_string(row, col, text, fmt if fmt is not None else self.text)

    def table(self, ws: Worksheet, row: int, table: T.Table) -> int:
        """Write header + rows from ``row``; return the next free row."""
        for col, head in enumerate(table.headers):
            self.string(ws, row, col, head, self.header)
        fmts = {T.INT: self.int, T.MONEY: self.money, T.PERCENT: self.percent}
        # Columns converted once (text: str with "" for blank; numbers: float64 with NaN), so
        # the per-cell loop below does no type dispatch. xlsxwriter writes cell by cell: the
        # loop is over output rows, not evaluation.
        # Each column becomes one list of (value, format) cells, None for a blank cell (nothing
        # written): the formula-like test and the NaN test are column operations, so the loop
        # below only hands cells to xlsxwriter (which writes cell by cell).
        columns: list[list[Any]] = []
        for key, kind in zip(table.frame.columns, table.kinds, strict=True):
            values = table.frame[key]
            if kind == T.TEXT:
                text = values.astype("string").fillna("")
                if not self.show_ids:
                    text = mask_text_series(text)
                quoted = text.str.startswith(FORMULA_START).to_numpy(dtype=bool)
                fmt = np.where(quoted, self.quoted, self.text)
                cells = pd.Series(list(zip(text.to_numpy(dtype=object), fmt, strict=True)),
                                  dtype=object).where((text != "").to_numpy(dtype=bool), None)
                columns.append(cells.tolist())
            else:
                number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64",
                                                                          na_value=np.nan)
                cells = pd.Series([(float(x), fmts[kind]) for x in number], dtype=object)
                columns.append(cells.where(~np.isnan(number), None).tolist())
        text_cols = [i for i, k in enumerate(table.kinds) if k == T.TEXT]
        num_cols = [i for i, k in enumerate(table.kinds) if k != T.TEXT]
        write_string, write_number = ws.write_string, ws.write_number
        for out_row, cells in enumerate(zip(*columns, strict=True), start=row + 1):
            for col in text_cols:
                cell = cells[col]
                if cell is not None:
                    write_string(out_row, col, cell[0], cell[1])
            for col in num_cols:
                cell = cells[col]
                if cell is not None:
                    write_number(out_row, col, cell[0], cell[1])
        return row + 1 + len(table)


def _fit_columns(ws: Worksheet, tables: list[T.Table]) -> None:
    widths: dict[int, int] = {}
    for table in tables:
        for col, (key, head) in enumerate(zip(table.frame.columns, table.headers, strict=True)):
            w = max(display_width(pd.Series([head])), display_width(table.frame[key]))
            if table.kinds[col] != T.TEXT:
                w = max(w, 10)
            widths[col] = max(widths.get(col, 0), w)
    for col, w in widths.items():
        ws.set_column(col, col, min(MAX_WIDTH, max(MIN_WIDTH, w + 2)))


def _list_sheet(w: _Writer, name: str, table: T.Table) -> list[str]:
    """Write ``table`` as a list sheet; one longer than a sheet can hold continues on
    ``name (2)``, ``name (3)``... (xlsxwriter would silently drop the rows past the limit).
    Returns the sheet names written."""
    names = []
    for part, start in enumerate(range(0, max(len(table), 1), SHEET_DATA_ROWS), start=1):
        chunk = T.Table(table.frame.iloc[start:start + SHEET_DATA_ROWS], table.headers,
                        table.kinds)
        names.append(name if part == 1 else f"{name} ({part})")
        ws = w.book.add_worksheet(names[-1])
        end = w.table(ws, 0, chunk)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(end - 1, 1), len(chunk.headers) - 1)
        _fit_columns(ws, [chunk])
        _print_setup(ws)
        ws.repeat_rows(0)  # township staff print these lists: the header on every page
    return names


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide (as many pages tall as needed)."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _bar_chart(book: xlsxwriter.Workbook, kind: str, title: str, sheet: str,
               cat: tuple[int, int, int], val: tuple[int, int, int], name: str) -> Any:
    chart = book.add_chart({"type": kind})
    first, last, col = cat
    vfirst, vlast, vcol = val
    chart.add_series({
        "name": name,
        "categories": [sheet, first, col, last, col],
        "values": [sheet, vfirst, vcol, vlast, vcol],
        "data_labels": {"value": True},
    })
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 300})
    return chart


def _overview(
    w: _Writer, result: AuditResult, summary: Summary, lang: str, show_ids: bool
) -> None:
    name = MSG("sheet.overview", lang)
    ws = w.book.add_worksheet(name)
    region = result.region_name or result.region or MSG("region_unknown", lang)
    w.string(ws, 0, 0, MSG("title", lang), w.title)
    w.string(ws, 1, 0, MSG("run_line", lang, year=result.year, as_of=result.as_of.isoformat(),
                           region=region, origin=label("origin", result.region_origin, lang)))
    w.string(ws, 2, 0, MSG("totals", lang, households=summary.households,
                           members=summary.members))
    row = 4
    sections = [
        ("sec.inputs", T.inputs_table(summary, lang)),
        ("sec.params", T.params_table(result, lang)),
        ("sec.populations", T.population_table(summary, lang)),
        ("sec.status", T.status_table(summary, lang)),
        ("sec.families", T.family_table(summary, lang)),
        ("sec.top_rules", T.top_rules_table(summary, lang)),
        ("sec.townships", T.area_table(summary.townships, lang)),
    ]
    bands = T.income_band_table(summary, lang) if summary.exit_income_line else None
    if bands is not None:
        sections.append(("sec.income", bands))
    starts: dict[str, int] = {}
    for key, table in sections:
        w.string(ws, row, 0, MSG(key, lang), w.section)
        starts[key] = row + 1
        row = w.table(ws, row + 1, table) + 1
        if key == "sec.params" and not all(p.verified for p in result.params):
            w.string(ws, row - 1, 0, "* " + MSG("unverified", lang) + ": "
                     + "、".join(p.name for p in result.params if not p.verified), w.warn)
            row += 1
    # Each fallback parameter carries the same note: say it once (the table marks the rows).
    fallback = [MSG("params_fallback", lang, region=result.region_name or "")] if any(
        p.note for p in result.params) else []
    notes = [*summary.notes, *fallback]
    not_eval = MSG("not_evaluated_line", lang, findings=summary.not_evaluated_findings,
                   households=summary.not_evaluated_households)
    w.string(ws, row, 0, MSG("sec.notes", lang), w.section)
    for i, note in enumerate([not_eval, *notes], start=1):
        w.string(ws, row + i, 0, str(note) if show_ids else mask_text(str(note)))
    _fit_columns(ws, [t for _, t in sections])

    # Native charts to the right of the widest table, stacked vertically.
    chart_col = max(len(t.headers) for _, t in sections) + 1
    fam = dict(sections)["sec.families"]
    fam_first = starts["sec.families"] + 1
    fam_rows = (fam_first, fam_first + len(fam) - 1)
    charts = [_bar_chart(w.book, "bar", MSG("chart.families", lang), name,
                         (*fam_rows, fam.frame.columns.get_loc("label")),
                         (*fam_rows, fam.frame.columns.get_loc("violated")),
                         MSG("col.violated", lang))]
    town = dict(sections)["sec.townships"]
    if len(town):
        first = starts["sec.townships"] + 1
        town_rows = (first, first + len(town) - 1)
        charts.append(_bar_chart(w.book, "bar", MSG("chart.townships", lang), name,
                                 (*town_rows, town.frame.columns.get_loc("township")),
                                 (*town_rows, town.frame.columns.get_loc("problems")),
                                 MSG("col.problems", lang)))
    if bands is not None:
        first = starts["sec.income"] + 1
        line = T.param_value_text(summary.exit_income_line)
        charts.append(_bar_chart(w.book, "column", MSG("chart.income", lang, line=line), name,
                                 (first, first + len(bands) - 1, 0),
                                 (first, first + len(bands) - 1, 1),
                                 MSG("col.households", lang)))
    for i, chart in enumerate(charts):
        ws.insert_chart(4 + i * CHART_ROWS, chart_col, chart)
    # The overview is wide (tables, then charts to their right): landscape A4, natural size.
    ws.set_paper(9)
    ws.set_landscape()


def write_workbook(
    result: AuditResult,
    summary: Summary,
    path: Path | str,
    *,
    lang: str = "zh",
    show_ids: bool = False,
) -> Path:
    """Write the audit workbook to ``path`` atomically; refuse to overwrite an input file."""
    target = Path(path)
    inputs = [inp.path for inp in result.registry.inputs]
    with atomic_output(target, inputs=inputs) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False, "nan_inf_to_errors": True},
        )
        try:
            w = _Writer(book, show_ids)
            _overview(w, result, summary, lang, show_ids)
            _list_sheet(w, MSG("sheet.failing", lang),
                        T.households_table(summary, "failing", lang, show_ids=show_ids))
            _list_sheet(w, MSG("sheet.at_risk", lang),
                        T.households_table(summary, "at_risk", lang, show_ids=show_ids))
            _list_sheet(w, MSG("sheet.data", lang),
                        T.data_issues_table(result, lang, show_ids=show_ids))
            _list_sheet(w, MSG("sheet.villages", lang), T.area_table(summary.villages, lang))
            _list_sheet(w, MSG("sheet.rules", lang), T.rules_table(result, summary, lang))
            _list_sheet(w, MSG("sheet.findings", lang),
                        T.findings_table(result, lang, show_ids=show_ids))
        finally:
            book.close()
    return target
