"""Find the header row(s) under title rows and join two-row merged headers (issue Foundation #3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from exitcheck.io.cells import cell_text, is_texty

HeaderScore = Callable[[list[str]], float]
Merge = tuple[tuple[int, int], tuple[int, int]]  # ((row, col), (row, col)), 0-based, inclusive

SCAN_ROWS = 15  # rows searched for the header (title rows + header rows fit well within)
NEAR_BEST = 0.9  # the first row scoring within 90% of the best is the header (headers come first)
# A sheet is offered to the schema stage when its header scores at least this much.
MIN_SUPPLIED_SCORE = 0.2  # with the schema's scorer: fraction of cells matching the catalogue
MIN_DEFAULT_SCORE = 2.0  # with the built-in heuristic: number of name-like cells
MOSTLY = 0.9  # "mostly text": share of non-empty cells of a header row that look like names


def default_header_score(cells: list[str]) -> float:
    """Built-in heuristic: the number of non-empty, non-numeric short strings in the row."""
    return float(sum(1 for text in cells if is_texty(text)))


@dataclass
class Header:
    """Where the header is, relative to the first row/column of the grid it was found in."""

    rows: list[int]  # 1 or 2 grid row indexes forming the header
    titles: list[int]  # non-empty grid rows above the header
    names: list[str]  # joined header text per grid column ('' where none)
    score: float
    fallback: bool = False  # the supplied scorer found nothing; the heuristic chose the row
    raw: list[list[object]] = field(default_factory=list)  # header rows' cell values

    @property
    def last(self) -> int:
        return self.rows[-1]


def detect_header(
    head: Sequence[Sequence[object]],
    merges: Sequence[Merge] | None,
    header_score: HeaderScore | None,
) -> Header | None:
    """Header of a grid from its first rows; ``merges`` are relative to the same grid."""
    texts = [[cell_text(value) for value in row] for row in head[:SCAN_ROWS]]
    found = _best_row(texts, header_score) if header_score is not None else None
    fallback = False
    if found is None:
        found = _best_row(texts, default_header_score)
        fallback = header_score is not None
        if found is None or found[1] < MIN_DEFAULT_SCORE:
            return None
    best, score = found
    width = max((len(row) for row in texts), default=0)
    texts = [row + [""] * (width - len(row)) for row in texts]
    spans = _horizontal_spans(merges)
    if best > 0 and _is_header_pair(texts, best - 1, best, spans, header_score):
        rows = [best - 1, best]
    elif best + 1 < len(texts) and _is_header_pair(texts, best, best + 1, spans, header_score):
        rows = [best, best + 1]
    else:
        rows = [best]
    if len(rows) == 2:
        names = _join(texts[rows[0]], texts[rows[1]], spans.get(rows[0]), merges is not None)
    else:
        names = list(texts[best])
    titles = [i for i in range(rows[0]) if any(texts[i])]
    raw = [list(head[i]) for i in rows]
    return Header(rows=rows, titles=titles, names=names, score=score, fallback=fallback, raw=raw)


def passes(header: Header, header_score: HeaderScore | None) -> bool:
    """Whether a sheet's header is good enough to offer the sheet to the schema stage."""
    if header_score is None or header.fallback:
        return header.score >= MIN_DEFAULT_SCORE
    return header.score >= MIN_SUPPLIED_SCORE


def _best_row(texts: list[list[str]], scorer: HeaderScore) -> tuple[int, float] | None:
    scores = [scorer(row) if any(row) else 0.0 for row in texts]
    top = max(scores, default=0.0)
    if top <= 0:
        return None
    first = next(i for i, s in enumerate(scores) if s >= top * NEAR_BEST)
    return first, scores[first]


def _horizontal_spans(merges: Sequence[Merge] | None) -> dict[int, list[tuple[int, int]]]:
    """Row -> (first col, last col) of merged ranges that start in that row and span columns."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for (r1, c1), (_r2, c2) in merges or ():
        if c2 > c1:
            spans.setdefault(r1, []).append((c1, c2))
    return spans


def _mostly_names(row: list[str]) -> bool:
    filled = [t for t in row if t]
    return bool(filled) and sum(map(is_texty, filled)) >= MOSTLY * len(filled)


def _looks_like_title(row: list[str]) -> bool:
    """A lone cell, or 'key：value' metadata such as 导出时间：2020-01-01 / 单位：元."""
    filled = [t for t in row if t]
    if len(filled) <= 1:
        return True
    metadata = sum(1 for t in filled if any(c in t for c in "：:") and t[-1] not in "：:")
    return len(filled) <= 3 and metadata > 0


def _is_header_pair(
    texts: list[list[str]],
    upper: int,
    lower: int,
    spans: dict[int, list[tuple[int, int]]],
    header_score: HeaderScore | None,
) -> bool:
    """Does row ``lower`` complete row ``upper`` as the second row of a merged header?

    It must be mostly name-like text and put its text under blank or merged (group) cells of
    the upper row; a data row under a one-row header puts values under filled header cells.
    """
    top, low = texts[upper], texts[lower]
    if not (_mostly_names(top) and _mostly_names(low)) or _looks_like_title(top):
        return False
    covered = {c for c1, c2 in spans.get(upper, ()) for c in range(c1, c2 + 1)}
    width = len(top)
    for col in range(width):
        if not top[col]:
            covered.add(col)
        elif col + 1 < width and not top[col + 1] and low[col + 1] and low[col]:
            covered.add(col)  # start of a group written without a merge
    filled = [col for col in range(width) if low[col]]
    added = sum(1 for col in filled if col in covered)
    if added < max(1, math.ceil(0.5 * len(filled))):
        return False
    return header_score is None or header_score(low) > 0


def _join(
    top: list[str], low: list[str], spans: list[tuple[int, int]] | None, has_merges: bool
) -> list[str]:
    """'收入情况（元）/工资性收入' under a group; the upper text alone over an empty lower cell."""
    filled = list(top)
    for c1, c2 in spans or ():
        for col in range(c1 + 1, c2 + 1):
            if not filled[col]:
                filled[col] = top[c1]
    if not has_merges or not spans:
        # No merge information (csv, ods, or merges not used): carry a group label right across
        # blank upper cells while the lower row has text, starting at a group's first column.
        for col in range(1, len(filled)):
            if not filled[col] and low[col] and filled[col - 1] and low[col - 1]:
                filled[col] = filled[col - 1]
    names = []
    for up, down in zip(filled, low, strict=True):
        if up and down and up != down:
            names.append(f"{up}/{down}")
        else:
            names.append(up or down)
    return names
