"""Populations (rules/populations.yaml): 已脱贫户, 监测户 ... defined once, used as pop.NAME.

Rules' `when:` clauses and the aggregate stage (按村统计, verdict counts) evaluate the same
compiled expressions, so the counts always agree with the rules.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exitcheck.errors import RuleFileError
from exitcheck.yamldoc import YamlDoc, register_model

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from exitcheck.engine.context import EvalContext
    from exitcheck.engine.expr import CompiledExpr
    from exitcheck.schema.catalogue import FieldCatalogue
    from exitcheck.schema.model import Registry

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


@register_model
class _PopulationModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    expr: str = Field(min_length=1)
    description: str | None = None


@register_model
class _PopulationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    populations: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Population:
    name: str
    label: str
    label_en: str
    expr: CompiledExpr


_lock = threading.Lock()
_cache: dict[tuple[Path, int], dict[str, Population]] = {}
_names: dict[Path, tuple[str, ...]] = {}


def populations_path() -> Path:
    from exitcheck.resources import shipped_rules_dir

    return shipped_rules_dir() / "populations.yaml"


def population_names() -> tuple[str, ...]:
    """The names rules may use as pop.NAME (read without compiling: any catalogue)."""
    from exitcheck.yamldoc import plain

    with _lock:
        hit = _names.get(populations_path())
        if hit is None:
            data = plain(YamlDoc(populations_path(), populations_path().parent.parent).data)
            pops = data.get("populations") if isinstance(data, dict) else None
            hit = _names[populations_path()] = tuple(pops or ())
    return hit


def load_populations(catalogue: FieldCatalogue | None = None) -> dict[str, Population]:
    """The shipped populations, compiled at household level (cached per catalogue)."""
    if catalogue is None:
        from exitcheck.schema.catalogue import load_catalogue

        catalogue = load_catalogue()
    path = populations_path()
    key = (path, id(catalogue))
    with _lock:
        hit = _cache.get(key)
        if hit is None:
            hit = _cache[key] = _load(path, catalogue)
    return hit


def _load(path: Path, catalogue: FieldCatalogue) -> dict[str, Population]:
    import re

    from exitcheck.engine.expr import compile_expression
    from exitcheck.yamldoc import plain

    doc = YamlDoc(path, path.parent.parent)
    try:
        parsed = _PopulationsFile.model_validate(plain(doc.data))
    except ValidationError as exc:
        raise doc.pydantic_error(exc, keys=list(_PopulationsFile.model_fields)) from None
    out: dict[str, Population] = {}
    for name, raw in parsed.populations.items():
        loc: list[Any] = ["populations", name]
        if not re.fullmatch(NAME_PATTERN, name):
            raise doc.error(f"人群名称 {name} 须为小写英文与下划线",
                            f"population name {name} must be lower-case snake_case",
                            doc.key_pos(loc))
        try:
            spec = _PopulationModel.model_validate(raw)
        except ValidationError as exc:
            raise doc.pydantic_error(exc, prefix=loc,
                                     keys=list(_PopulationModel.model_fields)) from None
        pos = doc.value_pos([*loc, "expr"])
        try:
            expr = compile_expression(spec.expr, level="household", catalogue=catalogue,
                                      where=f"{doc.name}:{pos.line}", known_params=(),
                                      populations=tuple(out))
        except RuleFileError as exc:
            raise RuleFileError(exc.message, message_en=exc.message_en,
                                location=exc.location, detail=exc.detail) from None
        out[name] = Population(name, spec.label, spec.label_en, expr)
    return out


def population_table(registry: Registry, as_of: date,
                     ctx: EvalContext | None = None) -> pd.DataFrame:
    """Every population per household (one bool column each; never unknown: False)."""
    import numpy as np
    import pandas as pd

    if ctx is None:
        from exitcheck.engine.context import EvalContext

        ctx = EvalContext(households=registry.households, members=registry.members, params={},
                          as_of=as_of, spells=registry.spells, villages=registry.villages,
                          populations={n: p.expr for n, p in load_populations().items()})
    cols = {}
    for name, expr in ctx.populations.items():
        hit = ctx.cache.get(f"pop:{name}")
        if hit is None:
            hit = ctx.cache[f"pop:{name}"] = expr.evaluate(ctx).fillna(False)  # type: ignore[attr-defined]
        cols[name] = np.asarray(hit, dtype=bool)
    return pd.DataFrame(cols, index=ctx.households.index)
