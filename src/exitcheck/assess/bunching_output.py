"""Write the income-bunching result: workbook with one native histogram per flagged village
(xlsxwriter, atomic), JSON and the terminal summary."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from exitcheck.assess.bunching import LEVELS, VERDICT_LABELS, Bunching
from exitcheck.assess.exit_rates import LEVEL_LABELS
from exitcheck.assess.workbook import write_table
from exitcheck.report.mask import mask_any

MAX_CHARTS = 60  # flagged villages drawn; the table lists every one
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("level_label", "层级", "level"),
    ("township", "乡镇", "township"),
    ("village", "村", "village"),
    ("households", "范围内户数", "households in range"),
    ("below", "标准下方户数", "just below"),
    ("above", "标准上方户数", "just above"),
    ("exited_above", "其中已脱贫", "of which exited"),
    ("expected_above", "拟合户数（上方）", "fitted above"),
    ("excess", "超额户数", "excess"),
    ("excess_ratio", "超额比例", "excess ratio"),
    ("missing_below", "下方缺口", "missing below"),
    ("z", "z", "z"),
    ("p_value", "p 值", "p-value"),
    ("verdict_label", "结论", "result"),
)


def rows(result: Bunching, lang: str) -> list[dict[str, Any]]:
    i = 1 if lang == "en" else 0
    out = []
    for rec in result.table.to_dict("records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, float | np.floating):
                v = None if math.isnan(float(v)) or math.isinf(float(v)) else float(v)
            row[str(k)] = v
        row["level_label"] = LEVEL_LABELS[str(rec["level"])][i]
        row["verdict_label"] = VERDICT_LABELS[str(rec["verdict"])][i]
        out.append(mask_any(row))  # a place name may hold an ID (hostile input)
    return out


def to_json(result: Bunching, lang: str) -> dict[str, Any]:
    s = result.spec
    return {
        "kind": "exitcheck.bunching", "version": 1, "year": result.year,
        "region": result.region, "line_param": result.line_param, "line": result.line,
        "line_source": result.line_source,
        "parameters": {"bunching_bin_width": s.bin_width, "bunching_fit_range": s.fit_range,
                       "bunching_window": s.window, "bunching_poly_degree": s.degree,
                       "bunching_alpha": s.alpha, "bunching_min_excess": s.min_excess,
                       "bunching_min_households": s.min_households},
        "bin_edges": [round(float(e), 10) for e in s.edges()],
        "places": [{**r, "counts": result.counts[:, k].astype(int).tolist(),
                    "fitted": [round(float(x), 4) for x in result.fitted[:, k]]}
                   for k, r in enumerate(rows(result, lang))],
        "notes": result.notes_en if lang == "en" else result.notes,
    }


def write_json(data: dict[str, Any], path: Path | None, inputs: list[Path]) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if path is not None:
        from exitcheck.report.atomic import write_text_atomic

        write_text_atomic(path, text + "\n", inputs=inputs)
    return text


def write_workbook(result: Bunching, path: Path, lang: str, inputs: list[Path]) -> None:
    import xlsxwriter

    from exitcheck.report.atomic import atomic_output

    en = lang == "en"
    i = 2 if en else 1
    data = rows(result, lang)
    with atomic_output(path, inputs=inputs) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "text_wrap": True})
        pct = wb.add_format({"num_format": "0.0%"})
        num = wb.add_format({"num_format": "0.0"})
        small = wb.add_format({"num_format": "0.0000"})
        ws = wb.add_worksheet("收入聚集" if not en else "bunching")
        ws.write_string(0, 0, ("收入在标准附近的聚集检验" if not en else
                               "Income bunching at the line")
                        + f"  {result.year}  {result.line_param} = {result.line:g}")
        fmts = [pct if c[0] == "excess_ratio" else small if c[0] == "p_value"
                else num if c[0] in ("expected_above", "excess", "missing_below", "z")
                else None for c in COLUMNS]
        end = write_table(ws, 2, [c[i] for c in COLUMNS],
                          [[r.get(c[0]) for c in COLUMNS] for r in data], head, fmts)
        ws.freeze_panes(3, 3)
        ws.autofilter(2, 0, end - 1, len(COLUMNS) - 1)
        ws.set_column(0, 2, 10)
        ws.set_column(3, len(COLUMNS) - 2, 11)
        ws.set_column(len(COLUMNS) - 1, len(COLUMNS) - 1, 22)
        s = result.spec
        lines = [f"{result.line_param} = {result.line:g}: {result.line_source}",
                 f"bin {s.bin_width:g} · range ±{s.fit_range:g} · window ±{s.window:g} · "
                 f"degree {s.degree} · alpha {s.alpha:g} · min excess {s.min_excess:g} · "
                 f"min households {s.min_households}",
                 *(f"· {n}" for n in (result.notes_en if en else result.notes))]
        for k, line in enumerate(lines, start=end + 1):
            ws.write_string(k, 0, line)
        _charts(wb, result, data, en, head)
        wb.close()


def _charts(wb: Any, result: Bunching, data: list[dict[str, Any]], en: bool, head: Any) -> None:
    """Sheet 分组计数 (bins × places) and sheet 聚集图: one histogram per flagged village."""
    edges = result.spec.edges()
    ws = wb.add_worksheet("分组计数" if not en else "bins")
    ws.write_string(0, 0, "收入/标准" if not en else "income / line")
    for b in range(len(edges) - 1):
        ws.write_string(b + 1, 0, f"{edges[b]:.2f}–{edges[b + 1]:.2f}")
    ws.set_column(0, 0, 12)
    flagged = [k for k, r in enumerate(data) if r["verdict"] == "flagged"
               and r["level"] == LEVELS[0]][:MAX_CHARTS]
    charts = wb.add_worksheet("聚集图" if not en else "charts")
    if not flagged:
        charts.write_string(0, 0, "没有被标记的村" if not en else "no village flagged")
        return
    n = len(edges) - 1
    for j, k in enumerate(flagged):
        r = data[k]
        c_obs, c_fit = 1 + 2 * j, 2 + 2 * j
        ws.write_string(0, c_obs, f"{r['village']} " + ("实际" if not en else "observed"), head)
        ws.write_string(0, c_fit, f"{r['village']} " + ("拟合" if not en else "fitted"), head)
        for b in range(n):
            ws.write_number(b + 1, c_obs, float(result.counts[b, k]))
            ws.write_number(b + 1, c_fit, round(float(result.fitted[b, k]), 3))
        chart = wb.add_chart({"type": "column"})
        sheet = ws.get_name()
        chart.add_series({"name": "实际户数" if not en else "observed",
                          "categories": [sheet, 1, 0, n, 0],
                          "values": [sheet, 1, c_obs, n, c_obs], "gap": 10})
        line = wb.add_chart({"type": "line"})
        line.add_series({"name": "平滑拟合" if not en else "smooth fit",
                         "categories": [sheet, 1, 0, n, 0],
                         "values": [sheet, 1, c_fit, n, c_fit]})
        chart.combine(line)
        chart.set_title({"name": f"{r['township']} {r['village']}"})
        chart.set_x_axis({"name": "人均纯收入 / 标准" if not en else "income / line"})
        chart.set_y_axis({"name": "户数" if not en else "households"})
        chart.set_legend({"position": "bottom"})
        charts.insert_chart(1 + 20 * j, 0, chart, {"x_scale": 1.5, "y_scale": 1.3})


def render(result: Bunching, console: Any, lang: str, outputs: dict[str, Path]) -> None:
    """Terminal summary (fits 80 columns): counts per level, the flagged places."""
    from rich.table import Table
    from rich.text import Text

    from exitcheck.report.mask import inert

    en = lang == "en"
    i = 1 if en else 0
    console.print("收入在标准附近的聚集检验" if not en else "Income bunching at the line")
    console.print(f"{result.year} · {result.line_param} = {result.line:g}")
    data = rows(result, lang)
    for level in LEVELS:
        part = [r for r in data if r["level"] == level]
        flagged = sum(r["verdict"] == "flagged" for r in part)
        skipped = sum(r["verdict"] == "not_evaluable" for r in part)
        console.print(f"  {LEVEL_LABELS[level][i]}: {len(part)}"
                      + (f"，标记 {flagged}，无法判定 {skipped}" if not en
                         else f", flagged {flagged}, not evaluable {skipped}"))
    shown = [r for r in data if r["verdict"] == "flagged"][:20]
    if shown:
        table = Table(show_edge=False, box=None, header_style="bold")
        for key, zh, en_label in (("level_label", "层级", "level"), ("place", "地区", "place"),
                                  ("below", "下方", "below"), ("above", "上方", "above"),
                                  ("expected_above", "拟合", "fitted"),
                                  ("p_value", "p 值", "p")):
            table.add_column(en_label if en else zh,
                             justify="left" if key in ("level_label", "place") else "right")
        for r in shown:
            place = inert(" ".join(x for x in (r["township"], r["village"]) if x)) or "—"
            table.add_row(r["level_label"], Text(place[:16]), str(r["below"]), str(r["above"]),
                          f"{r['expected_above']:.1f}", f"{r['p_value']:.1e}")
        console.print(table)
    for note in result.notes_en if en else result.notes:
        console.print(Text(f"· {inert(note)}"))
    if outputs:
        console.print("输出文件" if not en else "Output files")
        for label, path in outputs.items():
            console.print(Text(f"  {label}: {inert(str(path.resolve()))}"))
