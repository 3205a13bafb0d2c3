"""Money: award amounts from award records, each award counted once.

Award records (the OpenAlex ``/awards`` entity: amount, currency, funder, dates) are a
stage table, ``tables/award_records.parquet``, with :data:`AWARD_RECORD_SCHEMA`. An award is
identified by its normalised award number (``FA9550-23-1-0101`` = ``FA9550231 0101``), so
an award cited by ten papers counts once, and the same award filed under two DoD funders
(OpenAlex files some CDMRP awards under both DoD and CDMRP) counts once.

Example:
    >>> recs = read_award_records(["biblio/data/synthetic_awards"])   # doctest: +SKIP
    >>> awards = award_table(tables, recs)                             # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any, Iterable

import polars as pl

from biblio.errors import InputFileError

AWARD_RECORD_SCHEMA: dict[str, Any] = {
    "award_id": pl.Utf8,  # G…
    "funder_award_id": pl.Utf8,  # the award number as the funder writes it
    "funder_id": pl.Utf8,  # F…
    "funder_name": pl.Utf8,
    "amount": pl.Float64,
    "currency": pl.Utf8,  # ISO 4217, e.g. USD
    "start_date": pl.Date,
    "end_date": pl.Date,
    "synthetic": pl.Boolean,
}

AWARD_SCHEMA: dict[str, Any] = {
    "award_key": pl.Utf8,
    "award_number": pl.Utf8,
    "agency": pl.Utf8,
    "funders": pl.Utf8,
    "papers": pl.Int64,
    "amount": pl.Float64,
    "currency": pl.Utf8,
    "amount_usd": pl.Float64,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "records": pl.Int64,
    "synthetic": pl.Boolean,
}


# A DoD contract/grant number: a six-character DoDAAC office code (N00014, FA9550, W911NF,
# HR0011, HDTRA1, HT9425 …), a two-digit fiscal year, a type character and a serial.
DOD_NUMBER = r"(?:FA\d{4}|N\d{5}|W\d{3}[A-Z0-9]{2}|HR\d{4}|HDTRA\d|HT\d{4}|HQ\d{4}|H\d{5})\d{2}[A-Z0-9]\d{4}"


def award_key(col: str | pl.Expr) -> pl.Expr:
    """The normalised award number: upper-case without spaces, dashes, dots or slashes; the
    DoD number inside a longer string where there is one ('AF AFOSR-FA9550-23-1-0503' →
    'FA95502310503')."""
    e = pl.col(col) if isinstance(col, str) else col
    clean = e.str.to_uppercase().str.replace_all(r"[\s\p{Pd}\./_,;:()]", "")
    return pl.coalesce(clean.str.extract(f"({DOD_NUMBER})", 1), clean)


def sum_or_null(col: str) -> pl.Expr:
    """Sum of a column, null (unknown) rather than 0 when no value is known."""
    return pl.when(pl.col(col).is_not_null().any()).then(pl.col(col).sum()).otherwise(None).alias(col)


def empty_award_records() -> pl.DataFrame:
    return pl.DataFrame(schema=AWARD_RECORD_SCHEMA)


def _short(x: Any) -> str | None:
    return x.rstrip("/").rsplit("/", 1)[-1] if isinstance(x, str) and x else None


def _date(x: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(x)[:10]) if x else None
    except ValueError:
        return None


def award_records_from_json(records: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Award-entity JSON (OpenAlex ``/awards`` shape) → :data:`AWARD_RECORD_SCHEMA` rows."""
    rows = []
    for r in records:
        f = r.get("funder") or {}
        amount = r.get("amount")
        rows.append(
            {
                "award_id": _short(r.get("id")),
                "funder_award_id": r.get("funder_award_id"),
                "funder_id": _short(f.get("id") if isinstance(f, dict) else f) or _short(r.get("funder_id")),
                "funder_name": (f.get("display_name") if isinstance(f, dict) else None) or r.get("funder_display_name"),
                "amount": float(amount) if isinstance(amount, (int, float)) else None,
                "currency": (r.get("currency") or None) and str(r["currency"]).upper(),
                "start_date": _date(r.get("start_date")),
                "end_date": _date(r.get("end_date")),
                "synthetic": bool(r.get("biblio_synthetic")) or str(r.get("display_name", "")).startswith("[SYNTHETIC]"),
            }
        )
    return pl.DataFrame(rows, schema=AWARD_RECORD_SCHEMA)


def read_award_records(paths: Iterable[str | Path]) -> pl.DataFrame:
    """Read award records from ``.json``/``.jsonl`` (optionally ``.gz``) files or folders."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(x for x in p.iterdir() if x.name.endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz")))
        elif p.exists():
            files.append(p)
        else:
            raise InputFileError(f"{p}: award records not found; fix [source] awards in the query file")
    recs: list[dict[str, Any]] = []
    for f in files:
        opener = gzip.open if f.name.endswith(".gz") else open
        try:
            with opener(f, "rt", encoding="utf-8") as fh:
                text = fh.read()
            if f.name.endswith((".jsonl", ".jsonl.gz")):
                recs += [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                d = json.loads(text)
                recs += d.get("results", [d]) if isinstance(d, dict) else list(d)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
            raise InputFileError(f"{f}: not valid award JSON ({type(e).__name__}); fix or remove the file") from None
    return award_records_from_json(recs)


def dod_award_numbers(awards: pl.DataFrame) -> pl.DataFrame:
    """DoD award numbers cited by papers: ``work_id, award_key, award_number, agency, funder_name``."""
    return (
        awards.filter(pl.col("is_dod") & pl.col("award_number").is_not_null() & (pl.col("award_number").str.strip_chars() != ""))
        .select("work_id", award_key("award_number").alias("award_key"), "award_number", "agency", "funder_name")
        .filter(pl.col("award_key") != "")
    )


def award_table(tables: Any, award_records: pl.DataFrame | None, *, cited: pl.DataFrame | pl.LazyFrame | None = None) -> pl.DataFrame | pl.LazyFrame:
    """One row per distinct DoD award cited by a paper in scope, with its amount if known.

    The agency is the most specific one named (a sub-agency wins over the umbrella "DoD").
    Several award records for one award number (two DoD funders) count once: the largest
    USD amount is kept and ``records`` says how many there were. ``cited``: the
    :func:`dod_award_numbers` of ``tables.awards`` when already computed. Lazy ``cited`` (or
    lazy ``tables.awards``) in, a lazy plan out.

    Example:
        >>> award_table(tables, recs).filter(pl.col("amount_usd").is_not_null())   # doctest: +SKIP
    """
    cited = dod_award_numbers(tables.awards) if cited is None else cited
    lazy = isinstance(cited, pl.LazyFrame)
    works = getattr(tables, "works", None)
    syn_works = works.lazy().filter(pl.col("is_synthetic")).select("work_id").unique() if works is not None else pl.LazyFrame(schema={"work_id": pl.Utf8})
    cited = cited.lazy().join(syn_works.with_columns(pl.lit(True).alias("_syn_work")), on="work_id", how="left", maintain_order="left")
    cited = cited.with_columns(pl.col("_syn_work").fill_null(False))
    per = cited.group_by("award_key").agg(
        pl.col("award_number").mode().sort().first(),
        pl.col("agency").filter(pl.col("agency") != "DoD").mode().sort().first().alias("_a"),
        pl.col("agency").mode().sort().first().alias("_a0"),
        pl.col("funder_name").drop_nulls().unique().sort().str.join("; ").alias("funders"),
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"),
        pl.col("_syn_work").all().alias("_syn_work"),
    )
    recs = award_records if award_records is not None and award_records.height else empty_award_records()
    r = (
        recs.lazy().filter(pl.col("funder_award_id").is_not_null())
        .with_columns(award_key("funder_award_id").alias("award_key"), (pl.col("currency").fill_null("USD") == "USD").alias("_usd"))
        .group_by("award_key")
        .agg(
            pl.col("amount").filter(pl.col("_usd")).max().alias("amount_usd"),
            pl.col("amount").max().alias("amount"),
            pl.col("currency").drop_nulls().first(),
            pl.col("start_date").min(),
            pl.col("end_date").max(),
            pl.len().cast(pl.Int64).alias("records"),
            pl.col("synthetic").any(),
        )
    )
    out = per.join(r, on="award_key", how="left", maintain_order="left").with_columns(
        pl.coalesce("_a", "_a0").alias("agency"),
        pl.col("records").fill_null(0),
        (pl.col("synthetic").fill_null(False) | pl.col("_syn_work")).alias("synthetic"),
    )
    out = out.select(list(AWARD_SCHEMA)).cast(AWARD_SCHEMA).sort("amount_usd", "award_key", descending=[True, False], nulls_last=True)
    return out if lazy else out.collect()


def money_by(awards: pl.DataFrame, work_award: pl.DataFrame, groups: pl.DataFrame, by: str) -> pl.DataFrame:
    """Sum of distinct award amounts per group (``groups``: ``work_id, <by>``).

    An award counts once per group however many of the group's papers cite it; groups
    overlap (a paper with two partners counts for both), so the rows do not add up to the total.
    """
    wa = work_award.select("work_id", "award_key").unique().join(groups.select("work_id", by).unique(), on="work_id", maintain_order="left")
    g = wa.select(by, "award_key").unique().join(awards.select("award_key", "amount_usd", "synthetic"), on="award_key", how="left", maintain_order="left")
    return (
        g.group_by(by)
        .agg(
            pl.col("award_key").n_unique().cast(pl.Int64).alias("awards"),
            pl.col("amount_usd").is_not_null().sum().cast(pl.Int64).alias("awards_with_amount"),
            sum_or_null("amount_usd"),
            pl.col("synthetic").any().alias("synthetic_amounts"),
        )
        .with_columns((pl.col("awards_with_amount") / pl.col("awards")).alias("amount_coverage"))
        .sort("amount_usd", by, descending=[True, False], nulls_last=True)
    )
