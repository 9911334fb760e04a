"""The canonical field catalogue (rules/fields.yaml): field specs and header/label resolution."""

from __future__ import annotations

import difflib
import re
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from exitcheck.errors import RuleFileError
from exitcheck.i18n import Catalogue
from exitcheck.levels import Level
from exitcheck.schema.messages import MSG
from exitcheck.schema.text import HEADER_UNITS, fold, header_candidates, header_key

FieldLevel = Level
FieldType = Literal[
    "text", "id", "id_number", "number", "integer", "bool", "date", "month", "enum", "grade"
]

# Used when a FieldCatalogue is built in code without a `booleans:` block; the shipped
# rules/fields.yaml lists the same words (and is what load_catalogue uses).
DEFAULT_TRUE: tuple[str, ...] = ("是", "√", "有", "y", "yes", "1", "true", "t", "对")
DEFAULT_FALSE: tuple[str, ...] = ("否", "×", "x", "无", "n", "no", "0", "false", "f", "错")


@dataclass(frozen=True)
class FieldSpec:
    name: str  # canonical English name, used in rule expressions and frame columns
    label: str  # Chinese label, also accepted in rule expressions
    label_en: str
    level: FieldLevel
    type: FieldType
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    # enum/grade: canonical value -> synonyms accepted in cells
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: bool = False
    sensitive: bool = False
    # Added by the normalize stage: listed in InputInfo.missing_optional when absent.
    recommended: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A table kind of a dataset (rules/fields.yaml ``tables:``): a table is of this kind when
    it has the ``identify`` fields (docs/dataset-model.md)."""

    name: str  # member, household, work, work_plan, village
    label: str
    label_en: str
    level: FieldLevel
    identify: tuple[str, ...]


@dataclass
class FieldCatalogue:
    fields: dict[str, FieldSpec]
    source: Path | None = None
    # Table kinds, from the catalogue's `tables:` block (empty for a catalogue without one).
    tables: dict[str, TableSpec] = field(default_factory=dict)
    # Cell words read as true / false in bool fields (compared after fold(): NFKC, no spaces,
    # casefold). From the catalogue's `booleans:` block.
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE

    def get(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    def resolve_name(self, name_or_label: str) -> FieldSpec | None:
        """Canonical name or Chinese label (as used in rule expressions) -> spec."""
        spec = self.fields.get(name_or_label)
        if spec is not None:
            return spec
        for spec in self.fields.values():
            if spec.label == name_or_label:
                return spec
        return None

    # ---- header matching ---------------------------------------------------------------
    @cached_property
    def units(self) -> frozenset[str]:
        """Unit words dropped from header suffixes: the common ones plus every field's unit."""
        extra = {s.unit for s in self.fields.values() if s.unit}
        return frozenset(u.casefold() for u in (*HEADER_UNITS, *extra))

    @cached_property
    def _header_index(self) -> dict[str, FieldSpec]:
        index: dict[str, FieldSpec] = {}
        for spec in self.fields.values():
            for text in (spec.name, spec.label, *spec.aliases):
                index.setdefault(header_key(text, self.units), spec)
        return index

    @cached_property
    def _match_cache(self) -> dict[str, FieldSpec | None]:
        return {}

    def match_header(self, text: str) -> FieldSpec | None:
        """Header cell text -> field, after folding full-width forms, spaces, unit suffixes,
        case (old codes such as AAC082) and merged-header prefixes ("收入情况（元）/工资性收入")."""
        cache = self._match_cache
        if text in cache:
            return cache[text]
        hit = None
        for key in header_candidates(str(text), self.units):
            hit = self._header_index.get(key)
            if hit is not None:
                break
        if len(cache) > 20_000:  # data cells scanned as header candidates: keep memory bounded
            cache.clear()
        cache[text] = hit
        return hit

    def header_score(self, cells: list[object]) -> float:
        """How much a row looks like this catalogue's header row, 0..1.

        The fraction of non-empty cells that match a field, weighted by m/(m+1) for m matches
        so that a real header (20 of 24 cells match) beats a title row whose one cell happens
        to match (1 of 1 -> 0.5). Numbers, dates and booleans are data, never header cells.
        """
        nonempty = 0
        matched = 0
        for cell in cells:
            if cell is None:
                continue
            if isinstance(cell, str):
                if not cell.strip():
                    continue
                nonempty += 1
                if self.match_header(cell) is not None:
                    matched += 1
            elif cell == cell:  # NaN is empty
                nonempty += 1
        if nonempty == 0 or matched == 0:
            return 0.0
        return matched / nonempty * matched / (matched + 1)

    # ---- values ------------------------------------------------------------------------
    @cached_property
    def _value_maps(self) -> dict[str, dict[str, str]]:
        return {}

    def value_map(self, spec: FieldSpec) -> dict[str, str]:
        """Folded cell text -> canonical value, for an enum/grade field: the catalogue's code
        list plus the values a ``--columns`` mapping added for the load in progress
        (``set_local_values``)."""
        maps = self._value_maps
        if spec.name not in maps:
            out: dict[str, str] = {}
            for canonical, synonyms in spec.values.items():
                for word in (canonical, *synonyms):
                    out.setdefault(fold(word), canonical)
            maps[spec.name] = out
        local = _LOCAL_VALUES.get()
        if local is None or local[0] != id(self) or spec.name not in local[1]:
            return maps[spec.name]
        merged = dict(maps[spec.name])
        for canonical, synonyms in local[1][spec.name].items():
            for word in (canonical, *synonyms):
                merged.setdefault(fold(word), canonical)
        return merged

    @cached_property
    def bool_map(self) -> dict[str, bool]:
        """Folded cell text -> True/False for bool fields."""
        out = {fold(w): True for w in self.true_values}
        for w in self.false_values:
            out.setdefault(fold(w), False)
        return out

    def closest_names(self, text: str, n: int = 3) -> list[str]:
        """Canonical names or labels closest to ``text`` (for "did you mean" hints)."""
        words = [s.name for s in self.fields.values()] + [s.label for s in self.fields.values()]
        return difflib.get_close_matches(text, words, n=n, cutoff=0.5)


# Values added by a --columns mapping file (schema/mapping.py) for the registry being loaded:
# (id of the catalogue they extend, {field: {canonical: synonyms}}). Held per thread/context and
# never written into the cached catalogue, so one run's local spellings do not leak into another;
# load_catalogue() starts every load afresh.
_LOCAL_VALUES: ContextVar[tuple[int, dict[str, dict[str, tuple[str, ...]]]] | None] = ContextVar(
    "exitcheck_local_values", default=None
)


def set_local_values(
    catalogue: FieldCatalogue, values: dict[str, dict[str, tuple[str, ...]]]
) -> None:
    """Let ``catalogue.value_map`` accept ``values`` (from a --columns file) in this context."""
    _LOCAL_VALUES.set((id(catalogue), values) if values else None)


# ---------------------------------------------------------------------------------------------
# Loading rules/fields.yaml (strict: a typo is an error at file:line, never a dropped field)


def _to_str(value: Any) -> Any:
    # Unquoted YAML numbers (system codes such as 0/1/3/4) are meant as text.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_to_str)]


class _FieldModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    label_en: str
    level: FieldLevel
    type: FieldType
    unit: str | None = None
    aliases: list[Text] = []
    values: dict[Text, list[Text] | None] | list[Text] = {}
    required: bool = False
    recommended: bool = False
    sensitive: bool = False


class _BooleansModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yes: list[Text]
    no: list[Text]


class _TableModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    label_en: str
    level: FieldLevel
    identify: list[str]


class _CatalogueModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    booleans: _BooleansModel | None = None
    tables: dict[str, _TableModel] = {}
    fields: dict[str, _FieldModel]


# Messages of the parts of the catalogue added for the monitoring era (tables:, values: in
# column mappings), kept with the code that raises them.
CAT_MSG = Catalogue(
    {
        "table_identify_empty": (
            "表类型 {table} 必须列出识别字段（identify）",
            "table kind {table} must list its identifying fields (identify)",
        ),
        "table_unknown_field": (
            "表类型 {table} 的识别字段 {field} 不在字段目录中",
            "table kind {table}: identifying field {field} is not in the field catalogue",
        ),
        "table_field_level": (
            "表类型 {table}（层级 {level}）的识别字段 {field} 属于层级 {field_level}",
            "table kind {table} (level {level}): identifying field {field} is of level"
            " {field_level}",
        ),
    }
)

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CACHE: dict[tuple[Path, int], FieldCatalogue] = {}
# The audit loads rules and data in two threads, both needing the catalogue: parse it once.
_CACHE_LOCK = threading.Lock()


def load_catalogue(path: Path | None = None) -> FieldCatalogue:
    """Load and validate a field catalogue (default: the shipped rules/fields.yaml).

    Cached per (resolved path, modification time). Every problem is a RuleFileError naming
    ``file:line``.
    """
    if path is None:
        from exitcheck.resources import field_catalogue_path

        path = field_catalogue_path()
    path = Path(path)
    _LOCAL_VALUES.set(None)  # a new load: no local values until its --columns file is read
    try:
        key = (path.resolve(), path.stat().st_mtime_ns)
    except OSError:
        key = None
    with _CACHE_LOCK:
        if key is not None and key in _CACHE:
            return _CACHE[key]
        catalogue = _load(path)
        if key is not None:
            _CACHE[key] = catalogue
        return catalogue


def _load(path: Path) -> FieldCatalogue:
    from exitcheck.yamldoc import YamlDoc

    doc = YamlDoc(path)
    try:
        model = _CatalogueModel.model_validate(doc.data)
    except ValidationError as exc:
        keys = sorted({*_CatalogueModel.model_fields, *_FieldModel.model_fields,
                       *_BooleansModel.model_fields, *_TableModel.model_fields})
        raise doc.pydantic_error(exc, keys=keys) from None

    def fail(key: str, at: tuple[Any, ...], /, **values: object) -> RuleFileError:
        zh, en = MSG.both(key, **values)
        return doc.error(zh, en, doc.key_pos(at))

    fields: dict[str, FieldSpec] = {}
    for name, fm in model.fields.items():
        if not _NAME.match(name):
            raise fail(
                "schema_invalid", ("fields", name), loc=f"fields.{name}",
                error="field names are lower_snake_case English",
            )  # fmt: skip
        values = fm.values
        if isinstance(values, list):
            values = {v: [] for v in values}
        if fm.type in ("enum", "grade") and not values:
            raise fail("values_required", ("fields", name, "type"), type=fm.type)
        if fm.type not in ("enum", "grade") and values:
            raise fail("values_not_allowed", ("fields", name, "values"), type=fm.type)
        seen: dict[str, str] = {}
        for canonical, synonyms in values.items():
            for word in (canonical, *(synonyms or [])):
                prior = seen.setdefault(fold(word), canonical)
                if prior != canonical:
                    raise fail(
                        "synonym_clash", ("fields", name, "values", canonical),
                        synonym=word, first=prior, second=canonical,
                    )  # fmt: skip
        fields[name] = FieldSpec(
            name=name,
            label=fm.label,
            label_en=fm.label_en,
            level=fm.level,
            type=fm.type,
            unit=fm.unit,
            aliases=tuple(fm.aliases),
            values={k: tuple(v or ()) for k, v in values.items()},
            required=fm.required,
            sensitive=fm.sensitive,
            recommended=fm.recommended,
        )
    catalogue = FieldCatalogue(fields=fields, source=path)
    if model.booleans is not None:
        yes = {fold(w): w for w in model.booleans.yes}
        for i, w in enumerate(model.booleans.no):
            if fold(w) in yes:
                raise fail("boolean_clash", ("booleans", "no", i), synonym=w)
        catalogue.true_values = tuple(model.booleans.yes)
        catalogue.false_values = tuple(model.booleans.no)

    catalogue.tables = _tables(model, fields, doc, fail)

    # Every header text must name exactly one field.
    owner: dict[str, str] = {}
    for name, spec in fields.items():
        texts: list[tuple[str, tuple[Any, ...]]] = [
            (spec.name, ("fields", name)), (spec.label, ("fields", name, "label"))]
        texts += [(a, ("fields", name, "aliases", i)) for i, a in enumerate(spec.aliases)]
        for text, loc in texts:
            prior = owner.setdefault(header_key(text, catalogue.units), name)
            if prior != name:
                raise fail("alias_clash", loc, alias=text, first=prior, second=name)
    return catalogue


def _tables(
    model: _CatalogueModel, fields: dict[str, FieldSpec], doc: Any, fail: Any
) -> dict[str, TableSpec]:
    """The ``tables:`` block: every identify field exists and is of the table's level."""

    def tfail(key: str, at: tuple[Any, ...], /, **values: object) -> RuleFileError:
        zh, en = CAT_MSG.both(key, **values)
        return doc.error(zh, en, doc.key_pos(at))

    tables: dict[str, TableSpec] = {}
    for name, tm in model.tables.items():
        if not _NAME.match(name):
            raise fail(
                "schema_invalid", ("tables", name), loc=f"tables.{name}",
                error="table kinds are lower_snake_case English",
            )  # fmt: skip
        if not tm.identify:
            raise tfail("table_identify_empty", ("tables", name), table=name)
        for i, fname in enumerate(tm.identify):
            spec = fields.get(fname)
            if spec is None:
                raise tfail("table_unknown_field", ("tables", name, "identify", i),
                           table=name, field=fname)
            if spec.level != tm.level:
                raise tfail("table_field_level", ("tables", name, "identify", i), table=name,
                           field=fname, field_level=spec.level, level=tm.level)
        tables[name] = TableSpec(
            name=name, label=tm.label, label_en=tm.label_en, level=tm.level,
            identify=tuple(tm.identify),
        )  # fmt: skip
    return tables


def load_column_mapping(path: Path, catalogue: FieldCatalogue | None = None) -> dict[str, str]:
    """A ``--columns`` mapping file: source header -> canonical field name, and local values of
    code lists (``values:``) that ``catalogue`` then accepts for this load (see mapping.py)."""
    from exitcheck.schema.mapping import load_column_mapping as load

    return load(path, catalogue)
