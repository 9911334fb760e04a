"""The bunching statistic: the Poisson tail, the polynomial counterfactual, and the excess mass
on incomes built with a known number of households moved above the line."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from exitcheck.assess.bunching import (
    FLAGGED,
    NOT_EVALUABLE,
    NOT_FLAGGED,
    BunchingSpec,
    bin_index,
    compute_bunching,
    fit_counts,
    fit_variance,
    poisson_upper,
)

SPEC = BunchingSpec(bin_width=0.05, fit_range=0.5, window=0.1, degree=2, alpha=0.01,
                    min_excess=0.5, min_households=50)


@pytest.mark.parametrize(("k", "lam"), [(0, 3.0), (1, 0.5), (3, 1.0), (10, 4.0), (40, 20.0)])
def test_poisson_tail_matches_the_complement_of_the_cdf(k: int, lam: float) -> None:
    cdf = sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))
    assert poisson_upper(k, lam) == pytest.approx(1 - cdf, rel=1e-9, abs=1e-15)


def test_poisson_tail_closed_forms() -> None:
    assert poisson_upper(3, 1.0) == pytest.approx(1 - 2.5 * math.exp(-1))  # 0.0803
    assert poisson_upper(1, 2.0) == pytest.approx(1 - math.exp(-2))
    assert poisson_upper(5, 0.0) < 1e-30  # nothing expected, something seen


def test_fit_recovers_a_quadratic_outside_and_inside_the_window() -> None:
    n = 2 * SPEC.half_bins
    x = (np.arange(n) - SPEC.half_bins + 0.5) * SPEC.bin_width
    truth = 20 + 10 * x - 20 * x**2  # positive over the range (the fit is clipped at 0)
    counts = truth.copy()
    window = slice(SPEC.half_bins - SPEC.window_bins, SPEC.half_bins + SPEC.window_bins)
    counts[window] += 50  # the window does not enter the fit
    fitted = fit_counts(np.column_stack([counts, truth]), SPEC)
    assert np.allclose(fitted[:, 0], truth) and np.allclose(fitted[:, 1], truth)


def test_fit_variance_grows_with_the_scatter_around_the_fit() -> None:
    n = 2 * SPEC.half_bins
    x = (np.arange(n) - SPEC.half_bins + 0.5) * SPEC.bin_width
    smooth = 20 + 10 * x
    wobble = np.where(np.arange(n) % 2 == 0, 3.0, -3.0)
    var = fit_variance(np.column_stack([smooth, smooth + wobble, smooth + 2 * wobble]), SPEC)
    assert var[0] == pytest.approx(0, abs=1e-9)
    assert var[1] > 0 and var[2] == pytest.approx(4 * var[1])  # scales with s²


def test_bins_edges_and_outside() -> None:
    r = np.array([0.5, 0.999, 1.0, 1.049, 1.05, 1.4999, 1.5, 0.4999, np.nan])
    k = bin_index(r, SPEC)
    assert k.tolist() == [0, 9, 10, 10, 11, 19, -1, -1, -1]


def _incomes(line: float, per_bin: int, moved: int, village: str) -> pd.DataFrame:
    """Evenly spread incomes (per_bin per 5 % bin from 0.5 to 1.5 of the line), then
    ``moved`` households from just below the line to just above it."""
    edges = np.arange(0.5, 1.5, 0.05)
    ratio = np.concatenate([e + (np.arange(per_bin) + 0.5) * 0.05 / per_bin for e in edges])
    below = np.flatnonzero((ratio >= 0.9) & (ratio < 1))[:moved]
    ratio[below] = 1.01
    return pd.DataFrame({"county": "县", "township": "乡", "village": village,
                         "per_capita_net_income": ratio * line})


def test_excess_mass_counts_the_moved_households() -> None:
    line = 4000.0
    frame = pd.concat([_incomes(line, 10, 0, "平"), _incomes(line, 10, 15, "聚"),
                       _incomes(line, 2, 0, "小")], ignore_index=True)
    exited = pd.Series(frame["per_capita_net_income"] > line, index=frame.index)
    table, counts, fitted = compute_bunching(frame, exited, line, SPEC)
    v = table[table["level"] == "village"].set_index("village")
    assert v.loc["平", "excess"] == pytest.approx(0, abs=1e-9)
    assert v.loc["平", "verdict"] == NOT_FLAGGED
    assert v.loc["聚", "above"] == 35 and v.loc["聚", "below"] == 5
    assert v.loc["聚", "excess"] == pytest.approx(15) and v.loc["聚", "missing_below"] == \
        pytest.approx(15)
    assert v.loc["聚", "excess_ratio"] == pytest.approx(0.75)
    assert v.loc["聚", "fit_variance"] == pytest.approx(0, abs=1e-9)  # an exact fit
    normal = 0.5 * math.erfc(15 / math.sqrt(20) / math.sqrt(2))
    assert v.loc["聚", "p_value"] == pytest.approx(max(poisson_upper(35, 20), normal))
    assert v.loc["聚", "verdict"] == FLAGGED
    assert v.loc["小", "verdict"] == NOT_EVALUABLE  # 40 households < 50
    assert v.loc["聚", "exited_above"] == 35
    county = table[table["level"] == "county"].iloc[0]
    assert county["households"] == 440 and counts.shape == (20, len(table))
    assert fitted.shape == counts.shape
