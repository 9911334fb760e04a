"""Rule test cases (rules/tests/<CODE>.yaml): a tiny household, one rule, the expected outcome."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exitcheck.errors import RuleFileError, UsageError
from exitcheck.i18n import Catalogue
from exitcheck.io.cells import column_letter
from exitcheck.yamldoc import YamlDoc, plain, register_model, yaml_files

if TYPE_CHECKING:
    from exitcheck.engine.params import ParamStore
    from exitcheck.engine.ruleset import LoadedRule, RuleSet
    from exitcheck.io.table import RawTable
    from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec
    from exitcheck.schema.model import Registry

# not_run: a parameter the rule reads has no value for the case's year (the rule is not run).
Expect = Literal["pass", "violated", "not_evaluated", "not_applicable", "not_run"]
NOT_RUN = "not_run"

MSG = Catalogue(
    {
        "unknown_rule": ("未知的规则 {rule}", "unknown rule {rule}"),
        "unknown_field": ("未知字段 {name}{hint}", "unknown field {name}{hint_en}"),
        "did_you_mean": ("（是否指 {names}？）", " (did you mean {names}?)"),
        "wrong_level": ("{name} 是{level}字段，应写在 {where} 中",
                        "{name} is a {level_en} field: put it under {where}"),
        "bad_value": ("字段 {name} 的值 {value} 无效：{reason}",
                      "invalid value {value} for field {name}: {reason}"),
        "not_allowed": ("不在允许值中（可选：{allowed}）", "not an allowed value ({allowed})"),
        "not_bool": ("应为 是/否", "expected 是/否 (yes/no)"),
        "not_number": ("应为数字", "expected a number"),
        "not_date": ("应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
        "members_len": ("expect_members 有 {n} 项，但 members 有 {m} 人",
                        "expect_members has {n} entries but members has {m}"),
        "member_only": (
            "expect_members 只用于成员级规则",
            "expect_members is for member-level rules",
        ),
        "not_found": (
            "找不到测试用例文件或目录 {path}",
            "test-case file or folder not found: {path}",
        ),
        "bad_param": (
            "参数 {name} 的取值无效：{reason}",
            "invalid value for parameter {name}: {reason}",
        ),
    }
)
DERIVED_MEMBER = {"age": "Int64", "sex": "string", "birth_date": "datetime64[ns]",
                  "id_valid": "boolean", "id_stored_as_number": "boolean"}


@register_model
class CaseIssue(BaseModel):
    """A loading issue for builtin rules: ``{kind, field, member: 1, value, detail}``."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    field: str
    member: int | None = None  # index into the case's members; None = household level
    value: str | None = None
    detail: str | None = None

    @field_validator("value", "detail", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return None if value is None else str(value)


@register_model
class Case(BaseModel):
    """One case: a household (canonical values), its members, and the expected outcome."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str | None = None
    year: int
    region: str | None = None
    as_of: date | None = None
    household: dict[str, Any] = Field(default_factory=dict)
    members: list[dict[str, Any]] = Field(default_factory=list)
    # Work spells: each `{member: <index into members, default 0>, spell_kind: 已外出务工 |
    # 计划外出务工 (default 已外出务工), <spell fields>}`.
    spells: list[dict[str, Any]] = Field(default_factory=list)
    # The household's village (village-level fields); None: no village table.
    village: dict[str, Any] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    issues: list[CaseIssue] = Field(default_factory=list)  # for builtin rules
    expect: Expect
    expect_members: list[Expect] | None = None

    @field_validator("region", mode="before")
    @classmethod
    def _region_text(cls, value: Any) -> Any:
        return str(value).zfill(2) if isinstance(value, int) else value


@register_model
class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    description: str | None = None
    cases: list[dict[str, Any]]


@dataclass
class CaseResult:
    rule: str
    name: str
    file: str  # display name of the case file
    line: int  # line of the case's `name:`
    expected: str
    actual: str
    expected_members: list[Expect] | None = None
    actual_members: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # rendered findings (zh)
    case: Case | None = None

    @property
    def passed(self) -> bool:
        if self.expected != self.actual:
            return False
        return self.expected_members is None or self.expected_members == self.actual_members

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def shipped_tests_dir() -> Path:
    from exitcheck.resources import shipped_rules_dir

    return shipped_rules_dir() / "tests"


def run_cases(
    paths: list[Path] | None = None,
    *,
    ruleset: RuleSet | None = None,
    params: ParamStore | None = None,
    catalogue: FieldCatalogue | None = None,
) -> list[CaseResult]:
    """Run the case files (default: the shipped rules/tests/) and compare outcomes.

    A malformed case file -> RuleFileError with file:line.
    """
    from exitcheck.resources import shipped_rules_dir

    if catalogue is None:
        from exitcheck.schema.catalogue import load_catalogue

        catalogue = load_catalogue()
    if params is None:
        from exitcheck.engine.params import load_params

        params = load_params()
    if ruleset is None:
        from exitcheck.engine.ruleset import load_ruleset

        ruleset = load_ruleset(catalogue=catalogue, known_params=params.names())
    files: list[tuple[Path, Path | None]] = []
    if paths is None:
        tests_dir = shipped_tests_dir()
        files = ([(p, shipped_rules_dir()) for p in yaml_files(tests_dir)]
                 if tests_dir.is_dir() else [])
    else:
        for path in paths:
            if not path.exists():
                zh, en = MSG.both("not_found", path=path)
                raise UsageError(zh, message_en=en)
            files += [(p, None) for p in yaml_files(path)]
    results: list[CaseResult] = []
    for path, root in files:
        results += run_case_file(YamlDoc(path, root), ruleset, params, catalogue)
    return results


def load_case_file(
    doc: YamlDoc, ruleset: RuleSet
) -> tuple[LoadedRule, list[tuple[Case, list[Any]]]]:
    """Validate a case file: its rule and each case (with the case's YAML location)."""
    try:
        cfile = CaseFile.model_validate(plain(doc.data))
    except ValidationError as exc:
        raise doc.pydantic_error(exc, keys=list(CaseFile.model_fields)) from None
    rule = ruleset.get(cfile.rule)
    if rule is None:
        zh, en = MSG.both("unknown_rule", rule=cfile.rule)
        raise doc.error(zh, en, doc.value_pos(["rule"]))
    cases = []
    for i, raw in enumerate(cfile.cases):
        loc: list[Any] = ["cases", i]
        try:
            case = Case.model_validate(raw)
        except ValidationError as exc:
            raise doc.pydantic_error(exc, prefix=loc, keys=list(Case.model_fields)) from None
        if case.expect_members is not None:
            if rule.level != "member":
                zh, en = MSG.both("member_only")
                raise doc.error(zh, en, doc.key_pos([*loc, "expect_members"]))
            if len(case.expect_members) != len(case.members):
                zh, en = MSG.both("members_len", n=len(case.expect_members), m=len(case.members))
                raise doc.error(zh, en, doc.key_pos([*loc, "expect_members"]))
        cases.append((case, loc))
    return rule, cases


def run_case_file(
    doc: YamlDoc, ruleset: RuleSet, params: ParamStore, catalogue: FieldCatalogue
) -> list[CaseResult]:
    from exitcheck.engine.evaluate import (
        NOT_APPLICABLE,
        NOT_EVALUATED,
        PASS,
        VIOLATED,
        make_context,
        not_run_reason,
        present_fields,
        run_rule,
    )

    rule, cases = load_case_file(doc, ruleset)
    results = []
    for case, loc in cases:
        as_of = case.as_of or date(case.year, 12, 31)
        registry = case_registry(case, catalogue, as_of, doc, loc)
        store = params
        if case.params:
            try:
                store = params.with_overrides(case.params, f"{doc.name}:{doc.key_pos(loc).line}")
            except (UsageError, ValidationError) as exc:
                reason = exc.message if isinstance(exc, UsageError) else str(exc)
                zh, en = MSG.both("bad_param", name=", ".join(case.params), reason=reason)
                raise doc.error(zh, en, doc.key_pos([*loc, "params"])) from None
        maybe = {p: store.try_resolve(p, case.year, case.region) for p in rule.params}
        resolved = {p: v for p, v in maybe.items() if v is not None}
        if len(resolved) < len(maybe):
            results.append(
                CaseResult(
                    rule=rule.code, name=case.name, file=doc.name, line=doc.key_pos(loc).line,
                    expected=case.expect, actual=NOT_RUN, expected_members=case.expect_members,
                    actual_members=[], messages=[], case=case,
                )
            )
            continue
        # The audit's own path: the same run_rule, context and present columns.
        ctx = make_context(registry, resolved, as_of)
        ran = run_rule(rule, registry, ctx, resolved, present_fields(registry), "zh")
        messages = ran.findings["message"].tolist()
        members: list[str] = []
        if ran.not_run is not None:
            actual = NOT_RUN
            messages = [not_run_reason(ran.not_run, case.year)]
        elif ran.outcome is None:  # builtin: violated where the loader reported the issue
            actual = VIOLATED if len(ran.findings) else PASS
            if rule.level == "member":
                hit = registry.members["member_id"].isin(ran.findings["member_id"].dropna())
                members = np.where(hit.to_numpy(dtype=bool), VIOLATED, PASS).tolist()
        else:
            status = ran.outcome.status
            values = set(status.tolist())
            members = status.tolist() if rule.level == "member" else []
            actual = next(
                (s for s in (VIOLATED, NOT_EVALUATED, PASS) if s in values), NOT_APPLICABLE
            )
        results.append(
            CaseResult(
                rule=rule.code, name=case.name, file=doc.name, line=doc.key_pos(loc).line,
                expected=case.expect, actual=actual, expected_members=case.expect_members,
                actual_members=[str(s) for s in members], messages=messages, case=case,
            )
        )
    return results


# -- a tiny registry from canonical values -------------------------------------------------------


def case_registry(
    case: Case,
    catalogue: FieldCatalogue,
    as_of: date,
    doc: YamlDoc | None = None,
    loc: list[Any] | None = None,
) -> Registry:
    """The case as the tables a user would give, loaded the way an audit loads them.

    Each value is checked against its field first (a typo is an error at its line); then the
    case becomes a member sheet (household fields on every row, ``age`` as a 出生日期 that gives
    that age at the as-of date, ``sex`` as 性别), plus a work-spell sheet and a village sheet
    when the case has them, and goes through schema/'s build and derive code and add_age: a
    case and an audit of the same household agree by construction.
    """
    from exitcheck.schema.build import build_registry
    from exitcheck.schema.derive import add_age

    loc = loc or []
    hid = str(case.household.get("household_id", "H1"))
    n = len(case.members)
    member_ids = [str(m.get("member_id", f"{hid}-{i + 1}")) for i, m in enumerate(case.members)]
    source = Path(doc.name if doc else "case.yaml")

    household: dict[str, list[Any]] = {"户编号": [hid] * max(n, 1)}
    for key, value in case.household.items():
        if key == "household_id":
            continue
        spec = _spec(key, "household", catalogue, doc, [*loc, "household", key])
        _typed(key, spec, [value], catalogue, doc, [*loc, "household", key])
        household[_header(key, spec)] = [_cell(value)] * max(n, 1)
    if case.village is not None and not any(
        (spec := catalogue.resolve_name(k)) is not None and spec.name == "village"
        for k in case.household
    ):
        household["村"] = ["测试村"] * max(n, 1)

    members: dict[str, list[Any]] = {"人编号": member_ids}
    for key in dict.fromkeys(k for m in case.members for k in m):
        if key in ("member_id", "id_stored_as_number"):
            continue
        first = next(i for i, m in enumerate(case.members) if key in m)
        kloc = [*loc, "members", first, key]
        values = [m.get(key) for m in case.members]
        if key in ("age", "年龄"):
            _typed("age", None, values, catalogue, doc, kloc)
            members["出生日期"] = [None if v is None else _born(as_of, int(v)) for v in values]
            continue
        if key in ("sex", "birth_date"):
            _typed(key, None, values, catalogue, doc, kloc)
            _merge(members, "性别" if key == "sex" else "出生日期", values)
            continue
        spec = _spec(key, "member", catalogue, doc, kloc)
        _typed(key, spec, values, catalogue, doc, kloc)
        _merge(members, _header(key, spec), values)
    for spec in catalogue.fields.values():  # a case need not spell out every required column
        if spec.required and spec.level == "member" and spec.label not in members:
            members[spec.label] = [None] * n
    ids = members.get(_header("id_number", catalogue.get("id_number")))
    if ids is not None:  # an 18-digit ID "stored as a number", as Excel would hold it
        for i, m in enumerate(case.members):
            if m.get("id_stored_as_number") and ids[i] is not None:
                ids[i] = float(str(ids[i]))
    if n:
        sheet = {**household, **members}
        tables = [_raw_table(source, case.name, sheet, 2)]
    else:  # a household without members: its household sheet alone
        tables = [_raw_table(source, case.name, household, 2)]
    for planned, sheet_name in ((False, "已外出务工"), (True, "计划外出务工")):
        spells = [(i, sp) for i, sp in enumerate(case.spells)
                  if (sp.get("spell_kind") == "计划外出务工") == planned]
        if spells:
            sheet = _spell_sheet(case, spells, planned, member_ids, catalogue, doc, loc)
            tables.append(_raw_table(source, sheet_name, sheet, 2))
    if case.village is not None:
        tables.append(_raw_table(source, "村", _village_sheet(case, household, catalogue, doc,
                                                             loc), 2))
    registry = build_registry(tables, catalogue)
    registry = add_age(registry, as_of)
    if case.issues:
        head_row = int(registry.households["_row"].iloc[0]) if len(registry.households) else 2
        extra = _issues(case, registry.members, hid, head_row)
        registry.issues = pd.concat([registry.issues, extra.astype(registry.issues.dtypes)],
                                    ignore_index=True)
    return registry


def _merge(sheet: dict[str, list[Any]], header: str, values: list[Any]) -> None:
    """Write a column; where two case keys give the same column (sex and sex_stated are both
    性别), a blank cell takes the other key's value."""
    cells = [_cell(v) for v in values]
    if header in sheet:
        cells = [old if new is None else new for old, new in zip(sheet[header], cells,
                                                                  strict=True)]
    sheet[header] = cells


def _header(key: str, spec: FieldSpec | None) -> str:
    """The sheet header a case key becomes: the field's label, or a raw header as written."""
    return spec.label if spec is not None else key.removeprefix("raw:")


def _cell(value: Any) -> Any:
    """A case value as a spreadsheet cell: 是/否 for booleans, ISO text for dates."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _born(as_of: date, age: int) -> str:
    """A birth date that is exactly ``age`` whole years before ``as_of``."""
    year = as_of.year - age
    day = as_of.day if not (as_of.month == 2 and as_of.day == 29) else 28
    return date(year, as_of.month, day).isoformat()


def _raw_table(path: Path, sheet: str, columns: dict[str, list[Any]], first_row: int) -> RawTable:
    from exitcheck.io.table import RawTable

    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    data = pd.DataFrame({c: pd.Series(columns[c], dtype=object) for c in names})
    return RawTable(
        path=path, sheet=sheet, reader="case", encoding=None, title_rows=[], header_rows=[1],
        columns=names, column_letters=[column_letter(i) for i in range(len(names))], data=data,
        rows=np.arange(first_row, first_row + n, dtype=np.int64),
        skipped=pd.DataFrame({"row": [], "reason": [], "text": []}), rows_read=n,
    )


def _spell_sheet(case: Case, spells: list[tuple[int, dict[str, Any]]], planned: bool,
                 member_ids: list[str], catalogue: FieldCatalogue, doc: YamlDoc | None,
                 loc: list[Any]) -> dict[str, list[Any]]:
    """The case's spells of one kind as their own sheet, as the monitoring system exports them
    (已外出务工信息 with 是否已务工, 计划外出务工信息 with 是否计划外出务工): 人编号 of the member
    each names, and its fields."""
    n = len(member_ids)
    at = [min(max(int(sp.get("member", 0)), 0), max(n - 1, 0)) for _, sp in spells]
    sheet: dict[str, list[Any]] = {"人编号": [member_ids[i] if n else None for i in at]}
    keys = list(dict.fromkeys(k for _, sp in spells for k in sp
                              if k not in ("member", "spell_kind")))
    for key in keys:
        first = next(i for i, sp in spells if key in sp)
        kloc = [*loc, "spells", first, key]
        spec = _spec(key, "spell", catalogue, doc, kloc)
        values = [sp.get(key) for _, sp in spells]
        _typed(key, spec, values, catalogue, doc, kloc)
        sheet[_header(key, spec)] = [_cell(v) for v in values]
    # The column that tells the table's kind (schema/build.py _role), when the case omits it.
    kind = catalogue.get("work_planned" if planned else "work_started")
    if kind is not None and kind.label not in sheet:
        sheet[kind.label] = ["是"] * len(spells)
    return sheet


def _village_sheet(case: Case, household: dict[str, list[Any]], catalogue: FieldCatalogue,
                   doc: YamlDoc | None, loc: list[Any]) -> dict[str, list[Any]]:
    """The case's village as a one-row 行政村 sheet, keyed by the household's 县/乡镇/村."""
    assert case.village is not None
    sheet: dict[str, list[Any]] = {}
    for key in ("county", "township", "village"):
        spec = catalogue.get(key)
        if spec is not None and spec.label in household:
            sheet[spec.label] = [household[spec.label][0]]
    for key, value in case.village.items():
        kloc = [*loc, "village", key]
        spec = _spec(key, "village", catalogue, doc, kloc)
        _typed(key, spec, [value], catalogue, doc, kloc)
        sheet[_header(key, spec)] = [_cell(value)]
    return sheet


def _issues(case: Case, members: pd.DataFrame, hid: str, head_row: int) -> pd.DataFrame:
    """Registry.issues rows from the case's ``issues:`` (member index -> its id and row)."""
    rows = [i.model_dump() for i in case.issues]
    frame = pd.DataFrame(rows, columns=["kind", "field", "member", "value", "detail"], dtype=object)
    pos = pd.to_numeric(frame["member"], errors="coerce")
    valid = pos.notna() & (pos >= 0) & (pos < len(members))
    at = pos.where(valid, 0).astype(int).to_numpy()
    member_ids = members["member_id"].astype(object).to_numpy()
    member_rows = members["_row"].to_numpy()
    return pd.DataFrame(
        {
            "kind": frame["kind"],
            "field": frame["field"],
            "household_id": hid,
            "member_id": np.where(valid, member_ids[at] if len(members) else None, None),
            "_input": 0,
            "_row": np.where(valid, member_rows[at] if len(members) else head_row, head_row),
            "value": frame["value"],
            "detail": frame["detail"],
        }
    )


def _spec(
    key: str, level: str, catalogue: FieldCatalogue, doc: YamlDoc | None, loc: list[Any]
) -> FieldSpec | None:
    if key.startswith("raw:") or (level == "member" and key in (*DERIVED_MEMBER, "member_id")):
        return None
    spec = catalogue.resolve_name(key)
    if spec is None:
        near = difflib.get_close_matches(key, [*catalogue.fields, *DERIVED_MEMBER], n=3,
                                         cutoff=0.5)
        shown = "、".join(near)
        zh, en = MSG.both(
            "unknown_field", name=key,
            hint=MSG("did_you_mean", "zh", names=shown) if near else "",
            hint_en=MSG("did_you_mean", "en", names=shown) if near else "",
        )
        raise _fail(doc, zh, en, loc)
    if spec.level != level and not (level in ("spell", "village") and spec.level == "household"
                                    and spec.name in ("county", "township", "village")):
        where = {"household": "household", "member": "members", "spell": "spells",
                 "village": "village"}[spec.level]
        lv = {"household": ("户级", "household"), "member": ("成员", "member"),
              "spell": ("务工记录", "work-spell"), "village": ("村级", "village")}[spec.level]
        zh, en = MSG.both("wrong_level", name=key, level=lv[0], level_en=lv[1], where=where)
        raise _fail(doc, zh, en, loc)
    return spec


def _fail(doc: YamlDoc | None, zh: str, en: str, loc: list[Any]) -> RuleFileError:
    if doc is None:
        return RuleFileError(zh, message_en=en)
    return doc.error(zh, en, doc.key_pos(loc))


def _typed(
    name: str,
    spec: FieldSpec | None,
    values: list[Any],
    catalogue: FieldCatalogue,
    doc: YamlDoc | None,
    loc: list[Any],
) -> pd.Series:
    """Case values (a handful per field) typed like schema/ would type a column."""
    raw = pd.Series(values, dtype=object)
    present = raw.notna()

    def bad(reason_key: str, **kw: Any) -> RuleFileError:
        value = raw[present & bad_mask].iloc[0] if (present & bad_mask).any() else None
        rz, re_ = MSG.both(reason_key, **kw)
        zh, en = MSG.both("bad_value", name=name, value=value, reason=rz)
        return _fail(doc, zh, en.replace(rz, re_), loc)

    kind = spec.type if spec is not None else ("derived" if name in DERIVED_MEMBER else "text")
    if kind == "derived":
        dtype = DERIVED_MEMBER[name]
        if dtype == "datetime64[ns]":
            kind = "date"
        elif dtype == "boolean":
            kind = "bool"
        elif dtype == "Int64":
            kind = "integer"
        else:
            kind = "text"
    if kind in ("number", "integer"):
        out = pd.to_numeric(raw.where(present, None), errors="coerce")
        bad_mask = out.isna() & present
        if bad_mask.any():
            raise bad("not_number")
        return out.astype("Int64" if kind == "integer" else "Float64")
    if kind == "bool":
        from exitcheck.schema.text import fold_series

        folded = fold_series(raw.astype("string"))
        mapped = folded.map(catalogue.bool_map)
        is_bool = raw.map(type).eq(bool)  # YAML true/false: one type check per value
        mapped = pd.Series(np.where(is_bool, raw, mapped), index=raw.index, dtype=object)
        bad_mask = mapped.isna() & present
        if bad_mask.any():
            raise bad("not_bool")
        return mapped.astype("boolean")
    if kind in ("date", "month"):
        text = raw.astype("string").str.replace(r"^(\d{4})(\d{2})$", r"\1-\2-01", regex=True)
        out = pd.to_datetime(text, errors="coerce")
        bad_mask = out.isna() & present
        if bad_mask.any():
            raise bad("not_date")
        return out.astype("datetime64[ns]")
    text = raw.astype("string").str.strip()
    if kind in ("enum", "grade") and spec is not None and spec.values:
        from exitcheck.schema.text import fold_series

        mapped = fold_series(text).map(catalogue.value_map(spec))
        bad_mask = mapped.isna() & present
        if bad_mask.any():
            raise bad("not_allowed", allowed="、".join(spec.values))
        return mapped.astype("string")
    return text
