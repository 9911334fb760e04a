"""The tables beside the member table: work spells joined to persons, villages to households.

docs/dataset-model.md. Rows that do not join are data issues (builtin rules DQ080-DQ083),
never dropped silently: a work spell whose person is not in the member table is skipped with
that reason and reported; households and villages that match nothing are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exitcheck.schema.messages import MSG
from exitcheck.schema.model import ISSUE_COLUMNS, InputInfo, empty_units
from exitcheck.schema.text import fold_series

SPELL_WITHOUT_MEMBER = "spell_without_member"
HOUSEHOLD_WITHOUT_MEMBERS = "household_without_members"
HOUSEHOLD_WITHOUT_VILLAGE = "household_without_village"
VILLAGE_WITHOUT_HOUSEHOLDS = "village_without_households"
# Labels of the spell tables (the derived spell_kind field; rules/fields.yaml tables:).
SPELL_KINDS = {"work": "已外出务工", "work_plan": "计划外出务工"}
VILLAGE_KEYS = ("county", "township", "village")

Table = tuple[InputInfo, pd.DataFrame, np.ndarray]  # info, typed frame, rows that are units


def _issues(kind: str, frame: pd.DataFrame, detail: pd.Series | np.ndarray,
            field: str | None = None) -> pd.DataFrame:
    n = len(frame)
    return pd.DataFrame({
        "kind": kind,
        "field": field,
        "household_id": frame["household_id"].to_numpy(dtype=object)
        if "household_id" in frame else np.full(n, None, dtype=object),
        "member_id": frame["member_id"].to_numpy(dtype=object)
        if "member_id" in frame else np.full(n, None, dtype=object),
        "_input": frame["_input"].to_numpy(),
        "_row": frame["_row"].to_numpy(),
        "value": None,
        "detail": np.asarray(detail, dtype=object),
    }, columns=list(ISSUE_COLUMNS))


def _no_issues() -> pd.DataFrame:
    return pd.DataFrame(columns=list(ISSUE_COLUMNS))


def spells(tables: list[Table], members: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One frame of the work spells of every spell table, each joined to its person by 人编号
    where both tables have it, else by 证件号码. A spell whose person is not found is skipped
    (InputInfo.skipped, reason spell_without_member) and reported as an issue."""
    if not tables:
        return empty_units("spell"), _no_issues()
    parts, issues = [], []
    member_ids = members["member_id"].astype("string")
    for info, frame, keep in tables:
        sub = frame.loc[keep].reset_index(drop=True)
        pos = np.full(len(sub), -1, dtype=np.intp)
        for key in ("member_id", "id_number"):
            if key not in sub.columns or key not in members.columns:
                continue
            index = pd.Index(members[key].astype("string"))
            first = ~index.duplicated(keep="first") & index.notna()
            lookup = pd.Series(np.flatnonzero(first), index=index[first])
            found = lookup.reindex(sub[key].astype("string")).to_numpy()
            todo = (pos < 0) & ~np.isnan(found.astype(float))
            pos[todo] = found[todo].astype(np.intp)
        joined = pos >= 0
        orphan = sub.loc[~joined]
        if len(orphan):
            key = orphan.get("id_number", orphan.get("member_id"))
            detail = [MSG("issue_spell_without_member", key=k if isinstance(k, str) else "—")
                      for k in key.astype("string").fillna("—")]
            issues.append(_issues(SPELL_WITHOUT_MEMBER, orphan.drop(
                columns=[c for c in ("household_id", "member_id") if c in orphan]), detail,
                "id_number" if "id_number" in orphan else "member_id"))
            info.skipped[SPELL_WITHOUT_MEMBER] = len(orphan)
            info.unit_rows -= len(orphan)
        sub = sub.loc[joined].reset_index(drop=True)
        at = pos[joined]
        own = [c for c in sub.columns if c not in ("household_id", "member_id", "id_number",
                                                   "name")]
        part = pd.DataFrame({
            "household_id": members["household_id"].astype("string").to_numpy()[at],
            "member_id": member_ids.to_numpy()[at],
        })
        for c in own:
            part[c] = sub[c].array
        part["spell_kind"] = SPELL_KINDS[info.role]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["household_id"] = out["household_id"].astype("string")
    out["member_id"] = out["member_id"].astype("string")
    out["spell_kind"] = out["spell_kind"].astype("string")
    tail = ["_input", "_row"]
    out = out[[c for c in out.columns if c not in tail] + tail]
    return out, pd.concat(issues, ignore_index=True) if issues else _no_issues()


def village_key(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """县/乡镇/村 names folded (full-width, spaces) and joined by "/": the village's key."""
    parts = [fold_series(frame[k].astype("string")).fillna("") for k in keys]
    out = parts[0]
    for p in parts[1:]:
        out = out + "/" + p
    return out.astype("string")


def villages(
    tables: list[Table], households: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The village frame, and households with the column village_id (its key). The key is made
    of the 县/乡镇/村 columns both the village table and the households have."""
    if not tables:
        return households, empty_units("village"), _no_issues()
    frames = []
    for _info, frame, keep in tables:
        frames.append(frame.loc[keep])
    villages_raw = pd.concat(frames, ignore_index=True)
    keys = [k for k in VILLAGE_KEYS if k in villages_raw.columns and k in households.columns]
    if "village" not in keys:
        keys = [k for k in VILLAGE_KEYS if k in villages_raw.columns]
    vid = village_key(villages_raw, keys)
    villages_raw.index = pd.Index(vid, name="village_id")
    villages_raw = villages_raw[~villages_raw.index.duplicated(keep="first")]
    households = households.copy()
    if all(k in households.columns for k in keys):
        households["village_id"] = village_key(households, keys).to_numpy()
    else:
        households["village_id"] = pd.array([pd.NA] * len(households), dtype="string")
    in_table = households["village_id"].isin(villages_raw.index).to_numpy(dtype=bool)
    issues = []
    lost = households.loc[~in_table]
    if len(lost):
        frame = lost.reset_index()
        detail = [MSG("issue_household_without_village", key=k)
                  for k in frame["village_id"].astype("string").fillna("—")]
        issues.append(_issues(HOUSEHOLD_WITHOUT_VILLAGE, frame, detail, "village"))
    used = set(households["village_id"].dropna())
    empty = villages_raw.loc[~villages_raw.index.isin(list(used))]
    if len(empty):
        frame = empty.reset_index()
        detail = [MSG("issue_village_without_households", key=k) for k in empty.index]
        issues.append(_issues(VILLAGE_WITHOUT_HOUSEHOLDS, frame, detail, "village"))
    return households, villages_raw, pd.concat(issues, ignore_index=True) if issues else (
        _no_issues())


def households_without_members(households: pd.DataFrame, has_table: bool) -> pd.DataFrame:
    """Households of a household table with no member row (member_count 0)."""
    if not has_table or "member_count" not in households:
        return _no_issues()
    empty = households.loc[(households["member_count"] == 0).fillna(False).to_numpy(dtype=bool)]
    if not len(empty):
        return _no_issues()
    frame = empty.reset_index()
    detail = np.full(len(frame), MSG("issue_household_without_members"), dtype=object)
    return _issues(HOUSEHOLD_WITHOUT_MEMBERS, frame, detail, "household_id")


def single_row_households(members: pd.DataFrame, households: pd.DataFrame) -> str | None:
    """A note when the member table has one row per household only (no member rows): every
    household has one row while most say they have more than one person."""
    if len(households) < 2 or "household_size" not in households:
        return None
    counts = households["member_count"].fillna(0)
    if (counts > 1).any():
        return None
    size = pd.to_numeric(households["household_size"], errors="coerce")
    multi = int((size > 1).sum())
    if multi * 2 <= len(households):
        return None
    return MSG("note_single_row", households=len(households), multi=multi)
