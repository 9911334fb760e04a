"""The same per-unit audit on a Dask cluster (``--scheduler tcp://host:8786`` or ``local``).

Each unit is one task calling batch/runner.py ``audit_unit``: the workers read the unit's files
and write its workbook and findings part themselves (paths must be reachable from the workers: a
shared folder for a remote cluster), and return the same aggregates as the local pool. Optional
extra: ``pip install 'exitcheck[dask]'`` (docs/batch.md, docs/dependencies.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from exitcheck.batch.messages import MSG
from exitcheck.batch.runner import UnitOutcome, UnitTask, audit_unit
from exitcheck.errors import UsageError

LOCAL_WORKERS = 2  # --scheduler local: a LocalCluster of this many single-threaded processes


def _client(address: str) -> tuple[Any, Any]:
    """(client, cluster or None). ``local``: a LocalCluster on this machine."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        zh, en = MSG.both("no_dask")
        raise UsageError(zh, message_en=en, location="--scheduler") from exc
    if address == "local":
        from exitcheck.batch.runner import usable_cores

        cluster = LocalCluster(n_workers=min(LOCAL_WORKERS, usable_cores()) or 1,
                               threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="10s"), None
    except (OSError, TimeoutError, ValueError) as exc:
        zh, en = MSG.both("dask_connect", address=address, error=str(exc)[:200])
        raise UsageError(zh, message_en=en, location="--scheduler") from exc


def run_dask(tasks: Sequence[UnitTask], address: str, *, client: Any = None,
             on_done: Callable[[UnitOutcome], None] | None = None,
             ) -> tuple[list[UnitOutcome], tuple[str, int]]:
    """Run every task on the cluster; return the outcomes in unit order and (scheduler address,
    workers). ``client``: an existing distributed.Client (tests), else one is made from
    ``address``."""
    own = client is None
    cluster = None
    if own:
        client, cluster = _client(address)
    try:
        from distributed import as_completed

        workers = len(client.scheduler_info().get("workers", {}))
        # pure=False: two units are never "the same" task, even with equal arguments.
        futures = client.map(audit_unit, list(tasks), pure=False)
        outcomes = []
        for future in as_completed(futures):
            outcomes.append(future.result())
            if on_done:
                on_done(outcomes[-1])
        return (sorted(outcomes, key=lambda o: o.index),
                (str(client.scheduler.address), workers))
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
