"""Atomic output files: write to a temp file in the target folder, then os.replace it into place.

Every report writer goes through :func:`atomic_output`, so an interrupted run never leaves a
half-written workbook where the previous good one was, and an output path that is one of the
inputs is refused before anything is written (issue `exitcheck audit`, item 3).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from exitcheck.errors import UsageError
from exitcheck.report.messages import MSG


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the resolved paths
        return a.resolve() == b.resolve()


def refuse_input_paths(outputs: Iterable[Path | str], inputs: Iterable[Path | str]) -> None:
    """Raise UsageError when an output path is (the same file as) an input path."""
    input_paths = [Path(p) for p in inputs]
    for out in outputs:
        out_path = Path(out)
        for inp in input_paths:
            if _same_file(out_path, inp):
                zh, en = MSG.both("output_is_input", path=out_path)
                raise UsageError(zh, message_en=en, location=str(out_path))


def refuse_existing_outputs(outputs: Iterable[Path | str], *, force: bool,
                            created: Path | None = None) -> None:
    """Raise UsageError (exit 2) for an output whose folder does not exist, or that already
    exists, unless ``force``: a report is never replaced silently (issue 11, part 7). Checked
    before any work (an audit of 10^6 members is not run only to fail at its first write).
    ``created``: a folder the run makes itself (a batch's --out-dir)."""
    for out in outputs:
        path = Path(out)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir() and not (created is not None and folder == Path(created)):
            zh, en = MSG.both("output_dir_missing", path=folder)
            raise UsageError(zh, message_en=en, location=str(path))
        if path.exists() and not force:
            zh, en = MSG.both("output_exists", path=path)
            raise UsageError(zh, message_en=en, location=str(path))


@contextlib.contextmanager
def atomic_output(path: Path | str, *, inputs: Iterable[Path | str] = ()) -> Iterator[Path]:
    """Yield a temp path next to ``path``; on success it replaces ``path``, on error it is removed.

    ``inputs`` are the audited files: writing over one of them is a UsageError.
    """
    target = Path(path)
    refuse_input_paths([target], inputs)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        zh, en = MSG.both("output_dir_missing", path=folder)
        raise UsageError(zh, message_en=en, location=str(target))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600; give the report the permissions a normal new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text_atomic(path: Path | str, text: str, *, inputs: Iterable[Path | str] = ()) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_output(path, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")
