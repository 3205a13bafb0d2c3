"""Report at scale: tables, plots, XLSX and HTML for 100k SYNTHETIC works (1M authorships).

    python benchmarks/report_scale.py [WORKS]        # default: 100000

Builds typed frames directly (vectorised, all SYNTHETIC), resolves them (not timed), then
times the report stage: every report table (CSV + Parquet), the XLSX workbook, five plots
(PNG + SVG) and report.html. Memory is the whole process's peak RSS (ru_maxrss), an upper
bound that includes generating and resolving the input.
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from _synth import machine  # noqa: E402
from resolve_scale import build  # noqa: E402

from biblio.report.run import _write_report, build_manifest  # noqa: E402
from biblio.fetchresult import FetchResult  # noqa: E402
from biblio.lists import load_lists  # noqa: E402
from biblio.query import load_query  # noqa: E402
from biblio.resolve import resolve  # noqa: E402
from biblio.tables import SCHEMAS, WorksTables  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    n_works = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"machine: {machine()}")
    t = build(n_works * 10, 50_000)
    agencies = [("F4320338279", "AFOSR", "FA9550"), ("F4320337345", "ONR", "N00014"), ("F4320338281", "ARO", "W911NF"), ("F4320306078", "DoD", "HR0011")]
    w = t.works.select("work_id").with_row_index("i")
    funders = w.select(
        "work_id", pl.col("i").mod(4).alias("k")
    ).with_columns(
        pl.col("k").replace_strict({i: a[0] for i, a in enumerate(agencies)}, return_dtype=pl.Utf8).alias("funder_id"),
        pl.lit("funder").alias("funder_name"), pl.lit(None, pl.Utf8).alias("funder_ror"), pl.lit("current").alias("schema"), pl.lit(True).alias("is_dod"),
        pl.col("k").replace_strict({i: a[1] for i, a in enumerate(agencies)}, return_dtype=pl.Utf8).alias("agency"), pl.lit("funder_id").alias("agency_source"),
    ).select(list(SCHEMAS["funders"]))
    awards = funders.with_columns(
        pl.lit(None, pl.Utf8).alias("award_id"), pl.concat_str([pl.col("agency"), pl.lit("-23-1-"), pl.col("work_id").str.slice(-4)]).alias("award_number"),
        pl.lit(None, pl.Utf8).alias("award_doi"),
    ).select(list(SCHEMAS["awards"]))
    tables = WorksTables(works=t.works, authorships=t.authorships, authorship_institutions=t.authorship_institutions, funders=funders, awards=awards)
    res = resolve(tables, scope="cn", as_of=dt.date(2026, 11, 1))
    q = load_query(REPO / "queries" / "demo.toml")
    frames = {**tables.frames(), "flags": res.flags, "affiliations": res.affiliations}
    print(f"input: {tables.works.height:,} SYNTHETIC works, {tables.authorships.height:,} authorships, {res.flags.height:,} flags on {res.flags['work_id'].n_unique():,} works")
    eds = load_lists().editions
    with tempfile.TemporaryDirectory() as tmp:
        rd = Path(tmp) / "run"
        rd.mkdir()
        fr = FetchResult(records=[], source="synthetic benchmark", data_date="2026-11-01", n_synthetic=tables.works.height)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        manifest = build_manifest(run_dir=rd, query=q, fetch_result=fr, frames=frames, timings={}, settings={}, editions=eds)
        _write_report(rd, frames, manifest, eds)
        secs = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = (rd / "report.html").stat().st_size / 1e6
    print(
        f"report stage (tables CSV+Parquet, XLSX, 5 plots PNG+SVG, HTML {size:.1f} MB): {secs:.1f} s; "
        f"process peak RSS {peak:,.0f} MB (an upper bound: includes building the input and resolving it; {base:,.0f} MB before the report stage) "
        "(goals: < 30 s, < 4 GB)"
    )


if __name__ == "__main__":
    main()
