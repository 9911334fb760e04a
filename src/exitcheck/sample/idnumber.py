"""Vectorized construction of 18-digit resident ID numbers (GB 11643-1999) for synthetic data."""

from __future__ import annotations

import numpy as np

# ISO 7064 MOD 11-2 weights for the 17 body digits, and the check character for sum % 11.
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))


def body_digits(body: np.ndarray) -> np.ndarray:
    """(n, 17) digit matrix of 17-digit integer ID bodies (area, birth date, sequence)."""
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    return (body[:, None] // powers[None, :]) % 10


def check_chars(body: np.ndarray) -> np.ndarray:
    """The check character of each 17-digit body."""
    remainder = (body_digits(body) * WEIGHTS).sum(axis=1) % 11
    return CHECK_CHARS[remainder]


def wrong_check_chars(body: np.ndarray) -> np.ndarray:
    """A check character guaranteed to differ from the correct one (for planted defects)."""
    remainder = (body_digits(body) * WEIGHTS).sum(axis=1) % 11
    return CHECK_CHARS[(remainder + 1 + remainder % 3) % 11]


def make_bodies(area: int, birth_yyyymmdd: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """17-digit integer bodies: area code (6) + birth date (8) + sequence (3)."""
    return (np.int64(area) * 10**11 + birth_yyyymmdd.astype(np.int64) * 1000
            + sequence.astype(np.int64))


def to_strings(body: np.ndarray, check: np.ndarray) -> np.ndarray:
    """Full 18-character ID strings."""
    text = body.astype("U17")  # bodies are always 17 digits (area codes start at 11)
    return np.char.add(text, check.astype("U1"))
