"""A second year derived from a synthetic county, with planted year-over-year changes and their
truth (the test data of `exitcheck diff`, issue 10 part 4).

Every kind `exitcheck diff` reports is planted ``per_kind`` times in households without planted
defects: households added and removed, members added and removed, IDs that moved households,
status changes (national: 已脱贫 → 返贫, 未脱贫 → 已脱贫 with and without an income change;
monitoring: 风险未消除 → 已消除 with and without an income change, 脱贫户 → 监测户), income drops
of 50 %. Every other household's incomes grow by 0-8 %. Controls that must NOT be reported: IDs
written in the old 15-digit form and with a lower-case x in the new year.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from exitcheck.sample.layout import MONEY_FIELDS
from exitcheck.sample.truth import GroundTruth

# Member-level columns (the rest are household fields repeated on each member row).
MEMBER_FIELDS = frozenset({
    "member_id", "name", "sex_stated", "id_number", "id_type", "relation", "ethnicity",
    "education_level", "school_status", "out_of_school_reason", "health", "labour_skill",
    "residents_medical", "employee_medical", "critical_illness", "dibao_member",
    "birth_date_stated",
})
DROP_FACTOR = 0.5  # planted income drops: half of last year's income
RAISE_FACTOR = 1.25  # planted exits with an income change
# Overrides whose value is recomputed from the frame: not carried into the new year.
INCOME_OVERRIDES = ("per_capita_net_income", "wage_income")


def _check(first17: pd.Series) -> pd.Series:
    from exitcheck.schema.ids import check_char

    return check_char(first17.reset_index(drop=True)).set_axis(first17.index)


def _new_ids(templates: pd.Series, taken: set[str], rng: np.random.Generator) -> pd.Series:
    """Valid IDs not in ``taken``: a template's area and birth date, a new sequence."""
    out = []
    for template in templates:  # a handful of planted persons, not a loop over households
        while True:
            first17 = f"{str(template)[:14]}{int(rng.integers(100, 1000)):03d}"
            candidate = first17 + str(_check(pd.Series([first17])).iloc[0])
            if candidate not in taken:
                taken.add(candidate)
                out.append(candidate)
                break
    return pd.Series(out, index=templates.index, dtype="object")


def _money(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in MONEY_FIELDS]


def derive_next_year(frame: pd.DataFrame, truth: GroundTruth, *, seed: int,
                     per_kind: int = 3) -> tuple[pd.DataFrame, GroundTruth, dict[str, Any]]:
    """The next year's member rows, a GroundTruth to write them with (read-back traps carried
    over by 人编号) and the planted changes: {kind: [...], "controls": {...}} with persons as
    18-digit IDs (the form exitcheck diff matches them in)."""
    rng = np.random.default_rng(seed)
    f = frame.reset_index(drop=True).copy()
    for col in _money(f):
        f[col] = pd.to_numeric(f[col], errors="coerce").astype("float64")
    year = truth.year + 1
    hh_ids = f["household_id"].astype(str)
    defect = set(truth.households) | set(truth.controls)
    heads = f[f["relation"] == "户主"].drop_duplicates("household_id")
    clean = heads[~heads["household_id"].isin(defect)]
    size = hh_ids.value_counts()
    order = clean["household_id"].to_numpy()[rng.permutation(len(clean))]
    pool = list(order)

    def take(n: int, cond: Any = None) -> list[str]:
        got = [h for h in pool if cond is None or bool(cond(h))][:n]
        for h in got:
            pool.remove(h)
        return got

    status = heads.set_index("household_id")
    style = truth.style
    changes: dict[str, Any] = {}
    multi = lambda h: size[h] >= 2  # noqa: E731
    if style == "monitoring":
        unresolved = lambda h: (status.at[h, "household_category"] == "监测户"  # noqa: E731
                                and status.at[h, "risk_eliminated"] != "是")
        to_elim_raise = take(per_kind, unresolved)
        to_elim_flat = take(per_kind, unresolved)
        to_monitored = take(per_kind, lambda h: status.at[h, "household_category"] == "脱贫户")
        exited_raise, exited_flat, relapse = to_elim_raise, to_elim_flat, []
    else:
        relapse = take(per_kind, lambda h: status.at[h, "poverty_status"] == "已脱贫")
        exited_raise = take(per_kind, lambda h: status.at[h, "poverty_status"] == "未脱贫")
        exited_flat = take(per_kind, lambda h: status.at[h, "poverty_status"] == "未脱贫")
        to_monitored = []
    drops = take(per_kind)
    removed = take(per_kind)
    templates = take(per_kind)
    grow_member = take(per_kind)
    shrink = take(per_kind, multi)
    movers_from = take(per_kind, multi)
    movers_to = take(per_kind)

    # Incomes: 0-8 % growth for all, then the planted drops, raises and flat exits.
    money = _money(f)
    per_hh = pd.Series(rng.uniform(1.0, 1.08, len(heads)), index=heads["household_id"].to_numpy())
    per_hh[exited_flat] = 1.0
    per_hh[drops] = DROP_FACTOR
    per_hh[exited_raise] = RAISE_FACTOR
    factor = hh_ids.map(per_hh).fillna(1.0).to_numpy()
    f[money] = (f[money].to_numpy() * factor[:, None]).round(2)
    changes["income_drop"] = sorted(drops)

    newly = f["household_id"].isin(exited_raise + exited_flat)
    if style == "monitoring":
        f.loc[newly, "risk_eliminated"] = "是"
        f.loc[newly, "risk_elimination_method"] = "帮扶消除"
        f.loc[newly, "risk_eliminated_month"] = f"{year}06"
        mon = f["household_id"].isin(to_monitored)
        f.loc[mon, "household_category"] = "监测户"
        f.loc[mon, "monitoring_category"] = "脱贫不稳定户"
        f.loc[mon, "risk_eliminated"] = "否"
        f.loc[mon, "monitoring_identified"] = f"{year}03"
        changes["status_change"] = sorted(
            [[h, "monitored_unresolved", "monitored_eliminated"] for h in exited_raise
             + exited_flat] + [[h, "exited", "monitored_unresolved"] for h in to_monitored])
    else:
        f.loc[newly, "poverty_status"] = "已脱贫"
        f.loc[newly, "exit_year"] = year
        f.loc[f["household_id"].isin(relapse), "poverty_status"] = "返贫"
        changes["status_change"] = sorted(
            [[h, "poor", "exited"] for h in exited_raise + exited_flat]
            + [[h, "exited", "poor"] for h in relapse])
    changes["exit_no_income_change"] = sorted(exited_flat)

    key_of = f["id_number"].astype(str)
    taken = set(key_of)
    # Members removed: one non-head member each.
    gone_rows = (f[f["household_id"].isin(shrink) & (f["relation"] != "户主")]
                 .drop_duplicates("household_id", keep="last"))
    changes["member_removed"] = sorted([h, i] for h, i in zip(
        gone_rows["household_id"], gone_rows["id_number"].astype(str), strict=True))
    # IDs that moved: a non-head member of A now in B (B's household fields, a B 人编号).
    movers = (f[f["household_id"].isin(movers_from) & (f["relation"] != "户主")]
              .drop_duplicates("household_id", keep="last").copy())
    dest = pd.Series(movers_to[: len(movers)], index=movers.index)
    moved_rows = _into(movers, dest, heads, "其他")
    changes["member_moved"] = sorted([i, a, b] for i, a, b in zip(
        movers["id_number"].astype(str), movers["household_id"], dest, strict=True))
    # Members added: a new person (new ID) in an existing household.
    joiners = f[f["household_id"].isin(grow_member) & (f["relation"] == "户主")].copy()
    joiners["id_number"] = _new_ids(joiners["id_number"], taken, rng)
    joiners["name"] = joiners["name"].astype(str).str[:1] + "新"
    joiners["relation"] = "其他"
    joiners["member_id"] = joiners["household_id"].astype(str) + "099"
    changes["member_added"] = sorted([h, i] for h, i in zip(
        joiners["household_id"], joiners["id_number"], strict=True))
    # Households added: copies of a template household with new 户编号, 人编号 and IDs.
    born = f[f["household_id"].isin(templates)].copy()
    new_hh = {h: f"{h[:12]}{9000 + k:04d}" for k, h in enumerate(templates)}
    born["household_id"] = born["household_id"].map(new_hh)
    born["id_number"] = _new_ids(born["id_number"], taken, rng)
    born["member_id"] = born["household_id"] + born.groupby("household_id").cumcount().add(
        1).astype(str).str.zfill(3)
    changes["household_added"] = sorted(new_hh.values())
    changes["household_removed"] = sorted(removed)

    drop = (f["household_id"].isin(removed) | f.index.isin(gone_rows.index)
            | f.index.isin(movers.index))
    out = pd.concat([f[~drop], joiners, moved_rows, born])
    out = out.sort_values(["household_id", "member_id"], kind="stable").reset_index(drop=True)

    # Controls: the same persons written as 15-digit IDs or with a lower-case x.
    untouched = out["household_id"].isin(pool).to_numpy()
    ids = out["id_number"].astype(str)
    with_x = ids.str.fullmatch(r"\d{17}X").to_numpy() & untouched
    x_rows = out.index[with_x][:per_kind]
    old18 = ids.str.fullmatch(r"\d{6}19\d{9}[\d]").to_numpy() & untouched
    old_form = ids[old18].iloc[::7].head(per_kind)
    out.loc[old_form.index, "id_number"] = old_form.str[:6] + old_form.str[8:17]
    out.loc[x_rows, "id_number"] = out.loc[x_rows, "id_number"].astype(str).str.lower()
    changes["controls"] = {
        "id_15_digits": sorted([h, i] for h, i in zip(
            out.loc[old_form.index, "household_id"], old_form, strict=True)),
        "id_lower_x": sorted([h, str(i).upper()] for h, i in zip(
            out.loc[x_rows, "household_id"], out.loc[x_rows, "id_number"], strict=True)),
    }
    return out, _carry_truth(truth, frame, out, year), changes


def _into(movers: pd.DataFrame, dest: pd.Series, heads: pd.DataFrame,
          relation: str) -> pd.DataFrame:
    """``movers`` as members of ``dest`` households: their fields, the destination's household
    fields, a 人编号 of the destination."""
    target = heads.set_index("household_id").loc[dest.to_numpy()]
    out = movers.copy()
    for col in out.columns:
        if col not in MEMBER_FIELDS and col in target.columns:
            out[col] = target[col].to_numpy()
    out["household_id"] = dest.to_numpy()
    out["member_id"] = dest.astype(str).to_numpy() + "098"
    out["relation"] = relation
    return out


def _carry_truth(truth: GroundTruth, old: pd.DataFrame, new: pd.DataFrame,
                 year: int) -> GroundTruth:
    """A GroundTruth for writing the new year: the old year's cell overrides (IDs stored as
    numbers, 'C级', '√') moved to the same person's new row; income spellings dropped."""
    old_members = old["member_id"].astype(str).reset_index(drop=True)
    new_pos = pd.Series(np.arange(len(new)), index=new["member_id"].astype(str).to_numpy())
    new_pos = new_pos[~new_pos.index.duplicated()]
    overrides: dict[str, dict[int, object]] = {}
    for col, cells in truth.overrides.items():
        if col in INCOME_OVERRIDES:
            continue
        moved = {}
        for row, value in cells.items():  # a few dozen cells at most
            member = old_members.iloc[row]
            if member in new_pos.index:
                moved[int(new_pos[member])] = value
        overrides[col] = moved
    return dataclasses.replace(truth, year=year, as_of=date(year, 12, 31), households={},
                               members={}, controls={}, risks={}, overrides=overrides)
