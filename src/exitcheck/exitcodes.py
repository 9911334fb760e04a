"""Process exit codes: the one enum every command maps its outcome to (docs/exit-codes.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # bad command line (typer/click also use 2)
    INPUT_UNREADABLE = 3  # an input file could not be read or understood
    RULES_INVALID = 4  # a rule, parameter, mapping or exemption file is invalid
    INCOMPLETE = 5  # an exit criterion could decide no household (--allow-incomplete accepts it)
    INTERNAL_ERROR = 70  # a bug in exitcheck (EX_SOFTWARE): never expected, please report it
