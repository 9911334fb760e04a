"""An independent reference for the estimate tests: plain loops and numerical integration.

Nothing here imports exitcheck. The ratio estimator and its Taylor variance are written as
the textbook sums (Lohr, *Sampling: Design and Analysis*, 2nd ed., §9.1 and §6.8 for the
with-replacement PSU variance; R ``survey::svyratio``); the Beta and Student-t distribution
functions are integrated with composite Simpson's rule on their densities (instead of the
continued fraction that exitcheck uses), and quantiles are found by bisection. The
Korn–Graubard steps follow docs/policy.md §9.1.3 item 4 (R ``svyciprop(method = "beta")`` with the
NCHS truncation at n and the nominal n at p = 0).

Run as a script to print the reference values for a design file (JSON list of rows with
stratum, psu, w, y, x): ``python tests/assess/reference_calc.py design.json``.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence


def simpson(f: Callable[[float], float], a: float, b: float, n: int = 20000) -> float:
    if b <= a:
        return 0.0
    n += n % 2
    h = (b - a) / n
    total = f(a) + f(b)
    for i in range(1, n):
        total += (4 if i % 2 else 2) * f(a + i * h)
    return total * h / 3


def beta_cdf(q: float, a: float, b: float) -> float:
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)

    def density(t: float) -> float:
        if t <= 0.0 or t >= 1.0:
            return 0.0 if (t <= 0.0 and a > 1) or (t >= 1.0 and b > 1) else (
                math.exp(log_norm) if (t <= 0.0 and a == 1) or (t >= 1.0 and b == 1) else 0.0)
        return math.exp(log_norm + (a - 1) * math.log(t) + (b - 1) * math.log1p(-t))

    return simpson(density, 0.0, q)


def quantile(cdf: Callable[[float], float], p: float, lo: float, hi: float) -> float:
    for _ in range(60):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def beta_ppf(p: float, a: float, b: float) -> float:
    return quantile(lambda q: beta_cdf(q, a, b), p, 0.0, 1.0)


def t_cdf(t: float, df: float) -> float:
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return 0.5 + simpson(lambda s: c * (1 + s * s / df) ** (-(df + 1) / 2), 0.0, t, 4000)


def t_ppf(p: float, df: float) -> float:
    return quantile(lambda t: t_cdf(t, df), p, 0.0, 200.0)


def binom_cdf(k: int, n: int, p: float) -> float:
    """Exact P(X <= k), X ~ Binomial(n, p) (for the exact Clopper–Pearson references)."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def cp_upper_exact(k: int, n: int, level: float) -> float:
    """Clopper–Pearson upper bound from its definition: P(X <= k | p) = 1 - level."""
    if k >= n:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if binom_cdf(k, n, mid) > 1 - level:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def ratio_design(rows: Sequence[dict[str, float | str]]) -> dict[str, float]:
    """Weighted ratio, Taylor variance (with replacement), df, deff, from plain sums."""
    y_hat = sum(float(r["w"]) * float(r["y"]) for r in rows)
    x_hat = sum(float(r["w"]) * float(r["x"]) for r in rows)
    n = sum(float(r["x"]) for r in rows)
    r_hat = y_hat / x_hat
    psu_tot: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        psu_tot[(str(r["stratum"]), str(r["psu"]))] += (
            float(r["w"]) * (float(r["y"]) - r_hat * float(r["x"])) / x_hat)
    by_stratum: dict[str, list[float]] = defaultdict(list)
    for (h, _), z in psu_tot.items():
        by_stratum[h].append(z)
    var = 0.0
    for zs in by_stratum.values():
        mean = sum(zs) / len(zs)
        var += len(zs) / (len(zs) - 1) * sum((z - mean) ** 2 for z in zs)
    df = len(psu_tot) - len(by_stratum)
    deff = var / (r_hat * (1 - r_hat) / n) if 0 < r_hat < 1 else float("nan")
    return {"r": r_hat, "variance": var, "n": n, "df": df, "deff": deff}


def korn_graubard(r: float, var: float, n: float, df: int, level: float = 0.95
                  ) -> dict[str, float]:
    n_eff = min(r * (1 - r) / var, n) if 0 < r < 1 and var > 0 else n
    n_star = min(n_eff * (t_ppf(level, n - 1) / t_ppf(level, df)) ** 2, n)
    x = r * n_star
    upper = 1.0 if x >= n_star else beta_ppf(level, x + 1, n_star - x)
    lower = 0.0 if x <= 0 else beta_ppf(1 - level, x, n_star - x + 1)
    return {"n_eff": n_eff, "n_eff_df": n_star, "lower": lower, "upper": upper}


if __name__ == "__main__":
    design = json.loads(open(sys.argv[1], encoding="utf-8").read())
    est = ratio_design(design)
    print(json.dumps({**est, **korn_graubard(est["r"], est["variance"], est["n"],
                                              int(est["df"]))}, indent=1))
