"""generate_county: a synthetic registry export (member rows) with its ground truth."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from exitcheck.sample import defects, households, incomes, members, params
from exitcheck.sample import truth as t
from exitcheck.sample.layout import LAYOUTS, place_names
from exitcheck.sample.messages import usage_error
from exitcheck.sample.vocab import MONITORING_CATEGORIES, RISK_WEIGHTS, RISKS

Style = Literal["national", "monitoring"]
WORKING = ("普通劳动力", "技能劳动力")
# The monitoring system started in 2021 (docs/policy.md §4): identification months from March 2021.
MONITORING_START_MONTH = 2021 * 12 + 2


def generate_county(
    n_households: int,
    *,
    seed: int,
    year: int = 2019,
    province_code: str = "51",
    county_code: str = "511602",
    style: Style = "national",
    income_line: float | None = None,
) -> tuple[pd.DataFrame, t.GroundTruth]:
    """Member rows (canonical column names, export-style values) and what was planted in them.

    ``income_line`` defaults to the line of rules/params for (style, year, province).
    """
    _check_args(n_households, year, province_code, county_code, style)
    rng = np.random.default_rng(seed)
    line = float(income_line) if income_line is not None else params.income_line(
        style, year, province_code)
    truth = t.GroundTruth(style=style, year=year, province_code=province_code,
                          county_code=county_code, income_line=line,
                          as_of=date(year, 12, 31), seed=seed)

    hh = households.draw_structure(rng, n_households)
    village, villages = households.draw_places(rng, n_households)
    hh_ids, towns, village_names = households.household_ids(county_code, village, villages)
    hh["household_id"] = hh_ids
    hh["county"] = place_names(province_code, county_code)[2]
    hh["township"] = towns
    hh["village"] = village_names
    hh["group"] = np.char.add(rng.integers(1, 9, n_households).astype("U1"), "组")

    mem = members.expand(hh, rng, year, county_code, province_code)
    mem["household_id"] = hh_ids[mem["hh"].to_numpy()]
    mem["member_id"] = (mem["household_id"] + (mem["k"] + 1).astype(str).str.zfill(3))
    hh["elders"] = np.bincount(mem["hh"], weights=mem["age"] >= 60, minlength=n_households)
    working = (mem["age"].between(16, 59) & mem["labour_skill"].isin(WORKING)).to_numpy()
    hh["workers"] = np.bincount(mem["hh"], weights=working, minlength=n_households)

    if style == "monitoring":
        _monitoring_status(rng, hh, year)
    else:
        _national_status(rng, hh, year)

    _household_flags(rng, hh, style, mem)
    plan = defects.choose(rng, n_households, defects.eligibility(style, hh, mem),
                          frozenset(_CONTROLS))
    in_plan = {kind: np.isin(np.arange(n_households), pos) for kind, pos in plan.items()}
    none = np.zeros(n_households, dtype=bool)

    # 家庭人口数 one more than the rows exported: a member missing from the sheet.
    size_stated = hh["size"].to_numpy() + in_plan.get(t.HOUSEHOLD_SIZE_MISMATCH, none)
    hh["household_size"] = size_stated

    below = in_plan[t.INCOME_BELOW_LINE] | in_plan.get(t.RISK_ELIMINATED_BELOW_LINE, none)
    above = _should_be_above(hh, style) & ~below
    target = incomes.per_capita_targets(rng, line, above)
    target = np.where(below, line * rng.uniform(0.80, 0.98, n_households), target)
    money = incomes.build(rng, target, size_stated, hh["elders"].to_numpy(),
                          hh["workers"].to_numpy(), hh.get("poverty_attribute", pd.Series(
                              [""] * n_households)).to_numpy(),
                          in_plan[t.TRANSFER_DOMINANT])
    incomes.lift_to(money, size_stated, np.full(n_households, line), above)
    # Fixed transfers (五保金, pensions) can keep a household planted below the line above it:
    # only households really below the line stay in the ground truth.
    really_below = money["per_capita_net_income"].to_numpy() < line
    for kind in (t.INCOME_BELOW_LINE, t.RISK_ELIMINATED_BELOW_LINE):
        if kind in plan:
            plan[kind] = plan[kind][really_below[plan[kind]]]
    broken = in_plan[t.INCOME_IDENTITY_BROKEN]
    money.loc[broken, "wage_income"] += np.round(rng.uniform(1000, 3000, int(broken.sum())))
    if style == "monitoring":
        money["compliant_out_of_pocket"] = _out_of_pocket(rng, hh)
    for column in money.columns:
        hh[column] = money[column].to_numpy()

    _apply_household_defects(rng, hh, plan, style)
    member_rows = defects.apply_member_defects(plan, mem, rng)

    frame = _assemble(hh, mem, style)
    _record(truth, plan, member_rows, hh, mem)
    _odd_spellings(truth, plan, frame, mem, member_rows, style)
    _risks(truth, frame, mem["age"].to_numpy())
    return frame, truth


_CONTROLS = (t.HOME_SCHOOLED, t.SCHOOLING_EXEMPT, t.THOUSANDS_SEPARATOR, t.FULLWIDTH_DIGITS,
             t.GRADE_SUFFIX, t.CHECK_MARK, t.TRANSFER_DOMINANT)


def _check_args(n: int, year: int, province: str, county: str, style: str) -> None:
    if n < 1:
        raise usage_error("bad_households", "--households", value=n)
    if style not in LAYOUTS:
        raise usage_error("bad_style", "--style", value=style)
    if not (len(province) == 2 and province.isdigit()):
        raise usage_error("bad_region", "--region", value=province)
    if not (len(county) == 6 and county.isdigit() and county.startswith(province)):
        raise usage_error("bad_county", "--county", value=county, province=province)
    if not 1950 <= year <= 2100:
        raise usage_error("bad_year", "--year", value=year)


def _national_status(rng: np.random.Generator, hh: pd.DataFrame, year: int) -> None:
    n = len(hh)
    u = rng.random(n)
    tekun = (hh["size"] <= 2).to_numpy() & (hh["head_age"] >= 60).to_numpy() & (u < 0.4)
    hh["poverty_attribute"] = np.where(tekun, "特困供养贫困户",
                                       np.where(rng.random(n) < 0.3, "低保贫困户", "一般贫困户"))
    exited = rng.random(n) < 0.9
    hh["poverty_status"] = np.where(exited, "已脱贫", "未脱贫")
    first = min(2014, year)
    years = rng.integers(first, year + 1, n)
    hh["exit_year"] = pd.array(np.where(exited, years, 0), dtype="Int64")
    hh.loc[~exited, "exit_year"] = pd.NA


def _monitoring_status(rng: np.random.Generator, hh: pd.DataFrame, year: int) -> None:
    n = len(hh)
    monitored = rng.random(n) < 0.2
    hh["household_category"] = np.where(monitored, "监测户", "脱贫户")
    cat = np.asarray(MONITORING_CATEGORIES, dtype=object)[rng.choice(3, n, p=[0.5, 0.4, 0.1])]
    hh["monitoring_category"] = np.where(monitored, cat, None)
    last = year * 12 + 11
    span = max(1, last - MONITORING_START_MONTH - 1)
    ident = MONITORING_START_MONTH + rng.integers(0, span, n)
    elim = ident + rng.integers(6, 16, n)
    eliminated = monitored & (elim <= last) & (rng.random(n) < 0.6)
    hh["ident_month"] = ident
    hh["elim_month"] = elim
    hh["monitoring_identified"] = np.where(monitored, _yyyymm(ident), None)
    hh["risk_eliminated"] = np.where(monitored, np.where(eliminated, "是", "否"), None)
    method = np.where(rng.random(n) < 0.8, "帮扶消除", "自然消除")
    hh["risk_elimination_method"] = np.where(eliminated, method, None)
    hh["risk_eliminated_month"] = np.where(eliminated, _yyyymm(elim), None)
    risk = np.asarray(RISKS, dtype=object)[rng.choice(len(RISKS), n, p=list(RISK_WEIGHTS))]
    hh["risk_1"] = np.where(monitored, risk, None)
    hh["dibao"] = rng.random(n) < 0.2


def _yyyymm(months: np.ndarray) -> np.ndarray:
    # YYYYMM as six digits; arithmetic instead of np.char.zfill (which fails on empty arrays)
    return ((months // 12) * 100 + months % 12 + 1).astype("U6")


def _should_be_above(hh: pd.DataFrame, style: str) -> np.ndarray:
    if style == "monitoring":
        still_at_risk = (hh["household_category"] == "监测户") & (hh["risk_eliminated"] != "是")
        return ~still_at_risk.to_numpy()
    return (hh["poverty_status"] == "已脱贫").to_numpy()


def _out_of_pocket(rng: np.random.Generator, hh: pd.DataFrame) -> np.ndarray:
    n = len(hh)
    ill = (hh["household_category"] == "监测户").to_numpy() & (hh["risk_1"] == "因病").to_numpy()
    small = np.where(rng.random(n) < 0.5, 0.0, np.round(rng.uniform(50, 1500, n)))
    return np.where(ill, np.round(rng.uniform(3000, 30000, n)), small)


def _household_flags(rng: np.random.Generator, hh: pd.DataFrame, style: str,
                     mem: pd.DataFrame) -> None:
    """Baseline housing, water, food flags: all exit conditions met (docs/policy.md §1)."""
    n = len(hh)
    if style == "monitoring":
        hh["dangerous_house"] = "否"
        hh["water_safe"] = "是"
        labour = np.bincount(mem["hh"], weights=mem["labour_skill"].isin(
            (*WORKING, "弱劳动力或半劳动力")), minlength=n)
        hh["no_labour_security"] = np.where(labour == 0, "是", "否")
        return
    u = rng.random(n)
    rebuilt = u < 0.10
    relocated = (u >= 0.10) & (u < 0.16)
    hh["food_secure"] = "是"
    hh["clothing_secure"] = "是"
    hh["dangerous_house"] = "否"
    hh["dangerous_house_grade"] = np.select(
        [rebuilt, relocated, rng.random(n) < 0.55],
        [np.where(rng.random(n) < 0.6, "C", "D"), "A", "A"], default="B")
    hh["house_rebuilt"] = np.where(rebuilt, "是", "否")
    hh["relocated"] = np.where(relocated, "是", "否")
    hh["water_difficulty"] = "否"
    hh["water_safe"] = "是"


def _apply_household_defects(rng: np.random.Generator, hh: pd.DataFrame,
                             plan: dict[str, np.ndarray], style: str) -> None:
    house = plan[t.DANGEROUS_HOUSE]
    water = plan[t.WATER_UNSAFE]
    hh.loc[house, "dangerous_house"] = "是"
    if style == "monitoring":
        hh.loc[water, "water_safe"] = "否"
        soon = plan[t.ELIMINATION_TOO_SOON]
        elim = hh.loc[soon, "ident_month"].to_numpy() + rng.integers(1, 3, len(soon))
        hh.loc[soon, "risk_eliminated_month"] = _yyyymm(elim)
        return
    hh.loc[house, "dangerous_house_grade"] = np.where(rng.random(len(house)) < 0.6, "C", "D")
    hh.loc[house, ["house_rebuilt", "relocated"]] = ["否", "否"]
    hh.loc[water, ["water_difficulty", "water_safe"]] = ["是", "否"]


def _assemble(hh: pd.DataFrame, mem: pd.DataFrame, style: str) -> pd.DataFrame:
    """Household fields repeated on every member row, in the export's column order."""
    pos = mem["hh"].to_numpy()
    if style == "monitoring":
        mem["dibao_member"] = np.where(hh["dibao"].to_numpy()[pos], "是", "否")
    else:
        mem["dibao_member"] = np.where(
            hh["poverty_attribute"].to_numpy()[pos] == "低保贫困户", "是", "否")
    data = {}
    for col in LAYOUTS[style]:
        source = mem if col.field in mem.columns else hh
        values = source[col.field].array  # stay in the column's own storage (arrow strings)
        data[col.field] = values if source is mem else values.take(pos)
    frame = pd.DataFrame(data, copy=False)
    frame["household_size"] = frame["household_size"].astype("Int64")
    if "exit_year" in frame:
        frame["exit_year"] = pd.array(hh["exit_year"].to_numpy()[pos], dtype="Int64")
    return frame


def _record(truth: t.GroundTruth, plan: dict[str, np.ndarray],
            member_rows: dict[str, np.ndarray], hh: pd.DataFrame, mem: pd.DataFrame) -> None:
    hh_ids = hh["household_id"].to_numpy()
    member_ids = mem["member_id"].to_numpy()
    mem_hh = mem["household_id"].to_numpy()
    for kind, positions in plan.items():
        table = truth.controls if kind in _CONTROLS else truth.households
        if kind == t.TRANSFER_DOMINANT:
            continue  # risk flags are derived from the final data in _risks
        if kind in member_rows:
            rows = member_rows[kind]
            for row in rows:
                truth.add(table, str(mem_hh[row]), kind)
                if table is truth.households:
                    truth.add(truth.members, str(member_ids[row]), kind)
            continue
        for pos in positions:
            truth.add(table, str(hh_ids[pos]), kind)


def _odd_spellings(truth: t.GroundTruth, plan: dict[str, np.ndarray], frame: pd.DataFrame,
                   mem: pd.DataFrame, member_rows: dict[str, np.ndarray], style: str) -> None:
    """Cells written differently from their value, as real exports do (read-back traps)."""
    rows = member_rows[t.ID_STORED_AS_NUMBER]
    ids = frame["id_number"].to_numpy()[rows]
    # Excel keeps 15 significant digits of a number: the last three digits become 0.
    truth.overrides["id_number"] = {int(r): float(int(i[:15]) * 1000) for r, i in zip(
        rows, ids, strict=True)}

    def rows_of(kind: str) -> np.ndarray:
        return defects.household_rows(mem, plan.get(kind, np.array([], dtype=np.int64)))

    pc = frame["per_capita_net_income"].to_numpy()
    truth.overrides["per_capita_net_income"] = {
        int(r): f"{pc[r]:,.2f}" for r in rows_of(t.THOUSANDS_SEPARATOR)}
    wage = frame["wage_income"].to_numpy()
    truth.overrides["wage_income"] = {
        int(r): f"{wage[r]:.0f}".translate(defects.FULLWIDTH) for r in rows_of(t.FULLWIDTH_DIGITS)}
    if style == "national":
        truth.overrides["dangerous_house_grade"] = {
            int(r): "C级" for r in rows_of(t.GRADE_SUFFIX)}
        truth.overrides["food_secure"] = {int(r): "√" for r in rows_of(t.CHECK_MARK)}
    else:
        truth.overrides["water_safe"] = {int(r): "√" for r in rows_of(t.CHECK_MARK)}
    truth.overrides = {k: v for k, v in truth.overrides.items() if v}


def _risks(truth: t.GroundTruth, frame: pd.DataFrame, age: np.ndarray) -> None:
    """Return-to-poverty signals as they stand in the final data (docs/policy.md §4)."""
    heads = frame.drop_duplicates("household_id").set_index("household_id")
    gross = heads[["wage_income", "business_income", "property_income",
                   "transfer_income"]].sum(axis=1)
    dominant = heads.index[heads["transfer_income"] > t.TRANSFER_SHARE * gross]
    for hid in dominant:
        truth.add(truth.risks, str(hid), t.TRANSFER_DOMINANT)
    working = (age >= 16) & (age <= 59) & frame["labour_skill"].isin(WORKING).to_numpy()
    has_worker = pd.Series(working).groupby(frame["household_id"].to_numpy()).any()
    for hid in has_worker.index[~has_worker]:
        truth.add(truth.risks, str(hid), t.NO_WORKING_AGE_LABOUR)
