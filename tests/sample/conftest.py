"""Shared synthetic counties for the sample-data tests (small, generated once per session)."""

from __future__ import annotations

import pytest

from exitcheck.sample.generator import generate_county


@pytest.fixture(scope="session")
def national():
    return generate_county(400, seed=7, year=2019, province_code="51", county_code="511602")


@pytest.fixture(scope="session")
def monitoring():
    return generate_county(300, seed=11, year=2023, province_code="52", county_code="522327",
                           style="monitoring")
