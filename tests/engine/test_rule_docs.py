"""Meta-tests of the shipped rules: documented, tested, parameterised, codes matching families."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from exitcheck.engine.params import load_params
from exitcheck.engine.ruleset import load_ruleset
from exitcheck.findings import Family
from exitcheck.resources import params_dir, shipped_rules_dir

RULES_DIR = shipped_rules_dir()
REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"
# Numbers a rule may write literally: 0 (sign tests, "blank counts as 0") and 1 ("exactly one
# head", "1 + margin"). Every other number is a threshold and belongs in rules/params/ (COMMON.md).
ALLOWED_LITERALS = {0, 1}

_yaml = YAML(typ="safe")


def _load(path: Path) -> Any:
    return _yaml.load(path.read_text(encoding="utf-8"))


def _raw_rules() -> list[tuple[str, str, dict[str, Any]]]:
    """(file name, family, rule mapping) as written in rules/rulesets/*.yaml."""
    out = []
    for path in sorted((RULES_DIR / "rulesets").glob("*.yaml")):
        data = _load(path)
        out += [(path.name, data["family"], rule) for rule in data["rules"]]
    return out


RAW_RULES = _raw_rules()
RULE_IDS = [rule["code"] for _, _, rule in RAW_RULES]


def _cases_of(code: str) -> list[dict[str, Any]]:
    path = RULES_DIR / "tests" / f"{code}.yaml"
    return list(_load(path)["cases"]) if path.exists() else []


def test_shipped_rule_set_loads_and_compiles() -> None:
    ruleset = load_ruleset()
    assert sorted(r.code for r in ruleset) == sorted(RULE_IDS)


def test_codes_and_names_unique() -> None:
    names = [rule["name"] for _, _, rule in RAW_RULES]
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("file", "family", "rule"), RAW_RULES, ids=RULE_IDS)
def test_rule_is_documented(file: str, family: str, rule: dict[str, Any]) -> None:
    for key in ("title", "title_en", "reference", "message", "message_en"):
        assert str(rule.get(key) or "").strip(), f"{file} {rule['code']}: {key} missing"
    # Chinese first: the Chinese title and message carry Chinese text.
    assert re.search(r"[\u4e00-\u9fff]", rule["title"]), rule["code"]
    assert re.search(r"[\u4e00-\u9fff]", rule["message"]), rule["code"]


@pytest.mark.parametrize(("file", "family", "rule"), RAW_RULES, ids=RULE_IDS)
def test_code_matches_family(file: str, family: str, rule: dict[str, Any]) -> None:
    assert family in {f.value for f in Family}
    assert re.fullmatch(rf"{family}\d{{3}}", rule["code"]), f"{file}: {rule['code']} vs {family}"


@pytest.mark.parametrize(("file", "family", "rule"), RAW_RULES, ids=RULE_IDS)
def test_rule_has_pass_and_violated_cases(file: str, family: str, rule: dict[str, Any]) -> None:
    expects = {case["expect"] for case in _cases_of(rule["code"])}
    assert {"pass", "violated"} <= expects, f"{rule['code']}: cases expect only {expects}"


def test_every_case_file_belongs_to_a_rule() -> None:
    for path in sorted((RULES_DIR / "tests").glob("*.yaml")):
        data = _load(path)
        assert data["rule"] == path.stem, path.name
        assert data["rule"] in RULE_IDS, path.name
        names = [case["name"] for case in data["cases"]]
        assert len(set(names)) == len(names), f"{path.name}: duplicate case names"


def _numbers(expression: str) -> list[float]:
    tree = ast.parse(expression, mode="eval")
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ]


EXPRESSIONS = [
    (rule["code"], key, rule[key])
    for _, _, rule in RAW_RULES
    for key in ("when", "require")
    if rule.get(key)
]


@pytest.mark.parametrize(
    ("code", "key", "text"), EXPRESSIONS, ids=[f"{c}-{k}" for c, k, _ in EXPRESSIONS]
)
def test_no_threshold_literal_in_expressions(code: str, key: str, text: str) -> None:
    stray = [n for n in _numbers(text) if n not in ALLOWED_LITERALS]
    assert not stray, f"{code} {key}: write {stray} as param.NAME in rules/params/"


def test_literal_check_catches_a_threshold() -> None:
    # The check above must be able to fail.
    assert _numbers("per_capita_net_income > 3750") == [3750]
    assert _numbers("count(relation == '户主') == 1 and x > 0") == [1, 0]


def test_message_placeholders_name_parameters_the_rule_can_resolve() -> None:
    params = set(load_params().names())
    for _, _, rule in RAW_RULES:
        for key in ("message", "message_en"):
            for _, name, _, _ in string.Formatter().parse(rule[key]):
                if name and name.startswith("param."):
                    assert name.removeprefix("param.") in params, f"{rule['code']}: {{{name}}}"


PARAM_FILES = sorted(params_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", PARAM_FILES, ids=[p.stem for p in PARAM_FILES])
def test_every_parameter_value_has_source_and_verified_flag(path: Path) -> None:
    data = _load(path)
    assert data["name"] == path.stem
    assert str(data.get("title") or "").strip() and str(data.get("title_en") or "").strip()
    assert data["values"], path.name
    for region, entries in data["values"].items():
        assert region == "national" or re.fullmatch(r"\d{2}", str(region)), region
        for entry in entries:
            assert str(entry.get("source") or "").strip(), f"{path.name} {region}: no source"
            assert isinstance(entry.get("verified"), bool), f"{path.name} {region}: verified"


def test_every_parameter_used_by_a_rule_is_shipped() -> None:
    ruleset = load_ruleset()
    shipped = {p.stem for p in PARAM_FILES}
    assert set(ruleset.params()) <= shipped


def test_exit_line_values_from_policy() -> None:
    """docs/policy.md §2: 四川 2019 = 3750 (verified, 广安区 2019); national 2019 = 3218."""
    store = load_params()
    sichuan = store.resolve("exit_income_line", 2019, "51")
    assert (sichuan.value, sichuan.region, sichuan.verified) == (3750, "51", True)
    anhui = store.resolve("exit_income_line", 2019, "34")
    assert (anhui.value, anhui.region) == (3218, None)
    guizhou = store.resolve("monitoring_income_line", 2023, "52")
    assert (guizhou.value, guizhou.verified) == (7300, True)


def test_regions_table_has_31_provinces_and_the_western_list_fits() -> None:
    table = _load(RULES_DIR / "regions.yaml")["provinces"]
    assert len(table) == 31
    assert all(re.fullmatch(r"\d{2}", str(code)) for code in table)
    assert table["51"]["name"] == "四川省" and "川" in table["51"]["short"]
    western = load_params().resolve("western_provinces", 2020, None).value
    assert len(western) == 12 and set(western) <= set(table)


def test_rule_catalogue_document_lists_every_rule() -> None:
    text = (REPO_DOCS / "rule-catalogue.md").read_text(encoding="utf-8")
    missing = [code for code in RULE_IDS if f"| {code} |" not in text]
    assert not missing, f"docs/rule-catalogue.md lacks {missing}"


def test_rule_catalogue_document_is_up_to_date() -> None:
    # Generated file: regenerate with `exitcheck rules doc -o docs/rule-catalogue.md`.
    from exitcheck.engine.ruleset import load_ruleset
    from exitcheck.report.rule_catalogue import render_rule_catalogue

    text = (REPO_DOCS / "rule-catalogue.md").read_text(encoding="utf-8")
    assert text == render_rule_catalogue(load_ruleset(), load_params())
