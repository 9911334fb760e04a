"""Input paths as users give them: files, or folders holding a dataset's tables.

A folder stands for the table files directly inside it (the several tables of a monitoring
export, docs/dataset-model.md), in name order. exitcheck's own result workbooks (``*_核查结果*``,
or under any name when their author property is exitcheck's audit), Office lock files (``~$…``)
and hidden files are not inputs: a second run in the same folder never reads the first run's
output.
"""

from __future__ import annotations

from pathlib import Path

from exitcheck.errors import InputError
from exitcheck.i18n import Catalogue

TABLE_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".parquet", ".pq"})
RESULT_SUFFIX = "_核查结果"  # cli/audit_cmd.py default_output
# The author property of the audit workbook (report/excel.py): under any name (-o), a workbook
# exitcheck wrote is recognised and never read as an input table.
OWN_OUTPUT_AUTHOR = "exitcheck audit"
_CORE_XML = "docProps/core.xml"
_CORE_MAX = 64 * 1024  # a core.xml is a few hundred bytes; a larger one is not ours

MSG = Catalogue({
    "empty_folder": (
        "文件夹中没有表格文件（xlsx/xls/ods/csv/parquet）",
        "the folder holds no table file (xlsx/xls/ods/csv/parquet)",
    ),
})


def is_own_output(path: Path) -> bool:
    """A file an earlier exitcheck run wrote by its default name: a result workbook, a
    batch's roll-up ``汇总_核查结果.xlsx`` or findings file ``汇总_核查结果_明细.parquet``
    (docs/batch.md)."""
    return RESULT_SUFFIX in path.stem or _written_by_exitcheck(path)


def _written_by_exitcheck(path: Path) -> bool:
    """An xlsx whose document properties name exitcheck's audit as its author."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            info = book.getinfo(_CORE_XML)
            if info.file_size > _CORE_MAX:
                return False
            core = book.read(info).decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False  # not a readable workbook: the reader reports it
    return f"<dc:creator>{OWN_OUTPUT_AUTHOR}</dc:creator>" in core


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; each folder replaced by its table files. A folder without any is an
    error naming it. A file path is passed on as is (the reader reports what is wrong)."""
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            p for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
            and not p.name.startswith(("~$", ".")) and not is_own_output(p)
        )
        if not found:
            zh, en = MSG.both("empty_folder")
            raise InputError(zh, message_en=en, location=str(path))
        out.extend(found)
    return out
