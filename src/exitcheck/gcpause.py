"""Pause Python's cyclic garbage collector around bulk loading (millions of cycle-free objects)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a sheet becomes millions of Python objects (rows, cells).

    Those objects hold no cycles, yet every ~700 new ones trigger a collection and the oldest
    generation is walked again and again as they pile up (~0.25 s of a 100k-row sheet,
    docs/PERFORMANCE.md). On the way out, what exists is frozen (moved out of the collector's
    sight) so that re-enabling does not walk it all once more; reference counting still frees
    it when dropped. The previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
