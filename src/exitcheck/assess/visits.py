"""Read a draw workbook and the filled visit sheets back; match, check and report.

Visits come either as the draw workbook itself with its 核查表-… sheets filled in, or as any
CSV/xlsx table with a 户编号 column and 问题类型 and/or 认可度 (optionally 涉及人数). Per household
the 核查结论 row decides; when it has no 问题类型 the item rows' types count (错退 or 漏评 on any
item). What cannot be used is reported, never dropped silently: rows without 户编号, 户编号 in
neither 样本户 nor 备选户 (out of sample), the same household twice (the first is kept), values
outside the lists, 错退 on a household without exited persons, 漏评 on a registered household.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from exitcheck.assess.visit_sheet import (
    APPROVAL_VALUES,
    CONCLUSION,
    HOUSEHOLD_COLUMNS,
    PLAN_SHEET,
    PROBLEM_TYPES,
    REGION_LABEL,
    RESERVE_ORDER,
    RESERVE_SHEET,
    SAMPLE_SHEET,
    SEED_LABEL,
    TOTALS_TITLE,
    VISIT_PREFIX,
    YEAR_LABEL,
)
from exitcheck.errors import InputError

APPROVES = ("认可", "基本认可")


@dataclass
class DrawBook:
    """What estimation needs from a draw workbook."""

    path: Path
    seed: str
    year: int | None
    region: str | None
    sample: pd.DataFrame  # frame column names (HOUSEHOLD_COLUMNS), index household_id
    reserves: pd.DataFrame
    totals: dict[str, float]


@dataclass
class Issue:
    kind: str  # no_household_id | out_of_sample | duplicate | bad_value | inconsistent
    source: str  # file!sheet row
    household_id: str
    detail: str


@dataclass
class Visits:
    """One row per visited household (index household_id): problem ('' = not recorded),
    affected (persons, NaN = whole household), approval ('' = not asked), reserve (bool)."""

    households: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    not_visited: list[str] = field(default_factory=list)  # sample households without a visit
    reserves_used: list[str] = field(default_factory=list)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v).strip()


def _sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet not in wb.sheetnames:
            raise InputError(f"{path} 没有 {sheet} 工作表：不是 exitcheck draw 生成的抽样工作簿",
                             message_en=f"{path} has no sheet {sheet}: not a workbook written "
                                        "by exitcheck draw")
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def _household_table(rows: list[list[Any]], reserve: bool) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=[c for _, c in HOUSEHOLD_COLUMNS])
    head = [_cell(h) for h in rows[0]]
    cols = [*HOUSEHOLD_COLUMNS, *([RESERVE_ORDER] if reserve else [])]
    index = {h: i for i, h in enumerate(head)}
    missing = [h for h, _ in cols if h not in index]
    if missing:
        raise InputError(f"抽样工作簿缺少列 {'、'.join(missing)}",
                         message_en=f"draw workbook lacks columns {', '.join(missing)}")
    data = {name: [r[index[h]] if index[h] < len(r) else None for r in rows[1:]]
            for h, name in cols}
    frame = pd.DataFrame(data)
    frame = frame[frame["household_id"].map(_cell) != ""]
    frame["household_id"] = frame["household_id"].map(_cell)
    for name in ("persons", "exited_persons", "nonregistered_persons", "cell_N", "cell_n",
                 "village_N", "village_n", "p_village", "p_household", "p", "weight", "u"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in ("village_key", "village_type", "hh_type"):
        frame[name] = frame[name].map(_cell)
    return frame.set_index("household_id", drop=False)


def read_draw(path: Path) -> DrawBook:
    if not path.exists():
        raise InputError(f"找不到抽样工作簿 {path}", message_en=f"draw workbook not found: {path}")
    plan = _sheet_rows(path, PLAN_SHEET)
    values: dict[str, str] = {}
    totals: dict[str, float] = {}
    in_totals = False
    for r in plan:
        first = _cell(r[0]) if r else ""
        if first == TOTALS_TITLE:
            in_totals = True
            continue
        if in_totals and first and first != "项目" and len(r) > 1:
            try:
                totals[first] = float(_cell(r[1]))
            except ValueError:
                pass
        elif first and len(r) > 1:
            values.setdefault(first, _cell(r[1]))
    year_text = values.get(YEAR_LABEL, "")
    return DrawBook(
        path=path, seed=values.get(SEED_LABEL, ""),
        year=int(year_text) if year_text.isdigit() else None,
        region=values.get(REGION_LABEL) or None,
        sample=_household_table(_sheet_rows(path, SAMPLE_SHEET), reserve=False),
        reserves=_household_table(_sheet_rows(path, RESERVE_SHEET), reserve=True),
        totals=totals)


@dataclass
class _Row:
    household_id: str
    source: str
    item: str  # "" for a flat table row
    problem: str
    affected: str
    approval: str
    filled: bool


def _visit_rows(path: Path) -> list[_Row]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            visit = [n for n in wb.sheetnames if n.startswith(VISIT_PREFIX)]
            if visit:
                out: list[_Row] = []
                for name in visit:
                    out.extend(_visit_sheet_rows(path, name,
                                                 [list(r) for r in wb[name].iter_rows(
                                                     values_only=True)]))
                return out
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            return _flat_rows(path, wb.sheetnames[0], rows)
        finally:
            wb.close()
    if suffix in (".csv", ".txt"):
        try:
            frame = pd.read_csv(path, dtype=str, header=None, encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype=str, header=None, encoding="gb18030")
        return _flat_rows(path, "", frame.where(frame.notna(), None).values.tolist())
    raise InputError(f"核查结果文件 {path} 应为 xlsx 或 csv",
                     message_en=f"visit file {path} must be xlsx or csv")


def _visit_sheet_rows(path: Path, sheet: str, rows: list[list[Any]]) -> list[_Row]:
    head_at = next((i for i, r in enumerate(rows[:10]) if r and _cell(r[0]) == "户编号"
                    and len(r) > 1 and _cell(r[1]) == "项目"), None)
    if head_at is None:
        return []
    out = []
    for i, r in enumerate(rows[head_at + 1:], start=head_at + 2):
        r = [*r, *([None] * (9 - len(r)))]
        hid, item = _cell(r[0]), _cell(r[1])
        if not item:  # block title or signature line (merged cells)
            continue
        checked, agree, problem, affected, approval = (_cell(r[3]), _cell(r[4]), _cell(r[5]),
                                                       _cell(r[6]), _cell(r[7]))
        filled = any((checked, agree, problem, affected, approval))
        out.append(_Row(hid, f"{path.name} {sheet}!{i}", item, problem, affected, approval,
                        filled))
    return out


def _flat_rows(path: Path, sheet: str, rows: list[list[Any]]) -> list[_Row]:
    head_at = next((i for i, r in enumerate(rows[:10]) if "户编号" in [_cell(c) for c in r]),
                   None)
    if head_at is None:
        raise InputError(f"核查结果文件 {path} 没有 户编号 列",
                         message_en=f"visit file {path} has no 户编号 column")
    head = [_cell(c) for c in rows[head_at]]

    def col(*names: str) -> int | None:
        return next((head.index(n) for n in names if n in head), None)

    c_id, c_problem = col("户编号"), col("问题类型", "核查结论")
    c_affected, c_approval = col("涉及人数", "错退人数", "漏评人数"), col("认可度", "群众认可度")
    if c_problem is None and c_approval is None:
        raise InputError(f"核查结果文件 {path} 既无 问题类型 也无 认可度 列",
                         message_en=f"visit file {path} has neither 问题类型 nor 认可度")
    out = []
    for i, r in enumerate(rows[head_at + 1:], start=head_at + 2):
        def get(c: int | None, row: list[Any] = r) -> str:
            return _cell(row[c]) if c is not None and c < len(row) else ""

        problem, affected, approval = get(c_problem), get(c_affected), get(c_approval)
        hid = get(c_id)
        if not any((hid, problem, affected, approval)):
            continue
        where = f"{path.name} {sheet}!{i}" if sheet else f"{path.name}:{i}"
        out.append(_Row(hid, where, CONCLUSION, problem, affected, approval,
                        bool(problem or affected or approval)))
    return out


def read_visits(paths: list[Path], book: DrawBook) -> Visits:
    """Visited households with their recorded problem and approval, and every issue."""
    issues: list[Issue] = []
    known = set(book.sample.index) | set(book.reserves.index)
    per_household: dict[str, list[_Row]] = {}
    for path in paths:
        if not path.exists():
            raise InputError(f"找不到核查结果文件 {path}",
                             message_en=f"visit file not found: {path}")
        for row in _visit_rows(path):
            if not row.filled:
                continue
            if not row.household_id:
                issues.append(Issue("no_household_id", row.source, "", "有核查内容但无户编号"))
                continue
            if row.household_id not in known:
                issues.append(Issue("out_of_sample", row.source, row.household_id,
                                    "户编号不在样本户或备选户中"))
                continue
            if row.item == CONCLUSION:
                prior = [r for r in per_household.get(row.household_id, [])
                         if r.item == CONCLUSION]
                if prior:
                    issues.append(Issue("duplicate", row.source, row.household_id,
                                        f"重复核查结论（保留 {prior[0].source}）"))
                    continue
            per_household.setdefault(row.household_id, []).append(row)

    records = []
    for hid, rows in per_household.items():
        info = book.sample.loc[hid] if hid in book.sample.index else book.reserves.loc[hid]
        conclusion = next((r for r in rows if r.item == CONCLUSION), None)
        problem = conclusion.problem if conclusion else ""
        source = conclusion.source if conclusion else rows[0].source
        if not problem:
            item_types = {r.problem for r in rows if r.problem in ("错退", "漏评")}
            problem = "错退" if "错退" in item_types else "漏评" if item_types else ""
        if problem and problem not in PROBLEM_TYPES:
            issues.append(Issue("bad_value", source, hid, f"问题类型 {problem!r} 不在列表中"))
            problem = ""
        approval = conclusion.approval if conclusion else ""
        if approval and approval not in APPROVAL_VALUES:
            issues.append(Issue("bad_value", source, hid, f"认可度 {approval!r} 不在列表中"))
            approval = ""
        affected = math.nan
        text = conclusion.affected if conclusion else ""
        if text:
            try:
                affected = float(text)
            except ValueError:
                issues.append(Issue("bad_value", source, hid, f"涉及人数 {text!r} 不是数字"))
        if problem == "错退" and float(info["exited_persons"]) <= 0:
            issues.append(Issue("inconsistent", source, hid,
                                "错退只适用于已脱贫人口：该户登记无脱贫人口，不计入错退率"))
        if problem == "漏评" and float(info["nonregistered_persons"]) <= 0:
            issues.append(Issue("inconsistent", source, hid,
                                "漏评只适用于未建档立卡户：该户已建档立卡，不计入漏评率"))
        records.append({"household_id": hid, "problem": problem, "affected": affected,
                        "approval": approval, "reserve": hid not in book.sample.index,
                        "source": source})
    visited = pd.DataFrame(records, columns=["household_id", "problem", "affected", "approval",
                                             "reserve", "source"]).set_index("household_id",
                                                                            drop=False)
    not_visited = [h for h in book.sample.index if h not in per_household]
    used = [h for h in book.reserves.index if h in per_household]
    return Visits(visited, issues, not_visited, used)
