"""`exitcheck inspect FILE`: show what was detected when loading a registry export."""

from __future__ import annotations

import typer


def inspect(file: str = typer.Argument(..., help="登记表文件 Registry export")) -> None:
    """查看读取结果 Show what exitcheck detects in a file (filled in once the loader lands)."""
    raise typer.Exit(0)
