"""mask_text_series (column-wise: RE2 pre-scan, digit keys classified on a digit matrix) gives
exactly mask_text of every value: the scalar function is the definition."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.report.mask import _luhn, mask_id, mask_id_series, mask_text, mask_text_series


def _with_luhn(prefix: str) -> str:
    """``prefix`` + the check digit that makes it pass Luhn."""
    return next(prefix + c for c in "0123456789" if _luhn(prefix + c))


# Every branch of the digit-key path: IDs by length, mobiles, fixed lines, cards (Luhn pass and
# fail, with and without a card prefix), 19-digit 人编号 with and without a birth date at 7-14,
# longer runs with an ID inside, and lengths that are nothing.
KEYS = [
    "511602199001011234", "51160219900101123", "511602900101123", "13812345678",
    "12812345678", "08382345678", "083823456789", "18382345678",
    _with_luhn("622202123456789"), "6222021234567890", _with_luhn("411111111111111"),
    _with_luhn("511111111111111"), _with_luhn("622202123456789012"),
    "5116021012010022001", "5116021990010100001", "5116021012010251",
    "51160210120100220011234", "99" + "511602199001011234" + "77", "1234567890",
    "12345678901234", "1234567890123", "00000000000", "", "0",
]
TEXTS = [
    "成员 张三 的证件号码 511602197804183000 无效", "电话 138-1234-5678", "户主 李四",
    "收入 3750.00 元", "5.11602194903171e+17", "５１１６０２１９９００１０１１２３４",
    "卡号 6222 0212 3456 7890 123", "0838-2345678", "hash " + "ab12" * 16,
    "51160219900101123X", "5116O2199OO1O11234", "\u0661" * 18,
]


def _same(values: list[str | None]) -> None:
    got = mask_text_series(pd.Series(values, dtype="string"))
    want = [None if v is None else mask_text(v) for v in values]
    assert [None if pd.isna(v) else v for v in got] == want


def test_every_branch_matches_the_scalar_mask() -> None:
    _same([*KEYS, *TEXTS, None, KEYS[0]])


def test_column_without_identifiers_is_returned_as_is() -> None:
    series = pd.Series(["张三", None, "李四"], dtype="string")
    assert mask_text_series(series) is not None
    assert mask_text_series(series).tolist()[::2] == ["张三", "李四"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=40),
    st.sampled_from(KEYS + TEXTS),
    st.text(alphabet="0123456789Xx -O.e+张", min_size=0, max_size=30),
    st.none(),
), max_size=40))
def test_series_equals_scalar_on_any_mix(values: list[str | None]) -> None:
    _same(values)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(alphabet="0123456789Xx", min_size=0, max_size=24),
    st.text(alphabet="0123456789Xx 张.e+", min_size=0, max_size=40),
    st.sampled_from(KEYS + TEXTS + ["5.11602194903171e+17", " 511602199001011234 "]),
    st.none(),
), max_size=40))
def test_id_series_equals_scalar_mask_id(values: list[str | None]) -> None:
    got = mask_id_series(pd.Series(values, dtype="string"))
    want = [None if v is None else mask_id(v) for v in values]
    assert [None if pd.isna(v) else v for v in got] == want
    assert got.index.equals(pd.RangeIndex(len(values)))


def test_ids_ending_in_x_and_long_keys_match_the_scalar_mask() -> None:
    """The column-wise paths: 17 digits + X, and 19-35 digit runs with an ID inside at any
    start (one match at most) or none."""
    inside = ["1" * k + "511602199001011234" + "2" * j for k in range(0, 8) for j in range(0, 9)]
    _same(["51160219900101123X", "51160219900101123x", "5116021990010112X", *inside,
           "9" * 19, "51160219901301123456", "1" * 36 + "511602199001011234"])
