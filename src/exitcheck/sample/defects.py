"""Planting realistic defects and traps into a synthetic county, recorded in its GroundTruth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from exitcheck.sample import idnumber
from exitcheck.sample import truth as t

# Share of households that get each planted kind (at least one each when eligible ones exist).
RATES: dict[str, float] = {
    t.INCOME_BELOW_LINE: 0.006, t.RISK_ELIMINATED_BELOW_LINE: 0.004,
    t.ELIMINATION_TOO_SOON: 0.004,
}
DEFAULT_RATE = 0.002
CONTROL_RATE = 0.001
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def count_for(kind: str, n_households: int, control: bool = False) -> int:
    rate = CONTROL_RATE if control else RATES.get(kind, DEFAULT_RATE)
    return max(1, round(n_households * rate))


def choose(rng: np.random.Generator, n_households: int,
           eligible: dict[str, np.ndarray], controls: frozenset[str]) -> dict[str, np.ndarray]:
    """Disjoint household positions per kind (one planted thing per household keeps the
    ground truth unambiguous); kinds are taken in the dict's order."""
    taken = np.zeros(n_households, dtype=bool)
    plan: dict[str, np.ndarray] = {}
    for kind, mask in eligible.items():
        k = count_for(kind, n_households, kind in controls)
        if kind == t.ID_DUPLICATE:
            k *= 2  # source and target households
        pool = np.flatnonzero(mask & ~taken)
        k = min(k, len(pool) - (len(pool) % 2 if kind == t.ID_DUPLICATE else 0))
        picked = np.sort(rng.choice(pool, size=k, replace=False)) if k > 0 else pool[:0]
        taken[picked] = True
        plan[kind] = picked
    return plan


def has_member(mem: pd.DataFrame, cond: np.ndarray, n_households: int) -> np.ndarray:
    return np.bincount(mem["hh"].to_numpy()[cond], minlength=n_households) > 0


def pick_members(mem: pd.DataFrame, households: np.ndarray, cond: np.ndarray,
                 last: bool = False) -> np.ndarray:
    """Row position of the first (or last) member satisfying `cond` in each listed household."""
    hh = mem["hh"].to_numpy()
    rows = np.flatnonzero(np.isin(hh, households) & cond)
    if last:
        rows = rows[::-1]
    _, first = np.unique(hh[rows], return_index=True)
    return np.sort(rows[first])


def household_rows(mem: pd.DataFrame, households: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isin(mem["hh"].to_numpy(), households))


def apply_member_defects(plan: dict[str, np.ndarray], mem: pd.DataFrame,
                         rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Edit member rows in place; returns kind -> member row positions touched."""
    rows: dict[str, np.ndarray] = {}
    age = mem["age"].to_numpy()
    every = np.ones(len(mem), dtype=bool)
    child = (age >= 6) & (age <= 15)

    r = pick_members(mem, plan.get(t.OUT_OF_SCHOOL, []), child)
    mem.loc[r, "school_status"] = "失学或辍学"
    mem.loc[r, "out_of_school_reason"] = "厌学"
    rows[t.OUT_OF_SCHOOL] = r

    r = pick_members(mem, plan.get(t.HOME_SCHOOLED, []), child)
    mem.loc[r, ["school_status", "health", "labour_skill"]] = ["送教上门", "残疾", "无劳动力"]
    rows[t.HOME_SCHOOLED] = r

    r = pick_members(mem, plan.get(t.SCHOOLING_EXEMPT, []), child)
    mem.loc[r, ["school_status", "out_of_school_reason", "health", "labour_skill"]] = [
        "失学或辍学", "因身体原因不具备学习条件", "残疾", "无劳动力"]
    rows[t.SCHOOLING_EXEMPT] = r

    r = pick_members(mem, plan.get(t.NO_MEDICAL_INSURANCE, []), every, last=True)
    mem.loc[r, ["residents_medical", "employee_medical", "critical_illness"]] = ["否", "否", "否"]
    rows[t.NO_MEDICAL_INSURANCE] = r

    r = pick_members(mem, plan.get(t.ID_BAD_CHECKSUM, []), every, last=True)
    body = mem["id_body"].to_numpy()[r]
    mem.loc[r, "id_number"] = idnumber.to_strings(body, idnumber.wrong_check_chars(body))
    rows[t.ID_BAD_CHECKSUM] = r

    pairs = plan.get(t.ID_DUPLICATE, np.array([], dtype=np.int64))
    half = len(pairs) // 2
    sources = pick_members(mem, pairs[:half], every)
    targets = pick_members(mem, pairs[half:], every, last=True)
    mem.loc[targets, "id_number"] = mem["id_number"].to_numpy()[sources]
    rows[t.ID_DUPLICATE] = np.sort(np.concatenate([sources, targets]))

    relation = mem["relation"].to_numpy()
    r = pick_members(mem, plan.get(t.TWO_HEADS, []), relation == "配偶")
    mem.loc[r, "relation"] = "户主"
    rows[t.TWO_HEADS] = r

    r = pick_members(mem, plan.get(t.NO_HEAD, []), relation == "户主")
    mem.loc[r, "relation"] = "其他"
    rows[t.NO_HEAD] = r

    no_x = ~mem["id_number"].astype(str).str.endswith("X").to_numpy()
    rows[t.ID_STORED_AS_NUMBER] = pick_members(
        mem, plan.get(t.ID_STORED_AS_NUMBER, []), no_x & (relation == "户主"))

    r = pick_members(mem, plan.get(t.BLANK_NAME, []), every, last=True)
    mem.loc[r, "name"] = None
    rows[t.BLANK_NAME] = r

    r = pick_members(mem, plan.get(t.EDUCATION_IMPOSSIBLE, []), (age >= 8) & (age <= 11))
    mem.loc[r, ["education_level", "school_status"]] = ["高中", "高中"]
    rows[t.EDUCATION_IMPOSSIBLE] = r
    return rows


def eligibility(style: str, hh: pd.DataFrame, mem: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which households each kind may be planted in (order = planting priority)."""
    n = len(hh)
    age = mem["age"].to_numpy()
    relation = mem["relation"].to_numpy()
    anyone = np.ones(n, dtype=bool)
    child = has_member(mem, (age >= 6) & (age <= 15), n)
    no_x_head = has_member(
        mem, (relation == "户主") & ~mem["id_number"].astype(str).str.endswith("X").to_numpy(), n)
    out: dict[str, np.ndarray] = {}
    if style == "monitoring":
        out_of_poverty = (hh["household_category"] == "脱贫户").to_numpy()
        eliminated = ((hh["household_category"] == "监测户")
                      & (hh["risk_eliminated"] == "是")).to_numpy()
        out[t.INCOME_BELOW_LINE] = out_of_poverty
        out[t.RISK_ELIMINATED_BELOW_LINE] = eliminated
        out[t.ELIMINATION_TOO_SOON] = eliminated
    else:
        out_of_poverty = (hh["poverty_status"] == "已脱贫").to_numpy()
        out[t.INCOME_BELOW_LINE] = out_of_poverty
    out[t.OUT_OF_SCHOOL] = child & out_of_poverty
    out[t.HOME_SCHOOLED] = child & out_of_poverty
    out[t.SCHOOLING_EXEMPT] = child & out_of_poverty
    out[t.NO_MEDICAL_INSURANCE] = out_of_poverty
    out[t.DANGEROUS_HOUSE] = out_of_poverty & (
        (hh["relocated"] == "否").to_numpy() if "relocated" in hh else anyone)
    out[t.WATER_UNSAFE] = out_of_poverty
    out[t.INCOME_IDENTITY_BROKEN] = anyone
    out[t.HOUSEHOLD_SIZE_MISMATCH] = anyone
    out[t.ID_BAD_CHECKSUM] = anyone
    out[t.ID_DUPLICATE] = anyone
    out[t.TWO_HEADS] = has_member(mem, relation == "配偶", n)
    out[t.NO_HEAD] = (hh["size"] >= 2).to_numpy()
    out[t.ID_STORED_AS_NUMBER] = no_x_head
    out[t.BLANK_NAME] = (hh["size"] >= 2).to_numpy()
    out[t.EDUCATION_IMPOSSIBLE] = has_member(mem, (age >= 8) & (age <= 11), n)
    out[t.TRANSFER_DOMINANT] = out_of_poverty
    out[t.THOUSANDS_SEPARATOR] = out_of_poverty
    out[t.FULLWIDTH_DIGITS] = anyone
    if style == "national":
        out[t.GRADE_SUFFIX] = ((hh["dangerous_house_grade"] == "C")
                               & (hh["house_rebuilt"] == "是")).to_numpy()
    out[t.CHECK_MARK] = anyone
    return out
