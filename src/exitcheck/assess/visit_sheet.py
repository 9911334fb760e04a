"""The draw workbook: 抽样方案, 样本户, 备选户 and one printable 入户核查表 per sampled village.

The 样本户/备选户 headers below are also what ``exitcheck estimate`` reads back (visits.py), so
they are defined once here. A visit sheet holds one block per household: a title row, one row
per item to verify (members with masked IDs, income by source, 两不愁三保障 and water), a
核查结论 row (问题类型, 涉及人数, 认可度, with drop-down lists) and a signature line. Every row
of a block carries the 户编号 in column A, so the filled sheet can be read back row by row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exitcheck import __version__
from exitcheck.assess.draw import Draw
from exitcheck.assess.prn import prn_text
from exitcheck.assess.workbook import sheet_name, write_table

# 样本户 / 备选户 columns: (header, frame column)
HOUSEHOLD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "seq"),
    ("户编号", "household_id"),
    ("县", "county"),
    ("乡镇", "township"),
    ("村", "village"),
    ("村代码", "village_key"),
    ("村层", "village_type"),
    ("户类型", "hh_type"),
    ("人数", "persons"),
    ("脱贫人数", "exited_persons"),
    ("非建档立卡人数", "nonregistered_persons"),
    ("随机数u", "u"),
    ("村内同类户数", "cell_N"),
    ("村内同类样本户数", "cell_n"),
    ("层内村数", "village_N"),
    ("层内样本村数", "village_n"),
    ("村入样概率", "p_village"),
    ("户入样概率", "p_household"),
    ("入样概率", "p"),
    ("权数", "weight"),
    ("核查表", "sheet"),
)
RESERVE_ORDER = ("备选顺序", "reserve_order")
SAMPLE_SHEET, RESERVE_SHEET, PLAN_SHEET = "样本户", "备选户", "抽样方案"
REGION_LABEL, SEED_LABEL, YEAR_LABEL = "地区 region", "随机种子 seed", "年度 year"
TOTALS_TITLE = "抽样框人数 frame totals（综合贫困发生率用）"
VISIT_PREFIX = "核查表-"
VISIT_HEADERS = ("户编号", "项目", "登记值", "核实值", "是否一致", "问题类型", "涉及人数", "认可度",
                 "备注")
CONCLUSION = "核查结论"
PROBLEM_TYPES = ("无", "错退", "漏评", "信息不准")
APPROVAL_VALUES = ("认可", "基本认可", "不认可", "不清楚")
AGREE_VALUES = ("是", "否")

MEMBER_FIELDS = ("relation", "sex", "age", "health", "labour_skill", "school_status",
                 "residents_medical", "employee_medical", "critical_illness")
INCOME_FIELDS = ("wage_income", "business_income", "property_income", "transfer_income",
                 "business_expense", "net_income", "per_capita_net_income")
LIVING_FIELDS = ("food_secure", "clothing_secure", "dangerous_house", "dangerous_house_grade",
                 "house_rebuilt", "relocated", "water_safe", "water_difficulty")


@dataclass
class WorkbookInfo:
    inputs: list[tuple[str, str]]  # (file name, sha256)
    totals: dict[str, float]  # frame persons by kind, for the composite incidence
    region: str | None = None  # 2-digit province code (thresholds at estimate time)


def _fmt(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return str(value.date().isoformat())
    return str(value)


def _labels() -> dict[str, str]:
    from exitcheck.schema.catalogue import load_catalogue

    cat = load_catalogue()
    out = {name: spec.label for name, spec in cat.fields.items()}
    out.update({"age": "年龄", "sex": "性别"})
    return out


def write_draw_workbook(draw: Draw, path: Path, info: WorkbookInfo, *,
                        members: pd.DataFrame, households: pd.DataFrame, show_ids: bool,
                        inputs: Sequence[Path]) -> dict[str, str]:
    """Write the workbook atomically; returns village key -> visit sheet name."""
    import xlsxwriter

    from exitcheck.report.atomic import atomic_output

    used = {PLAN_SHEET, SAMPLE_SHEET, RESERVE_SHEET}
    village_rows = draw.villages[draw.villages["sampled"]].sort_values(["village_type", "rank"])
    sheets = {str(k): sheet_name(f"{VISIT_PREFIX}{r.township}{r.village}", used)
              for k, r in village_rows.iterrows()}
    with atomic_output(path, inputs=inputs) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        fmt = _formats(wb)
        _plan_sheet(wb, fmt, draw, info, village_rows, sheets)
        _household_sheet(wb, fmt, SAMPLE_SHEET, draw.sample, sheets, reserve=False)
        _household_sheet(wb, fmt, RESERVE_SHEET, draw.reserves, sheets, reserve=True)
        labels = _labels()
        by_household = {str(k): g for k, g in members.groupby("household_id", sort=False)}
        for key, name in sheets.items():
            _visit_sheet(wb, fmt, name, draw, key, households, by_household, labels, show_ids)
        wb.close()
    return sheets


def _formats(wb: Any) -> dict[str, Any]:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "bold": wb.add_format({"bold": True}),
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                               "text_wrap": True, "valign": "vcenter"}),
        "pct": wb.add_format({"num_format": "0.0000"}),
        "num": wb.add_format({"num_format": "0.000000"}),
        "block": wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "cell": wb.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "fill": wb.add_format({"border": 1, "bg_color": "#FFF2CC", "valign": "top"}),
        "sign": wb.add_format({"italic": True}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


def _plan_sheet(wb: Any, fmt: dict[str, Any], draw: Draw, info: WorkbookInfo,
                villages: pd.DataFrame, sheets: dict[str, str]) -> None:
    spec, frame = draw.spec, draw.frame
    ws = wb.add_worksheet(PLAN_SHEET)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 8, 14)
    ws.write_string(0, 0, "入户核查抽样方案 Field-visit sample design", fmt["title"])
    rates = "，".join(f"{t} {r:g}" for t, r in spec.rates.items() if t not in spec.fixed)
    fixed = "，".join(f"{t} {n}" for t, n in spec.fixed.items())
    example = frame.households.iloc[0] if len(frame.households) else None
    params: list[tuple[str, str]] = [
        ("随机种子 seed", str(spec.seed)),
        ("年度 year", str(spec.year)),
        (REGION_LABEL, info.region or ""),
        ("抽样框 SHA-256", frame.sha256),
        ("抽样框", f"{len(frame.households)} 户，{len(frame.villages)} 个村"),
        *[(f"输入文件 {i + 1}", f"{n}  SHA-256 {h}") for i, (n, h) in enumerate(info.inputs)],
        ("随机数 u", "u = SHA-256(\"种子|年度|户编号\") 前 8 字节（大端）右移 11 位 / 2^53；"
                    "村为 \"种子|年度|村:县/乡镇/村\"；层内取 u 最小者，其后为备选"),
        ("示例", "" if example is None else
         f"{prn_text(spec.seed, spec.year, str(example['household_id']))} → u = "
         f"{float(example['u']):.12f}"),
        ("村分配 village allocation", f"{spec.village_allocation}，共 {spec.villages} 个村"
                                      "（最大余数法，每层至少 1 个）"),
        ("户抽样比例 rates", rates or "—"),
        ("户固定样本数 fixed", fixed or "—"),
        ("每村上限 cap", str(spec.cap)),
        ("每类备选户 reserves", str(spec.reserves)),
        ("概率 probabilities", "两阶段不放回简单随机：π = (n_h/N_h) × (n_vt/N_vt)，权数 = 1/π"),
        ("exitcheck", __version__),
    ]
    row = 2
    for label, value in params:
        ws.write_string(row, 0, label, fmt["bold"])
        ws.write_string(row, 1, value)
        row += 1
    for note in draw.notes:
        ws.write_string(row, 0, "说明", fmt["bold"])
        ws.write_string(row, 1, note)
        row += 1
    row += 1
    ws.write_string(row, 0, "村层 village strata", fmt["bold"])
    vs = draw.villages.groupby("village_type").agg(N=("stratum_villages", "first"),
                                                   n=("stratum_sampled", "first"))
    row = write_table(ws, row + 1, ["村层", "村数 N_h", "样本村数 n_h", "村入样概率", "村权数"],
                      [[k, int(r["N"]), int(r["n"]), r["n"] / r["N"],
                        r["N"] / r["n"] if r["n"] else None]
                       for k, r in vs.iterrows()], fmt["head"],
                      [None, None, None, fmt["pct"], fmt["pct"]]) + 1
    ws.write_string(row, 0, "户层 household strata（权数合计为该层户数的无偏估计；"
                            "全部村入样时等于户数）", fmt["bold"])
    row = write_table(ws, row + 1, ["村层", "户类型", "抽样框户数 N", "样本户数 n", "权数合计"],
                      [[r.village_type, r.hh_type, int(r.N), int(r.n), float(r.weight_sum)]
                       for r in draw.strata.itertuples(index=False)], fmt["head"],
                      [None, None, None, None, fmt["pct"]]) + 1
    ws.write_string(row, 0, "样本村 sampled villages", fmt["bold"])
    row = write_table(ws, row + 1, ["村层", "顺序", "县", "乡镇", "村", "随机数u", "户数", "人数",
                                    "核查表"],
                      [[r["village_type"], int(r["rank"]), r["county"], r["township"],
                        r["village"], r["u"], int(r["households"]), int(r["persons"]),
                        sheets.get(str(k), "")]
                       for k, r in villages.iterrows()], fmt["head"],
                      [None, None, None, None, None, fmt["num"]]) + 1
    ws.write_string(row, 0, "村内分层 cells", fmt["bold"])
    row = write_table(ws, row + 1, ["村代码", "户类型", "户数 N_vt", "样本户数 n_vt", "备选户数",
                                    "户入样概率"],
                      [[r.village_key, r.hh_type, int(r.N), int(r.n), int(r.reserves),
                        r.p_household] for r in draw.cells.itertuples(index=False)],
                      fmt["head"], [None, None, None, None, None, fmt["pct"]]) + 1
    ws.write_string(row, 0, TOTALS_TITLE, fmt["bold"])
    write_table(ws, row + 1, ["项目", "人数"], [[k, v] for k, v in info.totals.items()],
                fmt["head"])


def _household_sheet(wb: Any, fmt: dict[str, Any], name: str, frame: pd.DataFrame,
                     sheets: dict[str, str], *, reserve: bool) -> None:
    ws = wb.add_worksheet(name)
    cols = [*HOUSEHOLD_COLUMNS, *([RESERVE_ORDER] if reserve else [])]
    rows = []
    for rec in frame.to_dict("records"):
        rec["sheet"] = sheets.get(str(rec["village_key"]), "")
        rows.append([rec.get(c) for _, c in cols])
    numeric = {"u": fmt["num"], "p_village": fmt["num"], "p_household": fmt["num"],
               "p": fmt["num"], "weight": fmt["pct"]}
    write_table(ws, 0, [h for h, _ in cols], rows, fmt["head"],
                [numeric.get(c) for _, c in cols])
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)
    ws.set_column(1, 1, 20)
    ws.set_column(5, 5, 24)


def _visit_sheet(wb: Any, fmt: dict[str, Any], name: str, draw: Draw, key: str,
                 households: pd.DataFrame, members: dict[str, pd.DataFrame],
                 labels: dict[str, str], show_ids: bool) -> None:
    from exitcheck.report.mask import mask_id

    ws = wb.add_worksheet(name)
    vrow = draw.villages.loc[key]
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    place = f"{vrow['county']}{vrow['township']}{vrow['village']}"
    ws.set_header(f"&L入户核查表 {place}&R第 &P 页 共 &N 页")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 16)
    ws.set_column(4, 4, 8)
    ws.set_column(5, 5, 10)
    ws.set_column(6, 6, 8)
    ws.set_column(7, 7, 10)
    ws.set_column(8, 8, 16)
    ws.write_string(0, 0, f"入户核查表  {vrow['county']} {vrow['township']} {vrow['village']}"
                          f"（{vrow['village_type']}）  抽样种子 {draw.spec.seed}  年度 "
                          f"{draw.spec.year}", fmt["title"])
    ws.write_string(1, 0, "左侧为登记值，黄色列由核查人填写；问题类型：错退＝已脱贫但未达标准，"
                          "漏评＝符合标准未纳入，信息不准＝登记信息与实际不符", fmt["wrap"])
    for c, head in enumerate(VISIT_HEADERS):
        ws.write_string(2, c, head, fmt["head"])
    row = 3
    blocks = [(r, f"样本户 第 {int(r['seq'])} 户") for r in
              draw.sample[draw.sample["village_key"] == key].to_dict("records")]
    spare = draw.reserves[draw.reserves["village_key"] == key]
    blocks += [(r, f"备选户（{r['hh_type']} 第 {int(r['reserve_order'])} 顺位，"
                   "仅在替换样本户时核查）") for r in spare.to_dict("records")]
    for rec, title in blocks:
        hid = str(rec["household_id"])
        head_row = households.loc[hid] if hid in households.index else None
        mem = members.get(hid)
        head_name = ""
        if mem is not None and "relation" in mem.columns and "name" in mem.columns:
            heads = mem[mem["relation"].astype("string") == "户主"]
            head_name = _fmt(heads["name"].iloc[0]) if len(heads) else ""
        ws.merge_range(row, 0, row, len(VISIT_HEADERS) - 1,
                       f"户编号 {hid}   户主 {head_name}   {rec['hh_type']}   家庭人口 "
                       f"{int(rec['persons'])}   {title}", fmt["block"])
        row += 1
        items: list[tuple[str, str]] = []
        if mem is not None:
            for m in mem.to_dict("records"):
                parts = []
                if "id_number" in m:
                    shown = _fmt(m["id_number"])
                    parts.append(f"证件 {shown if show_ids else _fmt(mask_id(shown))}")
                for f in MEMBER_FIELDS:
                    if f in m and _fmt(m[f]):
                        parts.append(f"{labels.get(f, f)} {_fmt(m[f])}")
                items.append((f"成员 {_fmt(m.get('name'))}", "；".join(parts)))
        if head_row is not None:
            for group in (INCOME_FIELDS, LIVING_FIELDS):
                for f in group:
                    if f in head_row.index:
                        items.append((labels.get(f, f), _fmt(head_row[f])))
        items.append(("义务教育有保障", ""))
        items.append(("基本医疗有保障", ""))
        for item, value in items:
            ws.write_string(row, 0, hid, fmt["cell"])
            ws.write_string(row, 1, item, fmt["cell"])
            ws.write_string(row, 2, value, fmt["cell"])
            for c in range(3, len(VISIT_HEADERS)):
                ws.write_blank(row, c, None, fmt["fill"])
            ws.data_validation(row, 4, row, 4, {"validate": "list", "source": list(AGREE_VALUES)})
            ws.data_validation(row, 5, row, 5, {"validate": "list",
                                                "source": list(PROBLEM_TYPES)})
            row += 1
        ws.write_string(row, 0, hid, fmt["cell"])
        ws.write_string(row, 1, CONCLUSION, fmt["block"])
        ws.write_string(row, 2, "问题类型、涉及人数（默认全户人数）与群众认可度", fmt["cell"])
        for c in range(3, len(VISIT_HEADERS)):
            ws.write_blank(row, c, None, fmt["fill"])
        ws.data_validation(row, 5, row, 5, {"validate": "list", "source": list(PROBLEM_TYPES)})
        ws.data_validation(row, 6, row, 6, {"validate": "integer", "criteria": ">=",
                                            "value": 0})
        ws.data_validation(row, 7, row, 7, {"validate": "list", "source": list(APPROVAL_VALUES)})
        row += 1
        ws.merge_range(row, 0, row, len(VISIT_HEADERS) - 1,
                       "核查人签字：______________    被访人签字（按手印）：______________    "
                       "日期：______年____月____日", fmt["sign"])
        ws.set_row(row, 24)
        row += 2
