"""`--help` that reads at 80 columns, Chinese and English side by side (issue 11).

Typer's rich help puts each option's help in a narrow table column and wraps it inside rich
``Columns``; with Chinese text (no spaces to break at, two cells a character) lines come out cut
with "…". These command classes (click's ``cls=`` extension point) print the same content with
each option on its own line and its help wrapped below it on the full width instead.
"""

from __future__ import annotations

import inspect
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        "usage": ("用法 Usage:", "Usage:"),
        "arguments": ("参数 Arguments", "Arguments"),
        "options": ("选项 Options", "Options"),
        "commands": ("命令 Commands", "Commands"),
        "help": ("显示本帮助并退出 Show this message and exit.", "Show this message and exit."),
        "required": ("[必填 required]", "[required]"),
    }
)


def _records(command: Any, ctx: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(arguments, options) as (names, help) pairs, hidden ones left out."""
    arguments, options = [], []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, text = record
        if param.name == "help":
            text = MSG("help")
        if getattr(param, "param_type_name", "") == "argument":
            text = " ".join(filter(None, [getattr(param, "help", "") or "",
                                          MSG("required") if param.required else ""]))
            arguments.append((names, text))
        else:
            if param.required and "required" not in text:
                text = f"{text}  {MSG('required')}"
            options.append((names, text))
    return arguments, options


def _section(console: Console, title: str, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    console.print()
    console.print(Text(title, style="bold"))
    for names, text in rows:
        console.print(Text(f"  {names}", style="bold cyan"))
        if text:
            console.print(Padding(Text(text), (0, 0, 0, 6)))


def print_help(command: Any, ctx: Any) -> None:
    """Usage, description, arguments, options and subcommands of ``command``."""
    console = Console(highlight=False)
    usage = ctx.get_usage()
    usage = usage.split(":", 1)[1].strip() if usage.startswith("Usage:") else usage
    console.print(Text(f"{MSG('usage')} {usage}"))
    if command.help:
        console.print()
        console.print(Padding(Text(inspect.cleandoc(command.help)), (0, 0, 0, 1)))
    arguments, options = _records(command, ctx)
    _section(console, MSG("arguments"), arguments)
    _section(console, MSG("options"), options)
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            first = inspect.cleandoc(sub.help or "").split("\n\n")[0].replace("\n", " ")
            rows.append((name, first))
        _section(console, MSG("commands"), rows)


class HelpCommand(TyperCommand):
    """A Typer command whose --help is :func:`print_help`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(self, ctx)


class HelpGroup(TyperGroup):
    """A Typer group whose --help is :func:`print_help`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(self, ctx)
