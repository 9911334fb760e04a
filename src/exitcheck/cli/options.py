"""Options shared by several commands: year, region and as-of resolution, rule/param sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from exitcheck.errors import UsageError

if TYPE_CHECKING:
    from exitcheck.schema.model import Registry

YearOpt = Annotated[int | None, typer.Option("--year", help="核查的收入年度 Income year audited")]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="省份名称或代码（如 四川 / 51）Province name or code"),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="计算年龄的基准日 YYYY-MM-DD（默认 --year 年末）Reference date"),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="追加规则文件或目录 Extra rule files/folders"),
]
ParamsOpt = Annotated[
    list[Path] | None,
    typer.Option("--params", help="覆盖参数的文件或目录 Parameter overrides"),
]


@dataclass(frozen=True)
class RunScope:
    """What a run is about: the income year, the as-of date and the province."""

    year: int
    as_of: date
    region: str | None
    region_name: str | None
    region_origin: str  # "option" | "inferred" | "none"
    evidence: str | None = None


def parse_as_of(text: str | None, year: int | None) -> date | None:
    """--as-of YYYY-MM-DD; default 31 December of --year (POLICY.md §2: never today)."""
    if text is None:
        return date(year, 12, 31) if year is not None else None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of 的日期格式应为 YYYY-MM-DD：{text}",
            message_en=f"--as-of must be a date YYYY-MM-DD: {text}",
        ) from None


def resolve_scope(
    year: int | None,
    region: str | None,
    as_of: str | None,
    registry: Registry | None = None,
    lang: str = "zh",
) -> RunScope:
    """Year (or the as-of date's year), as-of date, region from the option or inferred."""
    from exitcheck.engine.regions import infer_region, load_regions, resolve_region

    as_of_date = parse_as_of(as_of, year)
    if year is None:
        if as_of_date is None:
            raise UsageError("请用 --year 指定核查年度", message_en="give the audited year with --year")
        year = as_of_date.year
    assert as_of_date is not None
    if region is not None:
        code, name = resolve_region(region)
        return RunScope(year, as_of_date, code, name, "option")
    if registry is not None:
        code, evidence = infer_region(registry, lang=lang)
        if code is not None:
            return RunScope(year, as_of_date, code, load_regions()[code].name, "inferred",
                            evidence)
        return RunScope(year, as_of_date, None, None, "none", evidence)
    return RunScope(year, as_of_date, None, None, "none")


def console() -> object:
    """A rich console; wide when not a terminal so that tables are not wrapped in pipes/tests."""
    from rich.console import Console

    con = Console()
    return con if con.is_terminal else Console(width=200)
