"""Decode CSV bytes: utf-8-sig, then gb18030, then charset-normalizer (issue Foundation #2)."""

from __future__ import annotations

import codecs
from pathlib import Path

from exitcheck.errors import UsageError
from exitcheck.io.errors import input_error
from exitcheck.io.messages import MSG

AUTO_ORDER = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK/GB2312 (Chinese Excel)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # Excel "Unicode text" (.txt) exports


def decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, str]:
    """(text, encoding used, note) — explicit encoding is strict and errors name the line."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            zh, en = MSG.both("unknown_encoding", encoding=encoding)
            raise UsageError(zh, message_en=en) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            error = input_error("decode_failed", path, line=line, encoding=encoding)
            error.location = f"{path}:{line}"  # file:line, like rule-file errors
            raise error from None
        return text, encoding, MSG("note_encoding_given", encoding=encoding)
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16"), "utf-16", MSG("note_encoding_auto", encoding="utf-16")
    for candidate in AUTO_ORDER:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        plain_utf8 = candidate == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8)
        used = "utf-8" if plain_utf8 else candidate
        return text, used, MSG("note_encoding_auto", encoding=used)
    return _guess(path, data)


def _guess(path: Path, data: bytes) -> tuple[str, str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise input_error("encoding_undetected", path)
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise input_error("encoding_undetected", path) from None
    return text, best.encoding, MSG("note_encoding_guess", encoding=best.encoding)
