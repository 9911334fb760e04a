"""Decide how to read a file: by extension, checked against the content's magic bytes."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from exitcheck.io.errors import input_error

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or encrypted OOXML
PARQUET_MAGIC = b"PAR1"
# An encrypted .xlsx is a compound file holding these streams (MS-OFFCRYPTO).
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

EXCEL_EXTS = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_EXTS = {".csv", ".txt", ".tsv"}
PARQUET_EXTS = {".parquet", ".pq"}

XLSX, XLS, ODS, CSV, PARQUET = "xlsx", "xls", "ods", "csv", "parquet"


def sniff_format(path: Path) -> str:
    """One of XLSX, XLS, ODS, CSV, PARQUET, or an InputError saying why the file is not usable."""
    if not path.exists():
        raise input_error("file_missing", path)
    if path.is_dir():
        raise input_error("is_directory", path)
    ext = path.suffix.lower()
    if ext not in EXCEL_EXTS | TEXT_EXTS | PARQUET_EXTS:
        raise input_error("unsupported_ext", path, ext=ext or "（无）")
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if ext in TEXT_EXTS:
        return CSV  # text is checked when decoded (binary content -> InputError there)
    if not magic:
        raise input_error("empty_file", path)
    if ext in PARQUET_EXTS:
        if magic.startswith(PARQUET_MAGIC):
            return PARQUET
        raise input_error("not_spreadsheet", path, ext=ext)
    if magic.startswith(ZIP_MAGIC):
        return _zip_kind(path, ext)
    if magic == CFB_MAGIC:
        if _has_encryption_stream(path, whole=ext != ".xls"):
            raise input_error("encrypted", path)
        return XLS
    raise input_error("not_spreadsheet", path, ext=ext)


def _zip_kind(path: Path, ext: str) -> str:
    """xlsx/xlsm or ods by the zip's members (reads only the central directory)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # a few bytes, never the whole member
                    if b"spreadsheet" in member.read(200):
                        return ODS
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError, zlib.error) as exc:
        raise input_error("corrupt", path, detail=f"zip: {exc}") from None
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return XLSX
    raise input_error("not_spreadsheet", path, ext=ext)


def _has_encryption_stream(path: Path, *, whole: bool) -> bool:
    """Whether the compound file's directory names an EncryptionInfo stream.

    Behind an .xlsx name a compound file is either encrypted or a renamed .xls, so the whole file
    is scanned (in chunks); for a real .xls the directory of an encrypted one sits near the start.
    """
    chunk = 4 * 1024 * 1024
    tail = b""
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            if ENCRYPTION_STREAM in tail + block:
                return True
            if not whole:
                return False
            tail = block[-len(ENCRYPTION_STREAM) :]
    return False
