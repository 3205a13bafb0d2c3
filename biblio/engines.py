"""Engines: run one per-partition function over many partitions, locally or on Dask.

The function (e.g. :func:`biblio.snapshot.scan_partition`) is the same on both engines; only
where it runs changes. ``local`` runs partitions one after another in this process (bounded
memory, no set-up). ``dask`` maps them over a Dask distributed cluster (``scheduler`` is the
scheduler's address, e.g. ``tcp://10.0.0.5:8786``; without one a local cluster is started)
and yields results as they complete. See docs/ENGINES.md for why Dask.

Example:
    >>> list(map_partitions(lambda x: x * 2, [1, 2, 3]))
    [2, 4, 6]
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

from biblio.errors import EngineError

ENGINES = ("local", "dask")
CONNECT_TIMEOUT_S = 20.0  # how long to wait for a Dask scheduler before giving up


def map_partitions(
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    args: tuple[Any, ...] = (),
) -> Iterator[Any]:
    """Yield ``fn(item, *args)`` for every item: in order (``local``) or as completed (``dask``)."""
    if engine == "local":
        for it in items:
            yield fn(it, *args)
        return
    if engine != "dask":
        raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    yield from _dask_map(fn, items, scheduler=scheduler, workers=workers, args=args)


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


def release_memory() -> None:
    """Give freed memory back to the OS between stages: a full garbage collection, pyarrow's
    unused pool memory (the JSON parser's), then glibc's ``malloc_trim`` (where there is one),
    so the next stage's peak does not sit on the free pages the previous one left (the scan's
    JSON blocks, resolve's many small objects).

    >>> release_memory()
    """
    import ctypes
    import ctypes.util
    import gc
    import sys

    gc.collect()
    if "pyarrow" in sys.modules:  # never imported just for this
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass
