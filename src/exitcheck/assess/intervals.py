"""Beta, Student-t and normal quantiles, and one-sided bounds for a proportion.

Standard library only (math.lgamma, math.erfc): no scipy at run time. The regularized incomplete
beta function is evaluated by its continued fraction (modified Lentz; Press et al., *Numerical
Recipes*, 3rd ed., §6.4), quantiles by bisection to ~1e-15.

Bounds for a proportion (docs/policy.md §9.1, item 4):

- Clopper–Pearson (exact binomial, "beta" in R ``binom.test``): upper(x, n) is the Beta(x + 1,
  n − x) quantile, lower(x, n) the Beta(x, n − x + 1) quantile; x and n may be non-integer
  (effective sizes).
- Korn–Graubard (Korn & Graubard 1998, *Confidence intervals for proportions with small
  expected number of positive counts estimated from survey data*, Survey Methodology 24(2);
  R ``survey::svyciprop(method = "beta")``): Clopper–Pearson on the effective sample size
  n_eff = p(1 − p) / v(p), multiplied by (t_{n−1} / t_df)² for the design degrees of freedom,
  truncated at the nominal n, and the nominal n when p = 0 or 1 (no variance information).
- Wilson score bound on the same effective n, with a t quantile for df.

All bounds here are one-sided at ``level`` (0.95: a 95 % upper bound), the form the exit
decision takes ("upper bound below 2 %").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_EPS = 1e-15
_TINY = 1e-300


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 3e-16:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) for a, b > 0, 0 <= x <= 1."""
    if a <= 0 or b <= 0:
        raise ValueError(f"betainc needs a, b > 0 (got {a}, {b})")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _bisect(f: float, lo: float, hi: float, cdf: object) -> float:
    assert callable(cdf)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if cdf(mid) < f:
            lo = mid
        else:
            hi = mid
        if hi - lo <= _EPS * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def beta_ppf(q: float, a: float, b: float) -> float:
    """The q-quantile of Beta(a, b) (bisection on betainc)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile level must be in [0, 1] (got {q})")
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    return _bisect(q, 0.0, 1.0, lambda x: betainc(a, b, x))


def norm_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def t_cdf(t: float, df: float) -> float:
    """Student-t distribution function; df = inf gives the normal."""
    if math.isinf(df):
        return norm_cdf(t)
    if df <= 0:
        raise ValueError(f"t distribution needs df > 0 (got {df})")
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_ppf(q: float, df: float) -> float:
    """The q-quantile of Student's t with df degrees of freedom (df = inf: normal)."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile level must be in (0, 1) (got {q})")
    hi = 10.0
    while t_cdf(hi, df) < q:
        hi *= 4.0
    lo = -hi
    return _bisect(q, lo, hi, lambda t: t_cdf(t, df))


def norm_ppf(q: float) -> float:
    return t_ppf(q, math.inf)


def cp_upper(x: float, n: float, level: float = 0.95) -> float:
    """One-sided Clopper–Pearson upper bound for x successes in n trials (x, n may be real)."""
    if n <= 0:
        return math.nan
    if x >= n:
        return 1.0
    return beta_ppf(level, x + 1.0, n - x)


def cp_lower(x: float, n: float, level: float = 0.95) -> float:
    """One-sided Clopper–Pearson lower bound."""
    if n <= 0:
        return math.nan
    if x <= 0:
        return 0.0
    return beta_ppf(1.0 - level, x, n - x + 1.0)


def wilson_bounds(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score bounds (lower, upper) for proportion p on n trials with quantile z."""
    if n <= 0:
        return math.nan, math.nan
    z2 = z * z
    centre = p + z2 / (2.0 * n)
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    den = 1.0 + z2 / n
    return max(0.0, (centre - half) / den), min(1.0, (centre + half) / den)


METHODS = ("korn-graubard", "wilson")


@dataclass(frozen=True)
class Bounds:
    """One-sided bounds at ``level`` and the sizes they were computed on."""

    method: str
    level: float
    lower: float  # NaN when not computable (df <= 0, no observations)
    upper: float
    n: float  # nominal n (persons or households in the domain)
    n_eff: float  # effective n before the df adjustment (n when p = 0 or 1)
    n_eff_df: float  # effective n after the df adjustment and truncation at n


def proportion_bounds(p: float, variance: float, n: float, df: float, *, level: float = 0.95,
                      method: str = "korn-graubard") -> Bounds:
    """Design-based one-sided bounds for a proportion estimated as ``p`` with ``variance``.

    ``n`` is the nominal sample size in the domain, ``df`` the design degrees of freedom
    (PSUs − strata). df <= 0 or n <= 0: no bounds (NaN), the verdict is then not evaluable.
    """
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; use one of {METHODS}")
    nan = math.nan
    if n <= 0 or df <= 0 or math.isnan(p):
        return Bounds(method, level, nan, nan, n, nan, nan)
    if 0.0 < p < 1.0 and variance > 0:
        n_eff = min(p * (1.0 - p) / variance, n)
    else:
        n_eff = n
    adjust = (t_ppf(level, n - 1.0) / t_ppf(level, df)) ** 2 if n > 1 else 1.0
    n_eff_df = min(n_eff * adjust, n)
    if method == "korn-graubard":
        x = p * n_eff_df
        return Bounds(method, level, cp_lower(x, n_eff_df, level), cp_upper(x, n_eff_df, level),
                      n, n_eff, n_eff_df)
    lower, upper = wilson_bounds(p, n_eff, t_ppf(level, df))
    return Bounds(method, level, lower, upper, n, n_eff, n_eff)
