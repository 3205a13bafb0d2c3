"""The whole pipeline as plain function calls: query → fetch → tables → resolve → report.

Each stage is also public on its own (``biblio.snapshot``, ``biblio.openalex``,
``biblio.tables``, ``biblio.resolve``, ``biblio.report``); this module only wires them.

Example:
    >>> from biblio.query import load_query
    >>> q = load_query("queries/demo.toml")                 # doctest: +SKIP
    >>> run = run_query(q, output_dir="outputs")            # doctest: +SKIP
    >>> run.run_dir.name                                    # doctest: +SKIP
    '20261122T140000Z'
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from biblio.errors import BiblioError, show
from biblio.fetchresult import FetchResult
from biblio.query import Query
from biblio.settings import Settings


@dataclass
class RunResult:
    """What a finished run produced: where it wrote, and the headline counts."""

    run_dir: Path
    fetch: FetchResult
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def fetch_records(query: Query, *, settings: Settings | None = None, progress: bool = False, refresh: bool = False) -> FetchResult:
    """Fetch the query's raw work records from its source (live OpenAlex or a local snapshot).

    Live fetches keep every page in the disk cache, so an interrupted or failed run
    resumes where it stopped; ``refresh=True`` ignores the cache and fetches again.
    """
    if query.source == "snapshot":
        from biblio.snapshot import fetch_snapshot

        return fetch_snapshot(query, progress=progress)
    from biblio.openalex import fetch_openalex

    settings = settings or Settings.from_env()
    fetched = fetch_openalex(query, settings=settings, progress=progress, refresh=refresh)
    if query.judged_locally:  # Crossref as a second source and/or PRC scope from raw strings
        from biblio.sources import complete_live

        fetched = complete_live(query, fetched, settings=settings, refresh=refresh)
    return fetched


def _award_records(query: Query, fetched: FetchResult, say: Callable[[str], None]) -> Any:
    """Award records for the money section: fetched ones, else the query's ``[source] awards`` files."""
    recs = getattr(fetched, "award_records", None)
    if recs is None and query.award_paths:
        from biblio.report.money import read_award_records

        recs = read_award_records(query.resolve_paths(query.award_paths))
        n_syn = int(recs["synthetic"].sum())
        say(f"award records: {recs.height} read from files" + (f" ({n_syn} SYNTHETIC, labelled in every output)" if n_syn else ""))
    return recs


_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def _drop_invalid(batch: list[Any], fetched: FetchResult, examples: list[str], *, strict: bool) -> list[Any]:
    """Skip and count records that do not match the schema biblio reads (or raise if ``strict``)."""
    from biblio.records import drop_invalid

    kept, n_bad, ex = drop_invalid(batch, strict=strict, source=f"{fetched.source} records")
    fetched.skipped_records += n_bad
    examples.extend(ex[: 3 - len(examples)])
    return kept


def fetch_award_records(tables: Any, *, settings: Settings, say: Callable[[str], None] = lambda _m: None) -> Any:
    """OpenAlex ``/awards`` records for the DoD awards cited by the works in ``tables``.

    Returns a frame in :data:`biblio.report.money.AWARD_RECORD_SCHEMA` (the ``award_records``
    stage table the report sums), or ``None`` when they cannot be fetched (said on the console;
    amounts are then unknown, never zero).
    """
    import polars as pl

    from biblio.openalex import fetch_awards
    from biblio.report.money import award_records_from_json

    ids = tables.awards.filter(pl.col("is_dod") & pl.col("award_id").is_not_null())["award_id"].unique().to_list()
    if not ids:
        return None
    try:
        recs = fetch_awards(ids, settings=settings)
    except BiblioError as e:
        say(f"WARNING: award records not fetched ({e}); award amounts are unknown for this run")
        return None
    say(f"award records: {len(recs)} of {len(ids)} DoD awards found in OpenAlex /awards")
    return award_records_from_json(recs)


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run ID: the UTC time, ``YYYYMMDDTHHMMSSZ``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def stream_records(fetched: FetchResult, work_dir: str | Path, *, batch_size: int = 10_000, progress: Any = None, strict: bool = False) -> FetchResult:
    """Flatten a fetch's records batch by batch into ``work_dir/tables`` (Parquet on disk).

    Takes records from :meth:`FetchResult.batches` (lazily, when the source provides pages),
    writes one part file per batch and table, then merges them. Returns ``fetched`` with
    ``tables_dir`` set.
    """
    import polars as pl

    from biblio.progress import Progress
    from biblio.snapshot import consolidate, write_batch
    from biblio.tables import flatten_frame, raw_frame

    prog = progress or Progress(enabled=False)
    parts = Path(work_dir) / "parts"
    task = prog.task("flatten", total=fetched.n_records or None)
    seq = 0
    examples: list[str] = []
    for b, batch in enumerate(fetched.batches(batch_size)):
        batch = _drop_invalid(batch, fetched, examples, strict=strict)
        raw = raw_frame(batch)
        raw = raw.with_columns(pl.int_range(seq, seq + raw.height, dtype=pl.Int64).alias("_seq"), (pl.lit("|") + pl.col("updated_date").fill_null("")).alias("_upd"))
        seq += raw.height
        write_batch(parts, 0, b, flatten_frame(raw).frames())
        prog.advance(task, len(batch))
    if fetched.skipped_records:
        fetched.warnings.append(f"{fetched.skipped_records} malformed records skipped (not the OpenAlex schema biblio reads), e.g. {'; '.join(examples)}")
    consolidate(parts, Path(work_dir) / "tables")
    fetched.tables_dir = str(Path(work_dir) / "tables")
    return fetched


def resolve_tables(tables_dir: str | Path, *, chunk: int = 25_000, progress: Any = None, out_dir: str | Path | None = None, **options: Any) -> Any:
    """:func:`biblio.resolve.resolve` over the tables in ``tables_dir``, ``chunk`` works at a time.

    Works are taken in ``work_id`` order, so concatenating the chunks' (work-sorted) results
    gives the same frames as one call, while memory holds one chunk's tables and intermediates
    (resolve's working set is ~2x its input). Without ``out_dir`` the results are concatenated
    in memory; with it each chunk's ``flags`` and ``affiliations`` are written to
    ``out_dir/<table>/cNNNNNNN.parquet`` and the result holds lazy scans of them, so memory
    does not grow with the number of works. ``progress`` (a :class:`biblio.progress.Progress`)
    shows works resolved.

    Example:
        >>> res = resolve_tables("outputs/demo/RUN/tables", scope="cn")   # doctest: +SKIP
        >>> res = resolve_tables("work/tables", out_dir="work/resolved", scope="cn")   # doctest: +SKIP
        >>> res.flags.select(pl.len()).collect().item()                   # doctest: +SKIP
    """
    import polars as pl

    from biblio.resolve import ResolveResult, resolve
    from biblio.tables import WorksTables

    if options.get("matcher") is None:  # built once (organisation graph, list indexes), reused by every chunk
        options["matcher"] = build_matcher(lists=options.get("lists"), apply=options.get("apply"), fuzzy=bool(options.get("fuzzy")))
    lazy = WorksTables.scan(tables_dir)
    ids = lazy["works"].select("work_id").unique().sort("work_id").collect()["work_id"]
    task = progress.task("resolve", total=ids.len()) if progress is not None else None
    out: dict[str, list[Any]] = {"flags": [], "affiliations": []}
    n_flags = 0
    for i in range(0, max(ids.len(), 1), chunk):
        lo, hi = (ids[i], ids[min(i + chunk, ids.len()) - 1]) if ids.len() else ("", "")
        part = WorksTables(**{n: lf.filter(pl.col("work_id").is_between(pl.lit(lo), pl.lit(hi))).collect() for n, lf in lazy.items()})
        r = resolve(part, **options)
        options["matcher"].forget()  # its memoised results stay bounded over many chunks
        n_works, n_flags = part.works.height, n_flags + r.flags.height
        del part
        for name, df in (("flags", r.flags), ("affiliations", r.affiliations)):
            if out_dir is None:
                out[name].append(df)
                continue
            f = Path(out_dir) / name / f"c{i // chunk:07d}.parquet"
            f.parent.mkdir(parents=True, exist_ok=True)
            df.write_parquet(f, compression="lz4")
            out[name].append(f)
        del r
        if progress is not None:
            progress.advance(task, n_works, info=f"{n_flags:,} flags")
    if out_dir is not None:
        return ResolveResult(flags=pl.scan_parquet(out["flags"]), affiliations=pl.scan_parquet(out["affiliations"]))
    return ResolveResult(flags=pl.concat(out["flags"], how="vertical"), affiliations=pl.concat(out["affiliations"], how="vertical"))


def build_matcher(*, lists: Any = None, apply: Any = None, fuzzy: bool = False, cache_dir: str | Path | None = None) -> Any:
    """The :class:`biblio.resolve.Matcher` :func:`biblio.resolve.resolve` would build for these
    options (the bundled lists and every list by default). Building it (the organisation graph,
    the list indexes) is ~1 CPU second whatever the run's size: build it once, or beside the scan.
    With ``cache_dir`` a matcher over the bundled lists is loaded from (or stored in) the disk
    cache of :mod:`biblio.matcher_cache`.

    Example:
        >>> m = build_matcher(apply=["entity_list"])    # doctest: +SKIP
    """
    from biblio.lists.loader import adopt_default
    from biblio.matcher_cache import cached_matcher
    from biblio.orgs.text import english_words
    from biblio.query import LIST_KEYS

    english_words()  # loaded now (cached), not at the first string resolve reads
    keys = list(LIST_KEYS if apply is None else apply)
    if lists is not None:
        return _new_matcher(lists, keys, fuzzy)
    m = cached_matcher(lambda: _new_matcher(None, keys, fuzzy), cache_dir=cache_dir, apply=keys, fuzzy=fuzzy)
    adopt_default(m.lists)  # the bundled lists it was built over: the report need not load them again
    return m


def _frozen_matcher(**options: Any) -> Any:
    """:func:`build_matcher` with the cyclic collector paused, then every live object frozen
    (``gc.freeze``; :func:`run_query` unfreezes at its end). The matcher (graph, indexes: about
    110,000 objects tracked by the collector) lives all run; a collection after the load, before
    :func:`_timed_resolve` froze it, walked them: the 100k-work run's scan threads waited for
    three of 40-70 ms each (generations 0, 1 and 2), holding the interpreter lock.

    Example:
        >>> m = _frozen_matcher(apply=["entity_list"], cache_dir=None)    # doctest: +SKIP
    """
    import gc

    from biblio.resolve import gc_paused

    with gc_paused():
        matcher = build_matcher(**options)
        gc.freeze()
    return matcher


def _new_matcher(lists: Any, apply: list[str], fuzzy: bool) -> Any:
    from biblio.lists import load_lists
    from biblio.resolve import Matcher

    return Matcher(lists or load_lists(), apply=apply, fuzzy=fuzzy)


def _ingest(
    query: Query, *, settings: Settings, work_dir: Path, engine: str, scheduler: str | None, progress: bool, prog: Any, refresh: bool = False
) -> FetchResult:
    """Fetch or scan the query's works and leave the five tables in ``work_dir/tables``."""
    if query.source == "snapshot":
        from biblio.snapshot import scan_snapshot

        return scan_snapshot(query, work_dir=work_dir, engine=engine, scheduler=scheduler, progress=prog)
    fetched = fetch_records(query, settings=settings, progress=progress, refresh=refresh)
    return stream_records(fetched, work_dir, progress=prog, strict=query.strict)


def run_query(
    query: Query,
    *,
    settings: Settings | None = None,
    output_dir: str | Path | None = None,
    run_id: str | None = None,
    progress: bool = False,
    as_of: dt.date | None = None,
    log: Callable[[str], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    raw_csv: bool = False,
    strict: bool | None = None,
    refresh: bool = False,
) -> RunResult:
    """Run the whole pipeline for one query and write ``<output_dir>/<query.name>/<run_id>/``.

    ``output_dir`` defaults to the query's ``[output] dir``. Works stream in bounded batches
    into Parquet part files (a work folder beside the run, removed at the end); ``engine``
    (``local`` or ``dask``, with ``scheduler`` an address like ``tcp://host:8786``) runs the
    snapshot scan. The output folder is checked before any work; the run folder appears whole
    or not at all. CSV cells are neutralised unless ``raw_csv``. ``strict`` (default: the
    query's ``[source] strict``) stops at a malformed record instead of skipping and counting it.
    Returns a :class:`RunResult`.
    """
    import gc

    from biblio.engines import check_engine

    _import_stages()
    gc.freeze()  # the modules live all run: no collection walks them (unfrozen at the end)
    check_engine(engine)
    say = log or (lambda _msg: None)
    settings = settings or Settings.from_env()
    timings: dict[str, float] = {}
    out_root, run_dir, rid = _checked_run_dir(query, output_dir=output_dir, run_id=run_id)
    query = _with_strict(query, strict)
    work_dir = out_root / query.name / f".work-{rid}"
    shutil.rmtree(work_dir, ignore_errors=True)
    plot_worker, plot_later = _start_plot_worker(query, engine)
    matcher = _beside(_timed, timings, "matcher_build", _frozen_matcher, apply=query.lists, fuzzy=query.fuzzy, cache_dir=settings.cache_dir)  # beside the scan
    try:
        fetched = _timed_ingest(query, settings=settings, work_dir=work_dir, engine=engine, scheduler=scheduler, progress=progress, refresh=refresh, timings=timings)
        if plot_later:
            plot_worker = _start_plot_worker(query, engine, free=True)[0]
        _say_fetched(say, fetched)
        n_flags, n_flagged = _resolve_and_report(
            query, fetched, run_dir=run_dir, work_dir=work_dir, matcher=matcher, settings=settings, as_of=as_of, say=say,
            progress=progress, raw_csv=raw_csv, plot_worker=plot_worker, timings=timings,
        )
    finally:
        gc.unfreeze()
        if plot_worker is not None:
            plot_worker.close()
        shutil.rmtree(work_dir, ignore_errors=True)
    return RunResult(run_dir=run_dir, fetch=fetched, counts=_run_counts(run_dir, fetched, n_flags=n_flags, n_flagged=n_flagged), timings=timings)


#: Modules :func:`run_query` imports up front (after ``biblio.engines``, before the matcher thread
#: starts), not midway through the run where its helpers use them.
_STAGE_MODULES = ("biblio.progress", "biblio.coverage", "biblio.safeio", "biblio.tables")


def _import_stages() -> None:
    """Import :data:`_STAGE_MODULES` now, in that order (cached after the first run).

    Example:
        >>> _import_stages()
    """
    import importlib

    for name in _STAGE_MODULES:
        importlib.import_module(name)


def _checked_run_dir(query: Query, *, output_dir: str | Path | None, run_id: str | None) -> tuple[Path, Path, str]:
    """The output root, the run folder and the run ID, checked before any work: a valid ID, no
    such run folder yet, a writable output folder (:class:`BiblioError` otherwise).

    Example:
        >>> _checked_run_dir(query, output_dir="outputs", run_id="2025-q1")   # doctest: +SKIP
        (PosixPath('outputs'), PosixPath('outputs/demo/2025-q1'), '2025-q1')
    """
    from biblio.safeio import check_output_dir

    out_root = Path(output_dir if output_dir is not None else query.output_dir)
    rid = run_id or new_run_id()
    if not _RUN_ID.match(rid):
        raise BiblioError(f"--run-id {show(rid)}: must be letters, digits, '.', '_' or '-' (at most 80, not starting with '.'); e.g. 2025-q1")
    run_dir = out_root / query.name / rid
    if run_dir.exists():
        raise BiblioError(f"{run_dir}: run directory already exists; pass a different --run-id or remove it")
    check_output_dir(out_root, field="--out" if output_dir is not None else f"{query.path}: output.dir")
    return out_root, run_dir, rid


def _with_strict(query: Query, strict: bool | None) -> Query:
    """``query`` with ``[source] strict`` set to ``strict`` (unchanged when ``None`` or equal).

    Example:
        >>> _with_strict(query, True).strict   # doctest: +SKIP
        True
    """
    if strict is not None and strict != query.strict:
        import dataclasses

        query = dataclasses.replace(query, strict=strict)
    return query


def _timed_ingest(
    query: Query, *, settings: Settings, work_dir: Path, engine: str, scheduler: str | None, progress: bool, refresh: bool, timings: dict[str, float]
) -> FetchResult:
    """:func:`_ingest` under its progress bar (shown for snapshot scans); wall and CPU seconds as
    ``timings["fetch_s"]`` and ``timings["fetch_cpu_s"]``.

    Example:
        >>> fetched = _timed_ingest(query, settings=settings, work_dir=Path("out/demo/.work-r"), engine="local", scheduler=None, progress=False, refresh=False, timings={})   # doctest: +SKIP
    """
    from biblio.progress import Progress

    with Progress(enabled=progress and query.source == "snapshot") as prog, _stopwatch(timings, "fetch"):
        return _ingest(query, settings=settings, work_dir=work_dir, engine=engine, scheduler=scheduler, progress=progress, prog=prog, refresh=refresh)


def _resolve_and_report(
    query: Query, fetched: FetchResult, *, run_dir: Path, work_dir: Path, matcher: Any, settings: Settings, as_of: dt.date | None,
    say: Callable[[str], None], progress: bool, raw_csv: bool, plot_worker: Any, timings: dict[str, float],
) -> tuple[int, int]:
    """Resolve the tables in ``work_dir/tables`` and write the run folder, under one progress bar;
    returns (flags, flagged works). ``matcher`` is the :class:`~concurrent.futures.Future` built beside the scan.

    Example:
        >>> _resolve_and_report(query, fetched, run_dir=run_dir, work_dir=work_dir, matcher=matcher, settings=settings, as_of=None, say=print, progress=False, raw_csv=False, plot_worker=None, timings={})   # doctest: +SKIP
        (131653, 52011)
    """
    from biblio.progress import Progress

    with Progress(enabled=progress) as prog:
        resolved, n_flags, n_flagged = _timed_resolve(query, work_dir, matcher=matcher, as_of=as_of, prog=prog, timings=timings)
        _timed_tables(query, fetched, work_dir, settings=settings, say=say, timings=timings)
        say(f"resolved: {n_flags} flags on {n_flagged} works")
        _timed_write(run_dir, query, fetched, work_dir, resolved=resolved, settings=settings, say=say, raw_csv=raw_csv, prog=prog, plot_worker=plot_worker, timings=timings)
    return n_flags, n_flagged


def _timed_resolve(query: Query, work_dir: Path, *, matcher: Any, as_of: dt.date | None, prog: Any, timings: dict[str, float]) -> tuple[Any, int, int]:
    """Wait for the matcher, freeze what lives all run out of the collector, and resolve the tables
    into ``work_dir/resolved`` (memory given back to the OS before and after when the run is
    large: :func:`biblio.report.run.large_run`); returns (the lazy result, flags,
    flagged works). Timings:
    ``matcher_wait_s``, and ``resolve_s``/``resolve_cpu_s`` (the wait included).

    Example:
        >>> resolved, n_flags, n_flagged = _timed_resolve(query, Path("out/demo/.work-r"), matcher=matcher, as_of=None, prog=prog, timings={})   # doctest: +SKIP
    """
    import gc

    import polars as pl

    from biblio.engines import release_memory
    from biblio.report.run import large_run

    large = large_run(pl.scan_parquet(work_dir / "tables" / "works.parquet"))
    with _stopwatch(timings, "resolve"):
        with _stopwatch(timings, "matcher_wait", cpu=None):
            m = matcher.result()
        gc.freeze()  # the matcher is frozen already (_frozen_matcher); what the ingest left alive (the modules it imported, its result) joins it
        if large:
            release_memory()
        resolved = resolve_tables(work_dir / "tables", out_dir=work_dir / "resolved", apply=query.lists, scope=query.scope, fuzzy=query.fuzzy, as_of=as_of, progress=prog, matcher=m)
        n_flags, n_flagged = resolved.flags.select(pl.len(), pl.col("work_id").n_unique()).collect().row(0)
        if large:
            release_memory()
    return resolved, n_flags, n_flagged


def _timed_tables(query: Query, fetched: FetchResult, work_dir: Path, *, settings: Settings, say: Callable[[str], None], timings: dict[str, float]) -> None:
    """Scan the stage tables (lazy) and, for a live OpenAlex run without award records yet, fetch
    those of its DoD awards into ``fetched.award_records``. Timings: ``flatten_s``/``flatten_cpu_s``.

    Example:
        >>> _timed_tables(query, fetched, Path("out/demo/.work-r"), settings=settings, say=print, timings={})   # doctest: +SKIP
    """
    from biblio.tables import WorksTables

    with _stopwatch(timings, "flatten"):
        tables = WorksTables.scan(work_dir / "tables")  # lazy: the run folder and the report read what they need
        if query.source == "openalex" and getattr(fetched, "award_records", None) is None:
            import dataclasses

            awards_only = dataclasses.replace(WorksTables.empty(), awards=tables["awards"].collect())
            fetched.award_records = fetch_award_records(awards_only, settings=settings, say=say)  # type: ignore[attr-defined]


def _timed_write(
    run_dir: Path, query: Query, fetched: FetchResult, work_dir: Path, *, resolved: Any, settings: Settings, say: Callable[[str], None],
    raw_csv: bool, prog: Any, plot_worker: Any, timings: dict[str, float],
) -> None:
    """Write the run folder (:func:`_write`) from ``work_dir/tables`` and ``resolved``, with the
    evidence files when the query is judged locally. Timings: ``report_s``/``report_cpu_s``.

    Example:
        >>> _timed_write(run_dir, query, fetched, work_dir, resolved=resolved, settings=settings, say=print, raw_csv=False, prog=prog, plot_worker=None, timings={})   # doctest: +SKIP
    """
    from biblio.coverage import write_evidence

    extra = (lambda d: write_evidence(d / "tables", query, fetched)) if query.judged_locally else None  # why each work is in scope
    with _stopwatch(timings, "report"):
        _write(
            run_dir, query=query, fetch_result=fetched, tables=work_dir / "tables", resolved=resolved, timings=timings,
            settings=settings.redacted(), award_records=_award_records(query, fetched, say),
            raw_csv=raw_csv, warnings=list(fetched.warnings), extra=extra, progress=prog, plot_worker=plot_worker,
        )


def _run_counts(run_dir: Path, fetched: FetchResult, *, n_flags: int, n_flagged: int) -> dict[str, int]:
    """The headline counts of a finished run (works and authorships read from its Parquet footers).

    Example:
        >>> _run_counts(run.run_dir, run.fetch, n_flags=3, n_flagged=2)["flags"]   # doctest: +SKIP
        3
    """
    return {
        "records": fetched.n_records,
        "synthetic_records": fetched.n_synthetic,
        "works": _rows(run_dir / "tables" / "works.parquet"),
        "authorships": _rows(run_dir / "tables" / "authorships.parquet"),
        "flags": n_flags,
        "flagged_works": n_flagged,
    }


def _beside(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """A :class:`concurrent.futures.Future` of ``fn(*args, **kw)`` run in a background thread
    (``.result()`` waits, and raises what ``fn`` raised).

    Example:
        >>> _beside(sum, [1, 2], start=1).result()
        4
    """
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="biblio-beside")
    try:
        return pool.submit(fn, *args, **kw)
    finally:
        pool.shutdown(wait=False)  # the thread ends when its one job is done


def _timed(timings: dict[str, float], name: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """``fn(*args, **kw)``, its wall and this thread's CPU seconds recorded as ``timings[name + "_s"]``
    and ``timings[name + "_cpu_s"]``.

    Example:
        >>> t = {}; _timed(t, "sum", sum, [1, 2]), sorted(t)
        (3, ['sum_cpu_s', 'sum_s'])
    """
    with _stopwatch(timings, name, cpu=time.thread_time):
        return fn(*args, **kw)


@contextmanager
def _stopwatch(timings: dict[str, float], name: str, *, cpu: Callable[[], float] | None = time.process_time) -> Iterator[None]:
    """Record the block's wall seconds as ``timings[name + "_s"]`` and its CPU seconds (``cpu``:
    this process's by default, ``time.thread_time`` for this thread's; ``None``: none) as
    ``timings[name + "_cpu_s"]``.

    Example:
        >>> t = {}
        >>> with _stopwatch(t, "x"):
        ...     pass
        >>> sorted(t)
        ['x_cpu_s', 'x_s']
    """
    t0, c0 = time.perf_counter(), cpu() if cpu else 0.0
    try:
        yield
    finally:
        timings[f"{name}_s"] = time.perf_counter() - t0
        if cpu:
            timings[f"{name}_cpu_s"] = cpu() - c0


def _start_plot_worker(query: Query, engine: str, *, free: bool | None = None) -> tuple[Any, bool]:
    """A :class:`biblio.report.plotproc.PlotWorker` for the report's figures (or ``None``), and
    whether to start it after the ingest instead. A local snapshot scan keeps every core busy
    with its threads: the helper's imports (~1 CPU-s) would slow it, and resolve leaves a core
    idle just after, so a helper is started then if a core was free before the scan (the load
    average then counts the scan's own threads). Waiting on the API or on Dask workers, this
    process leaves a core free: the helper starts at once.

    Example:
        >>> _start_plot_worker(query, "local")   # doctest: +SKIP
        (None, True)
    """
    from biblio.report.plotproc import PlotWorker, core_free

    if free is None and query.source == "snapshot" and engine == "local":
        return None, core_free()
    return PlotWorker.start(free=free), False


def _rows(path: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def _write(run_dir: Path, **kw: Any) -> None:
    """``report.write_run``; an ``OSError`` (e.g. the output disk is full) becomes one line."""
    from biblio.report import write_run

    try:
        write_run(run_dir, **kw)
    except OSError as e:  # the fetch stays cached
        raise BiblioError(
            f"cannot write the run folder {run_dir} ({e.strerror or type(e).__name__}: {e.filename or run_dir}); "
            "free space or pass --out elsewhere, then re-run (the fetched pages are cached)"
        ) from None


def _say_fetched(say: Callable[[str], None], fetched: FetchResult) -> None:
    say(f"fetched {fetched.n_records} records from {fetched.source} ({fetched.requests} requests, {fetched.pages} pages)")
    for note in fetched.notes:
        say(f"note: {note}")
    for warning in fetched.warnings:
        say(f"warning: {warning}")
    if fetched.n_synthetic:
        say(f"SYNTHETIC DATA PRESENT: {fetched.n_synthetic} of {fetched.n_records} records are synthetic (labelled in every output)")
