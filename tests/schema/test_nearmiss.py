"""Near-miss headers (schema/nearmiss.py): which unrecognised headers are called a field a rule
needed, and the mapping line suggested for them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue
from exitcheck.schema.model import InputInfo
from exitcheck.schema.nearmiss import column_hints, near_field


@pytest.fixture(scope="module")
def catalogue() -> FieldCatalogue:
    return load_catalogue()


def _info(unmatched: list[str], name: str = "a.csv") -> InputInfo:
    return InputInfo(path=Path(name), sheet=name, reader="pandas.csv", encoding="utf-8",
                     sha256="", title_rows=[], header_rows=[1], rows_read=1, member_rows=1,
                     skipped={}, mapping={}, unmatched=unmatched, missing_optional=[])


@pytest.mark.parametrize("header", [
    "2019年人均纯收入(元)",      # year prefix, half-width unit
    "2019年人均纯收入（元）",    # full-width brackets
    "人均纯收入2019年度",        # year suffix
    "上年度人均纯收入",          # year word
    "人均纯收人",                # one character wrong (edit distance)
    "人均 纯收入 (元/人)",       # spaces, a compound unit
])
def test_near_headers_name_the_income_field(catalogue: FieldCatalogue, header: str) -> None:
    spec = near_field(header, [catalogue.fields["per_capita_net_income"]], catalogue)
    assert spec is not None and spec.name == "per_capita_net_income"


@pytest.mark.parametrize("header", ["备注", "村", "工资性收入", "2019", "户主姓名电话"])
def test_other_headers_are_not_near(catalogue: FieldCatalogue, header: str) -> None:
    assert near_field(header, [catalogue.fields["per_capita_net_income"]], catalogue) is None


def test_hint_carries_a_mapping_line_that_loads(catalogue: FieldCatalogue) -> None:
    hints = column_hints([_info(["备注", "2019年人均纯收入(元)"])],
                         {"per_capita_net_income": ["INC001", "RISK002"]}, catalogue)
    assert len(hints) == 1
    hint = hints[0]
    assert hint.yaml_line == '"2019年人均纯收入(元)": per_capita_net_income'
    assert yaml.safe_load(hint.yaml_line) == {"2019年人均纯收入(元)": "per_capita_net_income"}
    zh, en = hint.message("zh"), hint.message("en")
    assert "INC001、RISK002" in zh and "--columns" in zh and hint.yaml_line in zh
    assert "INC001, RISK002" in en and "--columns" in en


def test_only_fields_a_rule_needed(catalogue: FieldCatalogue) -> None:
    assert column_hints([_info(["2019年人均纯收入(元)"])], {}, catalogue) == []
    # A header with a quote or a colon still gives a valid YAML line.
    hints = column_hints([_info(['人均纯收入:'])], {"per_capita_net_income": ["INC001"]},
                         catalogue)
    assert hints and yaml.safe_load(hints[0].yaml_line) == {
        '人均纯收入:': "per_capita_net_income"}
