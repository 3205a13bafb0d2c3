"""DoD agencies from OpenAlex funder IDs and award-number prefixes.

The table is data: ``biblio/data/dod_funders.csv`` (provenance in
``biblio/data/PROVENANCE.md``). Only prefixes the source confirms are used for
attribution; prefixes marked "verify" are kept apart and never used silently.

Example:
    >>> t = load_funder_table()
    >>> t.attribute("F4320306078", "FA9550-21-1-0001")
    ('AFOSR', 'award_prefix')
    >>> t.attribute("F4320337345", None)
    ('ONR', 'funder_id')
    >>> t.attribute("F4320306078", None)
    ('DoD', 'funder_id')
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

import polars as pl

FUNDER_CSV = Path(__file__).parent / "data" / "dod_funders.csv"
_CLEAN = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True)
class FunderRow:
    """One DoD funder: agency name, short key, OpenAlex ID and verified award prefixes."""

    agency: str
    short: str
    funder_id: str
    crossref_doi: str
    prefixes: tuple[str, ...]
    unverified_prefixes: tuple[str, ...]
    generic: bool
    source: str


@dataclass(frozen=True)
class FunderTable:
    """The bundled DoD funder table with attribution rules."""

    rows: tuple[FunderRow, ...]
    extra_prefixes: tuple[tuple[str, str], ...] = ()

    @cached_property
    def by_id(self) -> dict[str, FunderRow]:
        return {r.funder_id: r for r in self.rows}

    @cached_property
    def prefix_map(self) -> list[tuple[str, str]]:
        """(prefix, agency short) pairs, longest prefix first; first row in file order wins a tie."""
        seen: dict[str, str] = {}
        for r in self.rows:
            for p in r.prefixes:
                seen.setdefault(p, r.short)
        for p, a in self.extra_prefixes:
            seen.setdefault(p, a)
        return sorted(seen.items(), key=lambda kv: -len(kv[0]))

    def is_dod(self, funder_id: str | None) -> bool:
        return bool(funder_id) and short_id(funder_id) in self.by_id

    def agency_for_prefix(self, award_number: str | None) -> str | None:
        """The agency whose verified prefix starts the award number (dashes and spaces ignored)."""
        if not award_number:
            return None
        clean = _CLEAN.sub("", award_number.upper())
        for p, a in self.prefix_map:
            if clean.startswith(p):
                return a
        return None

    def attribute(self, funder_id: str | None, award_number: str | None) -> tuple[str | None, str | None]:
        """(agency, source) for one funding row; source is 'funder_id', 'award_prefix' or None.

        A specific sub-agency funder ID wins. A generic funder (DoD) or a missing funder
        takes its agency from a verified award prefix when there is one; a generic funder
        with no usable prefix stays 'DoD'. A non-DoD funder is never attributed, whatever
        its award number looks like.
        """
        fid = short_id(funder_id) if funder_id else None
        row = self.by_id.get(fid) if fid else None
        if row is not None and not row.generic:
            return row.short, "funder_id"
        if row is not None or fid is None:
            by_prefix = self.agency_for_prefix(award_number)
            if by_prefix:
                return by_prefix, "award_prefix"
        if row is not None:
            return row.short, "funder_id"
        return None, None


def short_id(openalex_id: str) -> str:
    """``https://openalex.org/F123`` → ``F123`` (upper-cased)."""
    return openalex_id.rsplit("/", 1)[-1].upper()


@lru_cache(maxsize=1)
def _load_rows() -> tuple[FunderRow, ...]:
    with FUNDER_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(
            FunderRow(
                agency=r["agency"],
                short=r["short"],
                funder_id=r["openalex_funder_id"],
                crossref_doi=r["crossref_funder_doi"],
                prefixes=tuple(p for p in r["award_id_prefixes"].split("|") if p),
                unverified_prefixes=tuple(p for p in r["unverified_award_id_prefixes"].split("|") if p),
                generic=r["generic"] == "true",
                source=r["source"],
            )
            for r in csv.DictReader(fh)
        )


def load_funder_table(*, extra_prefixes: Iterable[tuple[str, str]] = ()) -> FunderTable:
    """Load the bundled DoD funder table; ``extra_prefixes`` adds (prefix, agency) pairs.

    Example:
        >>> load_funder_table().by_id["F4320338279"].short
        'AFOSR'
    """
    return FunderTable(rows=_load_rows(), extra_prefixes=tuple(extra_prefixes))


def funder_frame() -> pl.DataFrame:
    """The DoD funder table as a polars frame (for reports and notebooks)."""
    return pl.DataFrame(
        [
            {
                "agency": r.agency,
                "short": r.short,
                "funder_id": r.funder_id,
                "crossref_doi": r.crossref_doi,
                "award_prefixes": "|".join(r.prefixes),
                "unverified_award_prefixes": "|".join(r.unverified_prefixes),
                "generic": r.generic,
            }
            for r in _load_rows()
        ]
    )


def work_agencies(funders: pl.DataFrame, awards: pl.DataFrame) -> pl.DataFrame:
    """One row per (work, DoD agency) with how it was attributed.

    Takes the ``funders`` and ``awards`` tables from :func:`biblio.tables.flatten`.
    A work credited only to the generic 'DoD' keeps 'DoD'; where a specific agency is
    known for that work (by funder ID or award prefix), the generic row is dropped.

    Columns: work_id, agency, agency_source ('funder_id' | 'award_prefix'), award_numbers (list).
    """
    f = funders.filter(pl.col("is_dod")).select(
        "work_id", "agency", "agency_source", pl.lit(None, dtype=pl.Utf8).alias("award_number")
    )
    a = awards.filter(pl.col("is_dod")).select("work_id", "agency", "agency_source", "award_number")
    both = pl.concat([f, a], how="vertical_relaxed").filter(pl.col("agency").is_not_null())
    out = (
        both.group_by("work_id", "agency")
        .agg(
            pl.when((pl.col("agency_source") == "funder_id").any())
            .then(pl.lit("funder_id"))
            .otherwise(pl.lit("award_prefix"))
            .first()
            .alias("agency_source"),
            pl.col("award_number").drop_nulls().unique().sort().alias("award_numbers"),
        )
    )
    specific = out.filter(pl.col("agency") != "DoD").select("work_id").unique()
    generic_only = out.filter(pl.col("agency") == "DoD").join(specific, on="work_id", how="anti")
    return (
        pl.concat([out.filter(pl.col("agency") != "DoD"), generic_only])
        .sort("work_id", "agency")
    )
