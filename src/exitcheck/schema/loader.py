"""Files -> Registry: read every input, build one Registry, record provenance (sha256)."""

from __future__ import annotations

import threading
from pathlib import Path

from exitcheck.gcpause import gc_paused
from exitcheck.schema.build import build_registry
from exitcheck.schema.catalogue import load_catalogue, load_column_mapping
from exitcheck.schema.model import Registry


class _Digests(threading.Thread):
    """SHA-256 of the inputs, computed while they are parsed: python-calamine's parse and
    hashlib's large updates both release the GIL, so on a second core the hash is free."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(name="exitcheck-sha256", daemon=True)
        self.paths = paths
        self.digests: dict[Path, str] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        from exitcheck.io import sha256_of

        try:
            for path in self.paths:
                self.digests[path] = sha256_of(path)
        except BaseException as exc:  # reported by result() once reading has succeeded
            self.error = exc

    def result(self) -> dict[Path, str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.digests


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
    from exitcheck.io import read_tables

    catalogue = load_catalogue(catalogue_path)
    mapping = load_column_mapping(columns, catalogue) if columns is not None else None
    paths = [Path(path) for path in paths]
    tables = []
    hashing = _Digests(paths)
    hashing.start()
    # Reading and building make millions of cycle-free objects: no cyclic GC meanwhile.
    with gc_paused():
        for path in paths:
            tables.extend(read_tables(path, sheet=sheet, encoding=encoding,
                                      header_score=catalogue.header_score))
        digests = hashing.result()
        registry = build_registry(tables, catalogue, mapping)
    for info in registry.inputs:
        info.sha256 = digests.get(Path(info.path), "")
    return registry
