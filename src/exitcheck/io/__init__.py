"""Read stage: registry exports (xlsx, xls, ods, csv, parquet) -> RawTables with cell origins."""

from exitcheck.io.hashing import sha256_of
from exitcheck.io.reader import read_tables
from exitcheck.io.table import SKIP_BLANK, SKIP_REPEATED_HEADER, SKIP_TOTAL, RawTable

__all__ = [
    "SKIP_BLANK",
    "SKIP_REPEATED_HEADER",
    "SKIP_TOTAL",
    "RawTable",
    "read_tables",
    "sha256_of",
]
