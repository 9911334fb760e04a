"""Write a year-over-year diff: workbook (xlsxwriter, atomic), JSON and the terminal summary.

ID numbers are masked (report/mask.py) unless ``show_ids``; every text cell is written as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from exitcheck.assess.diff import FIELD_LABELS, KIND_LABELS, KINDS, Diff
from exitcheck.assess.workbook import sheet_name, write_table

# Output columns: key in the change table, zh, en.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kind_label", "变化类型", "change"),
    ("household_id", "户编号", "household id"),
    ("person", "证件号码", "ID number"),
    ("name", "姓名", "name"),
    ("township", "乡镇", "township"),
    ("village", "村", "village"),
    ("field_label", "字段", "field"),
    ("old", "原值", "old"),
    ("new", "新值", "new"),
    ("detail", "说明", "detail"),
)


def shown_changes(diff: Diff, lang: str, show_ids: bool) -> pd.DataFrame:
    """The change table as shown: labels in ``lang``, IDs masked unless ``show_ids``."""
    from exitcheck.report.mask import mask_id_series, mask_text_series

    i = 1 if lang == "en" else 0
    out = diff.changes.copy()
    out["kind_label"] = out["kind"].map({k: v[i] for k, v in KIND_LABELS.items()})
    out["field_label"] = out["field"].map(
        {k: v[i] for k, v in FIELD_LABELS.items()}).fillna(out["field"])
    if not show_ids:
        person = out["person"].astype("string")
        out["person"] = mask_id_series(person).where(~person.str.startswith("人编号:", na=False),
                                                     person)
        is_person = out["field"] == "member"
        numeric = out["field"] == "per_capita_net_income"
        for col in ("old", "new"):
            text = out[col].astype("string")
            masked = mask_id_series(text).where(is_person, mask_text_series(text))
            out[col] = out[col].where(numeric | out[col].isna(), masked.astype(object))
        for col in ("name", "township", "village", "detail", "household_id"):
            out[col] = mask_text_series(out[col].astype("string"))
    return out


def to_json(diff: Diff, lang: str, show_ids: bool, limits: dict[str, int],
            over: list[tuple[str, int, int]]) -> dict[str, Any]:
    rows = shown_changes(diff, lang, show_ids)
    records = []
    for rec in rows[[c[0] for c in COLUMNS] + ["kind", "field"]].to_dict("records"):
        records.append({k: (None if v is pd.NA or (isinstance(v, float) and v != v) else v)
                        for k, v in rec.items()})

    def side(snap: Any) -> dict[str, Any]:
        return {"inputs": [{"path": str(i.path), "sheet": i.sheet, "sha256": i.sha256}
                           for i in snap.registry.inputs],
                "year": snap.scope.year, "region": snap.scope.region,
                "households": snap.registry.n_households, "members": snap.registry.n_members}

    from exitcheck.report.mask import mask_any

    return mask_any({  # file and place names may hold an ID too
        "kind": "exitcheck.diff", "version": 1,
        "old": side(diff.old), "new": side(diff.new),
        "parameters": {"diff_income_drop_ratio": diff.params.income_drop_ratio,
                       "diff_income_unchanged_ratio": diff.params.income_unchanged_ratio},
        "counts": diff.counts(),
        "transitions": diff.transitions.to_dict("records"),
        "limits": limits,
        "exceeded": [{"kind": k, "count": n, "limit": lim} for k, n, lim in over],
        "changes": records,
        "notes": diff.notes_en if lang == "en" else diff.notes,
        "ids_masked": not show_ids,
    }, show_ids=show_ids)  # type: ignore[no-any-return]


def write_json(data: dict[str, Any], path: Path | None, inputs: list[Path]) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    if path is not None:
        from exitcheck.report.atomic import write_text_atomic

        write_text_atomic(path, text + "\n", inputs=inputs)
    return text


def write_workbook(diff: Diff, path: Path, lang: str, show_ids: bool, inputs: list[Path],
                   over: list[tuple[str, int, int]]) -> None:
    import xlsxwriter

    from exitcheck.report.atomic import atomic_output

    en = lang == "en"
    i = 2 if en else 1
    rows = shown_changes(diff, lang, show_ids)
    keys = [c[0] for c in COLUMNS]
    heads = [c[i] for c in COLUMNS]
    from exitcheck.report.mask import mask_any

    def safe(value: Any) -> Any:
        return mask_any(value, show_ids=show_ids)

    with atomic_output(path, inputs=inputs) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        used: set[str] = set()
        ws = wb.add_worksheet(sheet_name("概要" if not en else "summary", used))
        ws.write_string(0, 0, "年度比对" if not en else "Year-over-year changes")
        summary = [
            ["旧数据" if not en else "old", safe(diff.old.label), diff.old.scope.year,
             diff.old.registry.n_households, diff.old.registry.n_members],
            ["新数据" if not en else "new", safe(diff.new.label), diff.new.scope.year,
             diff.new.registry.n_households, diff.new.registry.n_members],
        ]
        row = write_table(ws, 2, ["", "文件" if not en else "files", "年度" if not en else "year",
                                  "户数" if not en else "households",
                                  "人数" if not en else "persons"], summary, head)
        counts = diff.counts()
        row = write_table(ws, row + 1, ["变化类型" if not en else "change",
                                        "条数" if not en else "count"],
                          [[KIND_LABELS[k][i - 1], counts[k]] for k in KINDS], head)
        row = write_table(ws, row + 1, ["原状态" if not en else "old status",
                                        "新状态" if not en else "new status",
                                        "变化" if not en else "transition",
                                        "户数" if not en else "households"],
                          diff.transitions[["old", "new", "label", "households"]]
                          .values.tolist(), head)
        lines = [f"diff_income_drop_ratio = {diff.params.income_drop_ratio:g}",
                 f"diff_income_unchanged_ratio = {diff.params.income_unchanged_ratio:g}",
                 *(f"· {n}" for n in (diff.notes_en if en else diff.notes)),
                 *(f"超过上限 {k}: {n} > {lim}" if not en else f"over the limit {k}: {n} > {lim}"
                   for k, n, lim in over)]
        for k, line in enumerate(lines, start=row + 1):
            ws.write_string(k, 0, safe(line))
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 4, 12)
        for kind in KINDS:
            part = rows[rows["kind"] == kind]
            ws = wb.add_worksheet(sheet_name(KIND_LABELS[kind][i - 1], used))
            _table(ws, part, keys[1:], heads[1:], head)
        ws = wb.add_worksheet(sheet_name("变化明细" if not en else "changes", used))
        _table(ws, rows, keys, heads, head)
        wb.close()


def _table(ws: Any, rows: pd.DataFrame, keys: list[str], heads: list[str], head: Any) -> None:
    end = write_table(ws, 0, heads, rows[keys].astype(object).values.tolist(), head)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(end - 1, 1), len(keys) - 1)
    ws.set_column(0, len(keys) - 1, 16)


def render(diff: Diff, console: Any, lang: str, outputs: dict[str, Path],
           limits: dict[str, int], over: list[tuple[str, int, int]]) -> None:
    """The terminal summary (fits 80 columns; the tables are short)."""
    from rich.table import Table
    from rich.text import Text

    from exitcheck.report.mask import inert

    en = lang == "en"
    i = 1 if en else 0
    console.print("年度比对" if not en else "Year-over-year changes")
    for tag, snap in (("旧" if not en else "old", diff.old), ("新" if not en else "new",
                                                             diff.new)):
        unit = ("户", "人") if not en else (" households", " persons")
        console.print(Text(f"{tag}: {inert(snap.label)} · {snap.scope.year} · "
                           f"{snap.registry.n_households:,}{unit[0]} "
                           f"{snap.registry.n_members:,}{unit[1]}"))
    table = Table(show_edge=False, box=None, header_style="bold")
    table.add_column("变化类型" if not en else "change")
    table.add_column("条数" if not en else "count", justify="right")
    counts = diff.counts()
    for kind in KINDS:
        table.add_row(KIND_LABELS[kind][i], f"{counts[kind]:,}")
    console.print(table)
    if len(diff.transitions):
        console.print("状态变化" if not en else "Status changes")
        for t in diff.transitions.itertuples(index=False):  # two lines: fits 80 columns
            console.print(Text(f"  {t.label}: {t.households:,}"))
            console.print(Text(f"    {t.old} → {t.new}"))
    console.print(("参数" if not en else "parameters")
                  + f": diff_income_drop_ratio {diff.params.income_drop_ratio:g}, "
                    f"diff_income_unchanged_ratio {diff.params.income_unchanged_ratio:g}")
    for note in diff.notes_en if en else diff.notes:
        console.print(Text(f"· {note}"))
    if outputs:
        console.print("输出文件" if not en else "Output files")
        for label, path in outputs.items():
            console.print(Text(f"  {label}: {inert(str(path.resolve()))}"))
    total = sum(counts.values())
    if not limits:
        console.print(f"共 {total:,} 条变化" if not en else f"{total:,} changes")
    elif over:
        what = "，".join(f"{k} {n} > {lim}" for k, n, lim in over)
        console.print(f"结论：变化超过上限（{what}），退出码 1" if not en
                      else f"result: changes over the limit ({what}), exit code 1")
    else:
        console.print(f"结论：共 {total:,} 条变化，未超过上限" if not en
                      else f"result: {total:,} changes, within the limits")
