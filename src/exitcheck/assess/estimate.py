"""Design-based estimates of 错退率, 漏评率 and 群众认可度 from the visited households.

Design (from the draw workbook): strata = village strata (村层), PSUs = sampled villages,
households within villages by type. Weights: w = (N_h / n_h) × (N_vt / m_vt), m_vt the
households of the village-type cell that answered the item (sample households and reserves used
in their place), so that a missing visit is compensated within its cell.

Estimator (docs/policy.md §9.1.3; R ``survey::svyratio``): r = Σ w y / Σ w x. Variance by Taylor
linearisation with the with-replacement PSU approximation:

    z_k  = w_k (y_k − r x_k) / X̂,     X̂ = Σ w x
    z_hi = Σ_{k in village i} z_k
    v(r) = Σ_h (1 − f_h) n_h / (n_h − 1) Σ_i (z_hi − z̄_h)²

(f_h = 0 unless --fpc: f_h = n_h / N_h). df = PSUs − strata. deff = v(r) / (r(1 − r)/n),
n = Σ x (persons, or households for 认可度). A stratum with a single PSU has no variance
information (``lonely``: "error", "certainty" = contributes 0, "adjust" = deviation from the
grand mean of PSU totals, as R's survey.lonely.psu).

Bounds and verdicts: intervals.proportion_bounds (Korn–Graubard default); 错退率 and 漏评率 pass
when the one-sided upper bound is below the maximum, 认可度 when the lower bound is above the
minimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from exitcheck.assess.intervals import Bounds, proportion_bounds
from exitcheck.assess.visits import APPROVES, DrawBook, Visits
from exitcheck.errors import UsageError

LONELY = ("error", "certainty", "adjust")
PASS, FAIL, UNPROVEN, NOT_EVALUABLE = "pass", "fail", "not_proven", "not_evaluable"
VERDICT_LABELS = {PASS: ("通过", "pass"), FAIL: ("未通过", "fail"),
                  UNPROVEN: ("未通过（未能证明）", "fail (not demonstrated)"),
                  NOT_EVALUABLE: ("无法判定", "not evaluable")}


@dataclass(frozen=True)
class RatioEstimate:
    r: float
    variance: float
    se: float
    n: float  # nominal: Σ x over responding households
    households: int  # responding households with x > 0
    psus: int
    strata: int
    df: int
    deff: float
    y_total: float  # Σ w y
    x_total: float  # Σ w x


def ratio_estimate(strata: np.ndarray, psus: np.ndarray, weights: np.ndarray, y: np.ndarray,
                   x: np.ndarray, *, stratum_psus: dict[str, int] | None = None,
                   lonely: str = "error") -> RatioEstimate:
    """The weighted ratio Σwy/Σwx with its Taylor-linearised variance (see module docstring).

    Arrays are per household; every PSU present counts (households outside the domain have
    x = y = 0). ``stratum_psus``: N_h for a finite-population correction (None: f_h = 0).
    """
    if lonely not in LONELY:
        raise ValueError(f"lonely must be one of {LONELY}")
    w = weights.astype("float64")
    yy, xx = y.astype("float64"), x.astype("float64")
    x_hat = float(np.sum(w * xx))
    y_hat = float(np.sum(w * yy))
    n = float(np.sum(xx))
    households = int(np.sum(xx > 0))
    frame = pd.DataFrame({"h": strata.astype(str), "i": psus.astype(str)})
    n_strata = int(frame["h"].nunique())
    n_psus = int(frame.drop_duplicates().shape[0])
    if x_hat <= 0:
        return RatioEstimate(math.nan, math.nan, math.nan, n, households, n_psus, n_strata,
                             n_psus - n_strata, math.nan, y_hat, x_hat)
    r = y_hat / x_hat
    frame["z"] = w * (yy - r * xx) / x_hat
    totals = frame.groupby(["h", "i"], sort=True)["z"].sum().reset_index()
    grand = float(totals["z"].mean())
    variance = 0.0
    for h, group in totals.groupby("h", sort=True):
        z = group["z"].to_numpy()
        n_h = len(z)
        f_h = 0.0
        if stratum_psus is not None and stratum_psus.get(str(h)):
            f_h = min(1.0, n_h / stratum_psus[str(h)])
        if n_h == 1:
            if f_h >= 1.0 or lonely == "certainty":
                continue
            if lonely == "error":
                raise UsageError(
                    f"村层 {h} 只有 1 个有核查结果的村，无法估计方差；"
                    "请用 --lonely-psu certainty 或 adjust",
                    message_en=f"stratum {h} has a single village with visits: no variance "
                               "information; use --lonely-psu certainty or adjust")
            variance += (1.0 - f_h) * float((z[0] - grand) ** 2)
            continue
        variance += (1.0 - f_h) * n_h / (n_h - 1) * float(np.sum((z - z.mean()) ** 2))
    srs = r * (1.0 - r) / n if n > 0 else math.nan
    deff = variance / srs if srs and srs > 0 else math.nan
    return RatioEstimate(r, variance, math.sqrt(variance), n, households, n_psus, n_strata,
                         n_psus - n_strata, deff, y_hat, x_hat)


@dataclass(frozen=True)
class Measure:
    key: str  # wrong_exit | missed | approval
    label: str
    label_en: str
    estimate: RatioEstimate
    bounds: Bounds
    threshold: float | None
    param: str
    verdict: str
    sentence: str
    sentence_en: str
    reason: str = ""


def _weights(book: DrawBook, visits: Visits, answered: pd.Series) -> pd.DataFrame:
    """Design rows of the answering households with nonresponse-adjusted weights."""
    info = pd.concat([book.sample, book.reserves.drop(columns="reserve_order",
                                                      errors="ignore")])
    info = info[~info.index.duplicated()]
    ids = visits.households.index[answered.to_numpy(dtype=bool)]
    rows = info.loc[ids].copy()
    cell = rows["village_key"] + "|" + rows["hh_type"]
    m = cell.map(cell.value_counts())
    rows["w"] = (rows["village_N"] / rows["village_n"]) * (rows["cell_N"] / m)
    return rows


def _pct(v: float | None) -> str:
    if v is None or math.isnan(v):
        return "—"
    return f"{100 * v:.1f}%"


def _limit(v: float) -> str:
    """A threshold as written in the policy: 2%, 90%, 2.5%."""
    return f"{round(100 * v, 4):g}%"


def measure(key: str, book: DrawBook, visits: Visits, *, threshold: float | None, param: str,
            level: float, method: str, lonely: str, fpc: bool) -> Measure:
    vh = visits.households
    if key == "wrong_exit":
        label, label_en = "错退率", "wrong-exit rate"
        answered = vh["problem"] != ""
    elif key == "missed":
        label, label_en = "漏评率", "missed rate"
        answered = vh["problem"] != ""
    else:
        label, label_en = "群众认可度", "approval"
        answered = vh["approval"] != ""
    rows = _weights(book, visits, answered) if len(vh) else pd.DataFrame()
    sub = vh.loc[rows.index] if len(rows) else vh.iloc[:0]
    if key == "wrong_exit":
        x = rows["exited_persons"].to_numpy(dtype="float64") if len(rows) else np.zeros(0)
        hit = (sub["problem"] == "错退").to_numpy()
    elif key == "missed":
        x = rows["nonregistered_persons"].to_numpy(dtype="float64") if len(rows) else np.zeros(0)
        hit = (sub["problem"] == "漏评").to_numpy()
    else:
        x = np.ones(len(rows))
        hit = sub["approval"].isin(APPROVES).to_numpy()
    if key == "approval":
        y = hit.astype("float64")
    else:
        affected = sub["affected"].to_numpy(dtype="float64") if len(rows) else np.zeros(0)
        y = np.where(hit, np.where(np.isnan(affected), x, np.minimum(affected, x)), 0.0)
    stratum_psus = None
    if fpc and len(rows):
        stratum_psus = {str(h): int(n) for h, n in
                        rows.groupby("village_type")["village_N"].first().items()}
    est = ratio_estimate(rows["village_type"].to_numpy() if len(rows) else np.zeros(0),
                         rows["village_key"].to_numpy() if len(rows) else np.zeros(0),
                         rows["w"].to_numpy() if len(rows) else np.zeros(0), y, x,
                         stratum_psus=stratum_psus, lonely=lonely)
    bounds = proportion_bounds(est.r, est.variance, est.n, est.df, level=level, method=method)
    return _verdict(key, label, label_en, est, bounds, threshold, param, level)


def _verdict(key: str, label: str, label_en: str, est: RatioEstimate, bounds: Bounds,
             threshold: float | None, param: str, level: float) -> Measure:
    pct_level = f"{100 * level:g}%"
    reason = reason_en = ""
    if est.x_total <= 0 or est.n <= 0:
        reason, reason_en = ("样本中没有可用于该指标的核查户",
                             "no visited household in the sample counts for it")
    elif est.df <= 0:
        reason, reason_en = ("自由度 ≤ 0（村数不多于层数）",
                             "df ≤ 0 (no more villages than strata)")
    elif threshold is None:
        reason, reason_en = (f"参数 {param} 没有适用的取值", f"parameter {param} has no value")
    if reason:
        return Measure(key, label, label_en, est, bounds, threshold, param, NOT_EVALUABLE,
                       f"{label} {_pct(est.r)}：无法判定（{reason}）",
                       f"{label_en} {_pct(est.r)}: not evaluable ({reason_en})", reason)
    assert threshold is not None
    if key == "approval":
        bound, ok = bounds.lower, bounds.lower > threshold
        failed = est.r <= threshold
        zh_b, en_b, rel_ok, rel_no = "下限", "lower bound", ">", "≤"
    else:
        bound, ok = bounds.upper, bounds.upper < threshold
        failed = est.r >= threshold
        zh_b, en_b, rel_ok, rel_no = "上限", "upper bound", "<", "≥"
    verdict = PASS if ok else FAIL if failed else UNPROVEN
    rel = rel_ok if ok else rel_no
    zh = (f"{label} {_pct(est.r)}，{pct_level} {zh_b} {_pct(bound)} {rel} {_limit(threshold)}："
          f"{VERDICT_LABELS[verdict][0]}")
    en = (f"{label_en} {_pct(est.r)}, {pct_level} {en_b} {_pct(bound)} {rel} "
          f"{_limit(threshold)}: {VERDICT_LABELS[verdict][1]}")
    return Measure(key, label, label_en, est, bounds, threshold, param, verdict, zh, en)


@dataclass(frozen=True)
class Composite:
    value: float
    se: float
    upper: float
    threshold: float | None
    verdict: str
    sentence: str
    sentence_en: str


def composite_incidence(book: DrawBook, wrong: Measure, missed: Measure, rural: float,
                        threshold: float | None, level: float) -> Composite | None:
    """综合贫困发生率 = (未脱贫 + 漏评率 × 非建档立卡人口 + 错退率 × 已脱贫人口) / 乡村人口.

    Standard error from (N_out² v(漏评率) + N_exit² v(错退率)) / N_rural² (the covariance of the
    two rates left out; docs/policy.md §9.1.3 item 6). The upper bound puts each rate at its own
    one-sided upper bound — conservative, and unlike value + t·se it stays informative when
    both rates are 0 (their variance is then 0).
    """
    t = book.totals
    remaining = t.get("未脱贫人数")
    exited = t.get("已脱贫人数")
    registered = t.get("建档立卡人数")
    if remaining is None or exited is None or registered is None or rural <= 0:
        return None
    outside = max(rural - registered, 0.0)
    e, m = wrong.estimate.r, missed.estimate.r
    value = (remaining + outside * m + exited * e) / rural
    var = (outside ** 2 * missed.estimate.variance + exited ** 2 * wrong.estimate.variance
           ) / rural ** 2
    upper = (remaining + outside * missed.bounds.upper + exited * wrong.bounds.upper) / rural
    if math.isnan(value) or math.isnan(upper) or threshold is None:
        zh = f"综合贫困发生率 {_pct(value)}：无法判定（需错退率、漏评率与阈值）"
        en = f"comprehensive incidence {_pct(value)}: not evaluable"
        return Composite(value, math.sqrt(var) if var >= 0 else math.nan, math.nan, threshold,
                         NOT_EVALUABLE, zh, en)
    verdict = PASS if upper < threshold else FAIL if value >= threshold else UNPROVEN
    rel = "<" if verdict == PASS else "≥"
    zh = (f"综合贫困发生率 {_pct(value)}，{100 * level:g}% 上限 {_pct(upper)} {rel} "
          f"{_limit(threshold)}：{VERDICT_LABELS[verdict][0]}")
    en = (f"comprehensive incidence {_pct(value)}, {100 * level:g}% upper bound {_pct(upper)} "
          f"{rel} {_limit(threshold)}: {VERDICT_LABELS[verdict][1]}")
    return Composite(value, math.sqrt(var), upper, threshold, verdict, zh, en)
