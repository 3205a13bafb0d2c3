"""Vet a researcher or a proposal team: facts, the rules they meet, and what is new.

Example:
    >>> from biblio.vet import load_vet_query, vet, write_vet
    >>> res = vet(load_vet_query("queries/vet-demo.toml"))                # doctest: +SKIP
    >>> res.summary.select("person_name", "works", "prohibited")          # doctest: +SKIP
    >>> write_vet(res)                                                    # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from biblio.errors import InputFileError
from biblio.safeio import read_input_csv
from biblio.fetchresult import is_synthetic_record
from biblio.resolve import resolve
from biblio.settings import Settings
from biblio.tables import WorksTables, flatten
from biblio.vet.facts import person_rows, vet_facts
from biblio.vet.identity import identity_notes
from biblio.vet.people import Person, load_team, people_from_ids
from biblio.vet.rules import CATEGORIES, RuleSet, apply_rules, load_rules
from biblio.vet.source import person_records
from biblio.vet.spec import VetQuery

US_LISTS = ("entity_list", "1260h", "1286", "ns_cmic", "meu")


@dataclass
class VetResult:
    """What a vetting run found. ``facts`` carries evidence and ``rules_met``; ``works`` the
    works each person was resolved to (with identity notes and exclusions)."""

    query: VetQuery
    people: list[Person]
    as_of: dt.date
    window: tuple[dt.date, dt.date]
    rules: RuleSet
    tables: WorksTables
    works: pl.DataFrame
    facts: pl.DataFrame
    summary: pl.DataFrame
    exclusions: pl.DataFrame
    source_stats: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    new: pl.DataFrame | None = None
    since: str | None = None

    @functools.cached_property
    def by_list_year_entity(self) -> pl.DataFrame:
        """See :func:`breakdown` (computed once: the memos, XLSX and CSV all use it)."""
        return breakdown(self.facts)

    @property
    def n_synthetic(self) -> int:
        return int(self.works["is_synthetic"].sum()) if self.works.height else 0


def team_of(vq: VetQuery, extra_ids: list[str] | None = None) -> list[Person]:
    """The people a vetting query names (its team file and ``people``), plus ``extra_ids``."""
    people = load_team(vq.team) if vq.team else []
    ids = [*vq.people, *(extra_ids or [])]
    if ids:
        people += people_from_ids(ids)
    return list({p.key: p for p in people}.values())


def load_exclusions(path: Path | None) -> pl.DataFrame:
    """``work_id, reason`` from the reviewer's exclusion CSV (a ``work_id`` column); empty if none."""
    schema = {"work_id": pl.Utf8, "reason": pl.Utf8}
    if path is None:
        return pl.DataFrame(schema=schema)
    _, rows = read_input_csv(path, required=("work_id",), what="the exclusion CSV ([vet] exclude)")
    out = [{"work_id": (r.get("work_id") or "").strip().rsplit("/", 1)[-1].upper(), "reason": (r.get("reason") or "").strip() or None} for r in rows]
    return pl.DataFrame([r for r in out if r["work_id"]], schema=schema).unique("work_id", keep="first")


def _person_works(tables: WorksTables, rows: pl.DataFrame, excl: pl.DataFrame) -> pl.DataFrame:
    ident = identity_notes(tables.authorship_institutions, rows)
    dod = tables.funders.group_by("work_id").agg(pl.col("is_dod").any().alias("dod_funded"))
    return (rows.join(tables.works.select("work_id", "doi", "title", "publication_date", "year", "is_synthetic"), on="work_id", how="left")
            .join(ident, on=["person_key", "work_id"], how="left").join(dod, on="work_id", how="left")
            .join(excl.rename({"reason": "excluded_reason"}), on="work_id", how="left")
            .with_columns(pl.col("excluded_reason").is_not_null().alias("excluded"), pl.col("dod_funded").fill_null(False))
            .sort("person_key", "publication_date", "work_id"))


def _summary(people: list[Person], works: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for p in people:
        w = works.filter(pl.col("person_key") == p.key)
        kept = w.filter(~pl.col("excluded"))
        f = facts.filter(pl.col("person_key") == p.key)
        listed = f.filter(pl.col("fact") == "coauthor_listed")
        cats = {c: f.filter(pl.col("category") == c)["work_id"].n_unique() for c in CATEGORIES}
        rows.append({
            "person_key": p.key, "person_name": p.name, "orcid": p.orcid, "openalex_id": p.openalex_id, "institution": p.institution,
            "works": kept.height, "excluded": w.height - kept.height,
            "possible_misassigned": kept.filter(pl.col("identity_note").str.starts_with("possible")).height,
            "works_with_listed_coauthor_usg": listed.filter(pl.col("list_key").is_in(US_LISTS))["work_id"].n_unique(),
            "works_with_listed_coauthor_any": listed["work_id"].n_unique(),
            "own_listed_affiliation_works": f.filter(pl.col("fact") == "own_affiliation_listed")["work_id"].n_unique(),
            "prc_state_funded_works": f.filter(pl.col("fact") == "prc_state_funding")["work_id"].n_unique(),
            "talent_programme_works": f.filter(pl.col("fact") == "talent_programme")["work_id"].n_unique(),
            "dod_funded_listed_works": f.filter(pl.col("fact") == "dod_funded")["work_id"].n_unique(),
            **{c: cats[c] for c in CATEGORIES},
            "status": "no works found in the window" if kept.height == 0 else ("facts found" if f.height else "no listed co-authors, affiliations or funders found"),
        })
    return pl.DataFrame(rows, infer_schema_length=None)


def breakdown(facts: pl.DataFrame) -> pl.DataFrame:
    """Co-authored works with listed entities by person, list, year and entity (distinct works),
    and how many of them were listed at publication."""
    f = facts.filter(pl.col("fact") == "coauthor_listed")
    return (f.group_by("person_key", "person_name", "list_key", "list_name", "year", "entity_key", "entity_name")
            .agg(pl.col("work_id").n_unique().alias("works"),
                 pl.col("work_id").filter(pl.col("listed_at_publication")).n_unique().alias("works_listed_at_publication"))
            .sort("person_key", "list_key", "year", "entity_name"))


def vet(vq: VetQuery, *, people: list[Person] | None = None, settings: Settings | None = None, since: str | Path | None = None,
        today: dt.date | None = None) -> VetResult:
    """Vet the people of ``vq`` (or ``people``): works in the lookback window, facts, rules, news."""
    from biblio.vet.monitor import new_since

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    people = people if people is not None else team_of(vq)
    rules = load_rules(vq.rules)
    excl = load_exclusions(vq.exclude)
    as_of = vq.as_of or today or dt.date.today()
    window = vq.window(as_of)
    records, stats = person_records(vq, people, window=window, settings=settings)
    timings["fetch_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tables = flatten(records)
    resolved = resolve(tables, apply=vq.lists, scope="listed", as_of=as_of)
    rows = person_rows(tables.authorships, people)
    works = _person_works(tables, rows, excl)
    kept = rows.join(excl.select("work_id"), on="work_id", how="anti")
    facts = apply_rules(vet_facts(tables, resolved, kept), rules, as_of=as_of)
    timings["resolve_s"] = time.perf_counter() - t0
    stats["synthetic_records"] = sum(is_synthetic_record(r) for r in records)
    res = VetResult(query=vq, people=people, as_of=as_of, window=window, rules=rules, tables=tables, works=works, facts=facts,
                    summary=_summary(people, works, facts), exclusions=excl, source_stats=stats, timings=timings)
    if since is not None:
        res.new, res.since = new_since(since, res), str(since)
    return res


def run_vet(vq: VetQuery, *, extra_ids: list[str] | None = None, team: Path | None = None, since: str | Path | None = None,
            output_dir: str | Path | None = None, run_id: str | None = None, settings: Settings | None = None) -> tuple[VetResult, Path]:
    """Vet and write the run folder (what ``biblio vet`` does). ``since="latest"`` compares with
    the newest earlier run of the same query. Returns the result and the run folder."""
    from dataclasses import replace

    from biblio.vet.output import write_vet

    if team is not None:
        vq = replace(vq, team=team)
    people = team_of(vq, extra_ids)
    if not people:
        raise InputFileError("no one to vet; give a vetting query with [vet] people or team, --person ID or --team CSV")
    if since == "latest":
        since = latest_vet_run(output_dir if output_dir is not None else vq.output_dir, vq.name)
    res = vet(vq, people=people, settings=settings, since=since)
    return res, write_vet(res, output_dir=output_dir, run_id=run_id)


def latest_vet_run(output_dir: str | Path, name: str) -> Path:
    """The newest run folder of vetting query ``name`` under ``output_dir`` (from its LATEST file)."""
    latest = Path(output_dir) / name / "LATEST"
    try:
        return latest.parent / latest.read_text(encoding="utf-8").strip()
    except OSError:
        raise InputFileError(f"{latest}: no earlier run of {name!r} to compare with; run `biblio vet` once without --since") from None
