"""`exitcheck diff OLD NEW` end to end: two generated years with planted changes of every kind
(exitcheck.sample.next_year); the diff must find each planted change and nothing else, in the
workbook (read back with openpyxl) and in JSON, for both export eras."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from diff_data import two_years
from rich.cells import cell_len

from cli_runner import REPO, SAMPLE_DATA
from exitcheck.assess.diff import KIND_LABELS, KINDS

pytestmark = pytest.mark.e2e

POP_LABELS = {name: spec["label"] for name, spec in yaml.safe_load(
    (REPO / "rules" / "populations.yaml").read_text(encoding="utf-8"))["populations"].items()}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, Path]:
    folder = tmp_path_factory.mktemp("diff_national")
    old, new, changes = two_years(folder)
    return old, new, changes, folder


def _expected(changes: dict) -> set[tuple[str, str, str | None]]:
    """(kind, household, person) of every planted change."""
    out: set[tuple[str, str, str | None]] = set()
    for kind in ("household_added", "household_removed", "income_drop",
                 "exit_no_income_change"):
        out |= {(kind, h, None) for h in changes[kind]}
    out |= {("status_change", h, None) for h, _, _ in changes["status_change"]}
    for kind in ("member_added", "member_removed"):
        out |= {(kind, h, i) for h, i in changes[kind]}
    out |= {("member_moved", to, i) for i, _, to in changes["member_moved"]}
    return out


def test_diff_finds_every_planted_change_and_nothing_else(cli, national) -> None:
    old, new, changes, folder = national
    book, js = folder / "diff.xlsx", folder / "diff.json"
    res = cli("diff", old, new, "--show-ids", "-o", book, "--json", js, cwd=folder)
    assert res.returncode == 0, res.stderr
    for line in res.stdout.splitlines():  # Chinese summary: 80 columns too
        if not line.lstrip().startswith(("excel:", "json:")):
            assert cell_len(line.rstrip()) <= 80, line
    expected = _expected(changes)
    planted = {k: len(changes[k]) for k in KINDS}
    assert planted == {k: 9 if k == "status_change" else 3 for k in KINDS}  # every kind

    data = json.loads(js.read_text(encoding="utf-8"))
    got = {(r["kind"], r["household_id"], r["person"] if r["kind"].startswith("member")
            else None) for r in data["changes"]}
    assert got == expected
    assert len(data["changes"]) == len(expected)
    assert data["counts"] == planted
    moved = {(r["person"], r["old"], r["new"]) for r in data["changes"]
             if r["kind"] == "member_moved"}
    assert moved == {tuple(m) for m in changes["member_moved"]}
    status = {(r["household_id"], r["old"], r["new"]) for r in data["changes"]
              if r["kind"] == "status_change"}
    assert status == {(h, POP_LABELS[a], POP_LABELS[b]) for h, a, b in changes["status_change"]}
    # the controls (same person, ID written in the 15-digit form or with a lower-case x)
    controls = {i for _, i in changes["controls"]["id_15_digits"] + changes["controls"][
        "id_lower_x"]}
    assert len(controls) == 6
    assert not controls & {r["person"] for r in data["changes"]}

    wb = openpyxl.load_workbook(book)
    labels = {v[0]: k for k, v in KIND_LABELS.items()}
    long = list(wb["变化明细"].iter_rows(values_only=True))
    assert long[0][:3] == ("变化类型", "户编号", "证件号码")
    assert {(labels[r[0]], r[1], r[2] if labels[r[0]].startswith("member") else None)
            for r in long[1:]} == expected
    for kind in KINDS:  # one sheet per kind, its rows the kind's changes
        rows = list(wb[KIND_LABELS[kind][0]].iter_rows(values_only=True))[1:]
        assert {r[0] for r in rows} == {h for k, h, _ in expected if k == kind}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)  # text, never formulas


def test_diff_masks_ids_limits_and_english_summary(cli, national) -> None:
    old, new, changes, folder = national
    book = folder / "masked.xlsx"
    res = cli("diff", old, new, "--fail-over", "income_drop=2", "--fail-over", "100",
              "-o", book, "--lang", "en", cwd=folder)
    assert res.returncode == 1, res.stderr  # 3 income drops > 2
    assert "income_drop 3 > 2" in res.stdout
    assert "Year-over-year changes" in res.stdout and "IDs that moved households" in res.stdout
    for line in res.stdout.splitlines():
        if not line.lstrip().startswith(("excel:", "json:")):
            assert cell_len(line.rstrip()) <= 80, line
    text = "\n".join(str(c) for ws in openpyxl.load_workbook(book).worksheets
                     for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    ids = {i for _, i in changes["member_added"]} | {i for i, _, _ in changes["member_moved"]}
    assert not any(i in text for i in ids)
    assert re.search(r"\d{6}\*{8}[\dX]{4}", text)
    ok = cli("diff", old, new, "--fail-over", "30", "--no-excel", cwd=folder)
    assert ok.returncode == 0, ok.stderr
    assert "未超过上限" in ok.stdout


def test_diff_monitoring_era_statuses(cli, tmp_path: Path) -> None:
    old, new, changes = two_years(tmp_path, "monitoring")
    js = tmp_path / "m.json"
    res = cli("diff", old, new, "--show-ids", "--no-excel", "--json", js, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(js.read_text(encoding="utf-8"))
    got = {(r["kind"], r["household_id"], r["person"] if r["kind"].startswith("member")
            else None) for r in data["changes"]}
    assert got == _expected(changes)
    pairs = {(t["old"], t["new"]): t["households"] for t in data["transitions"]}
    assert pairs == {(POP_LABELS["monitored_unresolved"], POP_LABELS["monitored_eliminated"]): 6,
                     (POP_LABELS["exited"], POP_LABELS["monitored_unresolved"]): 3}


def test_diff_of_a_multi_table_folder_with_itself_is_empty(cli, tmp_path: Path) -> None:
    folder = SAMPLE_DATA / "monitoring_2023_tables"
    res = cli("diff", folder, folder, "--fail-over", "0", "--format", "json", "--no-excel",
              cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["old"]["households"] > 0 and len(data["old"]["inputs"]) >= 2
    assert sum(data["counts"].values()) == 0


@pytest.mark.parametrize("case", ["missing", "no_household_id"])
def test_diff_bad_input_is_one_line_exit_3(cli, national, tmp_path: Path, case: str) -> None:
    old = national[0]
    if case == "missing":
        bad = tmp_path / "nowhere.xlsx"
    else:
        bad = tmp_path / "no_id.csv"
        bad.write_text("姓名,证件号码,人均纯收入\n张三,511602194903171236,4000\n",
                       encoding="utf-8")
    res = cli("diff", old, bad, "--no-excel", cwd=tmp_path)
    assert res.returncode == 3
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert bad.name in res.stderr
    assert not list(tmp_path.glob("*.xlsx"))
    assert not zipfile.is_zipfile(bad) if bad.exists() else True


def test_demo_data_next_year_then_diff(cli, tmp_path: Path) -> None:
    made = cli("demo-data", "--households", "120", "--seed", "4", "-o", tmp_path / "y1.xlsx",
               "--next-year", tmp_path / "y2.xlsx")
    assert made.returncode == 0, made.stderr
    changes = json.loads((tmp_path / "y2.changes.json").read_text(encoding="utf-8"))
    res = cli("diff", tmp_path / "y1.xlsx", tmp_path / "y2.xlsx", "--format", "json",
              "--no-excel", "--show-ids", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["counts"] == {k: len(changes[k]) for k in KINDS}
    assert data["old"]["year"] + 1 == data["new"]["year"]
