"""--columns mapping files: targets resolved to canonical names; typos are errors at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exitcheck.errors import RuleFileError
from exitcheck.schema.catalogue import FieldCatalogue, load_column_mapping


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_accepts_names_and_labels(tmp_path: Path, catalogue: FieldCatalogue) -> None:
    path = write(tmp_path, "columns:\n  人员证件: id_number\n  收入合计（人均）: 人均纯收入\n")
    assert load_column_mapping(path, catalogue) == {
        "人员证件": "id_number",
        "收入合计（人均）": "per_capita_net_income",
    }


def test_mapping_without_wrapper(tmp_path: Path, catalogue: FieldCatalogue) -> None:
    path = write(tmp_path, "户主代码: household_id\n")
    assert load_column_mapping(path, catalogue) == {"户主代码": "household_id"}


def test_typo_is_an_error_with_line_and_suggestion(
    tmp_path: Path, catalogue: FieldCatalogue
) -> None:
    text = "columns:\n  人员证件: id_number\n  人均: per_capita_net_incom\n"
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_column_mapping(path, catalogue)
    err = info.value
    assert err.location == f"{path}:3"
    assert "per_capita_net_incom" in err.message
    assert "per_capita_net_income" in err.message  # the closest name is suggested
    assert "per_capita_net_income" in err.message_en
    # The offending line is shown with a caret under the value, as for rule files.
    # (人均 is two characters four columns wide: the caret pads by display width.)
    assert err.detail == "   3 |   人均: per_capita_net_incom\n     | " + " " * 8 + "^" * 20


def test_missing_mapping_file_is_named(tmp_path: Path, catalogue: FieldCatalogue) -> None:
    with pytest.raises(RuleFileError) as info:
        load_column_mapping(tmp_path / "nope.yaml", catalogue)
    assert info.value.location == str(tmp_path / "nope.yaml")
    assert info.value.message == "找不到文件" and info.value.message_en == "file not found"


def test_label_typo_suggests_the_label(tmp_path: Path, catalogue: FieldCatalogue) -> None:
    path = write(tmp_path, "columns:\n  人均: 人均纯收\n")
    with pytest.raises(RuleFileError) as info:
        load_column_mapping(path, catalogue)
    assert "人均纯收入" in info.value.message


@pytest.mark.parametrize("text", ["columns:\n  人均: 12\n", "- a\n- b\n", "columns:\n"])
def test_malformed_mapping(tmp_path: Path, catalogue: FieldCatalogue, text: str) -> None:
    with pytest.raises(RuleFileError) as info:
        load_column_mapping(write(tmp_path, text), catalogue)
    assert info.value.location is not None
