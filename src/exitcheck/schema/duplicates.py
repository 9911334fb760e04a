"""Cross-household checks the expression language cannot state: one ID in several households."""

from __future__ import annotations

import pandas as pd

from exitcheck.schema.ids import id_core, is_placeholder
from exitcheck.schema.model import ISSUE_COLUMNS

DUPLICATE_ID_ACROSS_HOUSEHOLDS = "duplicate_id_across_households"


def duplicate_id_issues(
    members: pd.DataFrame, parsed: tuple[pd.Series, pd.Series] | None = None
) -> pd.DataFrame:
    """One issue per member whose ID number also appears in another household (docs/policy.md §6).

    IDs are compared on their 18-character core (registry suffixes dropped); blanks and
    placeholders (999999…) are left to their own rules. ``detail`` lists every household holding
    the ID, so each side of a duplicate names the other. ``parsed`` is (id_core, placeholder flag)
    of members' IDs when the caller already has them (schema.ids.facts_and_core).
    """
    if "id_number" not in members.columns or members.empty:
        return pd.DataFrame({c: [] for c in ISSUE_COLUMNS})
    def cleaned(ids: pd.Series) -> pd.Series:
        return ids.astype("string").str.strip().str.upper()

    if parsed is not None and all(p.index.equals(members.index) for p in parsed):
        core, placeholder = parsed
    else:
        ids = cleaned(members["id_number"])
        core, placeholder = id_core(ids), is_placeholder(ids)
    usable = core.notna() & (core != "") & ~placeholder.fillna(False).astype(bool)
    # Only an ID found on several rows can be in several households: group just those rows.
    usable &= core.duplicated(keep=False)
    frame = pd.DataFrame({
        "core": core[usable],
        "household_id": members.loc[usable, "household_id"].astype("string"),
    })
    n_households = frame.groupby("core")["household_id"].transform("nunique")
    dup = frame[n_households > 1]
    if dup.empty:
        return pd.DataFrame({c: [] for c in ISSUE_COLUMNS})
    # Few groups (only the duplicated IDs): a join per group is fine here.
    holders = dup.groupby("core")["household_id"].agg(lambda s: "、".join(sorted(set(s))))
    rows = members.loc[dup.index]
    return pd.DataFrame({
        "kind": DUPLICATE_ID_ACROSS_HOUSEHOLDS,
        "field": "id_number",
        "household_id": rows["household_id"].astype("string"),
        "member_id": rows["member_id"].astype("string"),
        "_input": rows["_input"],
        "_row": rows["_row"],
        "value": cleaned(members["id_number"].loc[dup.index]),
        "detail": dup["core"].map(holders),
    }).reset_index(drop=True)
