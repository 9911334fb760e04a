"""Command-line usage errors (click's unknown option, missing argument, bad value) in the
user's language: Chinese by default, English with ``--lang en`` (issue 11).

Typer runs with ``standalone_mode=False`` (cli/app.py main) so that click hands the error back
instead of printing its English panel; the kind of error (click's exception class and its
fields) decides the Chinese text. A value click itself rejects keeps click's English reason
after the Chinese line, so nothing it said is lost.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from exitcheck.i18n import Catalogue

# The exception classes of command-line errors. Typer >= 0.17 ships its own copy of click and
# raises typer.TyperException; older typer (the tested lower bound, 0.16) raises click's own
# ClickException. Both are caught.
_classes: list[type[Exception]] = []
if isinstance(getattr(typer, "TyperException", None), type):
    _classes.append(typer.TyperException)
try:
    import click

    _classes.append(click.ClickException)
except ImportError:  # pragma: no cover - typer without the click package
    pass
USAGE_ERRORS: tuple[type[Exception], ...] = tuple(_classes)

MSG = Catalogue(
    {
        "usage": ("用法：{usage}", "Usage: {usage}"),
        "try_help": ("查看帮助：{command} --help", "Try '{command} --help' for help."),
        "error": ("错误：{message}", "Error: {message}"),
        "no_such_option": ("没有这个选项：{name}", "No such option: {name}"),
        "did_you_mean": ("（相近的选项：{names}）", " (Possible options: {names})"),
        "missing_argument": ("缺少参数 {name}", "Missing argument {name}."),
        "missing_option": ("缺少选项 {name}", "Missing option {name}."),
        "bad_value": ("{name} 的取值无效（{reason}）", "Invalid value for {name}: {reason}"),
        "no_such_command": ("没有这个命令：{name}", "No such command '{name}'."),
        "other": ("命令行有误（{reason}）", "{reason}"),
        "aborted": ("已中止", "Aborted."),
    }
)


def lang_of(argv: Sequence[str]) -> str:
    """The --lang of a command line not yet parsed ("zh" unless it says en)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "zh"


def _kind(err: Exception) -> str:
    """The click error class by name (typer ships its own copy of click, whose classes are not
    public): NoSuchOption, MissingParameter, BadParameter, NoArgsIsHelpError, UsageError..."""
    names = [cls.__name__ for cls in type(err).__mro__]
    for kind in ("NoArgsIsHelpError", "NoSuchOption", "MissingParameter", "BadParameter"):
        if kind in names:
            return kind
    return "other"


def _param_name(err: Exception) -> str:
    param = getattr(err, "param", None)
    if param is None:
        hint = getattr(err, "param_hint", None)
        return hint if isinstance(hint, str) else ""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.human_readable_name).upper()
    return " / ".join(param.opts)


def message(err: Exception, lang: str) -> str:
    """The error line's text (without the 错误：/Error: prefix)."""
    kind = _kind(err)
    if kind == "NoSuchOption":
        text = MSG("no_such_option", lang, name=getattr(err, "option_name", ""))
        possible = sorted(getattr(err, "possibilities", None) or ())
        if possible:
            sep = "、" if lang != "en" else ", "
            text += MSG("did_you_mean", lang, names=sep.join(possible))
        return text
    if kind == "MissingParameter":
        param = getattr(err, "param", None)
        argument = getattr(param, "param_type_name", "") == "argument"
        return MSG("missing_argument" if argument else "missing_option", lang,
                   name=_param_name(err))
    if kind == "BadParameter":
        return MSG("bad_value", lang, name=_param_name(err),
                   reason=getattr(err, "message", str(err)))
    format_message = getattr(err, "format_message", None)
    reason = format_message() if callable(format_message) else str(err)
    if reason.startswith("No such command"):
        name = reason.split("'")[1] if reason.count("'") >= 2 else reason
        return MSG("no_such_command", lang, name=name)
    return MSG("other", lang, reason=reason)


def show_usage_error(err: Exception, lang: str) -> int:
    """Print ``err`` on stderr as usage, a hint to --help and the error; return its exit code
    (2). A command given without its arguments shows its help, as click does."""
    ctx = getattr(err, "ctx", None)
    if _kind(err) == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return int(getattr(err, "exit_code", 2))
    lines = []
    if ctx is not None:
        usage = ctx.get_usage()
        usage = usage.split(":", 1)[1].strip() if usage.startswith("Usage:") else usage
        lines.append(MSG("usage", lang, usage=usage))
        lines.append(MSG("try_help", lang, command=ctx.command_path))
    lines.append(MSG("error", lang, message=message(err, lang)))
    typer.echo("\n".join(lines), err=True)
    return int(getattr(err, "exit_code", 2))


def show_aborted(lang: str) -> int:
    typer.echo(MSG("aborted", lang), err=True)
    return 1


def current_lang() -> str:
    return lang_of(sys.argv[1:])
