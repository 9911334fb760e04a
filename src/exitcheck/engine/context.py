"""What an expression is evaluated against: the two frames, parameters, as-of date, shared cache."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Level = Literal["household", "member"]
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


@dataclass
class EvalContext:
    households: pd.DataFrame  # index = household_id (str); household fields + member_count
    members: pd.DataFrame  # column household_id; RangeIndex; member fields + derived
    params: Mapping[str, object]  # resolved parameter values by name
    as_of: datetime.date
    cache: dict[str, object] = field(default_factory=dict)  # shared across rules

    def frame(self, level: Level) -> pd.DataFrame:
        return self.households if level == "household" else self.members


def household_codes(ctx: EvalContext) -> np.ndarray:
    """Position of each member's household in ctx.households (-1: no such household); cached."""
    hit = ctx.cache.get("codes:household")
    if hit is None:
        if "household_id" in ctx.members.columns:
            ids = ctx.members["household_id"].astype("string").to_numpy(dtype=object, na_value=None)
            hit = ctx.households.index.astype("string").get_indexer(ids)
        else:
            hit = np.full(len(ctx.members), -1, dtype=np.intp)
        ctx.cache["codes:household"] = hit
    assert isinstance(hit, np.ndarray)
    return hit


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
        elif level == "household" and name in ("household_id", frame.index.name):
            hit = typed(frame.index, vtype, frame.index)
        else:
            hit = empty_column(vtype, frame.index)
        ctx.cache[key] = hit
    assert isinstance(hit, pd.Series)
    return hit


def to_members(ctx: EvalContext, values: pd.Series) -> pd.Series:
    """A household-aligned series repeated onto each member row (NA for unknown households)."""
    codes = household_codes(ctx)
    taken = values.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=ctx.members.index)


def household_column_on_members(ctx: EvalContext, name: str, vtype: str) -> pd.Series:
    """A household field broadcast to members via household_id; cached per field."""
    key = f"bcast:{name}:{vtype}"
    hit = ctx.cache.get(key)
    if hit is None:
        hit = to_members(ctx, column(ctx, "household", name, vtype))
        ctx.cache[key] = hit
    assert isinstance(hit, pd.Series)
    return hit
