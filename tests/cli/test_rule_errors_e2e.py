"""Exit code 4 through the installed command: broken rule, parameter, mapping and exemption files.

Each error is reported at ``file:line`` (rule files also show the offending text and a caret
line under it), without a traceback, and nothing is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli_runner import SAMPLE_DATA, run_cli

COUNTY_XLSX = SAMPLE_DATA / "county_2019.xlsx"

RULE_HEAD = """family: INC
rules:
  - code: INC901
    name: income.custom_check
    title: 自定义检查
    title_en: Custom check
    severity: fail
    level: household
    reference: 测试
"""
RULE_TAIL = """    message: 自定义检查未通过
    message_en: custom check failed
"""


def rule_file(tmp_path: Path, body: str, name: str = "my_rules.yaml") -> tuple[Path, int]:
    """A rule file whose body (a few lines) starts at a known line; returns (path, that line)."""
    path = tmp_path / name
    path.write_text(RULE_HEAD + body + RULE_TAIL, encoding="utf-8")
    return path, RULE_HEAD.count("\n") + 1


def run_audit(tmp_path: Path, *args: str | Path):
    return run_cli("audit", COUNTY_XLSX, "-o", tmp_path / "out.xlsx", *args, cwd=tmp_path)


def assert_rule_error(res, path: Path, line: int, caret_under: str | None) -> str:
    assert res.returncode == 4, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    err = res.stderr
    first = err.splitlines()[0]
    assert re.search(rf"{re.escape(path.name)}:{line}\b", first), (line, err)
    if caret_under is not None:
        lines = err.splitlines()
        # A line showing the offending text, then a caret line pointing at it.
        i = next(i for i, text in enumerate(lines) if caret_under in text and i > 0)
        carets = lines[i + 1]
        assert set(carets.split("|")[-1].strip()) == {"^"}, err
        start = carets.index("^")
        assert lines[i][start:].startswith(caret_under[0]), err
        assert lines[i][start:start + carets.count("^")] in caret_under, err
    return err


def test_valid_user_rule_file_runs(tmp_path: Path) -> None:
    path, _ = rule_file(tmp_path, "    require: per_capita_net_income > 1000000\n")
    res = run_cli("audit", COUNTY_XLSX, "--rules", path, "--select", "INC901", "--no-excel",
                  "--format", "json", cwd=tmp_path)
    assert res.returncode == 1, res.stderr  # every household is below a million
    assert '"INC901"' in res.stdout


def test_yaml_syntax_error(tmp_path: Path) -> None:
    # "mapping values are not allowed here": detected on the line itself.
    path, line = rule_file(tmp_path, "    require: per_capita_net_income: > 0\n")
    res = run_audit(tmp_path, "--rules", path)
    assert_rule_error(res, path, line, ":")
    assert not (tmp_path / "out.xlsx").exists()


def test_unknown_key(tmp_path: Path) -> None:
    path, line = rule_file(tmp_path, "    colour: red\n    require: per_capita_net_income > 0\n")
    err = assert_rule_error(run_audit(tmp_path, "--rules", path), path, line, "colour")
    assert "colour" in err.splitlines()[0]


def test_unknown_field_in_expression(tmp_path: Path) -> None:
    path, line = rule_file(tmp_path, "    require: per_capita_net_incme > 0\n")
    err = assert_rule_error(run_audit(tmp_path, "--rules", path), path, line,
                            "per_capita_net_incme")
    assert "per_capita_net_income" in err  # suggests the closest name


def test_disallowed_construct(tmp_path: Path) -> None:
    path, line = rule_file(tmp_path, '    require: __import__("os") == 1\n')
    assert_rule_error(run_audit(tmp_path, "--rules", path), path, line, "__import__")


def test_attribute_access_refused(tmp_path: Path) -> None:
    path, line = rule_file(tmp_path, "    require: per_capita_net_income.real > 0\n")
    assert_rule_error(run_audit(tmp_path, "--rules", path), path, line, None)


def test_rule_folder_names_the_broken_file(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    rule_file(folder, "    require: per_capita_net_income > 0\n", name="good.yaml")
    bad = folder / "bad.yaml"
    bad.write_text("family: EDU\nrules:\n  - code: EDU901\n    name: [\n", encoding="utf-8")
    res = run_audit(tmp_path, "--rules", folder)
    assert res.returncode == 4
    assert "bad.yaml:" in res.stderr and "good.yaml" not in res.stderr


def test_broken_parameter_file(tmp_path: Path) -> None:
    path = tmp_path / "exit_income_line.yaml"
    path.write_text(
        "name: exit_income_line\ntitle: 脱贫标准\ntitle_en: Exit line\nunit: 元/人·年\n"
        "type: number\nvalues:\n  \"51\":\n"
        "    - {from: notadate, value: 5000, source: test, verified: true}\n",
        encoding="utf-8")
    err = assert_rule_error(run_audit(tmp_path, "--params", path), path, 8, "notadate")
    assert "from" in err.splitlines()[0]


def test_parameter_file_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "exit_income_line.yaml"
    path.write_text(
        "name: exit_income_line\ntitle: 脱贫标准\ntitle_en: Exit line\nunit: 元/人·年\n"
        "type: number\nfavourite: 3\nvalues:\n  \"51\":\n"
        "    - {from: 2019-01-01, value: 5000, source: test, verified: true}\n",
        encoding="utf-8")
    assert_rule_error(run_audit(tmp_path, "--params", path), path, 6, "favourite")


@pytest.mark.parametrize(("text", "line"), [
    ("columns:\n  人均收入合计: no_such_field\n", 2),
    ("columns:\n  人均收入合计: [1, 2]\n", 2),
    ("columns:\n  人均收入合计: a: b\n", 2),
])
def test_broken_column_mapping(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("audit", "inspect"):
        args = ["-o", tmp_path / "out.xlsx"] if command == "audit" else []
        res = run_cli(command, COUNTY_XLSX, "--columns", path, *args, cwd=tmp_path)
        assert res.returncode == 4, (command, res.stderr)
        assert "Traceback" not in res.stderr
        assert f"mapping.yaml:{line}" in res.stderr.splitlines()[0]
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize(("text", "line"), [
    # no reason
    ('exemptions:\n  - 户编号: "5116021012050010"\n    规则: INC001\n', 2),
    # unknown column
    ('exemptions:\n  - 户编号: "5116021012050010"\n    规则: INC001\n    原因: 已核实\n'
     "    备注二: x\n", 2),
    # bad date
    ('exemptions:\n  - 户编号: "5116021012050010"\n    规则: INC001\n    原因: 已核实\n'
     "    有效期至: 明年\n", 2),
])
def test_broken_exemptions(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "exempt.yaml"
    path.write_text(text, encoding="utf-8")
    res = run_audit(tmp_path, "--exemptions", path)
    assert res.returncode == 4, res.stderr
    assert "Traceback" not in res.stderr
    first = res.stderr.splitlines()[0]
    found = re.search(r"exempt\.yaml:(\d+)", first)
    assert found, first
    assert line <= int(found.group(1)) <= text.count("\n")
    assert not (tmp_path / "out.xlsx").exists()


def test_valid_exemption_turns_finding_exempted(tmp_path: Path) -> None:
    import json

    path = tmp_path / "exempt.yaml"
    path.write_text('exemptions:\n  - 户编号: "5116021012050010"\n    规则: INC001\n'
                    "    原因: 已复核，收入口径差异\n", encoding="utf-8")
    res = run_cli("audit", COUNTY_XLSX, "--exemptions", path, "--no-excel", "--format", "json",
                  cwd=tmp_path)
    assert res.returncode == 1, res.stderr  # two other INC001 households still fail
    report = json.loads(res.stdout)
    inc = {f["household_id"]: f for f in report["findings"] if f["rule"] == "INC001"}
    assert inc["5116021012050010"]["status"] == "exempted"
    assert sum(f["status"] == "violated" for f in inc.values()) == 2
