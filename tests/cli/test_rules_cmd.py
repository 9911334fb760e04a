"""`exitcheck rules list|show|test`, `params list|show` and `explain` through Typer's CliRunner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from exitcheck.cli import explain_cmd
from exitcheck.cli.params_cmd import params_app
from exitcheck.cli.rules_cmd import rules_app
from exitcheck.errors import RuleFileError, UsageError

app = typer.Typer()
app.add_typer(rules_app, name="rules")
app.add_typer(params_app, name="params")
app.command("explain")(explain_cmd.explain)
runner = CliRunner()

MY_RULE = """\
family: INC
rules:
  - code: INC901
    name: custom.high_income
    title: 自定义：人均纯收入高于 5000
    title_en: Custom income check
    severity: warning
    level: household
    require: per_capita_net_income > 5000
    message: 人均纯收入 {per_capita_net_income} 不高于 5000
    reference: 本地规定
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_rules_list_family() -> None:
    result = runner.invoke(app, ["rules", "list", "--family", "INC"])
    assert result.exit_code == 0, result.output
    assert "INC001" in result.output and "MED" not in result.output
    en = runner.invoke(app, ["rules", "list", "--lang", "en"])
    assert en.exit_code == 0 and "Per-capita net income" in en.output


def test_rules_show_with_resolved_params() -> None:
    result = runner.invoke(app, ["rules", "show", "INC001", "--year", "2019", "--region", "四川"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "income.above_exit_line" in out
    assert "per_capita_net_income > param.exit_income_line" in out
    assert "param.exit_income_line = 3750" in out and "2019-01-01" in out
    assert "示例" in out  # the rule's shipped test cases as examples
    unknown = runner.invoke(app, ["rules", "show", "INC999"])
    assert isinstance(unknown.exception, UsageError)


SHIPPED_CASES = sorted((Path(__file__).parents[2] / "rules" / "tests").glob("*.yaml"))
SHARDS = 4  # ~70 s of cases in one process: four tests so that xdist spreads them


@pytest.mark.parametrize("shard", range(SHARDS))
def test_rules_test_shipped_cases_pass(shard: int) -> None:
    files = SHIPPED_CASES[shard::SHARDS]
    assert files
    result = runner.invoke(app, ["rules", "test", *map(str, files)])
    assert result.exit_code == 0, result.output[-2000:]
    assert " 0 failed" in result.output and " 0 passed" not in result.output


def test_rules_test_user_rules_and_cases(tmp_path: Path) -> None:
    rules = write(tmp_path, "my_rules.yaml", MY_RULE)
    (tmp_path / "cases").mkdir()
    write(tmp_path / "cases", "INC901.yaml", """\
        rule: INC901
        cases:
          - name: 高收入
            year: 2019
            household: {per_capita_net_income: 6000}
            expect: pass
          - name: 写错的预期
            year: 2019
            household: {per_capita_net_income: 4000}
            expect: pass
        """)
    result = runner.invoke(app, ["rules", "test", str(tmp_path / "cases"), "--rules", str(rules)])
    assert result.exit_code == 1, result.output
    assert "1 passed, 1 failed" in result.output and "INC901" in result.output
    listed = runner.invoke(app, ["rules", "list", "--rules", str(rules)])
    assert "INC901" in listed.output


def test_rules_test_malformed_case_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "rule: INC001\ncases:\n  - name: x\n    expect: maybe\n")
    result = runner.invoke(app, ["rules", "test", str(bad)])
    assert isinstance(result.exception, RuleFileError)
    assert int(result.exception.exit_code) == 4
    assert result.exception.location is not None and str(bad) in result.exception.location


def test_params_show_and_list() -> None:
    result = runner.invoke(app, ["params", "show", "exit_income_line", "--year", "2019",
                                 "--region", "51"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3750" in out and "2019-01-01" in out and "四川省" in out
    assert "3218" in out  # the whole dated table, national values included
    fallback = runner.invoke(app, ["params", "show", "exit_income_line", "--year", "2019",
                                   "--region", "贵州"])
    assert "3218" in fallback.output and "使用全国标准" in fallback.output
    listed = runner.invoke(app, ["params", "list"])
    assert listed.exit_code == 0 and "exit_income_line" in listed.output


def test_params_user_override(tmp_path: Path) -> None:
    write(tmp_path, "exit_income_line.yaml", """\
        name: exit_income_line
        values:
          "51": [{from: 2019-06-01, value: 3900, source: 市级文件}]
        """)
    result = runner.invoke(app, ["params", "show", "exit_income_line", "--year", "2019",
                                 "--region", "51", "--params", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3900" in result.output and "市级文件" in result.output


def test_explain_one_household(cli, sample_xlsx) -> None:
    # 5116021012050010 is a planted exited household below the line (sample_data/README.md).
    res = cli("explain", sample_xlsx, "--household", "5116021012050010", "--select", "INC001")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "INC001" in out and "不符合" in out
    assert "per_capita_net_income" in out and "贫困人口明细!" in out  # the input with its cell
    assert "param.exit_income_line = 3750" in out  # region 四川 inferred from the ID numbers
    missing = cli("explain", sample_xlsx, "--household", "NOPE")
    assert missing.returncode == 2
    assert "NOPE" in missing.stderr and "Traceback" not in missing.stderr


def test_explain_lists_rules_the_audit_would_not_run(cli, sample_xlsx) -> None:
    res = cli("explain", sample_xlsx, "--household", "5116021012010003", "--select", "RISK",
              "--full")  # every rule traced (the default prints what did not pass)
    assert res.returncode == 0, res.stderr
    blocks = {b.split()[0]: b for b in res.stdout.split("\n\n") if b.startswith("RISK")}
    # No monitoring line in 2019; the 2019 export has no 合规自付支出 column.
    assert "未运行" in blocks["RISK001"].splitlines()[0]
    assert "参数 monitoring_income_line 在 2019 年没有适用的取值" in blocks["RISK001"]
    assert "未运行" in blocks["RISK005"].splitlines()[0]
    assert "输入文件没有 合规自付支出 列" in blocks["RISK005"]
    assert "compliant_out_of_pocket = " not in blocks["RISK005"]  # no cell of an absent column
    assert "未运行" not in blocks["RISK003"]  # a rule that runs is explained as before
    assert "transfer_income = 7400  (贫困人口明细!AJ10)" in blocks["RISK003"]
