"""Two-stage stratified selection by permanent random numbers (docs/policy.md §9.2).

Stage 1: villages within village-type strata. ``villages`` in total are allocated to the strata
proportionally to their number of villages (largest-remainder / Hamilton rounding, at least one
per stratum when the total allows, never more than the stratum has) or equally; within a
stratum the villages with the smallest u are taken.

Stage 2: households within each sampled village by household type: a rate (``ceil(rate × N)``,
proportional allocation) or a fixed number per type; a cap per village (200 by default) scales
the village's numbers down proportionally (Hamilton rounding, at least one per type that had
any); within (village, type) the households with the smallest u are taken, the next ``reserves``
are the ordered 备选户.

Inclusion probabilities are those of simple random sampling without replacement at each stage
(taking the n smallest of i.i.d. uniform numbers is SRSWOR): π₁ = n_h / N_h,
π₂ = n_vt / N_vt, π = π₁ π₂, weight = 1 / π.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from exitcheck.assess.frame import HH_EXITED, HH_MONITORED, HH_ORDINARY, HH_OTHER, HH_POOR, Frame
from exitcheck.errors import UsageError

DEFAULT_RATES: dict[str, float] = {
    # Provincial practice (docs/policy.md §7, §9.1.2): every exited and poor household of a sampled
    # village, monitored households likewise, 20 % of ordinary households, ≤ 200 per village.
    HH_EXITED: 1.0, HH_POOR: 1.0, HH_MONITORED: 1.0, HH_ORDINARY: 0.2, HH_OTHER: 0.0,
}
DEFAULT_CAP = 200
DEFAULT_RESERVES = 3
DEFAULT_VILLAGES = 29  # national checks, 2018: ≈ 29 villages per county (docs/policy.md §9.1.2)


@dataclass
class DrawSpec:
    seed: int
    year: int
    villages: int = DEFAULT_VILLAGES
    village_allocation: str = "proportional"  # | "equal"
    rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    fixed: dict[str, int] = field(default_factory=dict)  # household type -> n per village
    cap: int = DEFAULT_CAP
    reserves: int = DEFAULT_RESERVES


@dataclass
class Draw:
    spec: DrawSpec
    frame: Frame
    # index village_key: county, township, village, village_type, households, persons, u,
    # stratum_villages (N_h), stratum_sampled (n_h), sampled (bool), rank, p_village
    villages: pd.DataFrame
    # one row per (sampled village, household type): N, n, reserves, p_household
    cells: pd.DataFrame
    # sampled households: frame columns + cell_n, cell_N, rank, p_village, p_household, p, weight
    sample: pd.DataFrame
    # reserve households: frame columns + reserve_order (1..k within the cell)
    reserves: pd.DataFrame
    # one row per village stratum: N_h, n_h, allocation; and per household stratum
    # (village type × household type): frame households, sampled, weight sum
    strata: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def hamilton(total: int, sizes: dict[str, float], caps: dict[str, int] | None = None,
             minimum: int = 0) -> dict[str, int]:
    """Allocate ``total`` units proportionally to ``sizes`` with largest-remainder rounding,
    each key at least ``minimum`` (when the total allows) and at most its cap."""
    keys = [k for k in sizes if sizes[k] > 0]
    caps = caps or {}
    cap = {k: caps.get(k, total) for k in keys}
    out = {k: 0 for k in sizes}
    remaining = min(total, sum(cap.values()))
    if not keys or remaining <= 0:
        return out
    if minimum and remaining >= minimum * len(keys):
        for k in keys:
            out[k] = min(minimum, cap[k])
        remaining -= sum(out[k] for k in keys)
    while remaining > 0:
        open_keys = [k for k in keys if out[k] < cap[k]]
        if not open_keys:
            break
        weight = sum(sizes[k] for k in open_keys)
        quotas = {k: remaining * sizes[k] / weight for k in open_keys}
        floors = {k: min(math.floor(q), cap[k] - out[k]) for k, q in quotas.items()}
        given = sum(floors.values())
        for k, f in floors.items():
            out[k] += f
        remaining -= given
        if remaining <= 0:
            break
        # largest remainders first; ties by key so that the result is deterministic
        order = sorted(open_keys, key=lambda k: (-(quotas[k] - math.floor(quotas[k])), k))
        for k in order:
            if remaining <= 0:
                break
            if out[k] < cap[k]:
                out[k] += 1
                remaining -= 1
    return out


def _cell_sizes(counts: dict[str, int], spec: DrawSpec) -> dict[str, int]:
    """Households to take per type in one village, before and after the cap."""
    want: dict[str, int] = {}
    for t, n_frame in counts.items():
        if t in spec.fixed:
            want[t] = min(spec.fixed[t], n_frame)
        else:
            rate = spec.rates.get(t, 0.0)
            want[t] = min(n_frame, math.ceil(rate * n_frame - 1e-9)) if rate > 0 else 0
    if sum(want.values()) > spec.cap:
        want = hamilton(spec.cap, {t: float(n) for t, n in want.items()}, caps=want, minimum=1)
    return want


def draw_sample(frame: Frame, spec: DrawSpec) -> Draw:
    """Select villages, then households; compute probabilities, weights and the strata table."""
    if spec.villages < 1:
        raise UsageError("--villages 至少为 1", message_en="--villages must be at least 1")
    if spec.cap < 1:
        raise UsageError("--cap 至少为 1", message_en="--cap must be at least 1")
    v = frame.villages.copy()
    v = v.assign(_key=v.index).sort_values(["u", "_key"])
    strata_n: dict[str, int] = {str(k): int(n) for k, n in
                                v.groupby("village_type").size().items()}
    if spec.village_allocation == "equal":
        sizes = {k: 1.0 for k in strata_n}
    elif spec.village_allocation == "proportional":
        sizes = {k: float(n) for k, n in strata_n.items()}
    else:
        raise UsageError(f"未知的村分配方法 {spec.village_allocation}（proportional 或 equal）",
                         message_en=f"unknown village allocation {spec.village_allocation} "
                                    "(proportional or equal)")
    alloc = hamilton(spec.villages, sizes, caps={k: int(n) for k, n in strata_n.items()},
                     minimum=1)
    v["rank"] = v.groupby("village_type").cumcount() + 1
    v["stratum_villages"] = v["village_type"].map(strata_n).astype("int64")
    v["stratum_sampled"] = v["village_type"].map(alloc).astype("int64")
    v["sampled"] = v["rank"] <= v["stratum_sampled"]
    v["p_village"] = v["stratum_sampled"] / v["stratum_villages"]
    v = v.drop(columns="_key")

    hh = frame.households
    sampled_keys = v.index[v["sampled"]]
    take = hh[hh["village_key"].isin(sampled_keys)]
    take = take.sort_values(["village_key", "hh_type", "u", "household_id"])
    sample_parts: list[pd.DataFrame] = []
    reserve_parts: list[pd.DataFrame] = []
    cells: list[dict[str, object]] = []
    # villages in draw order (stratum, then rank), so that the sample lists read as drawn
    village_order = v[v["sampled"]].sort_values(["village_type", "rank"]).index
    for key in village_order:
        in_village = take[take["village_key"] == key]
        counts = {str(t): int(n) for t, n in in_village.groupby("hh_type").size().items()}
        n_take = _cell_sizes(counts, spec)
        p_village = float(v.at[key, "p_village"])
        for t in sorted(counts, key=_type_order):
            group = in_village[in_village["hh_type"] == t].sort_values(["u", "household_id"])
            n, n_frame = n_take.get(t, 0), counts[t]
            chosen = group.iloc[:n].copy()
            spare = group.iloc[n:n + spec.reserves].copy() if n > 0 else group.iloc[:0].copy()
            p_household = n / n_frame if n_frame else 0.0
            cells.append({"village_key": key, "village_type": v.at[key, "village_type"],
                          "hh_type": t, "N": n_frame, "n": n, "reserves": len(spare),
                          "p_village": p_village, "p_household": p_household})
            for part, parts in ((chosen, sample_parts), (spare, reserve_parts)):
                part["cell_N"] = n_frame
                part["cell_n"] = n
                part["village_N"] = int(v.at[key, "stratum_villages"])
                part["village_n"] = int(v.at[key, "stratum_sampled"])
                part["p_village"] = p_village
                part["p_household"] = p_household
                part["p"] = p_village * p_household
                part["weight"] = 1.0 / part["p"] if n else math.nan
                parts.append(part)
            if len(spare):
                reserve_parts[-1]["reserve_order"] = range(1, len(spare) + 1)
    columns = [*hh.columns, "cell_N", "cell_n", "village_N", "village_n", "p_village",
               "p_household", "p", "weight"]
    sample = (pd.concat(sample_parts, ignore_index=True) if sample_parts
              else pd.DataFrame(columns=columns))
    reserves = (pd.concat(reserve_parts, ignore_index=True) if reserve_parts
                else pd.DataFrame(columns=[*columns, "reserve_order"]))
    sample.insert(0, "seq", range(1, len(sample) + 1))
    cell_frame = pd.DataFrame(cells)
    strata = _strata_table(frame, v, sample)
    notes = list(frame.notes)
    if int(v["sampled"].sum()) < spec.villages:
        notes.append(f"抽样框只有 {len(v)} 个村，少于 --villages {spec.villages}：全部入样")
    capped = [c for c in cells if int(str(c["n"])) < math.ceil(
        spec.rates.get(str(c["hh_type"]), 0) * int(str(c["N"])) - 1e-9)
        and str(c["hh_type"]) not in spec.fixed]
    if capped:
        notes.append(f"{len({c['village_key'] for c in capped})} 个村超过每村上限 {spec.cap} 户，"
                     "已按比例压缩")
    return Draw(spec, frame, v, cell_frame, sample, reserves, strata, notes)


def _type_order(t: str) -> int:
    order = [HH_EXITED, HH_POOR, HH_MONITORED, HH_ORDINARY, HH_OTHER]
    return order.index(t) if t in order else len(order)


def _strata_table(frame: Frame, villages: pd.DataFrame, sample: pd.DataFrame) -> pd.DataFrame:
    """Per village stratum × household type: frame households N, sampled n, Σ weights (an
    unbiased estimate of N; equal to N when every village of the stratum is taken)."""
    hh = frame.households
    base = hh.groupby(["village_type", "hh_type"]).size().rename("N").reset_index()
    if len(sample):
        got = sample.groupby(["village_type", "hh_type"]).agg(
            n=("household_id", "size"), weight_sum=("weight", "sum")).reset_index()
    else:
        got = pd.DataFrame(columns=["village_type", "hh_type", "n", "weight_sum"])
    out = base.merge(got, on=["village_type", "hh_type"], how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["weight_sum"] = out["weight_sum"].astype("float64").fillna(0.0)
    vs = villages.groupby("village_type").agg(villages_N=("stratum_villages", "first"),
                                              villages_n=("stratum_sampled", "first"))
    out = out.merge(vs, left_on="village_type", right_index=True, how="left")
    out["type_order"] = out["hh_type"].map(_type_order)
    return out.sort_values(["village_type", "type_order"]).drop(columns="type_order")
