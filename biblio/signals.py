"""Signals beyond list membership: PRC state co-funding and dual affiliation.

Both take plain frames (the stage tables), so a notebook or another stage can use them.

- ``prc_state_funding``: which papers also acknowledge a PRC state funder (NSFC, the
  National Key R&D Program, MOST, CAS programmes, the China Scholarship Council,
  provincial foundations, …), from ``biblio/data/prc_funders.csv`` (funder IDs seen in
  real OpenAlex records, plus name rules for funders known only by name).
- ``dual_affiliation``: authorships that hold a non-PRC institution *and* a listed PRC one
  on the same paper (the pattern the House committee found by hand).

Example:
    >>> import polars as pl
    >>> f = pl.DataFrame({"work_id": ["W1", "W1"], "funder_id": ["F4320321001", "F4320306078"],
    ...                   "funder_name": ["National Natural Science Foundation of China", "U.S. Department of Defense"]})
    >>> prc_state_funding(f)["prc_family"].to_list()
    ['NSFC']
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

from biblio.errors import InputFileError

PRC_FUNDERS_FILE = Path(__file__).resolve().parent / "data" / "prc_funders.csv"
PRC_CODES = ("CN", "HK", "MO")

PRC_FUNDING_SCHEMA = {
    "work_id": pl.Utf8,
    "funder_id": pl.Utf8,
    "funder_name": pl.Utf8,
    "prc_family": pl.Utf8,
    "prc_level": pl.Utf8,
    "matched_by": pl.Utf8,
}
DUAL_SCHEMA = {
    "work_id": pl.Utf8,
    "author_index": pl.Int32,
    "author_name": pl.Utf8,
    "non_prc_institutions": pl.Utf8,
    "non_prc_countries": pl.Utf8,
    "listed_prc_entities": pl.Utf8,
    "lists": pl.Utf8,
    "listed_at_publication": pl.Boolean,
}


@functools.lru_cache(maxsize=4)
def load_prc_funders(path: str | None = None) -> pl.DataFrame:
    """The PRC state funder table: ``funder_id, pattern, name, family, level, ror, source``."""
    p = Path(path) if path else PRC_FUNDERS_FILE
    try:
        df = pl.read_csv(p, infer_schema=False)
    except (OSError, pl.exceptions.ComputeError) as e:
        raise InputFileError(f"{p}: cannot read the PRC funder table ({type(e).__name__}); restore it from git") from None
    missing = {"funder_id", "pattern", "family", "level"} - set(df.columns)
    if missing:
        raise InputFileError(f"{p}: missing column(s) {sorted(missing)}; rebuild with scripts/build_prc_funders.py")
    for rx in df["pattern"].drop_nulls():
        try:
            re.compile(rx)
        except re.error as e:
            raise InputFileError(f"{p}: pattern {rx[:40]!r}…: not a valid regex ({e}); fix the pattern") from None
    return df


def prc_state_funding(funding_df: pl.DataFrame | pl.LazyFrame, *, table: pl.DataFrame | None = None) -> pl.DataFrame | pl.LazyFrame:
    """Rows of ``funding_df`` (``work_id, funder_id, funder_name``) that are PRC state funders.

    A funder matches by OpenAlex ID first, else by the name rules. One row per work × funder.
    Lazy in (e.g. a scan of ``funders.parquet``), lazy out.
    """
    t = table if table is not None else load_prc_funders()
    if isinstance(funding_df, pl.DataFrame):
        return pl.DataFrame(schema=PRC_FUNDING_SCHEMA) if funding_df.height == 0 else prc_state_funding(funding_df.lazy(), table=t).collect()
    cols = funding_df.collect_schema().names()
    f = funding_df.select(
        pl.col("work_id").cast(pl.Utf8),
        (pl.col("funder_id") if "funder_id" in cols else pl.lit(None)).cast(pl.Utf8).alias("funder_id"),
        (pl.col("funder_name") if "funder_name" in cols else pl.lit(None)).cast(pl.Utf8).alias("funder_name"),
    ).unique()
    ids = t.lazy().filter(pl.col("funder_id").is_not_null()).select("funder_id", pl.col("family").alias("prc_family"), pl.col("level").alias("prc_level"))
    by_id = f.join(ids, on="funder_id", how="inner", maintain_order="left").with_columns(pl.lit("funder_id").alias("matched_by"))
    rest = f.join(ids.select("funder_id"), on="funder_id", how="anti", maintain_order="left")
    rules = t.filter(pl.col("pattern").is_not_null()).select("pattern", "family", "level").rows()
    fam = pl.lit(None, pl.Utf8)
    lvl = pl.lit(None, pl.Utf8)
    name = pl.col("_n").str.replace_all(r"\s+", " ")
    for rx, family, level in reversed(rules):  # first rule wins
        hit = name.str.contains("(?i)" + rx)
        fam = pl.when(hit).then(pl.lit(family)).otherwise(fam)
        lvl = pl.when(hit).then(pl.lit(level)).otherwise(lvl)
    names = rest.select(pl.col("funder_name").fill_null("").alias("_n")).unique()  # the rules run once per distinct name
    names = names.with_columns(fam.alias("prc_family"), lvl.alias("prc_level")).filter(pl.col("prc_family").is_not_null())
    by_name = (
        rest.with_columns(pl.col("funder_name").fill_null("").alias("_n")).join(names, on="_n", how="inner", maintain_order="left")
        .with_columns(pl.lit("name").alias("matched_by"))
    )
    out = pl.concat([by_id.select(list(PRC_FUNDING_SCHEMA)), by_name.select(list(PRC_FUNDING_SCHEMA))]).cast(PRC_FUNDING_SCHEMA)
    return out.unique(["work_id", "funder_id", "funder_name"]).sort("work_id", "prc_family", "funder_name", nulls_last=True)


def _institution_rows(authorships_df: pl.LazyFrame) -> pl.LazyFrame:
    """(work_id, author_index, author_name, institution, country) rows from either authorship table."""
    df = authorships_df
    cols = df.collect_schema().names()
    name = pl.col("author_name") if "author_name" in cols else pl.lit(None, pl.Utf8)
    if "country_code" in cols:
        inst = pl.col("institution_name") if "institution_name" in cols else pl.col("institution_id")
        return df.select("work_id", pl.col("author_index").cast(pl.Int32), name.alias("author_name"), inst.cast(pl.Utf8).alias("institution"), pl.col("country_code").alias("country"))
    return (
        df.select("work_id", pl.col("author_index").cast(pl.Int32), name.alias("author_name"), pl.col("countries").alias("country"))
        .explode("country")
        .with_columns(pl.lit(None, pl.Utf8).alias("institution"))
        .select("work_id", "author_index", "author_name", "institution", "country")
    )


def dual_affiliation(authorships_df: pl.DataFrame | pl.LazyFrame, flags_df: pl.DataFrame | pl.LazyFrame, *, prc_codes: tuple[str, ...] = PRC_CODES) -> pl.DataFrame | pl.LazyFrame:
    """Authorships with a non-PRC institution and a listed PRC one on the same paper.

    ``authorships_df`` is ``authorship_institutions`` (institution_name, country_code) or
    ``authorships`` (countries); ``flags_df`` is the resolver's flags. One row per authorship.
    Lazy ``authorships_df`` in, lazy out.
    """
    if isinstance(authorships_df, pl.DataFrame):
        if authorships_df.height == 0 or flags_df.lazy().select(pl.len()).collect().item() == 0:
            return pl.DataFrame(schema=DUAL_SCHEMA)
        return dual_affiliation(authorships_df.lazy(), flags_df.lazy(), prc_codes=prc_codes).collect()
    flags_df = flags_df.lazy()
    inst = _institution_rows(authorships_df)
    flagged = flags_df.select("work_id", pl.col("author_index").cast(pl.Int32)).unique()
    foreign = (
        inst.join(flagged, on=["work_id", "author_index"], how="semi", maintain_order="left")  # only flagged authorships can qualify
        .filter(pl.col("country").is_not_null() & ~pl.col("country").str.to_uppercase().is_in(list(prc_codes)))
        .group_by("work_id", "author_index")
        .agg(
            pl.col("author_name").drop_nulls().first(),
            pl.col("institution").drop_nulls().unique().sort().str.join("; ").alias("non_prc_institutions"),
            pl.col("country").str.to_uppercase().unique().sort().str.join("; ").alias("non_prc_countries"),
        )
    )
    listed = (
        flags_df.with_columns(pl.col("author_index").cast(pl.Int32))
        .join(foreign.select("work_id", "author_index"), on=["work_id", "author_index"], how="semi", maintain_order="left")  # the inner join below keeps no other
        .group_by("work_id", "author_index")
        .agg(
            pl.col("entity_name").unique().sort().str.join("; ").alias("listed_prc_entities"),
            pl.col("list_key").unique().sort().str.join("; ").alias("lists"),
            pl.col("listed_at_publication").any(),
            pl.col("author_name").drop_nulls().first().alias("_flag_author"),
        )
    )
    out = foreign.join(listed, on=["work_id", "author_index"], how="inner", maintain_order="left").with_columns(
        pl.coalesce("author_name", "_flag_author").alias("author_name")
    )
    return out.select(list(DUAL_SCHEMA)).cast(DUAL_SCHEMA).sort("work_id", "author_index")
