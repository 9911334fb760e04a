"""The evaluate stage: Registry + RuleSet + parameters -> findings and per-rule counts (pure)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.core.dtypes.cast import maybe_box_native  # what DataFrame.to_dict boxes with

from exitcheck.engine.populations import population_table
from exitcheck.engine.render import format_series, render
from exitcheck.engine.result import (
    FIELDS_ABSENT,
    MEMBERS_MISSING,
    PARAMS_MISSING,
    AuditResult,
    ParamValue,
    RuleNotRun,
)
from exitcheck.findings import FINDING_COLUMNS, Status, empty_findings
from exitcheck.i18n import Catalogue

if TYPE_CHECKING:
    from exitcheck.engine.context import EvalContext
    from exitcheck.engine.exemptions import ExemptionList
    from exitcheck.engine.params import ParamStore
    from exitcheck.engine.ruleset import LoadedRule, RuleSet
    from exitcheck.schema.model import Registry

MSG = Catalogue(
    {
        "missing": ("未能核查：{fields} 为空", "not evaluated: {fields} blank"),
        "unknown": ("未能核查：所需数据不全", "not evaluated: data incomplete"),
        "when_missing": ("无法判断是否适用：{fields} 为空",
                         "cannot tell whether the rule applies: {fields} blank"),
        "when_unknown": ("无法判断是否适用：所需数据不全",
                         "cannot tell whether the rule applies: data incomplete"),
        # Rules not run (RuleNotRun): "规则 {codes} " + the reason.
        "rule_note": ("规则 {codes} {reason}", "{codes} — {reason}"),
        "not_run.params_missing": ("未运行：参数 {names} 在 {year} 年没有适用的取值",
                                   "not run: parameter {names} has no value for {year}"),
        "not_run.fields_absent": (
            "无法核查：输入文件没有 {names} 列（{units} {unit}本应核查，不计为通过）",
            "not evaluated: the input has no {names} column ({units} {unit} it applies to; not "
            "counted as passed)",
        ),
        "not_run.members_missing": (
            "未运行：成员表每户只有一行（户主），没有其他成员的行，涉及成员的规则无法核查（不计为通过）",
            "not run: the member table has one row per household (no member rows), so a rule "
            "about members cannot be checked (not counted as passed)",
        ),
        "unit.household": ("户", "households"),
        "unit.spell": ("条务工记录", "work spells"),
        "unit.village": ("个村", "villages"),
        "unit.member": ("人", "members"),
    }
)

PASS = "pass"
VIOLATED = Status.VIOLATED.value
NOT_EVALUATED = Status.NOT_EVALUATED.value
NOT_APPLICABLE = "not_applicable"
NOT_RUN = "not_run"  # explain only: the audit would not run the rule (RuleNotRun)
_STATUS_LABELS = np.array([NOT_EVALUATED, NOT_APPLICABLE, PASS, VIOLATED], dtype=object)
_CODE_NOT_EVALUATED, _CODE_NOT_APPLICABLE, _CODE_PASS, _CODE_VIOLATED = range(4)
STATS_COLUMNS = ("rule", "applicable", "passed", "violated", "not_evaluated", "exempted")
# Derived fields cite the column they were derived from (schema/derive.py).
DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    "age": ("id_number", "birth_date_stated"),
    "birth_date": ("id_number", "birth_date_stated"),
    "sex": ("id_number", "sex_stated"),
    "id_valid": ("id_number",),
    "id_stored_as_number": ("id_number",),
    "member_count": ("household_size",),
}


@dataclass
class Outcome:
    """Per unit of a rule's level (households or members): what happened, and why."""

    status: pd.Series  # PASS | VIOLATED | NOT_EVALUATED | NOT_APPLICABLE, aligned to the frame
    when_unknown: pd.Series  # bool: not_evaluated because `when` itself was unknown
    values: dict[str, pd.Series]  # field values read by when/require, aligned to the frame
    # status as small ints into _STATUS_LABELS (0 not_evaluated, 1 not_applicable, 2 pass,
    # 3 violated): tests on it cost no Python comparison per unit (10^6 units x ~200 rules).
    code: np.ndarray | None = None

    def codes(self) -> np.ndarray:
        if self.code is None:
            labels = list(_STATUS_LABELS)
            self.code = np.array([labels.index(s) for s in self.status], dtype=np.int8)
        return self.code


def make_context(
    registry: Registry, params: dict[str, ParamValue], as_of: date
) -> EvalContext:
    from exitcheck.engine.context import EvalContext
    from exitcheck.engine.populations import load_populations

    return EvalContext(
        households=registry.households,
        members=registry.members,
        params={name: pv.value for name, pv in params.items()},
        as_of=as_of,
        cache={},
        spells=registry.spells,
        villages=registry.villages,
        populations={name: p.expr for name, p in load_populations().items()},
    )


def rule_outcome(rule: LoadedRule, ctx: EvalContext) -> Outcome:
    """Evaluate one expression rule over every unit: `when` NA -> not_evaluated, never dropped."""
    index = ctx.frame(rule.level).index  # type: ignore[arg-type]
    if rule.when is not None:
        when = _aligned(rule.when.evaluate(ctx), index).astype("boolean")
        when_na = when.isna().to_numpy(dtype=bool)
        applies = when.fillna(False).to_numpy(dtype=bool)
    else:
        when_na = np.zeros(len(index), dtype=bool)
        applies = np.ones(len(index), dtype=bool)
    req = _aligned(rule.require.evaluate(ctx), index).astype("boolean")
    req_na = req.isna().to_numpy(dtype=bool)
    req_true = req.fillna(False).to_numpy(dtype=bool)
    # Codes into an object array of the labels: a numpy str array would become an arrow string
    # column (one conversion per unit and rule).
    code = np.select([when_na, ~applies, req_na, req_true], [0, 1, 0, 2], 3)
    status = _STATUS_LABELS[code]
    values: dict[str, pd.Series] = {}
    for expr in (rule.when, rule.require):
        if expr is None:
            continue
        for name, series in expr.field_values(ctx).items():
            if isinstance(series, pd.Series) and series.index.equals(index):
                values.setdefault(name, series)
    return Outcome(pd.Series(status, index=index, dtype=object, copy=False),
                   pd.Series(when_na, index=index, copy=False), values, code.astype(np.int8))


def _aligned(series: pd.Series, index: pd.Index) -> pd.Series:
    return series if series.index.equals(index) else series.reindex(index)


def evaluate(
    registry: Registry,
    ruleset: RuleSet,
    params: ParamStore,
    *,
    year: int,
    region: str | None,
    region_name: str | None = None,
    region_origin: str = "none",
    as_of: date,
    lang: str = "zh",
    exemptions: ExemptionList | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AuditResult:
    """Apply every rule column-at-a-time; one EvalContext (and cache) shared by all rules."""
    resolved, runnable, not_run = resolve_params(ruleset, params, year, region)
    notes = params_missing_notes(not_run, year, lang)
    ctx = make_context(registry, resolved, as_of)
    present = present_fields(registry)
    frames: list[pd.DataFrame] = []
    applicable: dict[str, int] = {}
    total = len(runnable)
    for i, rule in enumerate(runnable):
        ran = run_rule(rule, registry, ctx, resolved, present, lang)
        if ran.not_run is not None:
            not_run.append(ran.not_run)
            if ran.not_run.reason != MEMBERS_MISSING:  # one note for all of them, below
                notes.append(MSG("rule_note", lang, codes=rule.code,
                                 reason=not_run_reason(ran.not_run, year, lang)))
        else:
            applicable[rule.code] = ran.applicable
            if len(ran.findings):
                frames.append(ran.findings)
        if progress is not None:
            progress(i + 1, total)
    missing = [n for n in not_run if n.reason == MEMBERS_MISSING]
    if missing:
        sep = "、" if lang != "en" else ", "
        notes.append(MSG("rule_note", lang, codes=sep.join(n.code for n in missing),
                         reason=not_run_reason(missing[0], year, lang)))
    findings = (
        pd.concat(frames, ignore_index=True) if frames else empty_findings()
    ).loc[:, list(FINDING_COLUMNS)]
    if exemptions is not None:
        from exitcheck.engine.exemptions import apply_exemptions

        findings, exemption_notes = apply_exemptions(
            findings, exemptions, ruleset, registry, as_of, lang,
            not_run=[n.code for n in not_run],
        )
        notes.extend(exemption_notes)
    run_codes = [r.code for r in runnable if r.code in applicable]
    return AuditResult(
        populations=population_table(registry, as_of, ctx),
        registry=registry,
        rules=[info for info in ruleset.info() if info.code in applicable],
        params=[resolved[n] for n in sorted(resolved)],
        findings=findings,
        rule_stats=rule_stats(findings, run_codes, applicable),
        year=year,
        as_of=as_of,
        region=region[:2] if region else None,
        region_name=region_name,
        region_origin=region_origin,
        notes=notes,
        not_run=not_run,
    )


@dataclass
class RuleRun:
    """One rule run over the dataset: the one path evaluate, explain and the rule cases share."""

    findings: pd.DataFrame  # FINDING_COLUMNS (empty when not run)
    applicable: int  # units the rule applied to
    outcome: Outcome | None = None  # expression rules: the status of every unit
    not_run: RuleNotRun | None = None  # why the audit would not run it on this input


def run_rule(
    rule: LoadedRule,
    registry: Registry,
    ctx: EvalContext,
    resolved: dict[str, ParamValue],
    present: frozenset[str],
    lang: str,
) -> RuleRun:
    """Run one rule whose parameters are resolved: its findings and unit outcomes, or why it
    could not be run on this input (a column it needs is absent, no member rows)."""
    if rule.spec.builtin is not None:
        found, units = builtin_findings(rule, registry, lang)
        return RuleRun(found, units)
    if registry.single_row_households and reads_members(rule):
        return RuleRun(empty_findings(), 0, None, RuleNotRun(rule.info(), MEMBERS_MISSING, (), ()))
    outcome = rule_outcome(rule, ctx)
    skipped = fields_absent(rule, outcome, present, lang)
    if skipped is not None:
        return RuleRun(empty_findings(), 0, outcome, skipped)
    found = findings_frame(rule, outcome, registry, ctx, resolved, lang)
    return RuleRun(found, int((outcome.codes() != _CODE_NOT_APPLICABLE).sum()), outcome)


def reads_members(rule: LoadedRule) -> bool:
    """A rule about persons: at member or spell level, or reading a member field."""
    if rule.level in ("member", "spell"):
        return True
    from exitcheck.engine.expr_names import DERIVED

    for expr in (rule.when, rule.require):
        if expr is None:
            continue
        for binding in expr.bindings.values():
            if binding.level in ("member", "spell"):
                return True
    return any(DERIVED.get(f, ("",))[0] == "member" for f in rule.fields)


def present_fields(registry: Registry) -> frozenset[str]:
    """Field names that are columns of the input (or derived from it) at either level."""
    return frozenset(
        {*map(str, registry.members.columns), *map(str, registry.households.columns),
         str(registry.households.index.name), *map(str, registry.spells.columns),
         *map(str, registry.villages.columns)}
    )


def fields_absent(
    rule: LoadedRule, outcome: Outcome, present: frozenset[str], lang: str
) -> RuleNotRun | None:
    """A rule that reads a field the input has no column for and so decided no unit at all.

    Listing it as not_evaluated once per household would bury the one fact that matters: the
    export lacks the column. A rule that still decided some units (`a or absent`) keeps its
    per-unit findings.
    """
    absent = tuple(name for name in rule.fields if name not in present)
    if not absent:
        return None
    code = outcome.codes()
    undecided = code == _CODE_NOT_EVALUATED
    if not undecided.any() or (code >= _CODE_PASS).any():
        return None
    # Name the absent fields of `require` when some selected unit could not be decided, else
    # those of `when`: an absent field under coalesce() in `when` is not why.
    when_unknown = outcome.when_unknown.to_numpy(dtype=bool)
    clause = rule.require if (undecided & ~when_unknown).any() or rule.when is None else rule.when
    absent = tuple(name for name in absent if name in clause.fields)
    if not absent:  # the clause that left units undecided reads no absent column: blank data
        return None
    from exitcheck.engine.expr_names import DERIVED

    labels = tuple(_label(rule, name, lang, DERIVED) for name in absent)
    if lang == "en":  # the export's headers are Chinese: name the column as it would read
        zh = [_label(rule, name, "zh", DERIVED) for name in absent]
        labels = tuple(en if en == z else f"{en} ({z})"
                       for en, z in zip(labels, zh, strict=True))
    return RuleNotRun(rule.info(), FIELDS_ABSENT, absent, labels, units=int(undecided.sum()))


def params_missing_notes(not_run: list[RuleNotRun], year: int, lang: str) -> list[str]:
    """One note per set of missing parameters, naming the rules it stopped."""
    grouped: dict[str, list[RuleNotRun]] = {}
    for item in not_run:
        if item.reason == PARAMS_MISSING:
            grouped.setdefault("、".join(item.names), []).append(item)
    sep = "、" if lang != "en" else ", "
    return [MSG("rule_note", lang, codes=sep.join(i.code for i in items),
                reason=not_run_reason(items[0], year, lang))
            for items in grouped.values()]


def not_run_reason(item: RuleNotRun, year: int, lang: str = "zh") -> str:
    """Why a rule was not run, in one line (notes, 规则说明 sheet, JUnit)."""
    sep = "、" if lang != "en" else ", "
    return MSG(f"not_run.{item.reason}", lang, names=sep.join(item.labels), year=year,
               units=item.units, unit=MSG(f"unit.{item.rule.level}", lang))


def resolve_params(
    ruleset: RuleSet, params: ParamStore, year: int, region: str | None
) -> tuple[dict[str, ParamValue], list[LoadedRule], list[RuleNotRun]]:
    """Resolve every parameter the rules read for (year, region).

    A rule reading a parameter that has no value in force that year (the monitoring line before
    2020, say) is not run; a note names it, so it is never mistaken for a rule that passed.
    Returns (resolved values, rules to run, rules not run).
    """
    resolved: dict[str, ParamValue] = {}
    missing: set[str] = set()
    for name in ruleset.params():
        value = params.try_resolve(name, year, region)
        if value is None:
            missing.add(name)
        else:
            resolved[name] = value
    runnable: list[LoadedRule] = []
    not_run: list[RuleNotRun] = []
    for rule in ruleset.rules:
        absent = tuple(sorted(set(rule.params) & missing))
        if absent:
            not_run.append(RuleNotRun(rule.info(), PARAMS_MISSING, absent, absent))
        else:
            runnable.append(rule)
    used = {p for rule in runnable for p in rule.params}
    return {n: v for n, v in resolved.items() if n in used}, runnable, not_run


def rule_stats(
    findings: pd.DataFrame, codes: list[str], applicable: dict[str, int]
) -> pd.DataFrame:
    """Units per rule and outcome; a unit with several findings counts once, by its worst."""
    rank = {VIOLATED: 0, NOT_EVALUATED: 1, Status.EXEMPTED.value: 2}
    counts = pd.DataFrame(0, index=pd.Index(codes, name="rule"),
                          columns=["violated", "not_evaluated", "exempted"])
    if len(findings):
        units = pd.DataFrame(
            {
                "rule": findings["rule"].astype(object),
                # A village finding has no household: its cell names the unit.
                "hh": findings["household_id"].astype(object).where(
                    findings["household_id"].notna(), findings["location"].astype(object)
                ),
                "mid": findings["member_id"].astype(object).where(
                    findings["member_id"].notna(), ""
                ),
                "rank": findings["status"].map(rank).astype(int),
            }
        )
        worst = units.groupby(["rule", "hh", "mid"], sort=False)["rank"].min()
        table = worst.groupby(level="rule").value_counts().unstack(fill_value=0)
        for r, col in ((0, "violated"), (1, "not_evaluated"), (2, "exempted")):
            if r in table.columns:
                counts[col] = table[r].reindex(counts.index, fill_value=0).astype(int)
    stats = counts.reset_index()
    stats.insert(1, "applicable", stats["rule"].map(applicable).fillna(0).astype(int))
    stats.insert(
        2, "passed",
        stats["applicable"] - stats["violated"] - stats["not_evaluated"] - stats["exempted"],
    )
    return stats.loc[:, list(STATS_COLUMNS)]


# -- findings of expression rules --------------------------------------------------------------


def findings_frame(
    rule: LoadedRule,
    outcome: Outcome,
    registry: Registry,
    ctx: EvalContext,
    params: dict[str, ParamValue],
    lang: str,
) -> pd.DataFrame:
    """One row per unit that did not pass (violated or not_evaluated)."""
    status = outcome.status
    code = outcome.codes()
    mask = (code == _CODE_VIOLATED) | (code == _CODE_NOT_EVALUATED)
    if not mask.any():
        return empty_findings()
    frame = ctx.frame(rule.level)  # type: ignore[arg-type]
    sub = frame.loc[mask]
    n = len(sub)
    hh, mid = unit_keys(rule.level, sub)
    idx = sub.index
    values = {k: v.loc[mask] for k, v in outcome.values.items()}
    st = status.loc[mask]
    violated_msg = render(
        rule.message_en if lang == "en" else rule.message,
        _placeholder_columns(rule, registry, ctx, values, params, mask, lang),
        idx,
        lang,
    )
    message = violated_msg.where(st == VIOLATED, _not_evaluated_message(rule, outcome, values,
                                                                        mask, idx, lang))
    return pd.DataFrame(
        {
            "rule": rule.code,
            "family": rule.family,
            "severity": str(rule.spec.severity),
            "status": st.to_numpy(dtype=object),
            "household_id": hh,
            "member_id": mid,
            "location": locations(registry, rule.cite, *cited_rows(sub, rule.cite)),
            "message": message.to_numpy(dtype=object),
            "values": values_records(values, {n: params[n].value for n in rule.params}, n),
        },
        index=pd.RangeIndex(n),
    )


def unit_keys(level: str, sub: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(household_id, member_id) of each unit of ``level`` in ``sub``: a household its own id,
    a member or a work spell its person's; a village neither (its cell names it)."""
    n = len(sub)
    none = np.full(n, pd.NA, dtype=object)
    if level == "household":
        return sub.index.astype(str).to_numpy(dtype=object), none
    if level == "village":
        return none, none.copy()
    return sub["household_id"].astype(object).to_numpy(), sub["member_id"].astype(object).to_numpy()


def cited_rows(sub: pd.DataFrame, field: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(input index, spreadsheet row) of the cell each unit's ``field`` was read from: the
    unit's own row, or for a household value found on another member's row that row
    (schema/build.py carries it as ``_row@field``)."""
    inputs, rows = _ints(sub, "_input"), _ints(sub, "_row")
    if field is not None and f"_row@{field}" in sub.columns:
        other = _ints(sub, f"_row@{field}")
        moved = other >= 0
        rows = np.where(moved, other, rows)
        inputs = np.where(moved, _ints(sub, f"_input@{field}"), inputs)
    return inputs, rows


def _ints(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64)
    values: np.ndarray = (
        pd.to_numeric(frame[column], errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    )
    return values


def _placeholder_columns(
    rule: LoadedRule,
    registry: Registry,
    ctx: EvalContext,
    values: dict[str, pd.Series],
    params: dict[str, ParamValue],
    mask: np.ndarray,
    lang: str,
) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    for _, ph in (rule.message_en if lang == "en" else rule.message):
        if ph is None or ph.text in cols:
            continue
        if ph.kind == "param":
            cols[ph.text] = params[ph.name].value
        elif ph.name in values:
            cols[ph.text] = values[ph.name]
        else:
            cols[ph.text] = _field_column(rule, registry, ctx, ph.name, ph.level).loc[mask]
    return cols


def _field_column(
    rule: LoadedRule, registry: Registry, ctx: EvalContext, name: str, level: str
) -> pd.Series:
    """A field's column on the rule's level frame (household fields broadcast to members)."""
    frame = ctx.frame(rule.level)  # type: ignore[arg-type]
    if name in frame.columns:
        return frame[name]
    source = registry.frame(level)
    if level != rule.level and name in source.columns:
        from exitcheck.engine.context import down

        return down(ctx, source[name], level, rule.level)  # type: ignore[arg-type]
    return pd.Series(pd.NA, index=frame.index, dtype=object)


def _not_evaluated_message(
    rule: LoadedRule,
    outcome: Outcome,
    values: dict[str, pd.Series],
    mask: np.ndarray,
    index: pd.Index,
    lang: str,
) -> pd.Series:
    """Names the blank fields that made a unit not_evaluated (when's fields if `when` was NA)."""
    from exitcheck.engine.expr_names import DERIVED

    when_unknown = outcome.when_unknown.loc[mask].to_numpy(dtype=bool)
    when_fields = set(rule.when.fields) if rule.when is not None else set()
    labels_when = pd.Series("", index=index, dtype=object)
    labels_req = pd.Series("", index=index, dtype=object)
    sep = "、" if lang == "zh" else ", "
    for name in rule.fields:
        series = values.get(name)
        if series is None:
            continue
        label = _label(rule, name, lang, DERIVED)
        blank = series.isna().to_numpy(dtype=bool)
        add = np.where(blank, label + sep, "")
        if name in when_fields:
            labels_when = labels_when + add
        labels_req = labels_req + add
    labels_when = labels_when.str.removesuffix(sep)
    labels_req = labels_req.str.removesuffix(sep)
    req_msg = MSG("missing", lang, fields="\x00").split("\x00")
    when_msg = MSG("when_missing", lang, fields="\x00").split("\x00")
    text_req = (req_msg[0] + labels_req + req_msg[1]).where(labels_req != "", MSG("unknown", lang))
    text_when = (when_msg[0] + labels_when + when_msg[1]).where(
        labels_when != "", MSG("when_unknown", lang)
    )
    return text_req.where(~when_unknown, text_when)


def _label(rule: LoadedRule, name: str, lang: str, derived: dict[str, Any]) -> str:
    from exitcheck.engine.expr_names import RAW_PREFIX

    header = name.removeprefix(RAW_PREFIX)  # col("表头"): the header as the user wrote it
    zh, en = rule.labels.get(name, (header, header))
    if name in derived and derived[name][2] and zh == name:
        zh = derived[name][2]
    return en if lang == "en" else zh


def values_records(
    values: dict[str, pd.Series], params: dict[str, Any], n: int
) -> list[dict[str, Any]]:
    """One dict per finding: the fields read (NA -> None) and the parameters (param.NAME)."""
    cols: dict[str, Any] = {}
    for name, series in values.items():
        cols[name] = _native(_plain_column(series))
    for name, value in params.items():  # the same value (a list: the same object) in every dict
        cols[f"param.{name}"] = itertools.repeat(maybe_box_native(value), n)
    if not cols:
        return [{} for _ in range(n)]
    keys = list(cols)
    # One dict per finding is the output itself; zip builds them without pandas' per-cell boxing.
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols.values(), strict=True)]


_NATIVE_TYPES = frozenset({str, float, int, bool, type(None)})


def _native(values: np.ndarray) -> np.ndarray | list[Any]:
    """Python scalars for JSON: numpy scalars boxed (as DataFrame.to_dict does), NA -> None."""
    if set(map(type, values)) <= _NATIVE_TYPES:
        return values
    return list(map(maybe_box_native, values))


def _plain_column(series: pd.Series) -> np.ndarray:
    """Python scalars for the values dicts: dates as ISO text, missing as None."""
    s = series
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.dt.strftime("%Y-%m-%d")
    out = np.array(s.astype(object).to_numpy(), dtype=object, copy=True)
    out[s.isna().to_numpy(dtype=bool)] = None
    return out


# -- locations ------------------------------------------------------------------------------


def locations(
    registry: Registry, field: str | None, inputs: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """``sheet!H17`` per finding for ``field`` (the file name prefixed when several files).

    A field absent from an input (e.g. derived age) cites the column it was derived from; with
    none, the whole row (``sheet!17:17``).
    """
    out = np.full(len(rows), "", dtype=object)
    several = len({str(inp.path) for inp in registry.inputs}) > 1
    row_text = pd.Series(rows).astype(str).to_numpy(dtype=object)
    for k, inp in enumerate(registry.inputs):
        sel = inputs == k
        if not sel.any():
            continue
        letter = None
        for candidate in (field, *DERIVED_SOURCES.get(field or "", ())):
            if candidate is not None and candidate in inp.mapping:
                letter = inp.mapping[candidate][1]
                break
        prefix = f"{inp.path.name} " if several else ""
        if letter is not None:
            out[sel] = f"{prefix}{inp.sheet}!{letter}" + row_text[sel]
        else:
            out[sel] = f"{prefix}{inp.sheet}!" + row_text[sel] + ":" + row_text[sel]
    return out


# -- builtin rules ----------------------------------------------------------------------------


def builtin_findings(rule: LoadedRule, registry: Registry, lang: str) -> tuple[pd.DataFrame, int]:
    """Registry.issues rows of the rule's kind as findings; units = all of the rule's level."""
    n_units = len(registry.frame(rule.level))
    issues = registry.issues
    if issues is None or len(issues) == 0 or "kind" not in issues.columns:
        return empty_findings(), n_units
    sub = issues.loc[issues["kind"] == rule.spec.builtin]
    if sub.empty:
        return empty_findings(), n_units
    sub = sub.reset_index(drop=True)
    n = len(sub)
    inputs = _ints(sub, "_input")
    rows = _ints(sub, "_row")
    field = sub["field"].astype(object).to_numpy() if "field" in sub.columns else np.full(n, None)
    loc = np.full(n, "", dtype=object)
    for name in pd.unique(field):  # one pass per field named in issues, not per row
        sel = field == name
        loc[sel] = locations(registry, name, inputs[sel], rows[sel])
    if rule.spec.builtin == "value_not_allowed":  # once per (field, value): count, first cells
        from exitcheck.schema.normalize import once_per_value

        keep, sub = once_per_value(sub, loc, lang)
        n, inputs, field, loc = len(sub), inputs[keep], field[keep], loc[keep]
    labels = _issue_labels(registry, sub, inputs)
    columns: dict[str, Any] = {
        "field": sub.get("field", pd.Series(pd.NA, index=sub.index)),
        "label": labels,
        "value": sub.get("value", pd.Series(pd.NA, index=sub.index)),
        "detail": sub.get("detail", pd.Series(pd.NA, index=sub.index)),
    }
    message = render(rule.message_en if lang == "en" else rule.message, columns, sub.index, lang)
    if rule.level in ("member", "spell") and "member_id" in sub.columns:
        mid = sub["member_id"].astype(object).to_numpy()
    else:
        mid = np.full(n, pd.NA, dtype=object)
    raw_value = sub["value"] if "value" in sub.columns else pd.Series(pd.NA, index=sub.index)
    records = pd.DataFrame(
        {
            "field": pd.Series(field, dtype=object),
            "value": _plain_column(raw_value),
            "detail": _plain_column(columns["detail"]),
        }
    ).to_dict("records")
    found = pd.DataFrame(
        {
            "rule": rule.code,
            "family": rule.family,
            "severity": str(rule.spec.severity),
            "status": VIOLATED,
            "household_id": sub["household_id"].astype(object).to_numpy(),
            "member_id": mid,
            "location": loc,
            "message": message.to_numpy(dtype=object),
            "values": records,
        }
    )
    return found, n_units


def _issue_labels(registry: Registry, sub: pd.DataFrame, inputs: np.ndarray) -> pd.Series:
    """The source header each issue's field came from (the user's own column name)."""
    labels = pd.Series(sub.get("field", pd.Series(pd.NA, index=sub.index)), dtype=object).copy()
    for k, inp in enumerate(registry.inputs):
        sel = inputs == k
        if sel.any():
            header = {f: h for f, (h, _) in inp.mapping.items()}
            labels[sel] = labels[sel].map(header).fillna(labels[sel])
    return labels


__all__ = ["evaluate", "format_series", "rule_outcome", "rule_stats"]


# -- explain one household --------------------------------------------------------------------


@dataclass
class Explanation:
    """How one rule went for one household (for `exitcheck explain`)."""

    rule: LoadedRule
    outcome: str  # household rules: PASS/VIOLATED/NOT_EVALUATED/NOT_APPLICABLE; or NOT_RUN
    member_outcomes: list[tuple[str, str]]  # member rules: (member_id, outcome)
    inputs: list[tuple[str, str, Any, str | None]]  # (unit id, field, value, cell)
    params: list[ParamValue]
    messages: list[str]


def explain_household(
    registry: Registry,
    ruleset: RuleSet,
    params: ParamStore,
    household_id: str,
    *,
    year: int,
    region: str | None,
    as_of: date,
    lang: str = "zh",
) -> list[Explanation]:
    """Every rule's outcome for one household, with the inputs it read and their cells.

    A rule the audit would not run (no parameter value for the year, or a needed column absent
    from the input) is listed with outcome ``not_run`` and the reason as its message.
    """
    resolved, runnable, not_run = resolve_params(ruleset, params, year, region)
    ctx = make_context(registry, resolved, as_of)
    present = present_fields(registry)
    skipped = {n.code: not_run_reason(n, year, lang) for n in not_run}
    will_run = {r.code for r in runnable}
    out = []
    for rule in ruleset.rules:
        if rule.code not in will_run:
            out.append(Explanation(rule, NOT_RUN, [], [], [], [skipped[rule.code]]))
            continue
        used = [resolved[p] for p in rule.params]
        ran = run_rule(rule, registry, ctx, resolved, present, lang)
        if ran.not_run is not None:
            out.append(Explanation(rule, NOT_RUN, [], [], used,
                                   [not_run_reason(ran.not_run, year, lang)]))
            continue
        if ran.outcome is None:  # builtin: the loader's issues of this household
            found = ran.findings
            mine = found[found["household_id"].astype(str) == household_id]
            out.append(Explanation(rule, VIOLATED if len(mine) else PASS, [], [], used,
                                   mine["message"].tolist()))
            continue
        outcome = ran.outcome
        mask = _household_units(registry, rule.level, household_id)
        frame = ctx.frame(rule.level)  # type: ignore[arg-type]
        sub = frame.loc[mask]
        units = (sub.index.astype(str).tolist() if rule.level in ("household", "village")
                 else sub["member_id"].astype(str).tolist())
        status = outcome.status.loc[mask].tolist()
        inputs: list[tuple[str, str, Any, str | None]] = []
        for name, series in outcome.values.items():
            if name.startswith("param."):
                continue
            cells = locations(registry, name, *cited_rows(sub, name))
            vals = _plain_column(series.loc[mask])
            inputs += list(zip(units, [name] * len(units), vals, cells, strict=True))
        found = ran.findings
        if rule.level in ("household", "village"):
            overall = status[0] if status else NOT_APPLICABLE
            members: list[tuple[str, str]] = []
        else:
            members = list(zip(units, status, strict=True))
            overall = next((s for s in (VIOLATED, NOT_EVALUATED, PASS) if s in status),
                           NOT_APPLICABLE)
        if rule.level == "village":
            cited = locations(registry, rule.cite, _ints(sub, "_input"), _ints(sub, "_row"))
            mine = found[found["location"].isin(list(cited))]
        else:
            mine = found[found["household_id"].astype(str) == household_id]
        out.append(Explanation(rule, overall, members, inputs, used, mine["message"].tolist()))
    return out


def _household_units(registry: Registry, level: str, household_id: str) -> np.ndarray:
    """The units of ``level`` that belong to one household (its village at village level)."""
    hh = registry.households
    if level == "household":
        return np.asarray(hh.index.astype(str) == household_id)
    if level == "village":
        if "village_id" not in hh.columns or household_id not in hh.index:
            return np.zeros(len(registry.villages), dtype=bool)
        vid = hh.loc[household_id, "village_id"]
        same: np.ndarray = np.asarray(registry.villages.index.astype(str) == str(vid))
        return same
    frame = registry.frame(level)
    mine: np.ndarray = (frame["household_id"].astype(str) == household_id).to_numpy(dtype=bool)
    return mine
