"""The audit's progress display on stderr: a spinner while reading, a bar over the rules.

Shown only on an interactive terminal and never with ``--format json`` or ``--quiet`` (the caller
decides), so stdout stays clean for pipes and CI logs stay free of control codes.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        "rules": ("读取规则与数据", "reading rules and data"),
        "load": ("读取数据", "reading data"),
        "evaluate": ("核查规则", "checking rules"),
        "write": ("写出报告", "writing reports"),
    }
)


class AuditProgress:
    """Hears pipeline phases ("rules", "load", "evaluate i/n", "write") and shows them."""

    def __init__(self, console: Console, lang: str) -> None:
        self.lang = lang
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(), console=console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.phase = ""

    def __enter__(self) -> AuditProgress:
        self.progress.__enter__()
        self("rules")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.__exit__(exc_type, exc, tb)

    def __call__(self, phase: str) -> None:
        name, _, count = phase.partition(" ")
        if name != self.phase:  # a new phase: a new line (bar, count and clock start over)
            if self.task is not None:
                self.progress.remove_task(self.task)
            label = MSG(name, self.lang) if name in MSG.entries else name
            self.task = self.progress.add_task(label, total=None, count="")
            self.phase = name
        if "/" in count:
            assert self.task is not None
            done, total = (int(x) for x in count.split("/"))
            self.progress.update(self.task, completed=done, total=total, count=count)
