"""Parameters resolved as of (year, region), fallbacks, overrides; regions and their inference."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from exitcheck.engine.cases import Case, case_registry
from exitcheck.engine.params import load_params
from exitcheck.engine.regions import Region, infer_region, resolve_region
from exitcheck.errors import RuleFileError, UsageError
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec

LINE = """\
name: line
title: 脱贫标准
title_en: Exit line
unit: 元
type: number
values:
  national:
    - {from: 2015-01-01, value: 2855, source: 国家 2015, verified: true}
    - {from: 2019-01-01, value: 3218, source: 国家 2019, verified: true}
  "51":
    - {from: 2019-01-01, value: 3750, source: 四川 2019, verified: true}
    - {from: 2020-07-01, value: 4000, source: 四川 2020, verified: false}
"""
TABLE = {
    "51": Region("51", "四川省", ("四川", "川")),
    "52": Region("52", "贵州省", ("贵州", "黔")),
    "50": Region("50", "重庆市", ("重庆", "渝")),
}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path):
    write(tmp_path / "p", "line.yaml", LINE)
    s = load_params([tmp_path / "p"], include_shipped=False)
    s.region_names = {c: r.name for c, r in TABLE.items()}
    return s


def test_province_value(store) -> None:
    pv = store.resolve("line", 2019, "51")
    assert (pv.value, pv.region, pv.effective_from, pv.source, pv.verified, pv.note) == (
        3750, "51", date(2019, 1, 1), "四川 2019", True, None)
    assert pv.unit == "元" and pv.title == "脱贫标准" and pv.title_en == "Exit line"
    # A county code resolves through its province.
    assert store.resolve("line", 2019, "511602").value == 3750


def test_national_fallback_with_note(store) -> None:
    pv = store.resolve("line", 2019, "52")
    assert (pv.value, pv.region) == (3218, None)
    assert pv.note == "未找到贵州省2019年的值，使用全国标准"
    # The province has values, but none yet in force in 2018: national, with the note.
    pv = store.resolve("line", 2018, "51")
    assert (pv.value, pv.effective_from) == (2855, date(2015, 1, 1))
    assert pv.note == "未找到四川省2018年的值，使用全国标准"
    # No region asked: national without a note.
    assert store.resolve("line", 2019, None).note is None


def test_date_boundaries(store) -> None:
    # Values in force on 31 Dec of the year count, even from mid-year.
    assert store.resolve("line", 2020, "51").value == 4000
    assert store.resolve("line", 2020, "51").effective_from == date(2020, 7, 1)
    assert store.resolve("line", 2014 + 1, None).value == 2855
    with pytest.raises(UsageError, match="2014"):
        store.resolve("line", 2014, None)
    with pytest.raises(UsageError, match="line"):
        store.resolve("lien", 2019, None)


def test_user_override_takes_precedence(tmp_path: Path, store) -> None:
    write(tmp_path / "p", "line.yaml", LINE)
    write(tmp_path / "mine", "line.yaml", """\
        name: line
        values:
          "52":
            - {from: 2019-01-01, value: 3500, source: 贵州文件, verified: false}
          "51":
            - {from: 2019-01-01, value: 3800, source: 本地核定}
        """)
    s = load_params([tmp_path / "p", tmp_path / "mine"], include_shipped=False)
    assert s.resolve("line", 2019, "52").value == 3500
    pv = s.resolve("line", 2019, "51")
    assert (pv.value, pv.source, pv.verified) == (3800, "本地核定", False)
    assert s.resolve("line", 2020, "51").value == 4000  # untouched dates kept
    assert s.get("line").title == "脱贫标准"  # inherited
    assert len(s.get("line").table()) == 5
    assert s.with_overrides({"line": 1}, "case").resolve("line", 2019, "51").value == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: x\ntitle: t\ntype: number\nvalues:\n  national:\n"
         "    - {from: 2019-01-01, value: 1}\n", 6),
        ("name: x\ntitle: t\ntype: integer\nvalues:\n  national:\n"
         "    - {from: 2019-01-01, value: 1.5, source: s}\n", 6),
        ("name: x\ntitle: t\ntype: number\nvalues:\n  sichuan:\n"
         "    - {from: 2019-01-01, value: 1, source: s}\n", 5),
        ("name: x\ntitle: t\ntype: number\nvalue:\n  national: []\n", 4),
        ("name: x\ntype: number\nvalues:\n  national:\n"
         "    - {from: 2019-01-01, value: 1, source: s}\n", 1),
        ("name: x\ntitle: t\ntype: number\nvalues:\n  national:\n"
         "    - {from: 2019-01-01, value: 1, source: s}\n"
         "    - {from: 2019-01-01, value: 2, source: s}\n", 7),
    ],
    ids=["no_source", "wrong_type", "bad_region", "unknown_key", "new_without_title", "dup_date"],
)
def test_malformed_param_file(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path / "p", "x.yaml", text)
    with pytest.raises(RuleFileError) as info:
        load_params([path], include_shipped=False)
    assert info.value.location == f"{path}:{line}"


def test_resolve_region() -> None:
    assert resolve_region("51", TABLE) == ("51", "四川省")
    assert resolve_region("511602", TABLE) == ("51", "四川省")
    assert resolve_region("四川", TABLE) == ("51", "四川省")
    assert resolve_region("四川省", TABLE) == ("51", "四川省")
    assert resolve_region(" 黔 ", TABLE) == ("52", "贵州省")
    with pytest.raises(UsageError) as info:
        resolve_region("四州", TABLE)
    assert "四川省" in info.value.message or "贵州省" in info.value.message
    with pytest.raises(UsageError):
        resolve_region("99", TABLE)


def test_shipped_region_table() -> None:
    assert resolve_region("川") == ("51", "四川省")
    assert resolve_region("重庆")[0] == "50"


CAT = FieldCatalogue({
    "household_id": FieldSpec("household_id", "户编号", "Household ID", "household", "id"),
    "id_number": FieldSpec("id_number", "证件号码", "ID", "member", "id_number"),
    "county": FieldSpec("county", "县", "County", "household", "text"),
})


def _registry(ids: list[str], county: str | None = None):
    household = {"county": county} if county else {}
    case = Case.model_validate({"name": "r", "year": 2019, "household": household,
                                "members": [{"id_number": i} for i in ids], "expect": "pass"})
    return case_registry(case, CAT, date(2019, 12, 31))


def valid_id(first17: str) -> str:
    import pandas as pd

    from exitcheck.schema.ids import check_char

    return first17 + str(check_char(pd.Series([first17])).iloc[0])


def test_infer_region_from_ids() -> None:
    ids = [valid_id("51160219800101001"), valid_id("51010219800101001"),
           valid_id("52010219800101001"), "51160219800101001" + "Z", "not-an-id"]
    code, evidence = infer_region(_registry(ids), TABLE)
    assert code == "51"
    assert "四川省" in evidence and "2/3" in evidence


def test_infer_region_from_county_code_and_none() -> None:
    code, evidence = infer_region(_registry(["x"], county="500101"), TABLE)
    assert code == "50" and "重庆市" in evidence
    code, evidence = infer_region(_registry(["x"]), TABLE)
    assert code is None and evidence
