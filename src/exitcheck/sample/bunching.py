"""A synthetic county with smooth incomes around the line and planted bunching just above it in
some villages (the test data of `exitcheck bunching`, issue 10 part 5).

Per-capita incomes are redrawn from a smooth log-normal around the line (median 1.05 × line);
a household is exited (已脱贫) when its income is above the line. In the planted villages every
household within ``shift`` below the line is pushed to just above it (up to half of ``shift``
above) and marked exited: the 被越线 pattern. Income components are scaled with the per-capita
income, so the income identity still holds up to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from exitcheck.sample.generator import generate_county
from exitcheck.sample.layout import MONEY_FIELDS
from exitcheck.sample.truth import GroundTruth

SIGMA = 0.3  # spread of log(income / line)
MEDIAN = 1.05  # median income as a multiple of the line


def bunching_county(n_households: int, *, seed: int, villages: int = 6, planted: int = 3,
                    shift: float = 0.1, **county: Any
                    ) -> tuple[pd.DataFrame, GroundTruth, dict[str, Any]]:
    """Member rows, a GroundTruth to write them with, and {"planted": [[township, village]],
    "controls": [...], "line": line}. Households are regrouped into ``villages`` villages."""
    frame, truth = generate_county(n_households, seed=seed, **county)
    rng = np.random.default_rng(seed + 1)
    line = truth.income_line
    heads = frame.drop_duplicates("household_id")
    places = heads[["township", "village"]].drop_duplicates().head(villages)
    if len(places) < villages:
        raise ValueError(f"only {len(places)} villages generated; ask for more households")
    hh = heads["household_id"].to_numpy()
    slot = np.arange(len(hh)) % villages
    ratio = np.exp(rng.normal(np.log(MEDIAN), SIGMA, len(hh)))
    push = (slot < planted) & (ratio >= 1 - shift) & (ratio < 1)
    ratio = np.where(push, 1 + rng.uniform(0.001, shift / 2, len(hh)), ratio)
    per_capita = np.round(ratio * line, 2)

    pos = pd.Index(hh).get_indexer(frame["household_id"])
    frame = frame.copy()
    frame["township"] = places["township"].to_numpy()[slot][pos]
    frame["village"] = places["village"].to_numpy()[slot][pos]
    old = pd.to_numeric(frame["per_capita_net_income"], errors="coerce").to_numpy()
    factor = per_capita[pos] / np.where(old > 0, old, np.nan)
    for col in (c for c in frame.columns if c in MONEY_FIELDS):
        frame[col] = np.round(pd.to_numeric(frame[col], errors="coerce") * factor, 2)
    frame["per_capita_net_income"] = per_capita[pos]
    if truth.style == "national":
        exited = ratio[pos] > 1
        frame["poverty_status"] = np.where(exited, "已脱贫", "未脱贫")
        frame["exit_year"] = pd.array(np.where(exited, truth.year, 0), dtype="Int64")
        frame.loc[~exited, "exit_year"] = pd.NA
    # the old income spellings would write last draw's values
    truth.overrides = {k: v for k, v in truth.overrides.items()
                       if k not in ("per_capita_net_income", "wage_income")}
    names = places.values.tolist()
    return frame, truth, {"planted": names[:planted], "controls": names[planted:],
                          "line": line, "pushed_households": int(push.sum())}
