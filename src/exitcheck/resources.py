"""Where the shipped YAML lives (rules/ in the repo, exitcheck.rulesets when installed)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_rules_dir() -> Path:
    """The folder holding fields.yaml, params/, the rule files and their test cases."""
    return Path(str(files("exitcheck.rulesets")))


def field_catalogue_path() -> Path:
    return shipped_rules_dir() / "fields.yaml"


def params_dir() -> Path:
    return shipped_rules_dir() / "params"
