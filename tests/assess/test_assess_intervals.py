"""Beta/t quantiles and proportion bounds against stored reference values and an independent
implementation (reference_calc.py: exact binomial sums and Simpson integration)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import reference_calc as ref

from exitcheck.assess.estimate import ratio_estimate
from exitcheck.assess.intervals import (
    beta_ppf,
    betainc,
    cp_lower,
    cp_upper,
    proportion_bounds,
    t_ppf,
    wilson_bounds,
)
from exitcheck.assess.plan import plan_sample

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "reference_intervals.json")
                      .read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", FIXTURES["clopper_pearson_two_sided_95"]["cases"])
def test_clopper_pearson_matches_r_binom_test(case: dict[str, float]) -> None:
    x, n = int(case["x"]), int(case["n"])
    assert cp_upper(x, n, 0.975) == pytest.approx(case["upper"], rel=2e-7)
    assert cp_lower(x, n, 0.975) == pytest.approx(case["lower"], rel=2e-7)
    assert cp_upper(x, n, 0.975) == pytest.approx(ref.cp_upper_exact(x, n, 0.975), abs=1e-12)


@pytest.mark.parametrize("n", [1, 5, 30, 1000, 5000])
def test_zero_findings_upper_is_closed_form(n: int) -> None:
    assert cp_upper(0, n) == pytest.approx(1 - 0.05 ** (1 / n), rel=1e-12)
    assert cp_lower(n, n) == pytest.approx(0.05 ** (1 / n), rel=1e-12)


@pytest.mark.parametrize(("x", "n"), [(1, 7), (3, 20), (12, 40), (39, 40)])
def test_clopper_pearson_equals_exact_binomial(x: int, n: int) -> None:
    assert cp_upper(x, n) == pytest.approx(ref.cp_upper_exact(x, n, 0.95), abs=1e-12)


@pytest.mark.parametrize("case", FIXTURES["policy_9_1_item_5"]["cases"])
def test_policy_illustrations(case: dict[str, float]) -> None:
    upper = cp_upper(case["x"], case["n_eff"])
    assert round(100 * upper, int(case["digits"])) == case["upper_pct"]


def test_zero_findings_sample_size() -> None:
    for case in FIXTURES["policy_9_1_item_5"]["zero_findings_n_eff"]:
        assert plan_sample(case["upper"]).persons == case["n_eff"]
    plan = plan_sample(0.02, deff=2)
    assert plan.persons == math.ceil(2 * math.log(0.05) / math.log(0.98))
    # with the planned n_eff and zero findings, the bound is just below the maximum
    assert cp_upper(0, plan.n_eff) == pytest.approx(0.02)
    planned = plan_sample(0.02, expected=0.005)
    assert cp_upper(0.005 * planned.n_eff, planned.n_eff) < 0.02
    assert cp_upper(0.005 * (planned.n_eff - 1), planned.n_eff - 1) >= 0.02


@pytest.mark.parametrize("case", FIXTURES["t_quantiles"]["cases"])
def test_t_quantiles(case: dict[str, float | None]) -> None:
    df = math.inf if case["df"] is None else float(case["df"])  # type: ignore[arg-type]
    assert t_ppf(float(case["q"]), df) == pytest.approx(case["t"], abs=5e-7)  # type: ignore[arg-type]


@pytest.mark.parametrize(("a", "b", "q"), [(0.5, 0.5, 0.3), (2.5, 60.7, 0.02), (80.2, 1.4, 0.97),
                                           (1.0, 1.0, 0.42)])
def test_betainc_against_integration(a: float, b: float, q: float) -> None:
    if a >= 1 and b >= 1:
        assert betainc(a, b, q) == pytest.approx(ref.beta_cdf(q, a, b), abs=1e-9)
    assert beta_ppf(betainc(a, b, q), a, b) == pytest.approx(q, abs=1e-12)


def test_korn_graubard_at_zero_uses_nominal_n() -> None:
    b = proportion_bounds(0.0, 0.0, 3000, 28)
    assert b.n_eff == 3000
    adj = (t_ppf(0.95, 2999) / t_ppf(0.95, 28)) ** 2
    assert b.n_eff_df == pytest.approx(3000 * adj)
    assert b.upper == pytest.approx(1 - 0.05 ** (1 / b.n_eff_df))
    assert b.lower == 0.0
    assert math.isnan(proportion_bounds(0.0, 0.0, 3000, 0).upper)  # df <= 0: no bound


def test_korn_graubard_against_reference() -> None:
    r, var, n, df = 0.01, 0.01 * 0.99 / 1000, 3000.0, 24
    got = proportion_bounds(r, var, n, df)
    want = ref.korn_graubard(r, var, n, df)
    assert got.n_eff == pytest.approx(want["n_eff"])
    assert got.n_eff_df == pytest.approx(want["n_eff_df"], rel=1e-9)
    assert got.upper == pytest.approx(want["upper"], abs=1e-9)
    assert got.lower == pytest.approx(want["lower"], abs=1e-9)


def test_wilson_on_effective_n() -> None:
    lo, hi = wilson_bounds(0.0, 100, 1.6448536)
    assert lo == 0.0 and hi == pytest.approx(1.6448536**2 / (100 + 1.6448536**2))
    b = proportion_bounds(0.05, 0.05 * 0.95 / 200, 400, 30, method="wilson")
    assert b.n_eff == pytest.approx(200)
    assert b.lower < 0.05 < b.upper


def test_ratio_estimator_against_plain_sums() -> None:
    import numpy as np

    rows = [
        {"stratum": "A", "psu": "v1", "w": 4.0, "y": 1, "x": 5},
        {"stratum": "A", "psu": "v1", "w": 4.0, "y": 0, "x": 3},
        {"stratum": "A", "psu": "v2", "w": 6.0, "y": 0, "x": 4},
        {"stratum": "A", "psu": "v3", "w": 5.0, "y": 2, "x": 2},
        {"stratum": "B", "psu": "v4", "w": 2.5, "y": 0, "x": 6},
        {"stratum": "B", "psu": "v5", "w": 2.5, "y": 1, "x": 1},
        {"stratum": "B", "psu": "v5", "w": 3.0, "y": 0, "x": 0},
    ]
    got = ratio_estimate(*(np.array([r[k] for r in rows]) for k in ("stratum", "psu", "w", "y",
                                                                     "x")))
    want = ref.ratio_design(rows)
    assert got.r == pytest.approx(want["r"])
    assert got.variance == pytest.approx(want["variance"])
    assert got.df == want["df"] == 3
    assert got.n == want["n"] == 21
    assert got.deff == pytest.approx(want["deff"])
