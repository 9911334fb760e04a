"""Rule files (rules/rulesets/*.yaml): validated, compiled at load time, selectable by code/name."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exitcheck.engine.result import RuleInfo
from exitcheck.errors import ExitcheckError, RuleFileError, UsageError
from exitcheck.findings import Family, Severity
from exitcheck.i18n import Catalogue
from exitcheck.levels import Level, depth
from exitcheck.yamldoc import Pos, YamlDoc, plain, register_model, yaml_files

if TYPE_CHECKING:
    from exitcheck.schema.catalogue import FieldCatalogue

CODE_PATTERN = r"^(INC|FOOD|EDU|MED|HOU|WAT|RISK|DQ|VIL|CTY)\d{3}$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
PRACTICE_PATTERN = r"^[0-9][0-9_-]*[0-9]$"
# Issue kinds the schema stage records in Registry.issues (schema/model.py), usable as builtin.
BUILTIN_KINDS: tuple[str, ...] = (
    "id_stored_as_number",
    "value_not_allowed",
    "household_field_conflict",
    "unparseable_number",
    "unparseable_date",
    # Detected by the loader across households (rules/rulesets/dq_identity.yaml DQ003).
    "duplicate_id_across_households",
    # Rows of a multi-table dataset that do not join (schema/dataset.py, dq_dataset.yaml).
    "spell_without_member",
    "household_without_members",
    "household_without_village",
    "village_without_households",
    # The same household or person in several units of a batch (batch/overlap.py, dq_batch.yaml).
    "overlap_between_inputs",
)
# Placeholders a builtin rule's message may use: columns of Registry.issues (+ the field label).
BUILTIN_PLACEHOLDERS: tuple[str, ...] = ("field", "label", "value", "detail")

MSG = Catalogue(
    {
        "xor": (
            "规则须有 require 或 builtin 二者之一",
            "a rule needs exactly one of require or builtin",
        ),
        "when_builtin": ("builtin 规则不能有 when", "a builtin rule cannot have when"),
        "bad_builtin": ("未知的 builtin 类型 {kind}（可用：{kinds}）",
                        "unknown builtin kind {kind} (available: {kinds})"),
        "family_mismatch": ("规则编号 {code} 与规则族 {family} 不符",
                            "rule code {code} does not belong to family {family}"),
        "dup_code": ("规则编号 {code} 重复（已在 {other} 定义）",
                     "duplicate rule code {code} (already defined at {other})"),
        "dup_name": ("规则名称 {name} 重复（已在 {other} 定义）",
                     "duplicate rule name {name} (already defined at {other})"),
        "alias_clash": ("别名 {alias} 与 {other} 冲突", "alias {alias} clashes with {other}"),
        "bad_alias": ("别名 {alias} 不是有效的规则编号", "alias {alias} is not a valid rule code"),
        "placeholder_unknown": ("消息中的占位符 {{{name}}} 未知{hint}",
                                "unknown message placeholder {{{name}}}{hint_en}"),
        "placeholder_param": (
            "消息中的参数 {{{name}}} 未知",
            "unknown parameter in message {{{name}}}",
        ),
        "placeholder_member": ("消息不能直接引用下级（成员、务工记录）字段 {{{name}}}",
                               "a household rule's message cannot show member field {{{name}}}"),
        "placeholder_format": ("消息占位符 {{{name}}} 不支持格式说明",
                               "message placeholder {{{name}}} cannot carry a format spec"),
        "message_syntax": (
            "消息模板的花括号不成对：{reason}",
            "unbalanced braces in message: {reason}",
        ),
        "cite_unknown": ("cite 字段 {name} 未知", "unknown cite field {name}"),
        "did_you_mean": ("（是否指 {names}？）", " (did you mean {names}?)"),
        "expr_failed": ("表达式无法编译：{reason}", "expression does not compile: {reason}"),
        "not_found": ("找不到规则文件或目录 {path}", "rule file or folder not found: {path}"),
        "unknown_selector": ("未知的规则 {sel}{hint}", "unknown rule {sel}{hint_en}"),
        "hint": ("（相近的有：{near}）", " (close: {near})"),
        "empty_text": ("不能为空", "must not be empty"),
    }
)


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError(MSG("empty_text", "zh") + " / " + MSG("empty_text", "en"))
    return value


@register_model
class Rule(BaseModel):
    """One rule as written in a rule file (see docs/rules.md, "Rule files")."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(pattern=NAME_PATTERN)
    family: Family | None = None
    title: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    severity: Severity
    level: Level
    when: str | None = None
    require: str | None = None
    builtin: str | None = None
    message: str = Field(min_length=1)
    message_en: str | None = None
    cite: str | None = None
    reference: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    # The practitioners' checks this rule covers (numbers of the Guizhou tool Gzuwkj/fuping's
    # rule files, e.g. "1111_14"; docs/practice-checks.md lists every check and its rule).
    practice: list[Annotated[str, Field(pattern=PRACTICE_PATTERN)]] = Field(default_factory=list)

    @field_validator("title", "title_en", "reference", "message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _nonblank(value)


@register_model
class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: Family
    description: str | None = None
    rules: list[dict[str, Any]]  # validated one by one so that errors point at the rule


@dataclass(frozen=True)
class Placeholder:
    """A {name} in a message template: the text written and what it stands for."""

    text: str  # as written, e.g. "人均纯收入" or "param.exit_income_line"
    kind: Literal["field", "param", "issue"]
    name: str  # canonical field name, parameter name, or issues column
    level: str = "household"


@dataclass
class LoadedRule:
    """A validated, compiled rule and where it came from."""

    spec: Rule
    family: str
    source: str  # display name of the file ("rules/rulesets/income.yaml" or the user path)
    line: int  # line of the rule's `code:`
    when: Any = None  # CompiledExpr | None
    require: Any = None  # CompiledExpr | None
    fields: tuple[str, ...] = ()  # fields read by when + require, in order of appearance
    params: tuple[str, ...] = ()  # parameters read by when + require + messages
    cite: str | None = None  # canonical field whose cell findings cite
    message: list[tuple[str, Placeholder | None]] = field(default_factory=list)
    message_en: list[tuple[str, Placeholder | None]] = field(default_factory=list)
    # field -> (Chinese label, English label), for not_evaluated messages (no file access later)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def level(self) -> str:
        return self.spec.level

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def info(self) -> RuleInfo:
        return RuleInfo(
            code=self.spec.code,
            name=self.spec.name,
            family=self.family,
            severity=str(self.spec.severity),
            level=self.spec.level,
            title=self.spec.title,
            title_en=self.spec.title_en,
            reference=self.spec.reference,
            params=self.params,
            source=self.source,
        )


class RuleSet:
    """The rules of one run, in file order."""

    def __init__(self, rules: list[LoadedRule]) -> None:
        self.rules = rules
        self._by_key: dict[str, LoadedRule] = {}
        for rule in rules:
            self._by_key[rule.code] = rule
            for alias in rule.spec.aliases:
                self._by_key[alias.upper()] = rule

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Any:
        return iter(self.rules)

    def get(self, code_or_alias: str) -> LoadedRule | None:
        hit = self._by_key.get(code_or_alias.strip().upper())
        if hit is None:
            hit = next((r for r in self.rules if r.name == code_or_alias.strip()), None)
        return hit

    def info(self) -> list[RuleInfo]:
        return [r.info() for r in self.rules]

    def params(self) -> list[str]:
        """Every parameter read by any rule, sorted."""
        return sorted({p for r in self.rules for p in r.params})

    def match(self, selector: str) -> list[LoadedRule]:
        """Rules one selector names: code, alias, code prefix, dotted name or name prefix."""
        sel = selector.strip()
        if not sel:
            return []
        exact = self._by_key.get(sel.upper())
        if exact is not None and re.fullmatch(r"[A-Za-z]+\d{3}", sel):
            return [exact]
        if re.fullmatch(r"[A-Z]+\d{0,2}", sel):
            hits = [r for r in self.rules if r.code.startswith(sel)]
            if hits:
                return hits
        named = [r for r in self.rules if r.name == sel]
        if named:
            return named
        prefix = sel.removesuffix("*")
        if not prefix.endswith("."):
            prefix += "."
        return [r for r in self.rules if r.name.startswith(prefix)]

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> RuleSet:
        """Rules named by ``select`` (all when empty) minus those named by ``ignore``.

        Each entry may be comma-separated; an entry that names no rule -> UsageError.
        """
        chosen = self.rules
        sel = _split(select)
        if sel:
            keep: set[str] = set()
            for s in sel:
                keep |= {r.code for r in self._resolve(s)}
            chosen = [r for r in chosen if r.code in keep]
        drop: set[str] = set()
        for s in _split(ignore):
            drop |= {r.code for r in self._resolve(s)}
        return RuleSet([r for r in chosen if r.code not in drop])

    def _resolve(self, selector: str) -> list[LoadedRule]:
        hits = self.match(selector)
        if hits:
            return hits
        keys = [r.code for r in self.rules] + [r.name for r in self.rules]
        keys += [a for r in self.rules for a in r.spec.aliases]
        near = difflib.get_close_matches(selector, keys, n=3, cutoff=0.5)
        shown = "、".join(near)
        zh, en = MSG.both(
            "unknown_selector", sel=selector,
            hint=MSG("hint", "zh", near=shown) if near else "",
            hint_en=MSG("hint", "en", near=shown) if near else "",
        )
        raise UsageError(zh, message_en=en)


def _split(items: Iterable[str]) -> list[str]:
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


# -- loading -----------------------------------------------------------------------------------


def shipped_rulesets_dir() -> Path:
    from exitcheck.resources import shipped_rules_dir

    return shipped_rules_dir() / "rulesets"


def load_ruleset(
    paths: list[Path] | None = None,
    *,
    include_shipped: bool = True,
    catalogue: FieldCatalogue | None = None,
    known_params: Collection[str] | None = None,
    extra_columns: Collection[str] = (),
) -> RuleSet:
    """Shipped rule files plus users' files/folders; every expression compiled now.

    ``known_params`` defaults to the names of the shipped parameter files.
    Any problem -> RuleFileError naming file:line with a caret under the offending text.
    """
    from exitcheck.resources import shipped_rules_dir

    if catalogue is None:
        from exitcheck.schema.catalogue import load_catalogue

        catalogue = load_catalogue()
    if known_params is None:
        from exitcheck.engine.params import load_params

        known_params = load_params().names()
    root = shipped_rules_dir()
    sources: list[tuple[Path, Path | None]] = []
    shipped = shipped_rulesets_dir()
    if include_shipped and shipped.is_dir():
        sources += [(p, root) for p in yaml_files(shipped)]
    for user in paths or []:
        if not user.exists():
            zh, en = MSG.both("not_found", path=user)
            raise UsageError(zh, message_en=en)
        sources += [(p, None) for p in yaml_files(user)]

    rules: list[LoadedRule] = []
    codes: dict[str, str] = {}  # code or alias -> "file:line" (for duplicate messages)
    names: dict[str, str] = {}
    for path, shipped_root in sources:
        doc = YamlDoc(path, shipped_root)
        for rule in _load_file(doc, catalogue, set(known_params), extra_columns):
            _check_unique(doc, rule, codes, names)
            rules.append(rule)
    return RuleSet(rules)


def _load_file(
    doc: YamlDoc, catalogue: FieldCatalogue, known_params: set[str], extra: Collection[str]
) -> list[LoadedRule]:
    try:
        rfile = RuleFile.model_validate(plain(doc.data))
    except ValidationError as exc:
        raise doc.pydantic_error(exc, keys=list(RuleFile.model_fields)) from None
    out = []
    for i, raw in enumerate(rfile.rules):
        loc: list[Any] = ["rules", i]
        try:
            spec = Rule.model_validate(raw)
        except ValidationError as exc:
            raise doc.pydantic_error(exc, prefix=loc, keys=list(Rule.model_fields)) from None
        out.append(_build_rule(doc, loc, spec, str(rfile.family), catalogue, known_params, extra))
    return out


def _build_rule(
    doc: YamlDoc,
    loc: list[Any],
    spec: Rule,
    file_family: str,
    catalogue: FieldCatalogue,
    known_params: set[str],
    extra: Collection[str],
) -> LoadedRule:
    family = str(spec.family) if spec.family is not None else file_family
    if not spec.code.startswith(family) or not re.fullmatch(rf"{family}\d{{3}}", spec.code):
        zh, en = MSG.both("family_mismatch", code=spec.code, family=family)
        raise doc.error(zh, en, doc.value_pos([*loc, "code"]))
    for j, alias in enumerate(spec.aliases):
        if not re.fullmatch(CODE_PATTERN, alias):
            zh, en = MSG.both("bad_alias", alias=alias)
            raise doc.error(zh, en, doc.key_pos([*loc, "aliases", j]))
    if (spec.require is None) == (spec.builtin is None):
        zh, en = MSG.both("xor")
        raise doc.error(zh, en, doc.key_pos([*loc, "code"]))
    rule = LoadedRule(spec=spec, family=family, source=doc.name,
                      line=doc.key_pos([*loc, "code"]).line)
    if spec.builtin is not None:
        if spec.when is not None:
            zh, en = MSG.both("when_builtin")
            raise doc.error(zh, en, doc.key_pos([*loc, "when"]))
        if spec.builtin not in BUILTIN_KINDS:
            zh, en = MSG.both("bad_builtin", kind=spec.builtin, kinds=", ".join(BUILTIN_KINDS))
            raise doc.error(zh, en, doc.value_pos([*loc, "builtin"]))
    else:
        rule.when = _compile(doc, [*loc, "when"], spec.when, spec.level, catalogue,
                             known_params, extra)
        rule.require = _compile(doc, [*loc, "require"], spec.require, spec.level, catalogue,
                                known_params, extra)
    fields: list[str] = []
    params: list[str] = []
    for key, expr in (("when", rule.when), ("require", rule.require)):
        if expr is None:
            continue
        text = getattr(spec, key) or ""
        fields += _ordered(expr.fields, text, catalogue)
        params += [p for p in sorted(expr.params) if p not in params]
    rule.fields = tuple(dict.fromkeys(fields))
    for name in rule.fields:
        fspec = catalogue.get(name)
        if fspec is not None:
            rule.labels[name] = (fspec.label, fspec.label_en)
    rule.message = _template(doc, [*loc, "message"], spec.message, spec, catalogue,
                             known_params, extra)
    rule.message_en = (
        _template(doc, [*loc, "message_en"], spec.message_en, spec, catalogue, known_params,
                  extra)
        if spec.message_en
        else rule.message
    )
    for _, ph in rule.message + rule.message_en:
        if ph is not None and ph.kind == "param" and ph.name not in params:
            params.append(ph.name)
    rule.params = tuple(params)
    rule.cite = _cite(doc, loc, spec, rule, catalogue, extra)
    return rule


def _compile(
    doc: YamlDoc,
    loc: list[Any],
    text: str | None,
    level: Level,
    catalogue: FieldCatalogue,
    known_params: set[str],
    extra: Collection[str],
) -> Any:
    if text is None:
        return None
    from exitcheck.engine.expr import compile_expression
    from exitcheck.engine.populations import population_names

    pos = doc.value_pos(loc)
    where = f"{doc.name}:{pos.line}"
    try:
        return compile_expression(
            text, level=level, catalogue=catalogue, where=where,
            known_params=known_params, extra_columns=tuple(extra),
            populations=population_names(),
        )
    except ExitcheckError as exc:
        if exc.detail is None:
            exc.detail = _yaml_caret(doc, pos)
        if exc.location is None:
            exc.location = where
        raise RuleFileError(exc.message, message_en=exc.message_en, location=exc.location,
                            detail=exc.detail) from None
    except (SyntaxError, ValueError, TypeError) as exc:
        zh, en = MSG.both("expr_failed", reason=exc)
        raise doc.error(zh, en, pos) from None


def _yaml_caret(doc: YamlDoc, pos: Pos) -> str | None:
    from exitcheck.yamldoc import caret

    return caret(doc.lines, pos)


def _ordered(fields: Iterable[str], text: str, catalogue: FieldCatalogue) -> list[str]:
    """Fields in order of first appearance in the expression text (by name or label)."""

    def first(name: str) -> int:
        spec = catalogue.get(name)
        hits = [text.find(n) for n in (name, spec.label if spec else name) if n in text]
        return min(hits) if hits else len(text)

    return sorted(fields, key=lambda f: (first(f), f))


def _template(
    doc: YamlDoc,
    loc: list[Any],
    text: str,
    spec: Rule,
    catalogue: FieldCatalogue,
    known_params: set[str],
    extra: Collection[str],
) -> list[tuple[str, Placeholder | None]]:
    """Split a message template into (literal, placeholder) pairs, checking every placeholder."""
    from exitcheck.engine.expr_names import resolve, suggest

    parts: list[tuple[str, Placeholder | None]] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        zh, en = MSG.both("message_syntax", reason=exc)
        raise doc.error(zh, en, doc.value_pos(loc)) from None
    for literal, name, fmt, conv in parsed:
        if name is None:
            parts.append((literal, None))
            continue
        pos = _placeholder_pos(doc, loc, name)
        if fmt or conv:
            zh, en = MSG.both("placeholder_format", name=name)
            raise doc.error(zh, en, pos)
        if spec.builtin is not None:
            if name not in BUILTIN_PLACEHOLDERS:
                zh, en = _unknown_placeholder(name, list(BUILTIN_PLACEHOLDERS))
                raise doc.error(zh, en, pos)
            parts.append((literal, Placeholder(name, "issue", name)))
            continue
        if name.startswith("param."):
            pname = name.removeprefix("param.")
            if pname not in known_params:
                zh, en = MSG.both("placeholder_param", name=name)
                raise doc.error(zh, en, pos)
            parts.append((literal, Placeholder(name, "param", pname)))
            continue
        binding = resolve(name, catalogue, extra)
        if binding is None:
            from exitcheck.engine.expr_names import known_names

            zh, en = _unknown_placeholder(name, suggest(name, known_names(catalogue, extra)))
            raise doc.error(zh, en, pos)
        if depth(binding.level) > depth(spec.level):  # a lower level's field: no one value
            zh, en = MSG.both("placeholder_member", name=name)
            raise doc.error(zh, en, pos)
        parts.append((literal, Placeholder(name, "field", binding.name, binding.level)))
    return parts


def _unknown_placeholder(name: str, near: list[str]) -> tuple[str, str]:
    shown = "、".join(near[:3])
    return MSG.both(
        "placeholder_unknown", name=name,
        hint=MSG("did_you_mean", "zh", names=shown) if near else "",
        hint_en=MSG("did_you_mean", "en", names=shown) if near else "",
    )


def _placeholder_pos(doc: YamlDoc, loc: list[Any], name: str) -> Pos:
    pos = doc.value_pos(loc)
    needle = "{" + name + "}"
    for offset in range(0, 3):  # folded/literal blocks start on the next lines
        line = pos.line + offset
        if line <= len(doc.lines) and needle in doc.lines[line - 1]:
            return Pos(line, doc.lines[line - 1].index(needle), len(needle))
    return pos


def _cite(
    doc: YamlDoc,
    loc: list[Any],
    spec: Rule,
    rule: LoadedRule,
    catalogue: FieldCatalogue,
    extra: Collection[str],
) -> str | None:
    if spec.cite is None:
        if rule.require is not None:
            req = _ordered(rule.require.fields, spec.require or "", catalogue)
            return req[0] if req else (rule.fields[0] if rule.fields else None)
        return None
    from exitcheck.engine.expr_names import known_names, resolve, suggest

    binding = resolve(spec.cite, catalogue, extra)
    if binding is None:
        near = suggest(spec.cite, known_names(catalogue, extra))
        zh, en = MSG.both("cite_unknown", name=spec.cite)
        if near:
            zh += MSG("did_you_mean", "zh", names="、".join(near))
            en += MSG("did_you_mean", "en", names=", ".join(near))
        raise doc.error(zh, en, doc.value_pos([*loc, "cite"]))
    return binding.name


def _check_unique(
    doc: YamlDoc, rule: LoadedRule, codes: dict[str, str], names: dict[str, str]
) -> None:
    loc_code = rule.where
    if rule.code in codes:
        zh, en = MSG.both("dup_code", code=rule.code, other=codes[rule.code])
        raise doc.error(zh, en, _find_line(doc, rule.line, rule.code))
    if rule.name in names:
        zh, en = MSG.both("dup_name", name=rule.name, other=names[rule.name])
        raise doc.error(zh, en, _find_line(doc, rule.line, rule.name))
    for alias in rule.spec.aliases:
        if alias in codes or alias == rule.code:
            other = codes.get(alias, loc_code)
            zh, en = MSG.both("alias_clash", alias=alias, other=other)
            raise doc.error(zh, en, _find_line(doc, rule.line, alias))
    codes[rule.code] = loc_code
    for alias in rule.spec.aliases:
        codes[alias] = loc_code
    names[rule.name] = loc_code


def _find_line(doc: YamlDoc, start: int, text: str) -> Pos:
    """The first line at or after ``start`` holding ``text`` (to underline it)."""
    for line in range(start, min(start + 40, len(doc.lines)) + 1):
        col = doc.lines[line - 1].find(text)
        if col >= 0:
            return Pos(line, col, len(text))
    return Pos(start)
