"""Report tables: each a public function over the works tables and the flags, returning a frame.

Two definitions of a "defense-linked" paper are reported side by side, as the House
Select Committee's figures differ by definition: a flag on a list edition in force at the
paper's publication date, and a flag on any edition of a selected list.

Example:
    >>> h = headline(tables, resolved)        # doctest: +SKIP
    >>> h.filter(pl.col("measure") == "papers_in_scope")["value"][0]   # doctest: +SKIP
    45
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import polars as pl

from biblio.funders import work_agencies

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TECH_AREAS_FILE = Path(__file__).resolve().parent.parent / "data" / "tech_areas.toml"


def _flagged_works(flags: pl.DataFrame, *, at_publication: bool) -> pl.Series:
    f = flags.filter(pl.col("listed_at_publication")) if at_publication else flags
    return f["work_id"].unique()


def headline(tables: Any, resolved: Any, *, award_amounts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The headline numbers, each with a plain-language note on what it counts."""
    works, flags, aff = tables.works, resolved.flags, resolved.affiliations
    n = works.height
    n_pub = _flagged_works(flags, at_publication=True).len()
    n_any = _flagged_works(flags, at_publication=False).len()
    dod_awards = tables.awards.filter(pl.col("is_dod") & pl.col("award_number").is_not_null())
    n_awards = dod_awards["award_number"].str.replace_all(r"[\s\-]", "").str.to_uppercase().n_unique()
    n_inst = aff.filter(pl.col("institution_id").is_not_null())["institution_id"].n_unique()
    rows: list[tuple[str, Any, str]] = [
        ("papers_in_scope", n, "DoD-funded papers with at least one PRC co-author (query scope)"),
        ("papers_defense_linked_at_publication", n_pub, "papers with a flagged partner on a list edition in force at publication"),
        ("share_defense_linked_at_publication", round(n_pub / n, 4) if n else None, "second line divided by the first"),
        ("papers_defense_linked_any_edition", n_any, "papers with a flagged partner on any edition of a selected list"),
        ("share_defense_linked_any_edition", round(n_any / n, 4) if n else None, "fourth line divided by the first"),
        ("flags", flags.height, "author × institution × list-entry flags (evidence rows)"),
        ("distinct_dod_award_numbers", n_awards, "distinct DoD award numbers on papers in scope"),
        ("distinct_prc_institutions", n_inst, "distinct PRC-scope OpenAlex institutions among co-authors"),
    ]
    if award_amounts is not None and award_amounts.height:
        amt = award_amounts.unique("award_id")
        rows.append(("sum_distinct_award_amounts", float(amt["amount"].sum()), "sum of distinct award values, de-duplicated by award (OpenAlex awards entity)"))
    else:
        rows.append(("sum_distinct_award_amounts", None, "not available: award amounts come from the OpenAlex /awards entity, not fetched for this run"))
    rows += [
        ("papers_without_funding_metadata", works.filter(pl.col("funding_schema") == "none").height, "papers whose record carries no funder data at all"),
        ("prc_authorships_without_institution_id", aff.filter(pl.col("status") == "no_institution_id").height, "PRC authorships known only from a raw affiliation string"),
        ("prc_affiliations_no_match", aff.filter(pl.col("status") == "no_match").height, "PRC affiliations on no selected list (no match is data)"),
        ("synthetic_records", works.filter(pl.col("is_synthetic")).height, "records that are SYNTHETIC (demo/test data), included in every count above"),
    ]
    return pl.DataFrame(
        {"measure": [r[0] for r in rows], "value": [None if r[1] is None else float(r[1]) for r in rows], "note": [r[2] for r in rows]},
        schema={"measure": pl.Utf8, "value": pl.Float64, "note": pl.Utf8},
    )


def _flag_status(works: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    pub = _flagged_works(flags, at_publication=True)
    return works.with_columns(pl.col("work_id").is_in(pub.implode()).alias("flagged"))


def by_year(tables: Any, resolved: Any) -> pl.DataFrame:
    """Papers per publication year and quarter, flagged (at publication) or not."""
    w = _flag_status(tables.works, resolved.flags).with_columns(
        pl.col("publication_date").dt.quarter().alias("quarter").cast(pl.Int32)
    )
    return (
        w.group_by("year", "quarter")
        .agg(pl.len().alias("papers"), pl.col("flagged").sum().alias("flagged_papers"))
        .with_columns((pl.col("papers") - pl.col("flagged_papers")).alias("not_flagged_papers"))
        .with_columns(pl.col("papers").cast(pl.Int64), pl.col("flagged_papers").cast(pl.Int64), pl.col("not_flagged_papers").cast(pl.Int64))
        .sort("year", "quarter")
    )


def by_agency(tables: Any, resolved: Any) -> pl.DataFrame:
    """Papers per DoD agency; attribution via award prefix is counted separately."""
    wa = work_agencies(tables.funders, tables.awards)
    flagged = _flagged_works(resolved.flags, at_publication=True)
    return (
        wa.with_columns(pl.col("work_id").is_in(flagged.implode()).alias("flagged"))
        .group_by("agency")
        .agg(
            pl.col("work_id").n_unique().alias("papers"),
            pl.col("work_id").filter(pl.col("flagged")).n_unique().alias("flagged_papers"),
            pl.col("work_id").filter(pl.col("agency_source") == "award_prefix").n_unique().alias("via_award_prefix"),
        )
        .with_columns(pl.col(c).cast(pl.Int64) for c in ("papers", "flagged_papers", "via_award_prefix"))
        .sort("papers", "agency", descending=[True, False])
    )


def by_institution(tables: Any, resolved: Any, *, top: int = 50) -> pl.DataFrame:
    """PRC institutions (OpenAlex ID, or raw string where none) by papers, with their lists."""
    aff = resolved.affiliations.with_columns(
        pl.coalesce("institution_name", pl.concat_str(pl.lit("[raw] "), pl.col("raw_affiliation_string"))).alias("institution")
    )
    lists = (
        resolved.flags.with_columns(pl.coalesce("institution_name", pl.concat_str(pl.lit("[raw] "), pl.col("raw_affiliation_string"))).alias("institution"))
        .group_by("institution")
        .agg(pl.col("list_key").unique().sort().str.join(";").alias("lists"))
    )
    return (
        aff.group_by("institution")
        .agg(pl.col("institution_id").drop_nulls().first(), pl.col("country_code").first(), pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"))
        .join(lists, on="institution", how="left")
        .with_columns(pl.col("lists").fill_null(""))
        .sort("papers", "institution", descending=[True, False])
        .head(top)
    )


def by_list(tables: Any, resolved: Any) -> pl.DataFrame:
    """Per list: flagged papers (at publication, any edition), entities and flags."""
    f = resolved.flags
    return (
        f.group_by("list_key")
        .agg(
            pl.col("list_name").first(),
            pl.col("work_id").filter(pl.col("listed_at_publication")).n_unique().alias("papers_at_publication"),
            pl.col("work_id").n_unique().alias("papers_any_edition"),
            pl.col("entity_key").n_unique().alias("entities"),
            pl.len().alias("flags"),
        )
        .with_columns(pl.col(c).cast(pl.Int64) for c in ("papers_at_publication", "papers_any_edition", "entities", "flags"))
        .sort("papers_any_edition", "list_key", descending=[True, False])
    )


def list_by_agency(tables: Any, resolved: Any) -> pl.DataFrame:
    """Flagged papers (at publication) per list × DoD agency, long format."""
    wa = work_agencies(tables.funders, tables.awards).select("work_id", "agency")
    f = resolved.flags.filter(pl.col("listed_at_publication")).select("work_id", "list_key").unique()
    return (
        f.join(wa, on="work_id", how="inner")
        .group_by("list_key", "agency")
        .agg(pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"))
        .sort("list_key", "agency")
    )


def evidence(tables: Any, resolved: Any) -> pl.DataFrame:
    """One row per flagged paper: what it is, who funded it, who was flagged, how and why."""
    f = resolved.flags
    if f.height == 0:
        return pl.DataFrame(schema={c: pl.Utf8 for c in ("work_id", "doi", "title", "publication_date", "agencies", "award_numbers", "flagged_institutions", "lists", "methods", "authors", "raw_affiliation_strings", "listed_at_publication", "is_synthetic")})
    wa = (
        work_agencies(tables.funders, tables.awards)
        .group_by("work_id")
        .agg(
            pl.col("agency").unique().sort().str.join("; ").alias("agencies"),
            pl.col("award_numbers").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort().str.join("; ").alias("award_numbers"),
        )
    )
    per = f.with_columns(
        pl.coalesce("institution_name", pl.lit("[raw string]")).alias("inst"),
        pl.concat_str([pl.col("list_key"), pl.lit("@"), pl.col("list_edition"), pl.lit(": "), pl.col("entity_name")]).alias("list_entry"),
        pl.concat_str([pl.col("list_key"), pl.lit(":"), pl.col("method")]).alias("lm"),
    )
    g = per.group_by("work_id").agg(
        pl.col("inst").unique().sort().str.join("; ").alias("flagged_institutions"),
        pl.col("list_entry").unique().sort().str.join(" | ").alias("lists"),
        pl.col("lm").unique().sort().str.join("; ").alias("methods"),
        pl.col("author_name").drop_nulls().unique().sort().str.join("; ").alias("authors"),
        pl.col("raw_affiliation_string").drop_nulls().unique().sort().str.join(" || ").alias("raw_affiliation_strings"),
        pl.col("listed_at_publication").any(),
    )
    return (
        g.join(tables.works.select("work_id", "doi", "title", "publication_date", "is_synthetic"), on="work_id", how="left")
        .join(wa, on="work_id", how="left")
        .select("work_id", "doi", "title", "publication_date", "agencies", "award_numbers", "flagged_institutions", "lists", "methods", "authors", "raw_affiliation_strings", "listed_at_publication", "is_synthetic")
        .sort("publication_date", "work_id")
    )


def load_tech_areas(path: str | Path | None = None) -> dict[str, list[str]]:
    """The technology-area mapping: area → list of case-insensitive regex patterns."""
    p = Path(path) if path else TECH_AREAS_FILE
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    return {area: list(v["patterns"]) for area, v in data.items()}


def tech_areas(tables: Any, resolved: Any, *, mapping: dict[str, list[str]] | None = None) -> pl.DataFrame:
    """Papers per civil-military-fusion technology area (a paper may be in several), flagged or not."""
    mp = mapping or load_tech_areas()
    w = _flag_status(tables.works, resolved.flags).with_columns(
        pl.concat_str(
            [
                pl.col("primary_topic").fill_null(""),
                pl.col("primary_subfield").fill_null(""),
                pl.col("primary_field").fill_null(""),
                pl.col("topics").list.join(" ; "),
                pl.col("keywords").list.join(" ; "),
            ],
            separator=" ; ",
        ).alias("_text")
    )
    rows = []
    for area, pats in mp.items():
        rx = "(?i)" + "|".join(f"(?:{p})" for p in pats)
        hit = w.filter(pl.col("_text").str.contains(rx))
        rows.append({"area": area, "papers": hit.height, "flagged_papers": int(hit["flagged"].sum()), "not_flagged_papers": hit.height - int(hit["flagged"].sum())})
    return pl.DataFrame(rows, schema={"area": pl.Utf8, "papers": pl.Int64, "flagged_papers": pl.Int64, "not_flagged_papers": pl.Int64})


def all_tables(tables: Any, resolved: Any, *, tech_mapping: dict[str, list[str]] | None = None) -> dict[str, pl.DataFrame]:
    """Every report table by name (the order the workbook and HTML use)."""
    return {
        "headline": headline(tables, resolved),
        "by_year": by_year(tables, resolved),
        "by_agency": by_agency(tables, resolved),
        "by_institution": by_institution(tables, resolved),
        "by_list": by_list(tables, resolved),
        "list_by_agency": list_by_agency(tables, resolved),
        "tech_areas": tech_areas(tables, resolved, mapping=tech_mapping),
        "evidence": evidence(tables, resolved),
    }


def _safe_name(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", s)[:31]
