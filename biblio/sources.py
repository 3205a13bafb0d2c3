"""More than one source: Crossref's funder metadata beside OpenAlex, and scope decided locally.

For a live query with ``[source] crossref = "api"`` and/or local scope options
(``[scope] raw_strings``, ``[funders] evidence``), :func:`complete_live` takes what
:func:`biblio.openalex.fetch_openalex` fetched and

1. asks Crossref for every work credited to each DoD funder DOI
   (``biblio/data/dod_crossref_funders.csv``) in the window, united by DOI;
2. looks up each DOI OpenAlex's funder filter did not return, one record at a time
   (free of credits), through :func:`biblio.openalex.works_by_doi`;
3. keeps the records :class:`biblio.evidence.WorkJudge` puts in scope: DoD evidence from
   OpenAlex, Crossref, award prefixes or names, and a PRC co-author by institution or raw
   affiliation string.

Example:
    >>> result = complete_live(query, fetch_openalex(query, settings=s), settings=s)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from typing import Any

from biblio.evidence import WorkJudge, bare_doi, dod_crossref_ids
from biblio.fetchresult import FetchResult, is_synthetic_record
from biblio.query import Query
from biblio.settings import Settings


def complete_live(query: Query, fetched: FetchResult, *, settings: Settings, refresh: bool = False) -> FetchResult:
    """Add Crossref's DoD-funded works to a live OpenAlex fetch and decide scope locally.

    The fetched records stream through the judge batch by batch (from memory or paged from
    the cache), so only the kept ones are held. ``refresh=True`` ignores the Crossref page
    cache too, as it does the OpenAlex pages.
    """
    judge = WorkJudge.for_query(query)
    notes, requests = list(fetched.notes), fetched.requests
    entries: dict[str, Any] = {}
    totals: dict[str, int] = {}
    if query.crossref_api:
        from biblio.crossref import works_by_funder

        entries, totals = works_by_funder(sorted(dod_crossref_ids()), date_from=query.date_from, date_to=query.date_to, settings=settings, refresh=refresh)
        for doi, rows in entries.items():
            judge.crossref.setdefault(doi, rows)
    kept, have, n_seen = [], set(), 0
    for batch in fetched.batches():
        n_seen += len(batch)
        have.update(bare_doi(r.get("doi")) for r in batch)
        kept += [r for r in batch if judge.matches(r)]
    if query.crossref_api:
        from biblio.openalex import works_by_doi

        new = [d for d in entries if d not in have]
        extra = works_by_doi(new, settings=settings, rate_limit=query.fetch.rate_limit)
        n_seen += len(extra)
        kept += [r for r in extra if judge.matches(r)]
        requests += len(totals) + len(new)
        notes.append(
            f"Crossref: {len(entries)} works credited to {sum(1 for n in totals.values() if n)} of {len(totals)} DoD funder IDs; "
            f"{len(new)} were not in the OpenAlex fetch, {len(extra)} of them found in OpenAlex by DOI"
        )
    notes.append(f"scope decided locally (DoD evidence: {', '.join(query.evidence)}; raw strings: {query.raw_strings}): kept {len(kept)} of {n_seen} records")
    return dataclasses.replace(
        fetched, records=kept, record_batches=None, n_matched=None, requests=requests,
        n_synthetic=sum(is_synthetic_record(r) for r in kept), notes=notes,
    )
