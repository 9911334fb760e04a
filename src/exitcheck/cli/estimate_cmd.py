"""`exitcheck estimate` (work in progress)."""

from __future__ import annotations

import typer


def estimate() -> None:
    """(in progress)"""
    raise typer.Exit(2)
