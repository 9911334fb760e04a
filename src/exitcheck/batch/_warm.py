"""Imported by the forkserver of a batch's process pool: imports what an audit needs and parses
the rule files once, so every forked worker starts warm (batch/runner.py run_local)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import exitcheck.aggregate
import exitcheck.batch.findings_file
import exitcheck.report.excel
import exitcheck.schema.loader  # noqa: F401
from exitcheck.batch.runner import definitions_for
from exitcheck.pipeline import AuditOptions

_spec = os.environ.get("EXITCHECK_WARM")
if _spec:
    # A broken rule file is reported by the parent, which loaded the same files first.
    with contextlib.suppress(Exception):
        _opts = json.loads(_spec)
        definitions_for(AuditOptions(
            paths=[], rules=[Path(p) for p in _opts["rules"]],
            params=[Path(p) for p in _opts["params"]], select=_opts["select"],
            ignore=_opts["ignore"],
            exemptions=Path(_opts["exemptions"]) if _opts["exemptions"] else None))
