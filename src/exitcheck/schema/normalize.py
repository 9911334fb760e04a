"""Value cleaning by field type: raw cells (as the reader gave them) -> typed pandas columns.

Every column is factorized first, so the work is done once per distinct value (a registry column
has few: 是/否, grades, villages) and broadcast back by code; all steps are pandas/numpy
column operations, never a Python loop over data rows.

Result dtypes: number -> Float64, integer -> Int64, bool -> boolean, date -> datetime64[ns],
month -> datetime64[ns] at the first day of the month (a "201912" cell is 2019-12-01; a full date
in a month field is truncated to its month), enum/grade -> string holding the canonical value,
text/id/id_number -> string (trimmed; a whole-number cell 12.0 -> "12").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_object_dtype

from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec
from exitcheck.schema.messages import MSG
from exitcheck.schema.text import compact_text, fold_series

# Issue kinds (Registry.issues.kind); rules with `builtin: <kind>` report them.
ID_STORED_AS_NUMBER = "id_stored_as_number"
VALUE_NOT_ALLOWED = "value_not_allowed"
UNPARSEABLE_NUMBER = "unparseable_number"
UNPARSEABLE_DATE = "unparseable_date"
HOUSEHOLD_FIELD_CONFLICT = "household_field_conflict"

# Kinds of distinct cell values.
_BLANK, _STR, _BOOL, _NUM, _DATE, _OTHER = range(6)
# Dash placeholders that exports put in numeric/date cells meaning "not applicable".
_DASHES = ("-", "--", "—", "——", "/", "\\", "－")
_MIN_ID_DIGITS_AS_NUMBER = 16  # a float keeps 15-17 significant digits: an 18-digit ID cannot fit


@dataclass
class CellIssue:
    """Rows of one column with one kind of problem."""

    kind: str
    rows: np.ndarray  # positions (0-based) of the affected data rows
    value: np.ndarray  # raw cell text of each affected row
    detail: np.ndarray  # message (Chinese) of each affected row


@dataclass
class Normalized:
    values: pd.Series
    issues: list[CellIssue] = field(default_factory=list)
    # id_number only: per row, the cell was a number (or "5.1E+17" text): digits were lost
    stored_as_number: np.ndarray | None = None


@dataclass
class _Uniques:
    """The distinct cells of a column and what they are."""

    values: np.ndarray  # object
    kind: np.ndarray  # int8, one of _BLANK.._OTHER
    stripped: pd.Series  # string: str cells trimmed, NA for every other kind

    @cached_property
    def text(self) -> pd.Series:
        """Each distinct value as text: numbers without ".0" or exponent, dates ISO, bools
        "true"/"false"; NA for blanks. Built only for the types that read text."""
        kind, values = self.kind, self.values
        text = self.stripped.where(pd.Series(kind == _STR)).copy()
        is_num = kind == _NUM
        if is_num.any():
            text[is_num] = _number_text(values[is_num]).to_numpy()
        is_bool = kind == _BOOL
        if is_bool.any():
            text[is_bool] = np.where(values[is_bool].astype(bool), "true", "false")
        is_date = kind == _DATE
        if is_date.any():
            stamps = pd.to_datetime(pd.Series(values[is_date], dtype=object), errors="coerce")
            text[is_date] = stamps.dt.strftime("%Y-%m-%d").astype("string").to_numpy()
        is_other = kind == _OTHER
        if is_other.any():
            text[is_other] = pd.Series(values[is_other], dtype=object).astype("string").to_numpy()
        return text

    @cached_property
    def raw(self) -> pd.Series:
        """str(cell) of each distinct value, for issue reports (only built when needed)."""
        return pd.Series(self.values, dtype=object).astype("string")

    def raw_at(self, at: np.ndarray) -> np.ndarray:
        """``raw`` ("" for NA) of the distinct values ``at`` (object array); converts only
        those unless ``raw`` is built already (an ID column has ~1 distinct value per row)."""
        if "raw" in self.__dict__:
            return self.raw.to_numpy(dtype=object, na_value="")[at]
        needed, back = np.unique(at, return_inverse=True)
        texts = pd.Series(self.values[needed], dtype=object).astype("string")
        return texts.to_numpy(dtype=object, na_value="")[back]


def normalize_column(
    raw: pd.Series,
    spec: FieldSpec,
    catalogue: FieldCatalogue,
    same_as_previous: np.ndarray | None = None,
) -> Normalized:
    """Clean and type one raw column for ``spec``; problems become CellIssues (never raise).

    ``same_as_previous`` (bool, one per row after the first) says which cells equal the cell
    above them (``same_as_previous_rows``); such runs are factorized once (see ``_factorize``).
    """
    if is_object_dtype(raw.dtype):
        codes, uniques = _factorize(np.asarray(raw, dtype=object), same_as_previous)
    else:  # an Arrow-typed column (io.columns): factorized in Arrow, only the distinct boxed
        codes, uniques = _factorize(raw.array, same_as_previous)
    u = _describe(np.asarray(uniques, dtype=object))
    index = raw.index
    if spec.type in ("number", "integer"):
        result, issues = _numbers(u, spec)
    elif spec.type == "bool":
        result, issues = _mapped(u, spec, catalogue.bool_map, "boolean")
    elif spec.type in ("enum", "grade"):
        result, issues = _mapped(u, spec, catalogue.value_map(spec), "string")
    elif spec.type in ("date", "month"):
        result, issues = _dates(u, month=spec.type == "month")
    elif spec.type == "id_number":
        result, issues = _id_numbers(u)
    else:
        result, issues = _texts(u, compact=spec.type == "id")
    values = pd.Series(pd.array(result).take(codes, allow_fill=True), index=index)
    out = Normalized(values=values)
    for kind, bad, detail in issues:
        mask = bad[codes] & (codes >= 0)
        if kind == ID_STORED_AS_NUMBER:
            out.stored_as_number = mask
        rows = np.flatnonzero(mask)
        if len(rows):
            picked = codes[rows]
            out.issues.append(
                CellIssue(
                    kind=kind,
                    rows=rows,
                    value=u.raw_at(picked),
                    detail=detail.to_numpy(dtype=object, na_value="")[picked],
                )
            )
    if spec.type == "id_number" and out.stored_as_number is None:
        out.stored_as_number = np.zeros(len(codes), dtype=bool)
    return out


# Below this share of repeated cells the run bookkeeping costs more than it saves.
_MIN_REPEATED_SHARE = 0.25


def same_as_previous_rows(frame: pd.DataFrame) -> np.ndarray | None:
    """(rows - 1, columns) bool: each cell equals the cell above it (Python ``==``).

    One comparison over the whole row-major grid of cells (neighbouring rows sit together in
    memory) costs a fraction of a column-wise pass; household-level fields repeat on every
    member row, so most of their cells equal the one above. None when the cells cannot be
    compared (e.g. pd.NA, whose ``==`` is not a bool).
    """
    if len(frame) < 2 or not all(is_object_dtype(dtype) for dtype in frame.dtypes):
        return None
    grid = frame.to_numpy(dtype=object)
    try:
        same = np.equal(grid[1:], grid[:-1])
    except (TypeError, ValueError):
        return None
    return same if same.dtype == bool else None


def _factorize(
    values: np.ndarray | pd.api.extensions.ExtensionArray, same_as_previous: np.ndarray | None
) -> tuple[np.ndarray, object]:
    """``pd.factorize`` of ``values``, reading only the first cell of each run of equal cells.

    Exactly the codes and uniques of factorizing every cell: a cell equal to the one above it
    belongs to the same class of equal values, which first occurred at or before the start of
    its run, so the run starts hold the first occurrence of every class, in the same order.
    """
    n = len(values)
    if same_as_previous is None or len(same_as_previous) != n - 1 or n < 2:
        return pd.factorize(values, use_na_sentinel=True)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.logical_not(same_as_previous, out=new_run[1:])
    starts = np.flatnonzero(new_run)
    if len(starts) > n * (1 - _MIN_REPEATED_SHARE):
        return pd.factorize(values, use_na_sentinel=True)
    codes, uniques = pd.factorize(values[starts], use_na_sentinel=True)
    run = np.cumsum(new_run) - 1
    return codes[run], uniques


# ---- describing distinct values ----------------------------------------------------------------


def _kind_of(value: object) -> int:
    if isinstance(value, str):
        return _STR if value.strip() else _BLANK
    if isinstance(value, bool | np.bool_):
        return _BOOL
    if isinstance(value, int | float | np.integer | np.floating):
        return _BLANK if value != value else _NUM  # NaN
    if isinstance(value, dt.date | np.datetime64):
        return _BLANK if pd.isna(value) else _DATE
    if value is None or value is pd.NA:
        return _BLANK
    return _OTHER


def _kinds(values: np.ndarray, *, blank_text: bool = True) -> np.ndarray:
    """``_kind_of`` of every value, decided once per Python type (a column holds a handful) and
    per value only where the kind depends on it (blank text, NaN, NaT) — with vectorized tests.

    ``blank_text=False`` leaves whitespace-only text _STR, for a caller that trims the text
    anyway (arrow's trim removes exactly the characters str.strip does, every code point checked).
    """
    kind = np.full(len(values), _OTHER, dtype=np.int8)
    if not len(values):
        return kind
    codes, types = pd.factorize(np.frompyfunc(type, 1, 1)(values))
    for k, t in enumerate(types):
        sel = codes == k
        sub = values[sel]
        if issubclass(t, str):
            if not blank_text:
                kind[sel] = _STR
                continue
            kind[sel] = np.where(np.frompyfunc(str.strip, 1, 1)(sub) == "", _BLANK, _STR)
        elif issubclass(t, bool | np.bool_):
            kind[sel] = _BOOL
        elif issubclass(t, int | float | np.integer | np.floating):
            kind[sel] = np.where(sub != sub, _BLANK, _NUM)  # NaN != NaN
        elif issubclass(t, dt.date | np.datetime64):
            kind[sel] = np.where(pd.isna(sub), _BLANK, _DATE)
        elif t is type(None) or t is type(pd.NA):
            kind[sel] = _BLANK
    return kind


def _describe(values: np.ndarray) -> _Uniques:
    n = len(values)
    inferred = infer_dtype(values, skipna=True) if n else "empty"
    if inferred == "string":
        kind = np.full(n, _STR, dtype=np.int8)
        stripped = pd.Series(values, dtype="string").str.strip()
    else:
        if inferred in ("floating", "integer", "mixed-integer-float"):
            kind = np.full(n, _NUM, dtype=np.int8)
        elif inferred in ("date", "datetime", "datetime64"):
            kind = np.full(n, _DATE, dtype=np.int8)
        else:  # mixed: classify each distinct value (blank text is found below)
            kind = _kinds(values, blank_text=False)
        is_str = kind == _STR
        if is_str.any():
            texts = np.full(n, None, dtype=object)
            texts[is_str] = values[is_str]
            stripped = pd.Series(texts, dtype="string").str.strip()
        else:
            stripped = pd.Series(pd.NA, index=range(n), dtype="string")
    # Whitespace-only strings are blank.
    kind[(stripped == "").fillna(False).to_numpy(dtype=bool)] = _BLANK
    return _Uniques(values=values, kind=kind, stripped=stripped)


def _number_text(values: np.ndarray) -> pd.Series:
    """Numbers as text: whole numbers without ".0" and without exponent (5.1e+17 -> 51...0)."""
    s = pd.Series(values, dtype=object)
    if infer_dtype(values, skipna=True) == "integer":
        return s.astype("string")  # exact, even beyond 2**53
    floats = pd.to_numeric(s, errors="coerce").astype(float).to_numpy()
    out = s.astype("string")
    finite = np.isfinite(floats)
    whole = finite & (np.floor(np.where(finite, floats, 0)) == floats)
    small = whole & (np.abs(np.where(finite, floats, 0)) < 2**53)
    if small.any():
        out[small] = floats[small].astype(np.int64).astype(str)
    big = whole & ~small
    if big.any():
        out[big] = expand_exponent(pd.Series(floats[big]).astype("string")).to_numpy()
    is_int = s.map(lambda v: isinstance(v, int | np.integer)).to_numpy(dtype=bool)
    if is_int.any():  # Python ints in a mixed column: exact digits
        out[is_int] = s[is_int].astype("string").to_numpy()
    return out


def expand_exponent(texts: pd.Series) -> pd.Series:
    """'5.116021990010113e+17' -> '511602199001011300': the significant digits that are there,
    padded with zeros (what Excel shows), never invented digits."""
    parts = texts.str.extract(r"^(\d+)(?:\.(\d*))?[eE]\+?(\d+)$")
    ok = parts[0].notna().to_numpy(dtype=bool)
    out = texts.astype("string").copy()
    if not ok.any():
        return out
    frac = parts[1].fillna("")
    digits = (parts[0] + frac).astype("string")
    zeros = pd.to_numeric(parts[2], errors="coerce") - frac.str.len()
    for z in pd.unique(zeros[ok]):  # one step per distinct exponent, not per row
        sel = ok & (zeros == z).fillna(False).to_numpy(dtype=bool)
        if z >= 0:
            out[sel] = (digits[sel] + "0" * int(z)).to_numpy()
        else:
            out[sel] = (digits[sel].str[: int(z)] + "." + digits[sel].str[int(z) :]).to_numpy()
    return out


def _detail(
    u: _Uniques, key: str, texts: pd.Series | None = None, **values: object
) -> pd.Series:
    """Per distinct value: the Chinese message ``key`` around its raw text (vectorized)."""
    sentinel = "\x00"
    filled = MSG.entries[key][0].format(**{"value": sentinel, "kept": sentinel, **values})
    head, _, tail = filled.partition(sentinel)
    return head + (u.raw if texts is None else texts).fillna("") + tail


# ---- by type ----------------------------------------------------------------------------------

_Issues = list[tuple[str, np.ndarray, pd.Series]]


def _clean_number_text(text: pd.Series) -> pd.Series:
    # "3,750.00", "３７５０", "3750元", "¥ 3750", "3 750" -> parseable text.
    s = fold_series(text)
    return s.str.replace(r"[,¥$]|元$|人民币", "", regex=True)


def _numbers(u: _Uniques, spec: FieldSpec) -> tuple[object, _Issues]:
    n = len(u.values)
    num = np.full(n, np.nan)
    is_num = u.kind == _NUM
    if is_num.any():
        num[is_num] = pd.to_numeric(pd.Series(u.values[is_num], dtype=object)).astype(float)
    is_str = u.kind == _STR
    blank_like = np.zeros(n, dtype=bool)
    if is_str.any():
        cleaned = _clean_number_text(u.stripped[is_str])
        blank_like[is_str] = cleaned.isin(_DASHES).to_numpy(dtype=bool)
        num[is_str] = pd.to_numeric(cleaned, errors="coerce").astype(float)
    bad = ~np.isfinite(num) & (u.kind != _BLANK) & ~blank_like
    num[bad | blank_like] = np.nan
    issues: _Issues = []
    if bad.any():
        issues.append((UNPARSEABLE_NUMBER, bad, _detail(u, "issue_number")))
    if spec.type == "number":
        return pd.array(num, dtype="Float64"), issues
    fractional = np.isfinite(num) & (np.floor(np.nan_to_num(num)) != num)
    if fractional.any():
        issues.append((UNPARSEABLE_NUMBER, fractional, _detail(u, "issue_integer")))
        num[fractional] = np.nan
    ints = pd.array(num, dtype="Float64").astype("Int64")
    return ints, issues


# fold_series of the few distinct texts of enum/bool columns (是/否, grades), remembered: the
# same handful recurs in every such column, and each fold_series call costs ~2 ms of overhead.
_FOLD_MEMO: dict[str, str] = {}
_FOLD_MEMO_MAX = 4096  # distinct texts remembered (cleared beyond)
_FOLD_MEMO_COLUMN = 64  # columns with more distinct values are folded directly


def _folded(text: pd.Series) -> pd.Series:
    """``fold_series(text)``, with the distinct texts of small columns folded once per process
    (fold_series works value by value, so a remembered value folds the same)."""
    if len(text) > _FOLD_MEMO_COLUMN:
        return fold_series(text)
    values = text.to_numpy(dtype=object, na_value=None)
    known = {v: _FOLD_MEMO.get(v) for v in values if v is not None}
    missing = [v for v, folded in known.items() if folded is None]
    if missing:
        folded = fold_series(pd.Series(missing, dtype="string")).to_numpy(dtype=object)
        new = dict(zip(missing, folded, strict=True))
        known.update(new)
        if len(_FOLD_MEMO) + len(new) > _FOLD_MEMO_MAX:
            _FOLD_MEMO.clear()
        _FOLD_MEMO.update(new)
    return pd.Series([None if v is None else known[v] for v in values], dtype="string")


def _mapped(
    u: _Uniques, spec: FieldSpec, mapping: dict[str, str] | dict[str, bool], dtype: str
) -> tuple[object, _Issues]:
    keys = _folded(u.text)
    mapped = keys.map(mapping)
    present = u.kind != _BLANK
    bad = present & mapped.isna().to_numpy(dtype=bool)
    result = pd.array(mapped.where(~pd.Series(bad) & pd.Series(present)), dtype=dtype)
    issues: _Issues = []
    if bad.any():
        issues.append((VALUE_NOT_ALLOWED, bad, _detail(u, "issue_not_allowed", label=spec.label)))
    return result, issues


_DATE_TEXT = (
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})(?:[-/.月](?P<d>\d{1,2})日?)?月?"
    r"(?:t?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DIGITS_TEXT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$"


def _dates(u: _Uniques, *, month: bool) -> tuple[object, _Issues]:
    n = len(u.values)
    year = np.full(n, np.nan)
    mon = np.full(n, np.nan)
    day = np.full(n, np.nan)
    serial = np.full(n, np.nan)
    stamps = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")

    is_date = u.kind == _DATE
    if is_date.any():
        got = pd.to_datetime(pd.Series(u.values[is_date], dtype=object), errors="coerce")
        stamps[is_date] = _in_range(got.dt.normalize()).to_numpy()

    # Numbers and digit-only text: yyyymmdd, yyyymm, or an Excel serial day number.
    number = np.full(n, np.nan)
    is_num = u.kind == _NUM
    if is_num.any():
        number[is_num] = pd.to_numeric(pd.Series(u.values[is_num], dtype=object)).astype(float)
    is_str = u.kind == _STR
    folded = pd.Series(pd.NA, index=range(n), dtype="string")
    if is_str.any():
        folded[is_str] = fold_series(u.stripped[is_str]).to_numpy()
        digit_text = folded.str.fullmatch(r"\d{5,8}(?:\.0+)?").fillna(False).to_numpy(dtype=bool)
        number[digit_text] = pd.to_numeric(folded[digit_text]).astype(float)
    whole = np.isfinite(number) & (np.floor(np.nan_to_num(number)) == number)
    ymd = whole & (number >= 19000101) & (number <= 21001231)
    ym = whole & (number >= 190001) & (number <= 210012)
    # A 4-digit number such as 1990 is more likely a year than the serial for 1905: not guessed.
    # Serial day numbers up to 2199-12-31 (later ones are not dates in a registry).
    as_serial = np.isfinite(number) & ~ymd & ~ym & (number >= 1) & (number < 109575)
    as_serial &= ~(whole & (number >= 1900) & (number <= 2100))
    year[ymd] = number[ymd] // 10000
    mon[ymd] = number[ymd] // 100 % 100
    day[ymd] = number[ymd] % 100
    year[ym] = number[ym] // 100
    mon[ym] = number[ym] % 100
    day[ym] = 1
    serial[as_serial] = np.floor(number[as_serial])

    # Date text: 2019-12-31, 2019/12/31, 2019.12.31, 2019年12月31日, 2019年12月, 2019-12.
    if is_str.any():
        parts = folded.str.extract(_DATE_TEXT)
        hit = parts["y"].notna().to_numpy(dtype=bool) & ~np.isfinite(number)
        year[hit] = pd.to_numeric(parts["y"][hit]).to_numpy(dtype=float)
        mon[hit] = pd.to_numeric(parts["m"][hit]).to_numpy(dtype=float)
        day[hit] = pd.to_numeric(parts["d"][hit]).fillna(1).to_numpy(dtype=float)

    has_parts = np.isfinite(year)
    if has_parts.any():
        frame = pd.DataFrame({"year": year[has_parts], "month": mon[has_parts],
                              "day": day[has_parts]})  # fmt: skip
        built = pd.to_datetime(frame, errors="coerce")
        stamps[has_parts] = _in_range(built).to_numpy()
    if as_serial.any():
        from_serial = pd.to_datetime(serial[as_serial], unit="D", origin="1899-12-30")
        stamps[as_serial] = from_serial.astype("datetime64[ns]").to_numpy()

    if month:
        stamps = pd.Series(
            stamps.to_numpy().astype("datetime64[M]").astype("datetime64[ns]"), index=stamps.index
        )
    bad = stamps.isna().to_numpy(dtype=bool) & (u.kind != _BLANK)
    if is_str.any():
        bad &= ~(folded.isin(_DASHES).fillna(False).to_numpy(dtype=bool))
    issues: _Issues = []
    if bad.any():
        issues.append((UNPARSEABLE_DATE, bad, _detail(u, "issue_date")))
    return stamps.to_numpy(dtype="datetime64[ns]"), issues


def _in_range(stamps: pd.Series) -> pd.Series:
    """datetime64[ns]; dates outside 1678-2261 (the ns range, e.g. a typed 9999) become NaT."""
    years = stamps.dt.year
    return stamps.where(years.between(1678, 2261)).astype("datetime64[ns]")


def _texts(u: _Uniques, *, compact: bool) -> tuple[object, _Issues]:
    text = u.text
    if compact:  # identifiers: full-width digits folded, no inner spaces
        text = compact_text(text)
    return pd.array(text.where(pd.Series(u.kind != _BLANK)), dtype="string"), []


def _id_numbers(u: _Uniques) -> tuple[object, _Issues]:
    text = compact_text(u.text).str.upper()
    # "5.11602E+17" typed or exported as text is the same loss of digits.
    sci = text.str.contains("E", regex=False).fillna(False).to_numpy(dtype=bool)
    if sci.any():  # the regex only on the few texts with an exponent mark
        sci[sci] = text[sci].str.fullmatch(r"\d(?:\.\d+)?E\+?\d+").fillna(False).to_numpy(
            dtype=bool
        )
    if sci.any():
        text[sci] = expand_exponent(text[sci]).to_numpy()
    is_num = u.kind == _NUM
    long_number = is_num & (text.str.len() >= _MIN_ID_DIGITS_AS_NUMBER).fillna(False).to_numpy(
        dtype=bool
    )
    lost = long_number | sci
    result = pd.array(text.where(pd.Series(u.kind != _BLANK)), dtype="string")
    if not lost.any():
        return result, []
    detail = _detail(u, "issue_id_number", texts=text)
    return result, [(ID_STORED_AS_NUMBER, lost, detail)]


# ---- reporting: one finding per distinct unknown value -------------------------------------------

# Cells named in a collapsed value_not_allowed finding (the rest are counted).
CELLS_SHOWN = 5
_ONCE_TEXT = {
    "zh": ("共 {count} 处：{cells}", "{cells} 等"),
    "en": ("{count} cell(s): {cells}", "{cells} …"),
}


def once_per_value(
    issues: pd.DataFrame, cells: np.ndarray, lang: str = "zh"
) -> tuple[np.ndarray, pd.DataFrame]:
    """Collapse value_not_allowed issues to the first of each distinct (field, value).

    ``issues`` are Registry.issues rows (index 0..n-1) and ``cells`` their cell locations
    (``sheet!H17``). Returns the positions kept (first occurrence of each pair, in order) and
    those rows with ``detail`` saying how many cells hold the value and the first
    ``CELLS_SHOWN`` of them. Registry.issues itself keeps one row per cell.
    """
    n = len(issues)
    if n == 0:
        return np.zeros(0, dtype=np.int64), issues
    field_col = issues["field"] if "field" in issues.columns else pd.Series("", index=issues.index)
    value_col = issues["value"] if "value" in issues.columns else pd.Series("", index=issues.index)
    keys = pd.DataFrame({
        "f": field_col.astype("string").fillna("").to_numpy(dtype=object),
        "v": value_col.astype("string").fillna("").to_numpy(dtype=object),
    })
    group = keys.groupby(["f", "v"], sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    keep = np.sort(first)
    counts = np.bincount(group)
    order = np.argsort(group, kind="stable")  # rows of each group, in file order
    bounds = np.concatenate(([0], np.cumsum(counts)))
    text_all, text_more = _ONCE_TEXT.get(lang, _ONCE_TEXT["zh"])
    sep = "、" if lang == "zh" else ", "
    details = []
    for pos in keep:
        g = group[pos]
        rows = order[bounds[g] : bounds[g + 1]]
        shown = [str(c) for c in np.asarray(cells, dtype=object)[rows[:CELLS_SHOWN]] if c]
        listed = sep.join(shown) if shown else "—"
        if counts[g] > CELLS_SHOWN:
            listed = text_more.format(cells=listed)
        details.append(text_all.format(count=int(counts[g]), cells=listed))
    kept = issues.iloc[keep].reset_index(drop=True).copy()
    kept["detail"] = pd.Series(details, dtype=object)
    return keep, kept
