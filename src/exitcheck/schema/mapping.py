"""Column mapping files (``--columns mapping.yaml``): source header -> canonical field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue
from exitcheck.schema.messages import MSG
from exitcheck.yamldoc import YamlDoc


def load_column_mapping(path: Path, catalogue: FieldCatalogue | None = None) -> dict[str, str]:
    """Read a mapping file and resolve every target to its canonical field name.

    Shape (the ``columns:`` wrapper is optional)::

        columns:
          人均收入合计: per_capita_net_income     # canonical name
          身份证: 证件号码                        # or the Chinese label

    Returns ``{source header: canonical name}``. A target that is neither a canonical name nor
    a label is a RuleFileError at ``file:line`` listing the closest names.
    """
    catalogue = catalogue or load_catalogue()
    doc = YamlDoc(Path(path))
    data = doc.data
    body: Any = data
    loc_prefix: tuple[str, ...] = ()
    if isinstance(data, CommentedMap) and list(data.keys()) == ["columns"]:
        body = data["columns"]
        loc_prefix = ("columns",)
    if not isinstance(body, CommentedMap) or not body:
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
    return out
