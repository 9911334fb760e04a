"""YAML files with line numbers and carets: rules, parameters, cases, exemptions, regions, the
field catalogue and column mappings (ruamel.yaml); every problem is a located RuleFileError."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exitcheck.errors import RuleFileError
from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        "yaml_syntax": ("YAML 语法错误：{problem}", "YAML syntax error: {problem}"),
        "unreadable": ("无法读取文件：{reason}", "cannot read file: {reason}"),
        "missing_file": ("找不到文件", "file not found"),
        "not_mapping": ("文件内容应为键值映射", "the file should hold a mapping"),
        "unknown_key": ("未知的键 {key}{hint}", "unknown key {key}{hint_en}"),
        "did_you_mean": ("（是否想写 {best}？）", " (did you mean {best}?)"),
        "missing": ("缺少必填项 {key}", "missing required key {key}"),
        "bad_value": (
            "{key} 的值 {value} 无效：{reason}",
            "invalid value {value} for {key}: {reason}",
        ),
        "empty": ("{key} 不能为空", "{key} must not be empty"),
        "pattern": ("{key} 的值 {value} 格式不对（应匹配 {pattern}）",
                    "{key} value {value} has the wrong form (expected {pattern})"),
        "choice": ("{key} 的值 {value} 不在允许的取值中：{expected}",
                   "{key} value {value} is not one of {expected}"),
        "type": (
            "{key} 的值 {value} 类型不对：{reason}",
            "{key} value {value} has the wrong type: {reason}",
        ),
    }
)


@dataclass(frozen=True)
class Pos:
    """A 1-based line and 0-based column inside a YAML file, plus the text to underline."""

    line: int
    col: int = 0
    length: int = 1


def display_path(path: Path, shipped_root: Path | None = None) -> str:
    """How locations name a file: ``rules/<relative>`` for shipped files, else the path given."""
    if shipped_root is not None:
        try:
            return "rules/" + path.resolve().relative_to(shipped_root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def caret(lines: Sequence[str], pos: Pos) -> str | None:
    """The offending source line with a caret under the text (``  12 | text`` / ``     | ^^``)."""
    if not 1 <= pos.line <= len(lines):
        return None
    text = lines[pos.line - 1].rstrip("\n")
    gutter = f"{pos.line:>4} | "
    # East-Asian characters are two columns wide in a terminal: pad accordingly.
    pad = sum(2 if _wide(ch) else 1 for ch in text[: pos.col])
    width = sum(2 if _wide(ch) else 1 for ch in text[pos.col : pos.col + max(pos.length, 1)])
    return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * pad}{'^' * max(width, 1)}"


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x1100 and (
        0x1100 <= ord(ch) <= 0x115F
        or 0x2E80 <= ord(ch) <= 0xA4CF
        or 0xAC00 <= ord(ch) <= 0xD7A3
        or 0xF900 <= ord(ch) <= 0xFAFF
        or 0xFE30 <= ord(ch) <= 0xFE4F
        or 0xFF00 <= ord(ch) <= 0xFF60
        or 0xFFE0 <= ord(ch) <= 0xFFE6
    )


class YamlDoc:
    """One parsed YAML file: the data (ruamel CommentedMap/Seq), its lines, and its display name."""

    def __init__(
        self, path: Path, shipped_root: Path | None = None, *, cached: bool | None = None
    ) -> None:
        """``cached``: keep the parse in the user cache (exitcheck.yamlcache); by default for
        the shipped files only (their containers are then plain dicts/lists with positions,
        not ruamel nodes: callers needing ruamel types pass False)."""
        self.path = path
        self.name = display_path(path, shipped_root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            zh, en = MSG.both("missing_file")
            raise RuleFileError(zh, message_en=en, location=self.name) from None
        except (OSError, UnicodeDecodeError) as exc:
            zh, en = MSG.both("unreadable", reason=exc)
            raise RuleFileError(zh, message_en=en, location=self.name) from None
        self.lines = text.splitlines()
        if cached is None:
            cached = _is_shipped(path)
        if cached:
            from exitcheck import yamlcache

            if yamlcache.enabled():
                tree = yamlcache.load(text)
                if tree is None:
                    tree = yamlcache.store(text, self._parse(text))
                if tree is not None:
                    self.data: Any = tree
                    return
        self.data = self._parse(text)

    def _parse(self, text: str) -> Any:
        """ruamel's round-trip tree of ``text``; a syntax error -> RuleFileError with a caret."""
        from ruamel.yaml import YAML
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        try:
            return YAML(typ="rt").load(text)
        except MarkedYAMLError as exc:
            # At end of file the problem mark lies past the last line: use the context mark
            # (where the unclosed construct began) so that the caret shows real text.
            marks = [m for m in (exc.problem_mark, exc.context_mark) if m is not None]
            inside = [m for m in marks if m.line < len(self.lines)]
            mark = (inside or marks or [None])[0]
            line = (mark.line + 1) if mark is not None else 1
            col = mark.column if mark is not None else 0
            problem = exc.problem or exc.context or "?"
            zh, en = MSG.both("yaml_syntax", problem=problem)
            raise RuleFileError(
                zh, message_en=en, location=f"{self.name}:{line}",
                detail=caret(self.lines, Pos(line, col)),
            ) from None
        except YAMLError as exc:  # pragma: no cover - other scanner errors carry no mark
            zh, en = MSG.both("yaml_syntax", problem=exc)
            raise RuleFileError(zh, message_en=en, location=self.name) from None

    # -- positions --------------------------------------------------------------------------
    def node(self, loc: Iterable[Any]) -> tuple[Any, Any, Pos]:
        """Walk ``loc`` (keys and indexes) as far as it exists; return (parent, last key, pos).

        The position is the key's (for mappings) or item's (for sequences) when it exists,
        else that of the deepest existing container.
        """
        cur = self.data
        pos = Pos(_line(cur), _col(cur))
        parent: Any = None
        last: Any = None
        for key in loc:
            if isinstance(cur, dict):
                actual = _match_key(cur, key)
                if actual is None:
                    return cur, key, pos
                kl, kc = cur.lc.key(actual)  # type: ignore[attr-defined]  # ruamel node
                pos = Pos(kl + 1, kc, len(str(actual)))
                parent, last, cur = cur, actual, cur[actual]
            elif isinstance(cur, list) and isinstance(key, int) and 0 <= key < len(cur):
                il, ic = cur.lc.item(key)  # type: ignore[attr-defined]  # ruamel node
                pos = Pos(il + 1, ic, 1)
                parent, last, cur = cur, key, cur[key]
            else:
                break
        return parent, last, pos

    def key_pos(self, loc: Sequence[Any]) -> Pos:
        return self.node(loc)[2]

    def value_pos(self, loc: Sequence[Any]) -> Pos:
        """Position of the value at ``loc`` (for scalars: the value text itself)."""
        parent, last, pos = self.node(loc)
        if isinstance(parent, dict) and last in parent:
            vl, vc = parent.lc.value(last)  # type: ignore[attr-defined]  # ruamel node
            value = parent[last]
            length = len(str(value)) if not isinstance(value, dict | list) else 1
            if vl + 1 <= len(self.lines):
                length = min(length, max(len(self.lines[vl]) - vc, 1))
            return Pos(vl + 1, vc, length)
        return pos

    def where(self, loc: Sequence[Any]) -> str:
        return f"{self.name}:{self.key_pos(loc).line}"

    def error(
        self, zh: str, en: str, pos: Pos, *, detail: str | None = None
    ) -> RuleFileError:
        """A RuleFileError naming ``file:line`` with a caret under the offending text."""
        shown = caret(self.lines, pos)
        if detail:
            shown = f"{shown}\n{detail}" if shown else detail
        return RuleFileError(zh, message_en=en, location=f"{self.name}:{pos.line}", detail=shown)

    def pydantic_error(
        self, exc: Any, prefix: Sequence[Any] = (), keys: Sequence[str] | None = None
    ) -> RuleFileError:
        """Turn the first error of a pydantic ValidationError into a located RuleFileError.

        ``keys`` are the allowed keys offered as did-you-mean hints (default: every key of the
        models registered with :func:`register_model`).
        """
        errors = exc.errors()
        # A misspelt key shows up as "missing title" plus "extra titel": the latter, with its
        # did-you-mean hint, is the one to show.
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = list(prefix) + [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        kind = err["type"]
        key = str(loc[-1]) if loc else ""
        if kind == "extra_forbidden":
            fields = keys if keys is not None else _model_fields()
            best = difflib.get_close_matches(key, fields, n=1, cutoff=0.5)
            hint = MSG("did_you_mean", "zh", best=best[0]) if best else ""
            hint_en = MSG("did_you_mean", "en", best=best[0]) if best else ""
            zh, en = MSG.both("unknown_key", key=key, hint=hint, hint_en=hint_en)
            return self.error(zh, en, self.key_pos(loc))
        if kind == "missing":
            zh, en = MSG.both("missing", key=key)
            return self.error(zh, en, self.key_pos(loc[:-1]))
        value = err.get("input")
        shown = _short(value)
        if kind == "string_pattern_mismatch":
            pattern = err.get("ctx", {}).get("pattern", "")
            zh, en = MSG.both("pattern", key=key, value=shown, pattern=pattern)
        elif kind in ("literal_error", "enum"):
            expected = err.get("ctx", {}).get("expected", "")
            zh, en = MSG.both("choice", key=key, value=shown, expected=expected)
        elif kind == "string_too_short":
            zh, en = MSG.both("empty", key=key)
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            zh, en = MSG.both("type", key=key, value=shown, reason=err["msg"])
        else:
            reason = str(err["msg"]).removeprefix("Value error, ")
            zh, en = MSG.both("bad_value", key=key, value=shown, reason=reason)
        return self.error(zh, en, self.value_pos(loc))


def _is_shipped(path: Path) -> bool:
    from exitcheck.resources import shipped_rules_dir

    try:
        path.resolve().relative_to(shipped_rules_dir().resolve())
    except (ValueError, OSError):
        return False
    return True


def _model_fields() -> list[str]:
    return sorted({f for model in _MODELS.values() for f in model.model_fields})


_MODELS: dict[str, Any] = {}


def register_model(model: Any) -> Any:
    """Class decorator: lets did-you-mean hints list a pydantic model's keys."""
    _MODELS[model.__name__] = model
    return model


def _match_key(mapping: dict[Any, Any], key: Any) -> Any:
    if key in mapping:
        return key
    for k in mapping:
        if str(k) == str(key):
            return k
    return None


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1


def _col(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return lc.col if lc is not None and lc.col is not None else 0


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."


def plain(node: Any) -> Any:
    """ruamel containers -> plain dict/list (keys as str), for pydantic and hashing."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if type(node).__name__ == "ScalarFloat":
        return float(node)
    if type(node).__name__ in ("ScalarInt", "HexInt", "OctalInt", "BinaryInt"):
        return int(node)
    if type(node).__name__ == "ScalarBoolean":
        return bool(node)
    if isinstance(node, str):
        return str(node)
    return node


def yaml_files(path: Path) -> list[Path]:
    """A file, or every *.yaml / *.yml file under a folder (sorted, recursive)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]
