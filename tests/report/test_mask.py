"""ID masking and removal of contact fields (report/mask.py)."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import citizen_id

from exitcheck.report.mask import (
    clean_values,
    mask_id,
    mask_id_series,
    mask_text,
    mask_text_series,
)

EIGHTEEN = re.compile(r"\d{17}[\dXx]")


def test_mask_id_lengths() -> None:
    assert mask_id("511602199001011234") == "511602********1234"
    assert mask_id("51160219900101123X") == "511602********123X"
    assert mask_id("511602900101123") == "511**********23"  # old 15-digit: first 3 / last 2
    assert mask_id("5116021990010112340101") == "511*****************01"  # 22-char registry id
    assert mask_id("1234") == "****"
    assert mask_id(None) is None
    assert pd.isna(mask_id(pd.NA))


def test_series_matches_scalar() -> None:
    values = ["511602199001011234", "511602900101123", "abc", None, " 51160219900101123X "]
    masked = mask_id_series(pd.Series(values, dtype="object"))
    for got, raw in zip(masked, values, strict=True):
        want = mask_id(raw)
        assert (pd.isna(got) and want is None) or got == want


def test_mask_text_leaves_household_codes_alone() -> None:
    idn = citizen_id("511602", "19900101", 123)
    text = f"户 5116020010010001 成员证件号码 {idn} 与 {idn[:-1]}X 重复，电话 13800001111"
    out = mask_text(text)
    assert idn not in out and EIGHTEEN.search(out) is None
    assert "5116020010010001" in out  # 16-digit 户编号 is not an ID number
    # a mobile number is masked too (privacy on every path)
    assert "13800001111" not in out and "138******11" in out
    assert mask_text_series(pd.Series([text, None])).iloc[0] == out


def test_clean_values_drops_contacts_and_masks_ids() -> None:
    idn = citizen_id("511602", "19800505", 7)
    values = {"phone": "13800001111", "bank_account": "6222020200112233",
              "id_number": idn, "note": f"见 {idn}", "nested": {"id_number": idn, "n": 3},
              "list": [idn, 1.5]}
    out = clean_values(values)
    assert "phone" not in out and "bank_account" not in out
    assert out["id_number"] == mask_id(idn)
    assert idn not in repr(out)
    assert out["nested"]["n"] == 3 and out["list"][1] == 1.5
    shown = clean_values(values, show_ids=True)
    assert shown["id_number"] == idn and "phone" not in shown


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"[1-9]\d{16}[\dX]", fullmatch=True), st.text(max_size=8))
def test_any_id_in_any_text_is_masked(idn: str, around: str) -> None:
    text = f"{around} {idn} {around}"
    out = mask_text(text)
    assert idn not in out
    assert f"{idn[:6]}********{idn[-4:]}" in out
