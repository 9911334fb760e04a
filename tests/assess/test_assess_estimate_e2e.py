"""`exitcheck estimate`: a filled visit workbook with planted wrong exits gives the planted rate
(computed here from the draw's weights) and the stored reference interval to 4 digits; visit
files with problems are reported, not silently used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import reference_calc as ref

from cli_runner import SAMPLE_DATA, run_cli

pytestmark = pytest.mark.e2e
FIXTURE = Path(__file__).parent / "fixtures" / "estimate_reference.json"
SEED = "20191231"
PLANTED = {2: None, 16: None, 29: None, 40: 1}  # index among exited sample households -> persons
DISAPPROVE = {4: "不认可", 9: "不认可", 11: "不清楚"}  # index among all sample households


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    base = tmp_path_factory.mktemp("estimate")
    draw = base / "draw.xlsx"
    res = run_cli("draw", SAMPLE_DATA / "county_2019.xlsx", "--seed", SEED, "--villages", "8",
                  "--fixed", "exited=6", "--reserves", "1", "-o", draw, cwd=base)
    assert res.returncode == 0, res.stderr
    sample = _rows(draw, "样本户")
    exited = [str(r["户编号"]) for r in sample if r["户类型"] == "已脱贫户"]
    planted = {exited[i]: n for i, n in PLANTED.items()}
    approval = {str(sample[i]["户编号"]): v for i, v in DISAPPROVE.items()}
    in_sample = {str(r["户编号"]) for r in sample}
    wb = openpyxl.load_workbook(draw)
    for name in wb.sheetnames:
        if not name.startswith("核查表-"):
            continue
        for row in wb[name].iter_rows(min_row=4):
            hid = str(row[0].value)
            if row[1].value != "核查结论" or hid not in in_sample:
                continue  # reserves stay blank: not visited
            row[5].value = "错退" if hid in planted else "无"
            if planted.get(hid):
                row[6].value = planted[hid]
            row[7].value = approval.get(hid, "认可")
    visits = base / "visits.xlsx"
    wb.save(visits)
    res = run_cli("estimate", visits, "--draw", draw, "--format", "json", "--no-excel", cwd=base)
    assert res.returncode == 0, res.stderr
    yield {"draw": draw, "visits": visits, "sample": sample, "planted": planted,
           "approval": approval, "report": json.loads(res.stdout), "base": base}


def _design(scn: dict[str, object], measure: str) -> list[dict[str, float | str]]:
    rows = []
    planted: dict[str, int | None] = scn["planted"]  # type: ignore[assignment]
    approval: dict[str, str] = scn["approval"]  # type: ignore[assignment]
    for r in scn["sample"]:  # type: ignore[attr-defined]
        hid = str(r["户编号"])
        if measure == "wrong_exit":
            x = float(r["脱贫人数"])
            y = (x if planted.get(hid) is None else float(planted[hid] or 0)) \
                if hid in planted else 0.0
        else:
            x = 1.0
            y = 0.0 if hid in approval else 1.0
        rows.append({"stratum": str(r["村层"]), "psu": str(r["村代码"]),
                     "w": float(r["权数"]), "y": y, "x": x})
    return rows


def _by_measure(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {e["measure"]: e for e in report["estimates"]}  # type: ignore[attr-defined,index]


def test_planted_wrong_exit_rate_and_reference_interval(scenario: dict[str, object]) -> None:
    got = _by_measure(scenario["report"])  # type: ignore[arg-type]
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for key in ("wrong_exit", "approval"):
        design = _design(scenario, key)
        planted_rate = (sum(float(d["w"]) * float(d["y"]) for d in design)
                        / sum(float(d["w"]) * float(d["x"]) for d in design))
        e = got[key]
        assert e["estimate"] == pytest.approx(planted_rate, rel=1e-12)
        live = {**ref.ratio_design(design)}
        live.update(ref.korn_graubard(live["r"], live["variance"], live["n"], int(live["df"])))
        want = stored[key]
        for name in ("estimate", "se", "deff", "n_eff", "n_eff_df", "lower", "upper"):
            value = float(e[name])  # type: ignore[arg-type]
            assert round(value, 4) == round(want[name], 4), name
        assert e["estimate"] == pytest.approx(live["r"])
        assert e["upper"] == pytest.approx(live["upper"], abs=1e-9)
        assert e["lower"] == pytest.approx(live["lower"], abs=1e-9)
        assert e["df"] == want["df"] == 7 and e["psus"] == 8
    wrong = got["wrong_exit"]
    assert wrong["verdict"] in ("fail", "not_proven")
    assert str(wrong["sentence"]).startswith("错退率 ")
    assert "95% 上限" in str(wrong["sentence"])
    assert got["missed"]["verdict"] == "not_evaluable"  # the 2019 export has no ordinary hh


def test_zero_findings_bound_uses_nominal_n(cli, scenario: dict[str, object]) -> None:
    base: Path = scenario["base"]  # type: ignore[assignment]
    csv = base / "zero.csv"
    lines = ["户编号,问题类型,认可度"]
    lines += [f"{r['户编号']},无,认可" for r in scenario["sample"]]  # type: ignore[attr-defined]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("estimate", csv, "--draw", scenario["draw"], "--format", "json", "--no-excel",
              cwd=base)
    assert res.returncode == 0, res.stderr
    e = _by_measure(json.loads(res.stdout))["wrong_exit"]
    n = sum(float(r["脱贫人数"]) for r in scenario["sample"])  # type: ignore[attr-defined]
    assert e["estimate"] == 0 and e["n"] == n and e["n_eff"] == n
    assert e["upper"] == pytest.approx(1 - 0.05 ** (1 / float(e["n_eff_df"])))  # type: ignore[arg-type]
    # ~190 exited persons in 8 villages (df 7): zero findings do not yet prove "< 2%"
    want = "pass" if float(e["upper"]) < 0.02 else "not_proven"  # type: ignore[arg-type]
    assert e["verdict"] == want
    assert ("：通过" if want == "pass" else "未能证明") in str(e["sentence"])


def test_visit_file_problems_are_reported(cli, scenario: dict[str, object]) -> None:
    base: Path = scenario["base"]  # type: ignore[assignment]
    sample = scenario["sample"]
    ids = [str(r["户编号"]) for r in sample]  # type: ignore[attr-defined]
    reserve = str(_rows(scenario["draw"], "备选户")[0]["户编号"])  # type: ignore[arg-type]
    lines = ["户编号,问题类型,认可度,涉及人数"]
    lines += [f"{h},无,认可," for h in ids[:-1]]  # the last sample household is not visited
    lines += [f"{ids[0]},错退,认可,",            # duplicate: first kept
              "5116029999999999,无,认可,",       # not in the sample
              ",错退,认可,",                     # no 户编号
              f"{reserve},无,很好,",             # reserve used; approval outside the list
              f"{ids[1]},漏评,认可,"]            # duplicate again
    csv = base / "messy.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = base / "messy_估计.xlsx"
    res = cli("estimate", csv, "--draw", scenario["draw"], "-o", out, "--json",
              base / "messy.json", cwd=base)
    assert res.returncode == 0, res.stderr
    data = json.loads((base / "messy.json").read_text(encoding="utf-8"))
    kinds = [i["kind"] for i in data["visits"]["issues"]]
    assert kinds.count("duplicate") == 2
    assert kinds.count("out_of_sample") == 1 and kinds.count("no_household_id") == 1
    assert kinds.count("bad_value") == 1
    assert data["visits"]["sample_not_visited"] == [ids[-1]]
    assert data["visits"]["reserves_used"] == [reserve]
    assert _by_measure(data)["wrong_exit"]["estimate"] == 0  # the duplicate 错退 is not used
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["估计结果", "核查户", "问题行"]
    assert "重复" in res.stdout and "样本外" in res.stdout


def test_plan(cli) -> None:
    res = cli("estimate", "--plan", "--upper", "0.02", "--deff", "2", "--format", "json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["persons"] == 297 and round(data["n_eff"], 2) == 148.28


def _print_fixture() -> None:  # pragma: no cover - run by hand to regenerate the fixture
    """python -c 'import test_assess_estimate_e2e as t; t._print_fixture()' (cwd tests/assess)."""
    import tempfile

    class _F:
        def mktemp(self, name: str) -> Path:
            return Path(tempfile.mkdtemp(prefix=name))

    scn = next(scenario.__wrapped__(_F()))  # type: ignore[attr-defined]
    out = {}
    for key in ("wrong_exit", "approval"):
        design = _design(scn, key)
        est = ref.ratio_design(design)
        kg = ref.korn_graubard(est["r"], est["variance"], est["n"], int(est["df"]))
        out[key] = {"estimate": est["r"], "se": est["variance"] ** 0.5, "deff": est["deff"],
                    "df": int(est["df"]), **kg}
    print(json.dumps(out, indent=1))
