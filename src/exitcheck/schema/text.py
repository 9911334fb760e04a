"""Text folding shared by header matching and value cleaning (full-width, spaces, units, case)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

# Unit suffixes that exports append to headers: "人均纯收入（元）", "林地面积(亩)".
# Matched after NFKC folding (so full-width brackets are already half-width). Field units from the
# catalogue are added to these at match time (FieldCatalogue).
HEADER_UNITS: tuple[str, ...] = (
    "元", "万元", "千元", "人", "户", "个", "亩", "岁", "%", "年", "月", "次", "天",
    "元/人", "元/年", "元/人/年", "元/人·年", "元/人.年", "万元/年", "m2", "平方米", "公斤", "斤",
)  # fmt: skip

_WS = re.compile(r"\s+")
# Required-field markers in templates: "*姓名", "★证件号码".
_MARKERS = re.compile(r"^[*★☆※#]+|[*★☆※]+$")
_TRAILING_PAREN = re.compile(r"\(([^()]*)\)$")
_SERIAL_PREFIX = re.compile(r"^\d{1,2}[.、]")  # "1.户编号", "2、姓名" in some templates


def fold(text: str) -> str:
    """NFKC (full-width -> half-width), drop all whitespace incl. newlines, casefold."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).casefold()


def strip_unit(text: str, units: frozenset[str]) -> str:
    """Drop trailing "(元)"-style unit groups (repeatedly), and a dangling "/" left by them."""
    while True:
        m = _TRAILING_PAREN.search(text)
        if m is None:
            return text
        inner = m.group(1)
        if inner.startswith("单位"):
            inner = inner[2:].lstrip(":")
        if inner.casefold() not in units:
            return text
        text = text[: m.start()].rstrip("/")


def header_key(text: str, units: frozenset[str]) -> str:
    """The comparison key of a header or alias: folded, markers and unit suffixes removed."""
    key = _MARKERS.sub("", fold(text))
    return strip_unit(key, units).rstrip("/")


def header_candidates(text: str, units: frozenset[str]) -> list[str]:
    """Keys to try for a header, most specific first.

    1. the whole header; 2. the part after each "/" of a merged two-row header
    ("收入情况（元）/工资性收入" -> "工资性收入"); 3. each of these without a trailing
    parenthesised qualifier ("乡(镇)" -> "乡") or a leading serial number ("1.户编号").
    """
    base = header_key(text, units)
    keys = [base]
    parts = base.split("/")
    for i in range(1, len(parts)):
        tail = strip_unit("/".join(parts[i:]), units)
        if tail:
            keys.append(tail)
    more: list[str] = []
    for key in keys:
        bare = _SERIAL_PREFIX.sub("", key)
        bare = _TRAILING_PAREN.sub("", bare)
        if bare and bare != key:
            more.append(bare)
    seen: dict[str, None] = {}
    for key in keys + more:
        seen.setdefault(key, None)
    return [k for k in seen if k]


def compact_text(values: pd.Series) -> pd.Series:
    """NFKC-folded text without any whitespace (vectorized; NA stays NA).

    Column-sized inputs (ID columns) are the common case, so the expensive steps only touch
    the rows that need them: NFKC on non-ASCII rows, the regex on rows holding a space.
    """
    s = values.astype("string").str.strip()
    wide = _non_ascii(s)
    if wide.any():
        s = s.copy()
        s[wide] = s[wide].str.normalize("NFKC").str.strip().to_numpy()
    # Only texts that are not all letters/digits can hold a space: the regex runs on those.
    spaced = ~s.str.isalnum().fillna(True).to_numpy(dtype=bool)
    if spaced.any():
        spaced[spaced] = s[spaced].str.contains(r"[ \t\n]", regex=True).fillna(False).to_numpy(
            dtype=bool
        )
    if spaced.any():
        s = s.copy()
        s[spaced] = s[spaced].str.replace(r"\s+", "", regex=True).to_numpy()
    return s


def _non_ascii(s: pd.Series) -> np.ndarray:
    """Rows holding a character beyond U+007F (False for NA); ``str.isascii`` (pandas >= 3) is a
    plain kernel, ~15x cheaper than the regex that pandas 2.2 needs."""
    if hasattr(s.str, "isascii"):
        return ~s.str.isascii().fillna(True).to_numpy(dtype=bool)
    return s.str.contains("[^\\x00-\\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)


def fold_series(values: pd.Series) -> pd.Series:
    """Vectorized ``fold`` of a string Series (NA stays NA). Lower-casing stands in for
    casefold (arrow-native; they differ only on letters that do not occur in exports)."""
    return compact_text(values).str.lower()
