"""Household skeletons: size, family structure, head age and place, drawn column-at-a-time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from exitcheck.sample.vocab import RELATIONS, TOWNSHIP_STEMS, VILLAGE_STEMS

# Household size 1-8 (registry households skew to 2-5 members; old people living alone are common).
SIZE_WEIGHTS = np.array([0.11, 0.19, 0.20, 0.21, 0.14, 0.09, 0.04, 0.02])

# (relations in member order, head age low, head age high, weight among same-size templates).
# Head age ranges make the generations fit (grandparents old enough to have grandchildren).
TEMPLATES: tuple[tuple[tuple[str, ...], int, int, float], ...] = (
    (("户主",), 48, 86, 1.0),
    (("户主", "配偶"), 50, 82, 0.60),
    (("户主", "之子"), 48, 80, 0.25),
    (("户主", "之女"), 30, 52, 0.15),
    (("户主", "配偶", "之子"), 30, 62, 0.45),
    (("户主", "配偶", "之女"), 30, 62, 0.35),
    (("户主", "之子", "之孙子"), 60, 82, 0.10),
    (("户主", "配偶", "之父母"), 35, 55, 0.10),
    (("户主", "配偶", "之子", "之女"), 30, 55, 0.45),
    (("户主", "配偶", "之子", "之子"), 30, 55, 0.20),
    (("户主", "配偶", "之女", "之女"), 30, 55, 0.15),
    (("户主", "配偶", "之子", "之父母"), 30, 50, 0.20),
    (("户主", "配偶", "之子", "之儿媳", "之孙子"), 55, 76, 0.40),
    (("户主", "配偶", "之子", "之女", "之父母"), 30, 50, 0.30),
    (("户主", "配偶", "之女", "之女婿", "之孙女"), 55, 76, 0.10),
    (("户主", "配偶", "之子", "之女", "之女"), 32, 52, 0.20),
    (("户主", "配偶", "之子", "之儿媳", "之孙子", "之孙女"), 55, 78, 0.60),
    (("户主", "配偶", "之子", "之女", "之父母", "之父母"), 32, 50, 0.40),
    (("户主", "配偶", "之子", "之儿媳", "之孙子", "之孙女", "之孙子"), 58, 78, 0.60),
    (("户主", "配偶", "之子", "之儿媳", "之女", "之孙子", "之孙女"), 55, 76, 0.40),
    (("户主", "配偶", "之子", "之儿媳", "之子", "之儿媳", "之孙子", "之孙女"), 60, 80, 1.0),
)
MAX_SIZE = 8
TEMPLATE_SIZE = np.array([len(t[0]) for t in TEMPLATES])
TEMPLATE_HEAD_LO = np.array([t[1] for t in TEMPLATES])
TEMPLATE_HEAD_HI = np.array([t[2] for t in TEMPLATES])
# (n_templates, 8) matrix of relation codes (index into RELATIONS), -1 = no member.
TEMPLATE_RELATIONS = np.full((len(TEMPLATES), MAX_SIZE), -1, dtype=np.int64)
for _i, (_rels, *_rest) in enumerate(TEMPLATES):
    TEMPLATE_RELATIONS[_i, : len(_rels)] = [RELATIONS.index(r) for r in _rels]


def draw_structure(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Per household: size, template, head age (as of 31 Dec of the year)."""
    size = rng.choice(np.arange(1, MAX_SIZE + 1), size=n, p=SIZE_WEIGHTS)
    template = np.zeros(n, dtype=np.int64)
    for s in range(1, MAX_SIZE + 1):  # one pass per size, not per household
        ids = np.flatnonzero(TEMPLATE_SIZE == s)
        weights = np.array([TEMPLATES[i][3] for i in ids])
        mask = size == s
        template[mask] = rng.choice(ids, size=int(mask.sum()), p=weights / weights.sum())
    lo, hi = TEMPLATE_HEAD_LO[template], TEMPLATE_HEAD_HI[template]
    head_age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    return pd.DataFrame({"size": size, "template": template, "head_age": head_age})


def draw_places(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Village index per household (sorted) and each village's (township, village) name."""
    n_townships = int(np.clip(round(np.sqrt(n) / 6), 3, len(TOWNSHIP_STEMS)))
    stems = rng.permutation(len(TOWNSHIP_STEMS))[:n_townships]
    villages: list[tuple[str, str]] = []
    for t, stem in enumerate(stems):  # one pass per township
        suffix = "乡" if t % 4 == 3 else "镇"
        k = int(rng.integers(5, 11))
        for v in rng.permutation(len(VILLAGE_STEMS))[:k]:
            villages.append((TOWNSHIP_STEMS[stem] + suffix, VILLAGE_STEMS[v] + "村"))
    weights = rng.uniform(0.5, 1.5, len(villages))
    village = np.sort(rng.choice(len(villages), size=n, p=weights / weights.sum()))
    return village, villages


def household_ids(county_code: str, village: np.ndarray, villages: list[tuple[str, str]]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """户编号 = county (6) + township (3) + village (3) + sequence in village (4)."""
    townships = {}
    for town, _ in villages:
        townships.setdefault(town, len(townships))
    town_of_village = np.array([townships[t] for t, _ in villages])
    village_in_town = np.zeros(len(villages), dtype=np.int64)
    seen: dict[int, int] = {}
    for i, t in enumerate(town_of_village):
        village_in_town[i] = seen.get(int(t), 0)
        seen[int(t)] = village_in_town[i] + 1
    # households are sorted by village: position in village = rank inside the run
    starts = np.searchsorted(village, village, side="left")
    seq = np.arange(len(village)) - starts + 1
    code = ((int(county_code) * 1000 + 101 + town_of_village[village]) * 1000
            + 201 + village_in_town[village]) * 10000 + seq
    town_names = np.array([t for t, _ in villages])[village]
    village_names = np.array([v for _, v in villages])[village]
    return code.astype("U16"), town_names, village_names
