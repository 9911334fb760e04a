"""Small units: largest-remainder allocation, the PRN definition, the composite incidence."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest

from exitcheck.assess.draw import hamilton
from exitcheck.assess.estimate import Measure, RatioEstimate, composite_incidence
from exitcheck.assess.intervals import Bounds
from exitcheck.assess.prn import prn
from exitcheck.assess.visits import DrawBook


def test_hamilton_allocation() -> None:
    assert hamilton(10, {"a": 5, "b": 3, "c": 2}) == {"a": 5, "b": 3, "c": 2}
    assert hamilton(7, {"a": 10, "b": 10, "c": 1}, minimum=1) == {"a": 3, "b": 3, "c": 1}
    got = hamilton(29, {"poor": 12, "other": 40, "site": 2}, caps={"site": 2}, minimum=1)
    assert sum(got.values()) == 29 and got["site"] >= 1 and got["site"] <= 2
    assert hamilton(100, {"a": 3, "b": 4}, caps={"a": 3, "b": 4}) == {"a": 3, "b": 4}


def test_prn_definition_and_range() -> None:
    d = hashlib.sha256(b"1|2019|5116021012010001").digest()
    assert prn(1, 2019, "5116021012010001") == (int.from_bytes(d[:8], "big") >> 11) / 2**53
    us = [prn(9, 2020, str(i)) for i in range(2000)]
    assert all(0 <= u < 1 for u in us) and 0.45 < sum(us) / len(us) < 0.55


def _measure(key: str, r: float, var: float, upper: float) -> Measure:
    est = RatioEstimate(r, var, math.sqrt(var), 100, 30, 10, 2, 8, 1.0, r * 100, 100)
    return Measure(key, key, key, est, Bounds("korn-graubard", 0.95, 0.0, upper, 100, 100, 90),
                   0.02, "p", "pass", "", "")


def test_composite_incidence() -> None:
    book = DrawBook(Path("d.xlsx"), "1", 2019, "51", pd.DataFrame(), pd.DataFrame(),
                    {"未脱贫人数": 100.0, "已脱贫人数": 2000.0, "建档立卡人数": 2100.0})
    wrong = _measure("wrong_exit", 0.01, 1e-5, 0.02)
    missed = _measure("missed", 0.005, 4e-6, 0.01)
    c = composite_incidence(book, wrong, missed, 20000.0, 0.03, 0.95)
    assert c is not None
    assert c.value == pytest.approx((100 + 17900 * 0.005 + 2000 * 0.01) / 20000)
    assert c.se == pytest.approx(math.sqrt(17900**2 * 4e-6 + 2000**2 * 1e-5) / 20000)
    assert c.upper == pytest.approx((100 + 17900 * 0.01 + 2000 * 0.02) / 20000)
    assert c.verdict == "pass" and "< 3%" in c.sentence
