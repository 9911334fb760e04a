"""What a run is about (income year, as-of date, province): from options, else from the data.

One place for this so that audit, explain and the batch runners agree. Never today's date: the
year comes from --year, --as-of, or the years the data itself names (POLICY.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from exitcheck.errors import UsageError
from exitcheck.schema.model import Registry


@dataclass(frozen=True)
class RunScope:
    year: int
    as_of: date
    region: str | None  # 2-digit province code
    region_name: str | None
    region_origin: str  # "option" | "inferred" | "none"
    notes: tuple[str, ...] = field(default=())  # how inferred values were chosen (Chinese)


def parse_as_of(text: str | None) -> date | None:
    """--as-of YYYY-MM-DD (None when not given)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of 的日期格式应为 YYYY-MM-DD：{text}",
            message_en=f"--as-of must be a date YYYY-MM-DD: {text}",
        ) from None


def infer_year(registry: Registry) -> tuple[int, str] | None:
    """The latest year the data names: 脱贫年度 (exit-era exports) or the monitoring months."""
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


def resolve_scope(
    registry: Registry, *, year: int | None, region: str | None, as_of: date | None
) -> RunScope:
    """Year: --year, else the year of --as-of, else inferred from the data (and noted).
    As-of: --as-of, else 31 December of the year. Region: --region, else inferred from the
    data's ID numbers / county codes (and noted), else none (national values)."""
    from exitcheck.engine.regions import infer_region, resolve_region

    notes: list[str] = []
    if year is None and as_of is not None:
        year = as_of.year
    if year is None:
        inferred = infer_year(registry)
        if inferred is None:
            raise UsageError(
                "无法从数据推断核查年度，请用 --year 指定（例如 --year 2019）",
                message_en="cannot infer the audited year from the data; pass --year, e.g. 2019",
            )
        year = inferred[0]
        notes.append(f"核查年度 {year} 由数据中的“{inferred[1]}”推断；可用 --year 指定")
    as_of = as_of or date(year, 12, 31)

    if region:
        code, name = resolve_region(region)
        return RunScope(year, as_of, code, name, "option", tuple(notes))
    code, evidence = infer_region(registry)
    if code is None:
        notes.append("未能推断地区，使用全国标准；可用 --region 指定省份")
        return RunScope(year, as_of, None, None, "none", tuple(notes))
    name = resolve_region(code)[1]
    notes.append(f"地区 {name}（{code}）由{evidence}推断；可用 --region 指定")
    return RunScope(year, as_of, code, name, "inferred", tuple(notes))
