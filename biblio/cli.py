"""The ``biblio`` command line: a thin layer over the library.

Every command wraps one public function. Library errors (``BiblioError``) become a single
``Error: …`` line and exit code 1; nothing else here knows about the data.

Example:
    $ biblio check queries/demo.toml
    $ biblio run queries/demo.toml
    $ biblio screen partners.csv --out screened.csv --as-of 2025-01-01
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable

import click
import polars as pl

from biblio import __version__
from biblio.errors import BiblioError, explain, one_line, show


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {one_line(message)}", err=True)
    sys.exit(code)


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Kept for commands that use it; the error boundary itself is :class:`BiblioGroup`."""
    return fn


def _report(exc: BaseException) -> int:
    """Print ``exc`` as one ``Error:`` line (or a traceback with BIBLIO_DEBUG=1); the exit code."""
    if isinstance(exc, click.Abort) and isinstance(exc.__cause__, EOFError):
        exc = exc.__cause__
    elif isinstance(exc, (KeyboardInterrupt, click.Abort)):
        click.echo("Error: interrupted; pages fetched so far are cached, run the same command again to resume", err=True)
        return 130
    if isinstance(exc, click.ClickException):
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            click.echo(ctx.get_help())
            return 0
        msg = exc.format_message().rstrip(".")
        if isinstance(exc, click.UsageError) and ctx is not None:
            msg += f"; see `{ctx.command_path} --help`"
        click.echo(f"Error: {one_line(msg)}", err=True)
        return 1
    if _debug():
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    message, _internal = explain(exc)
    click.echo(f"Error: {one_line(message)}", err=True)
    return int(getattr(exc, "exit_code", 1))


def _debug() -> bool:
    from biblio.settings import Settings

    return Settings.debug_from_env()


class BiblioCommand(click.Command):
    """A command whose every failure is one ``Error:`` line: exit 1 for bad input (usage errors
    included), 130 for Ctrl-C, never a traceback (unless ``BIBLIO_DEBUG=1``)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:  # type: ignore[override]
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SystemExit:
            raise
        except BaseException as exc:  # noqa: BLE001 - this is the one boundary
            code = _report(exc)
            if not standalone_mode:
                raise
            sys.exit(code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


class BiblioGroup(BiblioCommand, click.Group):
    """A group with the same error boundary; sub-commands and sub-groups inherit it."""

    command_class = BiblioCommand
    group_class = type


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError("expected YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter(f"not a date: {show(value)} ({e}); use YYYY-MM-DD, e.g. 2025-01-01", param=param) from None


RAW_CSV_HELP = "Write CSV cells exactly as they are (for machines); by default cells starting with = + - @ tab or CR get a leading ' so spreadsheets show text, not formulas."


def _show(df: pl.DataFrame) -> None:
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        click.echo(str(df))


def _table(df: pl.DataFrame, *, title: str | None = None, max_rows: int | None = None, widths: dict[str, int] | None = None) -> None:
    """Print a frame as a rich table that fits the terminal (long cells wrap, no dtype rows)."""
    from rich.console import Console
    from rich.table import Table

    con = Console(width=None if sys.stdout.isatty() else 160, soft_wrap=False)
    t = Table(title=title, show_lines=False, header_style="bold", expand=False)
    for c in df.columns:
        numeric = df.schema[c].is_numeric()
        t.add_column(c.replace("_", " "), justify="right" if numeric else "left", overflow="fold", max_width=(widths or {}).get(c, 48))
    shown = df if max_rows is None else df.head(max_rows)
    for row in shown.iter_rows():
        t.add_row(*("" if v is None else f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v) for v in row))
    con.print(t)
    if shown.height < df.height:
        con.print(f"… {df.height - shown.height} more rows (use --out to write them all)")


@click.group(cls=BiblioGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="biblio")
def main() -> None:
    """biblio: DoD-funded publications with PRC co-authors, resolved against U.S. entity lists."""


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path))
@_friendly
def check(query_file: Path) -> None:
    """Validate QUERY_FILE without fetching, and show what would be requested."""
    from biblio.query import load_query

    q = load_query(query_file)
    click.echo(f"{query_file}: OK")
    click.echo(f"  name:     {q.name}")
    click.echo(f"  window:   {q.date_from} .. {q.date_to}")
    click.echo(f"  funders:  {len(q.funder_ids)} OpenAlex funder IDs ({', '.join(q.agencies) or 'by ID'})")
    if q.award_prefixes:
        click.echo(f"  award prefixes: {', '.join(q.award_prefixes)}")
    click.echo(f"  scope:    {q.scope} ({', '.join(q.country_codes)})")
    click.echo(f"  lists:    {', '.join(q.lists)}{' (fuzzy on)' if q.fuzzy else ''}")
    from biblio.safeio import check_output_dir

    check_output_dir(q.output_dir, field=f"{query_file}: output.dir", create=False)
    click.echo(f"  output:   {q.output_dir} (writable)")
    click.echo(f"  source:   {q.source}")
    if q.judged_locally:  # scope decided locally (biblio.evidence)
        click.echo(f"  DoD evidence: {', '.join(q.evidence)}; PRC from raw strings: {'yes' if q.raw_strings else 'no'}")
        if q.crossref:
            click.echo(f"  crossref: {'live API, one chain per DoD funder DOI' if q.crossref_api else ', '.join(q.crossref_paths)}")
        for fld, paths in (("source.crossref", q.crossref_paths), ("source.affiliations", q.affiliation_paths)):
            for p in q.resolve_paths(paths):
                if not p.is_file():
                    raise BiblioError(f"{query_file}: {fld}: {p} does not exist; fix the path (relative paths are relative to the query file)")
    click.echo(f"  cache key: {q.fetch_hash}")
    if q.source == "snapshot":
        for p in q.resolve_snapshot_paths():
            state = "found" if p.exists() else "MISSING"
            click.echo(f"    {p} [{state}]")
        missing = [p for p in q.resolve_snapshot_paths() if not p.exists()]
        if missing:
            raise BiblioError(f"{query_file}: source.paths: {missing[0]} does not exist; fix the path (relative paths are relative to the query file)")
    else:
        from biblio.openalex import request_urls
        from biblio.settings import Settings

        from biblio.openalex import estimate_requests

        st = Settings.from_env()
        click.echo(f"  OPENALEX_API_KEY: {'set' if st.api_key else 'NOT set (required for api.openalex.org; free from openalex.org)'}")
        est = estimate_requests(q, settings=st)
        exact = "" if est["requests_exact"] else "at least "
        click.echo(
            f"  estimate: {exact}{est['requests_min']} list requests ({est['chains']} chains, {est['chains_cached']} already cached), "
            f"~${est['usd_min']:.4f} of the ${est['usd_per_day']:g}/day free credits (~{est['free_list_calls_per_day']:,} list calls/day); "
            "each further 100 works costs one more request"
        )
        if q.fetch.max_requests:
            click.echo(f"  budget:   [fetch] max_requests = {q.fetch.max_requests}")
        from biblio.funders import load_discovery

        disc = load_discovery(settings=st)
        if q.discover:
            click.echo(f"  discovery: on; {'cached ' + disc[0] + ' (' + str(disc[1]['included'].sum()) + ' DoD funders)' if disc else 'not yet run: the run will discover, or run `biblio funders QUERY` first'}")
        if q.exclude_ids:
            click.echo(f"  excluded: {', '.join(q.exclude_ids)}")
        click.echo("  first-page requests:")
        for url in request_urls(q, settings=st):
            click.echo(f"    {url}")


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="Also list the funders found and rejected, with the reason.")
@_friendly
def funders(query_file: Path, show_all: bool) -> None:
    """Discover QUERY_FILE's DoD funders through OpenAlex /funders; print and cache the table."""
    from biblio.funders import discover_funders, discovery_cache_path, funder_plan, save_discovery
    from biblio.query import load_query
    from biblio.settings import Settings

    q = load_query(query_file)
    st = Settings.from_env()
    df = discover_funders(settings=st)
    offline = st.api_key is None and st.openalex_url == "https://api.openalex.org"
    if offline:
        click.echo("offline (OPENALEX_API_KEY not set): the verified seeds only; set the key to discover more", err=True)
    else:
        save_discovery(df, settings=st)
        click.echo(f"cached: {discovery_cache_path(st)}", err=True)
    shown = df if show_all else df.filter(pl.col("included"))
    _show(shown.select("funder_id", "name", "works_count", "included", "reason") if show_all else shown.select("funder_id", "name", "works_count", "reason"))
    used = [p for p in funder_plan(q, settings=st, discover=not offline) if p["used"]]
    click.echo(f"{df.filter(pl.col('included')).height} DoD funders ({df.height - df.filter(pl.col('included')).height} look-alikes rejected); "
               f"{q.name} asks for {len(used)} funder IDs" + ("" if q.discover or offline else " (set [funders] discover = true to use the discovered ones)"))


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=True, help="Show a progress bar while fetching.")
@click.option("--refresh", is_flag=True, help="Ignore the cache: fetch every page again.")
@_friendly
def fetch(query_file: Path, progress: bool, refresh: bool) -> None:
    """Fetch QUERY_FILE's records into the cache without building a report."""
    from biblio.pipeline import fetch_records
    from biblio.query import load_query

    q = load_query(query_file)
    r = fetch_records(q, progress=progress and sys.stderr.isatty(), refresh=refresh)
    click.echo(f"fetched {r.n_records} records from {r.source} ({r.requests} requests, {r.pages} pages)")
    if r.cache_dir:
        click.echo(f"cache: {r.cache_dir}")
    for note in r.notes:
        click.echo(f"note: {note}", err=note.startswith("WARNING"))
    if r.fetched_dates:
        click.echo("pages fetched: " + ", ".join(f"{d} ({n})" for d, n in r.fetched_dates.items()))
    click.echo(f"complete: {'yes' if r.complete else 'NO'}")


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path))
@click.option("--out", "output_dir", type=click.Path(path_type=Path), default=None, help="Output folder (default: the query's [output] dir).")
@click.option("--run-id", default=None, help="Name of the run folder (default: the UTC time).")
@click.option("--as-of", callback=_date, default=None, help="Date for 'listed now' (default: today).")
@click.option("--progress/--no-progress", default=True, help="Show progress for fetch/scan, resolve and report.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True, help="Where the snapshot scan runs: this process, or a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://HOST:8786 (default with --engine dask: a local cluster).")
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@click.option("--strict/--no-strict", default=None, help="Stop at the first malformed snapshot record instead of skipping and counting it (default: the query's [source] strict).")
@click.option("--refresh", is_flag=True, help="Ignore the fetch cache: fetch every page again.")
@_friendly
def run(query_file: Path, output_dir: Path | None, run_id: str | None, as_of: dt.date | None, progress: bool, engine: str, scheduler: str | None, raw_csv: bool, strict: bool | None, refresh: bool) -> None:
    """Run the whole pipeline for QUERY_FILE: fetch, tables, resolve, report."""
    from biblio.pipeline import run_query
    from biblio.query import load_query

    q = load_query(query_file)
    result = run_query(
        q,
        output_dir=output_dir,
        run_id=run_id,
        as_of=as_of,
        progress=progress and sys.stderr.isatty(),
        log=lambda m: click.echo(m, err=True),
        engine=engine,
        scheduler=scheduler,
        raw_csv=raw_csv,
        strict=strict,
        refresh=refresh,
    )
    c = result.counts
    click.echo(f"works: {c['works']}  flags: {c['flags']}  flagged works: {c['flagged_works']}")
    if c["synthetic_records"]:
        click.echo(f"SYNTHETIC DATA PRESENT: {c['synthetic_records']} synthetic records (see the report's banner)")
    _print_headline(result.run_dir)
    click.echo(f"report: {result.run_dir / 'report.html'}")
    click.echo(f"run:    {result.run_dir}")


@main.command()
@click.argument("input_csv", type=click.Path(path_type=Path))
@click.option("--out", "out_csv", type=click.Path(path_type=Path), required=True, help="Where to write the screened CSV.")
@click.option("--as-of", callback=_date, default=None, help="Membership date, YYYY-MM-DD (default: today).")
@click.option("--fuzzy", is_flag=True, help="Also try scored fuzzy matching (off by default).")
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@_friendly
def screen(input_csv: Path, out_csv: Path, as_of: dt.date | None, fuzzy: bool, raw_csv: bool) -> None:
    """Screen a CSV of partner institutions (column 'name'; optional ror, openalex_id, country_code)."""
    from biblio.resolve import screen_csv

    df = screen_csv(input_csv, out_csv, as_of=as_of, fuzzy=fuzzy, raw_csv=raw_csv)
    hits = df.filter(pl.col("lists") != "").height if "lists" in df.columns else 0
    click.echo(f"screened {df.height} rows: {hits} on at least one list; wrote {out_csv}")


@main.group(invoke_without_command=True)
@click.pass_context
@_friendly
def lists(ctx: click.Context) -> None:
    """Show the bundled entity lists, their editions and counts."""
    if ctx.invoked_subcommand is None:
        from biblio.lists import lists_summary

        d = lists_summary().select("list_key", "list_name", "edition", "edition_date", "entities", "coverage", "staleness_note")
        _table(d, title="Bundled entity lists and editions", widths={"list_name": 40, "coverage": 40, "staleness_note": 40})


@lists.command("update")
@click.option("--csl", "csl_source", required=True, help="Path or URL of the trade.gov Consolidated Screening List (CSV or JSON).")
@click.option("--out-dir", type=click.Path(path_type=Path), default=None, help="Where to write refreshed list files (default: the bundled data folder).")
@_friendly
def lists_update(csl_source: str, out_dir: Path | None) -> None:
    """Refresh entity_list, meu and ns_cmic from the official CSL."""
    from biblio.lists.update import update_from_csl

    kwargs: dict[str, Any] = {} if out_dir is None else {"out_dir": out_dir}
    written = update_from_csl(csl_source, **kwargs)
    for p in written if isinstance(written, (list, tuple)) else [written]:
        click.echo(f"wrote {p}")


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@_friendly
def report(run_dir: Path) -> None:
    """Rebuild RUN_DIR's tables, plots and report.html from stored tables, without refetching."""
    from biblio.report import rebuild

    out = rebuild(run_dir)
    click.echo(f"report: {Path(out) / 'report.html' if Path(out).is_dir() else out}")


@main.command()
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--out", "out_csv", type=click.Path(path_type=Path), default=None, help="Also write the differences to this CSV.")
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@_friendly
def diff(run_a: Path, run_b: Path, out_csv: Path | None, raw_csv: bool) -> None:
    """List papers and flags that are new, removed or changed from RUN_A to RUN_B."""
    from biblio.report import diff_runs, diff_summary, query_differences
    from biblio.safeio import check_output_file, write_csv

    if out_csv is not None:
        check_output_file(out_csv)
    qd = query_differences(run_a, run_b)
    if qd:
        click.echo(f"warning: the two runs used different queries ({', '.join(qd)}); differences may come from the query, not the data", err=True)
    d = diff_runs(run_a, run_b)
    click.echo("  ".join(f"{k}: {v}" for k, v in diff_summary(d).items()))
    if d.height == 0:
        click.echo("no differences")
    else:
        _table(d, max_rows=200, widths={"title": 40, "detail": 40})
    if out_csv is not None:
        write_csv(d, out_csv, raw=raw_csv)
        click.echo(f"wrote {out_csv}")


@main.command("coverage")
@click.argument("query_file", type=click.Path(path_type=Path))
@click.option("--against", "against", type=click.Path(path_type=Path), required=True, help="CSV reference list with a DOI column (e.g. the House committee's list).")
@click.option("--out", "out_csv", type=click.Path(path_type=Path), default=None, help="Where to write the per-DOI CSV (default: <output dir>/<query name>/coverage.csv).")
@_friendly
def coverage_cmd(query_file: Path, against: Path, out_csv: Path | None) -> None:
    """For every DOI in AGAINST: did QUERY_FILE find it, and if not, why."""
    from biblio.coverage import coverage, write_coverage
    from biblio.query import load_query

    q = load_query(query_file)
    res = coverage(q, against)
    out = write_coverage(res, out_csv or Path(q.output_dir) / q.name / "coverage.csv")
    click.echo(f"{q.name}: found {res.n_found} of {res.n_total} papers of {against.name} ({res.n_found / max(res.n_total, 1):.0%})")
    _show(res.summary)
    click.echo(f"wrote {out} (one row per DOI: found, reason, evidence)")


#: ``biblio vet --since``: exit code when new items were found (0 when nothing is new).
EXIT_NEW_ITEMS = 3


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path), required=False)
@click.option("--person", "persons", multiple=True, help="An ORCID or OpenAlex author ID to vet (repeatable).")
@click.option("--team", type=click.Path(path_type=Path), default=None, help="A proposal-team CSV: name, orcid and/or openalex_id, institution.")
@click.option("--since", default=None, help="An earlier vetting run folder, or 'latest': report only what is new (exit 3 if anything is).")
@click.option("--out", "output_dir", type=click.Path(path_type=Path), default=None, help="Output folder (default: the query's [output] dir).")
@click.option("--run-id", default=None, help="Name of the run folder (default: the UTC time).")
@_friendly
def vet(query_file: Path | None, persons: tuple[str, ...], team: Path | None, since: str | None, output_dir: Path | None, run_id: str | None) -> None:
    """Vet researchers: their works in a lookback window, co-authors screened against every list.

    QUERY_FILE is a vetting query ([vet] section, e.g. queries/vet-demo.toml); without it, the
    people given by --person/--team are vetted on the live API over the last 5 years.
    """
    from biblio.vet.run import run_vet
    from biblio.vet.spec import VetQuery, load_vet_query

    vq = load_vet_query(query_file) if query_file else VetQuery(name="vet", source="openalex")
    res, run_dir = run_vet(vq, extra_ids=list(persons), team=team, since=since, output_dir=output_dir, run_id=run_id)
    for p in res.summary.iter_rows(named=True):
        cats = ", ".join(f"{p[c]} {c}" for c in ("prohibited", "mitigation required", "mitigation suggested", "note") if p[c])
        click.echo(f"{p['person_name']}: {p['works']} works; {cats or p['status']}")
    if res.n_synthetic:
        click.echo(f"SYNTHETIC DATA PRESENT: {res.n_synthetic} synthetic works (labelled in every output)")
    click.echo(f"memos:  {run_dir / 'team.html'}")
    click.echo(f"run:    {run_dir}")
    if res.new is not None:
        click.echo(f"new since {res.since}: {res.new.height} items" + ("" if res.new.height else " (nothing new)"))
        if res.new.height:
            sys.exit(EXIT_NEW_ITEMS)


def _print_headline(run_dir: Path) -> None:
    from biblio.report.tables import headline_sentence

    p = run_dir / "report" / "headline.parquet"
    m = run_dir / "manifest.json"
    if p.exists():
        import json

        q = json.loads(m.read_text(encoding="utf-8")).get("query", {}) if m.exists() else {}
        w = (dt.date.fromisoformat(q["date_from"]), dt.date.fromisoformat(q["date_to"])) if "date_from" in q else None
        click.echo(headline_sentence(pl.read_parquet(p), window=w))
        man = json.loads(m.read_text(encoding="utf-8")) if m.exists() else {}
        if man.get("synthetic_award_records"):
            click.echo(f"SYNTHETIC award amounts: {man['synthetic_award_records']} award records are synthetic (labelled in every output)")


@main.command()
@click.argument("number")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_csv", type=click.Path(path_type=Path), default=None, help="Also write the rows to this CSV.")
@_friendly
def award(number: str, run_dir: Path, out_csv: Path | None) -> None:
    """Show award NUMBER in RUN_DIR: its papers, their listed partners and the evidence."""
    from biblio.report import award_lookup

    d = award_lookup(run_dir, number)
    first = d.row(0, named=True)
    amt = "amount unknown" if first["amount_usd"] is None else f"${first['amount_usd']:,.0f}" + (" (SYNTHETIC)" if first["synthetic"] else "")
    click.echo(f"award {first['award_number']} ({first['agency']}, {amt}): {d['work_id'].n_unique()} papers with a listed partner")
    _table(d.select("work_id", "doi", "publication_date", "title", "partner_name", "lists", "evidence"), widths={"title": 40, "evidence": 60})
    if out_csv is not None:
        d.write_csv(out_csv)
        click.echo(f"wrote {out_csv}")


if __name__ == "__main__":  # pragma: no cover
    main()
