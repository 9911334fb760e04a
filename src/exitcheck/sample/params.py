"""Income lines the generator shapes incomes around, read from the shipped rules/params files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from exitcheck.resources import params_dir

# The parameter file each export style's income line comes from (POLICY.md §2).
LINE_PARAM = {"national": "exit_income_line", "monitoring": "monitoring_income_line"}

# Used only while rules/params/<name>.yaml does not exist yet (or lacks the region): the values
# POLICY.md §2 gives, so that sample data can be generated before the parameter files land.
# The audit itself never reads these; it always resolves rules/params.
_FALLBACK = {
    "exit_income_line": {"51": 3750.0, "national": 3218.0},
    "monitoring_income_line": {"52": 7300.0, "national": 6000.0},
}


def _resolve_from_file(path: Path, year: int, province: str) -> float | None:
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    values = doc.get("values") or {}
    cutoff = date(year, 12, 31)
    for key in (province, "national"):
        entries = values.get(key)
        if not entries and key.isdigit():  # YAML may read an unquoted 51 as an int
            entries = values.get(int(key))
        if not entries:
            continue
        dated = []
        for entry in entries:
            start = entry.get("from")
            start = date.fromisoformat(str(start)) if not isinstance(start, date) else start
            if start <= cutoff:
                dated.append((start, float(entry["value"])))
        if dated:
            return max(dated)[1]
    return None


def income_line(style: str, year: int, province: str) -> float:
    """The line for (style, year, province): rules/params first, else POLICY.md's value."""
    name = LINE_PARAM[style]
    path = params_dir() / f"{name}.yaml"
    if path.is_file():
        try:
            found = _resolve_from_file(path, year, province)
        except Exception:  # a broken parameter file is the params loader's error to report
            found = None
        if found is not None:
            return found
    table = _FALLBACK[name]
    return table.get(province, table["national"])
