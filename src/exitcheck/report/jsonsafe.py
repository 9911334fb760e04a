"""Conversion of report values to JSON-safe Python: dates ISO, NA/NaN -> None, numpy -> python."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def to_jsonable(value: Any) -> Any:
    """Recursively turn ``value`` into what json.dumps accepts, without losing meaning."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Mapping):
        # Plain scalars inline (a finding's values are mostly flat: ~10^6 of them at 10^6 rows).
        out: dict[str, Any] = {}
        for k, v in value.items():
            kind = v.__class__
            if v is None or kind is str or kind is int or kind is bool:
                out[str(k)] = v
            elif kind is float:
                out[str(k)] = v if math.isfinite(v) else None
            else:
                out[str(k)] = to_jsonable(v)
        return out
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def compact_json(value: Any) -> str:
    """One-line JSON text (Chinese kept readable), e.g. for the 明细 sheet's values column."""
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
