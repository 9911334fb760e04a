"""Read limits: what a file may cost, checked before a reader is let loose on it (issue 12).

A reader's memory must follow the real data, not what the file declares. python-calamine builds
a dense grid from the top-left to the bottom-right used cell, so one cell at XFD1048576 asks
for 17 billion cells (and a failed allocation in Rust aborts the process: nothing to catch).
So, before any parse:

* zip containers (xlsx, ods): members, declared uncompressed size and its ratio to the
  compressed size (zip bombs) from the central directory;
* xlsx: each worksheet's XML is streamed (decompressed in chunks, never more than the zip
  limits allow) and its cell references read: columns, the used range against the number of
  cells (a far cell), and the longest text (shared strings and inline strings);
* xls and ods: the sheets are opened once in a forked child under an address-space limit
  (``resource.setrlimit``): a damaged file that makes the reader allocate without bound kills
  the child, not the audit, and becomes an error (on systems without fork: no probe);
* csv: columns per line, the grid (lines x widest line) against the fields present, cell
  length, from the bytes (numpy);
* parquet: columns and cell length from the schema and the data (pyarrow kernels).

Every limit has a default (docs/input-files.md, "Limits") and an environment variable that
overrides it; breaking one is an InputError (exit 3) naming the file, sheet, the value found and
the limit. This module imports only the standard library at top level: io.prefetch runs its
xlsx check before pandas is imported.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exitcheck.errors import InputError
from exitcheck.io.messages import MSG


@dataclass(frozen=True)
class Limits:
    max_columns: int = 2_000  # a registry export has tens of columns, hundreds at most
    max_cells: int = 200_000_000  # grid cells of one sheet (rows x columns)
    sparse_min_cells: int = 2_000_000  # a grid this large must be filled ...
    sparse_ratio: int = 50  # ... to at least 1/50 (else a far cell or a lying dimension)
    max_sheets: int = 1_000
    max_zip_ratio: int = 200  # uncompressed / compressed (xlsx sheets are ~10, text ~20)
    max_uncompressed_mb: int = 8_192  # declared uncompressed size of a zip container
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_reader_mb: int = 4_096  # address space the xls/ods probe may add

    @classmethod
    def from_env(cls) -> Limits:
        values = {}
        for name, default in cls().__dict__.items():
            raw = os.environ.get(f"EXITCHECK_{name.upper()}")
            if raw is None:
                continue
            try:
                values[name] = max(1, int(raw.replace("_", "")))
            except ValueError:
                values[name] = default
        return cls(**values)


def env_name(limit: str) -> str:
    return f"EXITCHECK_{limit.upper()}"


def limit_error(path: Path, where: str | None, key: str, limit: str, value: int | str,
                allowed: int, **extra: object) -> InputError:
    """InputError for a broken limit; the message names the value, the limit and its override."""
    zh, en = MSG.both(key, value=value, limit=allowed, env=env_name(limit), **extra)
    location = f"{path} {where}" if where else str(path)
    return InputError(zh, message_en=en, location=location)


# ------------------------------------------------------------------ zip containers

def check_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open a zip container after checking its central directory against the limits."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            zlib.error) as exc:
        zh, en = MSG.both("corrupt", detail=f"zip: {str(exc)[:100]}")
        raise InputError(zh, message_en=en, location=str(path)) from None
    declared = sum(max(0, i.file_size) for i in infos)
    compressed = max(1, sum(max(0, i.compress_size) for i in infos))
    size = max(1, path.stat().st_size)
    if declared > limits.max_uncompressed_mb * 1024 * 1024:
        archive.close()
        raise limit_error(path, None, "limit_uncompressed", "max_uncompressed_mb",
                          declared // (1024 * 1024), limits.max_uncompressed_mb)
    ratio = declared // min(compressed, size)
    if ratio > limits.max_zip_ratio:
        archive.close()
        raise limit_error(path, None, "limit_zip_ratio", "max_zip_ratio", ratio,
                          limits.max_zip_ratio)
    return archive


# ------------------------------------------------------------------ xlsx

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"")
_SHEET_ANY = re.compile(rb"<(?:\w+:)?sheet\b")
_REL = re.compile(rb"<Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?\bTarget=\"([^\"]*)\"")
_REL_REVERSED = re.compile(rb"<Relationship\b[^>]*?\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\"")
# A cell and its reference (calamine places a cell by its r attribute).
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Za-z]*)(\d*)\"")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_LONG_TEXT = re.compile(rb">([^<]{%d,})<")
_CHUNK = 4 * 1024 * 1024
_MAX_COL = 16_384  # XFD
_MAX_ROW = 1_048_576


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


@dataclass
class _Extent:
    cells: int = 0
    min_row: int = 0
    max_row: int = 0
    min_col: int = 0
    max_col: int = 0
    unreferenced: int = 0  # cells without an r attribute (placed after the previous one)
    row_tags: int = 0  # largest <row r=...>


def check_xlsx(path: Path, limits: Limits) -> None:
    """Zip limits, sheet count, and every worksheet's extent and longest text."""
    with check_zip(path, limits) as archive:
        names = set(archive.namelist())
        book = _read_member(archive, "xl/workbook.xml", path, limits) if (
            "xl/workbook.xml" in names) else b""
        count = len(_SHEET_ANY.findall(book))
        if count > limits.max_sheets:
            raise limit_error(path, None, "limit_sheets", "max_sheets", count, limits.max_sheets)
        for sheet, member in _worksheets(archive, book, names, path, limits):
            extent = _scan_sheet(archive, member, path, sheet, limits)
            _check_extent(extent, path, sheet, limits)
        for member in names:
            if member.startswith("xl/sharedStrings") and member.endswith(".xml"):
                _check_long_text(archive, member, path, None, limits)


def _read_member(archive: zipfile.ZipFile, member: str, path: Path, limits: Limits) -> bytes:
    """A small member (workbook.xml, rels) whole; at most 64 MB decompressed."""
    try:
        with archive.open(member) as handle:
            data = handle.read(64 * 1024 * 1024 + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError, zlib.error) as exc:
        zh, en = MSG.both("corrupt", detail=f"{member}: {str(exc)[:100]}")
        raise InputError(zh, message_en=en, location=str(path)) from None
    if len(data) > 64 * 1024 * 1024:
        raise limit_error(path, None, "limit_zip_ratio", "max_zip_ratio", member,
                          limits.max_zip_ratio)
    return data


def _worksheets(archive: zipfile.ZipFile, book: bytes, names: set[str], path: Path,
                limits: Limits) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every worksheet; members not named by the workbook too."""
    rels = b""
    if "xl/_rels/workbook.xml.rels" in names:
        rels = _read_member(archive, "xl/_rels/workbook.xml.rels", path, limits)
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    out: list[tuple[str, str]] = []
    for name, rid in _SHEET.findall(book):
        target = targets.get(rid, b"").decode("utf-8", "replace")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        member = os.path.normpath(member).replace(os.sep, "/")
        if member in names:
            out.append((name.decode("utf-8", "replace"), member))
    seen = {m for _, m in out}
    for member in sorted(names):
        if member.startswith("xl/worksheets/") and member.endswith(".xml") and member not in seen:
            out.append((member.rsplit("/", 1)[-1], member))
    return out


def _stream(archive: zipfile.ZipFile, member: str, path: Path, sheet: str | None,
            limits: Limits) -> Iterator[bytes]:
    """Decompressed chunks of a member, each ending at a tag boundary; bounded by the ratio."""
    info = archive.getinfo(member)
    budget = max(info.compress_size, 1) * limits.max_zip_ratio + _CHUNK
    total = 0
    tail = b""
    try:
        with archive.open(member) as handle:
            while True:
                block = handle.read(_CHUNK)
                if not block:
                    break
                total += len(block)
                if total > budget:
                    raise limit_error(path, sheet, "limit_zip_ratio", "max_zip_ratio",
                                      total // max(info.compress_size, 1), limits.max_zip_ratio)
                data = tail + block
                cut = data.rfind(b"<")
                if cut <= 0:
                    tail = data
                    continue
                tail = data[cut:]
                yield data[:cut]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError, zlib.error) as exc:
        if isinstance(exc, InputError):
            raise
        zh, en = MSG.both("corrupt", detail=f"{member}: {str(exc)[:100]}")
        raise InputError(zh, message_en=en,
                         location=f"{path} {sheet}" if sheet else str(path)) from None
    if tail:
        yield tail


def _scan_sheet(archive: zipfile.ZipFile, member: str, path: Path, sheet: str,
                limits: Limits) -> _Extent:
    ext = _Extent()
    long_text = _LONG_TEXT.pattern % (limits.max_cell_chars + 1)
    long_re = re.compile(long_text)
    fast = _fast_refs()
    for chunk in _stream(archive, member, path, sheet, limits):
        found = fast(chunk, limits.max_cell_chars) if fast is not None else None
        if found is not None:  # every cell of the chunk is a plain <c r="A1" ...>
            cells, lo_col, hi_col, lo_row, hi_row, may_be_long = found
            if cells:
                ext.cells += cells
                ext.min_col = min(ext.min_col or lo_col, lo_col)
                ext.max_col = max(ext.max_col, hi_col)
                ext.min_row = min(ext.min_row or lo_row, lo_row)
                ext.max_row = max(ext.max_row, hi_row)
            if ext.unreferenced:
                tags = [int(r) for r in _ROW_REF.findall(chunk) if len(r) < 12]
                if tags:
                    ext.row_tags = max(ext.row_tags, max(tags))
            if may_be_long:  # else no text can be that long
                _long_text(long_re, chunk, path, sheet, limits)
            continue
        cells = len(_CELL.findall(chunk))
        refs = _CELL_REF.findall(chunk)
        ext.cells += cells
        ext.unreferenced += cells - len(refs)
        if refs:
            cols = {c for c, _ in refs}
            rows = [int(r) for _, r in refs if r and len(r) < 12]
            if any(len(r) >= 12 for _, r in refs) or any(len(c) > 3 for c in cols):
                raise limit_error(path, sheet, "limit_bad_ref", "max_cells",
                                  next(c.decode() + r.decode() for c, r in refs
                                       if len(r) >= 12 or len(c) > 3)[:40], limits.max_cells)
            numbers = [_col_number(c) for c in cols if c]
            if numbers:
                lo, hi = min(numbers), max(numbers)
                ext.min_col = min(ext.min_col or lo, lo)
                ext.max_col = max(ext.max_col, hi)
            if rows:
                ext.min_row = min(ext.min_row or min(rows), min(rows))
                ext.max_row = max(ext.max_row, max(rows))
        if ext.unreferenced:
            tags = [int(r) for r in _ROW_REF.findall(chunk) if len(r) < 12]
            if tags:
                ext.row_tags = max(ext.row_tags, max(tags))
        _long_text(long_re, chunk, path, sheet, limits)
    return ext


_PREFIXED_CELL = re.compile(rb"<\w+:c[\s>/]")
_REF_WINDOW = 12  # bytes read after '<c r="': 3 letters, 7 digits and the closing '"'


def _fast_refs() -> Any:
    """The vectorized reader of a chunk's cell references (numpy), or None without numpy.

    It reads what ``_CELL``/``_CELL_REF`` read, ~10x faster, for the layout every writer uses
    (``<c r="A1"`` with r first, 1-3 letters, 1-7 digits without a leading zero) and returns
    None for a chunk holding anything else, which the regular expressions then read (so the
    errors they raise for odd references are unchanged). Returns (cells, min column, max
    column, min row, max row, whether a text over the cell length limit may be there).
    """
    try:
        import numpy as np
        from numpy.lib.stride_tricks import sliding_window_view
    except ImportError:  # pragma: no cover - numpy is a dependency
        return None
    ends = np.frombuffer(b" >/\t\n\r\x0b\x0c", dtype=np.uint8)  # what _CELL's [\s>/] allows
    head = b'c r="'

    def scan(chunk: bytes, long_text: int) -> tuple[int, int, int, int, int, bool] | None:
        raw = np.frombuffer(chunk, dtype=np.uint8)
        n = len(raw)
        if n < 8:
            return None
        is_lt = raw == 60  # '<'
        is_c = raw == 99  # 'c'
        if ((raw[:-2] == 58) & is_c[1:-1]).any() and _PREFIXED_CELL.search(chunk):  # <x:c
            return None
        opens = np.flatnonzero(is_lt[:-2] & is_c[1:-1])
        opens = opens[np.isin(raw[opens + 2], ends)]
        may_be_long = _may_hold_run(is_lt, long_text)
        if len(opens) == 0:
            return (0, 0, 0, 0, 0, may_be_long)
        # Each cell's bytes after '<': 'c r="' then the reference (the last few cells of the
        # chunk from a zero-padded copy of its end, not a padded copy of the whole chunk).
        span = len(head) + _REF_WINDOW
        inside = opens + 1 + span <= n
        window = sliding_window_view(raw, span)[opens[inside] + 1]
        if not inside.all():
            end = np.concatenate([raw[-2 * span:], np.zeros(span, dtype=np.uint8)])
            late = sliding_window_view(end, span)[opens[~inside] + 1 - (n - 2 * span)]
            window = np.concatenate([window, late])
        if not (window[:, : len(head)] == np.frombuffer(head, dtype=np.uint8)).all():
            return None  # a cell without r, or with r not first
        window = window[:, len(head):]
        upper = window[:, :4] & 0xDF
        letter = (upper >= 65) & (upper <= 90)
        # Column by column (numpy reductions along rows of 12 bytes are slow).
        run = letter[:, 0].copy()
        n_letters = run.astype(np.int8)
        for k in (1, 2, 3):
            run &= letter[:, k]
            n_letters += run
        if (n_letters < 1).any() or (n_letters > 3).any():
            return None
        col_lo, col_hi, row_lo, row_hi = [], [], [], []
        for count in (1, 2, 3):
            sel = n_letters == count
            if not sel.any():
                continue
            part = window[sel]
            # A longer reference is a larger number; equal lengths compare as their text does
            # (no leading zeros): compare big-endian packed bytes, decode only min and max.
            letters = np.zeros((len(part), 8), dtype=np.uint8)
            letters[:, 8 - count:] = part[:, :count] & 0xDF
            packed = letters.view(">u8").ravel()
            col_lo.append((count, int(packed.min())))
            col_hi.append((count, int(packed.max())))
            digits = part[:, count:count + 8]
            is_digit = (digits >= 48) & (digits <= 57)
            run = is_digit[:, 0].copy()
            if not run.all() or (digits[:, 0] == 48).any():
                return None  # no row number, or a leading zero
            n_digits = np.ones(len(part), dtype=np.int8)
            for k in range(1, 8):
                run &= is_digit[:, k]
                n_digits += run
            if (n_digits > 7).any():
                return None
            if (part[np.arange(len(part)), count + n_digits] != 34).any():  # closing '"'
                return None
            for width in np.unique(n_digits):
                masked = np.zeros((int((n_digits == width).sum()), 8), dtype=np.uint8)
                masked[:, 8 - width:] = digits[n_digits == width][:, :width]
                packed = masked.view(">u8").ravel()
                row_lo.append((int(width), int(packed.min())))
                row_hi.append((int(width), int(packed.max())))
        return (len(opens), _packed_column(min(col_lo)), _packed_column(max(col_hi)),
                _packed_number(min(row_lo)), _packed_number(max(row_hi)), may_be_long)

    return scan


def _may_hold_run(is_lt: Any, longer_than: int) -> bool:
    """Whether a chunk may hold more than ``longer_than`` bytes without a '<' (a text that
    long): such a run covers a whole aligned block of half its length, so if every block holds
    a '<' there is none (one pass instead of the regular expression's)."""
    block = (longer_than + 1) // 2
    if block < 64 or len(is_lt) < 2 * block:
        return True
    whole = len(is_lt) // block * block
    return not bool(is_lt[:whole].reshape(-1, block).any(axis=1).all())


def _packed_column(item: tuple[int, int]) -> int:
    """Column number of (letter count, letters packed big-endian) from the fast scan."""
    count, packed = item
    return _col_number(packed.to_bytes(8, "big")[8 - count:])


def _packed_number(item: tuple[int, int]) -> int:
    count, packed = item
    return int(packed.to_bytes(8, "big")[8 - count:])


def _long_text(long_re: re.Pattern[bytes], chunk: bytes, path: Path, sheet: str | None,
               limits: Limits) -> None:
    """A text longer than the limit in characters (the pattern finds it in bytes first)."""
    for found in long_re.finditer(chunk):
        chars = len(found.group(1).decode("utf-8", "replace"))
        if chars > limits.max_cell_chars:
            raise limit_error(path, sheet, "limit_cell_chars", "max_cell_chars", chars,
                              limits.max_cell_chars)


def _check_extent(ext: _Extent, path: Path, sheet: str, limits: Limits) -> None:
    if not ext.cells:
        return
    max_row = max(ext.max_row, ext.row_tags)
    min_row = ext.min_row or 1
    if ext.unreferenced:  # cells placed one after another: at most that many further right
        max_col = max(ext.max_col, 1) + ext.unreferenced
        min_row = 1
    else:
        max_col = ext.max_col
    min_col = ext.min_col or 1
    if max_col > _MAX_COL or max_row > _MAX_ROW:
        raise limit_error(path, sheet, "limit_bad_ref", "max_cells",
                          f"{max_row}:{max_col}", limits.max_cells)
    width = max(1, max_col - min_col + 1) if not ext.unreferenced else max(1, max_col)
    height = max(1, max_row - min_row + 1)
    if width > limits.max_columns:
        raise limit_error(path, sheet, "limit_columns", "max_columns", width,
                          limits.max_columns)
    area = width * height
    if area > limits.max_cells:
        raise limit_error(path, sheet, "limit_cells", "max_cells", area, limits.max_cells,
                          cells=ext.cells)
    if area > limits.sparse_min_cells and area > limits.sparse_ratio * ext.cells:
        raise limit_error(path, sheet, "limit_sparse", "sparse_ratio", area,
                          limits.sparse_ratio, cells=ext.cells)


def _check_long_text(archive: zipfile.ZipFile, member: str, path: Path, sheet: str | None,
                     limits: Limits) -> None:
    long_re = re.compile(_LONG_TEXT.pattern % (limits.max_cell_chars + 1))
    for chunk in _stream(archive, member, path, sheet, limits):
        _long_text(long_re, chunk, path, sheet, limits)


# ------------------------------------------------------------------ xls / ods probe

def probe_workbook(path: Path, limits: Limits, *, timeout: float = 300) -> None:
    """Open every worksheet in a forked child under an address-space limit (module docstring)
    and check the sheets' sizes; an InputError when the child cannot do it within limits."""
    if not hasattr(os, "fork"):
        return
    import json
    import resource
    import select
    import signal
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # a failed allocation in Rust prints a backtrace: not ours
            budget = limits.max_reader_mb * 1024 * 1024
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            new = _address_space() + budget
            if soft != resource.RLIM_INFINITY:  # a limit set by the caller stays the bound
                new = min(new, soft)
            resource.setrlimit(resource.RLIMIT_AS, (new, hard))
            from python_calamine import CalamineWorkbook, SheetTypeEnum

            book = CalamineWorkbook.from_path(str(path))
            sizes = []
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                sizes.append([meta.name, sheet.height, sheet.width])
            payload = json.dumps({"sizes": sizes}).encode()
        except BaseException as exc:  # reported to the parent
            payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:200]}).encode()
            code = 1
        try:
            os.write(write_end, payload[:60_000])
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([read_end], [], [], min(left, 1.0))
            if ready:
                block = os.read(read_end, 65536)
                if not block:
                    break
                chunks.append(block)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not chunks:
        raise limit_error(path, None, "limit_reader", "max_reader_mb", limits.max_reader_mb,
                          limits.max_reader_mb)
    try:
        report = json.loads(b"".join(chunks))
    except ValueError:
        report = {"error": "probe"}
    if "error" in report:
        return  # the normal read meets the same error and reports it with its location
    count = len(report["sizes"])
    if count > limits.max_sheets:
        raise limit_error(path, None, "limit_sheets", "max_sheets", count, limits.max_sheets)
    for name, height, width in report["sizes"]:
        if width > limits.max_columns:
            raise limit_error(path, name, "limit_columns", "max_columns", width,
                              limits.max_columns)
        if height * width > limits.max_cells:
            raise limit_error(path, name, "limit_cells", "max_cells", height * width,
                              limits.max_cells, cells="?")


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# ------------------------------------------------------------------ entry points

_checked: dict[tuple[object, ...], InputError | None] = {}
_lock = threading.Lock()  # io.prefetch checks the first input while the main thread waits


def check_workbook(path: Path, kind: str, limits: Limits | None = None) -> None:
    """The checks for a workbook of ``kind`` (xlsx/xls/ods); each file is checked once."""
    limits = limits or Limits.from_env()
    try:
        stat = path.stat()
    except OSError:
        return  # the reader reports a missing file
    key = (kind, str(path.resolve()), stat.st_size, stat.st_mtime_ns, limits)
    with _lock:
        _check_once(key, path, kind, limits)


def _check_once(key: tuple[object, ...], path: Path, kind: str, limits: Limits) -> None:
    if key in _checked:
        if _checked[key] is not None:
            raise _checked[key]  # type: ignore[misc]
        return
    try:
        if kind == "xlsx":
            check_xlsx(path, limits)
        elif kind == "ods":
            with check_zip(path, limits) as archive:
                for member in archive.namelist():
                    if member == "content.xml":
                        _check_long_text(archive, member, path, None, limits)
            probe_workbook(path, limits)
        elif kind == "xls":
            probe_workbook(path, limits)
    except InputError as err:
        _checked[key] = err
        raise
    _checked[key] = None
