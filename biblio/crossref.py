"""The one module that talks to Crossref (REST API, through ``requests``) or reads its records.

Two ways in, one shape out: *funder entries*, one row per (work DOI, funder) with
``doi, funder_name, funder_doi, doi_asserted_by, awards`` (awards `` | ``-joined), the format
of ``biblio/data/house/crossref_funders.csv``.

* offline: :func:`read_funder_entries` reads such CSV files (a query's ``[source] crossref``);
* live: :func:`works_by_funder` pages ``/works?filter=funder:10.13039/…,from-pub-date:…,
  until-pub-date:…`` with ``cursor=*`` and ``rows=1000``, one chain per DoD funder, unions by
  DOI and returns the entries. No key; the polite pool gets ``mailto`` from
  ``BIBLIO_MAILTO`` (read by :mod:`biblio.settings`). Retries 429/5xx/resets with backoff.

Example:
    >>> entries = read_funder_entries([DATA / "house" / "crossref_funders.csv"])
    >>> len(entries)
    1029
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

import requests

from biblio.errors import FetchError, InputFileError
from biblio.retry import RETRYABLE, backoff, retry_after
from biblio.settings import Settings

DATA = Path(__file__).parent / "data"
COLUMNS = ("doi", "funder_name", "funder_doi", "doi_asserted_by", "awards")
ROWS = 1000
EMPTY_RETRIES = 3
FunderEntries = dict[str, list[dict[str, str]]]


def _bare(doi: str | None) -> str:
    d = (doi or "").strip().lower()
    for p in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        d = d.removeprefix(p)
    return d


def read_funder_entries(paths: Iterable[Path]) -> FunderEntries:
    """Crossref funder entries from CSV files, grouped by bare lower-case work DOI.

    A file must have the columns ``doi, funder_name, funder_doi`` (``awards`` and
    ``doi_asserted_by`` are optional); otherwise a one-line :class:`InputFileError`.
    """
    out: FunderEntries = defaultdict(list)
    for path in paths:
        p = Path(path)
        try:
            with p.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                missing = [c for c in COLUMNS[:3] if c not in (reader.fieldnames or [])]
                if missing:
                    raise InputFileError(f"{p}: missing column(s) {', '.join(missing)}; a Crossref funder-entry CSV needs doi, funder_name, funder_doi (awards optional)")
                for row in reader:
                    doi = _bare(row.get("doi"))
                    if doi:
                        out[doi].append({c: (row.get(c) or "").strip() for c in COLUMNS} | {"doi": doi})
        except FileNotFoundError:
            raise InputFileError(f"{p}: Crossref funder-entry file not found; fix [source] crossref in the query file") from None
        except UnicodeDecodeError:
            raise InputFileError(f"{p}: not UTF-8 text; save the CSV as UTF-8") from None
    return dict(out)


def entries_from_item(item: dict[str, Any]) -> list[dict[str, str]]:
    """The funder entries of one Crossref work item (``message.items[]``)."""
    doi = _bare(item.get("DOI"))
    rows = []
    for f in item.get("funder") or []:
        if not isinstance(f, dict):
            continue
        rows.append({
            "doi": doi,
            "funder_name": str(f.get("name") or "").strip(),
            "funder_doi": _bare(f.get("DOI")),
            "doi_asserted_by": str(f.get("doi-asserted-by") or ""),
            "awards": " | ".join(str(a) for a in f.get("award") or []),
        })
    return rows


def write_funder_entries(entries: FunderEntries, path: Path) -> Path:
    """Write funder entries as CSV (the offline format), sorted by DOI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        for doi in sorted(entries):
            w.writerows(entries[doi])
    return path


class _Client:
    """GETs against Crossref with retries (429/5xx/resets/bad JSON) and a polite ``mailto``."""

    def __init__(self, settings: Settings, *, session: requests.Session | None, max_retries: int, timeout: float, sleep: Callable[[float], None]) -> None:
        self.base = settings.crossref_url.rstrip("/")
        self.mailto = settings.mailto
        self.session = session or requests.Session()
        self.max_retries, self.timeout, self.sleep = max_retries, timeout, sleep
        self.requests = 0

    def get(self, path: str, params: dict[str, str], *, missing_ok: bool = False) -> dict[str, Any]:
        """The response's ``message``; ``{}`` for a 404 when ``missing_ok``."""
        if self.mailto:
            params = {**params, "mailto": self.mailto}
        for attempt in range(self.max_retries + 1):
            wait = backoff(attempt + 1)
            try:
                self.requests += 1
                r = self.session.get(self.base + path, params=params, timeout=self.timeout)
                if r.status_code == 200:
                    return r.json()["message"]
                if r.status_code == 404 and missing_ok:
                    return {}
                if r.status_code not in RETRYABLE:
                    raise FetchError(f"Crossref answered HTTP {r.status_code} for {path}?filter={params.get('filter', '')}; check the funder ID and dates")
                ra = retry_after(r.headers)
                if ra is not None:
                    wait = min(ra, 120.0)
            except (requests.ConnectionError, requests.Timeout, ValueError, KeyError):
                pass
            if attempt < self.max_retries:
                self.sleep(wait)
        raise FetchError(f"gave up on Crossref {path} after {self.max_retries} retries; re-run later")


def funder_filter(funder_id: str, date_from: dt.date, date_to: dt.date) -> str:
    """``funder:10.13039/100000006,from-pub-date:2023-06-01,until-pub-date:2025-06-30``."""
    fid = funder_id if funder_id.startswith("10.13039/") else f"10.13039/{funder_id}"
    return f"funder:{fid},from-pub-date:{date_from.isoformat()},until-pub-date:{date_to.isoformat()}"


def works_by_funder(
    funder_ids: Iterable[str],
    *,
    date_from: dt.date,
    date_to: dt.date,
    settings: Settings,
    session: requests.Session | None = None,
    rows: int = ROWS,
    max_retries: int = 6,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    refresh: bool = False,
) -> tuple[FunderEntries, dict[str, int]]:
    """Funder entries of every Crossref work funded by each funder ID in the window.

    One cursor chain per funder (Crossref's ``funder`` filter does not include descendants,
    so pass each DoD body); works are united by DOI. Returns (entries by DOI, per-funder
    ``total-results``). An empty page mid-chain is asked again, then followed; a cursor that
    repeats, or a chain that ends short of its total, raises :class:`FetchError` naming the
    funder. Each finished chain is cached under ``<cache>/crossref/`` with its fetch date
    (Crossref cursors expire after minutes, so an unfinished chain restarts); ``refresh``
    ignores the cache.

    Example:
        >>> entries, totals = works_by_funder(["100000006"], date_from=dt.date(2024, 1, 1),
        ...     date_to=dt.date(2024, 1, 31), settings=Settings.from_env())   # doctest: +SKIP
    """
    client = _Client(settings, session=session, max_retries=max_retries, timeout=timeout, sleep=sleep)
    out: FunderEntries = {}
    totals: dict[str, int] = {}
    for fid in dict.fromkeys(funder_ids):
        flt = funder_filter(fid, date_from, date_to)
        path = settings.cache_dir / "crossref" / (hashlib.sha256(f"{client.base}|{flt}|{rows}".encode()).hexdigest()[:16] + ".json")
        cached = None if refresh else _read_cache(path)
        if cached is None:
            chain: FunderEntries = {}
            total = _chain(client, fid, date_from, date_to, rows, chain)
            cached = {"filter": flt, "fetched": dt.date.today().isoformat(), "total": total, "entries": chain}
            _write_cache(path, cached)
        totals[fid] = int(cached["total"])
        for doi, rows_ in cached["entries"].items():
            out.setdefault(doi, rows_)
    return out, totals


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return doc if isinstance(doc, dict) and "entries" in doc else None
    except (OSError, ValueError):
        return None


def _write_cache(path: Path, doc: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise FetchError(f"{path}: cannot write the Crossref cache ({e.strerror}); free space or set BIBLIO_CACHE_DIR") from None


def _chain(client: _Client, fid: str, date_from: dt.date, date_to: dt.date, rows: int, out: FunderEntries) -> int:
    cursor, seen, got, total, empties = "*", set(), 0, 0, 0
    while True:
        msg = client.get("/works", {"filter": funder_filter(fid, date_from, date_to), "rows": str(rows), "cursor": cursor, "select": "DOI,funder"})
        items = msg.get("items") or []
        total = int(msg.get("total-results") or 0)
        for it in items:
            doi = _bare(it.get("DOI"))
            if doi and doi not in out:
                out[doi] = entries_from_item(it)
        got += len(items)
        nxt = msg.get("next-cursor")
        if not items and nxt and got < total and empties < EMPTY_RETRIES:
            empties += 1  # an empty page mid-chain: ask again, then follow its cursor
            if empties == EMPTY_RETRIES:
                cursor = nxt
            continue
        empties = 0
        if not items or not nxt or got >= total:
            break
        if nxt in seen:
            raise FetchError(f"Crossref returned the same next-cursor twice for funder {fid}; stopped that chain after {got} of {total} works")
        seen.add(nxt)
        cursor = nxt
    if got < total:
        raise FetchError(f"Crossref chain for funder {fid} ended with {got} of {total} works; re-run to retry")
    return total


def entries_by_doi(
    dois: Iterable[str],
    *,
    settings: Settings,
    session: requests.Session | None = None,
    max_retries: int = 6,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> FunderEntries:
    """Funder entries of single works (``/works/{doi}``); a DOI Crossref does not know is skipped.

    Example:
        >>> entries_by_doi(["10.1038/s41586-020-2649-2"], settings=Settings.from_env())  # doctest: +SKIP
    """
    client = _Client(settings, session=session, max_retries=max_retries, timeout=timeout, sleep=sleep)
    out: FunderEntries = {}
    for doi in dict.fromkeys(_bare(d) for d in dois if d):
        item = client.get("/works/" + quote(doi, safe="/"), {}, missing_ok=True)
        if item:
            out[doi] = entries_from_item(item)
    return out
