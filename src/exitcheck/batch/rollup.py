"""The roll-up of a batch: every unit's verdict and counts, the overlaps, the overall exit code.

Built from the units' aggregates only (batch/runner.py UnitOutcome), never from their findings:
the findings stay in the findings parts/file (batch/findings_file.py).

Exit status of a batch (docs/batch.md, docs/exit-codes.md): the largest of the units' exit
codes and of the overlap findings' (DQ120 counts like any finding against --fail-on). So 0 only
when every unit is 0; 3 when a unit could not be read, even if the others passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from exitcheck.batch.messages import MSG
from exitcheck.batch.runner import UnitOutcome

ROLLUP_STEM = "汇总_核查结果"  # the roll-up's own name: *_核查结果* is recognised as a result
FINDINGS_STEM = "汇总_核查结果_明细"


@dataclass
class Rollup:
    outcomes: list[UnitOutcome]
    overlaps: pd.DataFrame  # DQ120 findings: FINDING_COLUMNS + unit
    fail_on: str
    exit_code: int
    notes: list[str] = field(default_factory=list)
    findings_file: Path | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    unit_workbooks: int = 0
    runner: str = ""  # "jobs 2 (...)" / "dask tcp://..." for the report

    @property
    def findings_total(self) -> int:
        return sum(o.findings for o in self.outcomes) + len(self.overlaps)

    @property
    def households(self) -> int:
        return sum(o.households for o in self.outcomes)

    @property
    def members(self) -> int:
        return sum(o.members for o in self.outcomes)

    @property
    def reconciled(self) -> bool:
        return all(o.reconciled for o in self.outcomes if o.error is None)

    @property
    def parts(self) -> list[str]:
        return [o.part for o in self.outcomes if o.part]


def build_rollup(outcomes: list[UnitOutcome], overlaps: pd.DataFrame, fail_on: str,
                 notes: list[str]) -> Rollup:
    from exitcheck.aggregate import exit_code_for

    codes = [o.exit_code for o in outcomes]
    if len(overlaps):
        codes.append(int(exit_code_for(overlaps, fail_on)))
    return Rollup(sorted(outcomes, key=lambda o: o.index), overlaps, fail_on,
                  max(codes, default=0), list(notes))


def status_text(o: UnitOutcome, lang: str) -> str:
    if o.error is not None:
        return MSG("status.error", lang, error=(o.error_en if lang == "en" else o.error) or "")
    return MSG("status.1" if o.exit_code else "status.0", lang)


UNIT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (key, header message, kind: text/int)
    ("unit", "col.unit", "text"), ("counties", "col.counties", "text"),
    ("rows_read", "col.rows_read", "int"), ("rows_units", "col.rows_units", "int"),
    ("rows_skipped", "col.rows_skipped", "int"), ("households", "col.households", "int"),
    ("members", "col.members", "int"), ("failing", "col.failing", "int"),
    ("at_risk", "col.at_risk", "int"), ("data_errors", "col.data_errors", "int"),
    ("not_evaluated", "col.not_evaluated", "int"),
    ("rules_not_run", "col.rules_not_run", "int"), ("findings", "col.findings", "int"),
    ("exit_code", "col.exit_code", "int"), ("status", "col.status", "text"),
)


def units_frame(rollup: Rollup, lang: str, *, total: bool = True) -> pd.DataFrame:
    """One row per unit (+ a 合计 row): the roll-up table of the terminal, 汇总 and JSON."""
    sep = "、" if lang != "en" else ", "
    rows: list[dict[str, Any]] = [
        {"unit": o.label, "counties": sep.join(o.counties), "rows_read": o.rows_read,
         "rows_units": o.rows_units, "rows_skipped": o.rows_skipped,
         "households": o.households, "members": o.members, "failing": o.failing,
         "at_risk": o.at_risk, "data_errors": o.data_errors, "not_evaluated": o.not_evaluated,
         "rules_not_run": len(o.rules_not_run), "findings": o.findings,
         "exit_code": o.exit_code, "status": status_text(o, lang)}
        for o in rollup.outcomes
    ]
    frame = pd.DataFrame(rows, columns=[k for k, _, _ in UNIT_COLUMNS])
    if total and len(frame):
        sums = {k: int(frame[k].sum()) for k, _, kind in UNIT_COLUMNS
                if kind == "int" and k not in ("exit_code", "rules_not_run")}
        sums["findings"] = rollup.findings_total  # with the overlap findings
        frame.loc[len(frame)] = {**{k: None for k in frame.columns}, **sums,
                                 "unit": MSG("total", lang), "exit_code": rollup.exit_code}
    return frame


def skipped_note(paths: list[Path], lang: str) -> str:
    names = [p.name for p in paths[:5]]
    text = ("、" if lang != "en" else ", ").join(names)
    if len(paths) > 5:
        text += MSG("skipped_more", lang, n=len(paths))
    return MSG("skipped_results", lang, names=text)
