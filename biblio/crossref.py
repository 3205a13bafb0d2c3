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
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import requests

from biblio.errors import FetchError, InputFileError
from biblio.settings import Settings

DATA = Path(__file__).parent / "data"
COLUMNS = ("doi", "funder_name", "funder_doi", "doi_asserted_by", "awards")
ROWS = 1000
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
