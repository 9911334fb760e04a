"""The canonical model: members and households frames keyed by household id, plus provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

# Columns every members frame carries besides canonical fields:
#   household_id (str), member_id (str: 人编号, else "<household_id>-<n>"),
#   _input (int: index into Registry.inputs), _row (int: 1-based spreadsheet row)
# Derived member columns (schema/derive.py): birth_date (datetime64), sex ("男"/"女"),
#   age (Int64, whole years at as_of), id_valid (boolean), id_stored_as_number (boolean)
# Member frames carry every canonical field found in the member sheet, household-level ones as
# read on each row (for a two-sheet layout: the household sheet's value, joined by household_id).
# Fields absent from the input are absent from the frames (see InputInfo.mapping).
# Households frame: index named household_id; canonical household-level fields taken from the
#   head's row (or from rows that agree); plus member_count (Int64: counted members),
#   _input, _row (row of the row the household fields were taken from).
MEMBER_KEY_COLUMNS = ("household_id", "member_id", "_input", "_row")
# Registry.issues columns (added by the normalize stage; see Registry.issues).
ISSUE_COLUMNS = ("kind", "field", "household_id", "member_id", "_input", "_row", "value", "detail")


@dataclass
class InputInfo:
    """Provenance and row accounting of one input table (one file, or one sheet of it)."""

    path: Path
    sheet: str
    reader: str
    encoding: str | None
    sha256: str
    title_rows: list[int]
    header_rows: list[int]
    rows_read: int
    member_rows: int
    skipped: dict[str, int]  # reason -> count (blank, total, repeated_header, no_household_id, ...)
    # canonical field -> (source header text, column letter)
    mapping: dict[str, tuple[str, str]]
    unmatched: list[str]  # source headers matched to no field (kept, usable as col("..."))
    missing_optional: list[str]  # catalogue fields (recommended) not present
    notes: list[str] = field(default_factory=list)
    # Headers of sensitive fields (rules/fields.yaml `sensitive: true`: phone, bank card): read
    # like any column, masked in every output unless --show-ids (report/mask.py).
    sensitive: list[str] = field(default_factory=list)
    # Added by the normalize stage. "members" (one row per person) or "households" (a household
    # sheet of a two-sheet layout, joined to members by household_id). For a household sheet
    # the accounting is rows_read == household_rows + sum(skipped.values()) (member_rows == 0).
    role: str = "members"
    household_rows: int = 0
    # Rows of a spell or village table that became units of their level (work spells joined to
    # a person, villages). rows_read == member_rows + household_rows + unit_rows + skipped.
    unit_rows: int = 0

    @property
    def units(self) -> int:
        """Rows that became units (members, households, spells or villages)."""
        return self.member_rows + self.household_rows + self.unit_rows

    @property
    def reconciled(self) -> bool:
        """Every row read is a unit or skipped with its reason."""
        return self.rows_read == self.units + sum(self.skipped.values())

    def cell(self, field_name: str, row: int) -> str | None:
        """``sheet!H17`` for a canonical field on a spreadsheet row; None if not in this input."""
        hit = self.mapping.get(field_name)
        return f"{self.sheet}!{hit[1]}{row}" if hit else None


def empty_units(level: str) -> pd.DataFrame:
    """An empty spell or village frame (the dataset has no such table)."""
    if level == "village":
        return pd.DataFrame({"_input": pd.array([], dtype="Int64"),
                             "_row": pd.array([], dtype="Int64")},
                            index=pd.Index([], name="village_id", dtype="string"))
    return pd.DataFrame({"household_id": pd.array([], dtype="string"),
                         "member_id": pd.array([], dtype="string"),
                         "spell_kind": pd.array([], dtype="string"),
                         "_input": pd.array([], dtype="Int64"),
                         "_row": pd.array([], dtype="Int64")})


@dataclass
class Registry:
    """Everything the engine reads. Pure data: no file handles, no clock."""

    members: pd.DataFrame
    households: pd.DataFrame
    inputs: list[InputInfo]
    # The reference date of derived ages; None until schema.derive.add_age() sets it.
    as_of: date | None
    # Data issues found while loading (not rules): one row each, columns:
    #   kind (str code, e.g. "id_stored_as_number", "value_not_allowed",
    #   "household_field_conflict", "unparseable_number", "unparseable_date"),
    #   field (canonical name), household_id, member_id, _input, _row, value (raw text),
    #   detail (str)
    issues: pd.DataFrame
    # Headers that matched no field: raw text columns kept on members as "raw:<header>"
    # (households for a household sheet); this list holds those column names.
    extra_columns: list[str] = field(default_factory=list)
    # Work spells (已外出务工 / 计划外出务工 tables, docs/dataset-model.md): one row per spell
    # joined to its person: household_id, member_id, spell fields, spell_kind, _input, _row.
    spells: pd.DataFrame = field(default_factory=lambda: empty_units("spell"))
    # Villages (行政村信息 table): index village_id ("县/乡镇/村" as written), village fields,
    # _input, _row. When present, households carry the column village_id.
    villages: pd.DataFrame = field(default_factory=lambda: empty_units("village"))
    # The member table has one row per household only (no member rows): member-level rules
    # are not run on it (schema/dataset.py single_row_households).
    single_row_households: bool = False

    @property
    def n_households(self) -> int:
        return len(self.households)

    @property
    def n_members(self) -> int:
        return len(self.members)

    def frame(self, level: str) -> pd.DataFrame:
        """The units of one level (docs/dataset-model.md)."""
        return {"village": self.villages, "household": self.households,
                "member": self.members, "spell": self.spells}[level]

    def location(self, field_name: str, input_index: int, row: int) -> str | None:
        return self.inputs[input_index].cell(field_name, row)
