"""`exitcheck draw`: reproducible across processes, seed-dependent, weights that add up, and a
pre-filled, masked visit workbook. Counts are checked against the sample's CSV read here."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli_runner import SAMPLE_DATA

pytestmark = pytest.mark.e2e


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def _draw(cli, src: Path, out: Path, *args: str) -> None:
    res = cli("draw", src, "-o", out, *args, cwd=out.parent)
    assert res.returncode == 0, res.stderr
    assert out.exists()


@pytest.fixture(scope="module")
def draws(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from cli_runner import run_cli

    base = tmp_path_factory.mktemp("draws")
    src = SAMPLE_DATA / "county_2019.xlsx"
    out = {"a": base / "a.xlsx", "b": base / "b.xlsx", "c": base / "c.xlsx",
           "all": base / "all.xlsx"}
    common = ["--villages", "6", "--fixed", "exited=5", "--reserves", "2"]
    _draw(run_cli, src, out["a"], "--seed", "20191231", *common)
    _draw(run_cli, src, out["b"], "--seed", "20191231", *common)  # second process, same seed
    _draw(run_cli, src, out["c"], "--seed", "20191232", *common)
    _draw(run_cli, src, out["all"], "--seed", "5", "--villages", "1000",
          "--rate", "exited=0.5,poor=0.5")
    return out


def _frame_counts() -> tuple[Counter[str], dict[tuple[str, str, str], int]]:
    raw = pd.read_csv(SAMPLE_DATA / "county_2019.csv", dtype=str, encoding="gb18030")
    raw = raw[raw["户编号"].notna() & raw["户编号"].str.fullmatch(r"\d+")]
    hh = raw.drop_duplicates("户编号")
    by_type = Counter(hh["脱贫标志"].map({"已脱贫": "已脱贫户", "未脱贫": "未脱贫户"}))
    cells = (hh.groupby(["乡(镇)", "村", "脱贫标志"]).size()
             .rename(lambda t: {"已脱贫": "已脱贫户", "未脱贫": "未脱贫户"}.get(t, t), level=2))
    return by_type, {k: int(v) for k, v in cells.items()}


def test_same_seed_same_sample_in_two_processes(draws: dict[str, Path]) -> None:
    for sheet in ("样本户", "备选户"):
        a = [r["户编号"] for r in _rows(draws["a"], sheet)]
        b = [r["户编号"] for r in _rows(draws["b"], sheet)]
        assert a and a == b
    assert _rows(draws["a"], "样本户") == _rows(draws["b"], "样本户")


def test_other_seed_other_sample(draws: dict[str, Path]) -> None:
    a = [r["户编号"] for r in _rows(draws["a"], "样本户")]
    c = [r["户编号"] for r in _rows(draws["c"], "样本户")]
    assert a != c and set(a) != set(c)


def test_prn_is_the_documented_hash(draws: dict[str, Path]) -> None:
    for r in _rows(draws["a"], "样本户")[:20]:
        digest = hashlib.sha256(f"20191231|2019|{r['户编号']}".encode()).digest()
        u = (int.from_bytes(digest[:8], "big") >> 11) / 2**53
        assert r["随机数u"] == pytest.approx(u, abs=1e-15)


def test_households_are_the_smallest_u_and_reserves_follow(draws: dict[str, Path]) -> None:
    sample = _rows(draws["a"], "样本户")
    reserves = _rows(draws["a"], "备选户")
    by_cell: dict[tuple[object, object], list[float]] = defaultdict(list)
    for r in sample:
        by_cell[(r["村代码"], r["户类型"])].append(float(str(r["随机数u"])))
    for r in reserves:
        taken = by_cell[(r["村代码"], r["户类型"])]
        assert float(str(r["随机数u"])) > max(taken)
    for (_, t), us in by_cell.items():
        assert us == sorted(us)
        if t == "已脱贫户":
            assert len(us) <= 5


def test_weights_sum_to_frame_sizes(draws: dict[str, Path]) -> None:
    by_type, cells = _frame_counts()
    # stage 1: village weights sum to the number of villages in the stratum
    sample = _rows(draws["a"], "样本户")
    villages = {(r["村层"], r["村代码"]): (r["层内村数"], r["层内样本村数"]) for r in sample}
    per_stratum: dict[object, float] = defaultdict(float)
    for (stratum, _), (n_frame, n_sample) in villages.items():
        per_stratum[stratum] += float(str(n_frame)) / float(str(n_sample))
    for stratum, total in per_stratum.items():
        n_frame = next(v[0] for k, v in villages.items() if k[0] == stratum)
        assert total == pytest.approx(float(str(n_frame)))
    # stage 2: within each sampled village, household weights / village weight = N_vt (CSV)
    inner: dict[tuple[object, object, object], float] = defaultdict(float)
    for r in sample:
        inner[(r["乡镇"], r["村"], r["户类型"])] += float(str(r["户入样概率"])) ** -1
    for key, total in inner.items():
        assert total == pytest.approx(cells[key])  # type: ignore[index]
    # every village taken: weights sum to the frame counts per household stratum exactly
    full = _rows(draws["all"], "样本户")
    sums: dict[object, float] = defaultdict(float)
    for r in full:
        sums[r["户类型"]] += float(str(r["权数"]))
    assert sums == pytest.approx({k: float(v) for k, v in by_type.items()})


def test_visit_workbook_is_prefilled_and_masked(draws: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(draws["a"])
    assert wb.sheetnames[:3] == ["抽样方案", "样本户", "备选户"]
    visit = [n for n in wb.sheetnames if n.startswith("核查表-")]
    assert len(visit) == 6
    sample = _rows(draws["a"], "样本户")
    plan = [list(r) for r in wb["抽样方案"].iter_rows(values_only=True)]
    assert ["随机种子 seed", "20191231"] == [c for c in plan[2] if c is not None]
    seen: dict[str, set[str]] = defaultdict(set)
    full_id = re.compile(r"\d{17}[\dXx]")
    for name in visit:
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        types = {str(dv.formula1) for dv in ws.data_validations.dataValidation}
        assert '"无,错退,漏评,信息不准"' in types and '"认可,基本认可,不认可,不清楚"' in types
        for row in ws.iter_rows(values_only=True):
            text = " ".join(str(v) for v in row if v is not None)
            assert not full_id.search(text.replace(str(row[0]), "")), text
            if row[1] is not None and row[0] is not None and str(row[0]).isdigit():
                seen[str(row[0])].add(str(row[1]))
    for r in sample:
        items = seen[str(r["户编号"])]
        assert "核查结论" in items
        assert "人均纯收入" in items and any(i.startswith("成员 ") for i in items)
        assert r["核查表"] in visit


def test_cap_limits_households_per_village(cli, tmp_path: Path) -> None:
    out = tmp_path / "cap.xlsx"
    _draw(cli, SAMPLE_DATA / "monitoring_2023.xlsx", out, "--seed", "1", "--villages", "4",
          "--cap", "5")
    per_village = Counter(r["村代码"] for r in _rows(out, "样本户"))
    assert len(per_village) == 4 and max(per_village.values()) <= 5
