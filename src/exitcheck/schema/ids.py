"""GB 11643-1999 citizen ID numbers, vectorized over string Series: validity, birth date, sex.

18 characters: 6-digit area code (first two = province), 8-digit birth date, 3-digit sequence
(odd = male), ISO 7064 MOD 11-2 check character (0-9 or X). Old 15-digit numbers: 6-digit area,
6-digit birth date (19yymmdd), 3-digit sequence (last digit odd = male), no check character.
Registry IDs of 20 or 22 characters are an 18-character ID plus a suffix (docs/policy.md §5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.array(list("10X98765432"))
_CHECK_CODES = np.frombuffer(b"10X98765432", dtype=np.uint8).astype(np.int64) - 48

# First two digits of a GB/T 2260 area code: part of the ID number format (not a policy region).
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


def id_core(ids: pd.Series) -> pd.Series:
    """Trimmed, upper-cased ID text; 20/22-character registry IDs cut to their first 18."""
    s = ids.astype("string").str.strip().str.upper()
    long = _matching(s, r"(?s)\d{17}[\dX].*", (20, 22))  # (?s): the tail may hold a newline
    if not long.any():
        return s
    return s.mask(long, s.str[:18])


def id_match_key(ids: pd.Series) -> pd.Series:
    """The form two exports of one person's ID are compared in (exitcheck diff): ``id_core``
    (trimmed, upper-case X, registry suffix cut), and an old 15-digit ID widened to 18 digits
    (area + "19" + birth yymmdd + sequence + its MOD 11-2 check character, GB 11643-1999).
    Anything else is kept as written; blanks stay NA."""
    core = id_core(ids)
    core = core.mask(core == "", pd.NA)
    old = _matching(core, r"\d{15}", (15,))
    if not old.any():
        return core
    first17 = core[old].str[:6] + "19" + core[old].str[6:]
    return core.mask(pd.Series(old, index=core.index), first17 + check_char(first17))


def _matching(s: pd.Series, pattern: str, lengths: tuple[int, ...]) -> np.ndarray:
    """``s.str.fullmatch(pattern)`` as a bool array (NA -> False), for a pattern that only
    strings of ``lengths`` characters can match: the regex runs on those rows only."""
    out = s.str.len().isin(lengths).fillna(False).to_numpy(dtype=bool)
    if out.any():
        out[out] = s[out].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return out


def check_char(first17: pd.Series) -> pd.Series:
    """ISO 7064 MOD 11-2 check character for 17-digit strings (NA where not 17 digits)."""
    s = first17.astype("string")
    ok = s.str.fullmatch(r"\d{17}").fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    if ok.any():
        out[ok] = _check_chars(s[ok])
    return out


def _check_chars(first17: pd.Series) -> np.ndarray:
    joined = "".join(first17.str[:17].tolist()).encode("ascii")
    digits = np.frombuffer(joined, dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48
    return _CHECK[(digits @ _WEIGHTS) % 11]


def _digit_matrix(values: pd.Series, width: int) -> np.ndarray:
    """Equal-length ASCII strings -> (n, width) int64 matrix of character codes minus "0"."""
    joined = "".join(values.tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, width).astype(np.int64) - 48


def _number(d: np.ndarray, start: int, stop: int) -> np.ndarray:
    out = np.zeros(len(d), dtype=np.int64)
    for i in range(start, stop):
        out = out * 10 + d[:, i]
    return out


_PROVINCE_INTS = np.array(sorted(int(p) for p in PROVINCE_CODES), dtype=np.int64)


def id_facts(ids: pd.Series) -> pd.DataFrame:
    """Everything the registry derives from an ID column, computed in one pass.

    Columns: ``birth_date`` (datetime64[ns], NaT unless the 18/15-digit form holds a real
    date in 1900-2100), ``sex`` ("男"/"女" from the sequence digit, NA unless 18/15 digits),
    ``province`` (first two digits), ``placeholder`` and ``valid`` (boolean).
    """
    return facts_and_core(ids)[0]


def facts_and_core(ids: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """``id_facts`` and the ``id_core`` it was computed from (callers that need both parse once)."""
    core = id_core(ids)
    n = len(core)
    is18 = _matching(core, r"\d{17}[\dX]", (18,))
    is15 = _matching(core, r"\d{15}", (15,))
    form = is18 | is15
    year = np.zeros(n, dtype=np.int64)
    month = np.zeros(n, dtype=np.int64)
    day = np.zeros(n, dtype=np.int64)
    sex_digit = np.zeros(n, dtype=np.int64)
    prov = np.zeros(n, dtype=np.int64)
    check_ok = np.zeros(n, dtype=bool)
    if is18.any():  # character codes of all 18-digit IDs at once: no per-row Python
        d = _digit_matrix(core[is18], 18)
        year[is18] = _number(d, 6, 10)
        month[is18], day[is18] = _number(d, 10, 12), _number(d, 12, 14)
        sex_digit[is18] = d[:, 16]
        prov[is18] = _number(d, 0, 2)
        expected = _CHECK_CODES[(d[:, :17] @ _WEIGHTS) % 11]
        check_ok[is18] = expected == d[:, 17]
    if is15.any():
        d = _digit_matrix(core[is15], 15)
        year[is15] = 1900 + _number(d, 6, 8)
        month[is15], day[is15] = _number(d, 8, 10), _number(d, 10, 12)
        sex_digit[is15] = d[:, 14]
        prov[is15] = _number(d, 0, 2)
    # Years outside 1900-2100 are typing errors, not people alive in the registry.
    plausible = form & (year >= 1900) & (year <= 2100)
    births = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if plausible.any():
        parts = pd.DataFrame({"year": year[plausible], "month": month[plausible],
                              "day": day[plausible]})  # fmt: skip
        built = pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")
        births[plausible] = built.to_numpy()
    has_date = births.notna().to_numpy(dtype=bool)
    prov_ok = form & np.isin(prov, _PROVINCE_INTS)
    # A placeholder never has both a real date from 1900 on (1111-11-11, 9999-99-99, ...) and
    # a real province (99, 00), so only the rows lacking one of them need the slower check.
    placeholder = np.zeros(n, dtype=bool)
    maybe = ~(has_date & prov_ok) & core.notna().to_numpy(dtype=bool)
    if maybe.any():
        sub = core[maybe]
        same = np.zeros(len(sub), dtype=bool)
        for digit in "0123456789":  # one pass per digit ("(\\d)\\1+" is not an arrow regex)
            same |= sub.str.fullmatch(digit * 2 + "+").fillna(False).to_numpy(dtype=bool)
        fake_area = sub.str.match(r"^(?:999999|000000)").fillna(False)
        placeholder[maybe] = same | fake_area.to_numpy(dtype=bool)
    valid = prov_ok & has_date & (check_ok | is15) & ~placeholder
    sex = pd.array(np.where(sex_digit % 2 == 1, "男", "女"), dtype="string")
    sex[~form] = pd.NA
    facts = pd.DataFrame(
        {
            "birth_date": births.to_numpy(),
            "sex": sex,
            "province": core.str[:2].where(pd.Series(form, index=core.index)).array,
            "placeholder": pd.array(placeholder, dtype="boolean"),
            "valid": pd.array(valid, dtype="boolean"),
        },
        index=ids.index,
    )
    return facts, core


def birth_date(ids: pd.Series) -> pd.Series:
    """Birth date encoded in an 18- or 15-digit ID (datetime64); NaT when not a real date."""
    return id_facts(ids)["birth_date"]


def sex(ids: pd.Series) -> pd.Series:
    """"男" / "女" from the sequence digit (odd = male); NA when the ID is not 18/15 digits."""
    return id_facts(ids)["sex"]


def province(ids: pd.Series) -> pd.Series:
    """First two digits (province code) of an 18/15-digit ID; NA otherwise."""
    return id_facts(ids)["province"]


def is_placeholder(ids: pd.Series) -> pd.Series:
    """Stand-in numbers typed when the real one is unknown: one repeated digit, or a
    999999/000000 area code (docs/policy.md §6: "invalid/missing ID (incl. placeholder 999999)")."""
    return id_facts(ids)["placeholder"]


def valid_id(ids: pd.Series) -> pd.Series:
    """True for a well-formed 18-digit ID (real province, real birth date from 1900, right
    check character) or 15-digit ID (real province and date); False otherwise, incl. blanks
    and placeholders."""
    return id_facts(ids)["valid"]
