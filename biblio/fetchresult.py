"""The result of a fetch, from the live API or a local snapshot.

Large fetches do not hold records: a snapshot scan streams matching works batch by batch into
Parquet part files (``tables_dir``) and reports counts here. Small inputs (notebooks, tests,
the live API's cache) may still carry ``records``; :meth:`FetchResult.batches` walks either.

Example:
    >>> r = FetchResult(records=[], source="snapshot")
    >>> r.complete, r.n_records
    (True, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator


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
    """What was fetched, and what is known about the fetch.

    ``records`` holds raw works only for small in-memory fetches; streamed fetches leave it
    empty and set ``n_matched`` (works kept) and ``tables_dir`` (the flattened tables on disk).
    ``record_batches`` (optional) yields lists of raw records lazily, e.g. page by page from
    a cache, so a consumer never needs every record at once.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    source: str = "openalex"
    complete: bool = True
    meta_count: int | None = None
    pages: int = 0
    requests: int = 0
    data_date: str = ""
    n_synthetic: int = 0
    cache_dir: str | None = None
    notes: list[str] = field(default_factory=list)
    request_urls: list[str] = field(default_factory=list)
    n_matched: int | None = None
    tables_dir: str | None = None
    record_batches: Callable[[], Iterable[list[dict[str, Any]]]] | None = field(default=None, repr=False, compare=False)
    skipped_records: int = 0       # records that failed schema validation and were skipped
    skipped_lines: int = 0         # JSON values that are not objects (e.g. a bare number on a JSONL line)
    warnings: list[str] = field(default_factory=list)  # shown on the console and stored in the manifest
    #: per cursor chain: chain_id, date_from, date_to, n_funder_ids, meta_count, received,
    #: shortfall, pages, done, empty_pages_followed, first_fetched, last_fetched, error
    chains: list[dict[str, Any]] = field(default_factory=list)
    #: records OpenAlex counted (meta.count) but never delivered, summed over finished chains
    shortfall: int = 0
    #: ISO date (UTC) -> number of cached pages fetched that day
    fetched_dates: dict[str, int] = field(default_factory=dict)
    #: the funder IDs asked for and where each came from: {id, name, origin, reason}
    funders_used: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        """Works kept: counted by the stream, else the records held."""
        return self.n_matched if self.n_matched is not None else len(self.records)

    def batches(self, size: int = 10_000) -> Iterator[list[dict[str, Any]]]:
        """Raw records in lists of at most ``size``: from ``record_batches`` if set, else ``records``."""
        if self.record_batches is not None:
            buf: list[dict[str, Any]] = []
            for batch in self.record_batches():
                buf.extend(batch)
                while len(buf) >= size:
                    yield buf[:size]
                    buf = buf[size:]
            if buf:
                yield buf
            return
        for i in range(0, len(self.records), size):
            yield self.records[i : i + size]
