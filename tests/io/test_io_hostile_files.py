"""Damaged workbooks found by the long adversarial run (docs/ROBUSTNESS.md) stay input errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exitcheck.errors import InputError
from exitcheck.io import read_tables

DATA = Path(__file__).parent / "data"


def test_reader_panic_is_an_input_error(tmp_path: Path) -> None:
    # A mutated .xls on which python-calamine panics (pyo3 PanicException, a BaseException):
    # was a traceback and exit 99/70, is "corrupt" naming the file.
    path = tmp_path / "panic.xls"
    shutil.copy(DATA / "hostile_panic.xls", path)
    with pytest.raises(InputError, match="损坏") as err:
        read_tables(path)
    assert err.value.location.startswith(str(path))
