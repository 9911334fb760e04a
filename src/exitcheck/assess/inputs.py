"""Load the registry the way `exitcheck audit` does (same options, same pipeline; or its read,
schema and scope stages only, for commands that run no rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from exitcheck.engine.params import ParamStore
from exitcheck.engine.result import AuditResult

if TYPE_CHECKING:
    import pandas as pd

    from exitcheck.schema.model import Registry
    from exitcheck.scope import RunScope


def run_pipeline(files: Sequence[Path], *, year: int | None, region: str | None,
                 as_of: date | None, sheet: str | None, encoding: str | None,
                 columns: Path | None, rules: Sequence[Path], params: Sequence[Path],
                 lang: str) -> tuple[AuditResult, ParamStore]:
    """Run the audit pipeline (populations, failing and at-risk households) and load the
    parameters with the same overrides."""
    from exitcheck.engine.params import load_params
    from exitcheck.pipeline import AuditOptions, run_audit

    options = AuditOptions(paths=list(files), year=year, region=region, as_of=as_of,
                           sheet=sheet, encoding=encoding, columns=columns, rules=list(rules),
                           params=list(params), lang=lang)
    result = run_audit(options)
    return result, load_params(list(params))


@dataclass
class Snapshot:
    """One year's registry as `audit` loads it, with its scope and the shared populations
    (rules/populations.yaml), without running the rules (diff and bunching need none)."""

    registry: Registry
    populations: pd.DataFrame  # one bool column per population, index = households
    scope: RunScope
    label: str  # the inputs' names, for reports


def load_snapshot(files: Sequence[Path], *, year: int | None, region: str | None,
                  as_of: date | None, sheet: str | None, encoding: str | None,
                  columns: Path | None, lang: str) -> Snapshot:
    """Load FILES (a folder: the dataset's tables in it) through the audit's read and schema
    stages and scope resolution (exitcheck.pipeline.run_audit's first half)."""
    from exitcheck.engine.populations import population_table
    from exitcheck.inputs import expand_inputs
    from exitcheck.schema.derive import add_age
    from exitcheck.schema.loader import load_registry
    from exitcheck.scope import resolve_scope

    paths = expand_inputs(list(files))
    registry = load_registry(paths, sheet=sheet, encoding=encoding, columns=columns)
    scope = resolve_scope(registry, year=year, region=region, as_of=as_of, lang=lang)
    registry = add_age(registry, scope.as_of)
    label = " ".join(p.name for p in files)
    return Snapshot(registry, population_table(registry, scope.as_of), scope, label)
