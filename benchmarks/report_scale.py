"""Report at scale: build time and HTML size for 1,000 / 20,000 / 100,000 flagged SYNTHETIC works,
and how fast the page opens and filters in headless Chromium.

    python benchmarks/report_scale.py                 # 1000 20000 100000, browser at 20000
    python benchmarks/report_scale.py 20000 --browser 20000

Builds typed frames directly (vectorised, all SYNTHETIC: 10 PRC authorships and one U.S.
authorship per work, DoD funders and award numbers, award records with amounts for half the
awards), resolves them (not timed), keeps the flagged works, then times the report stage:
every report table (CSV + Parquet), the XLSX workbook, six plots (PNG + SVG) and report.html.
The browser figures come from Chromium driven by Selenium (Debian's chromium-driver): "open"
is navigation start to the page's script having drawn every table; "filter" is typing a
partner name into the evidence search box until the rows are redrawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from _synth import machine  # noqa: E402
from resolve_scale import build  # noqa: E402

from biblio.fetchresult import FetchResult  # noqa: E402
from biblio.lists import load_lists  # noqa: E402
from biblio.query import load_query  # noqa: E402
from biblio.report.money import award_records_from_json  # noqa: E402
from biblio.report.run import _write_report, build_manifest  # noqa: E402
from biblio.resolve import resolve  # noqa: E402
from biblio.tables import SCHEMAS, WorksTables  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
AGENCIES = [("F4320338279", "AFOSR", "FA9550"), ("F4320337345", "ONR", "N00014"), ("F4320338281", "ARO", "W911NF"), ("F4320306078", "DoD", "HR0011")]
US = [("I63966007", "Massachusetts Institute of Technology", "042nb2s44"), ("I27837315", "University of Michigan", "00jmfr291"), ("I97018004", "Stanford University", "00f54p054")]


def _funding(works: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    w = works.select("work_id").with_row_index("i")
    funders = w.select("work_id", pl.col("i").mod(4).alias("k")).with_columns(
        pl.col("k").replace_strict({i: a[0] for i, a in enumerate(AGENCIES)}, return_dtype=pl.Utf8).alias("funder_id"),
        pl.lit("funder").alias("funder_name"), pl.lit(None, pl.Utf8).alias("funder_ror"), pl.lit("current").alias("schema"), pl.lit(True).alias("is_dod"),
        pl.col("k").replace_strict({i: a[1] for i, a in enumerate(AGENCIES)}, return_dtype=pl.Utf8).alias("agency"), pl.lit("funder_id").alias("agency_source"),
    ).select(list(SCHEMAS["funders"]))
    awards = funders.join(w, on="work_id").with_columns(
        pl.lit(None, pl.Utf8).alias("award_id"),
        pl.concat_str([pl.col("agency").replace_strict({a[1]: a[2] for a in AGENCIES}, return_dtype=pl.Utf8), pl.lit("-23-1-"), (pl.col("i") // 3).cast(pl.Utf8).str.zfill(5)]).alias("award_number"),
        pl.lit(None, pl.Utf8).alias("award_doi"),
    ).select(list(SCHEMAS["awards"]))
    keys = awards.unique("award_number").sort("award_number")
    recs = award_records_from_json(
        {"id": f"G9{j}", "funder_award_id": n, "funder": {"id": f}, "amount": 100_000 + (j * 7919) % 900_000, "currency": "USD", "biblio_synthetic": True}
        for j, (n, f) in enumerate(zip(keys["award_number"], keys["funder_id"])) if j % 2 == 0
    )
    return funders, awards, recs


def _with_us(t: WorksTables) -> WorksTables:
    w = t.works.select("work_id").with_row_index("i")
    us = w.with_columns(pl.lit(10, pl.Int32).alias("author_index"), (pl.lit("A8") + pl.col("i").mod(5000).cast(pl.Utf8)).alias("author_id"),
                        pl.col("i").mod(len(US)).alias("k"))
    ai = us.with_columns(
        pl.col("k").replace_strict({i: u[0] for i, u in enumerate(US)}, return_dtype=pl.Utf8).alias("institution_id"),
        pl.col("k").replace_strict({i: u[2] for i, u in enumerate(US)}, return_dtype=pl.Utf8).alias("ror"),
        pl.col("k").replace_strict({i: u[1] for i, u in enumerate(US)}, return_dtype=pl.Utf8).alias("institution_name"),
        pl.lit("US").alias("country_code"), pl.lit("education").alias("institution_type"),
    ).with_columns(pl.concat_list("institution_id").alias("lineage"), pl.concat_list("institution_name").alias("raw_affiliation_strings")).select(list(SCHEMAS["authorship_institutions"]))
    au = ai.select("work_id", "author_index", pl.lit("last").alias("author_position"), "author_id", pl.col("author_id").alias("author_name"), pl.lit(None, pl.Utf8).alias("orcid"),
                   pl.lit(False).alias("is_corresponding"), "raw_affiliation_strings", pl.concat_list(pl.lit("US")).alias("countries"), pl.lit(1, pl.Int32).alias("n_institutions")).cast(dict(SCHEMAS["authorships"]))
    works = t.works.with_columns(pl.concat_str([pl.lit("10.5555/bench-"), pl.col("work_id")]).alias("doi"), pl.concat_str([pl.lit("[SYNTHETIC] benchmark paper "), pl.col("work_id")]).alias("title"))
    return WorksTables(works=works, authorships=pl.concat([t.authorships, au]), authorship_institutions=pl.concat([t.authorship_institutions, ai]), funders=t.funders, awards=t.awards)


def make(n_flagged: int) -> tuple[WorksTables, object, pl.DataFrame]:
    """SYNTHETIC tables with about ``n_flagged`` flagged works (only flagged works kept)."""
    n_works = int(n_flagged * 4) + 200  # about a quarter of the generated works get a flag
    t = build(n_works * 10, 50_000)
    res = resolve(t, scope="cn", as_of=dt.date(2026, 11, 1))
    keep = res.flags["work_id"].unique().sort().head(n_flagged)
    sel = lambda df: df.filter(pl.col("work_id").is_in(keep.implode()))  # noqa: E731
    t = WorksTables(works=sel(t.works), authorships=sel(t.authorships), authorship_institutions=sel(t.authorship_institutions), funders=t.funders, awards=t.awards)
    funders, awards, recs = _funding(t.works)
    t = _with_us(WorksTables(works=t.works, authorships=t.authorships, authorship_institutions=t.authorship_institutions, funders=funders, awards=awards))
    res = type(res)(flags=sel(res.flags), affiliations=sel(res.affiliations))
    return t, res, recs


def build_report(n: int, out: Path) -> tuple[float, float, float, int]:
    t, res, recs = make(n)
    q = load_query(REPO / "queries" / "synthetic.toml")
    frames = {**t.frames(), "flags": res.flags, "affiliations": res.affiliations, "award_records": recs}
    eds = load_lists().editions
    rd = out / f"run{n}"
    rd.mkdir(parents=True)
    fr = FetchResult(records=[], source="synthetic benchmark", data_date="2026-11-01", n_synthetic=t.works.height)
    t0, c0 = time.perf_counter(), time.process_time()
    manifest = build_manifest(run_dir=rd, query=q, fetch_result=fr, frames=frames, timings={}, settings={}, editions=eds)
    _write_report(rd, frames, manifest, eds)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return secs, cpu, (rd / "report.html").stat().st_size / 1e6, res.flags["work_id"].n_unique()


def browser(html: Path, term: str) -> tuple[float, float, float]:
    """(open, draw the evidence table, filter) in seconds, in headless Chromium."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_browser import new_driver

    d = new_driver()
    vis = "return document.getElementById('evidence-table').dataset.visible"
    try:
        d.get(html.as_uri())
        while d.execute_script("return document.documentElement.dataset.ready") != "1":
            time.sleep(0.01)
        nav = d.execute_script("return performance.now()") / 1000
        t0 = time.perf_counter()
        d.execute_script("document.getElementById('evidence-table').scrollIntoView()")
        while d.execute_script(vis) is None:
            time.sleep(0.005)
        drawn = time.perf_counter() - t0
        total = d.execute_script(vis)
        t0 = time.perf_counter()  # the whole term arrives at once, as from a paste; then the redraw
        d.execute_script("var b = document.querySelector('#evidence-table input.dt-search'); b.value = arguments[0]; b.dispatchEvent(new Event('input'));", term)
        while d.execute_script(vis) == total:
            time.sleep(0.005)
        filtered = time.perf_counter() - t0
        print(f"    browser: page ready {nav:.2f} s after navigation start; evidence table ({total} papers) drawn {drawn:.2f} s after scrolling to it; "
              f"filter {term!r}: {filtered:.2f} s to redraw ({total} → {d.execute_script(vis)} rows, including a 60 ms typing debounce)")
        return nav, drawn, filtered
    finally:
        d.quit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 20_000, 100_000])
    ap.add_argument("--browser", type=int, default=20_000, help="run the Chromium check at this size (0: never)")
    a = ap.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.sizes:
            secs, cpu, mb, got = build_report(n, Path(tmp))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{got:,} flagged SYNTHETIC works: report stage (18 tables CSV+Parquet, XLSX, 6 plots PNG+SVG, HTML) {secs:.1f} s wall, {cpu:.1f} s CPU; report.html {mb:.1f} MB; process peak RSS {peak:,.0f} MB")
            if n == a.browser and shutil.which("chromedriver"):
                ev = pl.read_parquet(Path(tmp) / f"run{n}" / "report" / "evidence_flags.parquet")
                term = ev.group_by("partner_name").len().sort("len")["partner_name"][ev["partner_name"].n_unique() // 2]
                nav, drawn, filt = browser(Path(tmp) / f"run{n}" / "report.html", term)
                tot = nav + drawn + filt
                print(f"    goal: open and filter in under 2 s at 20,000 works: {'met' if tot < 2 else 'NOT met'} ({tot:.2f} s: open + draw the evidence + filter)")
            shutil.rmtree(Path(tmp) / f"run{n}")


if __name__ == "__main__":
    main()
