"""Raw tables -> Registry: map headers, normalize values, build members and households frames."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from exitcheck.errors import InputError
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec
from exitcheck.schema.derive import derive_members
from exitcheck.schema.duplicates import duplicate_id_issues
from exitcheck.schema.ids import facts_and_core
from exitcheck.schema.messages import MSG
from exitcheck.schema.model import ISSUE_COLUMNS, InputInfo, Registry
from exitcheck.schema.normalize import (
    HOUSEHOLD_FIELD_CONFLICT,
    normalize_column,
    same_as_previous_rows,
)
from exitcheck.schema.text import header_key

if TYPE_CHECKING:
    from exitcheck.io.table import RawTable

SKIP_NO_HOUSEHOLD_ID = "no_household_id"
SKIP_NO_PERSON = "no_person_key"  # a work-spell row without 证件号码 / 人编号
SKIP_NO_VILLAGE = "no_village_name"  # a village-table row without 村
HEAD = "户主"  # canonical relation value of the household head (rules/fields.yaml)
_RAW_SPEC = FieldSpec(name="raw", label="raw", label_en="raw", level="member", type="text")


@dataclass
class _Mapped:
    """One table with its headers resolved."""

    table: RawTable
    columns: dict[str, str]  # canonical field -> source column
    unmatched: list[str]
    sensitive: list[str]
    notes: list[str] = field(default_factory=list)


def build_registry(
    tables: list[RawTable], catalogue: FieldCatalogue, mapping: dict[str, str] | None = None
) -> Registry:
    """Build the Registry from read tables (one or several files/sheets). The tables are
    consumed: their data columns are released as they are normalized (peak memory).

    Member sheets (they have 姓名/证件号码 or other member fields) become members; a sheet with
    户编号 and only household fields is a household sheet, joined by household_id (two-sheet
    layout). Other sheets are ignored with a note. ``mapping`` (from a ``--columns`` file) maps
    source headers to canonical names before the catalogue's own aliases are tried.
    """
    if not tables:
        zh, en = MSG.both("no_tables")
        raise InputError(zh, message_en=en)
    mapped = [_map_headers(t, catalogue, mapping or {}) for t in tables]
    roles = [_role(m.table, m.columns, catalogue) for m in mapped]
    _unknown_files(mapped, roles)
    mapped = [_restrict(m, r, catalogue) for m, r in zip(mapped, roles, strict=True)]
    member_tables = [m for m, r in zip(mapped, roles, strict=True) if r == "members"]
    household_tables = [m for m, r in zip(mapped, roles, strict=True)
                        if r == "households" and len(m.columns) > 1]
    if not member_tables and not household_tables:  # report on the likeliest registry
        best = max(mapped, key=lambda m: len(m.columns) + len(m.unmatched) / 1000)
        raise _missing_required(best, catalogue)
    for m in member_tables:
        missing = [s for s in catalogue.fields.values() if s.required and s.name not in m.columns]
        if missing:
            raise _missing_required(m, catalogue)

    inputs: list[InputInfo] = []
    parts: list[_Part] = []
    ignored: list[tuple[Path, str]] = []
    for m, role in zip(mapped, roles, strict=True):
        if role == "other":
            ignored.append((m.table.path, m.table.sheet))
            continue
        part = _normalize_table(m, catalogue, len(inputs), role)
        inputs.append(part.info)
        parts.append(part)
    for path, sheet in ignored:
        target = next((i for i in inputs if i.path == path), inputs[0])
        target.notes.append(MSG("note_ignored_sheet", sheet=sheet))

    member_parts = [p for p in parts if p.info.role == "members"]
    house_parts = [p for p in parts if p.info.role == "households"]
    if member_parts:
        members, issues, stored = _assemble_members(member_parts)
    else:  # households only (a 户信息 table): no person to audit, said in the notes
        members, issues, stored = _no_members(), [], np.zeros(0, dtype=bool)
    # The ID column is parsed once: derive (birth date, sex, validity) and the duplicate check.
    parsed = facts_and_core(members["id_number"]) if "id_number" in members else None
    members = _order_columns(
        derive_members(members, stored, parsed[0] if parsed else None), catalogue
    )
    households, conflict_issues = _households(members, catalogue)
    issues.append(conflict_issues)
    if house_parts:
        members, households, more = _join_household_sheets(
            members, households, house_parts, catalogue
        )
        issues.extend(more)
    extra = sorted({c for c in members.columns if c.startswith("raw:")}
                   | {c for c in households.columns if c.startswith("raw:")})  # fmt: skip
    members = _order_columns(members, catalogue)
    issues.append(duplicate_id_issues(
        members, (parsed[1], parsed[0]["placeholder"]) if parsed else None
    ))
    from exitcheck.schema import dataset

    spells, spell_issues = dataset.spells(
        [(p.info, p.frame, p.keep) for p in parts if p.info.role in ("work", "work_plan")],
        members,
    )
    households, villages, village_issues = dataset.villages(
        [(p.info, p.frame, p.keep) for p in parts if p.info.role == "village"], households
    )
    issues += [spell_issues, village_issues,
               dataset.households_without_members(households, bool(house_parts))]
    single_row = dataset.single_row_households(members, households)
    if single_row is not None:
        member_parts[0].info.notes.append(single_row)
    elif not member_parts:
        single_row = MSG("note_no_member_table")
        house_parts[0].info.notes.append(single_row)
    return Registry(
        members=members,
        households=households,
        inputs=inputs,
        as_of=None,
        issues=_issues_frame(issues),
        extra_columns=extra,
        spells=spells,
        villages=villages,
        single_row_households=single_row is not None,
    )


def _unknown_files(mapped: list[_Mapped], roles: list[str]) -> None:
    """A file none of whose tables is of a known kind is an error naming it, never appended as
    members (a workbook's other sheets beside a table are skipped with a note)."""
    by_file: dict[Path, list[tuple[_Mapped, str]]] = {}
    for m, role in zip(mapped, roles, strict=True):
        by_file.setdefault(m.table.path, []).append((m, role))
    if len(by_file) < 2:
        return  # one file: the missing-columns error below names what it lacks
    for tables in by_file.values():
        if all(role == "other" for _, role in tables):
            m = tables[0][0]
            headers = "、".join(str(c) for c in list(m.table.columns)[:8])
            zh, en = MSG.both("table_unknown", headers=headers)
            raise InputError(zh, message_en=en, location=_where(m.table))


# ---- headers ----------------------------------------------------------------------------------


def _map_headers(table: RawTable, catalogue: FieldCatalogue, mapping: dict[str, str]) -> _Mapped:
    by_key = {header_key(src, catalogue.units): dst for src, dst in mapping.items()}
    columns: dict[str, str] = {}
    unmatched: list[str] = []
    sensitive: list[str] = []
    notes: list[str] = []
    for col in table.columns:
        target = mapping.get(col) or by_key.get(header_key(str(col), catalogue.units))
        spec = catalogue.get(target) if target else catalogue.match_header(str(col))
        if spec is None:
            unmatched.append(col)
        elif spec.name in columns:
            notes.append(MSG("note_duplicate_field", header=col, first=columns[spec.name],
                             name=spec.name))  # fmt: skip
            unmatched.append(col)
        else:
            columns[spec.name] = col
            if spec.sensitive:  # loaded for rules, masked in every output (report/mask.py)
                sensitive.append(col)
    if sensitive:
        notes.append(MSG("note_sensitive", headers="、".join(sensitive)))
    return _Mapped(table=table, columns=columns, unmatched=unmatched, sensitive=sensitive,
                   notes=notes)  # fmt: skip


def _role(table: RawTable, columns: dict[str, str], catalogue: FieldCatalogue) -> str:
    """The table's kind from its headers (docs/dataset-model.md):

    work / work_plan: a spell-level field (是否已务工 / 是否计划外出务工, 务工开始时间 ...);
    village: village-level fields (总人口数, 是否出列 ...) and no 户编号;
    members: 户编号 plus person fields (姓名/证件号码 alone only with several rows a household);
    households: 户编号 and household fields (a head's name or ID beside them is not read);
    other: none of these (an instructions sheet, a list of helpers ...).
    """
    levels = [catalogue.fields[name].level for name in columns if name in catalogue.fields]
    if "spell" in levels:
        planned = "work_planned" in columns and "work_started" not in columns
        return "work_plan" if planned else "work"
    if "household_id" not in columns:
        return "village" if "village" in levels else "other"
    person = [n for n in columns if n in catalogue.fields and catalogue.fields[n].level == "member"]
    if any(n not in _PERSON_IDENTITY for n in person):
        return "members"
    # Only a name or an ID beside household fields: a 户信息 table naming its head has one row
    # per household; a member list has several rows for some household.
    household_fields = [n for n in columns if n != "household_id" and n in catalogue.fields
                        and catalogue.fields[n].level == "household"]
    if person and not (household_fields
                       and _one_row_per_household(table, columns["household_id"])):
        return "members"
    return "households"


_PERSON_IDENTITY = frozenset({"name", "id_number", "member_id"})


def _one_row_per_household(table: RawTable, column: str) -> bool:
    ids = table.data[column]
    ids = ids[ids.notna()]
    return len(ids) > 0 and not ids.duplicated().any()


# Fields a table of each kind contributes besides its own level's: its keys.
_KEYS: dict[str, tuple[str, ...]] = {
    "work": ("id_number", "member_id", "name", "household_id"),
    "work_plan": ("id_number", "member_id", "name", "household_id"),
    "village": ("province", "city", "county", "township", "village"),
    "households": ("household_id",),
}
_OWN_LEVEL = {"work": "spell", "work_plan": "spell", "village": "village",
              "households": "household"}


def _restrict(m: _Mapped, role: str, catalogue: FieldCatalogue) -> _Mapped:
    """Keep a table's own level's fields and its keys. A work table repeats 姓名, 户类型,
    劳动技能 ...: the member and household tables are their source, not read again here."""
    level = _OWN_LEVEL.get(role)
    if level is None:
        return m
    keep = {name: src for name, src in m.columns.items()
            if name in _KEYS[role] or catalogue.fields[name].level == level}
    dropped = [src for name, src in m.columns.items() if name not in keep]
    notes = list(m.notes)
    if dropped:
        notes.append(MSG("note_not_read", headers="、".join(dropped)))
    return _Mapped(table=m.table, columns=keep, unmatched=m.unmatched, sensitive=m.sensitive,
                   notes=notes)


def _where(table: RawTable) -> str:
    name = table.path.name
    return name if table.sheet in ("", name) else f"{name} {table.sheet}"


def _missing_required(m: _Mapped, catalogue: FieldCatalogue) -> InputError:
    """InputError listing each missing required field with the closest unmatched headers."""
    missing = [s for s in catalogue.fields.values() if s.required and s.name not in m.columns]
    keys = {h: header_key(str(h), catalogue.units) for h in m.unmatched}
    lines_zh, lines_en = [], []
    for spec in missing:
        targets = [header_key(t, catalogue.units) for t in (spec.label, *spec.aliases)]
        scored = []
        for header, key in keys.items():
            ratio = max(difflib.SequenceMatcher(None, key, t).ratio() for t in targets)
            if ratio >= 0.4:
                scored.append((ratio, header))
        scored.sort(key=lambda x: -x[0])
        near = [h for _, h in scored[:3]]
        if near:
            quoted = "、".join(f"“{h}”" for h in near)
            lines_zh.append(MSG("missing_field_line", "zh", label=spec.label, name=spec.name,
                                headers=quoted))  # fmt: skip
            lines_en.append(MSG("missing_field_line", "en", label=spec.label, name=spec.name,
                                headers=", ".join(f"'{h}'" for h in near)))  # fmt: skip
        else:
            lines_zh.append(MSG("missing_field_none", "zh", label=spec.label, name=spec.name))
            lines_en.append(MSG("missing_field_none", "en", label=spec.label, name=spec.name))
    return InputError(
        MSG("missing_required", "zh", fields="；".join(lines_zh)),
        message_en=MSG("missing_required", "en", fields="; ".join(lines_en)),
        location=_where(m.table),
    )


# ---- one table --------------------------------------------------------------------------------


@dataclass
class _Part:
    info: InputInfo
    frame: pd.DataFrame  # every data row (incl. blank household id), typed columns
    keep: np.ndarray  # bool: row has a household id
    issues: pd.DataFrame  # kind, field, _pos, value, detail (_pos = row position in frame)
    stored: np.ndarray  # bool: id_number stored as a number


def _normalize_table(m: _Mapped, catalogue: FieldCatalogue, index: int, role: str) -> _Part:
    t = m.table
    n = len(t.data)
    cols: dict[str, pd.Series] = {}
    issue_parts: list[pd.DataFrame] = []
    stored = np.zeros(n, dtype=bool)
    same = t.same_as_previous
    if same is None or same.shape != (max(n - 1, 0), len(t.data.columns)):
        same = same_as_previous_rows(t.data)
    position = {src: j for j, src in enumerate(t.data.columns)}

    def repeats(src: str) -> np.ndarray | None:
        return None if same is None else same[:, position[src]]

    # Each source column is released once its last field is normalized: the raw table (~0.5
    # GiB of text at 10^6 rows) and the typed columns are not all held at once.
    last_use = {src: name for name, src in m.columns.items()}
    for name, src in m.columns.items():
        spec = catalogue.fields[name]
        norm = normalize_column(t.data[src].reset_index(drop=True), spec, catalogue,
                                repeats(src))  # fmt: skip
        if last_use[src] == name and src not in m.unmatched:
            del t.data[src]
        cols[name] = norm.values
        if norm.stored_as_number is not None:
            stored = norm.stored_as_number
        for issue in norm.issues:
            issue_parts.append(pd.DataFrame({"kind": issue.kind, "field": name,
                                             "_pos": issue.rows, "value": issue.value,
                                             "detail": issue.detail}))  # fmt: skip
    for src in m.unmatched:
        cols[f"raw:{src}"] = normalize_column(
            t.data[src].reset_index(drop=True), _RAW_SPEC, catalogue, repeats(src)
        ).values
        del t.data[src]
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n))
    frame["_input"] = pd.array(np.full(n, index), dtype="Int64")
    frame["_row"] = pd.array(np.asarray(t.rows, dtype=np.int64), dtype="Int64")
    keep, skip_reason = _rows_kept(frame, role)

    skipped: dict[str, int] = {}
    if len(t.skipped):
        skipped.update({str(k): int(v) for k, v in t.skipped["reason"].value_counts().items()})
    if (~keep).any():
        skipped[skip_reason] = int((~keep).sum())
    letters = dict(zip(t.columns, t.column_letters, strict=False))
    recommended = [s.name for s in catalogue.fields.values() if s.recommended]
    level = "member" if role == "members" else "household"
    info = InputInfo(
        path=t.path,
        sheet=t.sheet,
        reader=t.reader,
        encoding=t.encoding,
        sha256="",
        title_rows=list(t.title_rows),
        header_rows=list(t.header_rows),
        rows_read=int(t.rows_read),
        member_rows=int(keep.sum()) if role == "members" else 0,
        skipped=skipped,
        mapping={name: (src, letters.get(src, "")) for name, src in m.columns.items()},
        unmatched=list(m.unmatched),
        sensitive=[src for src in m.sensitive if src in m.columns.values()],
        missing_optional=[f for f in recommended if f not in m.columns
                          and (level == "member" or catalogue.fields[f].level == "household")]
        if role in ("members", "households") else [],
        notes=[*t.notes, *m.notes],
        role=role,
        household_rows=int(keep.sum()) if role == "households" else 0,
        unit_rows=int(keep.sum()) if role in ("work", "work_plan", "village") else 0,
    )
    issues = pd.concat(issue_parts, ignore_index=True) if issue_parts else _empty_part_issues()
    return _Part(info=info, frame=frame, keep=keep, issues=issues, stored=stored)


def _rows_kept(frame: pd.DataFrame, role: str) -> tuple[np.ndarray, str]:
    """Rows that are units of the table's level, and the skip reason of the others."""
    if role in ("work", "work_plan"):
        keys = [c for c in ("id_number", "member_id") if c in frame.columns]
        keep = np.zeros(len(frame), dtype=bool)
        for c in keys:
            keep |= frame[c].notna().to_numpy(dtype=bool)
        return keep, SKIP_NO_PERSON
    if role == "village":
        if "village" not in frame.columns:
            return np.zeros(len(frame), dtype=bool), SKIP_NO_VILLAGE
        return frame["village"].notna().to_numpy(dtype=bool), SKIP_NO_VILLAGE
    return frame["household_id"].notna().to_numpy(dtype=bool), SKIP_NO_HOUSEHOLD_ID


def _empty_part_issues() -> pd.DataFrame:
    return pd.DataFrame({"kind": [], "field": [], "_pos": np.array([], dtype=np.int64),
                         "value": [], "detail": []})  # fmt: skip


# ---- members ----------------------------------------------------------------------------------


def _assemble_members(parts: list[_Part]) -> tuple[pd.DataFrame, list[pd.DataFrame], np.ndarray]:
    """Concatenate member tables, drop rows without household id, assign member ids."""
    full = pd.concat([p.frame for p in parts], ignore_index=True) if len(parts) > 1 else (
        parts[0].frame
    )
    keep = np.concatenate([p.keep for p in parts])
    stored_all = np.concatenate([p.stored for p in parts])
    offsets = np.cumsum([0] + [len(p.frame) for p in parts])[:-1]
    members = full.loc[keep].reset_index(drop=True)
    # Position in `full` -> position in `members` (-1: not a member).
    new_pos = np.full(len(full), -1, dtype=np.int64)
    new_pos[keep] = np.arange(int(keep.sum()))

    hid = members["household_id"]
    # "<household_id>-<n>" only where 人编号 is missing (most exports fill every row).
    if "member_id" not in members or members["member_id"].isna().any():
        seq = hid.groupby(hid, sort=False).cumcount() + 1
        generated = hid + "-" + seq.astype("string")
        if "member_id" in members:
            members["member_id"] = members["member_id"].fillna(generated)
        else:
            members["member_id"] = generated.astype("string")

    issues = []
    for p, off in zip(parts, offsets, strict=True):
        if not len(p.issues):
            continue
        pos = new_pos[p.issues["_pos"].to_numpy(dtype=np.int64) + off]
        ok = pos >= 0
        sub = p.issues.loc[ok].drop(columns="_pos").reset_index(drop=True)
        at = pos[ok]
        sub["household_id"] = hid.to_numpy()[at]
        sub["member_id"] = members["member_id"].to_numpy()[at]
        sub["_input"] = members["_input"].to_numpy()[at]
        sub["_row"] = members["_row"].to_numpy()[at]
        issues.append(sub)
    return members, issues, stored_all[keep]


def _no_members() -> pd.DataFrame:
    """An empty members frame (the dataset has no member table)."""
    return pd.DataFrame({
        "household_id": pd.array([], dtype="string"),
        "member_id": pd.array([], dtype="string"),
        "_input": pd.array([], dtype="Int64"),
        "_row": pd.array([], dtype="Int64"),
    })


def _order_columns(members: pd.DataFrame, catalogue: FieldCatalogue) -> pd.DataFrame:
    keys = ["household_id", "member_id"]
    canon = [n for n in catalogue.fields if n in members.columns and n not in keys]
    derived = [c for c in ("birth_date", "sex", "id_valid", "id_stored_as_number", "age")
               if c in members.columns]  # fmt: skip
    raw = [c for c in members.columns if c.startswith("raw:")]
    tail = ["_input", "_row"]
    rest = [c for c in members.columns if c not in {*keys, *canon, *derived, *raw, *tail}]
    return members[[*keys, *canon, *derived, *rest, *raw, *tail]]


# ---- households -------------------------------------------------------------------------------


def _household_fields(frame: pd.DataFrame, catalogue: FieldCatalogue) -> list[str]:
    return [
        c for c in frame.columns
        if c != "household_id" and c in catalogue.fields
        and catalogue.fields[c].level == "household"
    ]  # fmt: skip


def _resolve(
    frame: pd.DataFrame, fields: list[str], is_head: np.ndarray, catalogue: FieldCatalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per household of ``frame``: each field from the head's row, else the value the
    rows agree on; rows that disagree -> one household_field_conflict issue per field (no head:
    the value is left blank, since no row is authoritative)."""
    codes, uniques = pd.factorize(frame["household_id"], sort=False)
    order = np.lexsort((~is_head, codes))  # by household (first appearance), head first
    g = codes[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.array([], int)
    first_pos = order[starts]
    has_head = is_head[first_pos]
    out = pd.DataFrame(index=pd.Index(uniques, name="household_id", dtype="string"))
    issue_parts = []
    sorted_frame = frame.iloc[order]
    # Plain int64 arrays (rows and inputs are never blank): the per-field check is numpy only.
    rows_sorted = sorted_frame["_row"].to_numpy(dtype=np.int64, na_value=-1)
    inputs_sorted = sorted_frame["_input"].to_numpy(dtype=np.int64, na_value=-1)
    first_row = rows_sorted[starts] if len(g) else rows_sorted[:0]
    for name in fields:
        col = sorted_frame[name].reset_index(drop=True)
        chosen, at = _first_valid(col, g, len(uniques))  # first non-NA, head's row first
        _cite_source_rows(out, name, at, rows_sorted, inputs_sorted, first_row)
        broadcast = pd.Series(chosen.array.take(g))
        # Blank cells never conflict (household fields are often only on the head's row).
        conflict = (col != broadcast).fillna(False).to_numpy(dtype=bool, copy=True)
        conflict &= col.notna().to_numpy(dtype=bool) & broadcast.notna().to_numpy(dtype=bool)
        values = chosen.copy()
        if conflict.any():
            groups = np.unique(g[conflict])
            no_head = groups[~has_head[groups]]
            if len(no_head):
                values.iloc[no_head] = pd.NA
            spec = catalogue.fields.get(name)
            label = spec.label if spec else name
            issue_parts.append(_conflict_issues(frame, order, g, conflict, col, values, name,
                                                label))  # fmt: skip
        out[name] = values.to_numpy() if values.dtype == object else values.array
    out["_input"] = frame["_input"].array.take(first_pos)
    out["_row"] = frame["_row"].array.take(first_pos)
    issues = pd.concat(issue_parts, ignore_index=True) if issue_parts else pd.DataFrame(
        columns=list(ISSUE_COLUMNS)
    )
    return out, issues


def _first_valid(col: pd.Series, g: np.ndarray, n_groups: int) -> tuple[pd.Series, np.ndarray]:
    """Per group (``g``: sorted group codes of ``col``'s rows), its first non-NA value (NA for
    a group without one) and that value's position in ``col`` (-1 without one).
    ``groupby(g).first()`` without building the grouping per field."""
    pos = np.flatnonzero(col.notna().to_numpy(dtype=bool))
    at = np.full(n_groups, -1, dtype=np.intp)
    if len(pos):
        gp = g[pos]
        firsts = pos[np.r_[True, gp[1:] != gp[:-1]]]  # g is sorted: one run per group
        at[g[firsts]] = firsts
    return pd.Series(col.array.take(at, allow_fill=True)), at


def source_row_column(name: str) -> str:
    """The households column holding the spreadsheet row a household field was read from,
    present only when some household's value is not on its cited row (``_row``)."""
    return f"_row@{name}"


def source_input_column(name: str) -> str:
    """Like :func:`source_row_column`, the index of the input that row belongs to."""
    return f"_input@{name}"


def _cite_source_rows(
    out: pd.DataFrame,
    name: str,
    at: np.ndarray,
    rows_sorted: np.ndarray,
    inputs_sorted: np.ndarray,
    first_row: np.ndarray,
) -> None:
    """Carry the row each household value came from when it is not the household's own row
    (the head left the cell blank, another member's row has it): a finding then cites the
    cell the value was read from (issue 11, part 5)."""
    found = at >= 0
    if not found.any():
        return
    pos = np.where(found, at, 0)
    rows = np.where(found, rows_sorted[pos], first_row)
    if not (rows != first_row).any():
        return
    out[source_row_column(name)] = pd.array(rows, dtype="Int64")
    out[source_input_column(name)] = pd.array(np.where(found, inputs_sorted[pos], -1),
                                              dtype="Int64")


def _conflict_issues(
    frame: pd.DataFrame,
    order: np.ndarray,
    g: np.ndarray,
    conflict: np.ndarray,
    col: pd.Series,
    chosen: pd.Series,
    name: str,
    label: str,
) -> pd.DataFrame:
    """One issue per conflicting household, citing its first row that disagrees."""
    at = np.flatnonzero(conflict)
    _, first = np.unique(g[at], return_index=True)
    at = at[first]  # position (in sorted order) of each household's first disagreeing row
    rows = order[at]
    used = chosen.astype("string").iloc[g[at]].fillna("").reset_index(drop=True)
    other = col.astype("string").iloc[at].fillna("").reset_index(drop=True)
    values = used + " / " + other
    head, _, tail = MSG.entries["issue_conflict"][0].format(
        label=label, values="\x00", chosen="\x01"
    ).partition("\x00")
    middle, _, tail = tail.partition("\x01")
    detail = head + values + middle + used.where(used != "", "—") + tail
    member_ids = frame["member_id"].to_numpy()[rows] if "member_id" in frame else pd.NA
    return pd.DataFrame(
        {
            "kind": HOUSEHOLD_FIELD_CONFLICT,
            "field": name,
            "household_id": frame["household_id"].to_numpy()[rows],
            "member_id": member_ids,
            "_input": frame["_input"].to_numpy()[rows],
            "_row": frame["_row"].to_numpy()[rows],
            "value": values.to_numpy(),
            "detail": detail.to_numpy(),
        }
    )


def _households(
    members: pd.DataFrame, catalogue: FieldCatalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fields = _household_fields(members, catalogue)
    if "relation" in members:
        is_head = (members["relation"] == HEAD).fillna(False).to_numpy(dtype=bool)
    else:
        is_head = np.zeros(len(members), dtype=bool)
    households, issues = _resolve(members, fields, is_head, catalogue)
    counts = members.groupby("household_id", sort=False).size()
    households.insert(len(fields), "member_count", counts.reindex(households.index).astype("Int64"))
    return households, issues


def _cited_on_sheet(households: pd.DataFrame, sheet: pd.DataFrame, fields: list[str]) -> None:
    """A value the household sheet gives is read from the sheet's row (``_row`` once joined),
    not from the member row the member table's value came from: drop that citation, or take
    the sheet's own when its value is on another of its rows."""
    for name in fields:
        for col in (source_row_column(name), source_input_column(name)):
            given = sheet[name].reindex(households.index).notna().to_numpy(dtype=bool)
            if col in sheet:
                households[col] = sheet[col].reindex(households.index).where(
                    given, households[col] if col in households else pd.NA).astype("Int64")
            elif col in households:
                households.loc[given, col] = pd.NA


def _join_household_sheets(
    members: pd.DataFrame,
    households: pd.DataFrame,
    parts: list[_Part],
    catalogue: FieldCatalogue,
) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Two-sheet layout: household-sheet values win for the fields it has (its row is cited);
    members get those values too, joined by household_id."""
    issues: list[pd.DataFrame] = []
    for p in parts:
        if len(p.issues):
            pos = p.issues["_pos"].to_numpy(dtype=np.int64)
            ok = p.keep[pos]
            sub = p.issues.loc[ok].drop(columns="_pos").reset_index(drop=True)
            sub["household_id"] = p.frame["household_id"].to_numpy()[pos[ok]]
            sub["member_id"] = pd.NA
            sub["_input"] = p.frame["_input"].to_numpy()[pos[ok]]
            sub["_row"] = p.frame["_row"].to_numpy()[pos[ok]]
            issues.append(sub)
    frame = pd.concat([p.frame.loc[p.keep] for p in parts], ignore_index=True)
    fields = [c for c in frame.columns if c not in ("household_id", "_input", "_row")]
    sheet, conflicts = _resolve(frame, fields, np.zeros(len(frame), dtype=bool), catalogue)
    _cited_on_sheet(households, sheet, fields)
    issues.append(conflicts)

    new_ids = sheet.index.difference(households.index)
    if len(new_ids):  # households listed on the household sheet without any member row
        households = households.reindex(households.index.append(new_ids))
        households.index.name = "household_id"
        households.loc[new_ids, "member_count"] = 0
    for name in fields:
        value = sheet[name].reindex(households.index)
        households[name] = (
            value.where(value.notna(), households[name]) if name in households else value
        )
        if name.startswith("raw:"):
            continue  # the household sheet's own unmatched columns stay on households
        joined = sheet[name].reindex(members["household_id"]).reset_index(drop=True)
        members[name] = joined.where(joined.notna(), members[name]) if name in members else joined
    cited = households.index.isin(sheet.index)
    for c in ("_input", "_row"):
        households.loc[cited, c] = sheet[c].reindex(households.index[cited]).to_numpy()
    cols = [c for c in households.columns if c not in ("_input", "_row")] + ["_input", "_row"]
    return members, households[cols], issues


# ---- issues -----------------------------------------------------------------------------------


def _issues_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if parts:
        df = pd.concat([p[list(ISSUE_COLUMNS)] for p in parts], ignore_index=True)
    else:
        df = pd.DataFrame({c: [] for c in ISSUE_COLUMNS})
    for c in ("kind", "field", "household_id", "member_id", "value", "detail"):
        df[c] = df[c].astype("string")
    for c in ("_input", "_row"):
        df[c] = pd.array(df[c], dtype="Int64") if len(df) else pd.array([], dtype="Int64")
    return df
