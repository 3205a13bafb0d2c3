"""The result of a fetch, from the live API or a local snapshot.

Example:
    >>> r = FetchResult(records=[], source="snapshot")
    >>> r.complete, r.n_records
    (True, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def is_synthetic_record(record: dict[str, Any]) -> bool:
    """True for records biblio generated: marked, ``[SYNTHETIC]`` title or 10.5555 test DOI."""
    if record.get("biblio_synthetic") is True:
        return True
    title = record.get("title") or record.get("display_name") or ""
    if title.startswith("[SYNTHETIC]"):
        return True
    doi = (record.get("doi") or "").lower().removeprefix("https://doi.org/")
    return doi.startswith("10.5555/")


@dataclass
class FetchResult:
    """Raw work records (de-duplicated by work ID, as fetched) plus what is known about the fetch."""

    records: list[dict[str, Any]]
    source: str
    complete: bool = True
    meta_count: int | None = None
    pages: int = 0
    requests: int = 0
    data_date: str = ""
    n_synthetic: int = 0
    cache_dir: str | None = None
    notes: list[str] = field(default_factory=list)
    request_urls: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return len(self.records)
