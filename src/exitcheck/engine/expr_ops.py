"""Vectorized operations of the expression language on whole nullable pandas columns.

NULL semantics (issue "Rule engine", item 2): a comparison or arithmetic touching NA gives NA;
and/or/not follow Kleene logic (pandas "boolean" dtype); division by zero gives NA.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from exitcheck.engine.context import DTYPES, typed
from exitcheck.schema import ids as schema_ids


@dataclass(frozen=True)
class Const:
    """A value known without looking at the data (literal or parameter); None is NA."""

    value: object


Value: TypeAlias = "pd.Series | Const"

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def broadcast(v: Value, index: pd.Index, vtype: str) -> pd.Series:
    """A constant repeated over the level frame (series are returned as they are)."""
    if isinstance(v, pd.Series):
        return v
    if v.value is None:
        if vtype == "date":
            return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        return pd.Series(pd.NA, index=index, dtype=DTYPES.get(vtype, "boolean"))
    vt = vtype if vtype not in ("any", "null") else _scalar_type(v.value)
    # Convert the one value, then repeat it (a take): converting a column of n references to the
    # same object costs as much as converting n distinct texts (1M-row audits: seconds).
    one = typed(pd.Series([v.value], dtype=object), vt, pd.RangeIndex(1))
    return pd.Series(one.array.take(np.zeros(len(index), dtype=np.intp)), index=index)


def _scalar_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, pd.Timestamp):
        return "date"
    return "text"


def _kind(v: Value) -> str:
    """Run-time kind of a value: number, text, date, bool or null."""
    if isinstance(v, Const):
        return "null" if v.value is None else _scalar_type(v.value)
    if pd.api.types.is_bool_dtype(v.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(v.dtype):
        return "number"
    if pd.api.types.is_datetime64_dtype(v.dtype):
        return "date"
    return "text"


def _coerce(v: Value, kind: str, index: pd.Index) -> Value:
    """Convert text (raw columns, text parameters) to the other operand's kind."""
    if isinstance(v, Const):
        return Const(_coerce_scalar(v.value, kind))
    return typed(v, kind, index)


def _coerce_scalar(value: object, kind: str) -> object:
    s = typed(pd.Series([value], dtype=object), kind, pd.RangeIndex(1))
    out = s.iloc[0]
    return None if pd.isna(out) else (out.item() if hasattr(out, "item") else out)


def harmonize(a: Value, b: Value, index: pd.Index) -> tuple[Value, Value]:
    """Values of run-time-typed operands ("any") made comparable: text follows the other side."""
    ka, kb = _kind(a), _kind(b)
    if ka == "text" and kb in ("number", "date", "bool"):
        a = _coerce(a, kb, index)
    elif kb == "text" and ka in ("number", "date", "bool"):
        b = _coerce(b, ka, index)
    return a, b


def _na(v: Value) -> np.ndarray | bool:
    return v.value is None if isinstance(v, Const) else v.isna().to_numpy()


def _raw(v: Value) -> object:
    return v.value if isinstance(v, Const) else v


def as_boolean(result: Any, index: pd.Index) -> pd.Series:
    """A comparison's result as a nullable "boolean" column on ``index``.

    Text columns compare into Arrow booleans (pandas 3); pandas' own astype("boolean") of
    those goes element by element (~50 ms a column at 10^6 rows): the mask and values are
    taken from Arrow instead.
    """
    aligned = not isinstance(result, pd.Series) or result.index.equals(index)
    values = result.array if isinstance(result, pd.Series) else result
    if aligned and isinstance(getattr(values, "dtype", None), pd.ArrowDtype):
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_boolean(arr.type):
            filled = pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
            missing = arr.is_null().to_numpy(zero_copy_only=False)
            return pd.Series(pd.arrays.BooleanArray(filled, missing), index=index)
    return pd.Series(result, index=index).astype("boolean")


def compare(op: str, a: Value, b: Value, index: pd.Index, vtype: str) -> pd.Series:
    if isinstance(a, Const) and isinstance(b, Const):
        a = broadcast(a, index, vtype)
    a, b = harmonize(a, b, index)
    na_a, na_b = _na(a), _na(b)
    if na_a is True or na_b is True:
        return pd.Series(pd.NA, index=index, dtype="boolean")
    out = as_boolean(COMPARE[op](_raw(a), _raw(b)), index)
    na = np.asarray(na_a | na_b)
    return out.mask(na) if na.any() else out


def is_in(
    a: Value, values: Sequence[object], negate: bool, index: pd.Index, vtype: str
) -> pd.Series:
    """``a in values``: True on a match; NA when a is NA, or no match and values hold None."""
    s = broadcast(a, index, vtype)
    present = [v for v in values if v is not None]
    if present:
        s, _ = harmonize(s, Const(present[0]), index)
    assert isinstance(s, pd.Series)
    hit = s.isin(present).to_numpy(dtype=bool) if present else np.zeros(len(s), dtype=bool)
    out = pd.Series(hit, index=index, dtype="boolean")
    unknown = s.isna().to_numpy()
    if len(present) < len(values):
        unknown = unknown | ~hit
    out = out.mask(unknown) if unknown.any() else out
    return ~out if negate else out


def as_bool(v: Value, index: pd.Index) -> pd.Series:
    return broadcast(v, index, "bool").astype("boolean")


def and_(values: Sequence[Value], index: pd.Index) -> pd.Series:
    out = as_bool(values[0], index)
    for v in values[1:]:
        out = out & as_bool(v, index)
    return out


def or_(values: Sequence[Value], index: pd.Index) -> pd.Series:
    out = as_bool(values[0], index)
    for v in values[1:]:
        out = out | as_bool(v, index)
    return out


def not_(v: Value, index: pd.Index) -> pd.Series:
    return ~as_bool(v, index)


def as_number(v: Value, index: pd.Index) -> pd.Series:
    s = broadcast(v, index, "number")
    return s if s.dtype == "Float64" else typed(s, "number", index)


def arith(op: str, a: Value, b: Value, index: pd.Index) -> pd.Series:
    left = as_number(a, index)
    if isinstance(b, Const) and isinstance(b.value, int | float) and not isinstance(b.value, bool):
        right: pd.Series | float = float(b.value)
    else:
        right = as_number(b, index)
    out = pd.Series(ARITH[op](left, right), index=index).astype("Float64")
    if op == "/":
        zero = (right == 0) if isinstance(right, float) else (right == 0).fillna(False).to_numpy()
        if np.any(zero):
            out = out.mask(np.broadcast_to(zero, (len(out),)))
    return out


def neg(v: Value, index: pd.Index) -> pd.Series:
    return -as_number(v, index)


def isblank(v: Value, index: pd.Index, vtype: str) -> pd.Series:
    """NA, or text that is empty or whitespace; never NA itself."""
    s = broadcast(v, index, vtype)
    blank = s.isna().to_numpy()
    if _kind(s) == "text":
        blank = blank | (s.astype("string").str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return pd.Series(blank, index=index, dtype="boolean")


def between(x: Value, lo: Value, hi: Value, index: pd.Index, vtype: str) -> pd.Series:
    return and_([compare(">=", x, lo, index, vtype), compare("<=", x, hi, index, vtype)], index)


def valid_id(v: Value, index: pd.Index) -> pd.Series:
    """GB 11643-1999 validity as schema/ derives id_valid (18-digit check character, real
    province and birth date; 15-digit old form); NA stays NA (use notblank() to require one)."""
    s = broadcast(v, index, "text").astype("string")
    out = pd.Series(schema_ids.valid_id(s).to_numpy(dtype=bool, na_value=False), index=index)
    out = out.astype("boolean")
    na = s.isna().to_numpy()
    return out.mask(na) if na.any() else out


def months_between(a: Value, b: Value, index: pd.Index) -> pd.Series:
    """Whole months from a to b (negative when b is earlier), truncated toward zero."""
    sa, sb = broadcast(a, index, "date"), broadcast(b, index, "date")

    def part(s: pd.Series, name: str) -> pd.Series:
        return getattr(s.dt, name).astype("Float64")

    months = (part(sb, "year") - part(sa, "year")) * 12 + part(sb, "month") - part(sa, "month")
    day_a, day_b = part(sa, "day"), part(sb, "day")
    short = ((months > 0) & (day_b < day_a)).fillna(False)
    over = ((months < 0) & (day_b > day_a)).fillna(False)
    return (months - short.astype("Float64") + over.astype("Float64")).astype("Float64")


def coalesce(values: Sequence[Value], index: pd.Index, vtype: str) -> pd.Series:
    out = broadcast(values[0], index, vtype)
    for v in values[1:]:
        if isinstance(v, Const) and v.value is not None and _kind(v) == _kind(out):
            # coalesce(x, "") : fill the gaps with the one converted value; a column of n copies
            # through where() cost 0.02-0.1 s a call at 10^6 rows, 266 calls an audit.
            out = out.fillna(broadcast(v, pd.RangeIndex(1), vtype).iloc[0])
            continue
        nxt = broadcast(v, index, vtype)
        if _kind(nxt) != _kind(out) and _kind(out) == "text":
            out = broadcast(harmonize(out, nxt, index)[0], index, vtype)
        out = out.where(out.notna(), nxt)
    return out


def abs_(v: Value, index: pd.Index) -> pd.Series:
    return as_number(v, index).abs()


def round_(v: Value, digits: int, index: pd.Index) -> pd.Series:
    return as_number(v, index).round(digits)


def year(v: Value, index: pd.Index) -> pd.Series:
    return broadcast(v, index, "date").dt.year.astype("Float64")


def aggregate(kind: str, values: pd.Series | None, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """An aggregate of lower-level units per unit of ``index``, NULL-aware, one pass each.

    ``codes``: each lower unit's position in ``index`` (-1: none). any: True if any True, else
    NA if any NA, else False; all: False if any False, else NA if any NA, else True;
    count(cond): number of True, NA if any NA; count(): units; sum/min/max: NA if any value is
    NA. No units: False, True, 0, 0, NA.
    """
    n = len(index)
    known = codes >= 0
    c = codes[known]
    if values is None:  # count()
        return pd.Series(np.bincount(c, minlength=n), index=index).astype("Float64")
    na = values.isna().to_numpy()[known]
    unknown = np.bincount(c[na], minlength=n) > 0
    result: pd.Series
    if kind in ("any", "all", "count"):
        true = values.astype("boolean").fillna(False).to_numpy(dtype=bool)[known]
        if kind == "any":
            hit = np.bincount(c[true], minlength=n) > 0
            result = pd.Series(hit, index=index, dtype="boolean")
            unknown &= ~hit
        elif kind == "all":
            miss = np.bincount(c[~true & ~na], minlength=n) > 0
            result = pd.Series(~miss, index=index, dtype="boolean")
            unknown &= ~miss
        else:
            result = pd.Series(np.bincount(c[true], minlength=n), index=index).astype("Float64")
    elif kind == "sum":
        weights = values.to_numpy(dtype=float, na_value=0.0)[known]
        total = np.bincount(c, weights=weights, minlength=n)
        result = pd.Series(total, index=index).astype("Float64")
    else:  # min / max
        member_values = values[known].reset_index(drop=True)
        grouped = member_values.groupby(c, sort=False)
        per_code = grouped.min() if kind == "min" else grouped.max()
        result = per_code.reindex(pd.RangeIndex(n))
        result.index = index
    return result.mask(unknown) if unknown.any() else result


def latest(values: pd.Series, start: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per unit of ``index``, the value at its most recent spell (latest ``start``; spells
    without a start count as earliest, ties go to the later row); NA without spells."""
    n = len(index)
    known = np.flatnonzero(codes >= 0)
    out = pd.Series(pd.array([pd.NA] * n, dtype=values.dtype), index=index)
    if not len(known):
        return out
    when = start.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))[known]
    ns = when.astype(np.int64)
    ns[np.isnat(when)] = np.iinfo(np.int64).min
    order = known[np.lexsort((known, ns, codes[known]))]
    c = codes[order]
    last = order[np.r_[c[1:] != c[:-1], True]]
    out.iloc[codes[last]] = values.iloc[last].to_numpy()
    return out


# -- text -------------------------------------------------------------------------------------
# Separators of multi-value cells (帮扶措施 lists such as "产业奖补,小额信贷、技能培训").
_ITEM_SEPARATORS = r"[,，、;；/／\s]+"


def _text(v: Value, index: pd.Index) -> pd.Series:
    return broadcast(v, index, "text").astype("string")


def text_test(test: str, v: Value, needle: str, index: pd.Index) -> pd.Series:
    """contains / startswith / endswith / has (an item of a multi-value cell) / matches (the
    whole text matches a pattern, run by RE2 through pyarrow: linear time, no backtracking);
    blank text -> unknown."""
    s = _text(v, index).str.strip()
    if test == "contains":
        out = s.str.contains(needle, regex=False)
    elif test == "startswith":
        out = s.str.startswith(needle)
    elif test == "endswith":
        out = s.str.endswith(needle)
    elif test == "has":
        items = "\x1f" + s.str.replace(_ITEM_SEPARATORS, "\x1f", regex=True) + "\x1f"
        out = items.str.contains("\x1f" + needle.strip() + "\x1f", regex=False)
    else:
        arr = pa.array(s.array)  # the Arrow strings themselves (no Python objects)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.string())
        hit = pc.match_substring_regex(arr, pattern=f"^(?:{needle})$")
        out = pd.Series(pd.arrays.ArrowExtensionArray(hit), index=index)
    out = as_boolean(out, index)  # not through Python objects: ~80 ms a call at 10^6 rows
    blank = (s.isna() | (s == "")).to_numpy(dtype=bool)
    return out.mask(blank) if blank.any() else out


def pattern_error(pattern: str) -> str | None:
    """Why RE2 (pyarrow) rejects a matches() pattern, or None. Checked when the rule loads."""
    try:
        pc.match_substring_regex(pa.array([""], type=pa.string()), pattern=f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return str(exc).splitlines()[0]
    return None


def length(v: Value, index: pd.Index) -> pd.Series:
    """Number of characters (surrounding spaces not counted); blank -> unknown."""
    s = _text(v, index).str.strip()
    out = s.str.len().astype("Float64")
    return out.mask((s == "").fillna(False))


def duplicated(values: Sequence[pd.Series], index: pd.Index) -> pd.Series:
    """duplicated(x): another unit has the same non-blank x. duplicated(x, g): another unit
    with the same x has a different g (x shared across g's). Blank x -> False."""
    x = values[0].astype("string").str.strip()
    present = (x.notna() & (x != "")).to_numpy(dtype=bool)
    out = np.zeros(len(index), dtype=bool)
    if present.any():
        # Integer codes, then counting: no frame of string pairs (10^6 rows: 2 s -> 0.2 s).
        codes, uniques = pd.factorize(x[present])
        if len(values) == 1:
            out[present] = np.bincount(codes, minlength=len(uniques))[codes] > 1
        else:
            g = values[1].astype("string").fillna("")
            groups, g_uniques = pd.factorize(g[present])
            pairs = pd.unique(codes.astype(np.int64) * len(g_uniques) + groups)  # khash
            per_x = np.bincount(pairs // len(g_uniques), minlength=len(uniques))
            out[present] = per_x[codes] > 1
    return pd.Series(out, index=index, dtype="boolean")
