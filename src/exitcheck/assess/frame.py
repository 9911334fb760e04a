"""The sampling frame: one row per household with its village, village type, household type,
persons and permanent random number.

Village type (the first-stage stratum) only where the data say so: the village table's 是否贫困村
(``village_poor``) gives 贫困村 / 非贫困村; a village whose name says it is a relocation site
(安置点, 安置区, 安置小区, 搬迁安置) is 易地搬迁安置点. Without either, all villages are one stratum
(未分层). Household type (the second-stage stratum) comes from the shared populations
(rules/populations.yaml): 未脱贫户 (poor), 监测户 (monitored), 已脱贫户 (exited), 一般农户
(ordinary), in that order of precedence; anything else is 其他.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from exitcheck.assess.exit_rates import household_persons, population_flags
from exitcheck.assess.prn import VILLAGE_PREFIX, prn, village_key
from exitcheck.engine.result import AuditResult

POOR_VILLAGE, OTHER_VILLAGE, RELOCATION_SITE, UNSTRATIFIED = (
    "贫困村", "非贫困村", "易地搬迁安置点", "未分层")
RELOCATION_WORDS = ("安置点", "安置区", "安置小区", "搬迁安置")

HH_POOR, HH_MONITORED, HH_EXITED, HH_ORDINARY, HH_OTHER = (
    "未脱贫户", "监测户", "已脱贫户", "一般农户", "其他")
HH_TYPES: tuple[str, ...] = (HH_EXITED, HH_POOR, HH_MONITORED, HH_ORDINARY, HH_OTHER)
# --rate/--fixed keys: English names and the Chinese labels are both accepted.
HH_TYPE_KEYS: dict[str, str] = {
    "exited": HH_EXITED, "poor": HH_POOR, "monitored": HH_MONITORED, "ordinary": HH_ORDINARY,
    "other": HH_OTHER, **{t: t for t in HH_TYPES},
    "脱贫户": HH_EXITED, "贫困户": HH_POOR,
}


@dataclass
class Frame:
    """Households (index household_id) with columns county, township, village, village_key,
    village_type, hh_type, persons, exited_persons, nonregistered_persons, u; and the villages
    (index village_key) with village_type and u."""

    households: pd.DataFrame
    villages: pd.DataFrame
    seed: int
    year: int
    sha256: str
    notes: list[str] = field(default_factory=list)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    return frame[name].astype("string").fillna("").str.strip().astype("object")


def _village_types(result: AuditResult, keys: pd.Series, names: pd.Series) -> pd.Series:
    vt = result.registry.villages
    poor: dict[str, bool] = {}
    if "village_poor" in vt.columns:
        for c, t, v, p in zip(_text(vt, "county"), _text(vt, "township"), _text(vt, "village"),
                              vt["village_poor"], strict=True):
            if not pd.isna(p):
                poor[village_key(c, t, v)] = bool(p)
    out = []
    for key, name in zip(keys, names, strict=True):
        if any(w in name for w in RELOCATION_WORDS):
            out.append(RELOCATION_SITE)
        elif key in poor:
            out.append(POOR_VILLAGE if poor[key] else OTHER_VILLAGE)
        else:
            out.append(UNSTRATIFIED)
    # Some villages typed and some not: the untyped ones form their own stratum (未分层).
    return pd.Series(out, index=keys.index, dtype="object")


def build_frame(result: AuditResult, *, seed: int, year: int) -> Frame:
    """The frame of households and villages with their strata and PRNs."""
    h = result.registry.households
    flags = population_flags(result)
    persons = household_persons(result)
    county, township, village = _text(h, "county"), _text(h, "township"), _text(h, "village")
    keys = pd.Series([village_key(c, t, v) for c, t, v in zip(county, township, village,
                                                               strict=True)],
                     index=h.index, dtype="object")
    hh_type = pd.Series(HH_OTHER, index=h.index, dtype="object")
    hh_type[flags["ordinary"].to_numpy()] = HH_ORDINARY
    hh_type[flags["exited"].to_numpy()] = HH_EXITED
    hh_type[flags["monitored"].to_numpy()] = HH_MONITORED
    hh_type[flags["poor"].to_numpy()] = HH_POOR
    registered = flags["exited"] | flags["poor"]
    ids = h.index.astype("string").astype("object")
    households = pd.DataFrame({
        "household_id": ids,
        "county": county.to_numpy(), "township": township.to_numpy(),
        "village": village.to_numpy(), "village_key": keys.to_numpy(),
        "village_type": _village_types(result, keys, village).to_numpy(),
        "hh_type": hh_type.to_numpy(),
        "persons": persons.to_numpy(),
        "exited_persons": (persons * flags["exited"]).to_numpy(),
        "nonregistered_persons": (persons * ~registered).to_numpy(),
        "u": [prn(seed, year, str(i)) for i in ids],
    })
    households.index = pd.Index(households["household_id"].to_numpy(), name=None)
    villages = (households.groupby("village_key", sort=True)
                .agg(county=("county", "first"), township=("township", "first"),
                     village=("village", "first"), village_type=("village_type", "first"),
                     households=("household_id", "size"), persons=("persons", "sum")))
    villages["u"] = [prn(seed, year, VILLAGE_PREFIX + k) for k in villages.index]
    notes: list[str] = []
    if (villages["village_type"] == UNSTRATIFIED).all():
        notes.append("数据未标明村类型（贫困村/非贫困村/安置点）：所有村为一个抽样层")
    lines = "".join(
        f"{r.household_id}\t{r.village_key}\t{r.village_type}\t{r.hh_type}\t{r.persons}\n"
        for r in households.sort_values("household_id").itertuples(index=False))
    digest = hashlib.sha256(lines.encode("utf-8")).hexdigest()
    return Frame(households, villages, seed, year, digest, notes)
