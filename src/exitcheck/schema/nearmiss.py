"""Headers that almost name a field a rule needs: the `--columns` line that would map them.

A header such as ``2019年人均纯收入(元)`` matches no field (the year prefix), so every rule that
needs 人均纯收入 is reported as not run. That must never pass quietly (issue 11, part 4): the
header is named with the mapping line to add. Suggestions only, never applied: a near match is
a guess, and a wrong column would decide households.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from exitcheck.i18n import Catalogue
from exitcheck.schema.catalogue import FieldCatalogue, FieldSpec
from exitcheck.schema.model import InputInfo
from exitcheck.schema.text import header_candidates, header_key

MSG = Catalogue(
    {
        "hint": (
            "表头“{header}”（{where}）未被识别，可能就是 {label}（{name}），规则 {codes} 需要它"
            "而未运行；确认后在映射文件中写一行 {line} 并以 --columns 映射文件.yaml 重新运行",
            "header '{header}' ({where}) was not recognised and may be {label} ({name}), which"
            " rules {codes} need and did not run; if so, put the line {line} in a mapping file"
            " and run again with --columns mapping.yaml",
        ),
    }
)

# A year written into the header ("2019年人均纯收入", "人均纯收入2019年度") and the words that
# qualify a year's value: the field is the same whatever year the export was made for.
_YEAR = re.compile(r"^(?:19|20)\d{2}年?度?|(?:19|20)\d{2}年?度?$")
_YEAR_WORDS = re.compile(r"^(?:上年度?|当年度?|本年度?|年度)|(?:合计|总计)$")
# Edit-distance cut-off (difflib ratio) for a header to be called a near match of a field name.
_RATIO = 0.8


@dataclass(frozen=True)
class ColumnHint:
    """One unrecognised header that is probably ``field`` (needed by ``codes``)."""

    header: str
    where: str  # file name [sheet]
    field: str
    label: str
    codes: tuple[str, ...]
    label_en: str = ""

    @property
    def yaml_line(self) -> str:
        """The mapping-file line, the header quoted so any text is valid YAML."""
        return f"{json.dumps(self.header, ensure_ascii=False)}: {self.field}"

    def message(self, lang: str = "zh") -> str:
        sep = ", " if lang == "en" else "、"
        label = self.label_en if lang == "en" and self.label_en else self.label
        return MSG("hint", lang, header=self.header, where=self.where, label=label,
                   name=self.field, codes=sep.join(self.codes), line=self.yaml_line)


def _keys(text: str, catalogue: FieldCatalogue) -> list[str]:
    """Comparison keys of a header: its own, and without a year or year word around it."""
    out = header_candidates(text, catalogue.units)
    for key in list(out):
        bare = _YEAR_WORDS.sub("", _YEAR.sub("", key))
        bare = _YEAR_WORDS.sub("", _YEAR.sub("", bare))
        if bare and bare not in out:
            out += header_candidates(bare, catalogue.units)
    return out


def _field_keys(spec: FieldSpec, catalogue: FieldCatalogue) -> set[str]:
    return {header_key(t, catalogue.units) for t in (spec.name, spec.label, *spec.aliases)}


def near_field(header: str, specs: Iterable[FieldSpec], catalogue: FieldCatalogue
               ) -> FieldSpec | None:
    """The field of ``specs`` that ``header`` most probably names, or None."""
    keys = _keys(header, catalogue)
    best: tuple[float, FieldSpec] | None = None
    for spec in specs:
        targets = _field_keys(spec, catalogue)
        if targets & set(keys):
            return spec
        for key in keys:
            for target in targets:
                if len(target) < 3:
                    continue  # 村, 乡: any two-letter header would be "near"
                ratio = difflib.SequenceMatcher(None, key, target).ratio()
                if ratio >= _RATIO and (best is None or ratio > best[0]):
                    best = (ratio, spec)
    return best[1] if best else None


def column_hints(
    inputs: list[InputInfo], needed: dict[str, list[str]], catalogue: FieldCatalogue
) -> list[ColumnHint]:
    """Unrecognised headers (InputInfo.unmatched) that almost name a field of ``needed``
    (absent field -> codes of the rules that did not run for want of it)."""
    specs = [catalogue.fields[n] for n in needed if n in catalogue.fields]
    if not specs:
        return []
    several = len({str(i.path) for i in inputs}) > 1
    out: list[ColumnHint] = []
    taken: set[str] = set()
    for inp in inputs:
        where = f"{inp.path.name} [{inp.sheet}]" if several or inp.sheet != inp.path.name \
            else inp.path.name
        for header in inp.unmatched:
            spec = near_field(str(header), [s for s in specs if s.name not in taken], catalogue)
            if spec is None:
                continue
            taken.add(spec.name)
            out.append(ColumnHint(str(header), where, spec.name, spec.label,
                                  tuple(needed[spec.name]), spec.label_en))
    return out
