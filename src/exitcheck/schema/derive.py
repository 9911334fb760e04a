"""Derived member columns: birth date and sex from the ID, ID validity, age at the as-of date."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd

from exitcheck.schema import ids
from exitcheck.schema.model import Registry


def derive_members(
    members: pd.DataFrame, stored_as_number: np.ndarray, facts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add birth_date, sex, id_valid, id_stored_as_number to a members frame (new frame).

    birth_date and sex come from the ID number when it has the 18/15-digit form and a real
    date (a wrong check character does not hide the date), else from the stated 出生日期 /
    性别 columns. The sex digit of an ID stored as a number is among the lost digits, so for
    those rows sex comes from the stated column only. An ID stored as a number is not valid.
    ``facts`` is ``ids.id_facts(members["id_number"])`` when the caller already has it.
    """
    n = len(members)
    id_text = members["id_number"] if "id_number" in members else pd.Series(
        pd.NA, index=members.index, dtype="string"
    )
    lost = pd.Series(stored_as_number.astype(bool), index=members.index)

    if facts is None or not facts.index.equals(members.index):
        facts = ids.id_facts(id_text)
    birth = facts["birth_date"]
    if "birth_date_stated" in members:
        birth = birth.fillna(members["birth_date_stated"])
    sex = facts["sex"].mask(lost, pd.NA)
    if "sex_stated" in members:
        sex = sex.fillna(members["sex_stated"])
    valid = facts["valid"] & ~lost.astype("boolean")
    derived = pd.DataFrame(
        {
            "birth_date": birth.astype("datetime64[ns]"),
            "sex": sex.astype("string"),
            "id_valid": valid.fillna(False).astype("boolean"),
            "id_stored_as_number": pd.array(lost.to_numpy(), dtype="boolean"),
        },
        index=members.index,
    )
    assert len(derived) == n
    return pd.concat([members, derived], axis=1)


def ages(birth: pd.Series, as_of: date) -> pd.Series:
    """Whole years from ``birth`` to ``as_of`` (Int64); NA when unknown or born after as_of."""
    b = pd.to_datetime(birth)
    years = as_of.year - b.dt.year
    not_yet = (b.dt.month > as_of.month) | ((b.dt.month == as_of.month) & (b.dt.day > as_of.day))
    age = (years - not_yet.astype(int)).astype("Int64")
    return age.where(age >= 0)


def add_age(registry: Registry, as_of: date) -> Registry:
    """A copy of ``registry`` with members' ``age`` at ``as_of`` and ``as_of`` set.

    The as-of date is an input (docs/policy.md §2: default 31 December of --year), never today.
    """
    members = registry.members.copy()
    members["age"] = ages(members["birth_date"], as_of) if "birth_date" in members else pd.array(
        [pd.NA] * len(members), dtype="Int64"
    )
    return dataclasses.replace(registry, members=members, as_of=as_of)
