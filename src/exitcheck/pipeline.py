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
from exitcheck.errors import UsageError
from exitcheck.schema.model import Registry


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


def infer_year(registry: Registry) -> tuple[int, str] | None:
    """The audited year when --year is not given: the latest year the data itself names.

    Exit-era exports carry 脱贫年度; monitoring exports carry identification/elimination months.
    Never today's date (reproducibility).
    """
    import pandas as pd

    hh = registry.households
    if "exit_year" in hh.columns:
        years = pd.to_numeric(hh["exit_year"], errors="coerce").dropna()
        if len(years):
            return int(years.max()), "脱贫年度"
    for column, label in (("risk_eliminated_month", "消除监测时间"),
                          ("monitoring_identified", "识别监测时间")):
        if column in hh.columns:
            months = pd.to_datetime(hh[column], errors="coerce").dropna()
            if len(months):
                return int(months.max().year), label
    return None


def resolve_year(registry: Registry, year: int | None, notes: list[str]) -> int:
    if year is not None:
        return year
    inferred = infer_year(registry)
    if inferred is None:
        raise UsageError(
            "无法从数据推断核查年度，请用 --year 指定（例如 --year 2019）",
            message_en="cannot infer the audited year from the data; pass --year, e.g. 2019",
        )
    notes.append(f"核查年度 {inferred[0]} 由数据中的“{inferred[1]}”推断；可用 --year 指定")
    return inferred[0]


def run_audit(
    options: AuditOptions,
    *,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Load the inputs, resolve year/region/as-of and parameters, and evaluate every rule."""
    from exitcheck.engine.evaluate import evaluate
    from exitcheck.engine.exemptions import load_exemptions
    from exitcheck.engine.params import load_params
    from exitcheck.engine.regions import infer_region, resolve_region
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
    notes = options.notes
    year = resolve_year(registry, options.year, notes)
    as_of = options.as_of or date(year, 12, 31)
    registry = add_age(registry, as_of)

    if options.region:
        region, region_name = resolve_region(options.region)
        origin = "option"
    else:
        region, evidence = infer_region(registry)
        region_name = resolve_region(region)[1] if region else None
        origin = "inferred" if region else "none"
        if region:
            notes.append(f"地区 {region_name}（{region}）由{evidence}推断；可用 --region 指定")
        else:
            notes.append("未能推断地区，使用全国标准；可用 --region 指定省份")

    step("evaluate")
    result = evaluate(
        registry, ruleset, params, year=year, region=region, region_name=region_name,
        region_origin=origin, as_of=as_of, lang=options.lang, exemptions=exemptions,
    )
    result.notes[:0] = notes
    return result
