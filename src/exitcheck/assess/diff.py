"""Year-over-year changes between two registries (`exitcheck diff`, issue 10 part 4).

Households are matched by 户编号; persons by their ID number in the form
``schema.ids.id_match_key`` gives (15 → 18 digits, upper-case X, registry suffix cut), or by
人编号 when the ID is blank. A household's status is its first population (rules/populations.yaml,
the one definition the rules and the aggregate stage use) in the order of ``STATUS_ORDER``.

Every change is one row of one long table (kind, household, person, field, old, new), built
column-at-a-time with merges: no loop over households.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from exitcheck.assess.inputs import Snapshot

HOUSEHOLD_ADDED, HOUSEHOLD_REMOVED = "household_added", "household_removed"
MEMBER_ADDED, MEMBER_REMOVED, MEMBER_MOVED = "member_added", "member_removed", "member_moved"
STATUS_CHANGE, INCOME_DROP, EXIT_NO_INCOME = "status_change", "income_drop", "exit_no_income_change"
KINDS: tuple[str, ...] = (HOUSEHOLD_ADDED, HOUSEHOLD_REMOVED, MEMBER_ADDED, MEMBER_REMOVED,
                          MEMBER_MOVED, STATUS_CHANGE, INCOME_DROP, EXIT_NO_INCOME)
KIND_LABELS: dict[str, tuple[str, str]] = {
    HOUSEHOLD_ADDED: ("新增户", "households added"),
    HOUSEHOLD_REMOVED: ("减少户", "households removed"),
    MEMBER_ADDED: ("新增成员", "members added"),
    MEMBER_REMOVED: ("减少成员", "members removed"),
    MEMBER_MOVED: ("证件号码跨户", "IDs that moved households"),
    STATUS_CHANGE: ("状态变化", "status changes"),
    INCOME_DROP: ("收入下降", "income drops"),
    EXIT_NO_INCOME: ("脱贫或消除但收入未变", "exit without income change"),
}

# A household's status: the first population it belongs to, in this order.
STATUS_ORDER: tuple[str, ...] = ("poor", "monitored_unresolved", "monitored_eliminated",
                                 "exited", "ordinary")
OTHER = "other"
# Statuses that count as "left poverty / risk eliminated" for EXIT_NO_INCOME.
EXIT_STATUSES = ("exited", "monitored_eliminated")
# Named transitions (old status, new status) -> (zh, en); any other change is 其他变化.
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("exited", "poor"): ("返贫", "returned to poverty"),
    ("exited", "monitored_unresolved"): ("纳入监测", "newly monitored"),
    ("ordinary", "monitored_unresolved"): ("纳入监测", "newly monitored"),
    (OTHER, "monitored_unresolved"): ("纳入监测", "newly monitored"),
    ("monitored_unresolved", "monitored_eliminated"): ("风险消除", "risk eliminated"),
    ("monitored_eliminated", "monitored_unresolved"): ("风险复现", "risk returned"),
    ("poor", "exited"): ("脱贫", "exited"),
    ("monitored_unresolved", "exited"): ("退出监测", "no longer monitored"),
    ("monitored_eliminated", "exited"): ("退出监测", "no longer monitored"),
}
OTHER_TRANSITION = ("其他变化", "other change")

FIELD_HOUSEHOLD, FIELD_MEMBER, FIELD_STATUS = "household", "member", "status"
FIELD_LABELS: dict[str, tuple[str, str]] = {
    FIELD_HOUSEHOLD: ("户", "household"),
    FIELD_MEMBER: ("成员", "member"),
    FIELD_STATUS: ("户状态", "household status"),
    "household_id": ("户编号", "household id"),
    "per_capita_net_income": ("人均纯收入", "per-capita net income"),
}
CHANGE_COLUMNS = ("kind", "household_id", "person", "name", "township", "village", "field",
                  "old", "new", "detail")
NO_ID_PREFIX = "人编号:"


@dataclass(frozen=True)
class DiffParams:
    income_drop_ratio: float
    income_unchanged_ratio: float


@dataclass
class Diff:
    """The long change table (CHANGE_COLUMNS, one row per change) and what it came from."""

    changes: pd.DataFrame
    old: Snapshot
    new: Snapshot
    params: DiffParams
    transitions: pd.DataFrame  # old, new (status labels), label (transition), households
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        got = self.changes["kind"].value_counts()
        return {k: int(got.get(k, 0)) for k in KINDS}


def status_labels(lang: str) -> dict[str, str]:
    """Population name -> its label (rules/populations.yaml), plus 其他."""
    from exitcheck.engine.populations import load_populations

    pops = load_populations()
    out = {n: (pops[n].label_en if lang == "en" else pops[n].label) for n in STATUS_ORDER
           if n in pops}
    out[OTHER] = "other" if lang == "en" else "其他"
    return out


def household_status(snap: Snapshot) -> pd.Series:
    """Each household's first population in STATUS_ORDER (``other`` when none)."""
    pops = snap.populations.reindex(snap.registry.households.index)
    conds = [pops[n].fillna(False).to_numpy(dtype=bool) if n in pops.columns
             else np.zeros(len(pops), dtype=bool) for n in STATUS_ORDER]
    return pd.Series(np.select(conds, list(STATUS_ORDER), default=OTHER), index=pops.index,
                     dtype="object")


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[name].astype("string").str.strip()


def persons(snap: Snapshot) -> pd.DataFrame:
    """One row per (household, person key): household_id, key, name."""
    m = snap.registry.members
    key = _text(m, "id_number")
    if "id_number" in m.columns:
        from exitcheck.schema.ids import id_match_key

        key = id_match_key(m["id_number"])
    no_id = key.isna()
    if bool(no_id.any()):
        key = key.mask(no_id, NO_ID_PREFIX + _text(m, "member_id"))
    out = pd.DataFrame({"household_id": m["household_id"].astype("string").to_numpy(),
                        "key": key.astype("string").to_numpy(),
                        "name": _text(m, "name").to_numpy()})
    return out.dropna(subset=["key"]).drop_duplicates(["household_id", "key"])


def _places(snap: Snapshot, ids: pd.Index) -> pd.DataFrame:
    h = snap.registry.households
    return pd.DataFrame({"township": _text(h, "township"), "village": _text(h, "village")},
                        index=h.index.astype("string")).reindex(ids.astype("string"))


def _frame(kind: str, household_id: pd.Series | pd.Index, places: pd.DataFrame, *,
           field_name: str, old: object = pd.NA, new: object = pd.NA,
           person: object = pd.NA, name: object = pd.NA, detail: object = pd.NA
           ) -> pd.DataFrame:
    ids = pd.Series(np.asarray(household_id, dtype=object), dtype="string")
    where = places.reindex(ids.to_numpy())
    n = len(ids)

    def col(v: object) -> np.ndarray:
        if isinstance(v, pd.Series | pd.Index | np.ndarray):
            return np.asarray(v, dtype=object)
        return np.full(n, v, dtype=object)

    return pd.DataFrame({
        "kind": kind, "household_id": ids.to_numpy(), "person": col(person), "name": col(name),
        "township": where["township"].to_numpy(dtype=object),
        "village": where["village"].to_numpy(dtype=object),
        "field": field_name, "old": col(old), "new": col(new), "detail": col(detail),
    }, columns=list(CHANGE_COLUMNS))


def _income(snap: Snapshot, ids: pd.Index) -> pd.Series:
    h = snap.registry.households
    if "per_capita_net_income" not in h.columns:
        return pd.Series(np.nan, index=ids, dtype="float64")
    values = pd.to_numeric(h["per_capita_net_income"], errors="coerce").astype("float64")
    values.index = h.index.astype("string")
    return values.reindex(ids)


def compare(old: Snapshot, new: Snapshot, params: DiffParams, lang: str = "zh") -> Diff:
    """Every change from ``old`` to ``new`` (see the module docstring for the matching)."""
    old_ids = old.registry.households.index.astype("string")
    new_ids = new.registry.households.index.astype("string")
    added, removed = new_ids.difference(old_ids), old_ids.difference(new_ids)
    common = old_ids.intersection(new_ids)
    places_new, places_old = _places(new, new_ids), _places(old, old_ids)
    places = pd.concat([places_new, places_old[~places_old.index.isin(places_new.index)]])
    parts = [
        _frame(HOUSEHOLD_ADDED, added, places, field_name=FIELD_HOUSEHOLD, new=added),
        _frame(HOUSEHOLD_REMOVED, removed, places, field_name=FIELD_HOUSEHOLD, old=removed),
    ]

    # Persons: pairs (household, key) present in one year only.
    pairs = persons(old).merge(persons(new), on=["household_id", "key"], how="outer",
                               suffixes=("_old", "_new"), indicator=True)
    gone = pairs[pairs["_merge"] == "left_only"]
    came = pairs[pairs["_merge"] == "right_only"]
    moved = gone[["key", "household_id", "name_old"]].merge(
        came[["key", "household_id", "name_new"]], on="key", suffixes=("_old", "_new"))
    moved_keys = set(moved["key"])
    left = gone[~gone["key"].isin(moved_keys) & gone["household_id"].isin(common)]
    joined = came[~came["key"].isin(moved_keys) & came["household_id"].isin(common)]
    parts += [
        _frame(MEMBER_ADDED, joined["household_id"], places, field_name=FIELD_MEMBER,
               person=joined["key"], name=joined["name_new"], new=joined["key"]),
        _frame(MEMBER_REMOVED, left["household_id"], places, field_name=FIELD_MEMBER,
               person=left["key"], name=left["name_old"], old=left["key"]),
        _frame(MEMBER_MOVED, moved["household_id_new"], places, field_name="household_id",
               person=moved["key"], name=moved["name_new"].fillna(moved["name_old"]),
               old=moved["household_id_old"], new=moved["household_id_new"]),
    ]

    # Status and income of households present in both years.
    labels = status_labels(lang)
    s_old = household_status(old).set_axis(old_ids).reindex(common)
    s_new = household_status(new).set_axis(new_ids).reindex(common)
    changed = s_old != s_new
    i = 1 if lang == "en" else 0
    named = pd.DataFrame([(a, b, t[i]) for (a, b), t in TRANSITIONS.items()],
                         columns=["old", "new", "label"])
    transitions = pd.DataFrame({"old": s_old[changed].to_numpy(),
                                "new": s_new[changed].to_numpy()}).merge(
        named, on=["old", "new"], how="left")
    transitions["label"] = transitions["label"].fillna(OTHER_TRANSITION[i])
    parts.append(_frame(STATUS_CHANGE, common[changed.to_numpy()], places,
                        field_name=FIELD_STATUS, old=s_old[changed].map(labels),
                        new=s_new[changed].map(labels), detail=transitions["label"]))
    transitions = (transitions.groupby(["old", "new", "label"], sort=False).size()
                   .rename("households").reset_index()
                   .sort_values("households", ascending=False, kind="stable"))
    transitions["old"] = transitions["old"].map(labels)
    transitions["new"] = transitions["new"].map(labels)

    inc_old, inc_new = _income(old, common), _income(new, common)
    both = inc_old.notna() & inc_new.notna()
    drop = both & (inc_old > 0) & (inc_new < inc_old * (1 - params.income_drop_ratio))
    share = ((inc_old - inc_new) / inc_old).where(inc_old > 0)
    parts.append(_frame(INCOME_DROP, common[drop.to_numpy()], places,
                        field_name="per_capita_net_income", old=inc_old[drop], new=inc_new[drop],
                        detail="-" + (100 * share[drop]).round(1).astype("string") + "%"))
    exited_now = s_new.isin(EXIT_STATUSES) & ~s_old.isin(EXIT_STATUSES)
    flat = both & exited_now & ((inc_new - inc_old).abs()
                                <= params.income_unchanged_ratio * inc_old.abs())
    parts.append(_frame(EXIT_NO_INCOME, common[flat.to_numpy()], places,
                        field_name="per_capita_net_income", old=inc_old[flat],
                        new=inc_new[flat],
                        detail=(s_old[flat].map(labels) + " → " + s_new[flat].map(labels))))

    changes = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else _frame(HOUSEHOLD_ADDED, pd.Index([]), places,
                                           field_name=FIELD_HOUSEHOLD)
    notes, notes_en = _notes(old, new, pairs)
    return Diff(changes, old, new, params, transitions, notes, notes_en)


def _notes(old: Snapshot, new: Snapshot, pairs: pd.DataFrame) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    notes_en: list[str] = []
    no_id = int(pairs["key"].astype("string").str.startswith(NO_ID_PREFIX).sum())
    if no_id:
        notes.append(f"{no_id} 名成员无证件号码，按人编号匹配")
        notes_en.append(f"{no_id} members without an ID number were matched by 人编号")
    if old.scope.year == new.scope.year:
        notes.append(f"两份数据的年度相同（{old.scope.year}），请确认输入顺序：旧 新")
        notes_en.append(f"both inputs are of the same year ({old.scope.year}): check the "
                        "order OLD NEW")
    elif old.scope.year > new.scope.year:
        notes.append(f"旧数据年度 {old.scope.year} 晚于新数据 {new.scope.year}：输入顺序是否颠倒？")
        notes_en.append(f"the old input's year {old.scope.year} is after the new one's "
                        f"{new.scope.year}: are the inputs swapped?")
    return notes, notes_en


def parse_limits(values: list[str]) -> dict[str, int]:
    """--fail-over N (all changes) or KIND=N (one kind): {"total" | kind: N}."""
    from exitcheck.errors import UsageError

    out: dict[str, int] = {}
    for item in values:
        for part in item.split(","):
            key, sep, number = part.strip().rpartition("=")
            kind = key.strip() if sep else "total"
            try:
                limit = int(number)
            except ValueError:
                limit = -1
            if limit < 0 or (kind != "total" and kind not in KINDS):
                raise UsageError(
                    f"--fail-over 的取值 {part!r} 无效：应为 N 或 类型=N，"
                    f"类型为 {'、'.join(KINDS)}",
                    message_en=f"invalid --fail-over value {part!r}: use N or KIND=N with KIND "
                               f"one of {', '.join(KINDS)}", location="--fail-over")
            out[kind] = limit
    return out


def exceeded(counts: dict[str, int], limits: dict[str, int]) -> list[tuple[str, int, int]]:
    """(kind or "total", count, limit) for every limit the counts go over."""
    total = sum(counts.values())
    return [(k, total if k == "total" else counts[k], n) for k, n in limits.items()
            if (total if k == "total" else counts[k]) > n]
