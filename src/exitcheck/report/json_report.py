"""The versioned JSON report ``exitcheck.report/1`` (documented in docs/report-format.md)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from exitcheck import __version__
from exitcheck.aggregate import Summary, findings_frame
from exitcheck.engine.result import AuditResult
from exitcheck.findings import FINDING_COLUMNS
from exitcheck.report.atomic import atomic_output, write_text_atomic
from exitcheck.report.jsonsafe import to_jsonable
from exitcheck.report.mask import (
    mask_any,
    mask_id_series,
    mask_text,
    mask_text_series,
)
from exitcheck.report.values_json import values_json

SCHEMA_ID = "exitcheck.report/1"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


def _masked_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column masked (report/mask.py), column-wise; other columns as they are."""
    out = frame.copy()
    for key in out.columns:
        column = out[key]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            strings = (column.notna().to_numpy(dtype=bool) if column.dtype != object
                       else np.array([isinstance(v, str) for v in column], dtype=bool))
            if strings.any():
                masked = mask_text_series(column.where(strings, None)).astype(object)
                out[key] = column.astype(object).where(~strings, masked)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain JSON values, converted column-wise (NA/NaN -> None)."""
    columns = [_plain(frame[key]) for key in frame.columns]
    keys = [str(k) for k in frame.columns]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _plain(column: pd.Series) -> list[Any]:
    """A column as Python values json encodes (int, float, bool, str; None for NA/NaN), one
    conversion per column (pandas' to_dict boxes every cell: ~3 s at 10^6 rows)."""
    dtype = column.dtype
    missing = column.isna().to_numpy(dtype=bool)
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = column.to_numpy().tolist()  # numpy ints/bools hold no NA
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        number = column.to_numpy()
        missing = missing | ~np.isfinite(number)  # inf is no JSON number: null, as to_jsonable
        values = number.tolist()
    elif pd.api.types.is_bool_dtype(dtype):
        values = column.to_numpy(dtype=object, na_value=None).tolist()
        values = [None if v is None else bool(v) for v in values]
    elif pd.api.types.is_integer_dtype(dtype):
        values = column.to_numpy(dtype=object, na_value=None).tolist()
        values = [None if v is None else int(v) for v in values]
    elif pd.api.types.is_float_dtype(dtype):
        number = column.to_numpy(dtype="float64", na_value=np.nan)
        missing = missing | ~np.isfinite(number)
        values = number.tolist()
    else:  # text (masked frames hold str and None), or anything else: made JSON-safe
        values = column.to_numpy(dtype=object).tolist()
        if missing.any():
            for i in np.flatnonzero(missing):
                values[i] = None
        return [v if v is None or v.__class__ is str else to_jsonable(v) for v in values]
    if missing.any():
        for i in np.flatnonzero(missing):
            values[i] = None
    return values


def _keyed(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, Any]]:
    return {str(k): to_jsonable(v) for k, v in frame[columns].to_dict("index").items()}


def _inputs(result: AuditResult) -> list[dict[str, Any]]:
    return [
        {"path": str(i.path), "sha256": i.sha256, "reader": i.reader, "encoding": i.encoding,
         "sheet": i.sheet, "title_rows": list(i.title_rows), "header_rows": list(i.header_rows),
         "table": i.role, "rows_read": i.rows_read, "member_rows": i.member_rows,
         "units": i.units, "rows_skipped": dict(i.skipped), "reconciled": i.reconciled}
        for i in result.registry.inputs
    ]


def _parameters(result: AuditResult) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "title": p.title, "title_en": p.title_en, "value": p.value,
         "unit": p.unit, "effective_from": p.effective_from, "region": p.region,
         "source": p.source, "verified": p.verified, "note": p.note}
        for p in result.params
    ]


_RULE_COLUMNS = [
    "name", "family", "severity", "level", "title", "title_en",
    "applicable_units", "passed_units", "violated_units", "not_evaluated_units", "exempted_units",
    "violated_findings", "violated_households", "not_evaluated_findings",
    "not_evaluated_households", "exempted_findings", "exempted_households",
]
_AREA_COLUMNS = [
    "households", "exited", "problems", "failing", "at_risk", "data_errors", "not_evaluated",
    "exited_failing", "failing_share", "at_risk_share", "data_error_share",
    "exited_failing_share",
]


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "households": summary.households,
        "members": summary.members,
        "households_by_poverty_status": summary.by_poverty_status,
        "households_by_population": summary.by_population,
        "by_severity": _keyed(summary.by_severity, list(summary.by_severity.columns)),
        "by_rule": _keyed(summary.rules, _RULE_COLUMNS),
        "by_family": _keyed(summary.families, list(summary.families.columns)),
        "by_status": summary.by_status,
        "not_evaluated": {"findings": summary.not_evaluated_findings,
                          "households": summary.not_evaluated_households},
        "rows_reconciled": summary.rows_reconciled,
        "blocking_findings": summary.blocking_findings,
        "blocking_rules": summary.blocking_rules,
        "incomplete_families": list(summary.incomplete_families),
        "exit_code": int(summary.exit_code),
    }


def _rules_not_run(result: AuditResult) -> list[dict[str, Any]]:
    return [
        {"rule": n.code, "name": n.rule.name, "family": n.rule.family,
         "severity": n.rule.severity, "level": n.rule.level, "reason": n.reason,
         "names": list(n.names), "labels": list(n.labels), "units": n.units}
        for n in result.not_run
    ]


# Rows converted to dicts and encoded at a time: the long lists (10^5-10^6 findings and
# households) are never all Python dicts at once, nor the whole report one string.
CHUNK_ROWS = 20_000


# In a chunk's JSON text, each finding's ``"values":<n>}``: the placeholder replaced by the
# finding's values text. Nothing else can match: the records' keys are FINDING_COLUMNS (only
# one is "values"), and inside a JSON string every quote is escaped.
_VALUES_SLOT = re.compile(r'"values":(\d+)\}')


def _finding_chunks(result: AuditResult, show_ids: bool) -> Iterator[str]:
    """The findings' JSON texts, CHUNK_ROWS at a time, each a comma-joined run of records."""
    f = findings_frame(result)[list(FINDING_COLUMNS)]
    # Without --show-ids, _masked_frame masks every text column (member_id and message included).
    # values are per-finding dicts: encoded by values_json (contact keys dropped, IDs masked),
    # then put into the chunk's text in place of a numbered placeholder.
    rest = f.drop(columns="values")
    rest = rest if show_ids else _masked_frame(rest)
    values = f["values"].tolist()
    for start in range(0, len(f), CHUNK_ROWS):
        records = _records(rest.iloc[start:start + CHUNK_ROWS])
        texts = values_json(values[start:start + CHUNK_ROWS], show_ids=show_ids)
        for i, record in enumerate(records):
            record["values"] = i
        chunk = _dumps(records)[1:-1]
        yield _VALUES_SLOT.sub(
            lambda m, texts=texts: '"values":' + texts[int(m.group(1))] + "}", chunk)


def _household_chunks(summary: Summary, show_ids: bool) -> Iterator[list[dict[str, Any]]]:
    v = summary.verdicts.copy()
    v["head_id_number"] = (v["head_id_number"].astype("string") if show_ids
                           else mask_id_series(v["head_id_number"]))
    if not show_ids:
        v = _masked_frame(v)
    for start in range(0, len(v), CHUNK_ROWS):
        yield _records(v.iloc[start:start + CHUNK_ROWS])


def _dumps(value: Any) -> str:
    # Compact: json's C encoder only runs without indent (10^5 findings: ~4x faster, half the
    # size). Pipe through `python -m json.tool` or `jq` to read it.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _array(chunks: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    yield "["
    yield from _joined(_dumps(chunk)[1:-1] for chunk in chunks if chunk)
    yield "]"


def _joined(texts: Iterator[str]) -> Iterator[str]:
    """Comma-joined pieces of a JSON array's items (empty pieces left out)."""
    first = True
    for text in texts:
        if text:
            yield text if first else "," + text
            first = False


def report_chunks(
    result: AuditResult, summary: Summary, *, show_ids: bool = False, lang: str = "zh"
) -> Iterator[str]:
    """The JSON report's text, piece by piece (IDs masked unless ``show_ids``); the pieces
    joined are one JSON document and a newline. The one way the report is produced."""
    mask = (lambda frame: frame) if show_ids else _masked_frame
    head = to_jsonable({
        "schema": SCHEMA_ID,
        "tool": {"name": "exitcheck", "version": __version__},
        "run": {"year": result.year, "as_of": result.as_of, "region": result.region,
                "region_name": result.region_name, "region_origin": result.region_origin,
                "fail_on": summary.fail_on, "lang": lang, "show_ids": show_ids},
        "inputs": _inputs(result),
        "parameters": _parameters(result),
        "summary": _summary(summary),
    })
    # The long parts are converted column-wise by _records (a recursive walk costs seconds);
    # every text in them is masked column-wise too, the short parts by a walk (mask_any).
    areas = {
        "townships": _records(mask(summary.townships[["county", "township", *_AREA_COLUMNS]])),
        "villages": _records(mask(
            summary.villages[["county", "township", "village", *_AREA_COLUMNS]])),
    }
    yield _dumps({**mask_any(head, show_ids=show_ids), "areas": areas})[:-1]
    yield ',"households":'
    yield from _array(_household_chunks(summary, show_ids))
    yield ',"findings":['
    yield from _joined(_finding_chunks(result, show_ids))
    yield "]"
    tail = {
        "rules_not_run": mask_any(_rules_not_run(result), show_ids=show_ids),
        "notes": [str(n) if show_ids else mask_text(str(n)) for n in summary.notes],
    }
    yield "," + _dumps(tail)[1:] + "\n"


def build_report(
    result: AuditResult, summary: Summary, *, show_ids: bool = False, lang: str = "zh"
) -> dict[str, Any]:
    """The JSON report as a dict (what :func:`write_report` writes, parsed back)."""
    return json.loads("".join(report_chunks(result, summary, show_ids=show_ids, lang=lang)))  # type: ignore[no-any-return]


def write_report(
    result: AuditResult, summary: Summary, target: Path | str | TextIO, *,
    show_ids: bool = False, lang: str = "zh",
) -> None:
    """Stream the JSON report to a file (atomically; "-" means stdout) or an open text stream.
    Writing over one of the inputs is refused."""
    chunks = report_chunks(result, summary, show_ids=show_ids, lang=lang)
    if isinstance(target, (str, Path)) and str(target) != "-":
        with atomic_output(target, inputs=[i.path for i in result.registry.inputs]) as tmp, \
                open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(chunks)
        return
    stream = sys.stdout if isinstance(target, (str, Path)) else target
    stream.writelines(chunks)
    stream.flush()


def write_json(
    report: dict[str, Any],
    path_or_stdout: Path | str | TextIO,
    *,
    inputs: Iterable[Path | str] | None = None,
) -> None:
    """Write ``report`` to a file (atomically; "-" means stdout) or to an open text stream.

    Writing over one of ``inputs`` (default: the report's own ``inputs[].path``) is refused.
    """
    if inputs is None:
        inputs = [i["path"] for i in report.get("inputs", [])]
    text = _dumps(report) + "\n"
    if isinstance(path_or_stdout, (str, Path)):
        if str(path_or_stdout) == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_text_atomic(path_or_stdout, text, inputs=inputs)
    else:
        path_or_stdout.write(text)
