"""The one module that talks to OpenAlex (through pyalex): works, funders and awards.

* a fresh pyalex query object per request; cursor paging, ``per_page=100``, one request per page;
* filters ``funders.id`` (OR-chunks of at most 100 IDs, URL under 4,094 characters),
  ``authorships.institutions.country_code``, ``from/to_publication_date``;
* the window split into date slices, each its own cursor chain, run in daemon threads under
  one global rate limit; every wait checks a stop event, so Ctrl-C stops within a second;
* faults: 429/5xx, timeouts, HTML, truncated JSON, a connection reset mid-body and a body
  shorter than its Content-Length are retried with capped, jittered backoff; an empty page
  that still carries a ``next_cursor`` is retried, then followed (never taken as the end); a
  cursor that keeps coming back stops its chain with :class:`CursorLoopError`; a server that
  cannot be reached is tried a few times only (:class:`UnreachableError`); a full disk stops
  with :class:`CacheWriteError` naming the file;
* ``X-RateLimit-*`` headers: a 429 with credits left is "too fast" (wait, then halve the rate);
  a 429 with none left, or a ``Retry-After`` over the cap, is "daily credits spent" and stops;
* every page stored raw as it arrives under ``<cache>/<query hash>/<chain>/`` with the time it
  was fetched; a re-run resumes each chain from its last page, ``refresh=True`` ignores the
  cache, ``[fetch] max_requests`` stops cleanly at a budget;
* per chain, records received against ``meta.count``: a shortfall is a warning and makes the
  result incomplete.

pyalex 0.21 hard-codes ``https://api.openalex.org`` in its URLs, so requests are routed by
a transport adapter mounted on pyalex's session: it rewrites the base URL to
``BIBLIO_OPENALEX_URL`` (a mirror or a test server), applies the rate limit and timeout,
and keeps the raw response. The API key comes only from ``OPENALEX_API_KEY``.

Example:
    >>> from biblio.query import load_query
    >>> from biblio.settings import Settings
    >>> request_urls(load_query("queries/dod-prc-2023-2025.toml"), settings=Settings())[0]   # doctest: +SKIP
    'https://api.openalex.org/works?filter=funders.id:F4320306078|…&cursor=%2A&per-page=100'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import hashlib
import math
import os
import queue
import random
import shutil
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pyalex
import pyalex.api
import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from biblio.errors import (
    AuthError,
    BiblioError,
    BudgetError,
    CacheWriteError,
    CursorLoopError,
    FetchError,
    FetchInterrupted,
    UnreachableError,
)
from biblio.fetchresult import FetchResult, is_synthetic_record
from biblio.query import FetchOptions, Query
from biblio.retry import RETRYABLE, backoff, retry_after
from biblio.settings import DEFAULT_OPENALEX_URL, Settings, redact_url

API_HOST = "https://api.openalex.org"
PER_PAGE = 100
MAX_OR_VALUES = 100
MAX_URL_CHARS = 4094
EMPTY_PAGE_RETRIES = 2  # an empty page with a next_cursor is asked again this often, then followed
CURSOR_REPEAT_LIMIT = 3  # a cursor that comes back this many times stops its chain
CONNECT_RETRIES = 3  # a server that refuses connections is tried this often (~7 s), not max_retries
RETRY_STATUS = (429, 500, 502, 503, 504)
MIN_RATE = 1.0  # "too fast" halves the rate down to this floor
#: OpenAlex's documented price of a list call (2026: $0.10 per 1,000); trust the headers when present
LIST_CALL_USD = 0.0001
FREE_USD_PER_DAY = 1.0


@dataclass(frozen=True)
class Chain:
    """One cursor chain: a date slice × a chunk of funder IDs."""

    chain_id: str
    date_from: dt.date
    date_to: dt.date
    funder_ids: tuple[str, ...]


def date_slices(start: dt.date, end: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """Split [start, end] into at most ``n`` contiguous, non-overlapping inclusive slices."""
    days = (end - start).days + 1
    n = max(1, min(n, days))
    bounds = [start + dt.timedelta(days=round(i * days / n)) for i in range(n + 1)]
    return [(bounds[i], bounds[i + 1] - dt.timedelta(days=1)) for i in range(n)]


def _works(chain: Chain, codes: tuple[str, ...]) -> pyalex.Works:
    """Works of the chain's funders and window; no country filter when ``codes`` is empty
    (``[scope] raw_strings``: the PRC scope is then decided locally, see biblio.evidence)."""
    ors: dict[str, Any] = {"funders": {"id": list(chain.funder_ids)}}
    if codes:
        ors["authorships"] = {"institutions": {"country_code": [c.lower() for c in codes]}}
    return (
        pyalex.Works()
        .filter_or(**ors)
        .filter(from_publication_date=chain.date_from.isoformat(), to_publication_date=chain.date_to.isoformat())
    )


def _first_page_url(chain: Chain, codes: tuple[str, ...]) -> str:
    w = _works(chain, codes)
    w._add_params("cursor", "*")
    w._add_params("per-page", PER_PAGE)
    return w.url


def _funder_chunks(ids: tuple[str, ...], codes: tuple[str, ...], query: Query) -> list[tuple[str, ...]]:
    """Chunks of at most 100 IDs whose first-page URL stays under 4,094 characters."""
    chunks: list[tuple[str, ...]] = []
    cur: list[str] = []
    for fid in ids:
        trial = (*cur, fid)
        too_long = len(_first_page_url(Chain("p", query.date_from, query.date_to, trial), codes)) >= MAX_URL_CHARS
        if cur and (len(trial) > MAX_OR_VALUES or too_long):
            chunks.append(tuple(cur))
            cur = [fid]
        else:
            cur = list(trial)
    if cur:
        chunks.append(tuple(cur))
    return chunks


def plan_chains(query: Query) -> list[Chain]:
    """The request chains for a query: date slices × funder-ID chunks."""
    chunks = _funder_chunks(query.funder_ids, query.filter_codes, query)
    chains = []
    for i, (a, b) in enumerate(date_slices(query.date_from, query.date_to, query.fetch.slices)):
        for j, ids in enumerate(chunks):
            chains.append(Chain(f"s{i:02d}-c{j:02d}", a, b, ids))
    return chains


def request_urls(query: Query, *, settings: Settings | None = None) -> list[str]:
    """The exact first-page URL of each request chain (no API key: it travels in a header)."""
    base = (settings or Settings()).openalex_url
    return [redact_url(_rebase(_first_page_url(c, query.filter_codes), base)) for c in plan_chains(query)]


def _rebase(url: str, base: str) -> str:
    return base.rstrip("/") + url[len(API_HOST) :] if url.startswith(API_HOST) else url


class RateLimiter:
    """A global limit of ``rate`` requests per second, shared by all threads."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    @property
    def rate(self) -> float:
        return 1.0 / self.interval

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self.interval
        if at > now:
            self._sleep(at - now)

    def slow_down(self, *, factor: float = 0.5, floor: float = MIN_RATE) -> float:
        """Lower the rate (after a "too fast" 429); returns the new rate."""
        with self._lock:
            self.interval = 1.0 / max(floor, min(self.rate, self.rate * factor))
            return self.rate


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.rate_headers: dict[str, str] = {}
        self.local = threading.local()


class _RouteAdapter(HTTPAdapter):
    """Rewrites pyalex's hard-coded host, rate-limits, sets a timeout, keeps the raw response."""

    def __init__(self, *, base_url: str, limiter: RateLimiter, timeout: float, stats: _Stats) -> None:
        super().__init__(max_retries=0, pool_maxsize=32)
        self.base_url = base_url.rstrip("/")
        self.limiter, self.timeout, self.stats = limiter, timeout, stats

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if request.url and request.url.startswith(API_HOST) and self.base_url != API_HOST:
            request.url = self.base_url + request.url[len(API_HOST) :]
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        self.stats.local.last = None
        self.limiter.acquire()
        with self.stats.lock:
            self.stats.requests += 1
        resp = super().send(request, **kwargs)
        self.stats.local.last = resp
        hdr = {k: v for k, v in resp.headers.items() if k.lower().startswith("x-ratelimit")}
        if hdr:
            with self.stats.lock:
                self.stats.rate_headers = hdr
        return resp


@contextmanager
def routed(settings: Settings, *, limiter: RateLimiter, timeout: float, stats: _Stats) -> Iterator[None]:
    """Within this block, every pyalex session routes through :class:`_RouteAdapter`."""
    orig_session = pyalex.api._get_requests_session
    saved = {k: pyalex.config.get(k) for k in ("api_key", "max_retries", "email")}

    def make_session() -> requests.Session:
        s = orig_session()
        s.mount(API_HOST, _RouteAdapter(base_url=settings.openalex_url, limiter=limiter, timeout=timeout, stats=stats))
        return s

    pyalex.api._get_requests_session = make_session
    pyalex.config.api_key = settings.api_key
    pyalex.config.max_retries = 0
    pyalex.config.email = None
    try:
        yield
    finally:
        pyalex.api._get_requests_session = orig_session
        for k, v in saved.items():
            pyalex.config[k] = v


# -- the cache on disk ---------------------------------------------------------------------
def _write_bytes(path: Path, data: bytes) -> None:
    """The one place cache bytes hit the disk (tests replace it to simulate a full disk)."""
    path.write_bytes(data)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename: a reader never sees a torn file.

    Any ``OSError`` (ENOSPC, EACCES, …) becomes one :class:`CacheWriteError` naming the path;
    the temporary file is removed and the previous content of ``path`` is untouched.
    """
    tmp = path.with_name(path.name + f".tmp{os.getpid()}.{threading.get_ident()}")
    try:
        _write_bytes(tmp, data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise _cache_error(path, e) from None


def _cache_error(path: Path, e: OSError) -> CacheWriteError:
    why = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or type(e).__name__)
    return CacheWriteError(
        f"cannot write the cache file {path}: {why}; free space (or point BIBLIO_CACHE_DIR elsewhere) and re-run "
        "to resume; the pages already cached are intact"
    )


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _cache_error(path, e) from None


def iter_cached_pages(cache_dir: str | Path) -> Iterator[tuple[str, int, list[dict[str, Any]]]]:
    """Yield ``(chain_id, page_number, records)`` for every cached page, in chain and page order.

    Streams one page at a time (for batch writers); records are raw OpenAlex JSON, not yet
    de-duplicated across pages.

    Example:
        >>> sum(len(recs) for _c, _n, recs in iter_cached_pages(result.cache_dir))   # doctest: +SKIP
        250
    """
    root = Path(cache_dir)
    if not root.exists():
        return
    for chain_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for n, recs in _chain_pages(chain_dir):
            yield chain_dir.name, n, recs


def _chain_pages(chain_dir: Path) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    for page in sorted(chain_dir.glob("page-*.json")):
        try:
            doc = json.loads(page.read_bytes())
        except (json.JSONDecodeError, OSError):
            continue  # writes are atomic, so a torn page cannot be here; never crash on one
        yield int(page.stem.split("-")[1]), list(doc.get("results") or []) if isinstance(doc, dict) else []


def _retry_after(resp: requests.Response | None) -> float | None:
    return None if resp is None else retry_after(resp.headers)


def credits_left(headers: Any) -> tuple[str, float] | None:
    """The ``X-RateLimit-Remaining*`` header OpenAlex sent (USD first, then credit variants).

    Example:
        >>> credits_left({"X-RateLimit-Remaining-USD": "0.25"})
        ('X-RateLimit-Remaining-USD', 0.25)
    """
    if headers is None:
        return None
    items = {k.lower(): (k, v) for k, v in dict(headers).items()}
    for name in ("x-ratelimit-remaining-usd", "x-ratelimit-remaining-credits", "x-ratelimit-credits-remaining", "x-ratelimit-remaining"):
        if name in items:
            try:
                return items[name][0], float(items[name][1])
            except ValueError:
                return None
    return None


def _is_connect_error(e: Exception) -> bool:
    if isinstance(e, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(e, requests.ConnectionError) or isinstance(e, requests.exceptions.ChunkedEncodingError):
        return False
    reason = getattr(e.args[0], "reason", None) if e.args else None
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)) or "Failed to establish" in str(e)


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Tries:
    fail: int = 0
    empty: int = 0
    repeat: int = 0
    connect_since: float | None = None


@dataclass
class _Run:
    """What the threads share: stop event, request budget, errors, "too fast" count."""

    max_requests: int | None
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    errors: list[BiblioError] = field(default_factory=list)
    too_fast: int = 0

    def spend_one(self) -> None:
        with self.lock:
            if self.max_requests is not None and self.issued >= self.max_requests:
                raise BudgetError(
                    f"stopped at the request budget ([fetch] max_requests = {self.max_requests}); everything fetched is cached; "
                    "re-run (with a larger max_requests, or tomorrow) to resume"
                )
            self.issued += 1


class _Fetcher:
    """Runs cursor chains into the page cache; one instance per fetch."""

    def __init__(
        self,
        *,
        root: Path,
        options: Any,
        settings: Settings,
        build: Callable[[Chain], Any],
        sleep: Callable[[float], Any] | None = None,
        progress: Any = None,
        on_page: Any = None,
        empty_on_404: bool = False,
    ) -> None:
        self.root, self.opt, self.s, self.build = root, options, settings, build
        self.run = _Run(max_requests=getattr(options, "max_requests", None))
        self.stop = self.run.stop
        self._sleep_fn = sleep
        self.stats = _Stats()
        self.progress = progress
        self.on_page = on_page
        self.empty_on_404 = empty_on_404
        self.limiter = RateLimiter(options.rate_limit, sleep=self.stop.wait)
        self.meta_counts: dict[str, int] = {}
        self.lock = threading.Lock()

    @classmethod
    def for_query(cls, query: Query, settings: Settings, **kw: Any) -> "_Fetcher":
        """The fetcher of a works query: cache keyed on the query's fetch hash."""
        return cls(root=settings.cache_dir / query.fetch_hash, options=query.fetch, settings=settings, build=lambda c: _works(c, query.filter_codes), **kw)

    def wait(self, seconds: float) -> None:
        """Sleep that a stop (Ctrl-C, a fatal error elsewhere) cuts short."""
        if self._sleep_fn is not None:
            self._sleep_fn(seconds)
        else:
            self.stop.wait(seconds)

    # -- state --------------------------------------------------------------------------
    def state(self, chain: Chain) -> dict[str, Any]:
        p = self.root / chain.chain_id / "state.json"
        st: dict[str, Any] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
        st.setdefault("next_cursor", "*")
        st.setdefault("done", False)
        st.setdefault("pages", 0)
        st.setdefault("meta_count", None)
        st.setdefault("received", None)
        st.setdefault("cursors", [])
        st.setdefault("fetched", [])
        st.setdefault("empty_pages_followed", 0)
        st["chain"] = {"from": chain.date_from.isoformat(), "to": chain.date_to.isoformat(), "funder_ids": list(chain.funder_ids)}
        if st["received"] is None:  # caches written before the count was kept
            st["received"] = sum(len(r) for _n, r in _chain_pages(self.root / chain.chain_id))
        return st

    def _save_state(self, chain: Chain, state: dict[str, Any]) -> None:
        _atomic_write(self.root / chain.chain_id / "state.json", json.dumps(state, indent=1).encode())

    # -- one chain ----------------------------------------------------------------------
    def run_chain(self, chain: Chain) -> None:
        d = self.root / chain.chain_id
        _mkdir(d)
        for tmp in d.glob("*.tmp*"):
            tmp.unlink(missing_ok=True)  # left by a process killed mid-write
        st = self.state(chain)
        self._publish(chain, st, works=0)
        tries = _Tries()
        while not st["done"] and not self.stop.is_set():
            cursor = st["next_cursor"]
            try:
                self.run.spend_one()
                doc, body = self._get_page(chain, cursor)
            except BiblioError:
                raise
            except Exception as e:  # noqa: BLE001 - classified in _handle; unknown errors stop with a message
                tries.fail += 1
                try:
                    self._handle(e, tries, chain)
                except _ChainEmpty:
                    return
                continue
            tries.fail, tries.connect_since = 0, None
            self._advance(chain, st, cursor, doc, body, tries)
            self._check_credits_left()

    def _get_page(self, chain: Chain, cursor: str) -> tuple[dict[str, Any], bytes]:
        self.stats.local.last = None
        self.build(chain).get(per_page=PER_PAGE, cursor=cursor)
        raw: requests.Response = self.stats.local.last
        doc = json.loads(raw.content)
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list) or not isinstance(doc.get("meta"), dict):
            raise ValueError("not an OpenAlex results page (no results/meta)")
        return doc, raw.content

    def _advance(self, chain: Chain, st: dict[str, Any], cursor: str, doc: dict[str, Any], body: bytes, tries: _Tries) -> None:
        """Store a page once per cursor and move the chain on (or decide to ask again)."""
        results, nxt = doc["results"], doc["meta"].get("next_cursor")
        if not results and nxt is not None and tries.empty < EMPTY_PAGE_RETRIES:
            tries.empty += 1  # mid-chain empty page: ask again before following its cursor
            self.wait(backoff(tries.empty) / 4)
            return
        new = cursor not in st["cursors"]
        if new:
            if results:
                n = st["pages"] + 1
                _atomic_write(self.root / chain.chain_id / f"page-{n:05d}.json", body)
                st["pages"], st["received"] = n, st["received"] + len(results)
                st["fetched"].append(_now_iso())
            elif nxt is not None:
                st["empty_pages_followed"] += 1
            st["cursors"] = (st["cursors"] + [cursor])[-64:]
        tries.empty = 0
        st["meta_count"] = doc["meta"].get("count", st["meta_count"])
        if nxt is None:
            st["done"] = True
        elif nxt in st["cursors"]:
            tries.repeat += 1
            if tries.repeat >= CURSOR_REPEAT_LIMIT:
                self._save_state(chain, st)
                raise CursorLoopError(
                    f"chain {chain.chain_id} ({chain.date_from}..{chain.date_to}): OpenAlex returned cursor {_short(nxt)!r} "
                    f"{tries.repeat} times without advancing; stopped this chain after {st['received']} of {st['meta_count']} records "
                    "(cached); re-run later, or use more [fetch] slices to split it"
                )
            self.wait(backoff(tries.repeat) / 4)
        else:
            st["next_cursor"], tries.repeat = nxt, 0
        self._save_state(chain, st)
        self._publish(chain, st, works=len(results) if new else 0)
        if new and results and self.on_page is not None:
            self.on_page(chain.chain_id, results)

    def _publish(self, chain: Chain, st: dict[str, Any], *, works: int) -> None:
        with self.lock:
            self.meta_counts[chain.chain_id] = st["meta_count"] or 0
            total = sum(self.meta_counts.values())
        if self.progress is not None:
            self.progress(pages=1 if works else 0, works=works, meta_count=total)

    def _check_credits_left(self) -> None:
        left = credits_left(getattr(self.stats.local.last, "headers", None))
        if left is not None and left[1] <= 0:
            raise BudgetError(
                f"OpenAlex's daily credits are spent ({left[0]}={left[1]:g}); everything fetched is cached; "
                "re-run after the daily reset (midnight UTC) to resume"
            )

    def get_list(self, make: Callable[[], Any], *, label: str) -> tuple[list[dict[str, Any]], bytes]:
        """One list page (``/funders``, ``/awards``) with every retry rule of a works page."""
        chain = Chain(label, dt.date.min, dt.date.min, ())
        tries = _Tries()
        while not self.stop.is_set():
            try:
                self.run.spend_one()
                self.stats.local.last = None
                make().get(per_page=PER_PAGE)
                raw: requests.Response = self.stats.local.last
                doc = json.loads(raw.content)
                if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
                    raise ValueError("not an OpenAlex results page (no results)")
                return list(doc["results"]), raw.content
            except BiblioError:
                raise
            except Exception as e:  # noqa: BLE001 - classified in _handle
                tries.fail += 1
                self._handle(e, tries, chain)
        raise FetchInterrupted("interrupted; re-run to resume")

    # -- faults -------------------------------------------------------------------------
    def _handle(self, e: Exception, tries: _Tries, chain: Chain) -> None:
        """Retry a transient fault after a wait, or raise a one-line error."""
        resp: requests.Response | None = getattr(self.stats.local, "last", None)
        status = resp.status_code if resp is not None else None
        if status in (401, 403):
            raise AuthError(
                f"OpenAlex refused the API key (HTTP {status}); set OPENALEX_API_KEY to a valid key (free from openalex.org). Pages fetched so far are cached; re-run to resume."
            )
        if status == 404 and self.empty_on_404:
            return self._not_found(chain)
        if status == 400:
            raise FetchError(f"OpenAlex rejected the query (HTTP 400) for chain {chain.chain_id}; check the query file's filters")
        if status == 429:
            return self._too_fast_or_spent(resp, tries, chain)
        retryable = (status in RETRY_STATUS) or (
            (status is None or status == 200) and isinstance(e, (requests.RequestException, ValueError, urllib3.exceptions.HTTPError))
        )
        if not retryable:
            raise FetchError(
                f"unexpected answer from OpenAlex ({f'HTTP {status}' if status else type(e).__name__}: {redact_url(e)[:120]}) in chain "
                f"{chain.chain_id}; pages fetched so far are cached, re-run to resume"
            )
        if _is_connect_error(e):
            return self._unreachable(e, tries)
        if tries.fail > self.opt.max_retries:
            what = f"HTTP {status}" if status and status != 200 else type(e).__name__
            raise BudgetError(f"gave up after {self.opt.max_retries} retries ({what}) in chain {chain.chain_id}; pages fetched so far are cached, re-run later to resume")
        wait = backoff(tries.fail)
        ra = _retry_after(resp) if status == 503 else None
        if ra is not None:
            self._cap_retry_after(ra, status)
            wait = ra + random.random() * 0.1
        self.wait(wait)

    def _not_found(self, chain: Chain) -> None:
        """A 404 where "no such thing" means "no records" (e.g. an unknown author): an empty, done chain."""
        st = self.state(chain)
        st.update(done=True, meta_count=0)
        self._save_state(chain, st)
        raise _ChainEmpty()

    def _unreachable(self, e: Exception, tries: _Tries) -> None:
        tries.connect_since = tries.connect_since or time.monotonic()
        if tries.fail > min(self.opt.max_retries, CONNECT_RETRIES):
            took = time.monotonic() - tries.connect_since
            raise UnreachableError(
                f"cannot reach OpenAlex at {self.s.openalex_url} (connection refused or timed out, {tries.fail} tries over {took:.0f} s); "
                "check the network or BIBLIO_OPENALEX_URL, then re-run; pages fetched so far are cached"
            )
        self.wait(backoff(tries.fail))

    def _cap_retry_after(self, ra: float, status: int | None) -> None:
        if ra > self.opt.max_retry_after:
            raise BudgetError(
                f"OpenAlex asked to wait {ra:.0f} s (~{ra / 3600:.1f} h) before retrying (HTTP {status}: daily credits spent), more than "
                f"max_retry_after={self.opt.max_retry_after:.0f} s; pages fetched so far are cached, re-run later to resume"
            )

    def _too_fast_or_spent(self, resp: requests.Response, tries: _Tries, chain: Chain) -> None:
        """Tell "too fast" (wait, then slow down) from "daily credits spent" (stop)."""
        ra = _retry_after(resp)
        left = credits_left(resp.headers)
        if left is not None and left[1] <= 0:
            raise BudgetError(
                f"OpenAlex's daily credits are spent (HTTP 429, {left[0]}={left[1]:g}"
                f"{f', Retry-After {ra:.0f} s (~{ra / 3600:.1f} h)' if ra else ''}); pages fetched so far are cached; "
                "re-run after the daily reset (midnight UTC) to resume"
            )
        if ra is not None:
            self._cap_retry_after(ra, 429)
        with self.run.lock:
            self.run.too_fast += 1
        self.limiter.slow_down()
        if tries.fail > self.opt.max_retries:
            raise BudgetError(f"gave up after {self.opt.max_retries} retries (HTTP 429, too fast) in chain {chain.chain_id}; pages fetched so far are cached, re-run later to resume")
        self.wait(ra + random.random() * 0.1 if ra is not None else backoff(tries.fail))


class _ChainEmpty(Exception):
    """Internal: the chain turned out to have no records (404 with ``empty_on_404``)."""


def _short(cursor: str) -> str:
    return cursor if len(cursor) <= 24 else cursor[:20] + "…"


def _run_threads(f: _Fetcher, chains: list[Chain], *, workers: int) -> None:
    """Run the chains on daemon threads; Ctrl-C sets the stop event and returns within ~1.5 s."""
    todo: queue.SimpleQueue[Chain] = queue.SimpleQueue()
    for c in chains:
        todo.put(c)

    def worker() -> None:
        while not f.stop.is_set():
            try:
                chain = todo.get_nowait()
            except queue.Empty:
                return
            try:
                f.run_chain(chain)
            except CursorLoopError as e:  # this chain only; the others go on
                with f.run.lock:
                    f.run.errors.append(e)
            except BiblioError as e:
                with f.run.lock:
                    f.run.errors.append(e)
                f.stop.set()
            except Exception as e:  # noqa: BLE001 - never a traceback from a worker
                with f.run.lock:
                    f.run.errors.append(FetchError(f"internal error while fetching chain {chain.chain_id} ({type(e).__name__}: {str(e)[:160]}); pages fetched so far are cached"))
                f.stop.set()

    threads = [threading.Thread(target=worker, name=f"biblio-fetch-{i}", daemon=True) for i in range(max(1, min(workers, len(chains))))]
    for t in threads:
        t.start()
    try:
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(timeout=0.1)
    except KeyboardInterrupt:
        f.stop.set()
        deadline = time.monotonic() + 1.5
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        pages = sum(1 for _ in f.root.glob("*/page-*.json"))
        raise FetchInterrupted(f"interrupted; {pages} pages are cached, re-run to resume") from None


def fetch_openalex(
    query: Query,
    *,
    settings: Settings,
    progress: bool = False,
    sleep: Callable[[float], Any] | None = None,
    refresh: bool = False,
    on_page: Callable[[str, list[dict[str, Any]]], None] | None = None,
) -> FetchResult:
    """Fetch a query from the OpenAlex API (or a mirror), resuming from the cache.

    ``refresh=True`` ignores (and replaces) the cached pages of this query. ``on_page(chain_id,
    records)`` is called from a worker thread for every new page, as it is cached.
    Raises :class:`AuthError` / :class:`BudgetError` / :class:`FetchError` (and subclasses)
    when it has to stop; the exception's ``partial`` attribute holds a :class:`FetchResult`
    of what is cached. Ctrl-C raises :class:`FetchInterrupted` (exit code 130 in the CLI).

    Example:
        >>> r = fetch_openalex(load_query("queries/dod-prc-2023-2025.toml"), settings=Settings.from_env())  # doctest: +SKIP
        >>> r.complete, r.shortfall, r.fetched_dates                                                        # doctest: +SKIP
        (True, 0, {'2026-12-02': 31})
    """
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        raise AuthError("OPENALEX_API_KEY is not set; OpenAlex requires a (free) API key since Feb 2026: get one at openalex.org and export OPENALEX_API_KEY=…")
    from biblio.funders import funder_plan

    plan = funder_plan(query, settings=settings, sleep=sleep)
    query = dataclasses.replace(query, funder_ids=tuple(p["id"] for p in plan if p["used"]))
    chains = plan_chains(query)
    bar = _Progress(enabled=progress, n_chains=len(chains))
    f = _Fetcher.for_query(query, settings, sleep=sleep, progress=bar.update if progress else None, on_page=on_page)
    if refresh and f.root.exists():
        try:
            shutil.rmtree(f.root)
        except OSError as e:
            raise _cache_error(f.root, e) from None
    with routed(settings, limiter=f.limiter, timeout=query.fetch.timeout, stats=f.stats), bar:
        try:
            _run_threads(f, chains, workers=16)
        except FetchInterrupted as e:
            e.partial = _result(f, chains, query, settings)  # type: ignore[attr-defined]
            e.partial.funders_used = plan  # type: ignore[attr-defined]
            raise
    result = _result(f, chains, query, settings)
    result.funders_used = plan
    errors = sorted(f.run.errors, key=lambda e: isinstance(e, CursorLoopError))  # run-level errors first
    if errors:
        errors[0].partial = result  # type: ignore[attr-defined]
        raise errors[0]
    return result


def _chain_report(f: _Fetcher, chain: Chain) -> dict[str, Any]:
    st = f.state(chain) if (f.root / chain.chain_id / "state.json").exists() else None
    st = st or {"meta_count": None, "received": 0, "pages": 0, "done": False, "fetched": [], "empty_pages_followed": 0}
    short = max(0, (st["meta_count"] or 0) - st["received"]) if st["done"] else None
    err = next((str(e) for e in f.run.errors if chain.chain_id in str(e)), None)
    return {
        "chain_id": chain.chain_id,
        "date_from": chain.date_from.isoformat(),
        "date_to": chain.date_to.isoformat(),
        "n_funder_ids": len(chain.funder_ids),
        "meta_count": st["meta_count"],
        "received": st["received"],
        "shortfall": short,
        "pages": st["pages"],
        "done": st["done"],
        "empty_pages_followed": st["empty_pages_followed"],
        "first_fetched": min(st["fetched"], default=None),
        "last_fetched": max(st["fetched"], default=None),
        "error": err,
    }


def _result(f: _Fetcher, chains: list[Chain], query: Query, settings: Settings) -> FetchResult:
    """Everything cached for this query, with per-chain completeness and fetch dates."""
    reports = [_chain_report(f, c) for c in chains]
    seen: dict[str, dict[str, Any]] = {}
    dups = pages = 0
    for _c, _n, recs in iter_cached_pages(f.root):
        pages += 1
        for r in recs:
            wid = str(r.get("id") or "")
            if wid and wid in seen:
                dups += 1
            elif wid:
                seen[wid] = r
    dates: Counter[str] = Counter()
    for c in chains:
        p = f.root / c.chain_id / "state.json"
        if p.exists():
            dates.update(ts[:10] for ts in json.loads(p.read_text(encoding="utf-8")).get("fetched", []))
    records = list(seen.values())
    warnings = _warnings(reports)
    done = all(r["done"] for r in reports)
    shortfall = sum(r["shortfall"] or 0 for r in reports)
    notes = list(warnings)
    if dups:
        notes.append(f"{dups} duplicate records (same work ID across pages or slices) dropped")
    if f.run.too_fast:
        notes.append(f"OpenAlex said 'too fast' (HTTP 429) {f.run.too_fast} times; the rate was lowered to {f.limiter.rate:.1f} requests/s")
    if f.stats.rate_headers:
        notes.append("rate-limit headers: " + ", ".join(f"{k}={v}" for k, v in sorted(f.stats.rate_headers.items())))
    if not done:
        notes.append("INCOMPLETE: the fetch stopped early; re-run to resume from the cache")
    return FetchResult(
        records=records,
        source="openalex",
        complete=done and shortfall == 0,
        meta_count=sum(r["meta_count"] or 0 for r in reports) if any(r["meta_count"] is not None for r in reports) else None,
        pages=pages,
        requests=f.stats.requests,
        data_date=max(dates) if dates else dt.date.today().isoformat(),
        n_synthetic=sum(is_synthetic_record(r) for r in records),
        cache_dir=str(f.root),
        notes=notes,
        request_urls=request_urls(query, settings=settings),
        chains=reports,
        shortfall=shortfall,
        fetched_dates=dict(sorted(dates.items())),
        warnings=warnings,
    )


def _warnings(reports: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in reports:
        where = f"chain {r['chain_id']} ({r['date_from']}..{r['date_to']}, {r['n_funder_ids']} funder IDs)"
        if r["shortfall"]:
            out.append(f"WARNING: {where} received {r['received']} of the {r['meta_count']} records OpenAlex counted ({r['shortfall']} missing)")
        elif not r["done"]:
            out.append(f"WARNING: {where} stopped after {r['received']} of {r['meta_count'] if r['meta_count'] is not None else '?'} records")
        if r["empty_pages_followed"]:
            out.append(f"WARNING: {where}: {r['empty_pages_followed']} empty page(s) with a next_cursor were followed")
    return out


def estimate_requests(query: Query, *, settings: Settings) -> dict[str, Any]:
    """Requests and credits a fetch of ``query`` will need, from the cache where it knows.

    A chain already cached costs nothing; a chain with a known ``meta.count`` costs one
    request per 100 works left; an unknown chain costs at least one request.

    Example:
        >>> estimate_requests(load_query("queries/dod-prc-2023-2025.toml"), settings=Settings())["chains"]  # doctest: +SKIP
        8
    """
    f = _Fetcher.for_query(query, settings)
    chains = plan_chains(query)
    known = unknown = cached = 0
    for c in chains:
        p = f.root / c.chain_id / "state.json"
        st = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
        if st.get("done"):
            cached += 1
        elif st.get("meta_count") is not None:
            known += max(1, math.ceil((st["meta_count"] - st.get("received", 0)) / PER_PAGE))
        else:
            unknown += 1
    n = known + unknown
    return {
        "chains": len(chains),
        "chains_cached": cached,
        "requests_min": n,
        "requests_exact": unknown == 0,
        "usd_min": round(n * LIST_CALL_USD, 4),
        "usd_per_day": FREE_USD_PER_DAY,
        "free_list_calls_per_day": int(FREE_USD_PER_DAY / LIST_CALL_USD),
        "api_key_set": settings.api_key is not None,
    }


class _Progress:
    """A rich progress bar (pages, works, meta.count) on stderr, or nothing."""

    def __init__(self, *, enabled: bool, n_chains: int) -> None:
        self.enabled = enabled
        self.n_chains = n_chains
        self._p: Any = None
        self._task: Any = None
        self.pages = self.works = 0
        self.lock = threading.Lock()

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(TextColumn("[bold]OpenAlex[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("works · {task.fields[pages]} pages · {task.fields[chains]} chains"), TimeElapsedColumn(), transient=False)
            self._p.__enter__()
            self._task = self._p.add_task("fetch", total=None, pages=0, chains=self.n_chains)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)

    def update(self, *, pages: int, works: int, meta_count: int) -> None:
        with self.lock:
            self.pages += pages
            self.works += works
            if self._p is not None:
                self._p.update(self._task, completed=self.works, total=meta_count or None, pages=self.pages)


# ---------------------------------------------------------------------------------------
# Works by author (vetting): ``authorships.author.id`` / ``authorships.author.orcid`` filters
# ---------------------------------------------------------------------------------------
def _author_works(ids: tuple[str, ...], orcids: tuple[str, ...], date_from: dt.date, date_to: dt.date) -> pyalex.Works:
    w = pyalex.Works()
    if ids:
        w = w.filter(authorships={"author": {"id": "|".join(ids)}})
    if orcids:
        w = w.filter(authorships={"author": {"orcid": "|".join(f"https://orcid.org/{o}" for o in orcids)}})
    return w.filter(from_publication_date=date_from.isoformat(), to_publication_date=date_to.isoformat())


def author_request_url(*, author_id: str | None = None, orcid: str | None = None, date_from: dt.date, date_to: dt.date,
                       settings: Settings | None = None) -> str:
    """The first-page URL that :func:`fetch_author_works` requests for one person."""
    w = _author_works((author_id,) if author_id else (), (orcid,) if orcid else (), date_from, date_to)
    w._add_params("cursor", "*")
    w._add_params("per-page", PER_PAGE)
    return _rebase(w.url, (settings or Settings()).openalex_url)


def fetch_author_works(
    *,
    author_id: str | None = None,
    orcid: str | None = None,
    date_from: dt.date,
    date_to: dt.date,
    settings: Settings,
    options: Any,
    sleep: Callable[[float], None] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One person's works in a window (by OpenAlex author ID or ORCID), paged and cached.

    Returns ``(records, stats)``; stats has ``requests``, ``pages``, ``meta_count``,
    ``complete`` and ``wait_s`` (seconds spent waiting on the network). Pages are cached
    under ``<cache>/vet/<hash>/`` so a re-run resumes. A 404 or an empty result is not an
    error: the person simply has no works in the window.
    """
    recs, st = fetch_team_works([(author_id, orcid)], date_from=date_from, date_to=date_to, settings=settings, options=options, sleep=sleep)
    return recs[0], {"requests": st["requests"], "pages": st["pages"], "meta_count": st["meta_counts"][0], "complete": st["complete"], "wait_s": st["wait_s"]}


def _chain_records(chain_dir: Path) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for page in sorted(chain_dir.glob("page-*.json")):
        try:
            doc = json.loads(page.read_bytes())
        except json.JSONDecodeError:
            continue
        for r in doc.get("results") or [] if isinstance(doc, dict) else []:
            if isinstance(r, dict) and r.get("id"):
                seen.setdefault(str(r["id"]), r)
    return list(seen.values())


def works_by_doi(
    dois: list[str],
    *,
    settings: Settings,
    rate_limit: float = 10.0,
    timeout: float = 30.0,
    max_retries: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """The OpenAlex record of each DOI by single-record lookup (``/works/doi:…``, free of credits).

    A DOI OpenAlex does not know (404) is skipped; 429/5xx, resets and timeouts are retried
    with backoff; a refused key raises :class:`AuthError`, a spent retry budget :class:`FetchError`.

    Example:
        >>> works_by_doi(["10.1038/s41586-020-2649-2"], settings=Settings.from_env())  # doctest: +SKIP
        [{'id': 'https://openalex.org/W3042215340', ...}]
    """
    stats = _Stats()
    out: list[dict[str, Any]] = []
    with routed(settings, limiter=RateLimiter(rate_limit), timeout=timeout, stats=stats):
        for doi in dict.fromkeys(d.strip().lower() for d in dois if d and d.strip()):
            rec = _lookup_doi(doi, max_retries=max_retries, sleep=sleep)
            if rec is not None:
                out.append(rec)
    return out


def _lookup_doi(doi: str, *, max_retries: int, sleep: Callable[[float], None]) -> dict[str, Any] | None:
    for attempt in range(max_retries + 1):
        status = None
        try:
            return dict(pyalex.Works()[f"doi:{doi}"])
        except requests.HTTPError as e:
            status = e.response.status_code if e.response is not None else None
            if status == 404:
                return None
            if status in (401, 403):
                raise AuthError(f"OpenAlex refused the API key (HTTP {status}) looking up doi:{doi}; set OPENALEX_API_KEY to a valid key") from None
            if status not in RETRYABLE:
                raise FetchError(f"OpenAlex answered HTTP {status} for doi:{doi}; check the DOI") from None
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        if attempt < max_retries:
            sleep(backoff(attempt + 1))
    raise FetchError(f"gave up looking up doi:{doi} in OpenAlex after {max_retries} retries; re-run later")


# ---------------------------------------------------------------------------------------
# Funders (/funders) and award records (/awards)
# ---------------------------------------------------------------------------------------
LIST_OPTIONS = FetchOptions(slices=1, rate_limit=10.0, max_retries=4, max_retry_after=120.0, timeout=30.0)
"""Rate limit and retry budget for the small list calls (funders, awards): the query's
:class:`~biblio.query.FetchOptions` shape with a smaller retry budget and timeout."""


def _chunks(values: list[str], n: int) -> list[list[str]]:
    return [values[i : i + n] for i in range(0, len(values), n)]


def lookup_funders(
    *,
    openalex_ids: list[str] = (),  # type: ignore[assignment]
    crossref_ids: list[str] = (),  # type: ignore[assignment]
    ror_ids: list[str] = (),  # type: ignore[assignment]
    names: list[str] = (),  # type: ignore[assignment]
    settings: Settings,
    options: FetchOptions | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """``(origin, funder record)`` pairs from OpenAlex ``/funders``, through pyalex.

    ``filter=ids.openalex:…``, ``ids.crossref:…`` and ``ids.ror:…`` (50 values a request),
    and one ``search=NAME`` with ``country_code:us`` per name. Origins: ``openalex:F…``,
    ``crossref:100000006``, ``ror:0447fe631``, ``search:"NAME"``.

    Example:
        >>> lookup_funders(crossref_ids=["100000006"], settings=Settings.from_env())[0][0]   # doctest: +SKIP
        'crossref:100000006'
    """
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        return []
    opt = options or LIST_OPTIONS
    f = _Fetcher(root=settings.cache_dir / "funders", options=opt, settings=settings, build=lambda _c: None, sleep=sleep)
    out: list[tuple[str, dict[str, Any]]] = []

    def by(key: str, values: list[str]) -> None:
        for chunk in _chunks(list(dict.fromkeys(values)), 50):
            recs, _ = f.get_list(lambda c=chunk: pyalex.Funders().filter_or(ids={key: c}), label=f"funders ids.{key}")
            for r in recs:
                got = str((r.get("ids") or {}).get(key) or r.get("id") or "").rstrip("/").rsplit("/", 1)[-1]
                out.append((f"{key}:{got}", r))

    with routed(settings, limiter=f.limiter, timeout=opt.timeout, stats=f.stats):
        by("openalex", [_short_id(x) for x in openalex_ids])
        by("crossref", [x.removeprefix("10.13039/") for x in crossref_ids])
        by("ror", [x.rstrip("/").rsplit("/", 1)[-1] for x in ror_ids])
        for name in names:
            recs, _ = f.get_list(lambda n=name: pyalex.Funders().search(n).filter(country_code="us"), label=f"funders search {name!r}")
            out += [(f'search:"{name}"', r) for r in recs]
    return out


def _short_id(x: str) -> str:
    return str(x).rstrip("/").rsplit("/", 1)[-1].upper()


def fetch_awards(
    award_ids: list[str],
    *,
    settings: Settings,
    options: FetchOptions | None = None,
    refresh: bool = False,
    sleep: Callable[[float], Any] | None = None,
) -> list[dict[str, Any]]:
    """OpenAlex ``/awards`` records (amount, currency, funder, start/end) for award IDs ``G…``.

    Through ``pyalex.Awards`` with ``filter=openalex_id:G…|G…`` (100 IDs a request, one list
    call); each answer is cached raw under ``<cache>/awards/`` like a works page, so a re-run
    is free; ``refresh=True`` ignores the cache. IDs OpenAlex does not know are simply absent.

    Example:
        >>> fetch_awards(["G5453342221"], settings=Settings.from_env())[0]["amount"]   # doctest: +SKIP
        1500000.0
    """
    ids = sorted({_short_id(a) for a in award_ids if a and _short_id(a).startswith("G")})
    root = settings.cache_dir / "awards"
    out: list[dict[str, Any]] = []
    todo: list[tuple[list[str], Path]] = []
    for chunk in _chunks(ids, MAX_OR_VALUES):
        p = root / f"awards-{hashlib.sha256('|'.join(chunk).encode()).hexdigest()[:16]}.json"
        if p.exists() and not refresh:
            out += [r for _n, recs in _chain_pages_file(p) for r in recs]
        else:
            todo.append((chunk, p))
    if not todo:
        return out
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        raise AuthError("OPENALEX_API_KEY is not set; award records come from OpenAlex /awards: get a key at openalex.org and export OPENALEX_API_KEY=…")
    opt = options or LIST_OPTIONS
    f = _Fetcher(root=root, options=opt, settings=settings, build=lambda _c: None, sleep=sleep)
    _mkdir(root)
    with routed(settings, limiter=f.limiter, timeout=opt.timeout, stats=f.stats):
        for chunk, p in todo:
            recs, body = f.get_list(lambda c=chunk: pyalex.Awards().filter_or(openalex_id=c), label=f"awards {chunk[0]}..")
            _atomic_write(p, body)
            out += recs
    return out


def _chain_pages_file(p: Path) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    try:
        doc = json.loads(p.read_bytes())
    except (json.JSONDecodeError, OSError):
        return
    yield 0, list(doc.get("results") or []) if isinstance(doc, dict) else []


def fetch_team_works(
    people: list[tuple[str | None, str | None]],
    *,
    date_from: dt.date,
    date_to: dt.date,
    settings: Settings,
    options: Any,
    sleep: Callable[[float], None] | None = None,
) -> tuple[list[list[dict[str, Any]]], dict[str, Any]]:
    """Several people's works at once: one cursor chain per ``(author_id, orcid)``, run on
    threads under one global rate limit (``options.slices`` at a time), cached like
    :func:`fetch_author_works` (the same cache keys). Returns records per person and totals.

    Example:
        >>> recs, st = fetch_team_works([("A5023888391", None)], date_from=d0, date_to=d1, settings=s, options=o)  # doctest: +SKIP
    """
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        raise AuthError("OPENALEX_API_KEY is not set; OpenAlex requires a (free) API key since Feb 2026: get one at openalex.org and export OPENALEX_API_KEY=…")
    specs: dict[str, tuple[str | None, str | None]] = {}
    chains = []
    for aid, orcid in people:
        key = json.dumps([aid, orcid, date_from.isoformat(), date_to.isoformat()])
        chain = Chain("vet-" + hashlib.sha256(key.encode()).hexdigest()[:16], date_from, date_to, ())
        specs[chain.chain_id] = (aid, orcid)
        chains.append(chain)
    f = _Fetcher(root=settings.cache_dir / "vet", options=options, settings=settings, sleep=sleep, empty_on_404=True,
                 build=lambda c: _author_works(*((x,) if x else () for x in specs[c.chain_id]), date_from, date_to))
    t0 = time.perf_counter()
    with routed(settings, limiter=f.limiter, timeout=options.timeout, stats=f.stats):
        _run_threads(f, list(dict.fromkeys(chains)), workers=max(1, int(getattr(options, "slices", 4))))
    if f.run.errors:
        raise sorted(f.run.errors, key=lambda e: isinstance(e, CursorLoopError))[0]
    states = [f.state(c) for c in chains]
    return [_chain_records(f.root / c.chain_id) for c in chains], {
        "requests": f.stats.requests, "pages": sum(s["pages"] for s in states), "wait_s": time.perf_counter() - t0,
        "complete": all(s["done"] for s in states), "meta_counts": [s["meta_count"] for s in states]}
