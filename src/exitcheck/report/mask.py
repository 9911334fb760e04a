"""Masking of ID numbers and removal of contact fields in every output (issue `exitcheck audit`, 2).

Outputs leave the machine (village notices, reports to the county): POLICY.md §4 says notices must
not show ID, phone or bank details. So every writer masks ID numbers unless ``show_ids=True``:
18 characters -> first 6 + ``********`` + last 4 (``511602********1234``); other lengths keep the
first 3 and last 2. Phone and bank-card fields are dropped at load; writers strip them again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

# Canonical fields that are never copied into an output (rules/fields.yaml: sensitive: true).
SENSITIVE_KEYS: frozenset[str] = frozenset({"phone", "bank_account"})
# Keys whose values are ID numbers of people, masked whatever their length.
ID_KEYS: frozenset[str] = frozenset({"id_number", "head_id_number"})

# A citizen ID inside free text (messages, values): a standalone token of 18 characters (17
# digits + digit/X) or the old 15-digit form. Shape only, no date check: an ID with a bad birth
# date or check character is exactly what DQ messages quote, and it must be masked too.
# An ID stored as a number and printed by Python (``5.11602194903171e+17``) still shows 15 of
# its digits (region, birth date, sequence): masked too, after turning it back into digits.
_ID_AS_FLOAT = r"\d\.\d{6,}[eE]\+?1[4-7]"
ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])"
    rf"|(?<![0-9A-Za-z.]){_ID_AS_FLOAT}(?![0-9A-Za-z])"
)
_FLOAT_ID = re.compile(_ID_AS_FLOAT)
_STARS_18 = "*" * 8


def _as_digits(text: str) -> str:
    """``5.11602194903171e+17`` -> ``511602194903171000`` (the digits kept); else unchanged."""
    if _FLOAT_ID.fullmatch(text):
        return format(Decimal(text), "f")
    return text


def mask_id(value: Any) -> Any:
    """Mask one ID number; missing values and non-strings other than numbers pass through."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    text = _as_digits(str(value).strip())
    n = len(text)
    if n == 18:
        return f"{text[:6]}{_STARS_18}{text[-4:]}"
    if n <= 5:
        return "*" * n
    return f"{text[:3]}{'*' * (n - 5)}{text[-2:]}"


def _mask_match(match: re.Match[str]) -> str:
    return mask_id(match.group(0))  # type: ignore[no-any-return]


def mask_text(text: str) -> str:
    """Mask every citizen ID number that appears inside a free text."""
    return ID_IN_TEXT.sub(_mask_match, text)


def mask_id_series(series: pd.Series) -> pd.Series:
    """Vectorized :func:`mask_id` for a column of ID numbers (missing stays missing)."""
    text = series.astype("string").str.strip()
    floats = text.str.fullmatch(_FLOAT_ID.pattern).fillna(False)
    if floats.any():  # rare (IDs stored as numbers): converted one by one
        text = text.mask(floats, text[floats].map(_as_digits))
    n = text.str.len()
    long_form = text.str.slice(0, 6) + _STARS_18 + text.str.slice(-4)
    middle = pd.Series("*", index=text.index, dtype="string").str.repeat(
        (n - 5).clip(lower=0).fillna(0).astype("int64")
    )
    short_form = text.str.slice(0, 3) + middle + text.str.slice(-2)
    tiny = pd.Series("*", index=text.index, dtype="string").str.repeat(
        n.clip(upper=5).fillna(0).astype("int64")
    )
    out = short_form.where(n > 5, tiny).where(n != 18, long_form)
    return out.where(text.notna(), pd.NA)


def mask_text_series(series: pd.Series) -> pd.Series:
    """Vectorized :func:`mask_text` for a column of free text."""
    text = series.astype("string")
    return text.str.replace(ID_IN_TEXT, _mask_match, regex=True)


def clean_values(values: Any, *, show_ids: bool = False) -> Any:
    """A finding's ``values`` made safe to publish: contact keys dropped, IDs masked (recursive)."""
    if isinstance(values, Mapping):
        out: dict[str, Any] = {}
        for key, val in values.items():
            k = str(key)
            if k in SENSITIVE_KEYS:
                continue
            # Builtin findings carry the offending cell as {"field": "id_number", "value": ...}.
            is_id = k in ID_KEYS or (k == "value" and values.get("field") in ID_KEYS)
            if is_id and not show_ids and not isinstance(val, (Mapping, list, tuple)):
                out[k] = mask_id(val)
            else:
                out[k] = clean_values(val, show_ids=show_ids)
        return out
    if isinstance(values, (list, tuple)):
        return [clean_values(v, show_ids=show_ids) for v in values]
    if isinstance(values, str) and not show_ids:
        return mask_text(values)
    return values
