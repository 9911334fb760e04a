"""What a run is about (income year, as-of date, province): from options, else from the data.

One place for this so that audit, explain and the batch runners agree. Never today's date: the
year comes from --year, --as-of, or the years the data itself names (docs/policy.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from exitcheck.errors import UsageError
from exitcheck.i18n import Catalogue
from exitcheck.schema.model import Registry

MSG = Catalogue(
    {
        "year_inferred": ("核查年度 {year} 由数据中的“{source}”推断；可用 --year 指定",
                          "audit year {year} inferred from the data's {source}; pass --year "
                          "to choose"),
        "year_before_data": (
            "数据中的“{source}”最晚为 {data_year} 年，晚于核查年度 {year}：年龄按 {as_of} 计算，"
            "请确认 --year/--as-of",
            "the data's {source} goes up to {data_year}, after the audit year {year}: ages are "
            "computed at {as_of}; check --year/--as-of",
        ),
        "region_none": ("未能推断地区，使用全国标准；可用 --region 指定省份",
                        "region not inferred: national values used; pass --region"),
        "region_inferred": ("地区 {name}（{code}）由{evidence}推断；可用 --region 指定",
                            "region {name} ({code}) inferred: {evidence}; pass --region to "
                            "choose"),
        # The data columns the year is read from.
        "src.exit_year": ("脱贫年度", "脱贫年度 (exit year)"),
        "src.risk_eliminated_month": ("消除监测时间", "消除监测时间 (risk eliminated)"),
        "src.monitoring_identified": ("识别监测时间", "识别监测时间 (identified)"),
    }
)


@dataclass(frozen=True)
class RunScope:
    year: int
    as_of: date
    region: str | None  # 2-digit province code
    region_name: str | None
    region_origin: str  # "option" | "inferred" | "none"
    notes: tuple[str, ...] = field(default=())  # how inferred values were chosen (run's lang)


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
    """The latest year the data names: 脱贫年度 (exit-era exports) or the monitoring months.

    Returns (year, the field it came from)."""
    import pandas as pd

    hh = registry.households
    if "exit_year" in hh.columns:
        years = pd.to_numeric(hh["exit_year"], errors="coerce").dropna()
        years = years[(years >= 2000) & (years <= 2100)]  # 20190 is a typo, not a year
        if len(years):
            return int(years.max()), "exit_year"
    for column in ("risk_eliminated_month", "monitoring_identified"):
        if column in hh.columns:
            months = pd.to_datetime(hh[column], errors="coerce").dropna()
            if len(months):
                return int(months.max().year), column
    return None


def resolve_scope(
    registry: Registry,
    *,
    year: int | None,
    region: str | None,
    as_of: date | None,
    lang: str = "zh",
) -> RunScope:
    """Year: --year, else the year of --as-of, else inferred from the data (and noted).
    As-of: --as-of, else 31 December of the year. Region: --region, else inferred from the
    data's ID numbers / county codes (and noted), else none (national values)."""
    from exitcheck.engine.regions import infer_region, resolve_region

    notes: list[str] = []
    if year is None and as_of is not None:
        year = as_of.year
    inferred = infer_year(registry)
    if year is not None and inferred is not None and inferred[0] > year:
        # Auditing an earlier year than the data describes (members born later get negative
        # ages): allowed, but said, since it is usually a typo in --year.
        notes.append(MSG("year_before_data", lang, source=MSG(f"src.{inferred[1]}", lang),
                         data_year=inferred[0], year=year,
                         as_of=(as_of or date(year, 12, 31)).isoformat()))
    if year is None:
        if inferred is None:
            raise UsageError(
                "无法从数据推断核查年度，请用 --year 指定（例如 --year 2019）",
                message_en="cannot infer the audited year from the data; pass --year, e.g. 2019",
            )
        year = inferred[0]
        notes.append(MSG("year_inferred", lang, year=year,
                         source=MSG(f"src.{inferred[1]}", lang)))
    as_of = as_of or date(year, 12, 31)

    if region:
        code, name = resolve_region(region)
        return RunScope(year, as_of, code, name, "option", tuple(notes))
    code, evidence = infer_region(registry, lang=lang)
    if code is None:
        notes.append(MSG("region_none", lang))
        return RunScope(year, as_of, None, None, "none", tuple(notes))
    name = resolve_region(code)[1]
    notes.append(MSG("region_inferred", lang, name=name, code=code, evidence=evidence))
    return RunScope(year, as_of, code, name, "inferred", tuple(notes))
