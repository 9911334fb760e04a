"""The income line the generator shapes incomes around: resolved from rules/params like an audit."""

from __future__ import annotations

# The parameter each export style's income line comes from (docs/policy.md §2).
LINE_PARAM = {"national": "exit_income_line", "monitoring": "monitoring_income_line"}


def income_line(style: str, year: int, province: str) -> float:
    """The line for (style, year, province), exactly as the audit resolves it."""
    from exitcheck.engine.params import load_params

    return float(load_params().resolve(LINE_PARAM[style], year, province).value)
