"""The vectorized cell-reference scan of io/limits.py reads what the regular expressions read."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from exitcheck.io import limits
from exitcheck.io.cells import column_letter

SCAN = limits._fast_refs()


def _regex_extent(chunk: bytes) -> tuple[int, int, int, int, int]:
    refs = limits._CELL_REF.findall(chunk)
    cols = [limits._col_number(c) for c, _ in refs if c]
    rows = [int(r) for _, r in refs if r]
    return (len(limits._CELL.findall(chunk)), min(cols), max(cols), min(rows), max(rows))


cells = st.lists(
    st.tuples(st.integers(0, 16_383), st.integers(1, 1_048_576), st.booleans()),
    min_size=1, max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(cells)
def test_fast_scan_matches_the_regex(refs: list[tuple[int, int, bool]]) -> None:
    parts = []
    for col, row, empty in refs:
        ref = f"{column_letter(col)}{row}"
        parts.append(f'<c r="{ref}" s="1"/>' if empty else f'<c r="{ref}" t="s"><v>3</v></c>')
    chunk = ("<row>" + "".join(parts) + "</row>").encode()
    found = SCAN(chunk, 32_767)
    assert found is not None
    assert found[:5] == _regex_extent(chunk)


def test_odd_layouts_fall_back_to_the_regex() -> None:
    for odd in (
        b'<row><c s="1" r="A1"/></row>',  # r not first
        b'<row><x:c r="A1"/></row>',  # prefixed
        b'<row><c r="A01"/></row>',  # leading zero
        b'<row><c r="ABCD1"/></row>',  # four letters
        b'<row><c r="A12345678"/></row>',  # eight digits
        b'<row><c r="A1x"/></row>',
        b"<row><c/><c r=\"B2\"/></row>",  # a cell without r
    ):
        assert SCAN(odd, 32_767) is None, odd


def test_long_text_is_flagged() -> None:
    chunk = b'<row><c r="A1" t="inlineStr"><is><t>' + b"x" * 5000 + b"</t></is></c></row>"
    assert SCAN(chunk, 1000)[5] is True  # the regex then measures it
    assert re.search(rb">([^<]{1001,})<", chunk)
    short = b"<row>" + b'<c r="A1" t="s"><v>1</v></c>' * 5000 + b"</row>"
    assert SCAN(short, 1000)[5] is False  # every block holds a tag: no text that long
