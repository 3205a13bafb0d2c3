"""Facts about a person's works, each with the same evidence as a flag.

Facts: ``own_affiliation_listed`` (the person's own affiliation on a work is a listed
entity), ``coauthor_listed`` (a co-author's is), ``prc_state_funding``, ``talent_programme``
(a funder or award names a Section 1286 talent programme) and ``dod_funded`` (a work with a
listed fact already acknowledges DoD funding).

Example:
    >>> rows = person_rows(tables.authorships, people)          # doctest: +SKIP
    >>> facts = vet_facts(tables, resolved, rows)               # doctest: +SKIP
"""

from __future__ import annotations

import polars as pl

from biblio.normalize import normalize
from biblio.signals import prc_state_funding
from biblio.vet.people import Person

S = pl.Utf8
FACT_SCHEMA: dict[str, pl.DataType] = {
    "person_key": S, "person_name": S, "fact": S, "work_id": S, "doi": S, "title": S,
    "publication_date": pl.Date, "year": pl.Int32, "author_index": pl.Int32, "author_name": S,
    "institution_id": S, "ror": S, "institution_name": S, "country_code": S, "raw_affiliation_string": S,
    "list_key": S, "list_name": S, "list_edition": S, "list_edition_date": pl.Date, "entity_key": S, "entity_name": S,
    "method": S, "score": pl.Float64, "chain": S, "listed_at_publication": pl.Boolean, "listed_now": pl.Boolean,
    "funder_id": S, "funder_name": S, "award_numbers": S, "detail": S, "is_synthetic": pl.Boolean,
}


def person_rows(authorships: pl.DataFrame, people: list[Person]) -> pl.DataFrame:
    """``person_key, person_name, work_id, author_index``: each person's own authorships.

    An authorship is the person's when its author ID or its ORCID is theirs.
    """
    out = []
    for p in people:
        m = pl.lit(False)
        if p.openalex_id:
            m = m | (pl.col("author_id") == p.openalex_id)
        if p.orcid:
            m = m | (pl.col("orcid") == p.orcid)
        out.append(authorships.filter(m).select(pl.lit(p.key).alias("person_key"), pl.lit(p.name).alias("person_name"), "work_id", "author_index"))
    schema = {"person_key": S, "person_name": S, "work_id": S, "author_index": pl.Int32}
    return pl.concat(out).unique(["person_key", "work_id"], keep="first").cast(schema) if out else pl.DataFrame(schema=schema)


def _listed_facts(flags: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    f = flags.join(rows.rename({"author_index": "_own_index"}), on="work_id", how="inner")
    f = f.with_columns(
        pl.when(pl.col("author_index") == pl.col("_own_index")).then(pl.lit("own_affiliation_listed")).otherwise(pl.lit("coauthor_listed")).alias("fact"),
        (pl.col("chain") if "chain" in f.columns else pl.col("via_parent")).cast(S).alias("chain"),
        pl.lit(None, S).alias("detail"),
    )
    return f


def _funding(tables: object) -> pl.DataFrame:
    """Every funder named on a work, from ``funders`` and from ``awards`` (names only there)."""
    f = tables.funders.select("work_id", "funder_id", "funder_name")  # type: ignore[attr-defined]
    a = tables.awards.select("work_id", "funder_id", "funder_name")  # type: ignore[attr-defined]
    return pl.concat([f, a]).unique()


def _awards_by_work(tables: object) -> pl.DataFrame:
    a = tables.awards  # type: ignore[attr-defined]
    return a.group_by("work_id", "funder_id").agg(pl.col("award_number").drop_nulls().unique().sort().str.join("; ").alias("award_numbers"))


def _funding_facts(tables: object, rows: pl.DataFrame) -> pl.DataFrame:
    prc = prc_state_funding(_funding(tables))
    f = prc.join(rows, on="work_id", how="inner").join(_awards_by_work(tables), on=["work_id", "funder_id"], how="left")
    return f.with_columns(pl.lit("prc_state_funding").alias("fact"),
                          pl.format("PRC state funder ({}, {} level; matched by {})", "prc_family", "prc_level", "matched_by").alias("detail"))


def _talent_facts(tables: object, rows: pl.DataFrame) -> pl.DataFrame:
    progs = [(normalize(n), n) for n in _talent_names()]
    fund = _funding(tables).filter(pl.col("funder_name").is_not_null())
    hits = []
    for r in fund.iter_rows(named=True):
        nm = normalize(r["funder_name"])
        hit = next((orig for key, orig in progs if key and key in nm), None)
        if hit:
            hits.append({**r, "detail": f"funder names the talent programme '{hit}' (Section 1286 list of talent programmes)"})
    df = pl.DataFrame(hits, schema={"work_id": S, "funder_id": S, "funder_name": S, "detail": S})
    return df.join(rows, on="work_id", how="inner").with_columns(pl.lit("talent_programme").alias("fact"))


def _talent_names() -> list[str]:
    """Names and strong aliases of the Section 1286 talent programmes (their own list file)."""
    import json
    from pathlib import Path

    import biblio.lists

    p = Path(biblio.lists.__file__).parent / "data" / "1286_talent_programs.json"
    data = json.loads(p.read_text(encoding="utf-8"))
    return [n for e in data["entities"] for n in [e["name"], *e.get("strong_aliases", [])] if n]


def _dod_facts(tables: object, listed: pl.DataFrame) -> pl.DataFrame:
    works = listed.select("person_key", "person_name", "work_id", pl.col("_own_index").alias("author_index")).unique(["person_key", "work_id"])
    dod = tables.funders.filter(pl.col("is_dod")).group_by("work_id").agg(  # type: ignore[attr-defined]
        pl.col("agency").drop_nulls().unique().sort().str.join("; ").alias("detail"),
        pl.col("funder_name").unique().sort().str.join("; ").alias("funder_name"))
    aw = tables.awards.filter(pl.col("is_dod")).group_by("work_id").agg(  # type: ignore[attr-defined]
        pl.col("award_number").drop_nulls().unique().sort().str.join("; ").alias("award_numbers"))
    return works.join(dod, on="work_id", how="inner").join(aw, on="work_id", how="left").with_columns(
        pl.lit("dod_funded").alias("fact"), pl.format("DoD-funded: {}", "detail").alias("detail"))


def vet_facts(tables: object, resolved: object, rows: pl.DataFrame) -> pl.DataFrame:
    """All facts for the people in ``rows`` (see :func:`person_rows`), one row each, typed by FACT_SCHEMA."""
    listed = _listed_facts(resolved.flags, rows)  # type: ignore[attr-defined]
    parts = [listed, _funding_facts(tables, rows), _talent_facts(tables, rows), _dod_facts(tables, listed)]
    parts = [p.with_columns([pl.lit(None, t).alias(c) for c, t in FACT_SCHEMA.items() if c not in p.columns]).select(list(FACT_SCHEMA)).cast(FACT_SCHEMA) for p in parts]
    works = tables.works.select("work_id", "doi", "title", "publication_date", "year", "is_synthetic")  # type: ignore[attr-defined]
    out = pl.concat(parts).drop("doi", "title", "publication_date", "year", "is_synthetic").join(works, on="work_id", how="left")
    return out.select(list(FACT_SCHEMA)).sort("person_key", "publication_date", "work_id", "fact", "author_index", "list_key", nulls_last=True)
