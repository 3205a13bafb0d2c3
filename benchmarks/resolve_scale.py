"""Resolver at scale: 1M SYNTHETIC authorship-institution rows (~50k distinct institutions).

    python benchmarks/resolve_scale.py [ROWS] [DISTINCT]     # default: 1000000 50000

Prints seconds and peak memory (ru_maxrss growth during resolve), and the ratio against a
naive baseline measured in the same run: rapidfuzz ``process.extractOne(s, all_list_names,
scorer=fuzz.WRatio)`` per distinct string (names and raw strings), timed on a sample and
extrapolated. The sample is the first 300 names in sorted order (as since the first version:
short names, so the cheapest strings for the baseline); a second line times the baseline on a
seeded random sample of the very strings it is extrapolated to (names and raw strings in
proportion), which is the fairer but larger figure. Both are timed in wall seconds and in CPU seconds of this process (all threads:
polars may use several cores, the baseline one); on a shared machine the CPU ratio is the
steadier one. The 1-minute load average is printed beside each figure.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from _synth import institution_pool, machine  # noqa: E402

from biblio.lists import load_lists  # noqa: E402
from biblio.resolve import resolve  # noqa: E402
from biblio.tables import SCHEMAS, WorksTables  # noqa: E402


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(rows: int, distinct: int) -> WorksTables:
    pool = institution_pool(distinct, seed=1)
    rnd = random.Random(2)
    pick = [rnd.randrange(distinct) for _ in range(rows)]
    per_work = 10
    n_works = rows // per_work
    ids = pl.Series([pool[i][0] for i in pick])
    names = pl.Series([pool[i][1] for i in pick])
    raws = pl.Series([pool[i][2] for i in pick])
    work_ids = pl.Series([f"W9{i // per_work:09d}" for i in range(rows)])
    idx = pl.Series([i % per_work for i in range(rows)], dtype=pl.Int32)
    ai = pl.DataFrame({
        "work_id": work_ids, "author_index": idx, "author_id": pl.Series([f"A9{i:010d}" for i in range(rows)]),
        "institution_id": ids, "ror": pl.Series([None] * rows, dtype=pl.Utf8), "institution_name": names, "country_code": pl.Series(["CN"] * rows),
        "institution_type": pl.Series(["education"] * rows),
    }).with_columns(pl.concat_list("institution_id").alias("lineage"), pl.concat_list(raws.alias("r")).alias("raw_affiliation_strings")).select(list(SCHEMAS["authorship_institutions"]))
    au = ai.select(
        "work_id", "author_index", pl.lit("middle").alias("author_position"), "author_id", pl.col("author_id").alias("author_name"),
        pl.lit(None, pl.Utf8).alias("orcid"), pl.lit(False).alias("is_corresponding"), "raw_affiliation_strings",
        pl.concat_list(pl.lit("CN")).alias("countries"), pl.lit(1, pl.Int32).alias("n_institutions"),
    ).cast(dict(SCHEMAS["authorships"]))
    works = pl.DataFrame({"work_id": [f"W9{i:09d}" for i in range(n_works)]}).with_columns(
        pl.lit(None, pl.Utf8).alias("doi"), pl.lit("[SYNTHETIC]").alias("title"),
        (pl.lit(dt.date(2023, 6, 1)) + pl.duration(days=pl.int_range(0, n_works) % 700)).alias("publication_date"),
    ).with_columns(pl.col("publication_date").dt.year().cast(pl.Int32).alias("year"), *(pl.lit(None, pl.Utf8).alias(c) for c in ("type", "primary_topic", "primary_subfield", "primary_field", "primary_domain")),
                   pl.lit([], pl.List(pl.Utf8)).alias("topics"), pl.lit([], pl.List(pl.Utf8)).alias("keywords"), pl.lit(0, pl.Int64).alias("cited_by_count"),
                   pl.lit("current").alias("funding_schema"), pl.lit(True).alias("is_synthetic")).select(list(SCHEMAS["works"]))
    empty = {k: pl.DataFrame(schema=SCHEMAS[k]) for k in ("funders", "awards")}
    return WorksTables(works=works, authorships=au, authorship_institutions=ai, **empty)


def baseline_per_string(sample: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds per string of the naive baseline."""
    from rapidfuzz import fuzz, process

    names = load_lists().entities["name"].to_list()
    t0, c0 = time.perf_counter(), time.process_time()
    for s in sample:
        process.extractOne(s, names, scorer=fuzz.WRatio)
    return (time.perf_counter() - t0) / len(sample), (time.process_time() - c0) / len(sample)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    distinct = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    print(f"machine: {machine()}")
    load_lists()
    tables = build(rows, distinct)
    ai = tables.authorship_institutions
    n_strings = ai["institution_name"].n_unique() + ai["raw_affiliation_strings"].list.first().n_unique()
    print(f"input: {ai.height:,} SYNTHETIC authorship-institution rows, {ai['institution_id'].n_unique():,} distinct institutions, {n_strings:,} distinct strings (names + raw)")
    base = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    res = resolve(tables, scope="cn", as_of=dt.date(2026, 11, 1))
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = rss_mb() - base
    print(f"biblio resolve: {secs:.1f} s wall, {cpu:.1f} s CPU ({ai.height / secs:,.0f} rows/s), peak memory +{peak:,.0f} MB, "
          f"{res.flags.height:,} flags on {res.flags['work_id'].n_unique():,} works ({load()})")
    sample = ai["institution_name"].unique().sort().head(300).to_list()
    per, per_cpu = baseline_per_string(sample)
    est, est_cpu = per * n_strings, per_cpu * n_strings
    print(f"naive baseline (rapidfuzz WRatio extractOne over {load_lists().entities.height:,} list names): {per * 1000:.1f} ms wall, "
          f"{per_cpu * 1000:.1f} ms CPU per string on a {len(sample)}-string sample -> {est:,.0f} s wall, {est_cpu:,.0f} s CPU "
          f"estimated for {n_strings:,} strings ({load()})")
    print(f"speed-up over the naive baseline: {est / secs:.0f}x wall, {est_cpu / cpu:.0f}x CPU (goals: < 30 s and >= 20x)")
    names, raws = ai["institution_name"].unique().sort().to_list(), ai["raw_affiliation_strings"].list.first().unique().sort().to_list()
    k = round(300 * len(names) / n_strings)
    rnd = random.Random(5)
    per, per_cpu = baseline_per_string(rnd.sample(names, k) + rnd.sample(raws, 300 - k))
    print(f"same baseline on a random sample of the strings it stands for ({k} names, {300 - k} raw strings): {per * 1000:.1f} ms wall, "
          f"{per_cpu * 1000:.1f} ms CPU per string -> {per * n_strings / secs:.0f}x wall, {per_cpu * n_strings / cpu:.0f}x CPU ({load()})")

if __name__ == "__main__":
    main()
