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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from biblio.errors import BiblioError
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


def fetch_records(query: Query, *, settings: Settings | None = None, progress: bool = False) -> FetchResult:
    """Fetch the query's raw work records from its source (live OpenAlex or a local snapshot).

    Live fetches keep every page in the disk cache, so an interrupted or failed run
    resumes where it stopped.
    """
    if query.source == "snapshot":
        from biblio.snapshot import fetch_snapshot

        return fetch_snapshot(query, progress=progress)
    from biblio.openalex import fetch_openalex

    settings = settings or Settings.from_env()
    fetched = fetch_openalex(query, settings=settings, progress=progress)
    if query.judged_locally:  # Crossref as a second source and/or PRC scope from raw strings
        from biblio.sources import complete_live

        fetched = complete_live(query, fetched, settings=settings)
    return fetched


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run ID: the UTC time, ``YYYYMMDDTHHMMSSZ``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def run_query(
    query: Query,
    *,
    settings: Settings | None = None,
    output_dir: str | Path | None = None,
    run_id: str | None = None,
    progress: bool = False,
    as_of: dt.date | None = None,
    log: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the whole pipeline for one query and write ``<output_dir>/<query.name>/<run_id>/``.

    ``output_dir`` defaults to the query's ``[output] dir``. Returns a :class:`RunResult`.
    """
    from biblio.report import write_run
    from biblio.resolve import resolve
    from biblio.tables import flatten

    say = log or (lambda _msg: None)
    settings = settings or Settings.from_env()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    fetched = fetch_records(query, settings=settings, progress=progress)
    timings["fetch_s"] = time.perf_counter() - t0
    say(f"fetched {fetched.n_records} records from {fetched.source} ({fetched.requests} requests, {fetched.pages} pages)")
    for note in fetched.notes:
        say(f"note: {note}")
    if fetched.n_synthetic:
        say(f"SYNTHETIC DATA PRESENT: {fetched.n_synthetic} of {fetched.n_records} records are synthetic (labelled in every output)")

    t0 = time.perf_counter()
    tables = flatten(fetched.records)
    timings["flatten_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    resolved = resolve(tables, apply=query.lists, scope=query.scope, fuzzy=query.fuzzy, as_of=as_of)
    timings["resolve_s"] = time.perf_counter() - t0
    say(f"resolved: {resolved.flags.height} flags on {resolved.flags['work_id'].n_unique()} works")

    out_root = Path(output_dir if output_dir is not None else query.output_dir)
    rid = run_id or new_run_id()
    run_dir = out_root / query.name / rid
    if run_dir.exists():
        raise BiblioError(f"{run_dir}: run directory already exists; pass a different --run-id or remove it")
    t0 = time.perf_counter()
    write_run(
        run_dir,
        query=query,
        fetch_result=fetched,
        tables=tables,
        resolved=resolved,
        timings=timings,
        settings=settings.redacted(),
    )
    timings["report_s"] = time.perf_counter() - t0
    counts = {
        "records": fetched.n_records,
        "synthetic_records": fetched.n_synthetic,
        "works": tables.works.height,
        "authorships": tables.authorships.height,
        "flags": resolved.flags.height,
        "flagged_works": resolved.flags["work_id"].n_unique(),
    }
    return RunResult(run_dir=run_dir, fetch=fetched, counts=counts, timings=timings)
