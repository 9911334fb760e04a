"""Shared fixtures for schema tests."""

from __future__ import annotations

import pytest

from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> FieldCatalogue:
    return load_catalogue()
