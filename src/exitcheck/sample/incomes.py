"""Household income components built backwards from a per-capita target, identity kept exact."""

from __future__ import annotations

import numpy as np
import pandas as pd

TRANSFER_PARTS = (
    "family_planning_income", "dibao_income", "wubao_income", "pension_income",
    "eco_compensation_income", "other_transfer_income",
)


def _amount(rng: np.random.Generator, n: int, share: float, lo: float, hi: float) -> np.ndarray:
    """Whole-yuan amounts in [lo, hi] for about `share` of households, else 0."""
    on = rng.random(n) < share
    return np.where(on, np.round(rng.uniform(lo, hi, n) / 10) * 10, 0.0)


def per_capita_targets(rng: np.random.Generator, line: float, above: np.ndarray,
                       near_share: float = 0.15) -> np.ndarray:
    """Targets above the line (a `near_share` just above it, within 10%) where `above`,
    else between 55% and 105% of it (households not yet exited / still at risk)."""
    n = len(above)
    near = rng.random(n) < near_share
    high = line * np.where(near, rng.uniform(1.02, 1.10, n), 1.10 + rng.lognormal(-0.6, 0.6, n))
    low = line * rng.uniform(0.55, 1.05, n)
    return np.where(above, high, low)


def build(rng: np.random.Generator, target_pc: np.ndarray, size_stated: np.ndarray,
          elders: np.ndarray, workers: np.ndarray, attribute: np.ndarray,
          transfer_heavy: np.ndarray) -> pd.DataFrame:
    """Components whose identity holds exactly: 纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性
    − 生产经营性支出, 人均纯收入 = 纯收入 / 家庭人口数 (docs/policy.md §5), rounded to 0.01."""
    n = len(target_pc)
    out = pd.DataFrame({
        "family_planning_income": _amount(rng, n, 0.10, 600, 1920),
        "dibao_income": np.where(attribute == "低保贫困户",
                                 np.round(size_stated * rng.uniform(1800, 3200, n) / 10) * 10, 0.0),
        "wubao_income": np.where(attribute == "特困供养贫困户",
                                 np.round(size_stated * rng.uniform(4800, 6400, n) / 10) * 10, 0.0),
        "pension_income": np.round(elders * rng.uniform(1200, 1500, n) / 10) * 10,
        "eco_compensation_income": _amount(rng, n, 0.40, 50, 600),
        "other_transfer_income": _amount(rng, n, 0.50, 100, 1500),
    })
    target_net = np.round(target_pc * size_stated)
    # Transfer-heavy households (planted risk): subsidies carry most of the income.
    heavy_other = np.round(target_net * rng.uniform(0.60, 0.75, n))
    out["other_transfer_income"] = np.where(transfer_heavy, heavy_other,
                                            out["other_transfer_income"])
    out["transfer_income"] = out[list(TRANSFER_PARTS)].sum(axis=1)
    out["property_income"] = _amount(rng, n, 0.35, 100, 1200)
    out["business_expense"] = _amount(rng, n, 0.70, 200, 4000)
    earned = target_net + out["business_expense"] - out["transfer_income"] - out["property_income"]
    earned = np.maximum(earned, 0.0)
    wage_share = np.where(workers > 0, rng.uniform(0.45, 0.9, n), rng.uniform(0.0, 0.3, n))
    out["wage_income"] = np.round(earned * wage_share)
    out["business_income"] = earned - out["wage_income"]
    net = (out["wage_income"] + out["business_income"] + out["property_income"]
           + out["transfer_income"] - out["business_expense"])
    out["net_income"] = net
    out["per_capita_net_income"] = np.round(net / size_stated, 2)
    return out


def lift_to(frame: pd.DataFrame, size_stated: np.ndarray, floor_pc: np.ndarray,
            mask: np.ndarray) -> None:
    """Raise wage income where `mask` so that per-capita income exceeds `floor_pc` (in place)."""
    short = mask & (frame["per_capita_net_income"].to_numpy() <= floor_pc)
    extra = np.where(short, np.ceil((floor_pc - frame["per_capita_net_income"]) * size_stated)
                     + 10 * size_stated, 0.0)
    frame["wage_income"] += extra
    frame["net_income"] += extra
    frame["per_capita_net_income"] = np.round(frame["net_income"] / size_stated, 2)
