"""The Dask runner gives what the local pool gives; a parquet dataset partitioned by county."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exitcheck.batch.runner import UnitOutcome, UnitTask, run_local
from exitcheck.batch.units import plan_units
from exitcheck.pipeline import AuditOptions
from exitcheck.sample.generator import generate_county
from exitcheck.sample.writers import save

COUNTIES = {"511602": 18, "511603": 14, "511621": 10}  # county code -> households


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A hive-partitioned parquet dataset (县=<name>/part.parquet), one county a partition."""
    root = tmp_path_factory.mktemp("province")
    scratch = tmp_path_factory.mktemp("scratch")
    frames = {}
    for i, (code, n) in enumerate(COUNTIES.items()):
        frame, truth = generate_county(n, seed=40 + i, county_code=code)
        csv = save(frame, truth, scratch / f"{code}.csv")  # the writer's own column headers
        table = pd.read_csv(csv, dtype=str, encoding="gb18030")
        part = root / f"县=county{code}"
        part.mkdir()
        pq.write_table(pa.Table.from_pandas(table.drop(columns=["县"], errors="ignore"),
                                            preserve_index=False), part / "part.parquet")
        frames[code] = frame
    return {"root": root, "frames": frames}


def tasks_for(paths: list[Path], parts_dir: Path) -> list[UnitTask]:
    plan = plan_units(paths)
    parts_dir.mkdir(exist_ok=True)
    return [UnitTask(index=i, unit=u, options=AuditOptions(paths=list(u.paths), year=2019),
                     fail_on="fail", lang="zh", show_ids=False, parts_dir=parts_dir)
            for i, u in enumerate(plan.units)]


def summary(o: UnitOutcome) -> tuple[Any, ...]:
    return (o.label, o.exit_code, o.error, o.rows_read, o.rows_units, o.rows_skipped,
            o.households, o.members, o.failing, o.at_risk, o.data_errors, o.not_evaluated,
            o.rules_not_run, o.findings, o.by_status, o.by_rule, o.counties)


def findings(o: UnitOutcome) -> pd.DataFrame:
    frame = pq.read_table(o.part).to_pandas()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_partitions_are_units_named_by_county(partitioned: dict[str, Any],
                                              tmp_path: Path) -> None:
    outcomes = run_local(tasks_for([partitioned["root"]], tmp_path / "parts"), jobs=1)
    assert [o.label for o in outcomes] == [f"county{c}" for c in COUNTIES]
    for o, (code, frame) in zip(outcomes, partitioned["frames"].items(), strict=True):
        assert o.error is None, o.error
        assert o.counties == [f"county{code}"]
        assert o.households == frame["household_id"].nunique()
        assert o.members == len(frame)
        assert o.rows_read == o.rows_units + o.rows_skipped


def test_local_cluster_equals_local_run(partitioned: dict[str, Any], tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from exitcheck.batch.dask_runner import run_dask

    local = run_local(tasks_for([partitioned["root"]], tmp_path / "local"), jobs=1)
    # Two single-threaded workers in this process: no worker start-up cost in the suite.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote, (address, workers) = run_dask(
            tasks_for([partitioned["root"]], tmp_path / "dask"), "local", client=client)
    assert workers == 2 and address
    assert [summary(o) for o in remote] == [summary(o) for o in local]
    for a, b in zip(local, remote, strict=True):
        assert a.part != b.part
        pd.testing.assert_frame_equal(findings(a), findings(b))
        assert len(findings(a)) == a.findings > 0


def test_scheduler_without_the_extra_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from exitcheck.batch.dask_runner import run_dask
    from exitcheck.errors import UsageError
    from exitcheck.exitcodes import ExitCode

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(UsageError) as err:
        run_dask([], "local")
    assert err.value.exit_code == ExitCode.USAGE
    assert "exitcheck[dask]" in err.value.message and "exitcheck[dask]" in err.value.message_en
