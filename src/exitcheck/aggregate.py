"""Aggregate stage: findings -> counts, shares, household verdicts, row accounting, exit code.

Everything here is column-at-a-time (groupby / isin); the only Python loops run once per input
file or per severity. The Summary keeps raw values (IDs unmasked): it lives in memory only, and
every writer in ``exitcheck.report`` masks IDs on the way out (report/mask.py).

not_evaluated policy (issue `exitcheck audit`; docs/exit-codes.md, docs/report-format.md): a
finding whose rule could not be evaluated for a household is listed and counted, never counted
as passed, and does not by itself make the exit code 1. Exempted findings are listed and never
make the exit code 1 either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exitcheck.engine.result import AuditResult
from exitcheck.errors import UsageError
from exitcheck.exitcodes import ExitCode
from exitcheck.findings import FINDING_COLUMNS, SEVERITY_ORDER, Family, Severity, Status
from exitcheck.i18n import Catalogue

# Household-exit families in report order (docs/policy.md §1), then the others that may appear.
FAMILY_ORDER: tuple[str, ...] = ("INC", "FOOD", "EDU", "MED", "HOU", "WAT", "RISK", "DQ")
# The exit criteria 一超过、两不愁、三保障 and 饮水安全 (docs/policy.md §1): a run in which one of
# them could decide no household is incomplete, never clean (docs/exit-codes.md, code 5).
EXIT_FAMILIES: tuple[str, ...] = ("INC", "FOOD", "EDU", "MED", "HOU", "WAT")
AGG_MSG = Catalogue(
    {
        "incomplete": (
            "核查不完整：{families} 没有一户能够核查（所需的列缺失、为空或规则未运行），"
            "不能视为通过；没有达到 --fail-on 的问题时退出码为 5"
            "（确认接受请加 --allow-incomplete）",
            "incomplete audit: {families} could decide no household (columns absent or blank,"
            " or rules not run), which is not a pass; without findings at or above --fail-on"
            " the exit code is 5 (--allow-incomplete accepts it)",
        ),
        "unreconciled": (
            "行数不平：{file} {sheet} 读取 {read} 行 ≠ 记录 {units} + 跳过 {skipped}",
            "rows do not reconcile: {file} {sheet} read {read} rows != {units} records +"
            " {skipped} skipped",
        ),
        "members_mismatch": (
            "成员行合计 {total} ≠ 成员数 {members}",
            "member rows in all inputs {total} != members {members}",
        ),
        "incomplete_allowed": (
            "核查不完整：{families} 没有一户能够核查，已按 --allow-incomplete 接受",
            "incomplete audit: {families} could decide no household; accepted by"
            " --allow-incomplete",
        ),
    }
)
FAIL_ON_CHOICES: tuple[str, ...] = (*(s.value for s in SEVERITY_ORDER), "never")
# The parameter whose value draws the income-distribution chart (rules/params/).
EXIT_LINE_PARAM = "exit_income_line"
# Income bands for the chart, as multiples of the exit line: presentation bins, not policy
# thresholds (the line itself comes from the parameter). Bands are (lo, hi]: "<= line" first,
# matching INC001's strict "above the line".
INCOME_BAND_EDGES: tuple[float, ...] = (1.0, 1.1, 1.2, 1.5, 2.0)
TOP_RULES = 10
AREA_KEYS: tuple[str, ...] = ("county", "township", "village")


@dataclass
class InputAccounting:
    """Row accounting of one input table: rows_read == units + sum(skipped)."""

    path: Path
    sheet: str
    reader: str
    encoding: str | None
    rows_read: int
    member_rows: int
    skipped: dict[str, int]
    table: str = "members"  # the table's kind (InputInfo.role)
    units: int = -1  # rows that became units of its level (members, households, spells ...)

    @property
    def skipped_total(self) -> int:
        return int(sum(self.skipped.values()))

    @property
    def reconciled(self) -> bool:
        units = self.member_rows if self.units < 0 else self.units
        return self.rows_read == units + self.skipped_total


@dataclass
class Summary:
    """What the reports show, computed once from an AuditResult (see docs/report-format.md)."""

    fail_on: str
    exit_code: ExitCode
    households: int
    members: int
    by_poverty_status: dict[str, int]  # poverty_status -> households; "" = blank
    # index family; audited, violated, not_evaluated, exempted, passed (households), rules,
    # violated_share, not_evaluated_share, exempted_share (of audited)
    families: pd.DataFrame
    # index severity (fail..warning); findings/households counted per finding status
    by_severity: pd.DataFrame
    by_status: dict[str, int]  # finding status -> findings
    # index rule code: RuleInfo fields + rule_stats units + findings/households per status
    rules: pd.DataFrame
    top_rules: pd.DataFrame
    townships: pd.DataFrame  # one row per (county, township)
    villages: pd.DataFrame  # one row per (county, township, village)
    verdicts: pd.DataFrame  # one row per household with any finding
    income_bands: pd.DataFrame  # lower, upper (元; NaN = open), households; plus a "missing" row
    exit_income_line: float | None
    inputs: list[InputAccounting]
    not_evaluated_findings: int
    not_evaluated_households: int
    notes: list[str] = field(default_factory=list)
    # population (rules/populations.yaml) -> households in it, in file order; a household may
    # be in several (a 脱贫户 that is monitored is in exited and monitored).
    by_population: dict[str, int] = field(default_factory=dict)
    # What the exit code, the verdict line and JUnit's failures count (one definition,
    # blocking_mask): violated, not exempted findings at or above --fail-on, and their rules.
    blocking_findings: int = 0
    blocking_rules: int = 0
    # Exit-criterion families (EXIT_FAMILIES) that could decide no household: exit code 5
    # unless --allow-incomplete.
    incomplete_families: list[str] = field(default_factory=list)

    @property
    def rows_reconciled(self) -> bool:
        return all(acc.reconciled for acc in self.inputs)


def check_fail_on(fail_on: str) -> str:
    """Validate a --fail-on value (fail, risk, error, warning, never)."""
    if fail_on not in FAIL_ON_CHOICES:
        choices = ", ".join(FAIL_ON_CHOICES)
        raise UsageError(
            f"--fail-on 的取值 {fail_on!r} 无效，可选：{choices}",
            message_en=f"invalid --fail-on value {fail_on!r}; choose one of: {choices}",
            location="--fail-on",
        )
    return fail_on


def blocking_mask(findings: pd.DataFrame, fail_on: str) -> pd.Series:
    """The findings that make the exit code 1: violated (not exempted) with a severity at or
    above ``fail_on``. The verdict line and JUnit's <failure>s count these same findings."""
    check_fail_on(fail_on)
    if fail_on == "never" or findings.empty:
        return pd.Series(False, index=findings.index)
    at_or_above = [s.value for s in SEVERITY_ORDER[: Severity(fail_on).rank + 1]]
    return (findings["status"] == Status.VIOLATED.value) & findings["severity"].isin(at_or_above)


def exit_code_for(findings: pd.DataFrame, fail_on: str,
                  incomplete: list[str] | None = None) -> ExitCode:
    """FINDINGS when a finding is blocking (blocking_mask); else INCOMPLETE when an exit
    criterion could decide no household (``incomplete``, already emptied by
    --allow-incomplete); else OK."""
    if bool(blocking_mask(findings, fail_on).any()):
        return ExitCode.FINDINGS
    return ExitCode.INCOMPLETE if incomplete else ExitCode.OK


def incomplete_families(families: pd.DataFrame) -> list[str]:
    """Exit-criterion families that had rules to run and decided no household (none passed,
    failed or was exempted) because data was missing: a rule not run, or every household
    not evaluated. A family none of whose rules applied (no household in its population)
    is not incomplete."""
    out = []
    for fam in EXIT_FAMILIES:
        if fam not in families.index:
            continue
        row = families.loc[fam]
        selected = int(row["rules"]) + int(row["rules_not_run"])
        decided = int(row["passed"]) + int(row["violated"]) + int(row["exempted"])
        missing = int(row["rules_not_run"]) + int(row["not_evaluated"])
        if selected and not decided and missing:
            out.append(fam)
    return out


def _text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A household text column with blanks as "" (absent column -> all blank)."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    return frame[name].astype("string").fillna("").astype("object")


def findings_frame(result: AuditResult) -> pd.DataFrame:
    """The findings with every contract column, code columns as plain text ("" when blank)."""
    f = result.findings
    missing = [c for c in FINDING_COLUMNS if c not in f.columns]
    if missing:
        f = f.assign(**{c: pd.NA for c in missing})
    f = f.copy()
    f["household_id"] = f["household_id"].astype("string").astype("object")
    for col in ("rule", "family", "severity", "status"):
        f[col] = f[col].astype("string").fillna("").astype("object")
    return f


def _household_flags(
    households: pd.DataFrame, f: pd.DataFrame, populations: pd.DataFrame | None
) -> pd.DataFrame:
    """Per household booleans: exited, failing, at_risk, data_error, problem, not_evaluated,
    exited_failing (a violated finding of that severity / any violated / any not_evaluated)."""
    violated = f["status"] == Status.VIOLATED.value
    # Hash the household ids once; every flag is then a numpy scatter over positions.
    pos = households.index.get_indexer(f["household_id"].to_numpy(dtype=object))
    known = pos >= 0

    def has(mask: pd.Series) -> np.ndarray:
        out = np.zeros(len(households), dtype=bool)
        out[pos[mask.to_numpy(dtype=bool) & known]] = True
        return out

    # 已脱贫户 as the rules define it (rules/populations.yaml exited), for both export eras.
    if populations is not None and "exited" in populations:
        exited = populations["exited"].reindex(households.index, fill_value=False)
    else:
        exited = pd.Series(False, index=households.index)
    flags = pd.DataFrame(
        {
            "exited": exited.to_numpy(dtype=bool),
            "failing": has(violated & (f["severity"] == Severity.FAIL.value)),
            "at_risk": has(violated & (f["severity"] == Severity.RISK.value)),
            "data_error": has(violated & (f["severity"] == Severity.ERROR.value)),
            "problem": has(violated),
            "not_evaluated": has(f["status"] == Status.NOT_EVALUATED.value),
        },
        index=households.index,
    )
    flags["exited_failing"] = flags["exited"] & flags["failing"]
    return flags


def _share(num: pd.Series, den: pd.Series) -> pd.Series:
    den_f = den.astype("float64")
    return (num.astype("float64") / den_f).where(den_f > 0)


def _area_table(households: pd.DataFrame, flags: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = flags.astype("int64")
    for key in keys:
        frame[key] = _text_column(households, key).to_numpy()
    table = frame.groupby(keys, sort=True).agg(
        households=("exited", "size"),
        exited=("exited", "sum"),
        failing=("failing", "sum"),
        at_risk=("at_risk", "sum"),
        data_errors=("data_error", "sum"),
        problems=("problem", "sum"),
        not_evaluated=("not_evaluated", "sum"),
        exited_failing=("exited_failing", "sum"),
    )
    table["failing_share"] = _share(table["failing"], table["households"])
    table["at_risk_share"] = _share(table["at_risk"], table["households"])
    table["data_error_share"] = _share(table["data_errors"], table["households"])
    # 错退 candidates: exited households that fail an exit criterion (docs/policy.md §3).
    table["exited_failing_share"] = _share(table["exited_failing"], table["exited"])
    return table.reset_index()


def _family_table(result: AuditResult, f: pd.DataFrame, n_households: int) -> pd.DataFrame:
    present = ({r.family for r in result.rules} | {n.rule.family for n in result.not_run}
               | set(f["family"].unique()))
    families = [*FAMILY_ORDER, *(m.value for m in Family if m.value not in FAMILY_ORDER
                                 and m.value in present)]
    families += sorted(present - set(families) - {""})
    rules = pd.DataFrame(
        {"rule": [r.code for r in result.rules], "family": [r.family for r in result.rules],
         "level": [r.level for r in result.rules]}
    )
    stats = result.rule_stats
    if not stats.empty and "applicable" in stats.columns:
        rules = rules.merge(stats[["rule", "applicable"]], on="rule", how="left")
    else:
        rules["applicable"] = np.nan
    # Households a family audits: the largest population among its household-level rules; a
    # family with member-level rules only examines the members of every household.
    hh_rules = rules[rules["level"] == "household"]
    audited = hh_rules.groupby("family")["applicable"].max()
    n_rules = rules.groupby("family").size()

    state = f.assign(
        v=f["status"] == Status.VIOLATED.value,
        ne=f["status"] == Status.NOT_EVALUATED.value,
        ex=f["status"] == Status.EXEMPTED.value,
    ).groupby(["family", "household_id"])[["v", "ne", "ex"]].any()
    per_family = pd.DataFrame(
        {
            "violated": state["v"],
            "not_evaluated": ~state["v"] & state["ne"],
            "exempted": ~state["v"] & ~state["ne"] & state["ex"],
        }
    ).groupby(level="family").sum()

    table = pd.DataFrame(index=pd.Index(families, name="family"))
    table["rules"] = n_rules.reindex(table.index).fillna(0).astype("int64")
    not_run = pd.Series([n.rule.family for n in result.not_run], dtype=object).value_counts()
    table["rules_not_run"] = not_run.reindex(table.index).fillna(0).astype("int64")
    for col in ("violated", "not_evaluated", "exempted"):
        table[col] = per_family[col].reindex(table.index).fillna(0).astype("int64")
    fallback = pd.Series(np.where(table["rules"] > 0, n_households, 0), index=table.index)
    aud = audited.reindex(table.index).astype("float64").fillna(fallback.astype("float64"))
    counted = table["violated"] + table["not_evaluated"] + table["exempted"]
    table["audited"] = np.maximum(aud.to_numpy(), counted.to_numpy()).astype("int64")
    table["passed"] = table["audited"] - counted
    for col in ("violated", "not_evaluated", "exempted"):
        table[f"{col}_share"] = _share(table[col], table["audited"])
    return table[
        ["rules", "rules_not_run", "audited", "violated", "not_evaluated", "exempted", "passed",
         "violated_share", "not_evaluated_share", "exempted_share"]
    ]


def _severity_table(f: pd.DataFrame) -> pd.DataFrame:
    index = pd.Index([s.value for s in SEVERITY_ORDER], name="severity")
    table = pd.DataFrame(index=index)
    for status in Status:
        sub = f[f["status"] == status.value]
        grouped = sub.groupby("severity")
        table[f"{status.value}_findings"] = grouped.size().reindex(index).fillna(0).astype("int64")
        table[f"{status.value}_households"] = (
            grouped["household_id"].nunique().reindex(index).fillna(0).astype("int64")
        )
    return table


def _rule_table(result: AuditResult, f: pd.DataFrame) -> pd.DataFrame:
    info = pd.DataFrame(
        [
            {"rule": r.code, "name": r.name, "family": r.family, "severity": r.severity,
             "level": r.level, "title": r.title, "title_en": r.title_en,
             "reference": r.reference, "params": ", ".join(r.params), "source": r.source}
            for r in result.rules
        ],
        columns=["rule", "name", "family", "severity", "level", "title", "title_en",
                 "reference", "params", "source"],
    )
    # Findings of a rule missing from result.rules still get counted (family/severity from them).
    extra = f.loc[~f["rule"].isin(info["rule"]), ["rule", "family", "severity"]].drop_duplicates(
        "rule"
    )
    info = pd.concat([info, extra], ignore_index=True).set_index("rule")
    stats = result.rule_stats
    unit_cols = ["applicable", "passed", "violated", "not_evaluated", "exempted"]
    if not stats.empty and "rule" in stats.columns:
        units = stats.set_index("rule").reindex(info.index)
        for col in unit_cols:
            info[f"{col}_units"] = units[col] if col in units.columns else np.nan
    else:
        for col in unit_cols:
            info[f"{col}_units"] = np.nan
    for status in Status:
        sub = f[f["status"] == status.value].groupby("rule")
        info[f"{status.value}_findings"] = sub.size().reindex(info.index).fillna(0).astype("int64")
        info[f"{status.value}_households"] = (
            sub["household_id"].nunique().reindex(info.index).fillna(0).astype("int64")
        )
    return info


def member_names(result: AuditResult, f: pd.DataFrame) -> pd.Series:
    """The member's name for member-level findings ("" otherwise), by a merge on member_id."""
    members = result.registry.members
    if "member_id" not in members.columns or "name" not in members.columns:
        return pd.Series("", index=f.index, dtype="object")
    names = members[["member_id", "name"]].drop_duplicates("member_id").set_index(
        "member_id")["name"]
    mid = f["member_id"].astype("string")
    looked = mid.map(names.astype("string"))
    return looked.fillna("").astype("object").set_axis(f.index)


def _join_per_key(text: pd.Series, keys: np.ndarray, n: int, sep: str) -> np.ndarray:
    """``sep``-joined texts per integer key 0..n-1 in row order ("" for keys without rows).

    A groupby sum of object strings runs in pandas' compiled code (about 4x faster than
    ``agg(sep.join)`` on 10^5 findings)."""
    out = np.full(n, "", dtype=object)
    if len(text):
        joined = (text.astype(object) + sep).groupby(keys).sum()
        out[joined.index.to_numpy()] = joined.str.slice(0, -len(sep)).to_numpy()
    return out


def _verdicts(result: AuditResult, f: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    households = result.registry.households
    members = result.registry.members
    cols = ["household_id", *AREA_KEYS, "head_name", "head_id_number", "poverty_status",
            "per_capita_net_income", "verdict", "failing", "at_risk", "data_error",
            "failed_codes", "reasons", "not_evaluated_codes", "exempted_codes"]
    f = f[f["household_id"].notna()]  # area-level findings (VIL/CTY) have no household
    if f.empty:
        return pd.DataFrame(columns=cols)
    # Integer household keys (hashed once); every per-household result is a numpy array.
    keys, uniques = pd.factorize(f["household_id"].to_numpy(dtype=object))
    ids = pd.Index(uniques, name="household_id", dtype=object)
    n = len(ids)
    f = f.assign(_h=keys, member_name=member_names(result, f))
    who = f["member_name"].where(f["member_name"] == "", "[" + f["member_name"] + "] ")
    f["reason"] = f["rule"] + " " + who + f["message"].astype("string").fillna("").astype(object)
    f["rank"] = f["severity"].map({s.value: s.rank for s in SEVERITY_ORDER}).fillna(99)
    ordered = f.sort_values(["_h", "rank", "rule"], kind="stable")
    by_status = {s: ordered[ordered["status"] == s.value] for s in Status}

    def codes(sub: pd.DataFrame) -> np.ndarray:
        sub = sub.drop_duplicates(["_h", "rule"])
        return _join_per_key(sub["rule"], sub["_h"].to_numpy(), n, ", ")

    viol = by_status[Status.VIOLATED]
    out = pd.DataFrame({"household_id": ids})
    out["failed_codes"] = codes(viol)
    out["reasons"] = _join_per_key(viol["reason"], viol["_h"].to_numpy(), n, "；")
    out["not_evaluated_codes"] = codes(by_status[Status.NOT_EVALUATED])
    out["exempted_codes"] = codes(by_status[Status.EXEMPTED])
    worst = viol.groupby("_h")["rank"].min()
    verdict = np.where(out["not_evaluated_codes"] != "", Status.NOT_EVALUATED.value,
                       Status.EXEMPTED.value).astype(object)
    rank_to_sev = {s.rank: s.value for s in SEVERITY_ORDER}
    verdict[worst.index.to_numpy()] = worst.map(rank_to_sev).to_numpy()
    out["verdict"] = verdict

    # Only the columns used are taken along (households has ~30, members ~50: reindexing or
    # filtering whole frames cost ~1.5 s of 3.5 at 10^6 members).
    hh = households[[c for c in (*AREA_KEYS, "poverty_status", "per_capita_net_income")
                     if c in households.columns]].reindex(ids)
    for key in (*AREA_KEYS, "poverty_status"):
        out[key] = _text_column(hh, key).to_numpy()
    out["per_capita_net_income"] = (
        pd.to_numeric(hh["per_capita_net_income"], errors="coerce").to_numpy(dtype="float64",
                                                                            na_value=np.nan)
        if "per_capita_net_income" in hh.columns else np.nan
    )
    fl = flags.reindex(ids)
    for col in ("failing", "at_risk", "data_error"):
        out[col] = fl[col].astype("boolean").fillna(False).to_numpy(dtype=bool)

    if "relation" in members.columns:
        wanted = [c for c in ("household_id", "name", "id_number") if c in members.columns]
        is_head = (members["relation"].astype("string") == "户主").fillna(False)
        heads = members.loc[is_head.to_numpy(dtype=bool), wanted].drop_duplicates(
            "household_id"
        ).set_index("household_id")
    else:
        heads = members.iloc[0:0].set_index("household_id")
    head_rows = heads.reindex(ids)
    for src, dst in (("name", "head_name"), ("id_number", "head_id_number")):
        out[dst] = (head_rows[src].astype("string").fillna("").to_numpy(dtype=object)
                    if src in head_rows.columns else "")
    return out.sort_values(["county", "township", "village", "household_id"],
                           kind="stable").reset_index(drop=True)[cols]


def _income_bands(result: AuditResult) -> tuple[pd.DataFrame, float | None]:
    line = next((p.value for p in result.params if p.name == EXIT_LINE_PARAM), None)
    households = result.registry.households
    if not isinstance(line, (int, float)) or isinstance(line, bool) or line <= 0:
        return pd.DataFrame(columns=["lower", "upper", "households"]), None
    income = (
        pd.to_numeric(households["per_capita_net_income"], errors="coerce")
        if "per_capita_net_income" in households.columns
        else pd.Series(np.nan, index=households.index)
    ).astype("float64")
    edges = [-np.inf, *(line * k for k in INCOME_BAND_EDGES), np.inf]
    bands = pd.cut(income, edges, right=True)
    counts = bands.value_counts(sort=False).to_numpy()
    lower = [np.nan, *(line * k for k in INCOME_BAND_EDGES)]
    upper = [*(line * k for k in INCOME_BAND_EDGES), np.nan]
    table = pd.DataFrame({"lower": lower, "upper": upper, "households": counts})
    missing = pd.DataFrame(
        {"lower": [np.nan], "upper": [np.nan], "households": [int(income.isna().sum())]},
        index=["missing"],
    )
    table.index = [f"band{i}" for i in range(len(table))]
    return pd.concat([table, missing]).astype({"households": "int64"}), float(line)


def _accounting(result: AuditResult, lang: str) -> tuple[list[InputAccounting], list[str]]:
    accounts = [
        InputAccounting(
            path=Path(inp.path), sheet=inp.sheet, reader=inp.reader, encoding=inp.encoding,
            rows_read=int(inp.rows_read), member_rows=int(inp.member_rows),
            skipped={str(k): int(v) for k, v in inp.skipped.items()},
            table=inp.role, units=inp.units,
        )
        for inp in result.registry.inputs
    ]
    notes = [
        AGG_MSG("unreconciled", lang, file=acc.path.name, sheet=acc.sheet,
                read=acc.rows_read, units=acc.units, skipped=acc.skipped_total)
        for acc in accounts
        if not acc.reconciled
    ]
    total = sum(acc.member_rows for acc in accounts)
    if accounts and total != result.registry.n_members:
        notes.append(AGG_MSG("members_mismatch", lang, total=total,
                             members=result.registry.n_members))
    return accounts, notes


def summarize(result: AuditResult, *, fail_on: str, allow_incomplete: bool = False,
              lang: str = "zh") -> Summary:
    """Count, share and judge everything in ``result`` (see the module docstring for policy)."""
    check_fail_on(fail_on)
    households = result.registry.households
    f = findings_frame(result)
    populations = result.populations
    if populations is None:  # an AuditResult built without evaluate()
        from exitcheck.engine.populations import population_table

        populations = population_table(result.registry, result.as_of)
    flags = _household_flags(households, f, populations)
    families = _family_table(result, f, len(households))
    rules = _rule_table(result, f)
    top = rules[rules["violated_households"] > 0].sort_values(
        ["violated_households", "violated_findings"], ascending=False, kind="stable"
    ).head(TOP_RULES)
    status = _text_column(households, "poverty_status")
    by_poverty = {str(k): int(v) for k, v in status.value_counts(sort=True).items()}
    bands, line = _income_bands(result)
    accounts, acc_notes = _accounting(result, lang)
    not_eval = f[f["status"] == Status.NOT_EVALUATED.value]
    blocking = blocking_mask(f, fail_on)
    incomplete = incomplete_families(families)
    from exitcheck.report.messages import family_label

    sep = ", " if lang == "en" else "、"
    names = sep.join(f"{family_label(fam, lang)}（{fam}）" if lang != "en"
                     else f"{family_label(fam, lang)} ({fam})" for fam in incomplete)
    inc_notes = ([AGG_MSG("incomplete_allowed" if allow_incomplete else "incomplete", lang,
                          families=names)] if incomplete else [])
    return Summary(
        fail_on=fail_on,
        exit_code=exit_code_for(f, fail_on, [] if allow_incomplete else incomplete),
        blocking_findings=int(blocking.sum()),
        blocking_rules=int(f.loc[blocking, "rule"].nunique()),
        incomplete_families=incomplete,
        households=len(households),
        members=result.registry.n_members,
        by_poverty_status=by_poverty,
        by_population={str(k): int(v) for k, v in populations.sum().items()},
        families=families,
        by_severity=_severity_table(f),
        by_status={s.value: int((f["status"] == s.value).sum()) for s in Status},
        rules=rules,
        top_rules=top,
        townships=_area_table(households, flags, ["county", "township"]),
        villages=_area_table(households, flags, list(AREA_KEYS)),
        verdicts=_verdicts(result, f, flags),
        income_bands=bands,
        exit_income_line=line,
        inputs=accounts,
        not_evaluated_findings=len(not_eval),
        not_evaluated_households=int(not_eval["household_id"].nunique()),
        notes=[*inc_notes, *result.notes, *acc_notes],
    )
