"""User-facing error types: each carries a one-line message (Chinese first) and its exit code."""

from __future__ import annotations

from exitcheck.exitcodes import ExitCode


class ExitcheckError(Exception):
    """An error shown to the user as one line, without a traceback (unless --debug).

    ``message`` is the Chinese text, ``message_en`` the English one (falls back to Chinese).
    ``location`` names where it happened, e.g. ``county.xlsx 贫困人口明细!H17`` or
    ``rules/income.yaml:12``; ``detail`` is extra text shown under the line (e.g. a caret).
    """

    exit_code: ExitCode = ExitCode.INPUT_UNREADABLE

    def __init__(
        self,
        message: str,
        *,
        message_en: str | None = None,
        location: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.location = location
        self.detail = detail

    def render(self, lang: str = "zh") -> str:
        text = self.message_en if lang == "en" else self.message
        head = f"{self.location}: {text}" if self.location else text
        return f"{head}\n{self.detail}" if self.detail else head


class InputError(ExitcheckError):
    """An input data file is missing, unreadable, or not a registry export we understand."""

    exit_code = ExitCode.INPUT_UNREADABLE


class RuleFileError(ExitcheckError):
    """A rule, parameter, field-catalogue, column-mapping or exemption file is invalid."""

    exit_code = ExitCode.RULES_INVALID


class UsageError(ExitcheckError):
    """The command line asks for something impossible (bad option value, output == input...)."""

    exit_code = ExitCode.USAGE
