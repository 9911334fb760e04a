"""A field name that is not lower_snake_case is a rule-file error at its line, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from exitcheck.errors import RuleFileError
from exitcheck.exitcodes import ExitCode
from exitcheck.schema.catalogue import load_catalogue


def test_bad_field_name_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "fields.yaml"
    path.write_text(
        "version: 1\n"
        "fields:\n"
        "  household_id: {label: 户编号, label_en: Household ID, level: household, type: id,"
        " required: true}\n"
        "  PerCapita: {label: 人均纯收入, label_en: Income, level: household, type: number}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as err:
        load_catalogue(path)
    assert err.value.exit_code == ExitCode.RULES_INVALID
    assert err.value.location is not None and err.value.location.endswith("fields.yaml:4")
    assert "fields.PerCapita" in err.value.message
