"""Coverage: for every DOI of a reference list, did the query find it, and if not, why.

The reasons (:data:`biblio.evidence.REASONS`, first failing one is ``reason``, all in
``reasons``): ``no record`` (no OpenAlex record for the DOI, or no DOI), ``no funder metadata
anywhere`` (neither OpenAlex nor Crossref lists a funder), ``funder not DoD-known`` (funders
listed, none is DoD by ID, Crossref funder DOI, award prefix or name, as the query allows),
``no PRC co-author found`` (no institution in scope and, with ``raw_strings``, no raw or
printed affiliation string in scope), ``outside the window`` (OpenAlex publication date).

Example:
    >>> from biblio.query import load_query
    >>> r = coverage(load_query("queries/fox-in-the-henhouse.toml"),
    ...              against="biblio/data/house/fox-in-the-henhouse_dod-associated-publications.csv")  # doctest: +SKIP
    >>> r.n_found, r.n_total                                                                     # doctest: +SKIP
    (7xx, 1418)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import polars as pl

from biblio.errors import InputFileError
from biblio.evidence import REASONS, WorkJudge, bare_doi
from biblio.query import Query
from biblio.reflist import read_reference_list
from biblio.settings import Settings

SCHEMA = {
    "row": pl.Int32, "doi": pl.Utf8, "found": pl.Boolean, "reason": pl.Utf8, "reasons": pl.Utf8,
    "work_id": pl.Utf8, "title": pl.Utf8, "publication_date": pl.Utf8, "list_date": pl.Utf8,
    "in_window": pl.Boolean, "funder_metadata": pl.Boolean, "dod_via": pl.Utf8, "dod_evidence": pl.Utf8, "agencies": pl.Utf8,
    "prc_via": pl.Utf8, "prc_evidence": pl.Utf8, "note": pl.Utf8,
}


@dataclass
class CoverageResult:
    """One row per reference-list row (``table``) and counts per outcome (``summary``)."""

    table: pl.DataFrame
    summary: pl.DataFrame
    query_name: str
    reference: str

    @property
    def n_total(self) -> int:
        return self.table.height

    @property
    def n_found(self) -> int:
        return int(self.table["found"].sum())


def records_by_doi(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Index OpenAlex records by bare DOI; of two copies the newest ``updated_date`` wins."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        d = bare_doi(r.get("doi"))
        if d and (d not in out or str(r.get("updated_date") or "") > str(out[d].get("updated_date") or "")):
            out[d] = r
    return out


def source_records(query: Query, dois: list[str], *, settings: Settings | None = None) -> dict[str, dict[str, Any]]:
    """The OpenAlex record of each DOI from the query's source: every record of a snapshot
    (not only matching ones), or single-record lookups (free) against live OpenAlex."""
    if query.source == "snapshot":
        from biblio.snapshot import read_records, snapshot_files

        files = snapshot_files(query.resolve_snapshot_paths())
        return records_by_doi(r for f in files for r in read_records(f))
    from biblio.openalex import works_by_doi

    return records_by_doi(works_by_doi(dois, settings=settings or Settings.from_env()))


def coverage(query: Query, against: str | Path, *, settings: Settings | None = None) -> CoverageResult:
    """Explain, for every DOI of the reference list ``against``, whether ``query`` finds it."""
    ref = read_reference_list(Path(against))
    if ref.height == 0:
        raise InputFileError(f"{against}: the reference list has no rows; give a CSV with one DOI per row")
    judge = WorkJudge.for_query(query)
    dois = list(dict.fromkeys(d for d in ref["doi"].to_list() if d))
    recs = source_records(query, dois, settings=settings)
    if query.crossref_api:  # the listed works' Crossref funder entries, one lookup each
        from biblio.crossref import entries_by_doi

        for d, rows in entries_by_doi(dois, settings=settings or Settings.from_env()).items():
            judge.crossref.setdefault(d, rows)
    rows = []
    for row, doi, ldate in zip(ref["row"].to_list(), ref["doi"].to_list(), ref["list_date"].to_list()):
        ex = judge.explain(recs.get(doi) if doi else None, doi=doi)
        if not doi:
            ex["reasons"] = ex["reason"] = "no record"
            ex["reasons"] = "no record (no DOI in the list)"
        rows.append({"row": row, **ex, "doi": doi, "list_date": ldate, "note": date_note(ex, ldate, query)})
    table = pl.DataFrame(rows, schema=SCHEMA)
    return CoverageResult(table=table, summary=summarize(table), query_name=query.name, reference=str(against))


def _list_date(text: str | None) -> tuple[str, str] | None:
    """A reference list's date as an ISO (from, to) range: '2023-06', '6/1/2023', '2024'."""
    t = (text or "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", t) or None
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
        if not m:
            return None
        mo, d, y = m.group(1), m.group(2), m.group(3)
    lo = f"{y}-{int(mo or 1):02d}-{int(d or 1):02d}"
    hi = f"{y}-{int(mo or 12):02d}-{int(d or (31 if not mo else 28)):02d}"
    return lo, hi


def date_note(ex: dict[str, Any], list_date: str | None, query: Query) -> str | None:
    """Why a date is outside the window while the list puts it inside (year-only or online-first)."""
    if ex.get("in_window") is not False:
        return None
    pub = ex.get("publication_date") or ""
    notes = []
    if pub.endswith("-01-01"):
        notes.append(f"OpenAlex date {pub} may stand for the year only")
    rng = _list_date(list_date)
    if rng and rng[1] >= query.date_from.isoformat() and rng[0] <= query.date_to.isoformat():
        notes.append(f"the list dates it {list_date} (inside the window); OpenAlex has {pub}, often the online-first date")
    return "; ".join(notes) or None


def summarize(table: pl.DataFrame) -> pl.DataFrame:
    """Counts: found, then each miss reason (first failing), with shares of the list.

    Columns: outcome, n, share (of all rows)."""
    n = max(table.height, 1)
    found = int(table["found"].sum())
    rows = [{"outcome": "found", "n": found}]
    for r in REASONS:
        rows.append({"outcome": f"missed: {r}", "n": table.filter(pl.col("reason") == r).height})
    out = pl.DataFrame(rows, schema={"outcome": pl.Utf8, "n": pl.Int64})
    return out.with_columns((pl.col("n") / n).round(3).alias("share"))


def found_breakdown(table: pl.DataFrame) -> pl.DataFrame:
    """Found rows by how the DoD evidence and the PRC co-author were established."""
    return (
        table.filter(pl.col("found"))
        .group_by("dod_via", "prc_via")
        .len("n")
        .sort("n", descending=True)
    )


def write_coverage(result: CoverageResult, out_csv: str | Path) -> Path:
    """Write the per-DOI table as CSV (and the summary beside it as ``*_summary.csv``)."""
    from biblio.safeio import write_csv

    p = Path(out_csv)
    p.parent.mkdir(parents=True, exist_ok=True)
    write_csv(result.table, p)  # formula-like cells neutralised (see biblio.safeio)
    write_csv(result.summary, p.with_name(p.stem + "_summary.csv"))
    return p


EVIDENCE_SCHEMA = {
    "work_id": pl.Utf8, "doi": pl.Utf8, "dod_via": pl.Utf8, "dod_evidence": pl.Utf8, "agencies": pl.Utf8,
    "prc_via": pl.Utf8, "prc_evidence": pl.Utf8, "is_synthetic": pl.Boolean,
}


def evidence_table(query: Query, records: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Why each kept work is in scope: its DoD evidence and PRC evidence, one row per work.

    For queries judged locally (Crossref entries, award prefixes, names, raw strings), this
    is the only place a work found through Crossref shows its DoD funder. Columns:
    work_id, doi, dod_via, dod_evidence, prc_via, prc_evidence, is_synthetic.
    """
    from biblio.fetchresult import is_synthetic_record

    judge = WorkJudge.for_query(query)
    rows = []
    for r in records:
        ex = judge.explain(r)
        rows.append({k: ex[k] for k in ("work_id", "doi", "dod_via", "dod_evidence", "agencies", "prc_via", "prc_evidence")} | {"is_synthetic": is_synthetic_record(r)})
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA).unique("work_id", keep="first", maintain_order=True)


def write_evidence(tables_dir: str | Path, query: Query, fetched: Any) -> Path | None:
    """Write ``evidence.{csv,parquet}`` beside a run's tables (records from ``fetched``,
    or, for a streamed snapshot scan, re-read from the snapshot). None when nothing is kept."""
    records: Iterable[dict[str, Any]] = (r for b in fetched.batches() for r in b)
    df = evidence_table(query, records)
    if df.height == 0 and fetched.n_records and query.source == "snapshot":
        judge = WorkJudge.for_query(query)
        df = evidence_table(query, (r for r in source_records(query, []).values() if judge.matches(r)))
    if df.height == 0:
        return None
    d = Path(tables_dir)
    d.mkdir(parents=True, exist_ok=True)
    from biblio.safeio import write_csv

    df.write_parquet(d / "evidence.parquet")
    write_csv(df, d / "evidence.csv")  # formula-like cells neutralised (see biblio.safeio)
    return d / "evidence.csv"
