"""Run directories: write a run, rebuild its report, compare two runs.

A run directory holds the stage tables (``tables/``), the report tables, workbook and plots
(``report/``), ``report.html`` and ``manifest.json``. ``rebuild`` regenerates everything
but the stage tables from what is stored; ``diff_runs`` compares two runs for monitoring.

Example:
    >>> d = diff_runs("outputs/demo/A", "outputs/demo/B")     # doctest: +SKIP
    >>> d.filter(pl.col("change") == "new")                   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import platform
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator

import polars as pl
import pyarrow.parquet as pq  # imported here, not in _csv_in_batches: stage tables are written in a thread, and a half-imported pyarrow breaks release_memory

from biblio import __version__
from biblio.errors import ReportError, printable
from biblio.report.caps import n_rows
from biblio.report.html import fill_images, render_html
from biblio.report.tables import award_view_parts, computed_once, iter_tables, report_context

STAGE_TABLES = ("works", "authorships", "authorship_institutions", "funders", "awards", "flags", "affiliations")
FLAG_KEY = ["work_id", "author_index", "list_key", "entity_key"]
FLAG_COMPARE = ["method", "list_edition", "listed_at_publication", "listed_now", "institution_id"]


def _csv_safe(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    schema = df.collect_schema() if isinstance(df, pl.LazyFrame) else df.schema
    return df.with_columns(pl.col(c).list.join("; ") for c, t in schema.items() if isinstance(t, pl.List))


def write_frame(df: pl.DataFrame | pl.LazyFrame, stem: Path, *, raw_csv: bool = False, source: Path | None = None) -> None:
    """Write ``stem.parquet`` (raw values) and ``stem.csv`` (list columns joined; cells that a
    spreadsheet would run as formulas get a leading ``'`` unless ``raw_csv``). A ``LazyFrame``
    (e.g. ``pl.scan_parquet`` of a stage table) is streamed, never collected whole; ``source``,
    the Parquet file ``df`` scans, is copied as it is."""
    import shutil

    from biblio.safeio import write_csv

    stem.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, stem.with_suffix(".parquet"))
        _csv_in_batches(stem.with_suffix(".parquet"), stem.with_suffix(".csv"), raw=raw_csv)
        return
    elif isinstance(df, pl.LazyFrame):
        df.sink_parquet(stem.with_suffix(".parquet"))
        _csv_in_batches(stem.with_suffix(".parquet"), stem.with_suffix(".csv"), raw=raw_csv)  # the CSV from the copy just written
        return
    else:
        df.write_parquet(stem.with_suffix(".parquet"))
    write_csv(_csv_safe(df), stem.with_suffix(".csv"), raw=raw_csv)


#: Per-paper report tables written in parts (:func:`write_in_parts`): name -> (the column no part
#: splits, the table's sort columns).
PART_TABLES: dict[str, tuple[str, list[str]]] = {
    "evidence": ("work_id", ["publication_date", "work_id"]),
    "evidence_flags": ("work_id", ["work_id", "author_index", "list_key"]),
}
#: Papers (distinct keys) a part of a :data:`PART_TABLES` table holds.
REPORT_PART_KEYS = 50_000
#: Report tables written from parts that a function of the report context gives, in table order.
PLAN_PARTS: dict[str, Any] = {"award_view": award_view_parts}


def write_in_parts(lf: pl.LazyFrame, stem: Path, *, key: str, by: list[str], keys_per_part: int = REPORT_PART_KEYS, raw_csv: bool = False) -> None:
    """Write the sorted plan ``lf`` as :func:`write_frame` does, computing it ``keys_per_part``
    distinct ``key`` values at a time, so memory holds one part, not the table.

    ``by`` are ``lf``'s sort columns: the keys are read in table order from those columns only,
    cut into consecutive runs, and each run's rows (``lf`` filtered to them, the filter pushed
    down to the scans) are collected and written as a part; the parts, in order, are the table.

    Example:
        >>> write_in_parts(evidence(ctx), Path("RUN/report/evidence"), key="work_id", by=["publication_date", "work_id"])   # doctest: +SKIP
    """
    keys = lf.select(by).collect().get_column(key).unique(maintain_order=True)
    if keys.len() <= keys_per_part:
        write_parts([lf], stem, raw_csv=raw_csv)
        return
    write_parts((lf.filter(pl.col(key).is_in(keys.slice(i, keys_per_part).implode())) for i in range(0, keys.len(), keys_per_part)), stem, raw_csv=raw_csv)


def write_parts(parts: Iterable[pl.DataFrame | pl.LazyFrame], stem: Path, *, raw_csv: bool = False) -> None:
    """Write a table given as consecutive parts (plans, each collected when its turn comes, or
    frames) as :func:`write_frame` does: each part goes to a temporary Parquet file beside
    ``stem``, and the files, in order, are the table; memory holds one part.

    Example:
        >>> write_parts(award_view_parts(ctx), Path("RUN/report/award_view"))   # doctest: +SKIP
    """
    folder = stem.parent / f".{stem.name}-parts"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    try:
        for i, part in enumerate(parts):
            files.append(folder / f"p{i:06d}.parquet")
            _collect(part).write_parquet(files[-1])
        write_frame(pl.scan_parquet(files), stem, raw_csv=raw_csv)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: About how many bytes of a table (in memory, as polars estimates them) :func:`write_frame`
#: holds at once while it writes the table's CSV from Parquet.
CSV_BATCH_BYTES = 32 * 2**20
#: Rows in the first batch, before the table's bytes per row are known.
CSV_FIRST_ROWS = 100_000


def _batch_end(ends: list[int], start: int, rows: int) -> int:
    """Where a batch of about ``rows`` rows from ``start`` ends: the last row-group end within
    reach (so no row group is decoded twice), else ``start + rows`` (a row group bigger than a batch is cut).

    Example:
        >>> _batch_end([100, 200, 300], 0, 250), _batch_end([100, 200, 300], 0, 50)
        (200, 50)
    """
    reach = [e for e in ends if start < e <= start + rows]
    return reach[-1] if reach else min(start + rows, ends[-1])


def parquet_batches(parquet: Path, *, raw: bool = False, batch_bytes: int = CSV_BATCH_BYTES, first_rows: int = CSV_FIRST_ROWS) -> Iterator[pl.DataFrame]:
    """A Parquet file's rows as :func:`write_frame` writes them to CSV (list columns joined;
    formula-like cells neutralised unless ``raw``), in consecutive batches of whole row groups of
    about ``batch_bytes`` each, sized from the previous batch's bytes per row (the first has
    ``first_rows`` rows). Each batch is a slice of one polars plan; an empty file gives one empty batch.

    Example:
        >>> sum(b.height for b in parquet_batches(Path("RUN/tables/flags.parquet")))   # doctest: +SKIP
        131653
    """
    from biblio.safeio import neutralise

    md = pq.ParquetFile(parquet).metadata
    ends = [0]
    for i in range(md.num_row_groups):
        ends.append(ends[-1] + md.row_group(i).num_rows)
    plan = _csv_safe(pl.scan_parquet(parquet))
    plan = plan if raw else neutralise(plan)
    start, rows = 0, first_rows
    while True:
        end = _batch_end(ends, start, rows)
        part = plan.slice(start, end - start).collect()
        yield part
        if end >= ends[-1]:
            return
        rows = max(1, int(batch_bytes * part.height / max(part.estimated_size(), 1)))
        start = end


def _csv_in_batches(parquet: Path, out: Path, *, raw: bool = False, batch_bytes: int = CSV_BATCH_BYTES, first_rows: int = CSV_FIRST_ROWS) -> None:
    """The CSV of a Parquet file (as :func:`write_frame` writes it), one :func:`parquet_batches`
    batch at a time: memory holds one batch whatever the number of rows (a streaming ``sink_csv``
    of a large table buffered row groups faster than it wrote them; one row group at a time
    through pyarrow cost a third more CPU).

    Example:
        >>> _csv_in_batches(Path("RUN/tables/authorships.parquet"), Path("RUN/tables/authorships.csv"))   # doctest: +SKIP
    """
    from biblio.safeio import _os_error, atomic_file

    try:
        with atomic_file(out) as tmp, open(tmp, "wb") as fh:
            for i, part in enumerate(parquet_batches(parquet, raw=raw, batch_bytes=batch_bytes, first_rows=first_rows)):
                part.write_csv(fh, include_header=i == 0)
    except OSError as e:
        raise _os_error(out, e) from None


def _height(df: pl.DataFrame | pl.LazyFrame) -> int:
    return df.height if isinstance(df, pl.DataFrame) else int(df.select(pl.len()).collect().item())


def _collect(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return df if isinstance(df, pl.DataFrame) else df.collect()


def _counts(frames: dict[str, pl.DataFrame | pl.LazyFrame]) -> dict[str, int]:  # noqa: D103
    return {k: _height(v) for k, v in frames.items()}


#: The columns of ``authorships`` the report reads (``us_authors``).
AUTHORSHIP_COLUMNS = ("work_id", "author_index", "author_name", "orcid")
#: The columns of ``works`` the report reads.
WORK_COLUMNS = ("work_id", "doi", "title", "publication_date", "year", "is_synthetic", "funding_schema",
                "primary_topic", "primary_subfield", "primary_field", "topics", "keywords")


def report_inputs(frames: dict[str, pl.DataFrame | pl.LazyFrame], *, scratch: Path | None = None) -> tuple[Any, Any]:
    """The parts of the stage tables the report reads: (WorksTables, ResolveResult).

    Frames may be lazy (``pl.scan_parquet``): only the report's columns of ``works``, the
    institution rows of flagged authorships and of U.S. authorships on flagged papers, and
    those U.S. authorships are read, in stored order. Without ``scratch`` these are collected
    (works, funders, awards and flags too); with it the two filtered tables are streamed to
    ``scratch`` and every table stays a lazy scan, so memory does not follow the number of
    works. ``affiliations`` stays a lazy frame of the rows the report counts (no institution
    ID, no match).

    Example:
        >>> t, r = report_inputs({n: pl.scan_parquet(f"RUN/tables/{n}.parquet") for n in STAGE_TABLES}, scratch=Path("RUN/.report-work"))   # doctest: +SKIP
    """
    from biblio.resolve import ResolveResult
    from biblio.tables import WorksTables

    lazy = {k: (v if isinstance(v, pl.LazyFrame) else v.lazy()) for k, v in frames.items()}
    key = pl.struct("work_id", pl.col("author_index").cast(pl.Int32))  # one authorship
    flagged = lazy["flags"].select(key.unique().implode()).collect().to_series()
    works_flagged = lazy["flags"].select(pl.col("work_id").unique().implode()).collect().to_series()  # U.S. rows count only on flagged papers (ReportContext.classes)
    ai = lazy["authorship_institutions"].drop("lineage", "raw_affiliation_strings", strict=False)
    ai = computed_once(ai.filter((pl.col("country_code") == "US") & pl.col("work_id").is_in(works_flagged) | key.is_in(flagged)), scratch, "authorship_institutions")
    us = ai.lazy().filter(pl.col("country_code") == "US").select(key.unique().implode()).collect().to_series()
    au = computed_once(lazy["authorships"].filter(key.is_in(us)).select(AUTHORSHIP_COLUMNS), scratch, "authorships")
    del flagged, works_flagged, us
    works = lazy["works"]
    works = works.select([c for c in WORK_COLUMNS if c in works.collect_schema()])
    parts = {"works": works, "funders": lazy["funders"], "awards": lazy["awards"], "flags": lazy["flags"]}
    if scratch is None:
        parts = {k: v.collect() for k, v in parts.items()}
    tables = WorksTables(works=parts["works"], authorships=au, authorship_institutions=ai, funders=parts["funders"], awards=parts["awards"])
    aff = lazy["affiliations"].filter(pl.col("status").is_in(["no_match", "no_institution_id"]))  # lazy: the report only counts and groups it
    return tables, ResolveResult(flags=parts["flags"], affiliations=aff)


def build_manifest(
    *,
    run_dir: Path,
    query: Any,
    fetch_result: Any,
    frames: dict[str, pl.DataFrame],
    timings: dict[str, float],
    settings: dict[str, Any] | None,
    editions: pl.DataFrame,
) -> dict[str, Any]:
    """The run manifest: everything needed to reproduce and compare the run. Never the API key."""
    flags = frames["flags"].lazy()
    n_flags = _height(flags)
    n_syn = int(frames["works"].lazy().select(pl.col("is_synthetic").sum()).collect().item() or 0)
    n_syn_awards = int(_collect(frames["award_records"])["synthetic"].sum()) if "award_records" in frames else 0
    q = query.to_dict()
    safe_settings = {k: v for k, v in (settings or {}).items() if k != "api_key"}
    eds = editions.filter(pl.col("list_key").is_in(list(query.lists)))
    return {
        "run_id": run_dir.name,
        "created_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "biblio_version": __version__,
        "python": platform.python_version(),
        "polars": pl.__version__,
        "query_path": query.path,
        "query_sha256": query.file_sha256,
        "query_fetch_hash": query.fetch_hash,
        "query_text": query.text,
        "query": q,
        "country_codes": list(query.country_codes),
        "data_source": fetch_result.source,
        "data_date": fetch_result.data_date,
        "fetch": {
            "complete": fetch_result.complete,
            "meta_count": fetch_result.meta_count,
            "n_records": fetch_result.n_records,
            "pages": fetch_result.pages,
            "requests": fetch_result.requests,
            "notes": list(fetch_result.notes),
            "request_urls": list(fetch_result.request_urls),
            "cache_dir": fetch_result.cache_dir,
            "skipped_records": int(getattr(fetch_result, "skipped_records", 0) or 0),
            "skipped_lines": int(getattr(fetch_result, "skipped_lines", 0) or 0),
            "shortfall": getattr(fetch_result, "shortfall", 0),
            "chains": list(getattr(fetch_result, "chains", [])),
            "fetched_dates": dict(getattr(fetch_result, "fetched_dates", {})),
            "funders_used": list(getattr(fetch_result, "funders_used", [])),
            "warnings": list(getattr(fetch_result, "warnings", [])),
        },
        "complete": bool(fetch_result.complete),
        "list_editions": [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
            for r in eds.select("list_key", "edition", "edition_date", "coverage", "retrieved").iter_rows(named=True)
        ],
        "counts": _counts(frames),
        "flags_by_method": dict(sorted(flags.group_by("method").len().collect().iter_rows())) if n_flags else {},
        "flags_by_list": dict(sorted(flags.group_by("list_key").len().collect().iter_rows())) if n_flags else {},
        "synthetic_data_present": n_syn > 0 or n_syn_awards > 0,
        "synthetic_records": n_syn,
        "award_records": _height(frames["award_records"]) if "award_records" in frames else 0,
        "synthetic_award_records": n_syn_awards,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "settings": safe_settings,
    }


def _footer(manifest: dict[str, Any]) -> str:
    f = f"biblio {manifest['biblio_version']} · {manifest['query']['name']} · data: {manifest['data_source']} dated {manifest['data_date']} · run {manifest['run_id']}"
    if manifest.get("synthetic_records") or manifest.get("synthetic_award_records"):
        f += f" · includes SYNTHETIC data ({manifest.get('synthetic_records', 0)} records, {manifest.get('synthetic_award_records', 0)} award records)"
    return f


def _window(manifest: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    q = manifest.get("query") or {}
    try:
        return dt.date.fromisoformat(str(q["date_from"])), dt.date.fromisoformat(str(q["date_to"]))
    except (KeyError, ValueError):
        return None


#: Report tables that grow with the flagged papers: once written, the workbook and the page read
#: them back from their Parquet files (only the rows they show), so they are not held in memory.
LAZY_REPORT_TABLES = ("award_view", "evidence", "evidence_flags", "awards", "us_authors", "signals_dual_affiliation", "signals_prc_state_funding")

#: The report stage's steps, as the progress bar names them.
REPORT_STEPS = ("report tables", "page", "plots", "workbook")


def _write_tables(
    frames: dict[str, pl.DataFrame | pl.LazyFrame], manifest: dict[str, Any], rdir: Path, scratch: Path | None, *, on_table: Any = None,
) -> dict[str, pl.DataFrame | pl.LazyFrame]:
    """Compute and write every report table from lazy plans over the stage tables and ``scratch``.

    Tables in :data:`LAZY_REPORT_TABLES` (they grow with the flagged papers) are streamed to
    Parquet (``sink_parquet``) and returned as scans of it; the others are collected, written and
    returned as frames (a few rows each). ``on_table`` (optional) is called with the tables
    written so far after each one.

    Example:
        >>> rt = _write_tables(frames, manifest, Path("RUN/report"), Path("RUN/.report-work"))   # doctest: +SKIP
    """
    tables, resolved = report_inputs(frames, scratch=scratch)
    recs = frames.get("award_records")
    ctx = report_context(tables, resolved, award_records=None if recs is None else _collect(recs), window=_window(manifest), scratch=scratch)
    del tables, resolved
    raw_csv = manifest.get("csv_cells") == "raw"
    rt: dict[str, pl.DataFrame | pl.LazyFrame] = {}
    for name, df in iter_tables(ctx):  # each table written, then kept (small) or scanned back from its Parquet (large)
        big = name in LAZY_REPORT_TABLES
        if name in PART_TABLES and isinstance(df, pl.LazyFrame):
            write_in_parts(df, rdir / name, key=PART_TABLES[name][0], by=PART_TABLES[name][1], raw_csv=raw_csv)
        elif name in PLAN_PARTS and isinstance(df, pl.LazyFrame):
            write_parts(PLAN_PARTS[name](ctx), rdir / name, raw_csv=raw_csv)
        else:
            write_frame(df if big else _collect(df), rdir / name, raw_csv=raw_csv)
        rt[name] = pl.scan_parquet(rdir / f"{name}.parquet") if big else pl.read_parquet(rdir / f"{name}.parquet")
        del df
        if on_table is not None:
            on_table(rt)
    return rt


def _write_report(
    run_dir: Path, frames: dict[str, pl.DataFrame | pl.LazyFrame], manifest: dict[str, Any], editions: pl.DataFrame, *,
    progress: Any = None, plot_worker: Any = None, steps: dict[str, float] | None = None,
) -> None:
    """The report folder and page of a run. The figures are drawn by ``plot_worker`` (a
    :class:`biblio.report.plotproc.PlotWorker`, started here if not given) while the report
    tables, the workbook and the page are written; the worker is stopped before returning,
    whatever happens. ``steps`` receives each step's wall seconds (``report_tables_s``,
    ``report_workbook_s``, ``report_plots_wait_s``, ``report_page_s``, ``report_svg_wait_s``)."""
    from biblio.report.plotproc import PlotWorker

    worker = plot_worker or PlotWorker.start()
    large = large_run(frames["works"])
    try:
        with _engine_for(large=large):
            _write_report_steps(run_dir, frames, manifest, editions, progress=progress, worker=worker, steps={} if steps is None else steps, large=large)
    finally:
        if worker is not None:
            worker.close()


def _write_report_steps(
    run_dir: Path, frames: dict[str, pl.DataFrame | pl.LazyFrame], manifest: dict[str, Any], editions: pl.DataFrame, *,
    progress: Any, worker: Any, steps: dict[str, float], large: bool,
) -> None:
    from biblio.engines import release_memory
    from biblio.progress import Progress
    from biblio.report.plotproc import PLOT_TABLES
    from biblio.report.summary import build_summary

    prog = progress or Progress(enabled=False)
    task = prog.task("report", total=len(REPORT_STEPS))
    prog.advance(task, 0, info="report tables")
    t0 = time.perf_counter()
    if large:  # what the stage tables' copy left (a small run's peak is far from the bound: see IN_MEMORY_REPORT_WORKS)
        release_memory()
    rdir = run_dir / "report"
    footer = _footer(manifest)

    def submit(rt: dict[str, pl.DataFrame | pl.LazyFrame]) -> None:
        if worker is not None and worker.pending and all(t in rt for t in PLOT_TABLES):
            worker.submit(rt, footer=footer, directory=rdir / "plots")  # drawn there while the rest is written here

    scratch = run_dir / ".report-work"  # the context's shared frames, as Parquet; removed once the tables are written
    try:
        rt = _write_tables(frames, manifest, rdir, scratch if large else None, on_table=submit)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if large:
        release_memory()
    summary = build_summary(manifest=manifest, report_tables=rt, editions=editions, window=_window(manifest), footer=footer)
    _lap(steps, "report_tables_s", t0)
    _workbook_figures_page(run_dir, rt, manifest, editions, summary, footer=footer, progress=prog, task=task, worker=worker, steps=steps)
    prog.done(task, info=f"{n_rows(rt['evidence']):,} flagged papers")


def _workbook_figures_page(
    run_dir: Path, rt: dict[str, pl.DataFrame | pl.LazyFrame], manifest: dict[str, Any], editions: pl.DataFrame, summary: dict[str, Any], *,
    footer: str, progress: Any, task: Any, worker: Any, steps: dict[str, float],
) -> None:
    """The workbook, written in a thread while this one renders the page and waits for the
    figures' PNGs (the workbook's polars and zlib work runs beside the page's templating; at
    10,000 flagged papers this hid ~0.3 s of the report's ~3), then the SVGs and the workbook
    waited for. The page is rendered while the helper draws, with placeholders the PNGs fill
    once written. ``steps`` gets ``report_page_s``, ``report_plots_wait_s`` (and the PNGs
    put in the page), ``report_svg_wait_s`` and ``report_workbook_s`` (the wait for the
    workbook once the rest was done).

    Example:
        >>> _workbook_figures_page(rd, rt, m, eds, s, footer="…", progress=prog, task=t, worker=None, steps={})   # doctest: +SKIP
    """
    from biblio.report.plotproc import FIGURES
    from biblio.report.xlsx import write_workbook

    rdir = run_dir / "report"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="biblio-xlsx") as pool:  # an error here waits for the thread, then rises
        book = pool.submit(write_workbook, rdir / "report.xlsx", tables=rt, summary=summary)
        t0 = time.perf_counter()
        page = functools.partial(render_html, manifest=manifest, report_tables=rt, editions=editions, summary=summary)
        drawing = worker is not None and not worker.pending  # the helper has the tables
        if drawing:  # lay out the page meanwhile
            progress.advance(task, 1, info="page")
            html = page(images=dict.fromkeys(FIGURES))
            t0 = _lap(steps, "report_page_s", t0)
            progress.advance(task, 1, info="plots")
            html = fill_images(html, save_figures(rt, footer=footer, directory=rdir / "plots", worker=worker))
            t0 = _lap(steps, "report_plots_wait_s", t0)
        else:
            progress.advance(task, 1, info="plots")
            images = save_figures(rt, footer=footer, directory=rdir / "plots")
            t0 = _lap(steps, "report_plots_wait_s", t0)
            progress.advance(task, 1, info="page")
            html = page(images=images)
            t0 = _lap(steps, "report_page_s", t0)
        (run_dir / "report.html").write_text(html, encoding="utf-8")
        if drawing:
            worker.finish()  # the SVGs, drawn while the PNGs went into the page
        t0 = _lap(steps, "report_svg_wait_s", t0)
        progress.advance(task, 1, info="workbook")
        book.result()
        _lap(steps, "report_workbook_s", t0)


#: Runs with more works in scope than this compute the report's shared frames through Parquet
#: files (memory flat in the number of works) and give freed memory back to the OS between
#: stages (:func:`biblio.engines.release_memory`); smaller runs keep the frames in memory and
#: skip the releases (each ~0.05-0.1 s at 10,062 works, the pages then faulted in again; their
#: peak is the same without: 546-576 against 550-592 MB in 5 alternated runs at 100k works).
IN_MEMORY_REPORT_WORKS = 50_000


def large_run(works: pl.DataFrame | pl.LazyFrame) -> bool:
    """Whether a run with these works exceeds :data:`IN_MEMORY_REPORT_WORKS` (counted from the
    Parquet footer when lazy): the one rule the resolve and report stages both follow.

    Example:
        >>> large_run(pl.DataFrame({"work_id": ["W1"]}))
        False
    """
    n = works.select(pl.len()).collect().item() if isinstance(works, pl.LazyFrame) else works.height
    return n > IN_MEMORY_REPORT_WORKS


def _engine_for(*, large: bool) -> contextlib.AbstractContextManager[Any]:
    """The polars engine for a report's queries: in memory for a run of at most
    :data:`IN_MEMORY_REPORT_WORKS` works (not ``large``: the report tables of 10,062 works took
    0.79-0.98 CPU-s instead of 0.94-1.29 with the streaming engine polars' ``auto`` picks for
    scans of the stage tables), polars' own choice for a larger one (memory bounded). The
    setting is polars' engine affinity, which is process-wide: other threads' queries meanwhile
    run in memory too (the same results).

    Example:
        >>> with _engine_for(large=False):
        ...     pl.LazyFrame({"a": [1]}).collect().height
        1
    """
    return contextlib.nullcontext() if large else pl.Config(engine_affinity="in-memory")


def _lap(steps: dict[str, float], name: str, t0: float) -> float:
    """Record the wall seconds since ``t0`` as ``steps[name]``; returns now.

    Example:
        >>> d = {}; t = _lap(d, "x_s", time.perf_counter()); list(d)   # doctest: +SKIP
        ['x_s']
    """
    now = time.perf_counter()
    steps[name] = now - t0
    return now


def save_figures(report_tables: dict[str, pl.DataFrame | pl.LazyFrame], *, footer: str, directory: Path, worker: Any = None) -> dict[str, Path]:
    """Save the report's figures in ``directory`` (PNG and SVG); returns the PNG paths by name.

    Waits for ``worker`` when the tables were submitted to it, else draws them here. The worker
    answers once its PNGs are written: its SVGs are complete after ``worker.finish()``.

    Example:
        >>> save_figures(report_tables, footer="data: snapshot 2026-11-01", directory=Path("RUN/report/plots"))  # doctest: +SKIP
    """
    from biblio.report.figdata import figure_data
    from biblio.report.plotproc import render_figures  # matplotlib only when drawing here

    if worker is not None and not worker.pending:
        return worker.result()
    return render_figures(figure_data(report_tables), footer=footer, directory=directory)


def write_run(
    run_dir: str | Path,
    *,
    query: Any,
    fetch_result: Any,
    tables: Any,
    resolved: Any,
    timings: dict[str, float],
    settings: dict[str, Any] | None = None,
    lists: Any = None,
    award_records: pl.DataFrame | None = None,
    raw_csv: bool = False,
    warnings: list[str] | None = None,
    extra: Any = None,
    progress: Any = None,
    plot_worker: Any = None,
) -> Path:
    """Write a whole run: stage tables, report tables, XLSX, plots, report.html, manifest.json.

    ``tables`` is a :class:`biblio.tables.WorksTables`, a dict of its five tables by name
    (may be lazy, ``WorksTables.scan``), or the folder holding them as Parquet (copied as they
    are): large tables are then streamed to the run folder, never held whole, and the report
    reads only what it needs (:func:`report_inputs`).

    ``award_records`` (:data:`biblio.report.money.AWARD_RECORD_SCHEMA`) is stored as the
    optional stage table ``award_records`` when given.
    Everything is written into ``<run_dir>.tmp-…`` and renamed into place at the end, so the
    run folder appears whole or not at all. CSV cells are neutralised unless ``raw_csv``.
    ``extra`` (optional) is called with the temporary folder to add files before the swap.
    ``progress`` (a :class:`biblio.progress.Progress`) shows the stage tables and the report's steps.
    ``plot_worker`` (a :class:`biblio.report.plotproc.PlotWorker` started earlier, e.g. before
    the scan) draws the figures; one is started here if not given. It is stopped on return.
    The report's step times (wall seconds, ``report_*_s``) are added to ``timings``.
    """
    from biblio.lists import load_lists
    from biblio.progress import Progress
    from biblio.safeio import check_output_dir, write_text

    rd = Path(run_dir)
    if rd.exists():
        raise ReportError(f"{rd}: run directory already exists; pass a different --run-id or remove it")
    check_output_dir(rd.parent)
    frames, sources = _run_frames(tables, resolved, fetch_result=fetch_result, award_records=award_records)
    editions = (lists or load_lists()).editions
    manifest = _run_manifest(rd, query=query, fetch_result=fetch_result, frames=frames, timings=timings, settings=settings, editions=editions, raw_csv=raw_csv, warnings=warnings)
    prog = progress or Progress(enabled=False)
    _write_run_folder(rd, frames, manifest, editions, sources=sources, raw_csv=raw_csv, extra=extra, progress=prog, plot_worker=plot_worker, timings=timings)
    write_text(rd.name + "\n", rd.parent / "LATEST")
    return rd


def _run_frames(tables: Any, resolved: Any, *, fetch_result: Any, award_records: pl.DataFrame | None) -> tuple[dict[str, Any], dict[str, Path]]:
    """The frames :func:`write_run` writes (the five stage tables, ``flags``, ``affiliations`` and
    ``award_records`` when given or fetched), and the Parquet file of each table given as a folder.

    Example:
        >>> frames, sources = _run_frames(Path("work/tables"), resolved, fetch_result=fetched, award_records=None)   # doctest: +SKIP
        >>> sources["works"]                                                                                    # doctest: +SKIP
        PosixPath('work/tables/works.parquet')
    """
    from biblio.tables import TABLE_NAMES

    src = Path(tables) if isinstance(tables, (str, Path)) else None
    works = {n: pl.scan_parquet(src / f"{n}.parquet") for n in TABLE_NAMES} if src else dict(tables) if isinstance(tables, dict) else tables.frames()
    frames = {**works, "flags": resolved.flags, "affiliations": resolved.affiliations}
    if award_records is None:
        award_records = getattr(fetch_result, "award_records", None)
    if award_records is not None:
        frames["award_records"] = award_records
    sources = {n: src / f"{n}.parquet" for n in works} if src else {}
    return frames, sources


def _run_manifest(
    rd: Path, *, query: Any, fetch_result: Any, frames: dict[str, Any], timings: dict[str, float], settings: dict[str, Any] | None,
    editions: pl.DataFrame, raw_csv: bool, warnings: list[str] | None,
) -> dict[str, Any]:
    """:func:`build_manifest` with how the CSV cells were written and the run's warnings.

    Example:
        >>> _run_manifest(rd, query=query, fetch_result=fetched, frames=frames, timings={}, settings=None, editions=editions, raw_csv=False, warnings=None)["csv_cells"]   # doctest: +SKIP
        'neutralised'
    """
    manifest = build_manifest(run_dir=rd, query=query, fetch_result=fetch_result, frames=frames, timings=timings, settings=settings, editions=editions)
    manifest["csv_cells"] = "raw" if raw_csv else "neutralised"
    manifest["warnings"] = list(warnings or [])
    return manifest


def _write_run_folder(
    rd: Path, frames: dict[str, Any], manifest: dict[str, Any], editions: pl.DataFrame, *, sources: dict[str, Path], raw_csv: bool,
    extra: Any, progress: Any, plot_worker: Any, timings: dict[str, float],
) -> None:
    """Write the run folder ``rd`` whole or not at all (:func:`biblio.safeio.atomic_dir`): the stage
    tables in a thread while the report is written here, then ``extra``'s files and the manifest.

    Example:
        >>> _write_run_folder(rd, frames, manifest, editions, sources={}, raw_csv=False, extra=None, progress=prog, plot_worker=None, timings={})   # doctest: +SKIP
    """
    from biblio.safeio import atomic_dir

    # the pool is shut down (its thread done) before the temporary folder is renamed or removed
    with atomic_dir(rd) as tmp, ThreadPoolExecutor(max_workers=1, thread_name_prefix="biblio-stage") as pool:
        stage = pool.submit(_write_stage_tables, tmp / "tables", frames, sources=sources, raw_csv=raw_csv, progress=progress, timings=timings)
        _write_report(tmp, frames, manifest, editions, progress=progress, plot_worker=plot_worker, steps=timings)  # reads the sources, not the copies
        stage.result()
        if extra is not None:
            extra(tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_stage_tables(folder: Path, frames: dict[str, Any], *, sources: dict[str, Path], raw_csv: bool, progress: Any, timings: dict[str, float]) -> None:
    """Write the stage tables (and ``award_records`` when present) into ``folder`` as Parquet and
    CSV; a table with a Parquet file in ``sources`` is copied from it as it is. The wall seconds
    go to ``timings["report_stage_tables_s"]``.

    Example:
        >>> _write_stage_tables(Path("RUN.tmp/tables"), frames, sources={}, raw_csv=False, progress=Progress(enabled=False), timings={})  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    task = progress.task("stage tables", total=len(STAGE_TABLES))
    for name in STAGE_TABLES:
        write_frame(frames[name], folder / name, raw_csv=raw_csv, source=sources.get(name))
        progress.advance(task, 1, info=name)
    if frames.get("award_records") is not None:
        write_frame(frames["award_records"], folder / "award_records", raw_csv=raw_csv)
    _lap(timings, "report_stage_tables_s", t0)


#: Manifest keys the report needs, with their JSON types.
MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "run_id": str,
    "created_at": str,
    "biblio_version": str,
    "data_source": str,
    "data_date": (str, type(None)),
    "counts": dict,
    "query": dict,
}
QUERY_KEYS: dict[str, type | tuple[type, ...]] = {"name": str, "lists": list, "date_from": str, "date_to": str, "funder_ids": list, "agencies": list, "scope": str}
#: Optional manifest keys: when present they must have these types.
OPTIONAL_KEYS: dict[str, type | tuple[type, ...]] = {
    "synthetic_records": int, "synthetic_award_records": int, "fetch": dict, "country_codes": list, "query_path": (str, type(None)),
    "query_sha256": str, "csv_cells": str, "warnings": list, "flags_by_method": dict, "flags_by_list": dict, "list_editions": list,
}
OPTIONAL_QUERY_KEYS: dict[str, type | tuple[type, ...]] = {"description": (str, type(None)), "fuzzy": bool}


def _check_manifest(manifest: Any, mpath: Path) -> dict[str, Any]:
    fix = "re-run `biblio run` or restore the file"
    if not isinstance(manifest, dict):
        raise ReportError(f"{mpath}: must be a JSON object, got {type(manifest).__name__}; {fix}")
    for keys, obj, where in ((MANIFEST_KEYS, manifest, ""), (QUERY_KEYS, manifest.get("query"), "query.")):
        for k, t in keys.items():
            if not isinstance(obj.get(k), t):
                got = "missing" if k not in obj else f"a {type(obj[k]).__name__}"
                raise ReportError(f"{mpath}: field {where}{k} is {got}; {fix}")
    for keys, obj, where in ((OPTIONAL_KEYS, manifest, ""), (OPTIONAL_QUERY_KEYS, manifest["query"], "query.")):
        for k, t in keys.items():
            v = obj.get(k)
            if k in obj and (not isinstance(v, t) or (t is int and isinstance(v, bool))):
                raise ReportError(f"{mpath}: field {where}{k} is a {type(v).__name__}; {fix}")
    for where, obj in (("counts", manifest["counts"]), ("flags_by_method", manifest.get("flags_by_method") or {}), ("flags_by_list", manifest.get("flags_by_list") or {})):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in obj.values()):
            raise ReportError(f"{mpath}: field {where} must map names to integers; {fix}")
    for where, xs in (("query.lists", manifest["query"]["lists"]), ("query.funder_ids", manifest["query"]["funder_ids"]), ("query.agencies", manifest["query"]["agencies"]), ("country_codes", manifest.get("country_codes") or []), ("warnings", manifest.get("warnings") or [])):
        if not all(isinstance(x, str) for x in xs):
            raise ReportError(f"{mpath}: field {where} must be a list of strings; {fix}")
    if not isinstance(manifest["counts"].get("works"), int):
        raise ReportError(f"{mpath}: field counts.works must be an integer; {fix}")
    try:
        json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError):
        raise ReportError(f"{mpath}: contains invalid Unicode (a lone surrogate); {fix}") from None
    return manifest


def _expected_schemas() -> dict[str, pl.Schema]:
    from biblio.resolve import AFFILIATION_SCHEMA, FLAG_SCHEMA
    from biblio.tables import SCHEMAS

    return {**SCHEMAS, "flags": FLAG_SCHEMA, "affiliations": AFFILIATION_SCHEMA}


def _read_run(run_dir: str | Path, *, lazy: tuple[str, ...] = ()) -> tuple[Path, dict[str, pl.DataFrame | pl.LazyFrame], dict[str, Any]]:
    rd = Path(run_dir)
    manifest = _read_manifest(rd)
    frames: dict[str, pl.DataFrame | pl.LazyFrame] = {}
    expected = _expected_schemas()
    for name in STAGE_TABLES:
        p = rd / "tables" / f"{name}.parquet"
        if not p.is_file():
            raise ReportError(f"{p}: stored table missing; re-run `biblio run` for this query")
        try:
            frames[name] = pl.scan_parquet(p) if name in lazy else pl.read_parquet(p)
            schema = frames[name].collect_schema()
        except Exception as e:  # noqa: BLE001 - several polars/arrow error types
            raise ReportError(f"{p}: unreadable Parquet ({type(e).__name__}); re-run `biblio run`") from None
        want = expected.get(name)
        if want is not None and schema != want:
            diffcols = sorted(set(want) ^ set(schema))
            hint = f" (columns differ: {', '.join(diffcols[:4])})" if diffcols else " (column types differ)"
            raise ReportError(f"{p}: not the {name} table biblio writes{hint}; re-run `biblio run`")
    extra = rd / "tables" / "award_records.parquet"
    if extra.exists():
        try:
            frames["award_records"] = pl.read_parquet(extra)
        except Exception as e:  # noqa: BLE001 - several polars/arrow error types
            raise ReportError(f"{extra}: unreadable Parquet ({type(e).__name__}); re-run `biblio run`") from None
    return rd, frames, manifest


def rebuild(run_dir: str | Path) -> Path:
    """Rebuild a run's report tables, XLSX, plots and report.html from its stored tables.

    The new report is built in a temporary copy of the run folder and swapped in whole; if
    anything fails, the run folder is left exactly as it was.
    """
    import shutil

    from biblio.lists import load_lists
    from biblio.safeio import atomic_dir

    rd, frames, manifest = _read_run(run_dir, lazy=STAGE_TABLES)
    editions = load_lists().editions
    with atomic_dir(rd, replace=True) as tmp:
        for item in rd.iterdir():
            if item.name in ("report", "report.html"):
                continue
            if item.is_dir():
                shutil.copytree(item, tmp / item.name, copy_function=_link_or_copy)
            else:
                _link_or_copy(str(item), str(tmp / item.name))
        _write_report(tmp, frames, manifest, editions)
    return rd


def _link_or_copy(src: str, dst: str) -> None:
    import os
    import shutil

    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def latest_run(output_dir: str | Path, query_name: str) -> Path:
    """The newest run directory of a query, from ``<output_dir>/<query_name>/LATEST``."""
    p = Path(output_dir) / query_name / "LATEST"
    if not p.exists():
        raise ReportError(f"{p}: no runs yet for {query_name!r}; run `biblio run` first")
    return p.parent / p.read_text(encoding="utf-8").strip()


def diff_runs(run_a: str | Path, run_b: str | Path) -> pl.DataFrame:
    """Papers and flags new, removed or changed from run A to run B.

    Columns: change ('new'|'removed'|'changed'), kind ('paper'|'flag'), work_id, doi, title,
    list_key, entity_key, detail.
    """
    _, fa, _ = _read_run(run_a)
    _, fb, _ = _read_run(run_b)
    schema = {"change": pl.Utf8, "kind": pl.Utf8, "work_id": pl.Utf8, "doi": pl.Utf8, "title": pl.Utf8, "list_key": pl.Utf8, "entity_key": pl.Utf8, "detail": pl.Utf8}
    wa, wb = fa["works"], fb["works"]
    new_p = wb.join(wa.select("work_id"), on="work_id", how="anti").select(pl.lit("new").alias("change"), pl.lit("paper").alias("kind"), "work_id", "doi", "title")
    gone_p = wa.join(wb.select("work_id"), on="work_id", how="anti").select(pl.lit("removed").alias("change"), pl.lit("paper").alias("kind"), "work_id", "doi", "title")
    flg_a = fa["flags"].unique(FLAG_KEY)
    flg_b = fb["flags"].unique(FLAG_KEY)
    new_f = flg_b.join(flg_a.select(FLAG_KEY), on=FLAG_KEY, how="anti").with_columns(
        pl.lit("new").alias("change"), pl.concat_str([pl.lit("method="), pl.col("method"), pl.lit(" edition="), pl.col("list_edition")]).alias("detail")
    )
    gone_f = flg_a.join(flg_b.select(FLAG_KEY), on=FLAG_KEY, how="anti").with_columns(
        pl.lit("removed").alias("change"), pl.concat_str([pl.lit("method="), pl.col("method"), pl.lit(" edition="), pl.col("list_edition")]).alias("detail")
    )
    both = flg_a.select(FLAG_KEY + FLAG_COMPARE).join(flg_b.select(FLAG_KEY + FLAG_COMPARE), on=FLAG_KEY, how="inner", suffix="_b")
    changed_rows = []
    for r in both.iter_rows(named=True):
        diffs = [f"{c}: {r[c]} → {r[c + '_b']}" for c in FLAG_COMPARE if r[c] != r[c + "_b"]]
        if diffs:
            changed_rows.append({**{k: r[k] for k in FLAG_KEY}, "change": "changed", "detail": "; ".join(diffs)})
    changed = pl.DataFrame(changed_rows, schema={"work_id": pl.Utf8, "author_index": pl.Int32, "list_key": pl.Utf8, "entity_key": pl.Utf8, "change": pl.Utf8, "detail": pl.Utf8})
    titles = pl.concat([wa.select("work_id", "doi", "title"), wb.select("work_id", "doi", "title")]).unique("work_id")

    def flag_rows(df: pl.DataFrame) -> pl.DataFrame:
        return df.select("change", pl.lit("flag").alias("kind"), "work_id", "list_key", "entity_key", "detail").join(titles, on="work_id", how="left")

    parts = [
        new_p.with_columns(pl.lit(None, pl.Utf8).alias("list_key"), pl.lit(None, pl.Utf8).alias("entity_key"), pl.lit(None, pl.Utf8).alias("detail")),
        gone_p.with_columns(pl.lit(None, pl.Utf8).alias("list_key"), pl.lit(None, pl.Utf8).alias("entity_key"), pl.lit(None, pl.Utf8).alias("detail")),
        flag_rows(new_f),
        flag_rows(gone_f),
        flag_rows(changed),
    ]
    out = pl.concat([p.select(list(schema)).cast(schema) for p in parts], how="vertical")
    return out.sort("kind", "change", "work_id", "list_key", "entity_key", nulls_last=True)


def diff_summary(d: pl.DataFrame) -> dict[str, int]:
    """Counts of a :func:`diff_runs` frame: ``{'papers new': 3, 'flags changed': 1, …}``."""
    out = {f"{k}s {c}": 0 for k in ("paper", "flag") for c in ("new", "removed", "changed") if not (k == "paper" and c == "changed")}
    for kind, change, n in d.group_by("kind", "change").len().iter_rows():
        out[f"{kind}s {change}"] = out.get(f"{kind}s {change}", 0) + int(n)
    return out


def query_differences(run_a: str | Path, run_b: str | Path) -> list[str]:
    """The query fields that differ between two runs ('' list when the same query was used)."""
    ma, mb = (_read_manifest(Path(r)) for r in (run_a, run_b))
    if ma.get("query_sha256") == mb.get("query_sha256"):
        return []
    qa, qb = ma.get("query") or {}, mb.get("query") or {}
    diffs = [k for k in sorted(set(qa) | set(qb)) if k not in ("path", "text") and qa.get(k) != qb.get(k)]
    return diffs or ["query file text"]


def _read_manifest(rd: Path) -> dict[str, Any]:
    """A run folder's manifest, checked: UTF-8 JSON, an object with the keys the report needs."""
    if not rd.is_dir():
        raise ReportError(f"{printable(rd, 200)}: not a run directory; pass a folder like outputs/<query>/<run id>")
    mpath = rd / "manifest.json"
    if not mpath.is_file():
        raise ReportError(f"{mpath}: missing; this folder was not written by `biblio run`")
    try:
        return _check_manifest(json.loads(mpath.read_text(encoding="utf-8")), mpath)
    except UnicodeDecodeError as e:
        raise ReportError(f"{mpath}: not UTF-8 (byte {e.start}); re-run `biblio run`") from None
    except (json.JSONDecodeError, RecursionError) as e:
        raise ReportError(f"{mpath}: not valid JSON ({getattr(e, 'msg', 'nested too deeply')}); re-run `biblio run`") from None
    except OSError as e:
        raise ReportError(f"{mpath}: cannot read ({e.strerror}); check the permissions") from None


def award_lookup(run_dir: str | Path, number: str) -> pl.DataFrame:
    """The award view of one award number in a run: papers → listed partners → evidence.

    Reads ``report/award_view.parquet`` (rebuilt if missing). The number is matched after
    normalisation ('FA9550-23-1-0101' = 'FA9550231 0101'); a prefix (e.g. 'FA9550-23') also matches.
    """
    from biblio.report.money import award_key

    rd = Path(run_dir)
    p = rd / "report" / "award_view.parquet"
    if not p.exists():
        rebuild(rd)
    view = pl.read_parquet(p)
    key = pl.select(award_key(pl.lit(number))).item()
    if not key:
        raise ReportError(f"{number!r}: not an award number; pass one like FA9550-23-1-0101")
    hit = view.filter(pl.col("award_key").str.starts_with(key))
    if hit.height == 0:
        cited = pl.read_parquet(rd / "report" / "awards.parquet") if (rd / "report" / "awards.parquet").exists() else None
        known = cited is not None and cited.filter(pl.col("award_key").str.starts_with(key)).height > 0
        why = "no paper citing it has a listed partner" if known else "no paper in this run cites it"
        raise ReportError(f"award {number}: {why}; see report/awards.csv in {rd} for the awards cited")
    return hit
