"""Village, township and county exit: registered, remaining poor, exited, failing, at-risk
persons, poverty incidence (贫困发生率) with its stated denominator, and the exit verdict.

Incidence = remaining poor persons / rural population (docs/policy.md §3). The denominator is never
guessed; per row it is, in this order:

1. ``--population`` file: a CSV/xlsx with 县/乡镇/村/人口 (a row with a blank 村 is a township,
   with blank 乡镇 and 村 the county);
2. the village table's 总人口数 (``village_population``);
3. for a township or county: the sum of its villages when every village has a denominator;
4. the registry itself when the export has 一般农户 (taken to list the whole rural population:
   said in the notes and in the row's source column);
5. otherwise none: incidence and verdict are 无法判定.

Populations come from rules/populations.yaml through ``AuditResult.populations`` (never
re-defined here). Thresholds are the parameters village_incidence_max(_western) and
county_incidence_max(_western), chosen by western_provinces, resolved for the year and province.
Townships have no exit standard: their incidence is shown without a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exitcheck.engine.params import ParamStore
from exitcheck.engine.result import AuditResult
from exitcheck.errors import InputError

LEVELS: tuple[str, ...] = ("village", "township", "county")
LEVEL_LABELS = {"village": ("村", "village"), "township": ("乡镇", "township"),
                "county": ("县", "county")}
KEYS = {"village": ["county", "township", "village"], "township": ["county", "township"],
        "county": ["county"]}

SOURCE_FILE = "population_file"
SOURCE_VILLAGE_TABLE = "village_table"
SOURCE_REGISTRY = "registry_with_ordinary"
SOURCE_SUM = "sum_of_villages"
SOURCE_NONE = "none"
SOURCE_LABELS: dict[str, tuple[str, str]] = {
    SOURCE_FILE: ("人口文件", "population file"),
    SOURCE_VILLAGE_TABLE: ("行政村表 总人口数", "village table 总人口数"),
    SOURCE_REGISTRY: ("登记数据（含一般农户）", "registry incl. ordinary households"),
    SOURCE_SUM: ("各村合计", "sum of its villages"),
    SOURCE_NONE: ("无法判定：无人口数", "not evaluable: no population"),
}

PASS, FAIL, NOT_EVALUABLE, NO_STANDARD = "pass", "fail", "not_evaluable", "no_standard"
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    PASS: ("达标", "meets"),
    FAIL: ("未达标", "fails"),
    NOT_EVALUABLE: ("无法判定", "not evaluable"),
    NO_STANDARD: ("—", "—"),
}

POPULATION_ALIASES: dict[str, tuple[str, ...]] = {
    "county": ("县", "县区", "区县", "县(市、区)", "县（市、区）", "county"),
    "township": ("乡镇", "乡", "镇", "乡(镇)", "乡（镇）", "乡镇(街道)", "乡镇（街道）",
                 "township"),
    "village": ("村", "行政村", "村(社区)", "村（社区）", "village"),
    "population": ("人口", "人口数", "总人口", "总人口数", "农村人口", "乡村人口", "population"),
}


@dataclass(frozen=True)
class Threshold:
    level: str  # "village" | "county"
    param: str
    value: float | None
    source: str


@dataclass
class ExitRates:
    """The exit-rate table: one row per village, township and county (``level`` column)."""

    table: pd.DataFrame
    year: int
    region: str | None
    region_name: str | None
    western: bool | None
    thresholds: dict[str, Threshold]
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    return frame[name].astype("string").fillna("").str.strip().astype("object")


def household_persons(result: AuditResult) -> pd.Series:
    """Persons per household: counted member rows; the stated 家庭人口数 when the member table
    has one row per household (then member rows are not persons)."""
    h = result.registry.households
    counted = pd.to_numeric(h.get("member_count", pd.Series(0, index=h.index)), errors="coerce")
    if result.registry.single_row_households and "household_size" in h.columns:
        stated = pd.to_numeric(h["household_size"], errors="coerce")
        counted = stated.where(stated.notna(), counted)
    return counted.fillna(0).astype("int64")


def population_flags(result: AuditResult) -> pd.DataFrame:
    """The shared populations (rules/populations.yaml) as plain bools on the household index."""
    h = result.registry.households
    pops = result.populations
    out = pd.DataFrame(index=h.index)
    for name in ("exited", "poor", "monitored", "ordinary"):
        if pops is not None and name in pops.columns:
            out[name] = pops[name].reindex(h.index, fill_value=False).fillna(False).astype(bool)
        else:
            out[name] = False
    return out


def _household_flag(result: AuditResult, severity: str) -> pd.Series:
    h = result.registry.households
    f = result.findings
    if f.empty:
        return pd.Series(False, index=h.index)
    hit = (f["status"].astype("string") == "violated") & (f["severity"].astype("string")
                                                          == severity)
    ids = set(f.loc[hit.fillna(False), "household_id"].astype("string").dropna())
    return pd.Series(h.index.astype("string").isin(list(ids)), index=h.index)


def read_population_file(path: Path) -> pd.DataFrame:
    """A population file: columns 县/乡镇/村/人口 (aliases accepted) -> county, township,
    village, population (blank township/village = a row for the area above)."""
    if not path.exists():
        raise InputError(f"找不到人口文件 {path}", message_en=f"population file not found: {path}")
    suffix = path.suffix.lower()
    raw: pd.DataFrame
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raw = pd.read_excel(path, dtype=str)
    else:
        try:
            raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except UnicodeDecodeError:
            raw = pd.read_csv(path, dtype=str, encoding="gb18030")
    columns: dict[str, str] = {}
    for header in raw.columns:
        text = str(header).strip()
        for name, aliases in POPULATION_ALIASES.items():
            if text in aliases and name not in columns.values():
                columns[str(header)] = name
    missing = [n for n in ("county", "population") if n not in columns.values()]
    if missing:
        raise InputError(
            f"人口文件 {path} 缺少列：{'、'.join(POPULATION_ALIASES[n][0] for n in missing)}"
            "（需要 县、乡镇、村、人口）",
            message_en=f"population file {path} lacks columns {', '.join(missing)} "
                       "(needs 县, 乡镇, 村, 人口)",
        )
    frame = raw.rename(columns=columns)
    for name in ("county", "township", "village"):
        frame[name] = _text(frame, name)
    pop = pd.to_numeric(frame["population"].astype("string").str.replace(",", "").str.strip(),
                        errors="coerce")
    bad = pop.isna() | (pop <= 0)
    if bool(bad.any()):
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise InputError(f"人口文件 {path} 第 {row} 行的人口不是正数",
                         message_en=f"population file {path} row {row}: population is not a "
                                    "positive number")
    frame["population"] = pop.astype("float64")
    return frame[["county", "township", "village", "population"]]


def _thresholds(params: ParamStore, year: int, region: str | None
                ) -> tuple[bool | None, dict[str, Threshold], list[str], list[str]]:
    notes: list[str] = []
    notes_en: list[str] = []
    western: bool | None = None
    if region:
        listed = params.resolve("western_provinces", year, region).value
        codes = listed if isinstance(listed, list | tuple) else []
        western = region[:2] in {str(v) for v in codes}
    else:
        notes.append("地区未知，无法确定适用 2% 还是西部 3% 的阈值："
                     "退出判定为无法判定（可用 --region 指定）")
        notes_en.append("region unknown: cannot choose the 2% or the western 3% threshold; "
                        "verdicts are not evaluable (use --region)")
    out: dict[str, Threshold] = {}
    for level, base in (("village", "village_incidence_max"), ("county", "county_incidence_max")):
        name = f"{base}_western" if western else base
        if western is None:
            out[level] = Threshold(level, name, None, "")
            continue
        value = params.try_resolve(name, year, region)
        out[level] = Threshold(level, name, None if value is None else float(str(value.value)),
                               "" if value is None else value.source)
    return western, out, notes, notes_en


def compute_exit_rates(result: AuditResult, params: ParamStore, *,
                       population: pd.DataFrame | None = None) -> ExitRates:
    """Per village, township and county counts, incidence with its denominator, verdicts."""
    h = result.registry.households
    flags = population_flags(result)
    persons = household_persons(result)
    failing = _household_flag(result, "fail")
    at_risk = _household_flag(result, "risk")
    base = pd.DataFrame({
        "county": _text(h, "county"), "township": _text(h, "township"),
        "village": _text(h, "village"),
        "persons": persons,
        "registered": persons * (flags["exited"] | flags["poor"]),
        "remaining_poor": persons * flags["poor"],
        "exited": persons * flags["exited"],
        "monitored": persons * flags["monitored"],
        "ordinary": persons * flags["ordinary"],
        "failing": persons * (flags["exited"] & failing),
        "at_risk": persons * at_risk,
        "households": 1,
        "failing_households": (flags["exited"] & failing).astype("int64"),
        "at_risk_households": at_risk.astype("int64"),
    }, index=h.index)
    counts = ["households", "persons", "registered", "remaining_poor", "exited", "monitored",
              "ordinary", "failing", "failing_households", "at_risk", "at_risk_households"]
    has_ordinary = bool(flags["ordinary"].any())

    villages_tab = result.registry.villages
    village_pop: dict[tuple[str, ...], float] = {}
    if "village_population" in villages_tab.columns:
        vt = villages_tab
        vp = pd.to_numeric(vt["village_population"], errors="coerce")
        for c, t, v, p in zip(_text(vt, "county"), _text(vt, "township"), _text(vt, "village"),
                              vp, strict=True):
            if not pd.isna(p) and float(p) > 0:
                village_pop[(c, t, v)] = float(p)
    file_pop: dict[tuple[str, ...], float] = {}
    if population is not None:
        for c, t, v, p in population.itertuples(index=False, name=None):
            key: tuple[str, ...] = (c,) if not t and not v else (c, t) if not v else (c, t, v)
            file_pop[key] = float(p)

    tables: list[pd.DataFrame] = []
    village_den: dict[tuple[str, ...], tuple[float, str]] = {}
    for level in LEVELS:
        keys = KEYS[level]
        table = base.groupby(keys, sort=True)[counts].sum().reset_index()
        if level == "village":
            extra = [k for k in village_pop if k not in set(
                zip(table["county"], table["township"], table["village"], strict=True))]
            if extra:  # villages in the village table with no household: 0 registered
                add = pd.DataFrame([dict(zip(keys, k, strict=True)) for k in extra])
                for c in counts:
                    add[c] = 0
                table = pd.concat([table, add], ignore_index=True).sort_values(keys)
        dens: list[float] = []
        sources: list[str] = []
        for row in table[[*keys, "persons"]].itertuples(index=False, name=None):
            key = tuple(str(k) for k in row[:-1])
            den, src = _denominator(level, key, float(row[-1]), file_pop, village_pop,
                                    has_ordinary, village_den)
            if level == "village":
                village_den[key] = (den, src)
            dens.append(den)
            sources.append(src)
        table["population"] = dens
        table["population_source"] = sources
        table.insert(0, "level", level)
        tables.append(table)
    out = pd.concat(tables, ignore_index=True)
    out["incidence"] = (out["remaining_poor"] / out["population"]).where(out["population"] > 0)

    western, thresholds, notes, notes_en = _thresholds(params, result.year, result.region)
    limits = out["level"].map({k: t.value for k, t in thresholds.items()})
    out["threshold"] = pd.to_numeric(limits, errors="coerce")
    verdict = np.where(out["level"] == "township", NO_STANDARD,
                       np.where(out["incidence"].isna() | out["threshold"].isna(), NOT_EVALUABLE,
                                np.where(out["incidence"] < out["threshold"], PASS, FAIL)))
    out["verdict"] = verdict
    if has_ordinary:
        notes.append("数据含一般农户：无其他人口数时，以登记数据（含一般农户）的人数为分母")
        notes_en.append("the export lists ordinary households: without another population "
                        "count the registry (incl. ordinary households) is the denominator")
    undecided = int((out["population_source"] == SOURCE_NONE).sum())
    if undecided:
        notes.append(f"{undecided} 行没有人口数（行政村表总人口数、--population 文件"
                     "或含一般农户的登记数据），贫困发生率与退出判定为无法判定")
        notes_en.append(f"{undecided} rows have no population (village table, --population file "
                        "or registry with ordinary households): incidence not evaluable")
    notes.append("县级为登记数据的贫困发生率；综合贫困发生率还需抽样核查的错退率与漏评率"
                 "（exitcheck estimate）")
    notes_en.append("the county row is the registry incidence; the comprehensive incidence "
                    "also needs the sampled wrong-exit and missed rates (exitcheck estimate)")
    return ExitRates(out, result.year, result.region, result.region_name, western, thresholds,
                     notes, notes_en)


def _denominator(level: str, key: tuple[str, ...], persons: float,
                 file_pop: dict[tuple[str, ...], float], village_pop: dict[tuple[str, ...], float],
                 has_ordinary: bool, village_den: dict[tuple[str, ...], tuple[float, str]]
                 ) -> tuple[float, str]:
    """The first denominator that exists: file, village table (villages) or the sum of the
    villages (townships, county), the registry with ordinary households, else none."""
    if key in file_pop:
        return file_pop[key], SOURCE_FILE
    if level == "village" and key in village_pop:
        return village_pop[key], SOURCE_VILLAGE_TABLE
    if level != "village":
        members = [v for k, v in village_den.items() if k[: len(key)] == key]
        if members and all(src != SOURCE_NONE for _, src in members):
            return float(sum(d for d, _ in members)), SOURCE_SUM
    if has_ordinary and persons > 0:
        return persons, SOURCE_REGISTRY
    return math.nan, SOURCE_NONE


def rows_for_output(rates: ExitRates, lang: str) -> list[dict[str, Any]]:
    """The table as plain dicts (JSON, workbook): labels in ``lang``, NaN as None."""
    i = 1 if lang == "en" else 0
    rows: list[dict[str, Any]] = []
    for rec in rates.table.to_dict("records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, np.floating):
                v = float(v)
            row[str(k)] = v
        row["level_label"] = LEVEL_LABELS[str(rec["level"])][i]
        row["population_source_label"] = SOURCE_LABELS[str(rec["population_source"])][i]
        row["verdict_label"] = VERDICT_LABELS[str(rec["verdict"])][i]
        rows.append(row)
    return rows


def check_population_unused(rates: ExitRates, population: pd.DataFrame | None) -> list[str]:
    """Rows of the population file that matched no area (said, never silently dropped)."""
    if population is None:
        return []
    t = rates.table
    known: set[tuple[str, ...]] = set()
    for level in LEVELS:
        sub = t[t["level"] == level]
        known.update(tuple(str(x) for x in r) for r in sub[KEYS[level]].itertuples(
            index=False, name=None))
    out = []
    for c, tw, v, _p in population.itertuples(index=False, name=None):
        key = (c,) if not tw and not v else (c, tw) if not v else (c, tw, v)
        if key not in known:
            out.append("/".join(key))
    return out

