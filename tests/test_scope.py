"""resolve_scope: year, as-of and region from the options, else from the data, and said so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from exitcheck.errors import UsageError
from exitcheck.schema.model import InputInfo, Registry
from exitcheck.scope import resolve_scope


def registry(exit_years: list[object], ids: list[str]) -> Registry:
    hh = pd.DataFrame({"exit_year": exit_years},
                      index=pd.Index([f"H{i}" for i in range(len(exit_years))],
                                     name="household_id"))
    members = pd.DataFrame({"household_id": list(hh.index), "id_number": ids,
                            "id_valid": [True] * len(ids)})
    info = InputInfo(path=Path("a.xlsx"), sheet="s", reader="t", encoding=None, sha256="",
                     title_rows=[], header_rows=[1], rows_read=0, member_rows=0, skipped={},
                     mapping={}, unmatched=[], missing_optional=[])
    return Registry(members=members, households=hh, inputs=[info], as_of=None,
                    issues=pd.DataFrame())


REG = registry([2018, "2019", None], ["511602198001011234", "511602198001011234", "x"])


def test_year_and_region_inferred_and_noted() -> None:
    scope = resolve_scope(REG, year=None, region=None, as_of=None)
    assert (scope.year, scope.as_of, scope.region, scope.region_origin) == (
        2019, date(2019, 12, 31), "51", "inferred")
    assert scope.notes[0] == "核查年度 2019 由数据中的“脱贫年度”推断；可用 --year 指定"
    en = resolve_scope(REG, year=None, region=None, as_of=None, lang="en")
    assert en.notes[0].startswith("audit year 2019 inferred from the data's 脱贫年度")
    assert en.notes[1].startswith("region 四川省 (51) inferred: 100% of ID numbers (2/2)")


def test_options_win_and_an_as_of_gives_the_year() -> None:
    scope = resolve_scope(REG, year=None, region="贵州", as_of=date(2020, 6, 30))
    assert (scope.year, scope.as_of, scope.region, scope.region_origin) == (
        2020, date(2020, 6, 30), "52", "option")
    assert scope.notes == ()  # nothing was inferred, and 2020 is not before the data


def test_an_audit_year_before_the_data_is_said() -> None:
    scope = resolve_scope(REG, year=2013, region="51", as_of=None)
    assert scope.notes == ("数据中的“脱贫年度”最晚为 2019 年，晚于核查年度 2013：年龄按 "
                           "2013-12-31 计算，请确认 --year/--as-of",)
    later = resolve_scope(REG, year=2021, region="51", as_of=None)
    assert later.notes == ()  # re-checking exited households in a later year is normal


def test_no_year_anywhere_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        resolve_scope(registry([None], ["x"]), year=None, region=None, as_of=None)
