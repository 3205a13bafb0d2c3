"""Continuous monitoring: what is new since an earlier vetting run.

New items are new works resolved to a person, new facts on known works, and entities newly
listed (a fact whose entity was not on the list in force at the last run and is now). A
scheduled job acts on the exit code of ``biblio vet … --since RUN_DIR`` (0: nothing new,
3: new items; see the README).

Example:
    >>> news = new_since("outputs/vet-demo/20260101T000000Z", result)    # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from biblio.errors import InputFileError

FACT_KEY = ["person_key", "fact", "work_id", "author_index", "list_key", "entity_key", "funder_id"]


def _read(run_dir: Path, name: str) -> pl.DataFrame:
    p = run_dir / f"{name}.parquet"
    if not p.is_file():
        raise InputFileError(f"{run_dir}: not a vetting run folder ({p.name} missing); pass --since the folder of an earlier `biblio vet` run")
    try:
        return pl.read_parquet(p)
    except Exception as e:  # noqa: BLE001 - any unreadable Parquet is the same user-facing problem
        raise InputFileError(f"{p}: unreadable ({type(e).__name__}); pass --since a complete earlier run folder") from None


def new_since(run_dir: str | Path, result: Any) -> pl.DataFrame:
    """Facts in ``result`` that are new since the run in ``run_dir``, with a ``change`` column."""
    d = Path(run_dir)
    if not d.is_dir():
        raise InputFileError(f"{d}: --since run folder not found; pass the folder of an earlier `biblio vet` run")
    old_facts, old_works = _read(d, "facts"), _read(d, "works")
    facts = result.facts
    if old_facts.height == 0:
        old_facts = pl.DataFrame(schema=facts.select(FACT_KEY + ["listed_now"]).schema)
    old = old_facts.select(*FACT_KEY, pl.col("listed_now").alias("_was_listed"))
    seen_works = old_works.select("person_key", "work_id").unique().with_columns(pl.lit(True).alias("_known_work"))
    j = facts.join(old, on=FACT_KEY, how="left", nulls_equal=True).join(seen_works, on=["person_key", "work_id"], how="left")
    change = (pl.when(pl.col("_known_work").is_null()).then(pl.lit("new work"))
              .when(pl.col("_was_listed").is_null() & ~pl.col("_known_key")).then(pl.lit("new fact"))
              .when(pl.col("listed_now").fill_null(False) & ~pl.col("_was_listed").fill_null(True)).then(pl.lit("newly listed"))
              .otherwise(None))
    keyed = facts.select(FACT_KEY).join(old.select(FACT_KEY).with_columns(pl.lit(True).alias("_known_key")), on=FACT_KEY, how="left", nulls_equal=True)
    j = j.with_columns(keyed["_known_key"].fill_null(False).alias("_known_key"))
    out = j.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())
    return out.drop("_was_listed", "_known_work", "_known_key").select("change", *facts.columns)
