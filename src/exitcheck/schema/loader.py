"""Files -> Registry: read every input, build one Registry, record provenance (sha256)."""

from __future__ import annotations

from pathlib import Path

from exitcheck.gcpause import gc_paused
from exitcheck.schema.build import build_registry
from exitcheck.schema.catalogue import load_catalogue, load_column_mapping
from exitcheck.schema.model import Registry


def load_registry(
    paths: list[Path],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    columns: Path | None = None,
    catalogue_path: Path | None = None,
) -> Registry:
    """Read, normalize and join one or several registry exports into one Registry.

    Households split over several files (or a household sheet plus a member sheet) are joined
    by household_id. ``columns`` is a ``--columns`` mapping file. Ages are not set here: call
    schema.derive.add_age(registry, as_of).
    """
    from exitcheck.io import read_tables, sha256_of

    catalogue = load_catalogue(catalogue_path)
    mapping = load_column_mapping(columns, catalogue) if columns is not None else None
    tables = []
    digests: dict[Path, str] = {}
    # Reading and building make millions of cycle-free objects: no cyclic GC meanwhile.
    with gc_paused():
        for path in paths:
            path = Path(path)
            tables.extend(read_tables(path, sheet=sheet, encoding=encoding,
                                      header_score=catalogue.header_score))
            digests[path] = sha256_of(path)
        registry = build_registry(tables, catalogue, mapping)
    for info in registry.inputs:
        info.sha256 = digests.get(Path(info.path), "")
    return registry
