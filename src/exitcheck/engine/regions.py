"""Province table (rules/regions.yaml): resolve --region text and infer the region from the data."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from exitcheck.errors import UsageError
from exitcheck.i18n import Catalogue

if TYPE_CHECKING:
    from exitcheck.schema.model import Registry

MSG = Catalogue(
    {
        "unknown": ("未知的地区 {text}{hint}", "unknown region {text}{hint_en}"),
        "hint": ("（相近的有：{near}）", " (close: {near})"),
        "bad_table": ("地区表格式不对：{reason}", "region table is malformed: {reason}"),
        "evidence_id": (
            "证件号码前两位为 {code}（{name}）的占 {share:.0%}（{n}/{total}）",
            "{share:.0%} of ID numbers ({n}/{total}) start with {code} ({name})",
        ),
        "evidence_county": (
            "县级代码前两位为 {code}（{name}）的占 {share:.0%}（{n}/{total}）",
            "{share:.0%} of county codes ({n}/{total}) start with {code} ({name})",
        ),
        "evidence_none": (
            "数据中没有可用的证件号码或县级代码",
            "no usable ID numbers or county codes",
        ),
    }
)


@dataclass(frozen=True)
class Region:
    code: str  # 2-digit province code
    name: str  # full name, e.g. 四川省
    short: tuple[str, ...] = ()


def regions_path() -> Path:
    from exitcheck.resources import shipped_rules_dir

    return shipped_rules_dir() / "regions.yaml"


@lru_cache(maxsize=8)
def load_regions(path: Path | None = None) -> dict[str, Region]:
    """code -> Region from the region table (``{"51": {name: 四川省, short: [四川, 川]}}``,
    optionally under a ``provinces:`` key)."""
    from exitcheck.yamldoc import YamlDoc, plain

    path = path or regions_path()
    if not path.exists():
        return {}
    doc = YamlDoc(path)
    data = plain(doc.data) or {}
    for key in ("provinces", "regions"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
            break
    if not isinstance(data, dict):
        zh, en = MSG.both("bad_table", reason="not a mapping")
        raise doc.error(zh, en, doc.key_pos([]))
    table: dict[str, Region] = {}
    for key, entry in data.items():
        if key == "version":
            continue
        code = str(key).zfill(2)
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)):
            zh, en = MSG.both("bad_table", reason=f"{key}: name missing")
            raise doc.error(zh, en, doc.key_pos([key]))
        short = entry.get("short") or []
        if isinstance(short, str):
            short = [short]
        table[code] = Region(code, entry["name"], tuple(str(s) for s in short))
    return table


def region_name(code: str | None, table: dict[str, Region] | None = None) -> str | None:
    if code is None:
        return None
    table = load_regions() if table is None else table
    hit = table.get(code[:2])
    return hit.name if hit else None


def resolve_region(text: str, table: dict[str, Region] | None = None) -> tuple[str, str]:
    """A code (``"51"``), county code (``"511602"``) or name (``"四川"``, ``"四川省"``) ->
    ``("51", "四川省")``; unknown -> UsageError listing near matches."""
    table = load_regions() if table is None else table
    cleaned = text.strip()
    if cleaned.isdigit() and len(cleaned) in (2, 4, 6, 9, 12):
        hit = table.get(cleaned[:2])
        if hit is not None:
            return hit.code, hit.name
    for region in table.values():
        names = (region.name, *region.short)
        if cleaned in names:
            return region.code, region.name
    # A longer text that starts with a province name, e.g. "四川省广安市".
    for region in table.values():
        if any(cleaned.startswith(n) for n in (region.name, *region.short) if len(n) >= 2):
            return region.code, region.name
    candidates = {n: r for r in table.values() for n in (r.code, r.name, *r.short)}
    near = difflib.get_close_matches(cleaned, list(candidates), n=3, cutoff=0.3)
    shown = "、".join(dict.fromkeys(f"{candidates[n].name}({candidates[n].code})" for n in near))
    zh, en = MSG.both(
        "unknown",
        text=text,
        hint=MSG("hint", "zh", near=shown) if shown else "",
        hint_en=MSG("hint", "en", near=shown) if shown else "",
    )
    raise UsageError(zh, message_en=en)


def infer_region(
    registry: Registry, table: dict[str, Region] | None = None, lang: str = "zh"
) -> tuple[str | None, str]:
    """The most common province among valid ID numbers (else 6-digit county codes).

    Returns (code or None, evidence text for the report).
    """
    import pandas as pd

    table = load_regions() if table is None else table
    members = registry.members
    if "id_number" in members.columns:
        ids = members["id_number"].astype("string").str.strip()
        if "id_valid" in members.columns:
            ids = ids[members["id_valid"].fillna(False).astype(bool)]
        else:
            ids = ids[ids.str.fullmatch(r"\d{17}[\dXx]", na=False)]
        found = _most_common(ids.str[:2], table)
        if found is not None:
            code, n, total = found
            name = table[code].name
            return code, MSG("evidence_id", lang, code=code, name=name, share=n / total, n=n,
                             total=total)
    households = registry.households
    if "county" in households.columns:
        counties = pd.Series(households["county"]).astype("string").str.strip()
        counties = counties[counties.str.fullmatch(r"\d{6}(\d{3,6})?", na=False)]
        found = _most_common(counties.str[:2], table)
        if found is not None:
            code, n, total = found
            name = table[code].name
            return code, MSG("evidence_county", lang, code=code, name=name, share=n / total,
                             n=n, total=total)
    return None, MSG("evidence_none", lang)


def _most_common(prefixes: object, table: dict[str, Region]) -> tuple[str, int, int] | None:
    import pandas as pd

    series = pd.Series(prefixes).dropna()
    series = series[series.isin(list(table))]
    if series.empty:
        return None
    counts = series.value_counts()
    return str(counts.index[0]), int(counts.iloc[0]), int(counts.sum())
