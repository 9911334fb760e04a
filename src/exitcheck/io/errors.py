"""Build the one-line InputError of the read stage from a message key and a location."""

from __future__ import annotations

from pathlib import Path

from exitcheck.errors import InputError
from exitcheck.io.messages import MSG


def input_error(key: str, path: Path, where: str | None = None, /, **values: object) -> InputError:
    """InputError for ``key``; the location names the file, then the sheet/cell if given."""
    zh, en = MSG.both(key, **values)
    location = f"{path} {where}" if where else str(path)
    return InputError(zh, message_en=en, location=location)
