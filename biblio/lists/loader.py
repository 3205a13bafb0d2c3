"""Load the bundled entity lists (data files in ``biblio/lists/data``) into polars frames.

Lists are data, not code: each list is one JSON file built by ``scripts/build_lists.py``
from the raw sources in ``biblio/lists/raw`` (see ``biblio/lists/data/PROVENANCE.md``),
plus the curated ``crosswalk.csv`` of OpenAlex/ROR IDs.

Membership in an edition:
* lists with listing periods (1260H): on edition E when ``start <= E.date`` and
  (``end`` is empty or ``end > E.date``);
* other lists: named in edition E; a *subset* edition (the 2026 BIS university scrape)
  carries forward every entity of the earlier complete edition, with a note.
* CSL lists (entity_list, meu, ns_cmic) have complete editions 2022-05-16 and 2026-07-31; an
  entity named only in the older one was removed or renamed by then. ``first_listed_year`` is
  the year of the entity's earliest Federal Register citation (the 2026 copy has no dates).

Example:
    >>> ls = load_lists()
    >>> ls.entities.filter(pl.col("list_key") == "seven_sons").height
    7
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import polars as pl

from biblio.errors import ListDataError
from biblio.normalize import normalize

DATA_DIR = Path(__file__).parent / "data"
LIST_FILES: tuple[str, ...] = ("entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind")
LS = pl.List(pl.Utf8)
ENTITY_SCHEMA = pl.Schema(
    {
        "list_key": pl.Utf8,
        "entity_key": pl.Utf8,
        "name": pl.Utf8,
        "name_zh": pl.Utf8,
        "strong_aliases": LS,
        "weak_aliases": LS,
        "parent_key": pl.Utf8,
        "parent_name": pl.Utf8,
        "country": pl.Utf8,
        "category": pl.Utf8,
        "openalex_ids": LS,
        "ror_ids": LS,
        "source_url": pl.Utf8,
        "notes": pl.Utf8,
        "aspi_risk": pl.Utf8,
        "aspi_risk_source": pl.Utf8,
        "first_listed_year": pl.Int64,
    }
)
MEMBERSHIP_SCHEMA = pl.Schema(
    {
        "list_key": pl.Utf8,
        "entity_key": pl.Utf8,
        "edition": pl.Utf8,
        "edition_date": pl.Date,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "note": pl.Utf8,
    }
)
EDITION_SCHEMA = pl.Schema(
    {
        "list_key": pl.Utf8,
        "list_name": pl.Utf8,
        "edition": pl.Utf8,
        "edition_date": pl.Date,
        "coverage": pl.Utf8,
        "n_entries": pl.Int64,
        "source_url": pl.Utf8,
        "retrieved": pl.Utf8,
        "licence": pl.Utf8,
        "staleness_note": pl.Utf8,
    }
)


@dataclass(frozen=True)
class ListSet:
    """The entity lists as three frames: entities, memberships (entity × edition) and editions."""

    entities: pl.DataFrame
    memberships: pl.DataFrame
    editions: pl.DataFrame

    @property
    def keys(self) -> list[str]:
        return sorted(self.editions["list_key"].unique().to_list())

    def listed_as_of(self, day: dt.date, *, lists: Iterable[str] | None = None) -> pl.DataFrame:
        """Entities on the newest edition of each list dated on or before ``day``.

        Lists with no edition by then contribute nothing. Columns: list_key, entity_key,
        edition, edition_date.
        """
        ed = self.editions.filter(pl.col("edition_date") <= day)
        if lists is not None:
            ed = ed.filter(pl.col("list_key").is_in(list(lists)))
        newest = ed.group_by("list_key").agg(pl.col("edition_date").max())
        return (
            self.memberships.join(newest, on=["list_key", "edition_date"], how="inner")
            .select("list_key", "entity_key", "edition", "edition_date")
            .unique()
            .sort("list_key", "entity_key")
        )

    def aspi_risk(self, entity_key: str) -> str | None:
        """The ASPI risk level of an ASPI entity (``None`` when ASPI's page states none)."""
        hit = self.entities.filter((pl.col("list_key") == "aspi") & (pl.col("entity_key") == entity_key))
        return hit["aspi_risk"][0] if hit.height else None


def _d(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ListDataError(f"{path}: list data file missing; reinstall biblio or run scripts/build_lists.py") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ListDataError(f"{path}: corrupt list data ({e}); run scripts/build_lists.py to rebuild it") from None


def _crosswalk(path: Path) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    out: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), start=2):
            k = (r["list_key"], r["entity_key"])
            ids, rors = out.setdefault(k, ([], []))
            if r["openalex_id"]:
                if not r["openalex_id"].startswith("I") or not r["openalex_id"][1:].isdigit():
                    raise ListDataError(f"{path}: line {n}: openalex_id {r['openalex_id']!r} is not an OpenAlex institution ID (I…)")
                ids.append(r["openalex_id"])
            if r["ror"]:
                if len(r["ror"]) != 9:
                    raise ListDataError(f"{path}: line {n}: ror {r['ror']!r} is not a 9-character ROR ID")
                rors.append(r["ror"])
    return out


def load_lists(data_dir: str | Path | None = None) -> ListSet:
    """Load and validate the bundled lists (cached for the default folder).

    Raises :class:`~biblio.errors.ListDataError` for a missing or corrupt file, a duplicate
    entity key, a strong alias claimed by two entities of one list, or a crosswalk row
    that names an unknown entity.
    """
    if data_dir is None:
        if not _DEFAULT:
            _DEFAULT.append(_load(DATA_DIR))
        return _DEFAULT[0]
    return _load(Path(data_dir))


#: The bundled lists once loaded (or adopted from a matcher built over them): load_lists() returns it.
_DEFAULT: list[ListSet] = []


def adopt_default(lists: ListSet) -> None:
    """Take ``lists`` as the bundled lists, if they are not loaded yet: a matcher cached over
    exactly the bundled files (:mod:`biblio.matcher_cache` keys it by them) carries them, and
    loading them again cost the report ~0.2 CPU-s on the run's critical path.

    Example:
        >>> adopt_default(load_lists()); load_lists() is load_lists()
        True
    """
    if not _DEFAULT:
        _DEFAULT.append(lists)


def _load(data_dir: Path) -> ListSet:
    xwalk = _crosswalk(data_dir / "crosswalk.csv")
    ent_rows: list[dict[str, Any]] = []
    mem_rows: list[dict[str, Any]] = []
    ed_rows: list[dict[str, Any]] = []
    for key in LIST_FILES:
        path = data_dir / f"{key}.json"
        data = _read_json(path)
        editions = sorted(data["editions"], key=lambda e: e["date"])
        for ed in editions:
            ed_rows.append(
                {
                    "list_key": key,
                    "list_name": data["name"],
                    "edition": ed["edition"],
                    "edition_date": _d(ed["date"]),
                    "coverage": ed.get("coverage"),
                    "n_entries": ed.get("n_entries"),
                    "source_url": ed.get("source_url") or data.get("source_url"),
                    "retrieved": data.get("retrieved"),
                    "licence": data.get("licence"),
                    "staleness_note": data.get("staleness_note"),
                }
            )
        seen: set[str] = set()
        strong_owner: dict[str, str] = {}
        for e in data["entities"]:
            ek = e["key"]
            if ek in seen:
                raise ListDataError(f"{path}: duplicate entity key {ek!r}; keys must be unique within a list")
            seen.add(ek)
            for a in [e["name"], *e.get("strong_aliases", [])]:
                n = normalize(a)
                other = strong_owner.setdefault(n, ek)
                if other != ek:
                    raise ListDataError(f"{path}: strong alias {a!r} is claimed by {other!r} and {ek!r}; make it weak for one of them")
            ids, rors = xwalk.pop((key, ek), ([], []))
            ent_rows.append(
                {
                    "list_key": key,
                    "entity_key": ek,
                    "name": e["name"],
                    "name_zh": e.get("name_zh"),
                    "strong_aliases": e.get("strong_aliases", []),
                    "weak_aliases": e.get("weak_aliases", []),
                    "parent_key": e.get("parent_key"),
                    "parent_name": e.get("parent_name"),
                    "country": e.get("country"),
                    "category": e.get("category"),
                    "openalex_ids": ids,
                    "ror_ids": rors,
                    "source_url": e.get("source_url"),
                    "notes": e.get("notes"),
                    "aspi_risk": e.get("aspi_risk"),
                    "aspi_risk_source": e.get("aspi_risk_source"),
                    "first_listed_year": e.get("first_listed_year"),
                }
            )
            periods = e.get("periods") or []
            named = set(e.get("editions") or [])
            for ed in editions:
                d = ed["date"]
                note = None
                if periods:
                    hit = [p for p in periods if (p["start"] or "") <= d and (p["end"] is None or p["end"] > d)]
                    if not hit:
                        continue
                    start, end = min(p["start"] for p in hit), None
                    ended = [p["end"] for p in periods if p["end"]]
                    end = max(ended) if ended and all(p["end"] for p in periods) else None
                elif ed["edition"] in named:
                    start, end = None, None
                elif str(ed.get("coverage", "")).startswith("subset") and any(
                    x["edition"] in named and x["date"] < d for x in editions
                ):
                    start, end = None, None
                    note = "carried forward from an earlier complete edition: this edition covers only a subset of the list"
                else:
                    continue
                mem_rows.append(
                    {
                        "list_key": key,
                        "entity_key": ek,
                        "edition": ed["edition"],
                        "edition_date": _d(d),
                        "start_date": _d(start),
                        "end_date": _d(end),
                        "note": note,
                    }
                )
    if xwalk:
        (lk, ek), _ = next(iter(xwalk.items()))
        raise ListDataError(f"{data_dir / 'crosswalk.csv'}: entity {lk}/{ek} is not in the list data; fix or remove that row")
    return ListSet(
        entities=pl.DataFrame(ent_rows, schema=ENTITY_SCHEMA),
        memberships=pl.DataFrame(mem_rows, schema=MEMBERSHIP_SCHEMA),
        editions=pl.DataFrame(ed_rows, schema=EDITION_SCHEMA),
    )


def lists_summary(lists: ListSet | None = None) -> pl.DataFrame:
    """One row per list × edition: date, coverage, entities on it, retrieval and staleness."""
    ls = lists or load_lists()
    counts = ls.memberships.group_by("list_key", "edition").agg(pl.len().cast(pl.Int64).alias("entities"))
    return (
        ls.editions.join(counts, on=["list_key", "edition"], how="left")
        .with_columns(pl.col("entities").fill_null(0))
        .select("list_key", "list_name", "edition", "edition_date", "coverage", "entities", "retrieved", "staleness_note")
        .sort("list_key", "edition_date")
    )
