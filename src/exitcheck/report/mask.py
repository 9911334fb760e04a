"""Masking of ID numbers, phone and bank-card numbers in every output (issues 11 and 12).

Outputs leave the machine (village notices, reports to the county): the monitoring guidance says
notices must not show ID, phone or bank details (docs/policy.md §4). So every writer masks ID
numbers unless ``show_ids=True``: 18 characters -> first 6 + ``********`` + last 4
(``511602********1234``); other lengths keep the first 3 and last 2. Sensitive fields
(rules/fields.yaml ``sensitive: true``: phones, bank cards) are read so a rule may check them,
a finding's ``values`` never carry them, and in any text (a message quoting one) they are masked
like IDs: mobiles, fixed lines with an area code and bank cards are recognised by shape.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Canonical fields whose values are always masked (rules/fields.yaml: sensitive: true); the
# catalogue's own list is added by sensitive_fields().
SENSITIVE_KEYS: frozenset[str] = frozenset({"phone", "member_phone", "collector_phone",
                                            "bank_account"})


@functools.lru_cache(maxsize=1)
def sensitive_fields() -> frozenset[str]:
    """Every field the shipped catalogue marks ``sensitive: true`` (plus SENSITIVE_KEYS)."""
    from exitcheck.resources import field_catalogue_path
    from exitcheck.schema.catalogue import _load

    fields = _load(field_catalogue_path()).fields  # not load_catalogue(): no context reset
    return SENSITIVE_KEYS | frozenset(n for n, spec in fields.items() if spec.sensitive)
# Keys whose values are ID numbers of people, masked whatever their length.
ID_KEYS: frozenset[str] = frozenset({"id_number", "head_id_number"})
# clean_values publishes numbers below this as they are; a larger one may be an ID or a phone.
PLAIN_LIMIT = 1e10

# Identifier-like text anywhere in a free text (messages, names, villages, headers, sheet and
# file names): one pattern finds candidate runs, ``_mask_match`` decides what they are.
#
# * citizen IDs: 18 characters (17 digits + digit/X), the old 15-digit form, a 17-digit ID that
#   lost its check character, an 18-character ID with a letter O typed for a zero or a trailing
#   letter, a registry ID with a suffix (its first 18 characters a date-plausible ID). Shape
#   only for 15/17/18: an ID with a bad birth date or check character is exactly what DQ
#   messages quote, and it must be masked too;
# * mobile numbers ``1[3-9]`` + 9 digits (also written 3-4-4 with spaces or hyphens);
# * bank-card numbers: 16-19 digits passing the Luhn check with a card prefix (62 UnionPay,
#   4 Visa), also written in groups of four. 16-digit 户编号 and 19-digit 人编号 are not masked
#   unless they pass both tests (a registry key that does is masked: privacy first);
# * an ID stored as a number and printed by Python (``5.11602194903171e+17``) still shows 15 of
#   its digits (region, birth date, sequence): masked too, after turning it back into digits.
# Digits may be full-width (０-９). A run inside a long hexadecimal text (a SHA-256) is left.
_ID_AS_FLOAT = r"\d\.\d{6,}[eE]\+?1[4-7]"
_D = r"\d"  # any Unicode decimal digit: ASCII, full-width, others
_SEP = "[ \\-]"
ID_IN_TEXT = re.compile(
    rf"(?<![\d.]){_ID_AS_FLOAT}(?![0-9A-Za-z])"
    # grouped forms: phone 3-4-4, ID 6-8-4, card 4-4-4-4(-1..3)
    rf"|(?<!{_D}){_D}{{3}}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}(?!{_D}|{_SEP}{_D})"
    rf"|(?<!{_D}){_D}{{6}}{_SEP}{_D}{{8}}{_SEP}{_D}{{3}}[\dXx](?!{_D})"
    rf"|(?<!{_D}){_D}{{4}}(?:{_SEP}{_D}{{4}}){{3}}(?:{_SEP}{_D}{{1,3}})?(?!{_D})"
    # a fixed-line number with its area code: 0838-2345678, 010-12345678
    rf"|(?<!{_D})0{_D}{{2,3}}-{_D}{{7,8}}(?!{_D}|-{_D})"
    # a contiguous run; a letter O inside it counts as a zero, X/x (or any letter) may end it
    rf"|(?<!{_D}){_D}(?:{_D}|[Oo](?={_D}|[Oo]{_D}))*(?:[Xx](?!{_D}))?"
    rf"(?!{_D})"
)
_FLOAT_ID = re.compile(_ID_AS_FLOAT)
_STARS_18 = "*" * 8
_HEX = frozenset("0123456789abcdefABCDEF")
_DATE8 = re.compile(r"(?:1[89]|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_CARD_PREFIXES = ("62", "4")
# An ID inside a longer run of digits (typed next to other numbers): region, birth date, rest.
_EMBEDDED_ID = re.compile(r"\d{6}" + _DATE8.pattern + r"\d{3}[\dXx]")


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


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _in_hex_run(text: str, start: int, end: int) -> bool:
    """Whether [start, end) sits inside a run of >= 32 hex characters with a letter (a hash)."""
    i, j = start, end
    while i > 0 and text[i - 1] in _HEX:
        i -= 1
    while j < len(text) and text[j] in _HEX:
        j += 1
    return j - i >= 32 and not text[i:j].isdigit()


_NON_ASCII_DIGIT = re.compile(r"[^0-9]")


def identifier_kind(token: str) -> str | None:
    """'id', 'phone', 'card' for text that is one of them (see ID_IN_TEXT), else None."""
    zeroed = token.replace("O", "0").replace("o", "0")
    digits = (_NON_ASCII_DIGIT.sub("", zeroed) if zeroed.isascii()  # the usual case, in C
              else "".join(str(unicodedata.decimal(c)) for c in zeroed if c.isdecimal()))
    typo = token[-1:] in "Xx"
    n = len(digits) + typo
    grouped = " " in token or "-" in token
    if _FLOAT_ID.fullmatch(token):
        return "id"
    if n == 11 and re.fullmatch(r"1[3-9]\d{9}", digits):
        return "phone"
    if not typo and n in (10, 11, 12) and re.fullmatch(r"0[1-9]\d{8,10}", digits) and (
            "-" in token or n >= 11):
        return "phone"  # fixed line with area code (0838-2345678, 08382345678)
    if grouped and n in (15, 18):
        return "id"
    if not grouped and n in (15, 17, 18):
        return "id"
    if n > 18 and not typo and _DATE8.fullmatch(digits[6:14]):
        return "id"  # a registry ID with a suffix: its first 18 characters are an ID
    if 16 <= n <= 19 and not typo and digits.startswith(_CARD_PREFIXES) and _luhn(digits):
        return "card"
    return None


def _mask_match(match: re.Match[str]) -> str:
    token = match.group(0)
    if len(token) < 11:
        return token
    if identifier_kind(token) is None:
        if len(token) > 18 and token.isascii() and token.isalnum():
            return _EMBEDDED_ID.sub(lambda m: mask_id(m.group(0)), token.replace("O", "0"))
        return token
    if _in_hex_run(match.string, match.start(), match.end()):
        return token
    if " " in token or "-" in token:  # grouped: keep the separators, mask the digits
        kept = mask_id(token.replace(" ", "").replace("-", ""))
        out, k = [], 0
        for ch in token:
            if ch in " -":
                out.append(ch)
            else:
                out.append(kept[k])
                k += 1
        return "".join(out)
    return mask_id(token)  # type: ignore[no-any-return]


# Every token _mask_match may change is >= 11 characters of digits, O/o, separators, the float
# form's ".e+" and a final X: a text without such a run has nothing to mask. One C-level search
# instead of a Python call per digit run (~0.5 M runs in a 100k-row audit's outputs).
_MAYBE_IDENTIFIER = re.compile(rf"{_D}[\dOo \-.eE+Xx]{{10}}")


def mask_text(text: str) -> str:
    """Mask every ID, mobile and bank-card number that appears anywhere inside a text."""
    if len(text) < 11 or _MAYBE_IDENTIFIER.search(text) is None:
        return text
    return _mask_found(text)


@lru_cache(maxsize=1 << 16)
def _mask_found(text: str) -> str:
    """The same ID is quoted in several sheets and in the JSON: masked once."""
    return ID_IN_TEXT.sub(_mask_match, text)


def mask_any(value: Any, *, show_ids: bool = False) -> Any:
    """``value`` with every string in it masked (dict keys too); other values unchanged."""
    if show_ids:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {mask_any(k): mask_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_any(v) for v in value]
    return value


def mask_id_series(series: pd.Series) -> pd.Series:
    """Vectorized :func:`mask_id` for a column of ID numbers (missing stays missing), in Arrow:
    the stars of each length are one string, taken per row."""
    text = series.astype("string").str.strip()
    floats = text.str.fullmatch(_FLOAT_ID.pattern).fillna(False)
    if floats.any():  # rare (IDs stored as numbers): converted one by one
        text = text.mask(floats, text[floats].map(_as_digits))
    arr = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())
    n = pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)
    # Stars per row: 8 for 18 characters, n - 5 above 5, n for 5 or fewer.
    count = np.where(n == 18, 8, np.where(n > 5, n - 5, n))
    distinct, at = np.unique(count, return_inverse=True)
    stars = pa.array(["*" * int(k) for k in distinct], type=pa.string()).take(
        pa.array(at.ravel(), type=pa.int64()))
    head = np.where(n == 18, 6, np.where(n > 5, 3, 0))
    tail = np.where(n == 18, 4, np.where(n > 5, 2, 0))
    parts = []
    for keep_head, keep_tail in {(6, 4), (3, 2), (0, 0)}:
        rows = (head == keep_head) & (tail == keep_tail)
        if rows.any():
            parts.append((rows, keep_head, keep_tail))
    out = np.empty(len(arr), dtype=object)
    for rows, keep_head, keep_tail in parts:
        where = pa.array(np.flatnonzero(rows), type=pa.int64())
        part = arr.take(where)
        joined = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(part, 0, keep_head), stars.take(where),
            pc.utf8_slice_codeunits(part, -keep_tail, 2**31 - 1) if keep_tail else
            pa.scalar("", type=pa.string()), "")
        out[rows] = joined.to_numpy(zero_copy_only=False)
    result = pd.Series(pd.array(out, dtype="string"), index=series.index)
    return result.where(text.notna(), pd.NA)


def mask_text_series(series: pd.Series) -> pd.Series:
    """Vectorized :func:`mask_text` for a column of free text (distinct values masked once).

    Gives exactly ``mask_text`` of every value (tests/report/test_mask_series.py). Most columns
    are either text without a digit run (names, places, most messages: left by one RE2 scan) or
    registry keys of ASCII digits (户编号, 人编号: classified column-wise by _mask_digit_keys);
    only the rest is masked one value at a time.
    """
    text = series.astype("string")
    if text.empty:
        return text
    codes, distinct = pd.factorize(text, use_na_sentinel=True)
    if not len(distinct):
        return text
    values = np.asarray(distinct, dtype=object)
    masked = values.copy()
    try:
        arrow = pa.array(values, type=pa.large_string())
    except (UnicodeEncodeError, pa.ArrowException):  # a lone surrogate (pandas 2.2's python-
        # backed string dtype holds one; Arrow needs UTF-8): one value at a time
        masked = np.array([mask_text(str(v)) for v in values], dtype=object)
        return _from_codes(text, codes, masked, values)
    digits = pc.match_substring_regex(arrow, "^[0-9]+$").to_numpy(zero_copy_only=False)
    if digits.any():
        lengths = pc.binary_length(arrow).to_numpy(zero_copy_only=False)  # ASCII: characters
        masked[digits] = _mask_digit_keys(values[digits], lengths[digits])
    # An 18-character ID ending in X is one of them as a whole (identifier_kind: 17 digits
    # and the check character): mask_id, as an 18-digit key.
    with_x = pc.match_substring_regex(arrow, "^[0-9]{17}[Xx]$").to_numpy(zero_copy_only=False)
    if with_x.any():
        masked[with_x] = mask_id_series(pd.Series(values[with_x], dtype="string")).to_numpy(
            dtype=object)
    # A superset of _MAYBE_IDENTIFIER in RE2 (any numeric character for \d): what it leaves
    # out has nothing to mask.
    maybe = pc.match_substring_regex(
        arrow, r"[\pN][\pNOo \-.eE+Xx]{10}").to_numpy(zero_copy_only=False) & ~digits & ~with_x
    for i in np.flatnonzero(maybe):
        masked[i] = mask_text(values[i])
    return _from_codes(text, codes, masked, values)


def _from_codes(text: pd.Series, codes: np.ndarray, masked: np.ndarray,
                values: np.ndarray) -> pd.Series:
    if not (masked != values).any():
        return text
    out = pd.Series(pd.array(masked[codes], dtype="string"), index=text.index)
    return out.where(codes >= 0, pd.NA)


def _mask_digit_keys(values: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """:func:`mask_text` of texts that are one run of ASCII digits, column-wise: grouped by
    length, the kind (identifier_kind: ID by length or by a birth date at 7-14, mobile, fixed
    line, bank card by prefix and Luhn) is decided on a digit matrix. Runs over 18 digits that
    are no ID may hold one inside (_EMBEDDED_ID). ``lengths``: of each value, if known."""
    out = values.copy()
    if lengths is None:
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    for n in np.unique(lengths):
        if n < 11:
            continue
        rows = np.flatnonzero(lengths == n)
        d = (np.frombuffer("".join(values[rows]).encode("ascii"), dtype=np.uint8)
             .reshape(len(rows), n) - np.uint8(48))
        if n in (15, 17, 18):
            hit = np.ones(len(rows), dtype=bool)
        elif n == 11:  # mobile 1[3-9]..., or a fixed line 0[1-9]... with its area code
            hit = ((d[:, 0] == 1) & (d[:, 1] >= 3)) | ((d[:, 0] == 0) & (d[:, 1] >= 1))
        elif n == 12:
            hit = (d[:, 0] == 0) & (d[:, 1] >= 1)
        else:
            hit = np.zeros(len(rows), dtype=bool)
            if n > 18:
                hit |= _birth_date_at_7(d)
            if 16 <= n <= 19:
                card = np.flatnonzero(((d[:, 0] == 6) & (d[:, 1] == 2)) | (d[:, 0] == 4))
                hit[card[_luhn_ok(d[card])]] = True
        if hit.any():  # mask_id column-wise (the digits need no stripping or float form)
            out[rows[hit]] = mask_id_series(pd.Series(values[rows[hit]], dtype="string")
                                            ).to_numpy(dtype=object)
        if n > 18:  # no ID or card as a whole: an ID may sit inside (_EMBEDDED_ID)
            rest = rows[~hit]
            if n < 2 * 18:  # room for one embedded ID only: found column-wise
                out[rest] = _embedded_id_masked(values[rest], d[~hit])
            else:
                for i in rest:
                    out[i] = mask_text(values[i])
    return out


def _embedded_id_masked(values: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``_EMBEDDED_ID.sub(mask_id)`` of digit runs of one length under 36 (so at most one
    match): the leftmost start whose digits 7-14 are a plausible birth date gets its birth
    date starred (mask_id of 18 characters keeps the first 6 and the last 4)."""
    out = values.copy()
    n = d.shape[1]
    start = np.full(len(d), -1, dtype=np.int64)
    for s in range(n - 18, -1, -1):  # right to left: the leftmost start is written last
        start[_birth_date_at_7(d[:, s:])] = s
    for s in np.unique(start[start >= 0]):
        at = np.flatnonzero(start == s)
        text = pa.array(values[at], type=pa.string())
        starred = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(text, 0, int(s) + 6), _STARS_18,
            pc.utf8_slice_codeunits(text, int(s) + 14, n), "")
        out[at] = starred.to_numpy(zero_copy_only=False)
    return out


def _luhn_ok(d: np.ndarray) -> np.ndarray:
    """Rows of a digit matrix that pass the Luhn check (as _luhn)."""
    rev = d[:, ::-1].astype(np.int32)
    doubled = rev[:, 1::2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (rev[:, 0::2].sum(axis=1) + doubled.sum(axis=1)) % 10 == 0  # type: ignore[no-any-return]


def _birth_date_at_7(d: np.ndarray) -> np.ndarray:
    """Rows whose digits 7-14 match _DATE8 (a plausible yyyymmdd)."""
    century = d[:, 6] * 10 + d[:, 7]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    return (((century == 18) | (century == 19) | (century == 20))  # type: ignore[no-any-return]
            & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31))


@lru_cache(maxsize=4096)
def _masked_key(key: str) -> str:
    """A values key (a field name or header: a few distinct ones per run) masked once."""
    return mask_text(key)


def clean_values(values: Any, *, show_ids: bool = False) -> Any:
    """A finding's ``values`` made safe to publish: contact keys dropped, IDs masked (recursive)."""
    if isinstance(values, Mapping):
        out: dict[str, Any] = {}
        sensitive = sensitive_fields()
        for key, val in values.items():
            k = str(key)
            if k in sensitive:  # a phone or bank card a rule read: never published
                continue
            # Builtin findings carry the offending cell as {"field": "id_number", "value": ...}.
            is_id = k in ID_KEYS or (k == "value" and values.get("field") in ID_KEYS)
            shown_key = k if show_ids else _masked_key(k)  # a header may hold an ID too
            kind = val.__class__
            if is_id and not show_ids and not isinstance(val, (Mapping, list, tuple)):
                out[shown_key] = mask_id(val)
            elif val is None or kind is bool or (  # plain small numbers inline (most values)
                    (kind is int or kind is float) and -PLAIN_LIMIT < val < PLAIN_LIMIT):
                out[shown_key] = val
            else:
                out[shown_key] = clean_values(val, show_ids=show_ids)
        return out
    if isinstance(values, (list, tuple)):
        return [clean_values(v, show_ids=show_ids) for v in values]
    if isinstance(values, str) and not show_ids:
        return mask_text(values)
    if isinstance(values, int | float) and not isinstance(values, bool) and not show_ids:
        # an ID or phone number stored as a number: masked (as text) like the same digits
        if abs(values) >= PLAIN_LIMIT and values == values:
            text = str(values) if isinstance(values, int) else repr(values)
            masked = mask_text(text)
            return masked if masked != text else values
    return values


# Characters that would act on a terminal instead of being shown: C0/C1 controls (ESC starts
# ANSI sequences), DEL, and the bidirectional overrides/isolates that reorder what is displayed
# (a name with U+202E reads backwards). Shown as escapes such as ``\x1b`` and ``\u202e``.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and bidi-override characters made visible (``\\x1b``), for the
    terminal and one-line error messages; newlines and tabs are kept."""
    return _CONTROL.sub(_escape_control, text)


def inert(text: str, *, show_ids: bool = False) -> str:
    """What a data-derived text may print as: identifiers masked (unless ``show_ids``) and
    control characters made visible. Rich markup is escaped by the caller (``Text``)."""
    return printable(text if show_ids else mask_text(text))
