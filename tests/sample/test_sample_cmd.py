"""The `sample` command function, run through a small Typer app with CliRunner."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from exitcheck.cli.sample_cmd import sample
from exitcheck.errors import UsageError


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(sample)
    return app


def test_help_is_bilingual(app):
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "模拟" in result.output and "synthetic" in result.output


def test_writes_xlsx_and_truth(app, tmp_path):
    out, truth = tmp_path / "c.xlsx", tmp_path / "c.json"
    result = CliRunner().invoke(app, ["--households", "30", "--seed", "4", "-o", str(out),
                                      "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "30 户" in result.output
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "广安区2019年建档立卡贫困人口明细表"
    planted = json.loads(truth.read_text(encoding="utf-8"))
    assert planted["income_line"] == 3750 and planted["seed"] == 4
    ids = {ws.cell(r, 5).value for r in range(5, ws.max_row)}
    assert set(planted["households"]) <= ids


def test_refuses_overwrite_unless_force(app, tmp_path):
    out = tmp_path / "c.csv"
    runner = CliRunner()
    assert runner.invoke(app, ["--households", "5", "-o", str(out)]).exit_code == 0
    before = out.read_bytes()
    result = runner.invoke(app, ["--households", "5", "--seed", "2", "-o", str(out)])
    assert result.exit_code != 0 and isinstance(result.exception, UsageError)
    assert out.read_bytes() == before
    result = runner.invoke(app, ["--households", "5", "--seed", "2", "-o", str(out), "--force"])
    assert result.exit_code == 0 and out.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


def test_monitoring_style_region_name_and_format(app, tmp_path):
    out = tmp_path / "m.data"
    result = CliRunner().invoke(app, ["--households", "20", "--style", "monitoring",
                                      "--region", "贵州", "--format", "parquet", "-o", str(out),
                                      "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "wrote 20 households" in result.output and "2023" in result.output
    read = pd.read_parquet(out)
    assert "户类型" in read.columns and read["证件号码"].str.startswith("52").all()


def test_bad_region_is_usage_error(app, tmp_path):
    result = CliRunner().invoke(app, ["--households", "5", "--region", "5x",
                                      "-o", str(tmp_path / "x.csv")])
    assert isinstance(result.exception, UsageError)
    assert result.exception.location == "--region"
