"""The finding contract shared by engine, aggregate and report: columns, severities, statuses."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd


class Severity(StrEnum):
    """Ordered from most to least serious; ``--fail-on`` compares with this order."""

    FAIL = "fail"  # exit criterion not met
    RISK = "risk"  # return-to-poverty risk
    ERROR = "error"  # data-quality error
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.FAIL,
    Severity.RISK,
    Severity.ERROR,
    Severity.WARNING,
)


class Status(StrEnum):
    VIOLATED = "violated"
    NOT_EVALUATED = "not_evaluated"  # an input it needs is missing: never counted as passed
    EXEMPTED = "exempted"  # matched an unexpired exemption: still listed


class Family(StrEnum):
    INC = "INC"  # 一超过 income
    FOOD = "FOOD"  # 两不愁
    EDU = "EDU"  # 义务教育
    MED = "MED"  # 基本医疗
    HOU = "HOU"  # 住房安全
    WAT = "WAT"  # 饮水安全
    RISK = "RISK"  # 防返贫监测
    DQ = "DQ"  # data quality
    VIL = "VIL"  # village exit
    CTY = "CTY"  # county exit


# One row per (rule, household[, member]) that did not pass.
#   rule          rule code, e.g. "INC001"
#   family        Family value (code prefix)
#   severity      Severity value
#   status        Status value
#   household_id  str
#   member_id     str or <NA> for household-level findings
#   location      source cell, e.g. "贫困人口明细!H17" (file name prefixed when several inputs)
#   message       rendered message in the run's language
#   values        dict: the inputs (canonical field name -> value) and params that decided it
FINDING_COLUMNS: tuple[str, ...] = (
    "rule",
    "family",
    "severity",
    "status",
    "household_id",
    "member_id",
    "location",
    "message",
    "values",
)


def empty_findings() -> pd.DataFrame:
    """A findings frame with the contract's columns and no rows."""
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in FINDING_COLUMNS})
