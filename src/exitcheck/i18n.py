"""Message catalogues: user-facing text in Chinese (default) and English, looked up by key."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


class Catalogue:
    """A package's messages: ``key -> (chinese, english)`` templates in str.format syntax.

    Each package keeps its own catalogue in ``<package>/messages.py`` so that text stays next to
    the code that uses it, e.g.::

        MSG = Catalogue({"file_missing": ("找不到文件 {path}", "file not found: {path}")})
        MSG("file_missing", lang, path=p)
        MSG.both("file_missing", path=p)   # (zh, en), for ExitcheckError(message, message_en=)
    """

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self.entries = entries

    def __call__(self, key: str, lang: str = "zh", /, **values: object) -> str:
        zh, en = self.entries[key]
        return (en if lang == "en" else zh).format(**values)

    def both(self, key: str, /, **values: object) -> tuple[str, str]:
        zh, en = self.entries[key]
        return zh.format(**values), en.format(**values)
