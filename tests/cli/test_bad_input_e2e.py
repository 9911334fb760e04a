"""Exit codes 0, 2 and 3 through the installed command: one clear line on stderr, no traceback."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import xlsxwriter

from cli_runner import SAMPLE_DATA, run_cli
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

COUNTY_XLSX = SAMPLE_DATA / "county_2019.xlsx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(stderr: str, *names: str) -> str:
    """The single stderr line of an error, which must name every one of ``names``."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# --- 0 -----------------------------------------------------------------------------------

def test_fail_on_never_exits_0(cli, tmp_path: Path) -> None:
    res = cli("audit", COUNTY_XLSX, "--fail-on", "never", "--no-excel", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "500" in res.stdout and "0" in res.stdout


def test_clean_file_exits_0(cli, tmp_path: Path) -> None:
    """A generated county without its planted exit failures and data errors passes."""
    frame, truth = generate_county(30, seed=5)
    bad = set(truth.households) | set(truth.controls)
    clean = frame[~frame["household_id"].isin(bad)].reset_index(drop=True)
    truth.overrides.clear()
    src = save(clean, truth, tmp_path / "clean.xlsx")
    res = cli("audit", src, "--no-excel", "--json", tmp_path / "r.json", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "退出码 0" in res.stdout
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["summary"]["exit_code"] == 0
    assert not any(f["severity"] == "fail" and f["status"] == "violated"
                   for f in report["findings"])
    # --fail-on risk: exit 1 exactly when a risk finding (risk flags were left in) is violated.
    has_risk = any(f["severity"] in ("fail", "risk") and f["status"] == "violated"
                   for f in report["findings"])
    risky = cli("audit", src, "--no-excel", "--fail-on", "risk", "-q", cwd=tmp_path)
    assert risky.returncode == (1 if has_risk else 0)
    fail = cli("audit", src, "--no-excel", "-q", "--params", _high_line(tmp_path),
               cwd=tmp_path)
    assert fail.returncode == 1, fail.stderr  # line raised above every income: all fail


def _high_line(tmp_path: Path) -> Path:
    path = tmp_path / "exit_income_line.yaml"
    path.write_text(
        "name: exit_income_line\ntitle: 脱贫标准\ntitle_en: Exit line\nunit: 元/人·年\n"
        "type: number\nvalues:\n  \"51\":\n"
        "    - {from: 2019-01-01, value: 1000000, source: test, verified: true}\n",
        encoding="utf-8")
    return path


# --- 2 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("--fail-on", "bogus"),
    ("--lang", "fr"),
    ("--format", "xml"),
    ("--year", "twenty"),
    ("--as-of", "2019-13-45"),
    ("--select", "ZZZ999"),
    ("--ignore", "NOPE123"),
])
def test_bad_option_values_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    res = run_cli("audit", COUNTY_XLSX, "--no-excel", *args, cwd=tmp_path)
    assert res.returncode == 2, (args, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert args[0] in res.stderr or args[1] in res.stderr  # names the option or the value
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["-o", "--json", "--junit"])
def test_output_equal_to_input_exits_2_and_input_unchanged(tmp_path: Path, option: str) -> None:
    src = tmp_path / "county.xlsx"
    shutil.copy(COUNTY_XLSX, src)
    before, mtime = sha256(src), src.stat().st_mtime_ns
    args = ["--no-excel"] if option != "-o" else []
    # Spelled differently from the input argument: still the same file.
    res = run_cli("audit", src, *args, option, Path("..") / tmp_path.name / "county.xlsx",
                  cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    one_error_line(res.stderr, "county.xlsx")
    assert sha256(src) == before and src.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.xlsx"]


@pytest.mark.parametrize("option", ["-o", "--json", "--junit"])
def test_missing_output_folder_exits_2_before_the_audit(tmp_path: Path, option: str) -> None:
    args = ["--no-excel"] if option != "-o" else []
    res = run_cli("audit", COUNTY_XLSX, *args, option, tmp_path / "nowhere" / "r.out",
                  "--quiet", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    one_error_line(res.stderr, "nowhere")
    assert res.stdout == ""  # refused before any work: no verdict line
    assert list(tmp_path.iterdir()) == []


# --- 3 -----------------------------------------------------------------------------------

def _png(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64))
    return path


def _truncated(path: Path) -> Path:
    data = COUNTY_XLSX.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _empty_sheet(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("空表")
    wb.close()
    return path


def _no_header(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    for r in range(20):
        ws.write_row(r, 0, [r, r * 2.5, "甲乙", 3])
    wb.close()
    return path


def _missing_required(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("明细")
    ws.write_row(0, 0, ["县", "乡", "村", "户编号", "姓名", "与户主关系", "人均纯收入"])
    ws.write_row(1, 0, ["广安区", "代市镇", "中坝村", "5116021022020002", "张三", "户主", 5000])
    wb.close()
    return path


def _empty_csv(path: Path) -> Path:
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("maker", "name", "also"), [
    (None, "nosuch.xlsx", ()),
    (_png, "picture.xlsx", ()),
    (_truncated, "truncated.xlsx", ()),
    (_empty_sheet, "empty.xlsx", ()),
    (_no_header, "noheader.xlsx", ("数据",)),
    (_missing_required, "missing.xlsx", ("明细", "证件号码")),
    (_empty_csv, "empty.csv", ()),
])
@pytest.mark.parametrize("command", ["audit", "inspect"])
def test_unreadable_inputs_exit_3(tmp_path: Path, maker, name: str, also: tuple[str, ...],
                                  command: str) -> None:
    path = tmp_path / name
    if maker is not None:
        maker(path)
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run_cli(command, path, cwd=tmp_path)
    assert res.returncode == 3, (res.stdout, res.stderr)
    one_error_line(res.stderr, name, *also)
    assert res.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no workbook written


def test_directory_exits_3(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    res = run_cli("audit", folder, "--no-excel", cwd=tmp_path)
    assert res.returncode == 3
    one_error_line(res.stderr, "exports")


def test_second_input_unreadable_names_that_file(tmp_path: Path) -> None:
    res = run_cli("audit", COUNTY_XLSX, _png(tmp_path / "b.xlsx"), "--no-excel", cwd=tmp_path)
    assert res.returncode == 3
    one_error_line(res.stderr, "b.xlsx")


def test_debug_shows_traceback(tmp_path: Path) -> None:
    res = run_cli("--debug", "audit", _png(tmp_path / "p.xlsx"), "--no-excel", cwd=tmp_path)
    assert res.returncode == 3
    assert "Traceback" in res.stderr and "p.xlsx" in res.stderr
