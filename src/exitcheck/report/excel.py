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
from exitcheck.exitcodes import ExitCode
from exitcheck.inputs import OWN_OUTPUT_AUTHOR
from exitcheck.report import sheet_rows
from exitcheck.report import tables as T
from exitcheck.report.atomic import atomic_output
from exitcheck.report.detail import detail_note
from exitcheck.report.mask import mask_text, mask_text_series
from exitcheck.report.messages import MSG, label, unit_label

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
MIN_WIDTH = 6
# East Asian wide characters (CJK, full-width forms): two column-width units each.
CJK = (r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
       r"\uff00-\uff60\uffe0-\uffe6]")
# Data rows one worksheet holds: Excel's 1,048,576 rows less the header row.
SHEET_DATA_ROWS = 1_048_576 - 1


# The same ranges in RE2 syntax, for pyarrow's regex kernels.
_CJK_RE2 = re.sub(r"\\u([0-9a-f]{4})", r"\\x{\1}", CJK)


def display_width(series: pd.Series) -> int:
    """Widest cell in characters, a CJK character counting as 2 (Excel column width units)."""
    if series.empty:
        return 0
    text = pa.array(series.astype("string"), type=pa.string(), from_pandas=True)
    # Distinct texts only (list columns repeat codes and labels), measured by arrow kernels.
    distinct = pc.unique(text).drop_null()
    if not len(distinct):
        return 0
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
        self.good = book.add_format({**base, "font_color": "#2E7D32", "bold": True,
                                     "font_size": 12})
        self.bad = book.add_format({**base, "font_color": "#C00000", "bold": True,
                                    "font_size": 12})
        self.wrap = book.add_format({**base, "text_wrap": True})

    def string(self, ws: Worksheet, row: int, col: int, text: str, fmt: Any = None) -> None:
        if text == "":
            return
        if not self.show_ids:
            text = mask_text(text)
        if text.startswith(FORMULA_START):
            fmt = self.quoted
        ws.write_string(row, col, text, fmt if fmt is not None else self.text)

    def table(self, ws: Worksheet, row: int, table: T.Table, first_col: int = 0,
              *, wrap_first: bool = False) -> int:
        """Write header + rows from ``row``, columns from ``first_col``; return the next free
        row. ``wrap_first``: the first column's texts wrap (titles in a fitted column)."""
        for col, head in enumerate(table.headers, start=first_col):
            self.string(ws, row, col, head, self.header)
        return self.rows(ws, row + 1, table, first_col, wrap_first=wrap_first)

    def rows(self, ws: Worksheet, row: int, table: T.Table, first_col: int = 0,
             *, wrap_first: bool = False) -> int:
        """Write ``table``'s rows (no header) from ``row``; return the next free row. Text is
        masked and formula-like text quoted column-wise; blank cells are not written."""
        fmts = {T.INT: self.int, T.MONEY: self.money, T.PERCENT: self.percent}
        # Columns converted once (text: masked str with "" for blank; numbers: float64 with
        # NaN for blank); the formula-like test is a column operation too.
        prepared: list[tuple[Any, Any, np.ndarray | None]] = []
        for key, kind in zip(table.frame.columns, table.kinds, strict=True):
            values = table.frame[key]
            if kind == T.TEXT:
                text = values.astype("string").fillna("")
                if not self.show_ids:
                    text = mask_text_series(text)
                quoted = text.str.startswith(FORMULA_START).to_numpy(dtype=bool)
                plain = self.wrap if wrap_first and not prepared else self.text
                prepared.append((text, plain, quoted))
            else:
                number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64",
                                                                          na_value=np.nan)
                prepared.append((number, fmts[kind], None))
        # All rows but the last as XML (report/sheet_rows.py); the last through xlsxwriter, so
        # that it is the worksheet's pending row as after cell-by-cell writes (a set_row or a
        # cell added to it later still lands).
        done = 0
        if len(table) > 1 and sheet_rows.usable(ws, row, len(table) - 1) and self._rows_as_xml(
                ws, row, first_col, [(v[:-1], f, None if q is None else q[:-1])
                                     for v, f, q in prepared]):
            done = len(table) - 1
            prepared = [(v[done:], f, None if q is None else q[done:]) for v, f, q in prepared]
        # Cell by cell: each column one list of (value, format) cells, None for a blank cell.
        columns: list[list[Any]] = []
        for values, fmt, quoted in prepared:
            if quoted is not None:
                cell_fmt = np.where(quoted, self.quoted, fmt)
                cells = pd.Series(list(zip(values.to_numpy(dtype=object), cell_fmt, strict=True)),
                                  dtype=object).where((values != "").to_numpy(dtype=bool), None)
            else:
                cells = pd.Series([(float(x), fmt) for x in values], dtype=object)
                cells = cells.where(~np.isnan(values), None)
            columns.append(cells.tolist())
        text_cols = [i for i, (_, _, q) in enumerate(prepared) if q is not None]
        num_cols = [i for i, (_, _, q) in enumerate(prepared) if q is None]
        write_string, write_number = ws.write_string, ws.write_number
        for out_row, cells in enumerate(zip(*columns, strict=True), start=row + done):
            for col in text_cols:
                cell = cells[col]
                if cell is not None:
                    write_string(out_row, first_col + col, cell[0], cell[1])
            for col in num_cols:
                cell = cells[col]
                if cell is not None:
                    write_number(out_row, first_col + col, cell[0], cell[1])
        return row + len(table)

    def _rows_as_xml(self, ws: Worksheet, row: int, first_col: int,
                     prepared: list[tuple[Any, Any, np.ndarray | None]]) -> bool:
        """The rows handed to the worksheet as XML built column-wise (report/sheet_rows.py);
        False (nothing written) for a table xlsxwriter must write cell by cell."""
        columns = []
        for values, fmt, quoted in prepared:
            if quoted is None:
                text = sheet_rows.number_text(values)
                if text is None:
                    return False
                columns.append(sheet_rows.Column(text, True, fmt._get_xf_index()))
                continue
            arrow = pa.array(values, type=pa.string(), from_pandas=True)
            arrow = pc.if_else(pc.equal(arrow, ""), pa.scalar(None, pa.string()), arrow)
            xf: int | np.ndarray = fmt._get_xf_index()
            if quoted.any():
                xf = np.where(quoted, self.quoted._get_xf_index(), xf)
            columns.append(sheet_rows.Column(arrow, False, xf))
        sheet_rows.write_rows(ws, row, first_col, columns)
        return True


def _fit_columns(ws: Worksheet, tables: list[T.Table]) -> None:
    widths: dict[int, int] = {}
    for table in tables:
        for col, (key, head) in enumerate(zip(table.frame.columns, table.headers, strict=True)):
            kind = table.kinds[col]
            data = (display_width(table.frame[key]) if kind == T.TEXT
                    else max(_number_width(table.frame[key], kind), 10))
            w = max(display_width(pd.Series([head])), data)
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
    # Every category named (a bar chart's category axis is its y axis in xlsxwriter).
    (chart.set_y_axis if kind == "bar" else chart.set_x_axis)(
        {"interval_unit": 1, "num_font": {"size": 8}})
    chart.set_size({"width": CHART_PX[0], "height": CHART_PX[1]})
    return chart


# 概览 layout (issue 11): title rows frozen and printed on every page; the tables stacked in
# one column block (a label or text column, then numbers) so that each column fits its
# contents; the charts beside them from column J, within the first screen; A4 landscape, one
# page wide, the results on page 1 and the reference tables (rules, files, parameters) on
# page 2.
TITLE_ROWS = 5  # title, run line, totals, verdict, counts
CHART_COL = 9  # J
CHART_PX = (500, 260)
CHART_STEP = 14  # rows between chart anchors (260 px at 20 px a row, and a gap)
LABEL_MAX = 36  # column A: labels, rule and parameter titles (longer ones wrap)
NUMBER_WIDTH = 11
TEXT_MAX = 14  # other text columns of the stacked tables


def _pick(table: T.Table, keys: list[str]) -> T.Table:
    index = [list(table.frame.columns).index(k) for k in keys]
    return T.Table(table.frame[keys].reset_index(drop=True), [table.headers[i] for i in index],
                   [table.kinds[i] for i in index])


def _text_width(text: str) -> int:
    return display_width(pd.Series([text]))


def _overview_tables(
    result: AuditResult, summary: Summary, lang: str
) -> tuple[list[tuple[str, T.Table]], list[tuple[str, T.Table]]]:
    """(results for page 1, reference tables for page 2), each as (section key, table); every
    table has its label or text in its first column."""
    families = _pick(T.family_table(summary, lang),
                     ["label", "audited", "passed", "violated", "violated_share",
                      "not_evaluated", "exempted", "rules_not_run"])
    towns = T.area_table(summary.townships, lang)
    if summary.townships["county"].nunique() > 1:  # one label column: 县 乡镇
        towns.frame["township"] = (towns.frame["county"] + " "
                                   + towns.frame["township"]).str.strip()
    towns = _pick(towns, ["township", "households", "exited", "problems", "failing", "at_risk",
                          "data_errors", "exited_failing"])
    results = [("sec.families", families), ("sec.townships", towns),
               ("sec.populations", T.population_table(summary, lang)),
               ("sec.status", T.status_table(summary, lang))]
    if summary.exit_income_line:
        results.append(("sec.income", T.income_band_table(summary, lang)))
    rules = _pick(T.top_rules_table(summary, lang),
                  ["title_l", "rule", "severity_l", "violated_households", "violated_findings"])
    inputs = T.inputs_table(summary, lang)
    inputs.frame["reader"] = inputs.frame["reader"].where(
        inputs.frame["encoding"] == "", inputs.frame["reader"] + " " + inputs.frame["encoding"])
    inputs = _pick(inputs, ["file", "rows_read", "member_rows", "table", "reconciled", "sheet",
                            "reader", "skipped"])
    params = T.params_table(result, lang)
    params.frame["unit"] = params.frame["unit"].map(lambda u: unit_label(u, lang) if u else "")
    params = _pick(params, ["title", "value", "unit", "effective_from", "region", "verified",
                            "source"])
    reference = [("sec.top_rules", rules), ("sec.inputs", inputs), ("sec.params", params)]
    return results, reference


def _number_width(values: pd.Series, kind: str) -> int:
    """Characters of the widest number as shown (#,##0 / #,##0.00 / 0.0%)."""
    number = pd.to_numeric(values, errors="coerce").dropna()
    if number.empty:
        return 1
    if kind == T.PERCENT:
        return 6
    biggest = float(number.abs().max())
    return len(f"{biggest:,.2f}" if kind == T.MONEY else f"{biggest:,.0f}") + 1


def _column_widths(tables: list[T.Table]) -> dict[int, int]:
    """Column A fits the labels up to LABEL_MAX; the others fit numbers and short texts; a
    table's last text column (sources, notes) may run on to the right."""
    widths: dict[int, int] = {}
    for table in tables:
        last = len(table.headers) - 1
        for col, (key, head) in enumerate(zip(table.frame.columns, table.headers, strict=True)):
            if col == last and table.kinds[col] == T.TEXT and col > 0:
                continue  # overflows into the empty cells to its right
            data = (display_width(table.frame[key]) if table.kinds[col] == T.TEXT
                    else _number_width(table.frame[key], table.kinds[col]))
            if col == 0:
                w = min(LABEL_MAX, max(_text_width(head), data))
            elif table.kinds[col] == T.TEXT:  # short texts: sheet, unit, region, severity
                w = min(TEXT_MAX, max(data, 8))
            else:
                w = max(NUMBER_WIDTH - 2, data)
            widths[col] = max(widths.get(col, 0), w)
    return {c: min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for c, w in widths.items()}


def _row_heights(ws: Worksheet, row: int, table: T.Table, widths: dict[int, int]) -> None:
    """Rows whose first-column text wraps get the height of its lines (xlsxwriter cannot
    measure text)."""
    column = table.frame[table.frame.columns[0]].astype("string").fillna("")
    for i, text in enumerate(column):
        lines = _lines(text, widths[0] - 1)
        if lines > 1:  # ``row`` is the section title; the header follows, then the data
            ws.set_row(row + 2 + i, 14 * lines)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` units wide, as LibreOffice and Excel
    draw the 10-point font: a CJK character ~1.8 units, a Latin letter ~0.75 (narrower than
    the digit a column-width unit is)."""
    cjk = len(re.findall(CJK, text))
    used = 1.8 * cjk + 0.75 * (len(text) - cjk)
    return max(1, -(-int(used) // max(int(width), 1)))


def _overview(
    w: _Writer, result: AuditResult, summary: Summary, lang: str, show_ids: bool
) -> None:
    name = MSG("sheet.overview", lang)
    ws = w.book.add_worksheet(name)
    region = result.region_name or result.region or MSG("region_unknown", lang)
    w.string(ws, 0, 0, MSG("title", lang), w.title)
    run = MSG("run_line", lang, year=result.year, as_of=result.as_of.isoformat(), region=region,
              origin=label("origin", result.region_origin, lang))
    w.string(ws, 1, 0, run)
    w.string(ws, 2, 0, MSG("totals", lang, households=summary.households,
                           members=summary.members))
    w.string(ws, 3, 0, T.verdict_line(summary, lang),
             w.good if summary.exit_code == ExitCode.OK else w.bad)
    w.string(ws, 4, 0, T.counts_line(summary, lang))

    results, reference = _overview_tables(result, summary, lang)
    widths = _column_widths([t for _, t in results + reference])
    for col, width in widths.items():
        ws.set_column(col, col, width)
    ws.set_column(len(widths), CHART_COL - 1, 2)  # a narrow gap before the charts
    ws.set_column(CHART_COL, CHART_COL + 7, 9)
    row = TITLE_ROWS + 1
    starts: dict[str, int] = {}
    for key, table in results:
        w.string(ws, row, 0, MSG(key, lang), w.section)
        starts[key] = row + 1
        row = w.table(ws, row + 1, table) + 1
    # The charts need as many rows as three of them take, whatever the tables' length.
    row = max(row, TITLE_ROWS + 1 + 3 * CHART_STEP)
    ws.set_h_pagebreaks([row])  # page 2: what was read and with which rules and parameters
    for key, table in reference:
        w.string(ws, row, 0, MSG(key, lang), w.section)
        end = w.table(ws, row + 1, table, wrap_first=True)
        _row_heights(ws, row, table, widths)
        row = end + 1
        if key == "sec.params" and not all(p.verified for p in result.params):
            w.string(ws, row - 1, 0, "* " + MSG("unverified", lang) + ": " + "、".join(
                p.title_en if lang == "en" else p.title for p in result.params
                if not p.verified), w.warn)
            row += 1
    # Each fallback parameter carries the same note: say it once (the table marks the rows).
    fallback = [MSG("params_fallback", lang, region=result.region_name or "")] if any(
        p.note for p in result.params) else []
    not_run = ([MSG("sec.not_run", lang, n=len(result.not_run)),
                *("· " + g for g in T.not_run_groups(result.not_run, result.year, lang))]
               if result.not_run else [])
    notes = [*not_run, *T.other_notes(result, summary, lang), *fallback]
    not_eval = MSG("not_evaluated_line", lang, findings=summary.not_evaluated_findings,
                   households=summary.not_evaluated_households)
    w.string(ws, row, 0, MSG("sec.notes", lang), w.section)
    last_col = CHART_COL + 7
    line_width = sum(widths.values()) + 2 * (CHART_COL - len(widths)) + 9 * 8
    for i, note in enumerate([not_eval, *notes], start=1):
        text = str(note) if show_ids else mask_text(str(note))
        ws.merge_range(row + i, 0, row + i, last_col, "", w.wrap)
        w.string(ws, row + i, 0, text, w.wrap)
        lines = _lines(text, line_width)
        if lines > 1:
            ws.set_row(row + i, 14 * lines)
    last_row = row + len(notes) + 1

    # Native charts beside the tables, from column J: visible on opening the sheet.
    fam = dict(results)["sec.families"]
    first = starts["sec.families"] + 1
    charts = [_bar_chart(w.book, "bar", MSG("chart.families", lang), name,
                         (first, first + len(fam) - 1, 0), (first, first + len(fam) - 1, 3),
                         MSG("col.violated", lang))]
    town = dict(results)["sec.townships"]
    if len(town):
        first = starts["sec.townships"] + 1
        charts.append(_bar_chart(w.book, "bar", MSG("chart.townships", lang), name,
                                 (first, first + len(town) - 1, 0),
                                 (first, first + len(town) - 1, 3), MSG("col.problems", lang)))
    if "sec.income" in starts:
        bands = dict(results)["sec.income"]
        first = starts["sec.income"] + 1
        line = T.param_value_text(summary.exit_income_line)
        charts.append(_bar_chart(w.book, "column", MSG("chart.income", lang, line=line), name,
                                 (first, first + len(bands) - 1, 0),
                                 (first, first + len(bands) - 1, 1),
                                 MSG("col.households", lang)))
    for i, chart in enumerate(charts):
        ws.insert_chart(TITLE_ROWS + 1 + i * CHART_STEP, CHART_COL, chart,
                        {"x_offset": 4, "y_offset": 4})

    ws.freeze_panes(TITLE_ROWS, 0)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed (two for the sample)
    ws.repeat_rows(0, TITLE_ROWS - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_area(0, 0, last_row, last_col)
    ws.activate()


def write_workbook(
    result: AuditResult,
    summary: Summary,
    path: Path | str,
    *,
    lang: str = "zh",
    show_ids: bool = False,
    detail_file: Path | None = None,
) -> Path:
    """Write the audit workbook to ``path`` atomically; refuse to overwrite an input file.

    ``detail_file``: the findings exceed the workbook's limit (report/detail.py) and were
    written there; 明细 then names that file instead of listing them.
    """
    target = Path(path)
    inputs = [inp.path for inp in result.registry.inputs]
    with atomic_output(target, inputs=inputs) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False, "nan_inf_to_errors": True},
        )
        # Marked as exitcheck's own: a later run given this folder never reads it as a table.
        book.set_properties({"author": OWN_OUTPUT_AUTHOR, "title": MSG("sheet.overview", lang)})
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
            if detail_file is None:
                _list_sheet(w, MSG("sheet.findings", lang),
                            T.findings_table(result, lang, show_ids=show_ids))
            else:
                ws = book.add_worksheet(MSG("sheet.findings", lang))
                w.string(ws, 0, 0, detail_note(result, detail_file, lang), w.warn)
        finally:
            book.close()
    return target
