"""Exemption lists (豁免清单): matching, expiry, unmatched entries, malformed files."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from exitcheck.engine.exemptions import load_exemptions
from exitcheck.errors import RuleFileError

try:  # sibling test module: the hand-built registry and rules
    from test_evaluate import registry, run, sources
except ImportError:  # pragma: no cover - when tests/engine is a package
    from .test_evaluate import registry, run, sources  # type: ignore[no-redef]  # noqa: F401


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_match_expired_unmatched(sources, tmp_path: Path) -> None:
    registry_ = registry()
    registry_.members["id_number"] = pd.array(
        ["510000000000000001", "510000000000000002", "510000000000000003",
         "510000000000000004", "510000000000000005", "51000000000000006X"], dtype="string")
    path = write(tmp_path, "ex.yaml", """\
        exemptions:
          - {户编号: H2, 规则: INC001, 原因: 因灾核减收入已复核, 有效期至: 2020-06-30}
          - {证件号码: 51000000000000006x, 规则: medical, 原因: 在外地参保}
          - {户编号: H3, 规则: INC001, 原因: 旧豁免, 有效期至: 2019-06-30}
          - {户编号: H1, 规则: INC001, 原因: 无问题的户}
        """)
    ex = load_exemptions(path)
    assert len(ex) == 4
    result = run(sources, reg=registry_, exemptions=ex)
    f = result.findings
    h2 = f[(f["rule"] == "INC001") & (f["household_id"] == "H2")].iloc[0]
    assert h2["status"] == "exempted"  # still listed
    assert h2["values"]["exemption"] == "因灾核减收入已复核"
    assert h2["values"]["per_capita_net_income"] == 3000.5
    h5 = f[(f["rule"] == "MED001") & (f["member_id"] == "H5-1")].iloc[0]
    assert h5["status"] == "exempted"  # by ID number (case-insensitive X), rule name prefix
    h3 = f[(f["rule"] == "INC001") & (f["household_id"] == "H3")].iloc[0]
    assert h3["status"] == "not_evaluated"  # its exemption expired before the as-of date
    stats = result.rule_stats.set_index("rule")
    assert stats.loc["INC001"].tolist() == [4, 1, 0, 2, 1]
    assert stats.loc["MED001"].tolist() == [6, 3, 1, 1, 1]
    assert len(result.notes) == 2
    expired, unmatched = result.notes
    assert "过期" in expired and f"{path}:4" in expired and "H3" in expired
    assert "没有匹配" in unmatched and f"{path}:5" in unmatched and "H1" in unmatched


def test_csv_gbk_and_xlsx(sources, tmp_path: Path) -> None:
    csv = tmp_path / "ex.csv"
    csv.write_bytes("户编号,规则,原因,有效期至\nH2,INC001,复核通过,\n".encode("gb18030"))
    result = run(sources, exemptions=load_exemptions(csv))
    f = result.findings
    assert f.loc[(f["rule"] == "INC001") & (f["household_id"] == "H2"), "status"].iloc[0] == (
        "exempted")
    xlsx = tmp_path / "ex.xlsx"
    pd.DataFrame({"户编号": ["H3"], "规则": ["*"], "原因": ["全部豁免"],
                  "有效期至": ["2020-01-01"]}).to_excel(xlsx, index=False)
    result = run(sources, exemptions=load_exemptions(xlsx))
    f = result.findings
    assert f.loc[f["household_id"] == "H3", "status"].eq("exempted").all()
    assert result.notes == []


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("a.csv", "户编号,规则,原因\nH1,INC001,ok\nH2,INC001,\n", ":3"),
        ("b.csv", "户编号,规则,原因,有效期至\nH1,INC001,ok,明年\n", ":2"),
        ("c.csv", "户编号,规则,原因,备注\nH1,INC001,ok,x\n", ":1"),
        ("d.csv", "户编号,原因\nH1,ok\n", ":1"),
        ("e.csv", "户编号,证件号码,规则,原因\n,,INC001,ok\n", ":2"),
        ("f.yaml",
         "- {户编号: H1, 规则: INC001, 原因: ok}\n- {户编号: H2, 规侧: INC001, 原因: x}\n", ":2"),
        ("g.yaml", "exemptions: [unclosed\n", ":1"),
    ],
    ids=["blank_reason", "bad_date", "unknown_column", "no_rule_column", "no_key", "yaml_key",
         "yaml_syntax"],
)
def test_malformed(tmp_path: Path, name: str, content: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_exemptions(path)
    assert info.value.location == f"{path}{where}"


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "ex.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(RuleFileError):
        load_exemptions(path)


def test_expiry_on_as_of_day_still_applies(sources, tmp_path: Path) -> None:
    path = write(tmp_path, "ex.yaml",
                 "- {户编号: H2, 规则: INC001, 原因: r, 有效期至: 2019-12-31}\n")
    result = run(sources, exemptions=load_exemptions(path), as_of=date(2019, 12, 31))
    assert "exempted" in result.findings["status"].tolist() and result.notes == []
