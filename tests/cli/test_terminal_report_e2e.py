"""The terminal report of `exitcheck audit` as an analyst reads it (issue 11): the installed
command on the bundled sample at 80 and 120 columns, in Chinese and English; `-q`; `--help` of
every command at 80 columns; severities in `rules list` as in `audit`."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from cli_runner import SAMPLE_DATA, run_cli

COUNTY = SAMPLE_DATA / "county_2019.xlsx"
MASKED_ROW = re.compile(r"^(\S+)\s+(\S+)\s+(\d{16})\s+(\S+)\s+(\d{6}\*{8}[\dX]{4})\s*$")
BARE_ID = re.compile(r"(?<![0-9])\d{17}[\dX](?![0-9])")

# Section titles in the order the report prints them.
ORDER = {
    "zh": ["结论：", "问题：", "按类别核查结果", "未达标户：共", "返贫风险户：共", "触发最多的规则",
           "问题最多的乡镇/村", "读取的文件", "按人群统计户数", "使用的参数", "说明"],
    "en": ["Verdict:", "Problems:", "Verdict by family", "Households failing:",
           "Households at risk:", "Rules that fired most",
           "Townships and villages with most problems", "Files read",
           "Households by population", "Parameters used", "Notes"],
}
FAMILY_ROW = {  # label, audited, violated (share), not evaluated (share), exempted, not run
    "zh": r"^一超过\s+\d+\s+\d+ \(\d+\.\d%\)\s+\d+ \(\d+\.\d%\)\s+\d+\s+\d+\s*$",
    "en": r"^Income above line\s+\d+\s+\d+ \(\d+\.\d%\)\s+\d+ \(\d+\.\d%\)\s+\d+\s+\d+\s*$",
}
PARAM_ROW = {
    "zh": r"^脱贫标准（人均纯收入）\s+3750 元/人·年\s+2019-01-01\s+四川省\s*$",
    # the title may end in "…" at 80 columns
    "en": r"^Exit income line \(per-capita[^\n]*?\s+3750 yuan/person/year\s+2019-01-01\s+"
          r"四川省\s*$",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """Five audits of the sample (zh/en at 80/120 columns, and -q), run side by side."""
    out = tmp_path_factory.mktemp("terminal")
    report = out / "r.json"
    jobs: dict[Any, tuple[Any, ...]] = {
        (lang, width): ("--lang", lang, *(("--json", report) if (lang, width) == ("zh", 120)
                                          else ()))
        for lang in ("zh", "en") for width in (80, 120)
    }
    jobs["quiet"] = ("-q",)

    def run(key: Any) -> Any:
        width = key[1] if isinstance(key, tuple) else 80
        return run_cli("audit", COUNTY, "--no-excel", *jobs[key], cwd=out, columns=width)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(jobs, pool.map(run, jobs), strict=True))
    found: dict[Any, Any] = {}
    for key, res in results.items():
        assert res.returncode == 1, (key, res.stderr)
        found[key] = res.stdout
    found["json"] = json.loads(report.read_text("utf-8"))
    return found


def _section(text: str, start: str, end: str) -> list[str]:
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
    return lines[first + 1:last]


def _failing(report: dict[str, Any]) -> set[str]:
    return {f["household_id"] for f in report["findings"]
            if f["status"] == "violated" and f["severity"] == "fail" and f["household_id"]}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_order_width_and_columns(runs: dict[Any, Any], lang: str, width: int) -> None:
    text = runs[lang, width]
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    # Sections in reading order: verdict first, parameters and notes last.
    starts = [next(i for i, line in enumerate(lines) if line.startswith(title))
              for title in ORDER[lang]]
    assert starts == sorted(starts), list(zip(ORDER[lang], starts, strict=True))
    assert starts[0] <= 4  # the verdict right under the title, run line and totals
    assert any(line.startswith(ORDER[lang][0]) for line in lines[-4:])  # again at the end
    # No column lost: every family row keeps all its numbers, one line per row.
    assert re.search(FAMILY_ROW[lang], text, re.M), text
    # Parameters: one line each, with their unit in the report's language.
    assert re.search(PARAM_ROW[lang], text, re.M)
    params = _section(text, ORDER[lang][9], "* ")[2:]  # after the header and its rule
    assert len(params) == len(runs["json"]["parameters"])  # one line each
    if lang == "en":
        assert not re.search(r"\d (岁|元|比例|月)\b", text)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_failing_households_listed_with_masked_ids(runs: dict[Any, Any], lang: str,
                                                   width: int) -> None:
    text = runs[lang, width]
    rows = _section(text, ORDER[lang][3], ORDER[lang][4])
    listed = {m.group(3) for m in map(MASKED_ROW.match, rows) if m}
    failing = _failing(runs["json"])
    assert 0 < len(failing) <= 10  # the sample has a few failing households: all listed
    assert listed == failing
    # Each household is followed by its reasons: INC001's income message for those below the line.
    assert re.search(r"^\s+INC001 ", "\n".join(rows), re.M)
    assert BARE_ID.search(text) is None


def test_at_risk_households_are_the_top_ten(runs: dict[Any, Any]) -> None:
    text = runs["zh", 120]
    title = next(line for line in text.splitlines() if line.startswith("返贫风险户：共"))
    assert "列出前 10 户" in title and "返贫风险户" in title
    rows = _section(text, "返贫风险户：共", "触发最多的规则")
    assert len([r for r in rows if MASKED_ROW.match(r)]) == 10


def test_rules_not_run_are_summarised(runs: dict[Any, Any]) -> None:
    report = runs["json"]
    text = runs["zh", 80]
    n = len(report["rules_not_run"])
    assert n > 20  # the 2019 export: the monitoring-era rules do not run
    assert f"未运行的规则：{n} 条" in text
    groups = [line for line in text.splitlines() if line.startswith("  · ")]
    assert 1 <= len(groups) <= 10  # one line per rule family at most
    assert any(line.startswith("  · 返贫风险 ") for line in groups)
    assert re.search(r"\d+ 条在 2019 年没有适用的参数取值", text.replace("\n", ""))
    # Not one line per rule: the full list is in the workbook and the JSON.
    assert not re.search(r"^· 规则 RISK\d+ 未运行", text, re.M)
    assert text.count("RISK006") <= 1


def test_quiet_says_how_many_problems(runs: dict[Any, Any]) -> None:
    lines = runs["quiet"].splitlines()
    assert len(lines) == 2
    m = re.fullmatch(r"结论：有 (\d+) 条达到 --fail-on=fail 的问题（(\d+) 户），退出码 1", lines[0])
    assert m, lines
    fail = [f for f in runs["json"]["findings"]
            if f["status"] == "violated" and f["severity"] == "fail"]
    assert int(m.group(1)) == len(fail)
    assert int(m.group(2)) == len(_failing(runs["json"]))
    assert lines[1].startswith(f"问题：未达标 {len(fail)} 条（")


def _commands() -> list[list[str]]:
    from typer.main import get_command

    from exitcheck.cli.app import app

    root = get_command(app)
    out: list[list[str]] = [[]]
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        if getattr(cmd, "hidden", False):
            continue
        out.append([name])
        for sub in getattr(cmd, "commands", {}):
            out.append([name, sub])
    return out


def test_help_of_every_command_fits_80_columns() -> None:
    """In process (typer's CliRunner): a subprocess per command takes too long."""
    from typer.testing import CliRunner

    from exitcheck.cli.app import app

    runner = CliRunner()
    bad = {}
    commands = _commands()
    assert len(commands) >= 15  # exitcheck, its commands, rules and params subcommands
    for command in commands:
        res = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"})
        assert res.exit_code == 0, (command, res.output)
        lines = res.output.splitlines()
        wide = [line for line in lines if cell_len(line) > 80]
        cut = [line for line in lines if "…" in line]
        if wide or cut:
            bad[" ".join(command) or "exitcheck"] = wide + cut
    assert bad == {}


def test_rules_list_shows_severities_as_audit_does() -> None:
    from typer.testing import CliRunner

    from exitcheck.cli.app import app

    runner = CliRunner()
    zh = runner.invoke(app, ["rules", "list", "--family", "INC"], env={"COLUMNS": "120"}).output
    assert re.search(r"INC001.*未达标", zh) and " fail " not in zh
    en = runner.invoke(app, ["rules", "list", "--family", "INC", "--lang", "en"],
                       env={"COLUMNS": "120"}).output
    assert re.search(r"INC001.*\bfail\b", en)


def test_usage_errors_follow_the_language() -> None:
    zh = run_cli("audit", "--no-such-option", str(COUNTY))
    assert zh.returncode == 2 and "Traceback" not in zh.stderr
    assert "没有这个选项" in zh.stderr and "--no-such-option" in zh.stderr
    en = run_cli("audit", "--lang", "en", "--no-such-option", str(COUNTY))
    assert en.returncode == 2
    assert "No such option" in en.stderr and "没有" not in en.stderr
    missing = run_cli("explain", str(COUNTY))
    assert missing.returncode == 2 and "缺少" in missing.stderr and "--household" in missing.stderr


def test_explain_prints_a_summary_by_default() -> None:
    """What did not pass, traced; the rest counted (test_rules_cmd.py runs --full)."""
    short = run_cli("explain", COUNTY, "--household", "5116021022040021")
    assert short.returncode == 0, short.stderr
    assert "INC001" in short.stdout and "不符合" in short.stdout
    assert "per_capita_net_income = 3634.25" in short.stdout
    assert len(short.stdout.splitlines()) < 60
    passed = re.search(r"另有 (\d+) 条规则通过、(\d+) 条不适用（加 --full", short.stdout)
    assert passed and int(passed.group(1)) > 10
    assert re.search(r"未运行的规则 \d+ ?条（不计为通过）：", short.stdout.replace("\n", ""))


def test_readme_tour_lines_are_pasteable() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    tour = readme[readme.index("## A short tour"):]
    tour = tour[:tour.index("```", tour.index("```") + 3)]
    assert "<" not in tour and ">" not in tour  # no placeholder to fill in
    household = re.search(r"explain \S+ --household (\d+)", tour)
    assert household is not None
    assert household.group(1) in (SAMPLE_DATA / "county_2019.truth.json").read_text("utf-8") \
        or household.group(1).startswith("5116")
    outputs = re.findall(r"^exitcheck audit .*?(?:-o|--output) (\S+)", tour, re.M)
    assert len(outputs) == len(set(outputs))  # no step overwrites another's workbook


def test_readme_excerpt_is_what_the_tool_prints(runs: dict[Any, Any]) -> None:
    """README's excerpt of the terminal report (120 columns) is a real run's lines, in order."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    start = readme.index("```text", readme.index("## What the audit shows")) + len("```text\n")
    excerpt = readme[start:readme.index("```", start)].splitlines()
    # Runs of spaces are compared as one: rich 13.0 (the oldest allowed) pads some CJK headers by a
    # different number of spaces (CI's oldest-versions run); words and their order must match.
    def squeeze(line: str) -> str:
        return " ".join(line.split())

    printed = [squeeze(line) for line in runs["zh", 120].splitlines()]
    position = 0
    for line in excerpt:
        if line == "…" or "/home/me/" in line:  # left out; the output path is the reader's
            continue
        assert squeeze(line) in printed[position:], line
        position = printed.index(squeeze(line), position) + 1
