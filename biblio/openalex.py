"""The one module that talks to OpenAlex (through pyalex).

* a fresh ``pyalex.Works()`` per request chain; cursor paging, ``per_page=100``, ``n_max=None``;
* filters ``funders.id`` (OR-chunks of at most 100 IDs, URL under 4,094 characters),
  ``authorships.institutions.country_code``, ``from/to_publication_date``;
* the window split into date slices, each its own cursor chain, run in threads under one
  global rate limit;
* retries with capped, jittered backoff on 429, 5xx, timeouts, HTML and truncated JSON;
  ``Retry-After`` honoured up to a cap; beyond it, on 401/403 or when the retry budget is
  spent, the fetch stops with a clear error and everything fetched stays cached;
* every page stored raw as it arrives under ``<cache>/<query hash>/<chain>/``; a re-run
  resumes each chain from its last completed page and records are de-duplicated by ID.

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

import datetime as dt
import email.utils
import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pyalex
import pyalex.api
import requests
from requests.adapters import HTTPAdapter

from biblio.errors import AuthError, BudgetError, FetchError
from biblio.fetchresult import FetchResult, is_synthetic_record
from biblio.query import Query
from biblio.settings import DEFAULT_OPENALEX_URL, Settings, redact_url

API_HOST = "https://api.openalex.org"
PER_PAGE = 100
MAX_OR_VALUES = 100
MAX_URL_CHARS = 4094
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0


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
    probe = Chain("probe", query.date_from, query.date_to, ())
    for fid in ids:
        trial = (*cur, fid)
        too_long = len(_first_page_url(Chain("p", probe.date_from, probe.date_to, trial), codes)) >= MAX_URL_CHARS
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

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self.interval
        if at > now:
            self._sleep(at - now)


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


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _retry_after(resp: requests.Response | None) -> float | None:
    if resp is None:
        return None
    v = resp.headers.get("Retry-After")
    if not v:
        return None
    try:
        return max(0.0, float(v))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(v)
            return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


class _Fetcher:
    def __init__(self, query: Query, settings: Settings, *, sleep: Callable[[float], None], progress: Any) -> None:
        self.q, self.s = query, settings
        self.root = settings.cache_dir / query.fetch_hash
        self.sleep = sleep
        self.stop = threading.Event()
        self.stats = _Stats()
        self.progress = progress
        self.meta_counts: dict[str, int] = {}
        self.lock = threading.Lock()

    # -- state --------------------------------------------------------------------------
    def _state(self, chain: Chain) -> dict[str, Any]:
        p = self.root / chain.chain_id / "state.json"
        if p.exists():
            return json.loads(p.read_text(encoding="utf-8"))
        return {"next_cursor": "*", "done": False, "pages": 0, "meta_count": None, "chain": {
            "from": chain.date_from.isoformat(), "to": chain.date_to.isoformat(), "funder_ids": list(chain.funder_ids)}}

    def _save_state(self, chain: Chain, state: dict[str, Any]) -> None:
        _atomic_write(self.root / chain.chain_id / "state.json", json.dumps(state, indent=1).encode())

    # -- one chain ----------------------------------------------------------------------
    def run_chain(self, chain: Chain) -> None:
        (self.root / chain.chain_id).mkdir(parents=True, exist_ok=True)
        state = self._state(chain)
        if state["meta_count"] is not None:
            with self.lock:
                self.meta_counts[chain.chain_id] = state["meta_count"]
        if state["done"]:
            return
        failures = 0
        while not self.stop.is_set():
            pager = _works(chain, self.q.filter_codes).paginate(method="cursor", cursor=state["next_cursor"], per_page=PER_PAGE, n_max=None)
            try:
                for page in pager:
                    raw = self.stats.local.last
                    body = raw.content if raw is not None else json.dumps({"meta": page.meta, "results": list(page)}).encode()
                    state["pages"] += 1
                    _atomic_write(self.root / chain.chain_id / f"page-{state['pages']:05d}.json", body)
                    state["next_cursor"] = page.meta.get("next_cursor")
                    state["meta_count"] = page.meta.get("count")
                    state["done"] = state["next_cursor"] is None or len(page) == 0
                    self._save_state(chain, state)
                    failures = 0
                    with self.lock:
                        self.meta_counts[chain.chain_id] = state["meta_count"] or 0
                    if self.progress is not None:
                        self.progress(pages=1, works=len(page), meta_count=sum(self.meta_counts.values()))
                    if state["done"] or self.stop.is_set():
                        break
                if state["done"] or self.stop.is_set():
                    return
                state["done"] = True
                self._save_state(chain, state)
                return
            except Exception as e:  # noqa: BLE001 - classified below; unknown errors re-raised
                failures += 1
                self._handle(e, failures, chain)

    def _handle(self, e: Exception, failures: int, chain: Chain) -> None:
        resp: requests.Response | None = getattr(self.stats.local, "last", None)
        status = resp.status_code if resp is not None else None
        if status in (401, 403):
            raise AuthError(
                f"OpenAlex refused the API key (HTTP {status}); set OPENALEX_API_KEY to a valid key (free from openalex.org). Pages fetched so far are cached; re-run to resume."
            )
        if status == 400:
            raise FetchError(f"OpenAlex rejected the query (HTTP 400) for chain {chain.chain_id}; check the query file's filters")
        retryable = (
            status in (429, 500, 502, 503, 504)
            or isinstance(e, (requests.Timeout, requests.ConnectionError, json.JSONDecodeError, requests.exceptions.JSONDecodeError, ValueError))
            and status not in (404,)
        )
        if not retryable:
            raise FetchError(f"unexpected error from OpenAlex ({type(e).__name__}: {redact_url(e)[:120]}) in chain {chain.chain_id}; pages fetched so far are cached, re-run to resume")
        if failures > self.q.fetch.max_retries:
            what = f"HTTP {status}" if status else type(e).__name__
            raise BudgetError(f"gave up after {self.q.fetch.max_retries} retries ({what}) in chain {chain.chain_id}; pages fetched so far are cached, re-run later to resume")
        wait = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (failures - 1)) * (0.5 + random.random() / 2)
        ra = _retry_after(resp) if status in (429, 503) else None
        if ra is not None:
            if ra > self.q.fetch.max_retry_after:
                hours = ra / 3600
                raise BudgetError(
                    f"OpenAlex asked to wait {ra:.0f} s (~{hours:.1f} h) before retrying (HTTP {status}: daily budget likely spent), more than max_retry_after={self.q.fetch.max_retry_after:.0f} s; pages fetched so far are cached, re-run later to resume"
                )
            wait = ra + random.random() * 0.1
        self.sleep(wait)

    # -- results ------------------------------------------------------------------------
    def records(self) -> tuple[list[dict[str, Any]], int, int]:
        """All cached records (de-duplicated by work ID), pages read, duplicates dropped."""
        seen: dict[str, dict[str, Any]] = {}
        dups = pages = 0
        for chain_dir in sorted(p for p in self.root.iterdir() if p.is_dir()) if self.root.exists() else []:
            for page in sorted(chain_dir.glob("page-*.json")):
                pages += 1
                try:
                    doc = json.loads(page.read_bytes())
                except json.JSONDecodeError:
                    continue  # a torn write cannot be here (atomic), but never crash on one
                for r in doc.get("results") or []:
                    wid = str(r.get("id") or "")
                    if not wid:
                        continue
                    if wid in seen:
                        dups += 1
                    else:
                        seen[wid] = r
        return list(seen.values()), pages, dups


def fetch_openalex(
    query: Query,
    *,
    settings: Settings,
    progress: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch a query from the OpenAlex API (or a mirror), resuming from the cache.

    Raises :class:`AuthError` / :class:`BudgetError` / :class:`FetchError` when it has to
    stop; the exception's ``partial`` attribute holds a :class:`FetchResult` of what is cached.
    """
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        raise AuthError("OPENALEX_API_KEY is not set; OpenAlex requires a (free) API key since Feb 2026: get one at openalex.org and export OPENALEX_API_KEY=…")
    chains = plan_chains(query)
    bar = _Progress(enabled=progress, n_chains=len(chains))
    f = _Fetcher(query, settings, sleep=sleep, progress=bar.update if progress else None)
    limiter = RateLimiter(query.fetch.rate_limit)
    error: Exception | None = None
    with routed(settings, limiter=limiter, timeout=query.fetch.timeout, stats=f.stats), bar:
        with ThreadPoolExecutor(max_workers=max(1, min(len(chains), 16))) as pool:
            futures = [pool.submit(f.run_chain, c) for c in chains]
            for fut in futures:
                try:
                    fut.result()
                except (AuthError, BudgetError, FetchError) as e:
                    f.stop.set()
                    error = error or e
    records, pages, dups = f.records()
    done = all(f._state(c)["done"] for c in chains)
    notes = []
    if dups:
        notes.append(f"{dups} duplicate records (same work ID across pages or slices) dropped")
    if f.stats.rate_headers:
        notes.append("rate-limit headers: " + ", ".join(f"{k}={v}" for k, v in sorted(f.stats.rate_headers.items())))
    if not done:
        notes.append("INCOMPLETE: the fetch stopped early; re-run to resume from the cache")
    result = FetchResult(
        records=records,
        source="openalex",
        complete=done,
        meta_count=sum(f.meta_counts.values()) if f.meta_counts else None,
        pages=pages,
        requests=f.stats.requests,
        data_date=dt.date.today().isoformat(),
        n_synthetic=sum(is_synthetic_record(r) for r in records),
        cache_dir=str(f.root),
        notes=notes,
        request_urls=request_urls(query, settings=settings),
    )
    if error is not None:
        error.partial = result  # type: ignore[attr-defined]
        raise error
    return result


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
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One person's works in a window (by OpenAlex author ID or ORCID), paged and cached.

    Returns ``(records, stats)``; stats has ``requests``, ``pages``, ``meta_count``,
    ``complete`` and ``wait_s`` (seconds spent waiting on the network). Pages are cached
    under ``<cache>/vet/<hash>/`` so a re-run resumes. A 404 or an empty result is not an
    error: the person simply has no works in the window.
    """
    if settings.api_key is None and settings.openalex_url == DEFAULT_OPENALEX_URL:
        raise AuthError("OPENALEX_API_KEY is not set; OpenAlex requires a (free) API key since Feb 2026: get one at openalex.org and export OPENALEX_API_KEY=…")
    key = json.dumps([author_id, orcid, date_from.isoformat(), date_to.isoformat()])
    chain = Chain("vet-" + __import__("hashlib").sha256(key.encode()).hexdigest()[:16], date_from, date_to, ())
    fake_q = type("Q", (), {"fetch": options, "country_codes": (), "filter_codes": ()})()
    f = _Fetcher.__new__(_Fetcher)
    f.q, f.s, f.sleep, f.progress = fake_q, settings, sleep, None
    f.root = settings.cache_dir / "vet"
    f.stop, f.stats, f.meta_counts, f.lock = threading.Event(), _Stats(), {}, threading.Lock()
    works = _author_works((author_id,) if author_id else (), (orcid,) if orcid else (), date_from, date_to)
    t0 = time.perf_counter()
    with routed(settings, limiter=RateLimiter(options.rate_limit), timeout=options.timeout, stats=f.stats):
        _run_author_chain(f, chain, works)
    state = f._state(chain)
    records = _chain_records(f.root / chain.chain_id)
    return records, {"requests": f.stats.requests, "pages": state["pages"], "meta_count": state["meta_count"],
                     "complete": bool(state["done"]), "wait_s": time.perf_counter() - t0}


def _run_author_chain(f: "_Fetcher", chain: Chain, works: pyalex.Works) -> None:
    (f.root / chain.chain_id).mkdir(parents=True, exist_ok=True)
    state = f._state(chain)
    failures = 0
    while not state["done"]:
        try:
            for page in works.paginate(method="cursor", cursor=state["next_cursor"], per_page=PER_PAGE, n_max=None):
                raw = f.stats.local.last
                state["pages"] += 1
                _atomic_write(f.root / chain.chain_id / f"page-{state['pages']:05d}.json", raw.content if raw is not None else json.dumps({"results": list(page)}).encode())
                state.update(next_cursor=page.meta.get("next_cursor"), meta_count=page.meta.get("count"))
                state["done"] = state["next_cursor"] is None or len(page) == 0
                f._save_state(chain, state)
                failures = 0
                if state["done"]:
                    break
            state["done"] = True
            f._save_state(chain, state)
        except Exception as e:  # noqa: BLE001 - classified by _handle; unknown errors re-raised there
            resp = getattr(f.stats.local, "last", None)
            if resp is not None and resp.status_code == 404:
                state.update(done=True, meta_count=0)
                f._save_state(chain, state)
                return
            failures += 1
            f._handle(e, failures, chain)


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
            if status not in (429, 500, 502, 503, 504):
                raise FetchError(f"OpenAlex answered HTTP {status} for doi:{doi}; check the DOI") from None
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        if attempt < max_retries:
            sleep(min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt) * (0.5 + random.random() / 2))
    raise FetchError(f"gave up looking up doi:{doi} in OpenAlex after {max_retries} retries; re-run later")
