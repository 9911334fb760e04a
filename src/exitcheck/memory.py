"""Give memory freed between stages back to the operating system (issue 9: peak RSS).

Arrow's default pool (mimalloc or jemalloc) keeps the pages it freed for reuse: after the load
of 10^6 members the process held ~1.7 GiB of which ~0.8 GiB was freed Arrow memory, and the
next stage (evaluate) started from there (docs/PERFORMANCE.md). Releasing it at the stage
boundaries lowers every later stage's peak; glibc's own heap is trimmed likewise where it is
the C library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_unused() -> None:
    """Return the memory pools' freed pages to the OS (cheap: milliseconds)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:  # glibc only: musl and macOS have no malloc_trim
        libc.malloc_trim(0)
