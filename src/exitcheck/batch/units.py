"""Which inputs are audited together: the unit rule of batch audits (docs/batch.md).

A **unit** is one dataset: one county export (a member sheet, possibly with its household sheet)
or the several tables of one monitoring-era export (户信息, 监测对象信息, 已外出务工信息 …). Table
files are not units: the five tables of sample_data/monitoring_2023_tables/ are one unit.

* the files given on the command line form one group, each folder given forms a group of the
  table files directly inside it;
* a folder of partitions (hive style ``县=XX/part.parquet``) or of sub-folders holding table
  files: each partition / sub-folder is one unit (households are never split across units);
* a group of one file is one unit; a group holding two or more member tables and no spell or
  village table is a set of county files: one unit per file; any other group is one dataset.

Result files of earlier runs (``*_核查结果*``: unit workbooks, the roll-up, the findings file),
Office lock files and hidden files are not inputs: they are skipped with a note.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from exitcheck.errors import InputError
from exitcheck.inputs import TABLE_SUFFIXES, is_own_output

HEADER_ROWS = 30  # rows read to tell a member table from the other kinds
# Kinds a header sniff tells apart (schema/build.py _role decides for real when loading).
MEMBER, SPELL, VILLAGE, OTHER = "member", "spell", "village", "other"
_PERSON_IDENTITY = frozenset({"name", "id_number", "member_id"})


@dataclass(frozen=True)
class Unit:
    """One dataset audited on its own: a name for reports and its table files."""

    name: str  # file stem, folder name or partition value (县=XX -> XX)
    paths: tuple[Path, ...]
    origin: str  # "file" | "dataset" | "partition" | "folder"

    @property
    def label(self) -> str:
        """What the roll-up shows in its 文件 column."""
        if self.origin == "file":
            return self.paths[0].name
        return self.name


@dataclass
class Plan:
    units: list[Unit]
    skipped: list[Path] = field(default_factory=list)  # earlier results, lock and hidden files

    @property
    def is_batch(self) -> bool:
        return len(self.units) > 1


def _table_files(folder: Path, skipped: list[Path]) -> list[Path]:
    found = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.suffix.lower() not in TABLE_SUFFIXES:
            continue
        if p.name.startswith(("~$", ".")) or is_own_output(p):
            skipped.append(p)
            continue
        found.append(p)
    return found


def _partition_value(folder: Path) -> str:
    """``县=剑河县`` -> ``剑河县``; a plain folder keeps its name."""
    return folder.name.split("=", 1)[1] if "=" in folder.name else folder.name


def _subfolder_units(folder: Path, skipped: list[Path]) -> list[Unit]:
    """Partitions or per-county sub-folders of ``folder`` (empty when it has none)."""
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    units = []
    for sub in subs:
        files = _table_files(sub, skipped)
        if files:
            units.append(Unit(_partition_value(sub), tuple(files),
                              "partition" if "=" in sub.name else "folder"))
    return units


def plan_units(paths: list[Path], *, sheet: str | None = None) -> Plan:
    """The units of a run (see the module docstring). A folder without table files is an
    InputError naming it, as for a single audit."""
    from exitcheck.inputs import MSG

    skipped: list[Path] = []
    groups: list[tuple[list[Path], str]] = []  # (files, name of the folder or "")
    units: list[Unit] = []
    loose = [p for p in paths if not p.is_dir()]
    for path in paths:
        if not path.is_dir():
            continue
        files = _table_files(path, skipped)
        subs = _subfolder_units(path, skipped)
        if subs and (not files or any(u.origin == "partition" for u in subs)):
            units.extend(subs)
            continue
        if not files:
            zh, en = MSG.both("empty_folder")
            raise InputError(zh, message_en=en, location=str(path))
        groups.append((files, path.name))
    if loose:
        groups.insert(0, (loose, ""))
    for files, folder_name in groups:
        units.extend(_group_units(files, folder_name, sheet))
    return Plan(_unique_names(units), skipped)


def _group_units(files: list[Path], folder_name: str, sheet: str | None) -> list[Unit]:
    if len(files) == 1:
        return [Unit(files[0].stem, (files[0],), "file")]
    kinds = [sniff_kind(p, sheet) for p in files]
    if kinds.count(MEMBER) >= 2 and SPELL not in kinds and VILLAGE not in kinds:
        return [Unit(p.stem, (p,), "file") for p in files]
    name = folder_name or files[0].stem
    return [Unit(name, tuple(files), "dataset")]


def _unique_names(units: list[Unit]) -> list[Unit]:
    """Unit names become file names (``<name>_核查结果.xlsx``): make them distinct and safe."""
    seen: dict[str, int] = {}
    out = []
    for unit in units:
        base = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit.name).strip(" .") or "unit"
        n = seen.get(base, 0) + 1
        seen[base] = n
        name = base if n == 1 else f"{base}_{n}"
        out.append(Unit(name, unit.paths, unit.origin))
    return out


# -- header sniff ------------------------------------------------------------------------------


def sniff_kind(path: Path, sheet: str | None = None) -> str:
    """MEMBER, SPELL, VILLAGE or OTHER from the texts of the first rows (cheap: a streaming
    read of ~30 rows, the parquet schema); an unreadable file is OTHER (its unit reports why)."""
    try:
        cells = _header_cells(path, sheet)
    except Exception:  # any failure: the audit of the file reports it properly
        return OTHER
    from exitcheck.schema.catalogue import load_catalogue

    catalogue = load_catalogue()
    levels: set[str] = set()
    person = False
    for text in cells:
        spec = catalogue.match_header(text)
        if spec is None:
            continue
        levels.add(spec.level)
        if spec.level == "member" and spec.name not in _PERSON_IDENTITY:
            person = True
    if "spell" in levels:
        return SPELL
    if "village" in levels and not person:
        return VILLAGE
    return MEMBER if person else OTHER


def _header_cells(path: Path, sheet: str | None) -> list[str]:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if suffix == ".csv":
        raw = path.open("rb").read(64 * 1024)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = raw.decode("utf-8", errors="replace")
        lines = text.splitlines()[:HEADER_ROWS]
        return [c.strip() for row in csv.reader(io.StringIO("\n".join(lines))) for c in row
                if c.strip()]
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [book[sheet]] if sheet and sheet in book.sheetnames else book.worksheets
            return [str(v).strip() for ws in sheets
                    for row in ws.iter_rows(max_row=HEADER_ROWS, values_only=True)
                    for v in row if isinstance(v, str) and v.strip()]
        finally:
            book.close()
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [str(v).strip() for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python(nrows=HEADER_ROWS)
            for v in row if isinstance(v, str) and v.strip()]
