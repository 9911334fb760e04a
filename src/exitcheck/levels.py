"""The levels of the dataset model: which unit a table, a field or a rule is about.

village > household > member > spell: each unit belongs to one unit of the level above (a work
spell to a person, a person to a household, a household to a village). docs/dataset-model.md.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["village", "household", "member", "spell"]
LEVELS: tuple[Level, ...] = ("village", "household", "member", "spell")
# The level each level's units belong to (None: top).
PARENT: dict[Level, Level | None] = {
    "village": None,
    "household": "village",
    "member": "household",
    "spell": "member",
}


def depth(level: Level) -> int:
    """0 for village ... 3 for spell: a deeper level has more units."""
    return LEVELS.index(level)


def is_below(level: Level, other: Level) -> bool:
    """True when ``level``'s units belong to ``other``'s units (spell below member ...)."""
    return depth(level) > depth(other)
