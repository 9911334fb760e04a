"""The canonical field catalogue (rules/fields.yaml): field specs and header/label resolution."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FieldLevel = Literal["household", "member"]
FieldType = Literal[
    "text", "id", "id_number", "number", "integer", "bool", "date", "month", "enum", "grade"
]


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


@dataclass
class FieldCatalogue:
    fields: dict[str, FieldSpec]
    source: Path | None = None

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
