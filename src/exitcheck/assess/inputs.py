"""Load the registry the way `exitcheck audit` does (same options, same pipeline)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from exitcheck.engine.params import ParamStore
from exitcheck.engine.result import AuditResult


def run_pipeline(files: Sequence[Path], *, year: int | None, region: str | None,
                 as_of: date | None, sheet: str | None, encoding: str | None,
                 columns: Path | None, rules: Sequence[Path], params: Sequence[Path],
                 lang: str) -> tuple[AuditResult, ParamStore]:
    """Run the audit pipeline (populations, failing and at-risk households) and load the
    parameters with the same overrides."""
    from exitcheck.engine.params import load_params
    from exitcheck.pipeline import AuditOptions, run_audit

    options = AuditOptions(paths=list(files), year=year, region=region, as_of=as_of,
                           sheet=sheet, encoding=encoding, columns=columns, rules=list(rules),
                           params=list(params), lang=lang)
    result = run_audit(options)
    return result, load_params(list(params))
