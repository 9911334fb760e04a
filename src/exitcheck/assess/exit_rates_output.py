"""Write the exit-rate table: terminal (rich), workbook (xlsxwriter, atomic), JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from exitcheck.assess.exit_rates import ExitRates, rows_for_output
from exitcheck.assess.workbook import write_table

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # key, zh, en
    ("level_label", "层级", "level"),
    ("county", "县", "county"),
    ("township", "乡镇", "township"),
    ("village", "村", "village"),
    ("households", "户数", "households"),
    ("persons", "人数", "persons"),
    ("registered", "建档立卡人数", "registered"),
    ("remaining_poor", "未脱贫人数", "remaining poor"),
    ("exited", "已脱贫人数", "exited"),
    ("monitored", "监测对象人数", "monitored"),
    ("failing", "已脱贫未达标人数", "exited, failing"),
    ("at_risk", "返贫风险人数", "at risk"),
    ("population", "人口数（分母）", "population (denominator)"),
    ("population_source_label", "分母来源", "denominator source"),
    ("incidence", "贫困发生率", "incidence"),
    ("threshold", "阈值", "threshold"),
    ("verdict_label", "退出判定", "exit verdict"),
)
PERCENT = {"incidence", "threshold"}


def _pct(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.2f}%"


def to_json(rates: ExitRates, lang: str) -> dict[str, Any]:
    return {
        "kind": "exitcheck.exit_rates",
        "version": 1,
        "year": rates.year,
        "region": rates.region,
        "region_name": rates.region_name,
        "western": rates.western,
        "thresholds": {k: {"param": t.param, "value": t.value, "source": t.source}
                       for k, t in rates.thresholds.items()},
        "rows": rows_for_output(rates, lang),
        "notes": rates.notes_en if lang == "en" else rates.notes,
    }


def write_json(rates: ExitRates, path: Path | None, lang: str, inputs: list[Path]) -> str:
    text = json.dumps(to_json(rates, lang), ensure_ascii=False, indent=1)
    if path is not None:
        from exitcheck.report.atomic import write_text_atomic

        write_text_atomic(path, text + "\n", inputs=inputs)
    return text


def write_workbook(rates: ExitRates, path: Path, lang: str, inputs: list[Path]) -> None:
    import xlsxwriter

    from exitcheck.report.atomic import atomic_output

    i = 2 if lang == "en" else 1
    rows = rows_for_output(rates, lang)
    with atomic_output(path, inputs=inputs) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "text_wrap": True})
        pct = wb.add_format({"num_format": "0.00%"})
        ws = wb.add_worksheet("退出判定" if lang != "en" else "exit")
        title = ("贫困发生率与退出判定" if lang != "en" else "Poverty incidence and exit verdicts")
        ws.write_string(0, 0, f"{title}  {rates.year}  {rates.region_name or rates.region or ''}")
        fmts = [pct if c[0] in PERCENT else None for c in COLUMNS]
        end = write_table(ws, 2, [c[i] for c in COLUMNS],
                          [[r.get(c[0]) for c in COLUMNS] for r in rows], head, fmts)
        ws.freeze_panes(3, 4)
        ws.autofilter(2, 0, end - 1, len(COLUMNS) - 1)
        ws.set_column(0, 3, 10)
        ws.set_column(4, len(COLUMNS) - 1, 12)
        ws.set_column(13, 13, 20)
        notes = rates.notes_en if lang == "en" else rates.notes
        row = end + 1
        for th in rates.thresholds.values():
            ws.write_string(row, 0, f"{th.param} = {_pct(th.value)}  {th.source}")
            row += 1
        for note in notes:
            ws.write_string(row, 0, f"· {note}")
            row += 1
        wb.close()


def render(rates: ExitRates, console: Any, lang: str, outputs: dict[str, Path]) -> None:
    from rich.table import Table

    en = lang == "en"
    i = 2 if en else 1
    console.print("贫困发生率与退出判定" if not en else "Poverty incidence and exit verdicts")
    place = rates.region_name or rates.region or ("地区未知" if not en else "region unknown")
    west = {True: "西部" if not en else "western", False: "非西部" if not en else "not western",
            None: "?"}[rates.western]
    console.print(f"{rates.year} · {place} · {west}")
    shown = [c for c in COLUMNS if c[0] not in ("monitored", "county")]
    table = Table(show_edge=False, box=None, header_style="bold")
    for key, zh, en_label in shown:
        table.add_column(en_label if en else zh,
                         justify="right" if key not in ("level_label", "township", "village",
                                                        "population_source_label",
                                                        "verdict_label") else "left")
    for r in rows_for_output(rates, lang):
        cells = []
        for key, *_ in shown:
            v = r.get(key)
            if key in PERCENT:
                cells.append(_pct(v))
            elif isinstance(v, float):
                cells.append(f"{v:,.0f}")
            elif isinstance(v, int):
                cells.append(f"{v:,}")
            else:
                cells.append("" if v is None else str(v))
        table.add_row(*cells)
    console.print(table)
    for th in rates.thresholds.values():
        console.print(f"{th.param} = {_pct(th.value)}")
    for note in rates.notes_en if en else rates.notes:
        console.print(f"· {note}")
    if outputs:
        console.print("输出文件" if not en else "Output files")
        for label, path in outputs.items():
            console.print(f"  {label}: {path.resolve()}")
    _ = i
