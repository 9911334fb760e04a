"""The audit pipeline end to end: load -> age at as-of -> rules + parameters -> evaluate.

No terminal output and no clock here: the CLI passes every choice in, so library users (and the
batch/Dask runners) get exactly what the command does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from exitcheck.engine.result import AuditResult
from exitcheck.scope import resolve_scope


@dataclass
class AuditOptions:
    paths: Sequence[Path]
    year: int | None = None
    region: str | None = None
    as_of: date | None = None
    sheet: str | None = None
    encoding: str | None = None
    columns: Path | None = None
    rules: Sequence[Path] = ()
    params: Sequence[Path] = ()
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    exemptions: Path | None = None
    lang: str = "zh"
    notes: list[str] = field(default_factory=list)


def run_audit(
    options: AuditOptions,
    *,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Load the inputs, resolve year/region/as-of and parameters, and evaluate every rule."""
    from exitcheck.engine.evaluate import evaluate
    from exitcheck.engine.exemptions import load_exemptions
    from exitcheck.engine.params import load_params
    from exitcheck.engine.ruleset import load_ruleset
    from exitcheck.schema.derive import add_age
    from exitcheck.schema.loader import load_registry

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    # Rule and parameter files first: a broken rule file should fail before a slow load.
    step("rules")
    ruleset = load_ruleset(list(options.rules)).select(list(options.select), list(options.ignore))
    params = load_params(list(options.params))
    exemptions = load_exemptions(options.exemptions) if options.exemptions else None

    step("load")
    registry = load_registry(
        list(options.paths), sheet=options.sheet, encoding=options.encoding,
        columns=options.columns,
    )
    scope = resolve_scope(registry, year=options.year, region=options.region,
                          as_of=options.as_of)
    registry = add_age(registry, scope.as_of)

    step("evaluate")
    result = evaluate(
        registry, ruleset, params, year=scope.year, region=scope.region,
        region_name=scope.region_name, region_origin=scope.region_origin, as_of=scope.as_of,
        lang=options.lang, exemptions=exemptions,
    )
    result.notes[:0] = [*options.notes, *scope.notes]
    return result
