"""benchmarks/_report.py: each benchmark replaces only its own section of PERFORMANCE.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _report():
    spec = importlib.util.spec_from_file_location("_report", ROOT / "benchmarks" / "_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_replace_section_keeps_other_sections(tmp_path):
    report = _report()
    doc = tmp_path / "PERFORMANCE.md"
    report.replace_section("Loading", "first", doc)
    report.replace_section("Audit", "audit numbers", doc)
    report.replace_section("Loading", "second\n\n- line", doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance")
    assert text.count("## Loading") == 1 and "first" not in text
    assert "second\n\n- line" in text and "## Audit\n\naudit numbers" in text
    assert text.index("## Loading") < text.index("## Audit")


def test_machine_info_fields():
    info = _report().machine_info()
    assert {"date", "cpu", "cores", "python", "libraries"} <= set(info)
    assert "pandas" in info["libraries"]
