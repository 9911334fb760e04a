"""What an expression is evaluated against: the two frames, parameters, as-of date, shared cache."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from exitcheck.levels import PARENT, Level, depth

__all__ = ["PARENT", "EvalContext", "Level", "depth"]

# Value types of the expression language (see engine/expr_names.py).
DTYPES: dict[str, str] = {
    "bool": "boolean",
    "number": "Float64",
    "text": "string",
    "any": "string",
    "date": "datetime64[ns]",
    "null": "boolean",
}
_TRUE = ("是", "True", "true", "TRUE", "1", "Y", "y", "√")
_FALSE = ("否", "False", "false", "FALSE", "0", "N", "n", "×")


def _no_units(index_name: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(index=pd.Index([], name=index_name, dtype="string"))


@dataclass
class EvalContext:
    households: pd.DataFrame  # index = household_id (str); household fields + member_count
    members: pd.DataFrame  # column household_id; RangeIndex; member fields + derived
    params: Mapping[str, object]  # resolved parameter values by name
    as_of: datetime.date
    cache: dict[str, object] = field(default_factory=dict)  # shared across rules
    # Work spells (columns household_id, member_id, ...) and villages (index village_id;
    # households carry village_id): docs/dataset-model.md.
    spells: pd.DataFrame = field(default_factory=_no_units)
    villages: pd.DataFrame = field(default_factory=lambda: _no_units("village_id"))
    # Population name -> its compiled household-level expression (rules/populations.yaml).
    populations: Mapping[str, object] = field(default_factory=dict)

    def frame(self, level: Level) -> pd.DataFrame:
        if level == "household":
            return self.households
        if level == "member":
            return self.members
        return self.spells if level == "spell" else self.villages


def _first_positions(keys: pd.Series) -> pd.Series:
    """key -> position of its first row (keys that repeat resolve to their first unit)."""
    index = pd.Index(keys.astype("string"))
    first = ~index.duplicated(keep="first") & index.notna()
    return pd.Series(np.flatnonzero(first), index=index[first])


def parent_codes(ctx: EvalContext, level: Level) -> np.ndarray:
    """Position of each unit's parent (the unit of the level above) in the parent's frame;
    -1 where it has none. member -> household by household_id, spell -> member by member_id,
    household -> village by village_id. Cached."""
    key = f"codes:{level}"
    hit = ctx.cache.get(key)
    if hit is None:
        frame = ctx.frame(level)
        n = len(frame)
        hit = np.full(n, -1, dtype=np.intp)
        if level == "member" and "household_id" in frame.columns:
            ids = frame["household_id"].astype("string").to_numpy(dtype=object, na_value=None)
            hit = ctx.households.index.astype("string").get_indexer(ids)
        elif level == "spell" and n and "member_id" in frame.columns:
            lookup = _first_positions(ctx.members["member_id"])
            found = lookup.reindex(frame["member_id"].astype("string")).to_numpy(dtype=float)
            hit = np.where(np.isnan(found), -1, found).astype(np.intp)
        elif level == "household" and "village_id" in frame.columns and len(ctx.villages):
            ids = frame["village_id"].astype("string").to_numpy(dtype=object, na_value=None)
            hit = ctx.villages.index.astype("string").get_indexer(ids)
        ctx.cache[key] = hit
    assert isinstance(hit, np.ndarray)
    return hit


def codes(ctx: EvalContext, level: Level, ancestor: Level) -> np.ndarray:
    """Position of each unit of ``level`` in the frame of ``ancestor`` (a level above it)."""
    key = f"codes:{level}>{ancestor}"
    hit = ctx.cache.get(key)
    if hit is None:
        hit = parent_codes(ctx, level)
        current = PARENT[level]
        while current is not None and depth(current) > depth(ancestor):
            up = parent_codes(ctx, current)
            hit = np.where(hit >= 0, up[np.maximum(hit, 0)] if len(up) else -1, -1)
            current = PARENT[current]
        ctx.cache[key] = hit
    assert isinstance(hit, np.ndarray)
    return hit


def household_codes(ctx: EvalContext) -> np.ndarray:
    """Position of each member's household in ctx.households (-1: no such household); cached."""
    return parent_codes(ctx, "member")


def typed(values: pd.Series | pd.Index, vtype: str, index: pd.Index) -> pd.Series:
    """A column converted to the nullable dtype of its expression type, aligned to ``index``."""
    s = pd.Series(np.asarray(values, dtype=object) if isinstance(values, pd.Index) else values)
    s.index = index
    if vtype == "number":
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            s = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
        return s.astype("Float64")
    if vtype == "bool":
        if pd.api.types.is_bool_dtype(s.dtype):
            return s.astype("boolean")
        try:
            return s.astype("boolean")
        except (TypeError, ValueError):
            # Untyped text cells (schema/ normally types them): 是/否 and the usual synonyms.
            text = s.astype("string").str.strip()
            out = pd.Series(pd.NA, index=index, dtype="boolean")
            out[text.isin(_TRUE).fillna(False)] = True
            out[text.isin(_FALSE).fillna(False)] = False
            return out
    if vtype == "date":
        if not pd.api.types.is_datetime64_dtype(s.dtype):
            s = pd.to_datetime(s, errors="coerce")
        return s.astype("datetime64[ns]")
    return s.astype("string")


def has_column(ctx: EvalContext, level: Level, name: str) -> bool:
    """The input has this field (a column of its level's frame, or the frame's key)."""
    frame = ctx.frame(level)
    return name in frame.columns or name == frame.index.name or (
        level == "household" and name == "household_id")


def empty_column(vtype: str, index: pd.Index) -> pd.Series:
    """An all-missing column (the field is absent from this export: rules become not_evaluated)."""
    if vtype == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series(pd.NA, index=index, dtype=DTYPES[vtype])


def column(ctx: EvalContext, level: Level, name: str, vtype: str) -> pd.Series:
    """Column ``name`` of the level frame, typed; cached per (level, name, type)."""
    key = f"col:{level}:{name}:{vtype}"
    hit = ctx.cache.get(key)
    if hit is None:
        frame = ctx.frame(level)
        if name in frame.columns:
            hit = typed(frame[name], vtype, frame.index)
        elif name == frame.index.name or (level == "household" and name == "household_id"):
            hit = typed(frame.index, vtype, frame.index)
        else:
            hit = empty_column(vtype, frame.index)
        ctx.cache[key] = hit
    assert isinstance(hit, pd.Series)
    return hit


def down(ctx: EvalContext, values: pd.Series, source: Level, target: Level) -> pd.Series:
    """Values of ``source`` units repeated onto the units of ``target`` below them (NA where a
    unit has no such ancestor)."""
    at = codes(ctx, target, source)
    taken = values.array.take(at, allow_fill=True)
    return pd.Series(taken, index=ctx.frame(target).index)


def to_members(ctx: EvalContext, values: pd.Series) -> pd.Series:
    """A household-aligned series repeated onto each member row (NA for unknown households)."""
    return down(ctx, values, "household", "member")


def ancestor_column(ctx: EvalContext, source: Level, target: Level, name: str,
                    vtype: str) -> pd.Series:
    """A field of ``source`` repeated onto the units of ``target`` below it; cached."""
    key = f"bcast:{source}>{target}:{name}:{vtype}"
    hit = ctx.cache.get(key)
    if hit is None:
        hit = down(ctx, column(ctx, source, name, vtype), source, target)
        ctx.cache[key] = hit
    assert isinstance(hit, pd.Series)
    return hit


def household_column_on_members(ctx: EvalContext, name: str, vtype: str) -> pd.Series:
    """A household field broadcast to members via household_id; cached per field."""
    return ancestor_column(ctx, "household", "member", name, vtype)
