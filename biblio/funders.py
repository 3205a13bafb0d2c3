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


# ---------------------------------------------------------------------------------------
# Funder discovery: seeds (data) → OpenAlex /funders → rules (data) → the funders to ask for
# ---------------------------------------------------------------------------------------
SEEDS_CSV = Path(__file__).parent / "data" / "dod_funder_seeds.csv"
RULES_TOML = Path(__file__).parent / "data" / "dod_funder_rules.toml"
DISCOVERED_SCHEMA = {
    "funder_id": pl.Utf8, "name": pl.Utf8, "country_code": pl.Utf8, "works_count": pl.Int64,
    "crossref": pl.Utf8, "ror": pl.Utf8, "origin": pl.Utf8, "included": pl.Boolean, "reason": pl.Utf8,
}


@dataclass(frozen=True)
class Seed:
    """One discovery seed: a Crossref funder ID, a ROR ID or a name to search for."""

    kind: str  # 'crossref' | 'ror' | 'name'
    value: str
    name: str
    verify: bool
    source: str


def load_seeds(path: Path = SEEDS_CSV) -> tuple[Seed, ...]:
    """The discovery seeds shipped as data (``biblio/data/dod_funder_seeds.csv``)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(Seed(r["kind"], r["value"].strip(), r["name"], r["verify"] == "true", r["source"]) for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_rules() -> dict[str, object]:
    """The DoD/look-alike rules (``biblio/data/dod_funder_rules.toml``), patterns compiled."""
    import tomllib

    d = tomllib.loads(RULES_TOML.read_text(encoding="utf-8"))
    return {
        "countries": {c.upper() for c in d["accept"]["countries"]},
        "dod_names": [re.compile(p, re.I) for p in d["accept"]["dod_names"]],
        "reject": [(re.compile(r["pattern"], re.I), r["reason"]) for r in d.get("reject", [])],
    }


def judge_funder(record: dict, *, origin: str, seed: Seed | None = None) -> tuple[bool, str]:
    """(included, reason) for one OpenAlex funder record found through ``origin``.

    Example:
        >>> judge_funder({"id": "F1", "display_name": "Air Force Association", "country_code": "US"}, origin='search:"U.S. Air Force"')
        (False, "look-alike: 'Air Force Association' is a professional, private or charitable body named after a service or DoD, not a DoD body")
    """
    rules = load_rules()
    fid = short_id(str(record.get("id") or ""))
    name = str(record.get("display_name") or "")
    names = [name, *[str(x) for x in record.get("alternate_titles") or []]]
    table = load_funder_table()
    if fid in table.by_id:
        return True, f"verified seed ID ({table.by_id[fid].short}: biblio/data/dod_funders.csv)"
    cc = str(record.get("country_code") or "").upper()
    if cc and cc not in rules["countries"]:  # type: ignore[operator]
        return False, f"not a U.S. body (country {cc}): '{name}' is a foreign organisation"
    for pat, why in rules["reject"]:  # type: ignore[union-attr]
        if pat.search(name):
            return False, f"look-alike: '{name}' is {why}"
    if seed is not None and seed.kind == "crossref" and not seed.verify:
        return True, f"Crossref funder {seed.value} ({seed.name}) is DoD or a DoD descendant ({seed.source})"
    hit = next((p.pattern for p in rules["dod_names"] for n in names if p.search(n)), None)  # type: ignore[union-attr]
    if hit and (cc in rules["countries"] or seed is None or seed.kind != "name"):  # type: ignore[operator]
        return True, f"{origin}: '{name}' is a U.S. DoD body by name (rule {hit!r})"
    return False, f"{origin}: '{name}' does not look like a DoD body (no DoD name rule matches{'' if cc else '; no country'})"


def discover_funders(*, settings: object, seeds: tuple[Seed, ...] | None = None, sleep: object = None) -> pl.DataFrame:
    """Resolve the seeds through OpenAlex ``/funders`` and judge every funder found.

    One row per funder (the first origin that found it), included or not, with the reason;
    the verified table's funders are always included. Offline (no key on the public API)
    there is nothing to resolve: the verified table alone is returned.

    Example:
        >>> df = discover_funders(settings=Settings.from_env())            # doctest: +SKIP
        >>> df.filter(pl.col("included")).select("funder_id", "name", "reason")  # doctest: +SKIP
    """
    from biblio.openalex import lookup_funders

    seeds = load_seeds() if seeds is None else seeds
    by_key = {(s.kind, s.value.lower()): s for s in seeds}
    found = lookup_funders(
        openalex_ids=[r.funder_id for r in load_funder_table().rows],
        crossref_ids=[s.value for s in seeds if s.kind == "crossref"],
        ror_ids=[s.value for s in seeds if s.kind == "ror"],
        names=[s.value for s in seeds if s.kind == "name"],
        settings=settings,
        sleep=sleep,
    )
    rows: dict[str, dict] = {}
    for origin, rec in found:
        fid = short_id(str(rec.get("id") or ""))
        if not fid or fid in rows:
            continue
        kind, _, val = origin.partition(":")
        ok, why = judge_funder(rec, origin=origin, seed=by_key.get((kind, val.strip('"').lower())))
        ids = rec.get("ids") or {}
        rows[fid] = {
            "funder_id": fid, "name": rec.get("display_name"), "country_code": rec.get("country_code"),
            "works_count": rec.get("works_count"), "crossref": str(ids.get("crossref") or "") or None,
            "ror": (str(ids.get("ror") or "").rsplit("/", 1)[-1] or None), "origin": origin, "included": ok, "reason": why,
        }
    for r in load_funder_table().rows:  # the verified table, even where OpenAlex was not asked
        rows.setdefault(r.funder_id, {"funder_id": r.funder_id, "name": r.agency, "country_code": "US", "works_count": None,
                                      "crossref": r.crossref_doi.removeprefix("10.13039/") or None, "ror": None, "origin": "seed:openalex",
                                      "included": True, "reason": f"verified seed ID ({r.short}: biblio/data/dod_funders.csv)"})
    return pl.DataFrame(list(rows.values()), schema=DISCOVERED_SCHEMA).sort(["included", "works_count"], descending=True, nulls_last=True)


def discovery_cache_path(settings: object) -> Path:
    """Where the discovered-funder table is cached: per server, seeds and rules."""
    import hashlib

    blob = getattr(settings, "openalex_url", "") + SEEDS_CSV.read_text(encoding="utf-8") + RULES_TOML.read_text(encoding="utf-8")
    return Path(getattr(settings, "cache_dir")) / "funders" / f"discovered-{hashlib.sha256(blob.encode()).hexdigest()[:12]}.json"


def save_discovery(df: pl.DataFrame, *, settings: object) -> Path:
    """Cache a discovered-funder table with its date (UTC)."""
    import datetime as dt
    import json

    p = discovery_cache_path(settings)
    p.parent.mkdir(parents=True, exist_ok=True)
    doc = {"discovered_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "rows": df.to_dicts()}
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    tmp.replace(p)
    return p


def load_discovery(*, settings: object) -> tuple[str, pl.DataFrame] | None:
    """(date, table) of the cached discovery, or None."""
    import json

    p = discovery_cache_path(settings)
    if not p.exists():
        return None
    doc = json.loads(p.read_text(encoding="utf-8"))
    return doc["discovered_at"], pl.DataFrame(doc["rows"], schema=DISCOVERED_SCHEMA)


def funder_plan(query: object, *, settings: object, discover: bool | None = None, sleep: object = None) -> list[dict]:
    """The funder IDs a live fetch asks for, each with where it came from and why.

    The query's own IDs (``agencies`` from the verified table, ``ids`` pinned in the file);
    with ``[funders] discover = true`` also the discovered DoD funders (the cached table, or a
    discovery run now); minus ``exclude``. Rows: id, name, origin, reason, used.
    """
    table = load_funder_table()
    pinned = set(getattr(query, "pinned_ids", ()))
    exclude = set(getattr(query, "exclude_ids", ()))
    plan: dict[str, dict] = {}
    for fid in getattr(query, "funder_ids", ()):
        row = table.by_id.get(fid)
        origin = "query funders.ids (pinned)" if fid in pinned else f"query funders.agencies ({row.short if row else '?'})"
        plan[fid] = {"id": fid, "name": row.agency if row else None, "origin": origin, "reason": row.source if row else "pinned by the user", "used": True}
    offline = getattr(settings, "api_key", None) is None and getattr(settings, "openalex_url", "") == "https://api.openalex.org"
    want = getattr(query, "discover", False) if discover is None else discover
    if want and not offline:
        cached = load_discovery(settings=settings)
        if cached is None:
            df = discover_funders(settings=settings, sleep=sleep)
            save_discovery(df, settings=settings)
            cached = load_discovery(settings=settings)
        when, df = cached  # type: ignore[misc]
        for r in df.filter(pl.col("included")).iter_rows(named=True):
            plan.setdefault(r["funder_id"], {"id": r["funder_id"], "name": r["name"], "origin": f"discovered {when[:10]} via {r['origin']}", "reason": r["reason"], "used": True})
    for fid in exclude:
        if fid in plan:
            plan[fid].update(used=False, origin=plan[fid]["origin"] + "; excluded by query funders.exclude")
    return list(plan.values())
