"""Households and persons present in several units: one DQ120 finding each (docs/batch.md).

Auditing units apart removes the false DQ010/DQ011/DQ013 errors that merging overlapping county
files produced (one household's rows from two files looked like two heads, duplicated members);
what is really wrong — the same household or person exported in two files — is reported once,
naming the files and rows, by the rule DQ120 (rules/rulesets/dq_batch.yaml).

Two passes over the units' key files (batch/runner.py write_keys) keep memory to the key column:
the first finds keys seen in more than one unit, the second reads only those keys' rows.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from exitcheck.batch.messages import MSG
from exitcheck.findings import FINDING_COLUMNS

RULE = "DQ120"


# Keys counted in memory at once when the units' keys are many (a nation: ~1.3 x 10^7 keys per
# 10^7 members): above this they are first spilled to hash buckets of about this size.
KEYS_PER_BUCKET = 1_000_000


def _shared_keys(outcomes: Sequence[Any]) -> tuple[pa.Array, pa.Array]:
    """(household IDs, person ID numbers) present in two or more units.

    A key's units are all in one hash bucket, so each bucket is counted on its own: memory holds
    one unit's keys plus one bucket, whatever the number of units (issue 9: 10^7 members in
    4 GiB)."""
    files = [(o.index, o.keys) for o in outcomes if o.keys]
    total = sum(pq.ParquetFile(path).metadata.num_rows for _, path in files)
    buckets = 1 << max(0, math.ceil(math.log2(max(total / KEYS_PER_BUCKET, 1.0))))
    if buckets == 1:
        return _shared_in(pa.concat_tables([_unit_keys(i, p) for i, p in files])
                          if files else None)
    with tempfile.TemporaryDirectory(prefix=".keys-", dir=Path(files[0][1]).parent) as tmp:
        writers: dict[int, pq.ParquetWriter] = {}
        try:
            for index, path in files:
                table = _unit_keys(index, path)
                keys = table["key"].to_numpy(zero_copy_only=False)
                bucket = pd.util.hash_array(keys.astype(object)) & np.uint64(buckets - 1)
                order = np.argsort(bucket, kind="stable")
                ordered, sorted_buckets = table.take(pa.array(order)), bucket[order]
                edges = np.searchsorted(sorted_buckets, np.arange(buckets + 1, dtype=np.uint64))
                for b in range(buckets):
                    if edges[b + 1] > edges[b]:
                        if b not in writers:
                            writers[b] = pq.ParquetWriter(Path(tmp) / f"{b}.parquet",
                                                          table.schema)
                        writers[b].write_table(
                            ordered.slice(int(edges[b]), int(edges[b + 1] - edges[b])))
        finally:
            for writer in writers.values():
                writer.close()
        found = [_shared_in(pq.read_table(Path(tmp) / f"{b}.parquet")) for b in sorted(writers)]
    return (pa.concat_arrays([h for h, _ in found]),  # each bucket's: string already
            pa.concat_arrays([p for _, p in found]))


def _unit_keys(index: int, path: str) -> pa.Table:
    """One unit's (kind, key) pairs with its index, each pair once (a person on two rows of
    one file is not an overlap)."""
    t = pq.read_table(path, columns=["kind", "key"]).group_by(["kind", "key"]).aggregate([])
    t = t.cast(pa.schema([("kind", pa.string()), ("key", pa.string())]))
    return t.append_column("unit", pa.array(np.full(t.num_rows, index, "int32")))


def _shared_in(every: pa.Table | None) -> tuple[pa.Array, pa.Array]:
    """The household and person keys of ``every`` (distinct per unit) found in two units."""
    if every is None:
        return pa.array([], pa.string()), pa.array([], pa.string())
    out = []
    for kind in ("household", "person"):
        sub = every.filter(pc.equal(every["kind"], kind))
        counts = sub.group_by("key").aggregate([("unit", "count")])
        out.append(counts.filter(pc.greater(counts["unit_count"], 1))["key"].combine_chunks()
                   .cast(pa.string()))
    return out[0], out[1]


def overlap_rows(outcomes: Sequence[Any]) -> pd.DataFrame:
    """Rows (unit label, kind, key, household_id, member_id, location) of the shared keys."""
    households, persons = _shared_keys(outcomes)
    if not len(households) and not len(persons):
        return pd.DataFrame(columns=["label", "kind", "key", "household_id", "member_id",
                                     "location"])
    frames = []
    for o in outcomes:
        if not o.keys:
            continue
        t = pq.read_table(o.keys)
        keep = pc.or_(
            pc.and_(pc.equal(t["kind"], "household"), pc.is_in(t["key"], value_set=households)),
            pc.and_(pc.equal(t["kind"], "person"), pc.is_in(t["key"], value_set=persons)))
        frame = t.filter(keep).to_pandas()
        frame.insert(0, "label", o.label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def overlap_findings(outcomes: Sequence[Any], rule: Any, lang: str) -> pd.DataFrame:
    """DQ120 findings (FINDING_COLUMNS + ``unit``): one per household in several units, one per
    person in several units outside such a household. ``rule``: the loaded DQ120 (None when it
    is not selected: no findings)."""
    from exitcheck.engine.render import render

    rows = overlap_rows(outcomes) if rule is not None else pd.DataFrame()
    if rows.empty:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "unit"])
    rows = rows.drop_duplicates(["label", "kind", "key"])  # the first row of each in each unit
    shared_households = set(rows.loc[rows["kind"] == "household", "key"])
    persons = rows[rows["kind"] == "person"]
    inside = persons["household_id"].isin(shared_households)
    covered = inside.groupby(persons["key"]).transform("all")
    rows = pd.concat([rows[rows["kind"] == "household"], persons[~covered]])
    sep = "、" if lang != "en" else ", "
    # The location names the file ("a.xlsx 贫困人口明细!5:5"); a dataset unit's label (its
    # folder) is said before it.
    loc = rows["location"].fillna("").astype(object)
    named = np.array([lo.startswith(la) for la, lo in zip(rows["label"], loc, strict=True)],
                     dtype=bool)
    rows["cited"] = np.where(named, loc, rows["label"] + " " + loc)
    grouped = rows.groupby(["kind", "key"], sort=True)
    agg = grouped.agg(household_id=("household_id", "first"), member_id=("member_id", "first"),
                      units=("label", list), cited=("cited", sep.join),
                      location=("location", "; ".join)).reset_index()
    what = np.where(agg["kind"] == "household",
                    MSG("overlap.household", lang, key="{k}"),
                    MSG("overlap.person", lang, key="{k}"))
    detail = pd.Series([w.format(k=k) for w, k in zip(what, agg["key"], strict=True)],
                       index=agg.index, dtype=object) + agg["cited"]
    columns = {"detail": detail, "field": pd.Series("household_id", index=agg.index),
               "label": pd.Series("", index=agg.index), "value": agg["key"]}
    message = render(rule.message_en if lang == "en" else rule.message, columns, agg.index, lang)
    values = [{"field": "household_id" if k == "household" else "id_number", "value": key,
               "units": units} for k, key, units in
              zip(agg["kind"], agg["key"], agg["units"], strict=True)]
    return pd.DataFrame({
        "rule": rule.code, "family": rule.family, "severity": str(rule.spec.severity),
        "status": "violated", "household_id": agg["household_id"].to_numpy(dtype=object),
        "member_id": np.where(agg["kind"] == "person", agg["member_id"], None),
        "location": agg["location"].to_numpy(dtype=object),
        "message": message.to_numpy(dtype=object), "values": values,
        "unit": [sep.join(u) for u in agg["units"]],
    })
