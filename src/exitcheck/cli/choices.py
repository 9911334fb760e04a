"""Choice enums shared by several commands (--format, --fail-on, --lang)."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    rich = "rich"
    json = "json"


class FailOn(StrEnum):
    fail = "fail"
    risk = "risk"
    error = "error"
    warning = "warning"
    never = "never"


class Lang(StrEnum):
    zh = "zh"
    en = "en"
