"""Sample-size planning for a one-sided bound below a maximum rate (docs/policy.md §9.1.3 item 5).

Zero findings: the Clopper–Pearson upper bound at 0 of n is 1 − α^(1/n); it is below p₀ when
n_eff ≥ ln α / ln(1 − p₀), so n = deff × ln α / ln(1 − p₀) persons (α = 1 − level). With an
expected rate p > 0 the smallest n_eff whose Clopper–Pearson upper bound at x = p·n_eff is below
p₀ is found by search, then multiplied by deff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exitcheck.assess.intervals import cp_upper


@dataclass(frozen=True)
class Plan:
    upper: float
    level: float
    deff: float
    expected: float
    n_eff: float  # effective persons needed (before the design effect)
    persons: int  # persons to visit = ceil(deff × n_eff)
    households: int | None  # persons / household size, when given


def n_eff_needed(upper: float, level: float, expected: float) -> float:
    if not 0 < upper < 1:
        raise ValueError("upper must be in (0, 1)")
    if expected >= upper:
        return math.inf
    if expected <= 0:
        return math.log(1.0 - level) / math.log(1.0 - upper)
    lo, hi = 1.0, 10.0
    while cp_upper(expected * hi, hi, level) >= upper:
        hi *= 2.0
        if hi > 1e9:
            return math.inf
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if cp_upper(expected * mid, mid, level) < upper:
            hi = mid
        else:
            lo = mid
    return hi


def plan_sample(upper: float, *, deff: float = 1.0, level: float = 0.95, expected: float = 0.0,
                household_size: float | None = None) -> Plan:
    n_eff = n_eff_needed(upper, level, expected)
    persons = math.ceil(deff * n_eff - 1e-9) if math.isfinite(n_eff) else -1
    households = (math.ceil(persons / household_size - 1e-9)
                  if household_size and persons >= 0 else None)
    return Plan(upper, level, deff, expected, n_eff, persons, households)
