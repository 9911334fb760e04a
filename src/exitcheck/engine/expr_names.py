"""Names an expression may use (catalogue, derived and raw columns) with their level and type."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from exitcheck.levels import Level
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec

# Value types of the language. "any": type known only at run time (parameters, raw columns).
ValueType = Literal["bool", "number", "text", "date", "any", "null"]

FIELD_TYPES: dict[str, ValueType] = {
    "text": "text",
    "id": "text",
    "id_number": "text",
    "enum": "text",
    "grade": "text",
    "number": "number",
    "integer": "number",
    "bool": "bool",
    "date": "date",
    "month": "date",  # normalized to first-of-month datetimes by schema/
}

# Derived columns schema/ always adds (schema/model.py): name -> (level, type, Chinese label).
DERIVED: dict[str, tuple[Level, ValueType, str | None]] = {
    "age": ("member", "number", "年龄"),
    "sex": ("member", "text", None),
    "birth_date": ("member", "date", None),
    "id_valid": ("member", "bool", None),
    "id_stored_as_number": ("member", "bool", None),
    "member_count": ("household", "number", "成员人数"),
    # Which table a work spell came from (schema/dataset.py SPELL_KINDS).
    "spell_kind": ("spell", "text", "务工记录类型"),
}
DERIVED_VALUES: dict[str, frozenset[str]] = {
    "sex": frozenset({"男", "女"}),
    "spell_kind": frozenset({"已外出务工", "计划外出务工"}),
}

RAW_PREFIX = "raw:"


@dataclass(frozen=True)
class Binding:
    """What a name in an expression stands for."""

    name: str  # key in CompiledExpr.fields / field_values: canonical name or "raw:<header>"
    level: Level
    type: ValueType
    allowed: frozenset[str] = frozenset()  # canonical values of enum/grade fields


def _from_spec(spec: FieldSpec) -> Binding:
    return Binding(
        spec.name, spec.level, FIELD_TYPES.get(spec.type, "text"), frozenset(spec.values)
    )


def resolve(
    name: str, catalogue: FieldCatalogue, extra_columns: Collection[str] = ()
) -> Binding | None:
    """A bare name: canonical field, Chinese label, derived field, or a raw header kept."""
    spec = catalogue.resolve_name(name)
    if spec is not None:
        return _from_spec(spec)
    for derived, (level, vtype, label) in DERIVED.items():
        if name in (derived, label):
            return Binding(derived, level, vtype, DERIVED_VALUES.get(derived, frozenset()))
    raw = name.removeprefix(RAW_PREFIX)
    if raw in extra_columns or RAW_PREFIX + raw in extra_columns:
        return Binding(RAW_PREFIX + raw, "member", "any")
    return None


def resolve_header(header: str, catalogue: FieldCatalogue) -> Binding:
    """col("any header"): the catalogue field of that name/label, else the raw member column."""
    spec = catalogue.resolve_name(header)
    if spec is not None:
        return _from_spec(spec)
    return Binding(RAW_PREFIX + header.removeprefix(RAW_PREFIX), "member", "any")


def suggest(name: str, candidates: Collection[str]) -> list[str]:
    return difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)


def known_names(catalogue: FieldCatalogue, extra_columns: Collection[str] = ()) -> list[str]:
    names: list[str] = []
    for spec in catalogue.fields.values():
        names += [spec.name, spec.label]
    for derived, (_, _, label) in DERIVED.items():
        names += [derived] + ([label] if label else [])
    names += [c.removeprefix(RAW_PREFIX) for c in extra_columns]
    return names
