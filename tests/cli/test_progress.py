"""The audit's progress display: one line per phase, a counted bar over the rules."""

from __future__ import annotations

import io
import re

from rich.console import Console

from exitcheck.cli.progress import AuditProgress


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_phases_and_rule_count_are_shown_then_cleared() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with AuditProgress(console, "zh") as shown:
        shown("load")
        shown("evaluate 7/43")
        state = [(t.description, t.completed, t.total, t.fields["count"])
                 for t in shown.progress.tasks]
        assert state == [("核查规则", 7, 43, "7/43")]  # one line: the earlier phase is gone
        shown.progress.refresh()
        shown("write")
        assert [t.description for t in shown.progress.tasks] == ["写出报告"]
        assert shown.progress.tasks[0].total is None  # no count for a phase of unknown length
    text = _plain(out.getvalue())
    assert "核查规则" in text and "7/43" in text
    en = AuditProgress(Console(file=io.StringIO(), force_terminal=True), "en")
    with en as shown:
        shown("evaluate 1/2")
        assert shown.progress.tasks[0].description == "checking rules"
