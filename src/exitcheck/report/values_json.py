"""The findings' ``values`` as one-line JSON texts, encoded a key at a time.

A finding's ``values`` is a small dict (the fields and parameters its rule read). The workbook's
明细 sheet, the findings file and the JSON report each publish it as
``compact_json(clean_values(values))``: contact fields dropped, identifiers masked, JSON-safe.
Done finding by finding that is a recursive walk, a regex scan and a ``json.dumps`` per finding
(~10 µs; 2-3 s at 10^6 members, in each writer). The findings of one rule share their keys, so
here the findings are grouped by their keys and each key's values are encoded together: texts
masked once per distinct text (``mask_text_series``) and JSON-quoted once per distinct result,
plain numbers, bools and nulls written directly. Anything else (nested values, numpy scalars,
dates, identifiers, very large numbers) takes the per-value path, so every text equals
``compact_json(clean_values(values))`` (tests/report/test_values_json.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from exitcheck.report.jsonsafe import compact_json, to_jsonable
from exitcheck.report.mask import (
    ID_KEYS,
    PLAIN_LIMIT,
    _masked_key,
    clean_values,
    mask_id,
    mask_text_series,
    sensitive_fields,
)


def values_json(values: Sequence[Any], *, show_ids: bool) -> list[str]:
    """``compact_json(clean_values(v if dict else {}, show_ids=...))`` of every ``v``."""
    n = len(values)
    out: list[str] = [""] * n
    shapes = pd.Series([tuple(v) if v.__class__ is dict else None for v in values],
                       dtype=object)
    codes, uniques = pd.factorize(shapes, use_na_sentinel=True)
    if (codes < 0).any():  # not a dict: published as {}
        for i in np.flatnonzero(codes < 0):
            out[i] = "{}"
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    sensitive = sensitive_fields()
    for g, shape in enumerate(uniques):
        rows = order[bounds[g]:bounds[g + 1]]
        group = [values[i] for i in rows]
        if not all(k.__class__ is str for k in shape):
            texts = [compact_json(clean_values(v, show_ids=show_ids)) for v in group]
        else:
            texts = _group_texts(group, shape, sensitive, show_ids)
        for i, text in zip(rows, texts, strict=True):
            out[i] = text
    return out


def _group_texts(group: list[dict[str, Any]], shape: tuple[str, ...],
                 sensitive: frozenset[str], show_ids: bool) -> list[str]:
    kept = [k for k in shape if k not in sensitive]
    if len({k if show_ids else _masked_key(k) for k in kept}) < len(kept):
        # two keys masked alike: the dict would keep one of them (the per-finding path does)
        return [compact_json(clean_values(v, show_ids=show_ids)) for v in group]
    parts: list[list[str]] = []
    for key in shape:
        if key in sensitive:  # a phone or bank card a rule read: never published
            continue
        shown = key if show_ids else _masked_key(key)
        head = json.dumps(shown, ensure_ascii=False) + ":"
        cells = [d[key] for d in group]
        if key in ID_KEYS:
            is_id = np.ones(len(group), dtype=bool)
        elif key == "value":  # builtin findings: {"field": "id_number", "value": ...}
            is_id = np.array([d.get("field") in ID_KEYS for d in group], dtype=bool)
        else:
            is_id = np.zeros(len(group), dtype=bool)
        parts.append([head + text for text in _column_texts(cells, is_id, show_ids)])
    return ["{" + ",".join(row) + "}" for row in zip(*parts, strict=True)] if parts else (
        ["{}"] * len(group))


def _column_texts(cells: list[Any], is_id: np.ndarray, show_ids: bool) -> list[str]:
    """One key's values as JSON texts, as clean_values + to_jsonable + json.dumps give them."""
    out: list[str | None] = [None] * len(cells)
    strings: list[int] = []
    for i, v in enumerate(cells):
        kind = v.__class__
        if is_id[i] and not show_ids and not isinstance(v, Mapping | list | tuple):
            out[i] = _dumps(to_jsonable(mask_id(v)))
        elif v is None:
            out[i] = "null"
        elif kind is bool:
            out[i] = "true" if v else "false"
        elif kind is str:
            strings.append(i)
        elif kind is int and -PLAIN_LIMIT < v < PLAIN_LIMIT:
            out[i] = repr(v)
        elif kind is float and -PLAIN_LIMIT < v < PLAIN_LIMIT:
            out[i] = repr(v)
        elif kind is float and v != v:  # NaN: outside the plain range test, null as before
            out[i] = "null"
        else:  # nested, numpy, dates, large numbers (maybe an ID as a number), inf
            out[i] = _dumps(to_jsonable(clean_values(v, show_ids=show_ids)))
    if strings:
        texts = pd.Series([cells[i] for i in strings], dtype=object)
        shown = texts if show_ids else mask_text_series(texts.astype("string"))
        codes, distinct = pd.factorize(shown.astype(object), use_na_sentinel=False)
        quoted = [json.dumps(t, ensure_ascii=False) for t in distinct]
        for i, code in zip(strings, codes, strict=True):
            out[i] = quoted[code]
    assert all(t is not None for t in out)
    return out  # type: ignore[return-value]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
