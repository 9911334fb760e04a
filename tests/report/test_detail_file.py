"""More findings than the workbook lists (report/detail.py, issue 9 item 3): every finding goes to
a findings file beside the workbook, 明细 names it, and nothing is lost.

The limit (200,000) is lowered through EXITCHECK_DETAIL_LIMIT so the bundled sample exceeds it;
the audit is the real command (Typer's CliRunner on the app).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from exitcheck.cli.app import app
from exitcheck.errors import UsageError
from exitcheck.report import detail

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "county_2019.csv"
runner = CliRunner()


def audit(tmp_path: Path, *extra: str) -> tuple[int, Path, Path]:
    out, js = tmp_path / "r.xlsx", tmp_path / "r.json"
    result = runner.invoke(app, ["audit", str(SAMPLE), "-o", str(out), "--json", str(js),
                                 "--quiet", *extra])
    return result.exit_code, out, js


def test_findings_over_the_limit_go_to_the_findings_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detail.DETAIL_LIMIT_ENV, "5")
    code, out, js = audit(tmp_path)
    assert code == 1  # the sample's verdict is unchanged
    report = json.loads(js.read_text(encoding="utf-8"))
    findings = report["findings"]
    assert len(findings) > 5
    file = tmp_path / "r_明细.parquet"
    table = pq.read_table(file)
    # Every finding of the JSON report is in the file, once, with its cell.
    assert table.num_rows == len(findings)
    got = sorted(zip(table["rule"].to_pylist(), table["location"].to_pylist(), strict=True))
    want = sorted((f["rule"], f["location"]) for f in findings)
    assert got == want
    # IDs stay masked in the file, as in every output: the same texts as the JSON report's.
    ids = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
    assert not any(ids.search(v or "") for v in table["message"].to_pylist())
    by_cell = {(f["rule"], f["location"]): (f["member_id"], f["message"]) for f in findings}
    for row in table.select(["rule", "location", "member_id", "message"]).to_pylist():
        assert by_cell[(row["rule"], row["location"])] == (row["member_id"], row["message"])
    # The workbook's 明细 sheet names the file instead of listing the rows; the lists stay.
    book = openpyxl.load_workbook(out, read_only=True)
    sheet = book["明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1
    assert "r_明细.parquet" in str(rows[0][0]) and str(len(findings)) in str(rows[0][0])
    assert book["未达标户"].max_row > 1
    # The JSON notes say it too.
    assert any("r_明细.parquet" in n for n in report["notes"])


def test_the_findings_file_is_not_replaced_silently(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detail.DETAIL_LIMIT_ENV, "5")
    (tmp_path / "r_明细.parquet").write_bytes(b"earlier")
    result = runner.invoke(app, ["audit", str(SAMPLE), "-o", str(tmp_path / "r.xlsx"),
                                 "--quiet"])
    assert isinstance(result.exception, UsageError)  # exit 2 through the command's main()
    assert "r_明细.parquet" in str(result.exception)
    assert (tmp_path / "r_明细.parquet").read_bytes() == b"earlier"
    code, _, _ = audit(tmp_path, "--force")
    assert code == 1
    assert pq.read_table(tmp_path / "r_明细.parquet").num_rows > 5


def test_under_the_limit_the_workbook_lists_every_finding(tmp_path: Path) -> None:
    code, out, js = audit(tmp_path)
    assert code == 1
    assert not (tmp_path / "r_明细.parquet").exists()
    findings = json.loads(js.read_text(encoding="utf-8"))["findings"]
    book = openpyxl.load_workbook(out, read_only=True)
    assert book["明细"].max_row == len(findings) + 1  # header + one row a finding
