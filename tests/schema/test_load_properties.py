"""Property: whatever title, blank and total rows surround the members, loading loses nothing.

Real xlsx files are written with random title rows and blank / 合计 / 小计 rows interleaved with
a generated county's member rows; load_registry must account for every row (rows read = member
rows + skipped rows) and give back exactly the households and members that were written.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import columns_for
from exitcheck.schema.loader import load_registry

FILLERS = st.sampled_from(["blank", "合计", "小计", "总计"])


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, object]:
    n_households = draw(st.integers(min_value=1, max_value=6))
    seed = draw(st.integers(min_value=0, max_value=10_000))
    titles = draw(st.integers(min_value=0, max_value=3))
    # After each member row (and before the first), 0-2 filler rows.
    fillers = draw(st.lists(st.lists(FILLERS, max_size=2), min_size=60, max_size=60))
    return {"n": n_households, "seed": seed, "titles": titles, "fillers": fillers}


def write_sheet(path: Path, layout: dict[str, object]) -> tuple[set[str], int, int]:
    """Write the county; returns (household ids, member rows, filler rows written)."""
    frame, truth = generate_county(int(layout["n"]), seed=int(layout["seed"]))
    columns = columns_for(frame, truth)
    fillers: list[list[str]] = layout["fillers"]  # type: ignore[assignment]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("明细")
    row = 0
    for i in range(int(layout["titles"])):
        sheet.write_string(row, 0, f"某县建档立卡贫困人口明细表（标题行 {i + 1}）")
        row += 1
    for j, col in enumerate(columns):
        sheet.write_string(row, j, col.header)
    row += 1
    written_fillers = 0
    records = frame[[c.field for c in columns]].astype(object).where(frame.notna(), None)
    for k, values in enumerate(records.itertuples(index=False)):
        for kind in fillers[k % len(fillers)]:
            if kind != "blank":
                sheet.write_string(row, 0, kind)
            row += 1
            written_fillers += 1
        for j, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(row, j, float(value))
            else:
                sheet.write_string(row, j, str(value))
        row += 1
    book.close()
    return set(frame["household_id"].astype(str)), len(frame), written_fillers


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts())
def test_every_row_is_accounted_for_and_no_household_is_invented_or_lost(
    tmp_path: Path, layout: dict[str, object]
) -> None:
    path = tmp_path / f"county_{layout['seed']}_{layout['titles']}.xlsx"
    households, member_rows, fillers = write_sheet(path, layout)

    registry = load_registry([path])

    (info,) = registry.inputs
    assert info.title_rows == list(range(1, int(layout["titles"]) + 1))
    assert info.member_rows == member_rows
    # Fillers only stand before member rows, so every one of them is read and skipped.
    assert info.rows_read == info.member_rows + sum(info.skipped.values())
    assert sum(info.skipped.values()) == fillers
    n_blank = sum(kind == "blank" for k in range(member_rows)
                  for kind in layout["fillers"][k % 60])  # type: ignore[index]
    assert info.skipped.get("blank", 0) == n_blank
    assert info.skipped.get("total", 0) == fillers - n_blank
    assert set(registry.households.index.astype(str)) == households
    assert registry.n_members == member_rows
    assert int(registry.households["member_count"].sum()) == member_rows
