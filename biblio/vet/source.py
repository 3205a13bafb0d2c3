"""Where a person's works come from: a local snapshot, or the OpenAlex API by author filter.

Example:
    >>> recs, stats = person_records(vq, people, window=(dt.date(2021, 6, 30), dt.date(2026, 6, 30)))   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from biblio.settings import Settings
from biblio.snapshot import read_records, snapshot_files
from biblio.vet.people import Person
from biblio.vet.spec import VetQuery


def _ids(work: dict[str, Any]) -> tuple[set[str], set[str]]:
    aids, orcids = set(), set()
    for a in work.get("authorships") or []:
        au = a.get("author") if isinstance(a, dict) else None
        if isinstance(au, dict):
            aids.add(str(au.get("id") or "").rsplit("/", 1)[-1].upper())
            orcids.add(str(au.get("orcid") or "").rsplit("/", 1)[-1])
    return aids, orcids


def snapshot_person_records(vq: VetQuery, people: list[Person], *, window: tuple[dt.date, dt.date]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Works in the snapshot files with one of ``people`` as an author, published in ``window``."""
    want_ids = {p.openalex_id for p in people if p.openalex_id}
    want_orcids = {p.orcid for p in people if p.orcid}
    lo, hi = window[0].isoformat(), window[1].isoformat()
    kept: dict[str, dict[str, Any]] = {}
    scanned = 0
    for f in snapshot_files(list(vq.snapshot_paths)):
        for rec in read_records(f):
            scanned += 1
            date = str(rec.get("publication_date") or "")
            if not (lo <= date[:10] <= hi) or not rec.get("id"):
                continue
            aids, orcids = _ids(rec)
            if aids & want_ids or orcids & want_orcids:
                kept.setdefault(str(rec["id"]), rec)
    return list(kept.values()), {"source": "snapshot", "scanned": scanned, "requests": 0, "wait_s": 0.0, "complete": True}


def api_person_records(vq: VetQuery, people: list[Person], *, window: tuple[dt.date, dt.date], settings: Settings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each person's works from the OpenAlex API (author ID when known, else ORCID), fetched
    concurrently under one rate limit, then merged."""
    from biblio.openalex import fetch_team_works

    specs = [(p.openalex_id, None if p.openalex_id else p.orcid) for p in people]
    per_person, st = fetch_team_works(specs, date_from=window[0], date_to=window[1], settings=settings, options=vq.fetch)
    kept: dict[str, dict[str, Any]] = {}
    for recs in per_person:
        for r in recs:
            kept.setdefault(str(r["id"]), r)
    per = {p.key: {"works": len(r), "meta_count": m} for p, r, m in zip(people, per_person, st["meta_counts"])}
    return list(kept.values()), {"source": "openalex", "requests": st["requests"], "pages": st["pages"], "wait_s": st["wait_s"],
                                 "complete": st["complete"], "per_person": per}


def person_records(vq: VetQuery, people: list[Person], *, window: tuple[dt.date, dt.date], settings: Settings | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The vetting query's source, dispatched: snapshot or live API."""
    if vq.source == "snapshot":
        return snapshot_person_records(vq, people, window=window)
    return api_person_records(vq, people, window=window, settings=settings or Settings.from_env())
