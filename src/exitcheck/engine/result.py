"""What the evaluate stage hands to aggregate/report: applied rules, parameters used, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from exitcheck.schema.model import Registry


@dataclass(frozen=True)
class RuleInfo:
    """The parts of a rule that reports show (規則说明 sheet, JUnit test cases, JSON)."""

    code: str  # e.g. "INC001"
    name: str  # stable dotted name, e.g. "income.above_exit_line"
    family: str  # Family value
    severity: str  # Severity value
    level: str  # "household" | "member"
    title: str
    title_en: str
    reference: str  # policy source
    params: tuple[str, ...]  # parameter names it reads
    source: str  # rule file it came from (path as given, or "shipped:<file>")


@dataclass(frozen=True)
class ParamValue:
    """A parameter value as resolved for this run, with where it came from."""

    name: str  # e.g. "exit_income_line"
    title: str
    title_en: str
    value: object  # number, list of strings, ...
    unit: str | None
    effective_from: date
    region: str | None  # 2-digit province code the value is for; None = national value
    source: str  # the policy document / note
    verified: bool
    note: str | None = None  # e.g. "no value for 四川 2019: national value used"


PARAMS_MISSING = "params_missing"
FIELDS_ABSENT = "fields_absent"
# The member table has one row per household (schema/dataset.py single_row_households): a rule
# about members would pass on the heads alone.
MEMBERS_MISSING = "members_missing"


@dataclass(frozen=True)
class RuleNotRun:
    """A selected rule that was not run, and why; nothing it would have decided counts as passed.

    ``params_missing``: a parameter it reads has no value in force for the audited year (the
    monitoring line before 2020). ``fields_absent``: fields it needs are not columns of the input
    at all (a 2019 export has no 合规自付支出), so it could not be decided for any unit; reported
    once for the rule instead of once per household.
    """

    rule: RuleInfo
    reason: str  # PARAMS_MISSING | FIELDS_ABSENT | MEMBERS_MISSING
    names: tuple[str, ...]  # the parameters without a value, or the absent fields
    labels: tuple[str, ...]  # the same names as reports show them (field labels)
    units: int = 0  # fields_absent: households/members the rule would have applied to

    @property
    def code(self) -> str:
        return self.rule.code


@dataclass
class AuditResult:
    """Everything one audit produced; report/ renders it, aggregate/ summarises it."""

    registry: Registry
    rules: list[RuleInfo]
    params: list[ParamValue]
    # One row per (rule, household[, member]) that did not pass: findings.FINDING_COLUMNS
    findings: pd.DataFrame
    # One row per applied rule: rule, applicable (units the `when` selected), passed, violated,
    # not_evaluated, exempted. Units are households or members by the rule's level.
    # passed + violated + not_evaluated + exempted == applicable for every rule.
    rule_stats: pd.DataFrame
    year: int
    as_of: date
    region: str | None  # 2-digit province code
    region_name: str | None  # e.g. "四川省"
    region_origin: str  # "option" | "inferred" (from ID/area codes) | "none"
    notes: list[str] = field(default_factory=list)  # e.g. expired exemptions, inferred year
    # Selected rules that were not run (not in ``rules`` or ``rule_stats``), with the reason.
    not_run: list[RuleNotRun] = field(default_factory=list)
    # Household-level populations (rules/populations.yaml) evaluated once: one boolean column
    # per population (exited, monitored ...), index = households. The aggregate stage counts
    # these, so 按村统计 agrees with the rules' pop.NAME.
    populations: pd.DataFrame | None = None
    # Unrecognised headers that almost name a field a rule needed (schema/nearmiss.py): the
    # `--columns` lines to add, each also a note. The CLI repeats them on stderr.
    column_hints: list[str] = field(default_factory=list)
