"""Read stage: registry exports (xlsx, xls, ods, csv, parquet) -> RawTables with cell origins.

The names below are imported on first use (PEP 562), so ``exitcheck.io.prefetch`` can start a
parse before pandas is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exitcheck.io.hashing import sha256_of
    from exitcheck.io.reader import read_tables
    from exitcheck.io.table import SKIP_BLANK, SKIP_REPEATED_HEADER, SKIP_TOTAL, RawTable

_WHERE = {
    "sha256_of": "exitcheck.io.hashing",
    "read_tables": "exitcheck.io.reader",
    "SKIP_BLANK": "exitcheck.io.table",
    "SKIP_REPEATED_HEADER": "exitcheck.io.table",
    "SKIP_TOTAL": "exitcheck.io.table",
    "RawTable": "exitcheck.io.table",
}
__all__ = [
    "SKIP_BLANK",
    "SKIP_REPEATED_HEADER",
    "SKIP_TOTAL",
    "RawTable",
    "read_tables",
    "sha256_of",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'exitcheck.io' has no attribute {name!r}")
    return getattr(import_module(module), name)
