"""GB 11643-1999 ID helpers: check character, birth date, sex, 15-digit, placeholders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from schema_helpers import make_id

from exitcheck.schema import ids

PROVINCES = ["11", "31", "44", "51", "52", "65"]


def series(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def test_standard_example_is_valid() -> None:
    facts = ids.id_facts(series("11010519491231002X"))
    row = facts.iloc[0]
    assert bool(row["valid"])
    assert row["birth_date"] == pd.Timestamp("1949-12-31")
    assert row["sex"] == "女"  # sequence 002: even
    assert row["province"] == "11"


def test_wrong_check_character_is_invalid() -> None:
    good = make_id("510102", "19800101", 123)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert ids.valid_id(series(good, wrong)).tolist() == [True, False]
    # The date is still read from an ID with a wrong check character.
    assert ids.birth_date(series(wrong)).iloc[0] == pd.Timestamp("1980-01-01")


def test_check_char_matches_independent_formula() -> None:
    first17 = series("11010519491231002", "51010219800101123", "44030419991231999")
    expected = [make_id(s[:6], s[6:14], int(s[14:]))[17] for s in first17]
    assert ids.check_char(first17).tolist() == expected


def test_invalid_forms() -> None:
    good = make_id("510102", "19800101", 123)
    cases = series(
        make_id("510102", "19800230", 123),  # 30 February
        make_id("990102", "19800101", 123),  # no such province
        make_id("510102", "18800101", 123),  # before 1900
        good[:17],  # 17 characters
        good + "1",  # 19 characters
        "51010219800101123A",
        None,
        "",
    )
    assert not ids.valid_id(cases).any()
    assert ids.valid_id(cases).dtype == "boolean"


def test_fifteen_digit_ids() -> None:
    facts = ids.id_facts(series("510102800101123", "510102800101124", "510102801301123"))
    assert facts["valid"].tolist() == [True, True, False]  # month 13
    assert facts["birth_date"].iloc[0] == pd.Timestamp("1980-01-01")
    assert facts["sex"].tolist()[:2] == ["男", "女"]  # 15-digit: the last digit


def test_placeholders() -> None:
    cases = series("999999999999999999", "000000000000000000", "111111111111111111",
                   "999999198001011234", make_id("510102", "19800101", 123))  # fmt: skip
    assert ids.is_placeholder(cases).tolist() == [True, True, True, True, False]
    assert ids.valid_id(cases).tolist() == [False, False, False, False, True]


def test_registry_ids_with_suffix_use_the_first_18() -> None:
    base = make_id("520102", "20050607", 11)
    facts = ids.id_facts(series(base + "01", base + "0102", base + "1"))
    assert facts["valid"].tolist() == [True, True, False]
    assert facts["birth_date"].iloc[1] == pd.Timestamp("2005-06-07")


def test_lower_case_x_and_spaces() -> None:
    assert ids.valid_id(series(" 11010519491231002x ")).tolist() == [True]


@st.composite
def people(draw: st.DrawFn) -> tuple[str, dt.date, int]:
    area = draw(st.sampled_from(PROVINCES)) + f"{draw(st.integers(0, 9999)):04d}"
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
    seq = draw(st.integers(0, 999))
    return make_id(area, birth.strftime("%Y%m%d"), seq), birth, seq


@settings(max_examples=60, deadline=None)
@given(st.lists(people(), min_size=1, max_size=20))
def test_generated_ids_round_trip(batch: list[tuple[str, dt.date, int]]) -> None:
    numbers = series(*[p[0] for p in batch])
    facts = ids.id_facts(numbers)
    assert facts["valid"].all()
    assert [d.date() for d in facts["birth_date"]] == [p[1] for p in batch]
    assert facts["sex"].tolist() == ["男" if p[2] % 2 else "女" for p in batch]
    assert facts["province"].tolist() == [p[0][:2] for p in batch]


@settings(max_examples=60, deadline=None)
@given(people(), st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_is_caught(
    person: tuple[str, dt.date, int], position: int, delta: int
) -> None:
    number = person[0]
    if number[position] == "X":
        return
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    # MOD 11-2 detects every single-character substitution.
    assert ids.valid_id(series(changed)).tolist() == [False]
