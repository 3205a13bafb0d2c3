"""Author identity is uncertain: say which works look like someone else's.

OpenAlex assigns works to author profiles by algorithm; a profile can hold another person's
works. A work is marked ``possible mis-assignment`` when the person's own affiliations on it
are all outside the places they usually sign from (institutions on at least two of their
works, or their usual countries), and ``no affiliation on this work`` when they have none.

Example:
    >>> notes = identity_notes(tables.authorship_institutions, rows)      # doctest: +SKIP
    >>> notes.filter(pl.col("identity_note") != "consistent")            # doctest: +SKIP
"""

from __future__ import annotations

import polars as pl

MIN_WORKS = 3  # below this, there is too little to judge what is usual


def identity_notes(authorship_institutions: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``person_key, work_id, own_institutions, own_countries, identity_note`` for each person's work."""
    own = rows.join(authorship_institutions.select("work_id", "author_index", "institution_id", "institution_name", "country_code"),
                    on=["work_id", "author_index"], how="left")
    n_works = rows.group_by("person_key").agg(pl.len().alias("n_works"))
    inst_freq = (own.filter(pl.col("institution_id").is_not_null()).unique(["person_key", "work_id", "institution_id"])
                 .group_by("person_key", "institution_id").agg(pl.len().alias("inst_works")))
    ctry = (own.filter(pl.col("country_code").is_not_null()).unique(["person_key", "work_id", "country_code"])
            .group_by("person_key", "country_code").agg(pl.len().alias("ctry_works")))
    top = ctry.group_by("person_key").agg(pl.col("ctry_works").max().alias("top_ctry"))
    scored = (own.join(inst_freq, on=["person_key", "institution_id"], how="left").join(ctry, on=["person_key", "country_code"], how="left")
              .join(top, on="person_key", how="left").join(n_works, on="person_key", how="left"))
    usual = (pl.col("inst_works").fill_null(0) >= 2) | (pl.col("ctry_works").fill_null(0) * 2 >= pl.col("top_ctry"))
    per_work = scored.group_by("person_key", "work_id").agg(
        pl.col("institution_name").drop_nulls().unique().sort().str.join("; ").alias("own_institutions"),
        pl.col("country_code").drop_nulls().unique().sort().str.join("; ").alias("own_countries"),
        pl.col("institution_id").is_not_null().any().alias("_has"),
        usual.filter(pl.col("institution_id").is_not_null()).any().alias("_usual"),
        pl.col("n_works").first(),
    )
    note = (pl.when(~pl.col("_has")).then(pl.lit("no affiliation on this work"))
            .when(pl.col("n_works") < MIN_WORKS).then(pl.lit("too few works to judge"))
            .when(pl.col("_usual").fill_null(False)).then(pl.lit("consistent"))
            .otherwise(pl.lit("possible mis-assignment: affiliation far from the person's usual ones")))
    return per_work.with_columns(note.alias("identity_note")).select("person_key", "work_id", "own_institutions", "own_countries", "identity_note")
