"""Display tables shared by the Excel and console reports: localized headers, masked IDs.

Each builder returns a :class:`Table` (a frame keyed by internal names, the localized headers and
each column's kind), so the workbook and the terminal show the same numbers under the same names.
Masking happens here, once, for everything the two writers show (report/mask.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from exitcheck.aggregate import Summary, findings_frame, member_names
from exitcheck.engine.evaluate import not_run_reason
from exitcheck.engine.result import (
    FIELDS_ABSENT,
    MEMBERS_MISSING,
    PARAMS_MISSING,
    AuditResult,
    RuleNotRun,
)
from exitcheck.exitcodes import ExitCode
from exitcheck.findings import SEVERITY_ORDER, Family, Severity
from exitcheck.report.mask import mask_id_series, mask_text_series
from exitcheck.report.messages import MSG, family_label, label
from exitcheck.report.values_json import values_json

# Column kinds: text, int, money (yuan, 2 decimals), percent (share 0..1), and number_text
# (numbers already formatted as text, right-aligned on the terminal).
TEXT, INT, MONEY, PERCENT, NUMBER_TEXT = "text", "int", "money", "percent", "number_text"


@dataclass
class Table:
    frame: pd.DataFrame  # columns: internal keys, in display order
    headers: list[str]  # localized header per column
    kinds: list[str]  # TEXT / INT / MONEY / PERCENT per column

    def __len__(self) -> int:
        return len(self.frame)


def _table(frame: pd.DataFrame, spec: list[tuple[str, str, str]], lang: str) -> Table:
    """``spec``: (column key, message key of its header, kind)."""
    keys = [k for k, _, _ in spec]
    out = frame.reindex(columns=keys)
    for key, _, kind in spec:
        if kind == TEXT:
            out[key] = out[key].astype("string").fillna("").astype(object)
    return Table(out.reset_index(drop=True), [MSG(h, lang) for _, h, _ in spec],
                 [k for _, _, k in spec])


def _labels(series: pd.Series, prefix: str, lang: str) -> pd.Series:
    values = series.astype("string").fillna("")
    mapping = {v: label(prefix, v, lang) for v in values.unique()}
    return values.map(mapping).astype(object)


def _masked(series: pd.Series, show_ids: bool) -> pd.Series:
    text = series.astype("string")
    return text if show_ids else mask_text_series(text)


def inputs_table(summary: Summary, lang: str = "zh") -> Table:
    sep = "；" if lang != "en" else "; "
    rows = [
        {"file": acc.path.name, "sheet": acc.sheet, "reader": acc.reader,
         "encoding": acc.encoding or "", "table": MSG(f"table.{acc.table}", lang),
         "rows_read": acc.rows_read, "member_rows": acc.units,
         "skipped": sep.join(f"{label('skip', k, lang)} {v}" for k, v in acc.skipped.items()
                             if v) or MSG("none", lang),
         "reconciled": MSG("yes" if acc.reconciled else "no", lang)}
        for acc in summary.inputs
    ]
    spec = [("file", "col.file", TEXT), ("sheet", "col.sheet", TEXT),
            ("reader", "col.reader", TEXT), ("encoding", "col.encoding", TEXT),
            ("table", "col.table", TEXT),
            ("rows_read", "col.rows_read", INT), ("member_rows", "col.units", INT),
            ("skipped", "col.skipped", TEXT), ("reconciled", "col.reconciled", TEXT)]
    return _table(pd.DataFrame(rows), spec, lang)


def param_value_text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def params_table(result: AuditResult, lang: str = "zh") -> Table:
    rows = [
        {"name": p.name, "title": p.title_en if lang == "en" else p.title,
         "value": param_value_text(p.value), "unit": p.unit or "",
         "effective_from": p.effective_from.isoformat(),
         "region": p.region or MSG("national", lang), "source": p.source,
         "verified": MSG("verified" if p.verified else "unverified", lang),
         "note": p.note or ""}
        for p in result.params
    ]
    spec = [("name", "col.param", TEXT), ("title", "col.title", TEXT),
            ("value", "col.value", TEXT), ("unit", "col.unit", TEXT),
            ("effective_from", "col.effective_from", TEXT), ("region", "col.region", TEXT),
            ("source", "col.source", TEXT), ("verified", "col.verified", TEXT),
            ("note", "col.note", TEXT)]
    return _table(pd.DataFrame(rows), spec, lang)


def population_table(summary: Summary, lang: str = "zh") -> Table:
    """Households per population (rules/populations.yaml), the ones the rules audit."""
    from exitcheck.engine.populations import load_populations

    pops = load_populations()
    names = [n for n, count in summary.by_population.items() if count and n in pops]
    frame = pd.DataFrame(
        {"population": [pops[n].label_en if lang == "en" else pops[n].label for n in names],
         "households": [summary.by_population[n] for n in names]}
    )
    frame["share"] = frame["households"] / summary.households if summary.households else None
    spec = [("population", "col.population", TEXT), ("households", "col.households", INT),
            ("share", "col.share", PERCENT)]
    return _table(frame, spec, lang)


def status_table(summary: Summary, lang: str = "zh") -> Table:
    frame = pd.DataFrame(
        {"status": [k or MSG("blank", lang) for k in summary.by_poverty_status],
         "households": list(summary.by_poverty_status.values())}
    )
    frame["share"] = frame["households"] / summary.households if summary.households else None
    spec = [("status", "col.poverty_status", TEXT), ("households", "col.households", INT),
            ("share", "col.share", PERCENT)]
    return _table(frame, spec, lang)


def family_table(summary: Summary, lang: str = "zh") -> Table:
    frame = summary.families.reset_index()
    frame["label"] = frame["family"].map(lambda c: family_label(c, lang))
    spec = [("family", "col.family_code", TEXT), ("label", "col.family", TEXT),
            ("rules", "col.rules", INT), ("rules_not_run", "col.rules_not_run", INT),
            ("audited", "col.audited", INT),
            ("violated", "col.violated", INT), ("violated_share", "col.violated_share", PERCENT),
            ("not_evaluated", "col.not_evaluated", INT),
            ("not_evaluated_share", "col.not_evaluated_share", PERCENT),
            ("exempted", "col.exempted", INT), ("passed", "col.passed", INT)]
    return _table(frame, spec, lang)


def _rule_title(frame: pd.DataFrame, lang: str) -> pd.Series:
    title = frame["title"].astype("string")
    if lang == "en":
        title = frame["title_en"].astype("string").fillna(title)
    return title.fillna("").astype(object)


def top_rules_table(summary: Summary, lang: str = "zh") -> Table:
    frame = summary.top_rules.reset_index()
    frame["title_l"] = _rule_title(frame, lang)
    frame["family_l"] = frame["family"].map(lambda c: family_label(str(c), lang))
    frame["severity_l"] = _labels(frame["severity"], "severity", lang)
    spec = [("rule", "col.rule", TEXT), ("title_l", "col.title", TEXT),
            ("family_l", "col.family", TEXT), ("severity_l", "col.severity", TEXT),
            ("violated_households", "col.households", INT),
            ("violated_findings", "col.findings", INT)]
    return _table(frame, spec, lang)


_AREA_SPEC = [
    ("households", "col.households", INT), ("exited", "col.exited", INT),
    ("problems", "col.problems", INT), ("failing", "col.failing", INT),
    ("failing_share", "col.failing_share", PERCENT),
    ("at_risk", "col.at_risk", INT), ("at_risk_share", "col.at_risk_share", PERCENT),
    ("data_errors", "col.data_errors", INT),
    ("data_error_share", "col.data_error_share", PERCENT),
    ("not_evaluated", "col.not_evaluated", INT),
    ("exited_failing", "col.exited_failing", INT),
    ("exited_failing_share", "col.exited_failing_share", PERCENT),
]


def area_table(frame: pd.DataFrame, lang: str = "zh") -> Table:
    """Summary.townships or Summary.villages (or a slice of them) with localized headers."""
    keys = [("county", "col.county", TEXT), ("township", "col.township", TEXT)]
    if "village" in frame.columns:
        keys.append(("village", "col.village", TEXT))
    return _table(frame, [*keys, *_AREA_SPEC], lang)


def households_table(
    summary: Summary, which: str, lang: str = "zh", *, show_ids: bool = False
) -> Table:
    """Households failing exit criteria (``which="failing"``) or at risk (``"at_risk"``)."""
    v = summary.verdicts
    frame = v[v[which].astype(bool)].copy()
    frame["head_id"] = (frame["head_id_number"].astype("string") if show_ids
                        else mask_id_series(frame["head_id_number"]))
    frame["reasons"] = _masked(frame["reasons"], show_ids)
    frame["poverty_status"] = frame["poverty_status"].replace("", MSG("blank", lang))
    spec = [("township", "col.township", TEXT), ("village", "col.village", TEXT),
            ("household_id", "col.household_id", TEXT), ("head_name", "col.head_name", TEXT),
            ("head_id", "col.head_id", TEXT), ("poverty_status", "col.poverty_status", TEXT),
            ("per_capita_net_income", "col.income", MONEY),
            ("failed_codes", "col.failed_codes", TEXT), ("reasons", "col.reasons", TEXT),
            ("not_evaluated_codes", "col.not_evaluated_codes", TEXT)]
    return _table(frame, spec, lang)


def _finding_rows(
    result: AuditResult, lang: str, show_ids: bool, family: str | None = None
) -> pd.DataFrame:
    f = findings_frame(result)
    if family is not None:  # before the per-row work below
        f = f[(f["family"] == family).to_numpy(dtype=bool)].reset_index(drop=True)
    f["member_name"] = member_names(result, f)
    f["family_l"] = f["family"].map(lambda c: family_label(str(c), lang))
    f["severity_l"] = _labels(f["severity"], "severity", lang)
    f["status_l"] = _labels(f["status"], "status", lang)
    f["member_id"] = _masked(f["member_id"], show_ids)
    f["message"] = _masked(f["message"], show_ids)
    titles = {r.code: (r.title_en if lang == "en" else r.title) for r in result.rules}
    f["title"] = f["rule"].map(titles)
    return f


def data_issues_table(result: AuditResult, lang: str = "zh", *, show_ids: bool = False) -> Table:
    f = _finding_rows(result, lang, show_ids, family=Family.DQ.value)
    spec = [("rule", "col.rule", TEXT), ("title", "col.title", TEXT),
            ("severity_l", "col.severity", TEXT), ("status_l", "col.status", TEXT),
            ("household_id", "col.household_id", TEXT), ("member_id", "col.member_id", TEXT),
            ("member_name", "col.member_name", TEXT), ("location", "col.location", TEXT),
            ("message", "col.message", TEXT)]
    return _table(f, spec, lang)


def findings_table(result: AuditResult, lang: str = "zh", *, show_ids: bool = False) -> Table:
    f = _finding_rows(result, lang, show_ids)
    # One JSON text per finding (values are per-finding dicts), encoded a key at a time.
    f["values_json"] = values_json(f["values"].tolist(), show_ids=show_ids)
    spec = [("rule", "col.rule", TEXT), ("family_l", "col.family", TEXT),
            ("severity_l", "col.severity", TEXT), ("status_l", "col.status", TEXT),
            ("household_id", "col.household_id", TEXT), ("member_id", "col.member_id", TEXT),
            ("member_name", "col.member_name", TEXT), ("location", "col.location", TEXT),
            ("message", "col.message", TEXT), ("values_json", "col.values", TEXT)]
    return _table(f, spec, lang)


def rules_table(result: AuditResult, summary: Summary, lang: str = "zh") -> Table:
    frame = summary.rules.reset_index()
    frame["run_state"] = MSG("run_state.ran", lang)
    if result.not_run:
        # Selected rules that were not run: listed with why, their counts left blank.
        skipped = pd.DataFrame([
            {"rule": n.code, "name": n.rule.name, "family": n.rule.family,
             "severity": n.rule.severity, "level": n.rule.level, "title": n.rule.title,
             "title_en": n.rule.title_en, "reference": n.rule.reference,
             "source": n.rule.source, "run_state": not_run_reason(n, result.year, lang)}
            for n in result.not_run
        ])
        frame = pd.concat([frame, skipped], ignore_index=True)
    values = {p.name: f"{p.name}={param_value_text(p.value)}{(' ' + p.unit) if p.unit else ''}"
              for p in result.params}
    rules = [*result.rules, *(n.rule for n in result.not_run)]
    params = {r.code: "；".join(values.get(n, n) for n in r.params) for r in rules}
    frame["params_l"] = frame["rule"].map(params).fillna("")
    frame["title_l"] = _rule_title(frame, lang)
    frame["family_l"] = frame["family"].map(lambda c: family_label(str(c), lang))
    frame["severity_l"] = _labels(frame["severity"], "severity", lang)
    frame["level_l"] = _labels(frame["level"], "level", lang)
    spec = [("rule", "col.rule", TEXT), ("name", "col.rule_name", TEXT),
            ("title_l", "col.title", TEXT), ("family_l", "col.family", TEXT),
            ("severity_l", "col.severity", TEXT), ("level_l", "col.level", TEXT),
            ("run_state", "col.run_state", TEXT),
            ("reference", "col.reference", TEXT), ("params_l", "col.params", TEXT),
            ("source", "col.source_file", TEXT), ("applicable_units", "col.applicable", INT),
            ("passed_units", "col.passed", INT), ("violated_units", "col.violated", INT),
            ("not_evaluated_units", "col.not_evaluated", INT),
            ("exempted_units", "col.exempted", INT)]
    return _table(frame, spec, lang)


def _fmt_yuan(x: float) -> str:
    return f"{x:,.0f}"


def income_band_table(summary: Summary, lang: str = "zh") -> Table:
    bands = summary.income_bands
    labels = []
    for key, lo, hi in zip(bands.index, bands["lower"], bands["upper"], strict=True):
        if key == "missing":
            labels.append(MSG("band.missing", lang))
        elif pd.isna(lo):
            labels.append(MSG("band.below", lang, hi=_fmt_yuan(hi)))
        elif pd.isna(hi):
            labels.append(MSG("band.above", lang, lo=_fmt_yuan(lo)))
        else:
            labels.append(MSG("band.between", lang, lo=_fmt_yuan(lo), hi=_fmt_yuan(hi)))
    frame = pd.DataFrame({"band": labels, "households": bands["households"].to_numpy()})
    return _table(frame, [("band", "col.band", TEXT), ("households", "col.households", INT)],
                  lang)


def action_table(
    result: AuditResult, summary: Summary, which: str, lang: str = "zh", *, top: int = 10,
    show_ids: bool = False,
) -> tuple[Table, int]:
    """The households to act on first (``which``: "failing" or "at_risk"), at most ``top``, and
    how many there are in all: township, village, 户编号, head, masked ID and the reasons of that
    severity (one message per rule). Households that exited but fail come first (错退 candidates),
    then those with most rules violated."""
    severity = "fail" if which == "failing" else "risk"
    v = summary.verdicts
    chosen = v[v[which].astype(bool)]
    total = len(chosen)
    f = findings_frame(result)
    f = f[((f["status"] == "violated") & (f["severity"] == severity)).to_numpy(dtype=bool)]
    per_rule = f.groupby(["household_id", "rule"], sort=False)
    first = per_rule["message"].first().astype("string").fillna("")
    counts = per_rule.size()
    more = counts.where(counts > 1)
    text = first.index.get_level_values("rule").to_series(index=first.index) + " " + first
    suffix = MSG("act.more_units", lang, n="{n}")
    text = text.where(more.isna(), text + more.map(
        lambda n: suffix.format(n=int(n)) if pd.notna(n) else "").astype("string"))
    reasons = text.groupby(level="household_id", sort=False).agg(
        ("；" if lang != "en" else "; ").join)
    rules = text.groupby(level="household_id", sort=False).size()
    exited = (result.populations["exited"] if result.populations is not None
              and "exited" in result.populations else pd.Series(dtype=bool))
    frame = chosen.assign(
        _exited=chosen["household_id"].map(exited).eq(True).to_numpy(dtype=bool),
        _rules=pd.to_numeric(chosen["household_id"].map(rules)).fillna(0).to_numpy(),
        reasons=chosen["household_id"].map(reasons).fillna("").to_numpy(),
    ).sort_values(["_exited", "_rules", "township", "village", "household_id"],
                  ascending=[False, False, True, True, True], kind="stable").head(max(top, 0))
    frame["head_id"] = (frame["head_id_number"].astype("string") if show_ids
                        else mask_id_series(frame["head_id_number"]))
    frame["reasons"] = _masked(frame["reasons"], show_ids)
    spec = [("township", "col.township", TEXT), ("village", "col.village", TEXT),
            ("household_id", "col.household_id", TEXT), ("head_name", "col.head", TEXT),
            ("head_id", "col.id_number", TEXT), ("reasons", "col.reasons", TEXT)]
    return _table(frame, spec, lang), total


def at_or_above(summary: Summary) -> tuple[int, int]:
    """(violated findings, households) at or above --fail-on: what makes exit code 1."""
    if summary.fail_on == "never":
        return 0, 0
    levels = [s.value for s in SEVERITY_ORDER[: Severity(summary.fail_on).rank + 1]]
    rows = summary.by_severity.loc[levels]
    households = int(summary.verdicts["verdict"].isin(levels).sum()) if len(
        summary.verdicts) else 0
    return int(rows["violated_findings"].sum()), households


def verdict_line(summary: Summary, lang: str = "zh") -> str:
    """结论 with the count that decides the exit code (also `audit -q`)."""
    code = int(summary.exit_code)
    if summary.exit_code == ExitCode.FINDINGS:
        n, h = at_or_above(summary)
        return MSG("verdict.fail_line", lang, n=n, h=h, fail_on=summary.fail_on, code=code)
    if summary.exit_code == ExitCode.INCOMPLETE:  # aggregate.incomplete_families
        sep = ", " if lang == "en" else "、"
        return MSG("verdict.incomplete_line", lang, code=code, families=sep.join(
            family_label(f, lang) for f in summary.incomplete_families))
    return MSG("verdict.ok_line", lang, fail_on=summary.fail_on, code=code)


def counts_line(summary: Summary, lang: str = "zh") -> str:
    """Violated findings (households) per severity, e.g. 未达标 8 条（7 户）、风险 ..."""
    sev = summary.by_severity
    parts = [MSG("verdict.count", lang, label=label("severity", s.value, lang),
                 n=int(sev.loc[s.value, "violated_findings"]),
                 h=int(sev.loc[s.value, "violated_households"]))
             for s in SEVERITY_ORDER]
    return MSG("verdict.counts", lang, counts=("、" if lang != "en" else ", ").join(parts))


NOT_RUN_CODES = 4  # rule codes shown per family of rules not run; the rest are counted
NOT_RUN_COLUMNS = 3  # absent columns named per family; the rest are counted


def _first(items: list[str], most: int, lang: str, key: str = "codes_more") -> str:
    sep = "、" if lang != "en" else ", "
    if len(items) <= most:
        return sep.join(items)
    return MSG(key, lang, codes=sep.join(items[:most]), n=len(items), more=len(items) - most)


def not_run_groups(not_run: list[RuleNotRun], year: int, lang: str = "zh") -> list[str]:
    """Rules not run, one line per rule family (in the report's family order): the codes and
    why (the columns the input lacks; parameters without a value that year; member rows
    missing). A 2014-2020 export's many monitoring-era rules make one line, not one each."""
    order = {f.value: i for i, f in enumerate(Family)}
    by_family: dict[str, list[RuleNotRun]] = {}
    for item in sorted(not_run, key=lambda n: order.get(n.rule.family, len(order))):
        by_family.setdefault(item.rule.family, []).append(item)
    lines = []
    for family, items in by_family.items():
        columns = list(dict.fromkeys(label for n in items if n.reason == FIELDS_ABSENT
                                     for label in n.labels))
        why = []
        if columns:
            why.append(MSG("not_run.columns", lang,
                           names=_first(columns, NOT_RUN_COLUMNS, lang, "columns_more")))
        params = sum(n.reason == PARAMS_MISSING for n in items)
        if params:
            why.append(MSG("not_run.params", lang, n=params, year=year))
        members = sum(n.reason == MEMBERS_MISSING for n in items)
        if members:
            why.append(MSG("not_run.members", lang, n=members))
        lines.append(MSG("not_run.family", lang, family=family_label(family, lang),
                         n=len(items), codes=_first([n.code for n in items], NOT_RUN_CODES,
                                                    lang),
                         why=("；" if lang != "en" else "; ").join(why)))
    return lines


def other_notes(result: AuditResult, summary: Summary, lang: str = "zh") -> list[str]:
    """The run's notes less the engine's one note per rule not run (summarised by
    :func:`not_run_groups`; the JSON report and 规则说明 keep each one)."""
    reasons = tuple(not_run_reason(n, result.year, lang) for n in result.not_run)
    return [str(n) for n in summary.notes if not (reasons and str(n).endswith(reasons))]
