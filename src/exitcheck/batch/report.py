"""The roll-up's outputs: terminal table, workbook (汇总 + lists with 文件/县 columns), JSON, JUnit.

IDs are masked unless --show-ids: the household lists come masked from the units' workers, the
other texts are masked here (report/mask.py), as in the single-unit reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from exitcheck import __version__
from exitcheck.batch.messages import MSG
from exitcheck.batch.rollup import (
    UNIT_COLUMNS,
    Rollup,
    status_text,
    units_frame,
)
from exitcheck.report import tables as T
from exitcheck.report.atomic import atomic_output, write_text_atomic
from exitcheck.report.detail import detail_limit
from exitcheck.report.mask import inert, mask_any, mask_text, mask_text_series
from exitcheck.report.messages import MSG as REPORT_MSG
from exitcheck.report.messages import family_label, label

SCHEMA_ID = "exitcheck.batch/1"


def verdict_line(rollup: Rollup, lang: str) -> str:
    bad = sum(1 for o in rollup.outcomes if o.exit_code)
    units = len(rollup.outcomes)
    if rollup.exit_code == 0:
        return MSG("verdict.ok", lang, units=units, fail_on=rollup.fail_on, code=0)
    return MSG("verdict.fail", lang, bad=bad, units=units, code=rollup.exit_code)


def _overlap_line(rollup: Rollup, lang: str) -> str:
    n = len(rollup.overlaps)
    return MSG("overlap_line", lang, n=n) if n else MSG("overlap_none", lang)


# -- terminal ------------------------------------------------------------------------------------

# The verdict text is left out (80 columns): the exit code says it, errors are listed below.
_CONSOLE_KEYS = ("unit", "counties", "rows_read", "households", "failing", "at_risk",
                 "data_errors", "rules_not_run", "exit_code")


def render_console(rollup: Rollup, console: Console, lang: str, show_ids: bool) -> None:
    console.print(Text(MSG("title", lang), style="bold"))
    console.print(MSG("units_line", lang, units=len(rollup.outcomes),
                      households=f"{rollup.households:,}", members=f"{rollup.members:,}"))
    if rollup.runner:
        console.print(Text(rollup.runner, style="dim"))
    frame = units_frame(rollup, lang)
    headers = {k: MSG(f"con.{k}" if f"con.{k}" in MSG.entries else h, lang)
               for k, h, _ in UNIT_COLUMNS}
    kinds = {k: kind for k, _, kind in UNIT_COLUMNS}
    table = Table(title=MSG("sec.units", lang), title_justify="left", title_style="bold",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    rows = []
    for row in frame[list(_CONSOLE_KEYS)].itertuples(index=False, name=None):
        cells = []
        for key, value in zip(_CONSOLE_KEYS, row, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("")
            elif kinds[key] == "int":
                cells.append(f"{int(value):,}")
            else:
                cells.append(inert(str(value), show_ids=show_ids))
        rows.append(cells)
    for pos, key in enumerate(_CONSOLE_KEYS):
        widest = max((cell_len(r[pos]) for r in rows), default=1)
        if kinds[key] == "int":  # numbers whole; the header wraps
            table.add_column(headers[key], justify="right", min_width=max(widest, 4),
                             overflow="fold")
        else:
            table.add_column(headers[key], overflow="fold", min_width=min(widest, 10))
    for cells in rows:
        table.add_row(*map(Text, cells))
    console.print(table)
    for o in rollup.outcomes:
        if o.error is not None:
            console.print(Text(f"· {inert(o.label, show_ids=show_ids)}："
                               f"{inert(status_text(o, lang), show_ids=show_ids)}",
                               style="bold red"))
    console.print(Text(_overlap_line(rollup, lang),
                       style="yellow" if len(rollup.overlaps) else ""))
    for _, f in rollup.overlaps.head(10).iterrows():  # a handful: the list is in the workbook
        console.print(Text("  · " + inert(str(f["message"]), show_ids=show_ids)))
    if not rollup.reconciled:
        console.print(Text(REPORT_MSG("rows_unreconciled", lang), style="bold red"))
    for note in rollup.notes:
        console.print(Text(f"· {inert(note, show_ids=show_ids)}", style="dim"))
    if rollup.outputs or rollup.unit_workbooks:
        console.print()
        console.print(Text(MSG("sec.outputs", lang), style="bold"))
        colon = "：" if lang != "en" else ": "
        for kind, path in rollup.outputs.items():
            shown = (MSG("units_written", lang, n=rollup.unit_workbooks, folder=path)
                     if kind == "units" else str(path))
            console.print(Text(f"  {MSG(f'output.{kind}', lang)}{colon}"
                               f"{inert(shown, show_ids=show_ids)}"),
                          soft_wrap=True, highlight=False)
    console.print()
    style = "bold red" if rollup.exit_code else "bold green"
    console.print(Text(verdict_line(rollup, lang), style=style))


# -- JSON ----------------------------------------------------------------------------------------


def build_json(rollup: Rollup, lang: str, show_ids: bool) -> dict[str, Any]:
    """The roll-up JSON ``exitcheck.batch/1`` (docs/batch.md)."""
    from exitcheck.report.jsonsafe import to_jsonable
    from exitcheck.report.mask import clean_values

    units = []
    for o in rollup.outcomes:
        units.append({
            "name": o.name, "label": o.label, "paths": o.paths, "counties": o.counties,
            "exit_code": o.exit_code, "error": o.error_en if lang == "en" else o.error,
            "year": o.year, "region": o.region_name,
            "rows_read": o.rows_read, "rows_audited": o.rows_units,
            "rows_skipped": o.rows_skipped, "reconciled": o.reconciled, "inputs": o.inputs,
            "households": o.households, "members": o.members, "failing": o.failing,
            "at_risk": o.at_risk, "data_errors": o.data_errors,
            "not_evaluated": o.not_evaluated, "rules_not_run": o.rules_not_run,
            "findings": o.findings, "by_status": o.by_status,
            "by_rule": {k: {"violated_findings": v[0], "violated_households": v[1]}
                        for k, v in o.by_rule.items()},
            "workbook": o.workbook, "seconds": round(o.seconds, 3),
            "notes": o.notes,
        })
    overlaps = []
    for rec in rollup.overlaps.to_dict("records"):
        rec["values"] = clean_values(rec.get("values") or {}, show_ids=show_ids)
        overlaps.append(rec)
    report = to_jsonable({
        "schema": SCHEMA_ID,
        "tool": {"name": "exitcheck", "version": __version__},
        "run": {"fail_on": rollup.fail_on, "lang": lang, "show_ids": show_ids,
                "runner": rollup.runner},
        "summary": {"units": len(rollup.outcomes), "households": rollup.households,
                    "members": rollup.members,
                    "failing": sum(o.failing for o in rollup.outcomes),
                    "at_risk": sum(o.at_risk for o in rollup.outcomes),
                    "data_errors": sum(o.data_errors for o in rollup.outcomes),
                    "findings": rollup.findings_total, "overlaps": len(rollup.overlaps),
                    "rows_reconciled": rollup.reconciled, "exit_code": rollup.exit_code},
        "units": units,
        "overlaps": overlaps,
        "findings_file": str(rollup.findings_file) if rollup.findings_file else None,
        "notes": rollup.notes,
    })
    return report if show_ids else mask_any(report, show_ids=False)


def write_json(report: dict[str, Any], target: Path | str) -> None:
    text = json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n"
    write_text_atomic(target, text)


def write_json_stream(report: dict[str, Any], stream: Any) -> None:
    stream.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n")
    stream.flush()


# -- JUnit ---------------------------------------------------------------------------------------


def write_junit(rollup: Rollup, target: Path, lang: str, show_ids: bool) -> None:
    """One test case per unit (failed when its exit code is not 0) and one for the overlaps."""
    cases = []
    for o in rollup.outcomes:
        name = xml_escape(o.label if show_ids else mask_text(o.label), {'"': "&quot;"})
        if o.exit_code:
            text = xml_escape(inert(f"exit {o.exit_code}: {_unit_text(o, lang)}",
                                    show_ids=show_ids), {'"': "&quot;"})
            cases.append(f'<testcase classname="exitcheck.batch" name="{name}">'
                         f'<failure message="{text}"/></testcase>')
        else:
            cases.append(f'<testcase classname="exitcheck.batch" name="{name}"/>')
    failures = sum(1 for o in rollup.outcomes if o.exit_code)
    if len(rollup.overlaps):
        failures += 1
        text = xml_escape(inert(_overlap_line(rollup, lang), show_ids=show_ids),
                          {'"': "&quot;"})
        cases.append('<testcase classname="exitcheck.batch" name="DQ120">'
                     f'<failure message="{text}"/></testcase>')
    else:
        cases.append('<testcase classname="exitcheck.batch" name="DQ120"/>')
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<testsuites><testsuite name="exitcheck batch" tests="{len(cases)}" '
           f'failures="{failures}">' + "".join(cases) + "</testsuite></testsuites>\n")
    write_text_atomic(target, xml)


def _unit_text(o: Any, lang: str) -> str:
    if o.error is not None:
        return (o.error_en if lang == "en" else o.error) or ""
    return MSG("units_line", lang, units=1, households=o.households, members=o.members)


# -- workbook ------------------------------------------------------------------------------------


def write_workbook(rollup: Rollup, target: Path, lang: str, show_ids: bool) -> Path:
    """汇总 (units, totals, notes), 未达标户, 返贫风险户, 按村统计, 跨文件重复, and 明细 when the
    findings fit (report/detail.py detail_limit()), else a note naming the findings file."""
    import xlsxwriter

    from exitcheck.report.excel import _fit_columns, _list_sheet, _print_setup, _Writer

    inputs = [p for o in rollup.outcomes for p in o.paths]
    with atomic_output(target, inputs=inputs) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False, "nan_inf_to_errors": True},
        )
        try:
            w = _Writer(book, show_ids)
            _summary_sheet(w, rollup, lang, show_ids, _fit_columns, _print_setup)
            sheets = _Sheets(w, _fit_columns, _print_setup)
            for which, sheet in (("failing_list", "sheet.failing"),
                                 ("at_risk_list", "sheet.at_risk")):
                sheets.write(MSG(sheet, lang), (_household_table(t, lang) for t in
                                                _unit_tables(rollup, which)))
            sheets.write(MSG("sheet.villages", lang),
                         (_village_table(t, lang) for t in _unit_tables(rollup, "villages")))
            _list_sheet(w, MSG("sheet.overlap", lang), _overlap_table(rollup, lang, show_ids))
            if rollup.findings_total <= detail_limit():
                sheets.write(MSG("sheet.findings", lang),
                             (_table(f, _UNIT_SPEC, _FINDING_SPEC, lang)
                              for f in _finding_chunks(rollup, lang)))
        finally:
            book.close()
    return target


def _summary_sheet(w: Any, rollup: Rollup, lang: str, show_ids: bool, fit: Any,
                   print_setup: Any) -> None:
    ws = w.book.add_worksheet(MSG("sheet.summary", lang))
    w.string(ws, 0, 0, MSG("title", lang), w.title)
    w.string(ws, 1, 0, MSG("units_line", lang, units=len(rollup.outcomes),
                           households=rollup.households, members=rollup.members))
    w.string(ws, 2, 0, verdict_line(rollup, lang),
             w.warn if rollup.exit_code else None)
    w.string(ws, 4, 0, MSG("sec.units", lang), w.section)
    table = _units_table(rollup, lang)
    row = w.table(ws, 5, table) + 1
    notes = [_overlap_line(rollup, lang), *rollup.notes]
    if rollup.runner:
        notes.append(rollup.runner)
    w.string(ws, row, 0, MSG("sec.notes", lang), w.section)
    for i, note in enumerate(notes, start=1):
        w.string(ws, row + i, 0, note if show_ids else mask_text(note))
    fit(ws, [table])
    print_setup(ws)


def _units_table(rollup: Rollup, lang: str) -> T.Table:
    frame = units_frame(rollup, lang)
    return T.Table(frame, [MSG(h, lang) for _, h, _ in UNIT_COLUMNS],
                   [T.TEXT if kind == "text" else T.INT for _, _, kind in UNIT_COLUMNS])


_UNIT_SPEC = [("unit", "col.unit", T.TEXT), ("county", "col.counties", T.TEXT)]


def _unit_tables(rollup: Rollup, attr: str) -> Iterator[pd.DataFrame]:
    """One unit's Arrow table at a time as a frame (the workbook never holds all of them as
    Python objects at once); a single empty frame when no unit has rows."""
    empty = True
    for o in rollup.outcomes:
        table = getattr(o, attr)
        if table is not None and table.num_rows:
            empty = False
            yield table.to_pandas()
    if empty:
        yield pd.DataFrame()


def _household_table(frame: pd.DataFrame, lang: str) -> T.Table:
    base = [("township", "col.township", T.TEXT), ("village", "col.village", T.TEXT),
            ("household_id", "col.household_id", T.TEXT), ("head_name", "col.head_name", T.TEXT),
            ("head_id", "col.head_id", T.TEXT), ("poverty_status", "col.poverty_status", T.TEXT),
            ("per_capita_net_income", "col.income", T.MONEY),
            ("failed_codes", "col.failed_codes", T.TEXT), ("reasons", "col.reasons", T.TEXT),
            ("not_evaluated_codes", "col.not_evaluated_codes", T.TEXT)]
    return _table(frame, _UNIT_SPEC, base, lang)


def _table(frame: pd.DataFrame, spec: list[tuple[str, str, str]],
           base: list[tuple[str, str, str]], lang: str) -> T.Table:
    """``spec``: batch columns (batch messages), ``base``: report columns (report messages)."""
    keys = [k for k, _, _ in spec + base]
    out = frame.reindex(columns=keys)
    kinds = [k for _, _, k in spec + base]
    for key, kind in zip(keys, kinds, strict=True):
        if kind == T.TEXT:
            out[key] = out[key].astype("string").fillna("").astype(object)
    headers = [MSG(h, lang) for _, h, _ in spec] + [REPORT_MSG(h, lang) for _, h, _ in base]
    return T.Table(out.reset_index(drop=True), headers, kinds)


def _village_table(frame: pd.DataFrame, lang: str) -> T.Table:
    area = T.area_table(frame if len(frame) else pd.DataFrame(
        columns=["county", "township", "village"]), lang)
    unit = frame["unit"] if "unit" in frame.columns else pd.Series([], dtype=object)
    area.frame.insert(0, "unit", unit.astype("string").fillna("").to_numpy(dtype=object))
    return T.Table(area.frame, [MSG("col.unit", lang), *area.headers], [T.TEXT, *area.kinds])


def _overlap_table(rollup: Rollup, lang: str, show_ids: bool) -> T.Table:
    f = rollup.overlaps.copy()
    if not show_ids and len(f):
        for key in ("member_id", "message", "location", "unit"):
            f[key] = mask_text_series(f[key].astype("string")).astype(object)
    spec = [("unit", "col.unit", T.TEXT)]
    base = [("rule", "col.rule", T.TEXT), ("household_id", "col.household_id", T.TEXT),
            ("member_id", "col.member_id", T.TEXT), ("location", "col.location", T.TEXT),
            ("message", "col.message", T.TEXT)]
    return _table(f, spec, base, lang)


_FINDING_SPEC = [("rule", "col.rule", T.TEXT), ("family_l", "col.family", T.TEXT),
                 ("severity_l", "col.severity", T.TEXT), ("status_l", "col.status", T.TEXT),
                 ("household_id", "col.household_id", T.TEXT),
                 ("member_id", "col.member_id", T.TEXT), ("location", "col.location", T.TEXT),
                 ("message", "col.message", T.TEXT), ("values", "col.values", T.TEXT)]


def _finding_chunks(rollup: Rollup, lang: str) -> Iterator[pd.DataFrame]:
    from exitcheck.batch.findings_file import SCHEMA, iter_parts

    empty = True
    for table in iter_parts(rollup.parts):
        empty = False
        frame = table.to_pandas()
        frame["family_l"] = frame["family"].map(lambda c: family_label(str(c), lang))
        for key, prefix in (("severity", "severity"), ("status", "status")):
            codes = frame[key].astype("string").fillna("")
            frame[f"{key}_l"] = codes.map({c: label(prefix, c, lang) for c in codes.unique()})
        yield frame
    if empty:  # the header alone
        yield SCHEMA.empty_table().to_pandas().assign(family_l="", severity_l="", status_l="")


class _Sheets:
    """List sheets written from chunks (one unit's rows at a time): the header once, a sheet
    continued on ``name (2)``… past Excel's row limit, column widths from the first rows."""

    def __init__(self, w: Any, fit: Any, print_setup: Any) -> None:
        self.w, self.fit, self.print_setup = w, fit, print_setup

    def write(self, name: str, chunks: Iterator[T.Table]) -> None:
        from exitcheck.report.excel import SHEET_DATA_ROWS

        ws, row, part, sample = None, 0, 0, None
        for table in chunks:
            start = 0
            while ws is None or start < len(table):
                if ws is None or row > SHEET_DATA_ROWS:
                    if ws is not None:
                        self._finish(ws, row, sample)
                    part += 1
                    ws = self.w.book.add_worksheet(name if part == 1 else f"{name} ({part})")
                    sample = T.Table(table.frame.head(200), table.headers, table.kinds)
                    row = self.w.table(ws, 0, T.Table(table.frame.iloc[0:0], table.headers,
                                                      table.kinds))
                take = min(len(table) - start, SHEET_DATA_ROWS + 1 - row)
                chunk = T.Table(table.frame.iloc[start:start + take], table.headers,
                                table.kinds)
                row = self.w.rows(ws, row, chunk)
                start += take
        if ws is not None:
            self._finish(ws, row, sample)

    def _finish(self, ws: Any, row: int, sample: T.Table | None) -> None:
        ws.freeze_panes(1, 0)
        if sample is not None:
            ws.autofilter(0, 0, max(row - 1, 1), len(sample.headers) - 1)
            self.fit(ws, [sample])
        self.print_setup(ws)
        ws.repeat_rows(0)


