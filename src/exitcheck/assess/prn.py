"""Permanent random numbers: u = SHA-256(seed ‖ year ‖ key) mapped to [0, 1).

The selection of a field-visit sample must be re-derivable years later on any machine from the
seed, the year and the registry alone, so it uses no library random stream (NumPy promises the
same stream only for the same build on the same machine). Each unit gets a fixed number from a
cryptographic hash; within a stratum the n smallest are taken, the next k are the reserves
(the permanent-random-number method of statistical offices; docs/policy.md §9.2).

Exact definition (docs/assessor-guide.md repeats it so that anyone can re-derive a sample):

    text = f"{seed}|{year}|{key}"               (key: 户编号, or "村:" + 县/乡镇/村 for villages)
    h    = SHA-256(text encoded as UTF-8)
    u    = (first 8 bytes of h as a big-endian integer >> 11) / 2**53

u has 53 significant bits, so it is exactly representable as a double on every platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

VILLAGE_PREFIX = "村:"


def prn_text(seed: int, year: int, key: str) -> str:
    """The text that is hashed (shown in the workbook so that a reader can check one unit)."""
    return f"{seed}|{year}|{key}"


def prn(seed: int, year: int, key: str) -> float:
    """The permanent random number of one unit, in [0, 1)."""
    digest = hashlib.sha256(prn_text(seed, year, key).encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / float(1 << 53)


def prn_many(seed: int, year: int, keys: Iterable[str]) -> list[float]:
    return [prn(seed, year, key) for key in keys]


def village_key(county: str, township: str, village: str) -> str:
    """The key of a village: its names as written, joined by "/" (县/乡镇/村)."""
    return f"{county}/{township}/{village}"
