"""Column mapping files (``--columns mapping.yaml``): source header -> canonical field, and local
values added to a field's code list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from exitcheck.i18n import Catalogue
from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue, set_local_values
from exitcheck.schema.messages import MSG
from exitcheck.schema.text import fold
from exitcheck.yamldoc import YamlDoc

# Messages of the `values:` block (kept with the code that raises them).
VALUES_MSG = Catalogue(
    {
        "values_shape": (
            "values: 应为“字段: {{标准取值: [同义词, …]}}”的映射",
            "values: maps 'field: {{canonical value: [synonyms, ...]}}'",
        ),
        "values_field_unknown": (
            "values: 未知字段 “{target}”{hint}",
            "values: unknown field '{target}'{hint}",
        ),
        "values_not_enum": (
            "values: 字段 {name}（{label}）的类型为 {type}，只有 enum/grade 字段有取值表",
            "values: field {name} ({label}) is of type {type}; only enum/grade fields have a"
            " code list",
        ),
        "values_entry": (
            "values: 字段 {name} 的取值 “{value}” 应为同义词列表（可为空 []）",
            "values: value '{value}' of field {name} must list its synonyms (possibly [])",
        ),
        "values_clash": (
            "values: “{synonym}” 已是字段 {name} 的取值 {first} 的写法，不能再对应 {second}",
            "values: '{synonym}' already stands for {first} of field {name}; it cannot also"
            " mean {second}",
        ),
    }
)


class ColumnMapping(dict[str, str]):
    """``{source header: canonical field}``, plus the file's ``values:`` block as
    ``value_lists`` (``{field: {canonical value: (synonyms, ...)}}``)."""

    value_lists: dict[str, dict[str, tuple[str, ...]]]

    def __init__(self, columns: dict[str, str], values: dict[str, dict[str, tuple[str, ...]]]):
        super().__init__(columns)
        self.value_lists = values


def load_column_mapping(path: Path, catalogue: FieldCatalogue | None = None) -> ColumnMapping:
    """Read a mapping file and resolve every target to its canonical field name.

    Shape (the ``columns:`` wrapper is optional when there is no ``values:``)::

        columns:
          人均收入合计: per_capita_net_income     # canonical name
          身份证: 证件号码                        # or the Chinese label
        values:                                  # local spellings of a code list
          health:                                # field (name or label) of type enum/grade
            患大病: [重大疾病患者]               # synonyms added to a canonical value
            体弱多病: []                         # a new canonical value

    Returns ``{source header: canonical name}`` (the parsed ``values:`` as ``value_lists``). A
    target that is neither a canonical name nor a label is a RuleFileError at ``file:line``
    listing the closest names; so is a ``values:`` entry for an unknown or non-enum field, or a
    spelling that already means another value of the field. The values apply to what this thread
    then loads with ``catalogue`` (FieldCatalogue.value_map), until the next load_catalogue().
    """
    catalogue = catalogue or load_catalogue()
    doc = YamlDoc(Path(path))
    data = doc.data
    body: Any = data
    loc_prefix: tuple[str, ...] = ()
    values_node: Any = None
    if isinstance(data, CommentedMap) and data and set(data.keys()) <= {"columns", "values"}:
        body = data.get("columns")
        loc_prefix = ("columns",)
        values_node = data.get("values")
        if body is None and "values" in data:
            body = CommentedMap()  # a file with values only
    if not isinstance(body, CommentedMap) or (not body and values_node is None):
        zh, en = MSG.both("mapping_shape")
        raise doc.error(zh, en, doc.key_pos(loc_prefix))
    out: dict[str, str] = {}
    for header, target in body.items():
        at = doc.value_pos((*loc_prefix, header))
        if not isinstance(target, str) or not target.strip():
            zh, en = MSG.both("mapping_value", header=header)
            raise doc.error(zh, en, at)
        spec = catalogue.resolve_name(target.strip())
        if spec is None:
            near = catalogue.closest_names(target.strip())
            hint_zh = MSG("closest", "zh", names="、".join(near)) if near else ""
            hint_en = MSG("closest", "en", names=", ".join(near)) if near else ""
            raise doc.error(
                MSG("mapping_unknown", "zh", target=target, header=header, hint=hint_zh),
                MSG("mapping_unknown", "en", target=target, header=header, hint=hint_en),
                at,
            )
        out[str(header)] = spec.name
    values = _values(doc, values_node, catalogue) if values_node is not None else {}
    set_local_values(catalogue, values)
    return ColumnMapping(out, values)


def _values(
    doc: YamlDoc, node: Any, catalogue: FieldCatalogue
) -> dict[str, dict[str, tuple[str, ...]]]:
    """The ``values:`` block, validated against the catalogue's code lists."""
    if not isinstance(node, CommentedMap):
        zh, en = VALUES_MSG.both("values_shape")
        raise doc.error(zh, en, doc.key_pos(("values",)))
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for target, entries in node.items():
        at = doc.key_pos(("values", target))
        spec = catalogue.resolve_name(str(target).strip())
        if spec is None:
            near = catalogue.closest_names(str(target).strip())
            hint_zh = MSG("closest", "zh", names="、".join(near)) if near else ""
            hint_en = MSG("closest", "en", names=", ".join(near)) if near else ""
            raise doc.error(
                VALUES_MSG("values_field_unknown", "zh", target=target, hint=hint_zh),
                VALUES_MSG("values_field_unknown", "en", target=target, hint=hint_en),
                at,
            )
        if spec.type not in ("enum", "grade"):
            zh, en = VALUES_MSG.both("values_not_enum", name=spec.name, label=spec.label,
                                     type=spec.type)
            raise doc.error(zh, en, at)
        if not isinstance(entries, CommentedMap) or not entries:
            zh, en = VALUES_MSG.both("values_shape")
            raise doc.error(zh, en, doc.value_pos(("values", target)))
        # Every spelling of the field (shipped and local) must mean one value.
        meaning = {fold(w): c for c, syns in spec.values.items() for w in (c, *syns)}
        added = out.setdefault(spec.name, {})
        for raw_value, synonyms in entries.items():
            value = _text(raw_value)
            here = ("values", target, raw_value)
            if synonyms is None:
                synonyms = []
            if not isinstance(synonyms, list) or not all(
                isinstance(s, str | int) and not isinstance(s, bool) for s in synonyms
            ):
                zh, en = VALUES_MSG.both("values_entry", name=spec.name, value=value)
                raise doc.error(zh, en, doc.value_pos(here))
            # A spelling of an existing value adds synonyms to that value.
            canonical = meaning.get(fold(value), value)
            words = [_text(s) for s in synonyms]
            for i, word in enumerate([value, *words]):
                prior = meaning.setdefault(fold(word), canonical)
                if prior != canonical:
                    pos = doc.key_pos(here) if i == 0 else doc.key_pos((*here, i - 1))
                    zh, en = VALUES_MSG.both("values_clash", synonym=word, name=spec.name,
                                             first=prior, second=canonical)
                    raise doc.error(zh, en, pos)
            kept = added.setdefault(canonical, ())
            added[canonical] = kept + tuple(w for w in [value, *words] if w != canonical)
    return out


def _text(value: Any) -> str:
    # Unquoted YAML numbers (codes such as 5) are meant as text, as in rules/fields.yaml.
    return str(value).strip()
