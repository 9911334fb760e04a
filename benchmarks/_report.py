"""Benchmark report helper: machine info and replacing one `## Section` of docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
LIBRARIES = ("exitcheck", "pandas", "numpy", "pyarrow", "python-calamine", "openpyxl",
             "xlsxwriter")
HEAD = """# Performance

Measured by the scripts in `benchmarks/` (see `benchmarks/README.md`); each script rewrites its
own `## Section` below and leaves the others alone. Numbers depend on the machine: each section
says which one it ran on.
"""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, str]:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": f"{cores} (usable {usable})",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def machine_lines() -> list[str]:
    info = machine_info()
    return [f"- {key}: {value}" for key, value in info.items()]


def replace_section(title: str, body: str, doc: Path = DOC) -> Path:
    """Put `## title` + body into the document, replacing the section of that title if any."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else HEAD
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
    return doc


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"
