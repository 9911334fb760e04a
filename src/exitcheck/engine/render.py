"""Vectorized finding messages: a template's literal parts joined with formatted value columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

BLANK = {"zh": "空", "en": "blank"}
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_LIST_SEP = {"zh": "、", "en": ", "}


def format_scalar(value: Any, lang: str = "zh") -> str:
    """One value as shown in messages (parameters): 3750 not 3750.0, lists joined, NA blank."""
    if isinstance(value, list | tuple):
        return _LIST_SEP.get(lang, ", ").join(format_scalar(v, lang) for v in value)
    return str(format_series(pd.Series([value], dtype=object), lang).iloc[0])


def format_series(values: pd.Series, lang: str = "zh") -> pd.Series:
    """Values as message text, column-at-a-time.

    Numbers lose a trailing ``.0`` and keep at most two decimals; booleans read 是/否; dates
    read YYYY-MM-DD; missing values read 空 (``blank`` in English).
    """
    s = values
    if s.dtype == object:
        s = s.infer_objects()
        if s.dtype == object:
            converted = pd.to_numeric(s, errors="coerce")
            if converted.notna().sum() == s.notna().sum() and s.notna().any():
                s = converted
    missing = s.isna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(s.dtype):
        yes, no = YES_NO.get(lang, YES_NO["zh"])
        text = pd.Series(
            np.where(s.fillna(False).astype(bool).to_numpy(), yes, no), index=s.index, dtype=object
        )
    elif pd.api.types.is_numeric_dtype(s.dtype):
        num = s.astype("Float64")
        finite = num.notna() & (num.abs() < 1e15)
        integral = (finite & ((num % 1) == 0)).fillna(False).astype(bool)
        ints = num.where(integral).round().astype("Int64").astype("string")
        decimals = num.round(2).astype("string")
        text = ints.where(integral, decimals).astype(object)
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        text = s.dt.strftime("%Y-%m-%d").astype(object)
    else:
        text = s.astype("string").astype(object)
    text = text.where(~missing, BLANK.get(lang, BLANK["zh"]))
    return pd.Series(text.to_numpy(dtype=object), index=values.index, dtype=object)


def render(
    parts: Sequence[tuple[str, Any]],
    columns: Mapping[str, pd.Series],
    index: pd.Index,
    lang: str = "zh",
) -> pd.Series:
    """Join a template's parts: ``parts`` is [(literal, placeholder or None)], as parsed by
    ruleset; each placeholder's ``text`` keys ``columns`` (a Series aligned to ``index``, or a
    scalar-like 0-d value for parameters)."""
    out = pd.Series("", index=index, dtype=object)
    for literal, ph in parts:
        if literal:
            out = out + literal
        if ph is None:
            continue
        col = columns.get(ph.text)
        if col is None:
            out = out + BLANK.get(lang, BLANK["zh"])
        elif isinstance(col, pd.Series):
            out = out + format_series(col.reindex(index), lang)
        else:
            out = out + format_scalar(col, lang)
    return out
