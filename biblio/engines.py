"""Engines: run one per-partition function over many partitions, locally or on Dask.

The function (e.g. :func:`biblio.snapshot.scan_partition`) is the same on both engines; only
where it runs changes. ``local`` runs partitions in this process, on as many threads as the
machine has cores (at most :data:`MAX_LOCAL_THREADS`; bounded memory, no set-up): the scan's
heavy parts (inflating, Arrow's JSON parse, polars) release the GIL, so two partitions at once
use both cores of a 2-core machine. ``dask`` maps them over a Dask distributed cluster (``scheduler`` is the
scheduler's address, e.g. ``tcp://10.0.0.5:8786``; without one a local cluster is started)
and yields results as they complete. See docs/ENGINES.md for why Dask.

Example:
    >>> list(map_partitions(lambda x: x * 2, [1, 2, 3]))
    [2, 4, 6]
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable, Iterable, Iterator, Sequence

from biblio.errors import EngineError

ENGINES = ("local", "dask")
CONNECT_TIMEOUT_S = 20.0  # how long to wait for a Dask scheduler before giving up
MAX_LOCAL_THREADS = 4  # each thread holds one batch in flight (~100-200 MB at 10,000 works)


def map_partitions(
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    args: tuple[Any, ...] = (),
    threads: int | None = None,
) -> Iterator[Any]:
    """Yield ``fn(item, *args)`` for every item: in order (``local``, on ``threads`` threads,
    default :func:`local_threads`) or as completed (``dask``, on ``workers`` workers when it
    starts the cluster)."""
    if engine == "local":
        yield from _local_map(fn, items, args=args, threads=local_threads(len(items)) if threads is None else threads)
        return
    if engine != "dask":
        raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    yield from _dask_map(fn, items, scheduler=scheduler, workers=workers, args=args)


def local_threads(n_items: int) -> int:
    """Threads for the local engine: one per core this process may use, at most
    :data:`MAX_LOCAL_THREADS` and at most one per item; the environment variable
    ``BIBLIO_SCAN_THREADS`` sets the number instead (``1``: one partition at a time).

    Example:
        >>> local_threads(1)
        1
    """
    forced = os.environ.get("BIBLIO_SCAN_THREADS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return min(int(forced), n_items)
    return max(1, min(usable_cores(), MAX_LOCAL_THREADS, n_items))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container or ``taskset`` may
    allow fewer than the machine has), else the machine's count.

    Example:
        >>> usable_cores() >= 1
        True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _local_map(fn: Callable[..., Any], items: Sequence[Any], *, args: tuple[Any, ...], threads: int) -> Iterator[Any]:
    """``fn(item, *args)`` for every item, in order, ``threads`` at a time; an error (or the
    caller stopping early) cancels the items not yet started and waits for the running ones."""
    if threads <= 1:
        for it in items:
            yield fn(it, *args)
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="biblio-scan")
    try:
        futures = [pool.submit(fn, it, *args) for it in items]
        for fut in futures:
            yield fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask_map(fn: Callable[..., Any], items: Sequence[Any], *, scheduler: str | None, workers: int, args: tuple[Any, ...]) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask is a dependency
        raise EngineError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError) as e:
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler!r} ({type(e).__name__}); start it with `dask scheduler` and pass --scheduler tcp://HOST:8786") from None
    try:
        futures = client.map(fn, list(items), *[[a] * len(items) for a in args], pure=False)
        for fut in as_completed(futures):
            try:
                yield fut.result()
            finally:
                fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def describe(engine: str, scheduler: str | None) -> str:
    """One line for logs and the manifest: which engine ran, and where."""
    if engine == "dask":
        return f"dask ({scheduler or 'local cluster'})"
    return "local"


def check_engine(engine: str) -> None:
    """Raise :class:`EngineError` for an unknown engine name."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Successive lists of at most ``size`` items."""
    buf: list[Any] = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def bound_malloc(*, arenas: int = 2) -> bool:
    """Keep glibc's heap from growing with the work done on several threads: at most ``arenas``
    malloc arenas (glibc's default is 8 per core; with one arena per scan thread the freed
    blocks of inflated text were not reused across threads and a 2-thread scan grew by ~130 MB
    over 160,000 works; flat with 2). Returns False where there is no glibc (macOS, musl):
    nothing to do there. (Also fixing the mmap threshold at 1 MiB kept memory flat too, but
    every inflated block then came as fresh zeroed pages: +1 s of system time per 100,000 works.)

    >>> bound_malloc() in (True, False)
    True
    """
    try:
        mallopt = _libc().mallopt
    except (OSError, AttributeError):
        return False
    M_ARENA_MAX = -8
    return bool(mallopt(M_ARENA_MAX, arenas))


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    """The C library (``OSError`` where it cannot be loaded); glibc's functions are its attributes.

    >>> _libc() is _libc()
    True
    """
    import ctypes
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def release_memory() -> None:
    """Give freed memory back to the OS between stages: a full garbage collection, pyarrow's
    unused pool memory (the JSON parser's), then glibc's ``malloc_trim`` (where there is one),
    so the next stage's peak does not sit on the free pages the previous one left (the scan's
    JSON blocks, resolve's many small objects).

    >>> release_memory()
    """
    import gc
    import sys

    gc.collect()
    if "pyarrow" in sys.modules:  # never imported just for this
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass
