"""Income bunching at the line (the 被越线 signal, issue 10 part 5): excess mass of households
just above the income line, per village, township and county.

Incomes are taken relative to the line, r = 人均纯收入 / line, and counted in bins of width
``bin_width`` over [1 − fit_range, 1 + fit_range). A polynomial of degree ``degree`` is fitted
by least squares to the bin counts outside the window [1 − window, 1 + window) (Chetty, Friedman,
Olsen and Pistaferri 2011; Kleven 2016) and gives the counterfactual count ĉ_j of each bin in
the window. Above the line: observed O = Σ c_j and fitted E = Σ ĉ_j over the window bins at or
above 1; excess B = O − E, excess ratio b = B / E; p-value the larger of P(X ≥ O) for
X ~ Poisson(E) and the normal tail of z = B / √(E + V), V the fit's prediction variance.
A place is flagged when p < alpha and b ≥ min_excess, with at least min_households in range.
All places are fitted at once (numpy.polyfit takes one column per place).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from exitcheck.assess.exit_rates import KEYS, LEVELS, _text
from exitcheck.assess.inputs import Snapshot
from exitcheck.engine.params import ParamStore

FLAGGED, NOT_FLAGGED, NOT_EVALUABLE = "flagged", "not_flagged", "not_evaluable"
VERDICT_LABELS = {FLAGGED: ("收入在标准上方聚集", "bunching above the line"),
                  NOT_FLAGGED: ("未见聚集", "no bunching"),
                  NOT_EVALUABLE: ("无法判定（户数不足）", "not evaluable (too few households)")}
PARAMS = ("bunching_bin_width", "bunching_fit_range", "bunching_window", "bunching_poly_degree",
          "bunching_alpha", "bunching_min_excess", "bunching_min_households")


@dataclass(frozen=True)
class BunchingSpec:
    bin_width: float
    fit_range: float
    window: float
    degree: int
    alpha: float
    min_excess: float
    min_households: int

    @property
    def half_bins(self) -> int:
        return max(1, round(self.fit_range / self.bin_width))

    @property
    def window_bins(self) -> int:
        return max(1, round(self.window / self.bin_width))

    def edges(self) -> np.ndarray:
        """Bin edges as shares of the line: 1 + k · bin_width, k = −K..K."""
        k = np.arange(-self.half_bins, self.half_bins + 1)
        return 1 + k * self.bin_width


def bin_index(ratio: np.ndarray, spec: BunchingSpec) -> np.ndarray:
    """Bin k = 0..2K−1 of each ratio, −1 outside the fit range (or missing)."""
    k = np.floor((ratio - 1) / spec.bin_width + 1e-9) + spec.half_bins
    ok = np.isfinite(k) & (k >= 0) & (k < 2 * spec.half_bins)
    return np.where(ok, k, -1).astype(np.int64)


def poisson_upper(observed: float, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected), summed in the tail (accurate when small)."""
    k = math.ceil(observed)
    if k <= 0:
        return 1.0
    lam = max(expected, 1e-12)
    total = 0.0
    i = k
    log_term = i * math.log(lam) - lam - math.lgamma(i + 1)
    while True:
        term = math.exp(log_term)
        total += term
        i += 1
        if (term < 1e-17 * total and i > lam) or i > k + 10_000:
            break
        log_term += math.log(lam) - math.log(i)
    return min(1.0, total)


def fit_counts(counts: np.ndarray, spec: BunchingSpec) -> np.ndarray:
    """Counterfactual counts (bins × places) from the polynomial fitted outside the window."""
    n_bins = 2 * spec.half_bins
    centers = (np.arange(n_bins) - spec.half_bins + 0.5) * spec.bin_width
    w = spec.window_bins
    outside = (np.arange(n_bins) < spec.half_bins - w) | (np.arange(n_bins) >= spec.half_bins + w)
    degree = min(spec.degree, int(outside.sum()) - 1)
    coef = np.polyfit(centers[outside], counts[outside], degree)  # one column per place
    powers = np.vander(centers, degree + 1)
    return np.clip(powers @ coef, 0.0, None)


def fit_variance(counts: np.ndarray, spec: BunchingSpec) -> np.ndarray:
    """Per place, the variance of the fitted count summed over the window bins above the line
    (OLS prediction variance g'(X'X)⁻¹g · s², s² from the residuals of the bins fitted)."""
    n_bins = 2 * spec.half_bins
    h, w = spec.half_bins, spec.window_bins
    centers = (np.arange(n_bins) - h + 0.5) * spec.bin_width
    outside = (np.arange(n_bins) < h - w) | (np.arange(n_bins) >= h + w)
    degree = min(spec.degree, int(outside.sum()) - 1)
    x = np.vander(centers[outside], degree + 1)
    xtx_inv = np.linalg.pinv(x.T @ x)
    coef = xtx_inv @ x.T @ counts[outside]
    dof = max(int(outside.sum()) - (degree + 1), 1)
    s2 = ((counts[outside] - x @ coef) ** 2).sum(axis=0) / dof
    g = np.vander(centers[h: h + w], degree + 1).sum(axis=0)
    return np.asarray(float(g @ xtx_inv @ g) * s2, dtype="float64")


@dataclass
class Bunching:
    """One row per place (``table``), the bin counts and fits of each place (``bins``)."""

    table: pd.DataFrame
    counts: np.ndarray  # bins × places (same order as table)
    fitted: np.ndarray
    spec: BunchingSpec
    line: float
    line_param: str
    year: int
    region: str | None
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    line_source: str = ""  # the source of the line's value (rules/params)


def compute_bunching(households: pd.DataFrame, exited: pd.Series, line: float,
                     spec: BunchingSpec) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Per place: counts around the line, the fit, excess above the line, p-value, verdict."""
    income = pd.to_numeric(households.get("per_capita_net_income"), errors="coerce")
    ratio = (income / line).to_numpy(dtype="float64")
    k = bin_index(ratio, spec)
    base = pd.DataFrame({"county": _text(households, "county"),
                         "township": _text(households, "township"),
                         "village": _text(households, "village"), "bin": k,
                         "exited": exited.reindex(households.index).fillna(False).to_numpy(
                             dtype=bool)})
    base = base[base["bin"] >= 0]
    n_bins = 2 * spec.half_bins
    h, w = spec.half_bins, spec.window_bins
    tables, blocks = [], []
    for level in LEVELS:
        keys = KEYS[level]
        grid = base.groupby([*keys, "bin"]).size().unstack("bin", fill_value=0)
        grid = grid.reindex(columns=range(n_bins), fill_value=0)
        exited_above = (base[base["exited"] & (base["bin"] >= h) & (base["bin"] < h + w)]
                        .groupby(keys).size().reindex(grid.index, fill_value=0))
        t = grid.index.to_frame(index=False)
        for missing in ("township", "village"):
            if missing not in t.columns:
                t[missing] = ""
        t.insert(0, "level", level)
        t["households"] = grid.sum(axis=1).to_numpy()
        t["below"] = grid.loc[:, h - w: h - 1].sum(axis=1).to_numpy()
        t["above"] = grid.loc[:, h: h + w - 1].sum(axis=1).to_numpy()
        t["exited_above"] = exited_above.to_numpy()
        tables.append(t)
        blocks.append(grid.to_numpy(dtype="float64").T)
    table = pd.concat(tables, ignore_index=True)
    counts = np.concatenate(blocks, axis=1) if blocks else np.zeros((n_bins, 0))
    fitted = fit_counts(counts, spec) if counts.shape[1] else counts
    table["expected_above"] = fitted[h: h + w].sum(axis=0)
    table["expected_below"] = fitted[h - w: h].sum(axis=0)
    table["excess"] = table["above"] - table["expected_above"]
    table["excess_ratio"] = (table["excess"] / table["expected_above"]).where(
        table["expected_above"] > 0)
    table["missing_below"] = table["expected_below"] - table["below"]
    # z with the Poisson variance of the count and the variance of the fit itself
    table["fit_variance"] = fit_variance(counts, spec) if counts.shape[1] else 0.0
    spread = np.sqrt(table["expected_above"] + table["fit_variance"])
    table["z"] = (table["excess"] / spread).where(spread > 0)
    normal_p = table["z"].map(lambda z: 0.5 * math.erfc(z / math.sqrt(2)), na_action="ignore")
    # one p-value per place (places, not households): the larger of the Poisson tail and the
    # normal tail of z, so that a noisy fit does not make a village look significant
    poisson_p = pd.Series([poisson_upper(o, e) for o, e in zip(
        table["above"], table["expected_above"], strict=True)], index=table.index)
    table["p_value"] = np.fmax(poisson_p, normal_p.astype("float64"))
    evaluable = table["households"] >= spec.min_households
    flagged = evaluable & (table["p_value"] < spec.alpha) & (
        table["excess_ratio"].fillna(np.inf) >= spec.min_excess)
    table["verdict"] = np.where(~evaluable, NOT_EVALUABLE,
                                np.where(flagged, FLAGGED, NOT_FLAGGED))
    return table, counts, fitted


def default_line_param(year: int) -> str:
    """The exit line up to 2020; the monitoring line of the 2021+ monitoring era."""
    return "exit_income_line" if year <= 2020 else "monitoring_income_line"


def spec_from_params(store: ParamStore, year: int, region: str | None) -> BunchingSpec:
    def value(name: str) -> float:
        return float(str(store.resolve(name, year, region).value))

    return BunchingSpec(bin_width=value("bunching_bin_width"),
                        fit_range=value("bunching_fit_range"),
                        window=value("bunching_window"),
                        degree=int(value("bunching_poly_degree")),
                        alpha=value("bunching_alpha"),
                        min_excess=value("bunching_min_excess"),
                        min_households=int(value("bunching_min_households")))


def run_bunching(snap: Snapshot, store: ParamStore, *, line_param: str | None = None
                 ) -> Bunching:
    """The bunching table of one registry, with the line and the parameters resolved for its
    year and province."""
    from exitcheck.errors import InputError, UsageError

    year, region = snap.scope.year, snap.scope.region
    spec = spec_from_params(store, year, region)
    if not (0 < spec.bin_width <= spec.window < spec.fit_range):
        raise UsageError("参数须满足 0 < bunching_bin_width ≤ bunching_window < bunching_fit_range",
                         message_en="parameters must satisfy 0 < bunching_bin_width ≤ "
                                    "bunching_window < bunching_fit_range")
    name = line_param or default_line_param(year)
    resolved = store.try_resolve(name, year, region)
    if resolved is None:
        raise UsageError(f"参数 {name} 在 {year} 年没有取值（可用 --line-param 选择标准）",
                         message_en=f"parameter {name} has no value for {year} "
                                    "(choose the line with --line-param)")
    line = float(str(resolved.value))
    h = snap.registry.households
    if "per_capita_net_income" not in h.columns:
        raise InputError("输入数据没有“人均纯收入”列，无法检验收入聚集",
                         message_en="the input has no 人均纯收入 (per-capita net income) column")
    exited = snap.populations["exited"] if "exited" in snap.populations.columns else pd.Series(
        False, index=h.index)
    table, counts, fitted = compute_bunching(h, exited, line, spec)
    notes: list[str] = []
    notes_en: list[str] = []
    missing = int(pd.to_numeric(h["per_capita_net_income"], errors="coerce").isna().sum())
    if missing:
        notes.append(f"{missing} 户人均纯收入为空或不是数字，未计入")
        notes_en.append(f"{missing} household(s) without a numeric per-capita income left out")
    return Bunching(table, counts, fitted, spec, line, name, year, region, notes, notes_en,
                    resolved.source)
