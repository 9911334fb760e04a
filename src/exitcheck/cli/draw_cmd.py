"""`exitcheck draw` (work in progress)."""

from __future__ import annotations

import typer


def draw() -> None:
    """(in progress)"""
    raise typer.Exit(2)
