"""Parameter files (rules/params/*.yaml): dated per-region values, resolved for (year, region)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exitcheck.engine.result import ParamValue
from exitcheck.errors import UsageError
from exitcheck.i18n import Catalogue
from exitcheck.yamldoc import YamlDoc, register_model, yaml_files

NATIONAL = "national"

MSG = Catalogue(
    {
        "fallback": ("未找到{region}{year}年的值，使用全国标准",
                     "no value for {region} {year}: national value used"),
        "no_value": ("参数 {name} 在 {year} 年底之前没有生效的取值（最早 {first}）",
                     "parameter {name} has no value in force by the end of {year} "
                     "(earliest {first})"),
        "unknown_param": ("未知的参数 {name}{hint}", "unknown parameter {name}{hint_en}"),
        "hint": ("（相近的有：{near}）", " (close: {near})"),
        "bad_region": ("地区键 {key} 无效：应为 national 或两位省级代码",
                       "region key {key} is invalid: use national or a 2-digit province code"),
        "bad_type": (
            "参数 {name} 的类型为 {type}，取值 {value} 不符",
            "parameter {name} is of type {type}: value {value} does not fit",
        ),
        "dup_from": (
            "同一地区重复的生效日期 {date}",
            "duplicate effective date {date} for one region",
        ),
        "incomplete": (
            "参数 {name} 缺少 {key}（新参数必须写明）",
            "parameter {name} lacks {key} (required for a new parameter)",
        ),
        "not_found": ("找不到参数文件或目录 {path}", "parameter file or folder not found: {path}"),
    }
)

ParamType = Literal["number", "integer", "text", "list"]


@register_model
class ParamEntry(BaseModel):
    """One dated value: ``{from: 2019-01-01, value: 3750, source: "...", verified: true}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from")
    value: Any
    source: str = Field(min_length=1)
    verified: bool = False
    note: str | None = None


@register_model
class ParamFile(BaseModel):
    """The shape of one parameter file. title/type may be left out only when overriding."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str | None = Field(default=None, min_length=1)
    title_en: str | None = None
    unit: str | None = None
    type: ParamType | None = None
    description: str | None = None
    values: dict[str, list[ParamEntry]]

    @field_validator("values", mode="before")
    @classmethod
    def _region_keys(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {_region_key(k): v for k, v in raw.items()}
        return raw


def _region_key(key: Any) -> str:
    text = str(key).strip()
    if text == NATIONAL:
        return text
    if text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    return text  # rejected with its line in _check_file


@dataclass
class ParamDef:
    """A parameter after merging the shipped file with users' overrides."""

    name: str
    title: str
    title_en: str
    unit: str | None
    type: str
    values: dict[str, list[ParamEntry]]  # region key -> entries sorted by date
    files: list[str] = field(default_factory=list)  # where it was defined / overridden

    def table(self) -> list[tuple[str, ParamEntry]]:
        """Every dated value: (region key, entry), national first, then by region and date."""
        keys = sorted(self.values, key=lambda k: (k != NATIONAL, k))
        return [(k, e) for k in keys for e in self.values[k]]


class ParamStore:
    """All known parameters; resolves a value as of (year, region)."""

    def __init__(
        self, defs: dict[str, ParamDef], region_names: dict[str, str] | None = None
    ) -> None:
        self.defs = defs
        # Province code -> name, for fallback notes (read at load time: resolve() reads no file).
        self.region_names = region_names or {}

    def names(self) -> list[str]:
        return sorted(self.defs)

    def __contains__(self, name: object) -> bool:
        return name in self.defs

    def get(self, name: str) -> ParamDef:
        hit = self.defs.get(name)
        if hit is None:
            near = difflib.get_close_matches(name, list(self.defs), n=3, cutoff=0.5)
            shown = "、".join(near)
            zh, en = MSG.both(
                "unknown_param", name=name,
                hint=MSG("hint", "zh", near=shown) if near else "",
                hint_en=MSG("hint", "en", near=shown) if near else "",
            )
            raise UsageError(zh, message_en=en)
        return hit

    def resolve(self, name: str, year: int, region: str | None) -> ParamValue:
        """The latest value in force on 31 Dec of ``year``: the province's list, else national."""
        pdef = self.get(name)
        cutoff = date(year, 12, 31)
        province = region[:2] if region else None
        note = None
        if province is not None and province in pdef.values:
            entry = _latest(pdef.values[province], cutoff)
            if entry is not None:
                return _value(pdef, entry, province, None)
        if province is not None:
            shown = self.region_names.get(province, province)
            note = MSG("fallback", "zh", region=shown, year=year)
        entry = _latest(pdef.values.get(NATIONAL, []), cutoff)
        if entry is None:
            firsts = [e.from_ for lst in pdef.values.values() for e in lst]
            first = min(firsts).isoformat() if firsts else "-"
            zh, en = MSG.both("no_value", name=name, year=year, first=first)
            raise UsageError(zh, message_en=en)
        return _value(pdef, entry, None, note)

    def try_resolve(self, name: str, year: int, region: str | None) -> ParamValue | None:
        """Like resolve(), but None when the parameter has no value in force for ``year``
        (e.g. the monitoring line before 2020): the rules reading it are then not run."""
        try:
            return self.resolve(name, year, region)
        except UsageError:
            return None

    def with_overrides(self, values: dict[str, Any], source: str) -> ParamStore:
        """A copy where each named parameter has ``value`` nationally and everywhere, from 1900.

        Used by rule test cases (``params:`` in a case) and explain experiments.
        """
        defs = dict(self.defs)
        for name, value in values.items():
            base = self.get(name)
            entry = ParamEntry.model_validate(
                {"from": date(1900, 1, 1), "value": value, "source": source, "verified": False}
            )
            defs[name] = ParamDef(base.name, base.title, base.title_en, base.unit, base.type,
                                  {NATIONAL: [entry]}, [*base.files, source])
        return ParamStore(defs, self.region_names)


def _latest(entries: list[ParamEntry], cutoff: date) -> ParamEntry | None:
    valid = [e for e in entries if e.from_ <= cutoff]
    return valid[-1] if valid else None


def _value(pdef: ParamDef, entry: ParamEntry, region: str | None, note: str | None) -> ParamValue:
    notes = [n for n in (note, entry.note) if n]
    return ParamValue(
        name=pdef.name,
        title=pdef.title,
        title_en=pdef.title_en or pdef.title,
        value=entry.value,
        unit=pdef.unit,
        effective_from=entry.from_,
        region=region,
        source=entry.source,
        verified=entry.verified,
        note="；".join(notes) if notes else None,
    )


def _fits(kind: str, value: Any) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "text":
        return isinstance(value, str)
    return isinstance(value, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    )


def _read_file(path: Path, shipped_root: Path | None) -> tuple[ParamFile, YamlDoc]:
    from exitcheck.yamldoc import plain

    doc = YamlDoc(path, shipped_root)
    try:
        pfile = ParamFile.model_validate(plain(doc.data))
    except ValidationError as exc:
        keys = [*ParamFile.model_fields, "from", "value", "source", "verified", "note"]
        raise doc.pydantic_error(exc, keys=keys) from None
    raw_values = doc.data.get("values", {}) if isinstance(doc.data, dict) else {}
    for raw_key in raw_values:
        key = _region_key(raw_key)
        if key != NATIONAL and not (key.isdigit() and len(key) == 2):
            zh, en = MSG.both("bad_region", key=raw_key)
            raise doc.error(zh, en, doc.key_pos(["values", raw_key]))
        seen: set[date] = set()
        for i, entry in enumerate(pfile.values[key]):
            if entry.from_ in seen:
                zh, en = MSG.both("dup_from", date=entry.from_.isoformat())
                raise doc.error(zh, en, doc.key_pos(["values", raw_key, i]))
            seen.add(entry.from_)
    return pfile, doc


def _check_types(pdef: ParamDef, docs: dict[tuple[str, date], tuple[YamlDoc, list[Any]]]) -> None:
    for key, entries in pdef.values.items():
        for entry in entries:
            if not _fits(pdef.type, entry.value):
                doc, loc = docs[(key, entry.from_)]
                zh, en = MSG.both("bad_type", name=pdef.name, type=pdef.type, value=entry.value)
                raise doc.error(zh, en, doc.value_pos([*loc, "value"]))


def load_params(
    paths: list[Path] | None = None, *, include_shipped: bool = True
) -> ParamStore:
    """Shipped parameters, then each user file/folder in order; later ones take precedence.

    An override file replaces values with the same (region, from date) and adds the others;
    title/unit/type are inherited unless given.
    """
    from exitcheck.resources import params_dir

    shipped = params_dir()
    sources: list[tuple[Path, Path | None]] = []
    if include_shipped and shipped.is_dir():
        sources += [(p, shipped) for p in yaml_files(shipped)]
    for user in paths or []:
        if not user.exists():
            zh, en = MSG.both("not_found", path=user)
            raise UsageError(zh, message_en=en)
        sources += [(p, None) for p in yaml_files(user)]
    defs: dict[str, ParamDef] = {}
    # (name, region, from) -> (doc, yaml location of the entry), for located type errors.
    where: dict[str, dict[tuple[str, date], tuple[YamlDoc, list[Any]]]] = {}
    first_doc: dict[str, YamlDoc] = {}
    for path, root in sources:
        pfile, doc = _read_file(path, root)
        raw_keys = {_region_key(k): k for k in doc.data.get("values", {})}
        base = defs.get(pfile.name)
        if base is None:
            for key in ("title", "type"):
                if getattr(pfile, key) is None:
                    zh, en = MSG.both("incomplete", name=pfile.name, key=key)
                    raise doc.error(zh, en, doc.key_pos([]))
            base = ParamDef(pfile.name, pfile.title or "", pfile.title_en or "", pfile.unit,
                            pfile.type or "number", {}, [])
            defs[pfile.name] = base
            first_doc[pfile.name] = doc
        else:
            base.title = pfile.title or base.title
            base.title_en = pfile.title_en or base.title_en
            base.unit = pfile.unit or base.unit
            base.type = pfile.type or base.type
        base.files.append(doc.name)
        locs = where.setdefault(pfile.name, {})
        for key, entries in pfile.values.items():
            merged = {e.from_: e for e in base.values.get(key, [])}
            for i, entry in enumerate(entries):
                merged[entry.from_] = entry
                locs[(key, entry.from_)] = (doc, ["values", raw_keys[key], i])
            base.values[key] = [merged[d] for d in sorted(merged)]
    for name, pdef in defs.items():
        _check_types(pdef, where[name])
    from exitcheck.engine.regions import load_regions

    return ParamStore(defs, {code: r.name for code, r in load_regions().items()})
