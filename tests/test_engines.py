"""The same per-partition function on the local engine and on a Dask cluster gives identical tables."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from biblio.engines import map_partitions
from biblio.errors import EngineError
from biblio.snapshot import scan_snapshot
from biblio.tables import SCHEMAS, WorksTables
from tests.test_snapshot import query, work, write_partition


def synthetic_snapshot(root: Path, *, partitions: int = 6, per: int = 120, seed: int = 7) -> None:
    """A SYNTHETIC partitioned snapshot: ~1/3 in scope, some works re-issued in a later partition."""
    rnd = random.Random(seed)
    issued: list[str] = []
    for p in range(partitions):
        works = []
        for i in range(per):
            wid = rnd.choice(issued) if issued and rnd.random() < 0.05 else f"W{p}{i:04d}"
            issued.append(wid)
            w = work(wid, f"2024-{1 + i % 12:02d}-1{p}", cc=rnd.choice(["CN", "US", "US"]), funder=rnd.choice(["F4320338279", "F4320321001"]), legacy=i % 5 == 0)
            w.update({"title": f"[SYNTHETIC] {wid} issue {p}", "doi": f"https://doi.org/10.5555/{wid}", "updated_date": f"2024-0{1 + p}-01T00:00:00"})
            works.append(w)
        write_partition(root, f"2024-0{1 + p}-01", 0, works)


def test_dask_cluster_gives_the_local_engine_tables(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    synthetic_snapshot(tmp_path / "snap")
    q = query(tmp_path / "snap")
    local = scan_snapshot(q, work_dir=tmp_path / "local", batch_size=50)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        dask = scan_snapshot(q, work_dir=tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, batch_size=50)
    a, b = WorksTables.read(tmp_path / "local" / "tables"), WorksTables.read(tmp_path / "dask" / "tables")
    assert a.works.height > 100 and local.n_records == dask.n_records and local.meta_count == dask.meta_count == 720
    for name in SCHEMAS:
        assert_frame_equal(getattr(a, name), getattr(b, name))


def test_unknown_engine_and_unreachable_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("biblio.engines.CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(EngineError, match="unknown engine 'spark'"):
        list(map_partitions(str, [1], engine="spark"))
    with pytest.raises(EngineError, match="cannot reach the Dask scheduler"):
        list(map_partitions(str, [1], engine="dask", scheduler="tcp://127.0.0.1:9"))


def test_local_threads_keep_order_and_stop_at_an_error() -> None:
    import threading
    import time

    seen: list[str] = []

    def slow_first(x: int) -> tuple[int, str]:
        time.sleep(0.2 if x == 0 else 0.0)  # the first item finishes last
        return x, threading.current_thread().name

    out = list(map_partitions(slow_first, list(range(6)), threads=2))
    assert [x for x, _ in out] == list(range(6))
    assert len({name for _, name in out}) == 2  # both threads worked

    def boom(x: int) -> int:
        seen.append(str(x))
        if x == 1:
            raise ValueError("bad partition 1")
        time.sleep(0.05)
        return x

    with pytest.raises(ValueError, match="bad partition 1"):
        list(map_partitions(boom, list(range(50)), threads=2))
    assert len(seen) < 50  # the items not yet started were cancelled


def test_local_scan_on_threads_gives_the_serial_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three partitions at a time give the one-at-a-time tables; side by side, each thread parses
    its blocks itself (Arrow's pool only for a scan on one thread)."""
    import biblio.snapshot as snapshot

    synthetic_snapshot(tmp_path / "snap")
    q = query(tmp_path / "snap")
    pools: list[bool] = []
    scan = snapshot.scan_partition
    monkeypatch.setattr(snapshot, "scan_partition", lambda part, spec, out=None: (pools.append(spec.parse_threads), scan(part, spec, out))[1])
    monkeypatch.setattr("biblio.engines.local_threads", lambda n: 1)
    one = scan_snapshot(q, work_dir=tmp_path / "one", batch_size=50)
    assert set(pools) == {True}
    pools.clear()
    monkeypatch.setattr("biblio.engines.local_threads", lambda n: min(3, n))
    three = scan_snapshot(q, work_dir=tmp_path / "three", batch_size=50)
    assert set(pools) == {False} and len(pools) == 6
    a, b = WorksTables.read(tmp_path / "one" / "tables"), WorksTables.read(tmp_path / "three" / "tables")
    assert one.meta_count == three.meta_count == 720 and one.notes == three.notes
    for name in SCHEMAS:
        assert_frame_equal(getattr(a, name), getattr(b, name))
