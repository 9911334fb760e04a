"""Load YAML with line numbers (ruamel) and turn pydantic errors into RuleFileError at file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from exitcheck.errors import RuleFileError
from exitcheck.schema.messages import MSG


def load_yaml(path: Path) -> Any:
    """Round-trip load (keeps line numbers); missing file or bad syntax -> RuleFileError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        zh, en = MSG.both("file_missing", path=path)
        raise RuleFileError(zh, message_en=en, location=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        zh, en = MSG.both("file_unreadable", path=path, error=exc)
        raise RuleFileError(zh, message_en=en, location=str(path)) from None
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or str(exc)
        zh, en = MSG.both("yaml_syntax", problem=problem)
        raise RuleFileError(zh, message_en=en, location=where(path, line)) from None


def where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node of ``loc`` found in the round-trip tree."""
    line: int | None = None
    node = data
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            try:
                line = node.lc.item(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            node = node[key]
        else:
            break
    if line is None and hasattr(data, "lc"):
        line = data.lc.line + 1
    return line


def validation_error(path: Path, data: Any, exc: ValidationError) -> RuleFileError:
    """First pydantic error -> RuleFileError at its line; the others listed in ``detail``."""
    errors = exc.errors(include_url=False)
    lines = []
    for err in errors:
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
        lines.append((line_of(data, loc), dotted, err["msg"]))
    first_line, first_loc, first_msg = lines[0]
    zh, en = MSG.both("schema_invalid", loc=first_loc, error=first_msg)
    detail = None
    if len(lines) > 1:
        detail = "\n".join(f"  {where(path, ln)}: {loc}: {msg}" for ln, loc, msg in lines[1:])
    return RuleFileError(zh, message_en=en, location=where(path, first_line), detail=detail)
