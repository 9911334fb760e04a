"""Generated test data of `exitcheck diff` and `exitcheck bunching`: two years of a synthetic
county with planted changes, and a county with planted bunching (written once per session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def two_years(folder: Path, style: str = "national", households: int = 200
              ) -> tuple[Path, Path, dict[str, Any]]:
    from exitcheck.sample.generator import generate_county
    from exitcheck.sample.next_year import derive_next_year
    from exitcheck.sample.writers import save

    where = (dict(year=2023, province_code="52", county_code="522327")
             if style == "monitoring" else {})
    frame, truth = generate_county(households, seed=5, style=style, **where)  # type: ignore[arg-type]
    old = save(frame, truth, folder / f"{style}_year1.xlsx")
    frame2, truth2, changes = derive_next_year(frame, truth, seed=6)
    new = save(frame2, truth2, folder / f"{style}_year2.xlsx")
    (folder / f"{style}_changes.json").write_text(json.dumps(changes, ensure_ascii=False),
                                                  encoding="utf-8")
    return Path(old), Path(new), changes


def bunched(folder: Path) -> tuple[Path, dict[str, Any]]:
    from exitcheck.sample.bunching import bunching_county
    from exitcheck.sample.writers import save

    frame, truth, info = bunching_county(1200, seed=11)
    return Path(save(frame, truth, folder / "bunched_2019.csv")), info
