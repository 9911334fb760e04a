"""The audit pipeline end to end: load -> age at as-of -> rules + parameters -> evaluate.

No terminal output and no clock here: the CLI passes every choice in, so library users (and the
batch/Dask runners) get exactly what the command does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from exitcheck.engine.result import AuditResult
from exitcheck.scope import resolve_scope

if TYPE_CHECKING:
    from exitcheck.engine.exemptions import ExemptionList
    from exitcheck.engine.params import ParamStore
    from exitcheck.engine.ruleset import RuleSet
    from exitcheck.schema.model import Registry


@dataclass
class AuditOptions:
    paths: Sequence[Path]
    year: int | None = None
    region: str | None = None
    as_of: date | None = None
    sheet: str | None = None
    encoding: str | None = None
    columns: Path | None = None
    rules: Sequence[Path] = ()
    params: Sequence[Path] = ()
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    exemptions: Path | None = None
    lang: str = "zh"
    notes: list[str] = field(default_factory=list)


@dataclass
class Definitions:
    """The rule set (selected), parameters and exemptions of a run: loaded once and shared by
    every unit a batch audits in one process (exitcheck/batch/runner.py)."""

    ruleset: RuleSet
    params: ParamStore
    exemptions: ExemptionList | None


def load_definitions(options: AuditOptions) -> Definitions:
    """Read and compile the rule, parameter and exemption files the options name."""
    from exitcheck.engine.exemptions import load_exemptions
    from exitcheck.engine.params import load_params
    from exitcheck.engine.ruleset import load_ruleset

    ruleset = load_ruleset(list(options.rules)).select(list(options.select), list(options.ignore))
    params = load_params(list(options.params))
    exemptions = load_exemptions(options.exemptions) if options.exemptions else None
    return Definitions(ruleset, params, exemptions)


def run_audit(
    options: AuditOptions,
    *,
    progress: Callable[[str], None] | None = None,
    definitions: Definitions | None = None,
) -> AuditResult:
    """Load the inputs, resolve year/region/as-of and parameters, and evaluate every rule.

    ``progress`` hears the phase names "rules", "load", then "evaluate i/n" per rule.
    ``definitions``: rule files already loaded (a batch loads them once per process); the
    registry is then loaded in this thread.
    """
    from exitcheck.schema.loader import load_registry

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    # The workbook parse (python-calamine, most of the load) runs without the GIL: start the load
    # in a thread and read the rule and parameter files meanwhile (docs/PERFORMANCE.md).
    step("rules")
    from exitcheck.inputs import expand_inputs

    paths = expand_inputs(list(options.paths))  # a folder: the dataset's tables in it

    def load() -> Registry:
        return load_registry(paths, sheet=options.sheet, encoding=options.encoding,
                             columns=options.columns)

    loading = _Background(load) if definitions is None else None
    from exitcheck.engine.evaluate import evaluate
    from exitcheck.memory import release_unused
    from exitcheck.schema.derive import add_age

    # A broken rule file still fails first (the load's own error, if any, is not waited for).
    defs = definitions or load_definitions(options)
    ruleset, params, exemptions = defs.ruleset, defs.params, defs.exemptions

    step("load")
    registry = loading.result() if loading is not None else load()
    scope = resolve_scope(registry, year=options.year, region=options.region,
                          as_of=options.as_of, lang=options.lang)
    registry = add_age(registry, scope.as_of)
    release_unused()  # the load's transient Arrow buffers (~0.8 GiB at 10^6 members)

    result = evaluate(
        registry, ruleset, params, year=scope.year, region=scope.region,
        region_name=scope.region_name, region_origin=scope.region_origin, as_of=scope.as_of,
        lang=options.lang, exemptions=exemptions,
        progress=lambda done, total: step(f"evaluate {done}/{total}"),
    )
    result.notes[:0] = [*options.notes, *scope.notes]
    _near_miss_headers(result, options.lang)
    release_unused()
    return result


def _near_miss_headers(result: AuditResult, lang: str) -> None:
    """Name each unrecognised header that almost matches a field a rule lacked, with the
    `--columns` line that maps it (issue 11, part 4: no quiet pass)."""
    from exitcheck.engine.result import FIELDS_ABSENT
    from exitcheck.schema.catalogue import load_catalogue
    from exitcheck.schema.nearmiss import column_hints

    needed: dict[str, list[str]] = {}
    for item in result.not_run:
        if item.reason == FIELDS_ABSENT:
            for name in item.names:
                needed.setdefault(name, []).append(item.code)
    if not needed:
        return
    hints = column_hints(result.registry.inputs, needed, load_catalogue())
    result.notes.extend(h.message(lang) for h in hints)
    result.column_hints = [h.message(lang) for h in hints]


class _Background:
    """Run ``fn`` in a daemon thread; ``result()`` waits and returns its value or re-raises.

    Daemon: when the main thread fails first (a bad rule file), the process exits without
    waiting for the load.
    """

    def __init__(self, fn: Callable[[], Registry]) -> None:
        self._value: Registry | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True,
                                        name="exitcheck-load")
        self._thread.start()

    def _run(self, fn: Callable[[], Registry]) -> None:
        try:
            self._value = fn()
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> Registry:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value
