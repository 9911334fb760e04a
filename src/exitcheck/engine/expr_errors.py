"""Compile errors of rule expressions: RuleFileError with the expression and a caret line."""

from __future__ import annotations

import ast
import unicodedata

from exitcheck.engine.messages import MSG
from exitcheck.errors import RuleFileError


def _width(text: str) -> int:
    """Terminal columns of text: CJK (wide/full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def caret_line(text: str, lineno: int, start: int, end: int | None) -> str:
    """The expression line ``lineno`` (1-based) and ^^^ under characters [start, end)."""
    lines = text.splitlines() or [""]
    line = lines[min(max(lineno, 1), len(lines)) - 1]
    start = min(max(start, 0), len(line))
    end = len(line) if end is None or end <= start else min(end, len(line))
    return f"{line}\n{' ' * _width(line[:start])}{'^' * max(1, _width(line[start:end]))}"


def _chars(line: str, byte_offset: int) -> int:
    """ast offsets count UTF-8 bytes; Chinese names need characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def node_caret(text: str, node: ast.AST) -> str:
    lineno: int = getattr(node, "lineno", 1)
    lines = text.splitlines() or [""]
    line = lines[min(max(lineno, 1), len(lines)) - 1]
    start = _chars(line, getattr(node, "col_offset", 0))
    end_line = getattr(node, "end_lineno", lineno)
    end_col = getattr(node, "end_col_offset", None)
    end = _chars(line, end_col) if end_col is not None and end_line == lineno else None
    return caret_line(text, lineno, start, end)


class Span:
    """A source range covering several nodes (e.g. both sides of a comparison)."""

    def __init__(self, first: ast.AST, last: ast.AST) -> None:
        self.lineno = getattr(first, "lineno", 1)
        self.col_offset = getattr(first, "col_offset", 0)
        self.end_lineno = getattr(last, "end_lineno", self.lineno)
        self.end_col_offset = getattr(last, "end_col_offset", None)


def compile_error(
    key: str, text: str, where: str, node: ast.AST | Span | None = None, /, **values: object
) -> RuleFileError:
    zh, en = MSG.both(key, **values)
    detail = node_caret(text, node) if node is not None else None  # type: ignore[arg-type]
    return RuleFileError(zh, message_en=en, location=where, detail=detail)
