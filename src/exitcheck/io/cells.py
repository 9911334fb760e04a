"""Cell helpers shared by the readers: display text, header-likeness, column letters."""

from __future__ import annotations

import datetime as dt
import re

# A string made only of digits, separators and date units is a value, not a column name
# (numbers, dates "2019-01-01"/"2019年1月", IDs "51010019900101123X", amounts "1,234.5").
_VALUE_LIKE = re.compile(r"[\d０-９\s.,，．:：/\\\-+−_%年月日时分秒xX*#]*")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# Header cells are short; a long single cell is a title ("XX县2019年建档立卡贫困人口明细表…").
MAX_HEADER_LEN = 40


def cell_text(value: object) -> str:
    """Stripped display text of a cell ('' for empty); whole floats print without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _LINE_BREAKS.sub("", value).strip()
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def is_texty(text: str) -> bool:
    """True for a short string with a letter or CJK character: what a column name looks like."""
    return 0 < len(text) <= MAX_HEADER_LEN and _VALUE_LIKE.fullmatch(text) is None


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 25 -> Z, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
