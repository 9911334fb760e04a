"""Parsed YAML files remembered between runs: ruamel's round-trip parse of the ~140 shipped rule,
parameter and catalogue files costs seconds per audit (docs/PERFORMANCE.md), the cache ~0.05 s.

A parse becomes a tree of plain values in ``PosDict``/``PosList`` containers whose ``lc`` answers
the questions ruamel's nodes answer (``lc.line``, ``lc.col``, ``lc.key(k)``, ``lc.value(k)``,
``lc.item(i)``), so line numbers and carets in error messages are the same with or without the
cache. Entries are keyed by the file's *content* (SHA-256), the exitcheck and ruamel versions and
this format's version: an edited file is parsed again. They live in ``$XDG_CACHE_HOME/exitcheck``
(``~/.cache/exitcheck``; ``EXITCHECK_CACHE_DIR`` overrides) and are read with an unpickler that
builds only the types below (no other class, no code). ``EXITCHECK_NO_CACHE=1`` turns the cache
off; an unwritable or damaged cache is ignored silently (the file is parsed as before).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1


class LineCol:
    """Positions of one container (0-based, like ruamel's ``lc``)."""

    __slots__ = ("col", "items", "keys", "line", "values")

    def __init__(self, line: int | None, col: int | None) -> None:
        self.line = line
        self.col = col
        self.keys: dict[Any, tuple[int, int]] = {}
        self.values: dict[Any, tuple[int, int]] = {}
        self.items: list[tuple[int, int]] = []

    def key(self, key: Any) -> tuple[int, int]:
        return self.keys[key]

    def value(self, key: Any) -> tuple[int, int]:
        return self.values[key]

    def item(self, index: int) -> tuple[int, int]:
        return self.items[index]

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.line, self.col, self.keys, self.values, self.items)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.line, self.col, self.keys, self.values, self.items = state


class PosDict(dict):  # type: ignore[type-arg]
    """A mapping of a parsed file with its positions in ``lc``."""

    lc: LineCol


class PosList(list):  # type: ignore[type-arg]
    """A sequence of a parsed file with its positions in ``lc``."""

    lc: LineCol


class _Unsupported(Exception):
    """A value the cache does not store (a custom tag ...): the file is not cached."""


def convert(node: Any) -> Any:
    """ruamel round-trip tree -> PosDict/PosList tree of plain scalars (raises _Unsupported)."""
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        out = PosDict()
        out.lc = LineCol(lc.line if lc else None, lc.col if lc else None)
        data = getattr(lc, "data", None) or {}
        for key, value in node.items():
            plain_key = _scalar(key)
            out[plain_key] = convert(value)
            where = data.get(key)
            if where is not None:
                out.lc.keys[plain_key] = (where[0], where[1])
                out.lc.values[plain_key] = (where[2], where[3])
        return out
    if isinstance(node, list):
        seq = PosList(convert(v) for v in node)
        seq.lc = LineCol(lc.line if lc else None, lc.col if lc else None)
        data = getattr(lc, "data", None) or {}
        seq.lc.items = [(data[i][0], data[i][1]) if i in data else (0, 0)
                        for i in range(len(node))]
        return seq
    return _scalar(node)


def _scalar(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool, dt.date, dt.datetime):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        # ruamel's ScalarBoolean is an int subclass: keep it a bool (as plain() does)
        return bool(value) if type(value).__name__ == "ScalarBoolean" else int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, value.hour, value.minute,
                           value.second, value.microsecond, value.tzinfo)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    raise _Unsupported(type(value).__name__)


_ALLOWED = {
    ("exitcheck.yamlcache", "PosDict"): PosDict,
    ("exitcheck.yamlcache", "PosList"): PosList,
    ("exitcheck.yamlcache", "LineCol"): LineCol,
    ("datetime", "date"): dt.date,
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "timezone"): dt.timezone,
    ("datetime", "timedelta"): dt.timedelta,
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return found


def enabled() -> bool:
    return os.environ.get("EXITCHECK_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path:
    given = os.environ.get("EXITCHECK_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "exitcheck"


def _entry(text: str) -> Path:
    from ruamel.yaml import __version__ as ruamel_version

    from exitcheck import __version__

    key = f"{FORMAT}\0{__version__}\0{ruamel_version}\0".encode() + text.encode("utf-8")
    return cache_dir() / "yaml" / f"{hashlib.sha256(key).hexdigest()}.pickle"


def load(text: str) -> Any | None:
    """The cached tree of a file with this content, else None."""
    try:
        with open(_entry(text), "rb") as handle:
            return _SafeUnpickler(io.BytesIO(handle.read())).load()
    except Exception:  # missing, unreadable or damaged: parse instead
        return None


def store(text: str, ruamel_data: Any) -> Any | None:
    """Convert a ruamel tree and remember it; the converted tree (None if not convertible)."""
    try:
        tree = convert(ruamel_data)
    except (_Unsupported, RecursionError):
        return None
    try:
        entry = _entry(text)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(tree, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # read-only home, full disk ...: no cache, same result
        pass
    return tree
