"""Run `exitcheck` on a hostile input and check every promise the tool makes about it.

Shared by the fast adversarial tests (tests/adversarial/) and the long run
(benchmarks/fuzz_hostile.py). Two ways to run a case:

* ``run_forked``: a child forked from a process that already imported (and warmed up) exitcheck,
  with an address-space limit (``resource.setrlimit`` in the child) and a timeout; the child calls
  the console script's ``main()`` exactly as the installed command does. Thousands of cases an
  hour instead of one every few seconds (importing pandas & co. dominates a fresh process).
* ``run_installed``: the installed command in a subprocess (a few cases, as a user runs it).

``check`` then asserts, for one run: a documented exit code, no traceback, an error message
naming the file, inputs unchanged (sha256), no partial output (temp files or outputs of a run
that failed), no input identifier unmasked in any output (stdout, stderr, workbook cells, sheet
names, JSON, JUnit), no formula cell in the workbook, and no terminal control character in
stdout/stderr.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4, 5}  # docs/exit-codes.md (5: incomplete audit)
OUTPUT_NAMES = ("out.xlsx", "out.json", "out.xml")


@dataclass
class Outcome:
    code: int | None  # None: killed (timeout or signal)
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    timed_out: bool = False
    signal: int | None = None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audit_args(inputs: list[Path], outdir: Path, extra: list[str] | None = None) -> list[str]:
    return ["audit", *map(str, inputs), "-o", str(outdir / OUTPUT_NAMES[0]),
            "--json", str(outdir / OUTPUT_NAMES[1]), "--junit", str(outdir / OUTPUT_NAMES[2]),
            "--force", *(extra or [])]  # the warm-up run wrote there first


def _env() -> dict[str, str]:
    return {"NO_COLOR": "1", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8", "TERM": "dumb"}


def run_installed(args: list[str], cwd: Path, timeout: float = 120) -> Outcome:
    script = Path(sys.executable).parent / "exitcheck"
    start = time.monotonic()
    try:
        proc = subprocess.run([str(script), *args], capture_output=True, cwd=cwd,
                              env={**os.environ, **_env()}, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return Outcome(None, _text(exc.stdout), _text(exc.stderr), timeout, timed_out=True)
    return Outcome(proc.returncode, _text(proc.stdout), _text(proc.stderr),
                   time.monotonic() - start)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def _cache_rule_files() -> None:
    """Parse the shipped rule and parameter files once for all forked children (ruamel YAML
    costs ~1 s a run; the cases are about inputs, not rule files). Harness only."""
    from exitcheck.engine import params, ruleset

    for module, name in ((ruleset, "load_ruleset"), (params, "load_params")):
        original = getattr(module, name)
        if getattr(original, "_harness_cached", False):
            continue
        cache: dict[object, object] = {}

        def cached(paths=None, *args, _original=original, _cache=cache, **kwargs):
            key = (tuple(map(str, paths or [])), args,
                   tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
            if key not in _cache:
                _cache[key] = _original(paths, *args, **kwargs)
            return _cache[key]

        cached._harness_cached = True  # type: ignore[attr-defined]
        setattr(module, name, cached)


def warm_up(workdir: Path) -> None:
    """Import everything an audit needs and run one, so forked children start warm."""
    from exitcheck.cli import app  # noqa: F401  (registers every command)

    _cache_rule_files()

    import contextlib
    import io

    from exitcheck.cli.app import main

    sample = Path(__file__).resolve().parents[2] / "sample_data" / "county_2019.csv"
    workdir.mkdir(parents=True, exist_ok=True)
    argv = sys.argv
    sys.argv = ["exitcheck", *audit_args([sample], workdir)]
    try:  # in this process: the caches filled here are what the forked children inherit
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main()
    except SystemExit:
        pass
    finally:
        sys.argv = argv


def run_forked(args: list[str], cwd: Path, *, timeout: float = 60,
               mem_limit_mb: int = 3072) -> Outcome:
    """Run ``exitcheck ARGS`` in a forked child (see the module docstring)."""
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 70
        try:
            os.chdir(cwd)
            if mem_limit_mb:
                limit = mem_limit_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            os.environ.update(_env())
            from exitcheck.cli.app import main

            sys.argv = ["exitcheck", *args]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 99
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = start + timeout
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(0.005)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    sig = -code if code < 0 else None
    return Outcome(None if sig else code, _read(out_path), _read(err_path), seconds,
                   peak_rss_mb=usage.ru_maxrss / 1024, timed_out=timed_out, signal=sig,
                   cpu_seconds=usage.ru_utime + usage.ru_stime)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


@dataclass
class Check:
    failures: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def fail(self, kind: str, detail: str = "") -> None:
        if kind not in self.failures:
            self.failures.append(kind)
            self.details.append(f"{kind}: {detail}"[:400])

    @property
    def ok(self) -> bool:
        return not self.failures


def check(outcome: Outcome, inputs: list[Path], hashes: dict[Path, str], outdir: Path, *,
          identifiers: tuple[str, ...] = (), expect: set[int] | None = None) -> Check:
    """Every promise for one run (module docstring); ``expect`` narrows the exit codes."""
    result = Check()
    if outcome.timed_out:
        result.fail("timeout", f"{outcome.seconds:.0f} s")
    elif outcome.code is None:
        result.fail("killed", f"signal {outcome.signal} (memory limit?)")
    elif outcome.code == 70:
        result.fail("internal_error", outcome.stderr[-300:])
    elif outcome.code not in DOCUMENTED_EXIT_CODES:
        result.fail("undocumented_exit", f"exit {outcome.code}: {outcome.stderr[-300:]}")
    elif expect is not None and outcome.code not in expect:
        result.fail("unexpected_exit", f"exit {outcome.code} not in {sorted(expect)}: "
                    f"{outcome.stderr[-300:]}")
    if "Traceback (most recent call last)" in outcome.stderr:
        result.fail("traceback", outcome.stderr[-300:])
    if "\x1b" in outcome.stdout or "\x1b" in outcome.stderr:
        result.fail("control_chars", "ESC in terminal output")
    if outcome.code == 3 and not any(p.name in outcome.stderr or _masked_name(p) in
                                     outcome.stderr for p in inputs):
        result.fail("message_without_file", outcome.stderr[-300:])
    for path, digest in hashes.items():
        if not path.exists() or sha256(path) != digest:
            result.fail("input_changed", str(path))
    leftovers = [p.name for p in outdir.iterdir() if p.name.endswith(".tmp")]
    if leftovers:
        result.fail("partial_output", ", ".join(leftovers))
    written = [outdir / n for n in OUTPUT_NAMES if (outdir / n).exists()]
    if outcome.code not in (0, 1) and written:
        result.fail("partial_output", "outputs of a failed run: " + ", ".join(map(str, written)))
    texts = {"stdout": outcome.stdout, "stderr": outcome.stderr}
    texts.update(read_outputs(outdir, result))
    for ident in identifiers:
        for where, text in texts.items():
            if ident in text:
                result.fail("unmasked_id", f"{ident} in {where}")
                break
    return result


def _masked_name(path: Path) -> str:
    from exitcheck.report.mask import inert

    return inert(path.name)


def read_outputs(outdir: Path, result: Check) -> dict[str, str]:
    """Every text of the outputs written: workbook cells and sheet names, JSON, JUnit XML."""
    texts: dict[str, str] = {}
    book = outdir / OUTPUT_NAMES[0]
    if book.exists():
        texts["workbook"] = _workbook_text(book, result)
    report = outdir / OUTPUT_NAMES[1]
    if report.exists():
        raw = report.read_text(encoding="utf-8")
        try:
            json.loads(raw)
        except ValueError as exc:
            result.fail("bad_json", str(exc))
        texts["json"] = raw
    junit = outdir / OUTPUT_NAMES[2]
    if junit.exists():
        import xml.etree.ElementTree as ET

        raw = junit.read_text(encoding="utf-8")
        try:
            ET.fromstring(raw.encode("utf-8"))
        except ET.ParseError as exc:
            result.fail("bad_junit", str(exc))
        texts["junit"] = raw
    return texts


def _workbook_text(path: Path, result: Check) -> str:
    """All cell texts and sheet names (openpyxl); a formula cell is a failure."""
    import openpyxl

    parts: list[str] = []
    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        result.fail("bad_workbook", str(exc))
        return ""
    try:
        for ws in book.worksheets:
            parts.append(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        result.fail("formula", f"{ws.title}!{cell.coordinate}: {cell.value}")
                    if cell.value is not None:
                        parts.append(str(cell.value))
    finally:
        book.close()
    return "\n".join(parts)
