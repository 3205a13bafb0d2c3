"""A small OpenAlex-shaped HTTP server on 127.0.0.1 for offline tests and benchmarks.

It serves ``/works`` with cursor paging (``meta.count``, ``meta.next_cursor``, ``results``),
``/funders`` (filters ``ids.crossref``, ``ids.ror``, ``ids.openalex``/``openalex_id``,
``country_code``; ``search=``) and ``/awards`` (filter ``openalex_id``/``ids.openalex``,
``funder.id``), records every request (path, query, headers) and can be scripted to misbehave:

* ``faults``: a queue of :class:`Fault` consumed one per request before the normal answer
  (a status with headers/body, a delay, truncated JSON, a connection reset mid-body, a body
  shorter than its Content-Length, an empty page that keeps its ``next_cursor``, a
  ``next_cursor`` that does not advance);
* ``kill_after``: every request after that many pages answers 500;
* ``stuck_at``: the page at this offset always returns its own cursor as ``next_cursor``;
* ``short_by``: ``meta.count`` claims this many more works than the chain delivers;
* ``rate_headers``: ``X-RateLimit-*`` headers sent with every answer;
* ``filter_dates``: honour ``from/to_publication_date`` (so date slices do not overlap).

Everything it serves is SYNTHETIC test data (or, for ``/funders``, a test fixture).

Example:
    >>> with OpenAlexServer(works=make_works(250)) as srv:      # doctest: +SKIP
    ...     srv.faults.append(Fault(status=503))
    ...     base = srv.base_url
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import LoopbackServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Fault:
    """One scripted misbehaviour for the next request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    truncate: bool = False  # serve the normal page cut in half (truncated JSON, honest Content-Length)
    reset: bool = False  # send half the body, then reset the connection (RST)
    short: bool = False  # announce the full Content-Length, send half, close cleanly
    empty: bool = False  # results: [] but the normal next_cursor
    repeat_cursor: bool = False  # the normal results, but next_cursor = the cursor asked for


def make_works(n: int, *, prefix: str = "W1", date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """``n`` minimal OpenAlex-shaped works with distinct IDs (synthetic, test-only).

    With ``date_from``/``date_to`` the publication dates are spread evenly over that window.
    """
    span = (date_to - date_from).days if date_from and date_to else 0

    def day(i: int) -> str:
        return (date_from + dt.timedelta(days=(i * span) // max(1, n - 1))).isoformat() if date_from else "2024-01-01"

    return [
        {
            "id": f"https://openalex.org/{prefix}{i:07d}",
            "doi": f"https://doi.org/10.5555/test-{prefix}-{i}",
            "title": f"[SYNTHETIC] test work {i}",
            "publication_date": day(i),
            "biblio_synthetic": True,
            "authorships": [],
        }
        for i in range(n)
    ]


def author_filter_matches(work: dict[str, Any], filt: str) -> bool:
    """OpenAlex's semantics for the author filters (``authorships.author.id`` / ``.orcid``, OR
    within a value, AND across filters) and the publication-date bounds, on one work."""
    auths = work.get("authorships") or []
    ids = {str((a.get("author") or {}).get("id") or "").rsplit("/", 1)[-1].upper() for a in auths}
    orcids = {str((a.get("author") or {}).get("orcid") or "").rsplit("/", 1)[-1] for a in auths}
    date = str(work.get("publication_date") or "")
    for part in filt.split(","):
        key, _, val = part.partition(":")
        vals = [v.rsplit("/", 1)[-1] for v in val.split("|")]
        if key == "authorships.author.id" and not ids & {v.upper() for v in vals}:
            return False
        if key == "authorships.author.orcid" and not orcids & set(vals):
            return False
        if key == "from_publication_date" and date < val:
            return False
        if key == "to_publication_date" and date > val:
            return False
    return True


def _filters(q: dict[str, list[str]]) -> dict[str, list[str]]:
    """``filter=a:x|y,b:z`` → {"a": ["x", "y"], "b": ["z"]} (values lower-cased)."""
    out: dict[str, list[str]] = {}
    raw = unquote(q.get("filter", [""])[0])
    for part in raw.split(","):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k] = [x.strip().lower() for x in v.split("|")]
    return out


def _short_id(v: str) -> str:
    return str(v or "").rsplit("/", 1)[-1].lower()


class OpenAlexServer(LoopbackServer):
    """Threaded loopback server; use as a context manager."""

    keep_alive = True

    def __init__(
        self,
        *,
        works: list[dict[str, Any]] | None = None,
        per_request_latency: float = 0.0,
        extra_pages: dict[int, list[dict[str, Any]]] | None = None,
        funders: list[dict[str, Any]] | None = None,
        awards: list[dict[str, Any]] | None = None,
        filter_dates: bool = False,
    ) -> None:
        self.works = works or []
        self.funders = funders or []
        self.awards = awards or []
        self.latency = per_request_latency
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        self.kill_after: int | None = None  # answer 500 for every request after this many pages served
        self.stuck_at: int | None = None  # offset whose page never advances its cursor
        self.short_by = 0  # meta.count overstates the works by this many
        self.rate_headers: dict[str, str] = {}
        self.filter_dates = filter_dates
        self.pages_served = 0
        self.extra_pages = extra_pages or {}
        super().__init__()

    # -- answers ------------------------------------------------------------------------
    def _selected_works(self, q: dict[str, list[str]]) -> list[dict[str, Any]]:
        filt = q.get("filter", [""])[0]
        if "authorships.author." in filt:
            return [w for w in self.works if author_filter_matches(w, filt)]
        if not self.filter_dates:
            return self.works
        f = _filters(q)
        lo = f.get("from_publication_date", ["0000"])[0]
        hi = f.get("to_publication_date", ["9999"])[0]
        return [w for w in self.works if lo <= w["publication_date"] <= hi]

    def _page(self, q: dict[str, list[str]], fault: Fault | None) -> dict[str, Any]:
        cursor = q.get("cursor", ["*"])[0]
        per_page = int(q.get("per-page", q.get("per_page", ["25"]))[0])
        works = self._selected_works(q)
        off = 0 if cursor in ("*", "") else int(cursor)
        results = works[off : off + per_page] + self.extra_pages.get(off, [])
        nxt: str | None = str(off + per_page) if off + per_page < len(works) else None
        if fault and fault.empty:
            results = []
        if (fault and fault.repeat_cursor) or (self.stuck_at is not None and off == self.stuck_at):
            nxt = cursor
        meta = {"count": len(works) + self.short_by, "db_response_time_ms": 1, "page": None, "per_page": per_page, "next_cursor": nxt}
        return {"meta": meta, "results": results, "group_by": []}

    def _list(self, items: list[dict[str, Any]], q: dict[str, list[str]]) -> dict[str, Any]:
        """A one-page list answer for /funders and /awards."""
        f = _filters(q)
        out = []
        for it in items:
            ids = {k: str(v).lower() for k, v in (it.get("ids") or {}).items() if v}
            ok = True
            for key, vals in f.items():
                if key in ("ids.openalex", "openalex_id", "openalex", "id"):
                    ok &= _short_id(it["id"]) in {_short_id(v) for v in vals}
                elif key == "ids.crossref":
                    ok &= ids.get("crossref", "").removeprefix("10.13039/") in {v.removeprefix("10.13039/") for v in vals}
                elif key == "ids.ror":
                    ok &= _short_id(ids.get("ror", "")) in {_short_id(v) for v in vals}
                elif key == "country_code":
                    ok &= str(it.get("country_code") or "").lower() in vals
                elif key in ("funder.id", "funder_id"):
                    ok &= _short_id((it.get("funder") or {}).get("id", "")) in {_short_id(v) for v in vals}
            s = unquote(q.get("search", [""])[0]).lower().replace("+", " ")
            if s:  # like OpenAlex's relevance search, loosely: any significant word of the query
                names = " ".join([it.get("display_name", "")] + list(it.get("alternate_titles") or [])).lower()
                words = [w for w in s.replace(".", " ").split() if len(w) > 3 and w not in {"office", "united", "states"}]
                ok &= any(w in names.split() for w in words)
            if ok:
                out.append(it)
        per_page = int(q.get("per-page", q.get("per_page", ["25"]))[0])
        return {"meta": {"count": len(out), "page": 1, "per_page": per_page, "next_cursor": None}, "results": out[:per_page], "group_by": []}

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        q = parse_qs(parts.query, keep_blank_values=True)
        with self.lock:
            self.requests.append({"path": parts.path, "query": parts.query, "params": q, "headers": dict(h.headers)})
            fault = self.faults.popleft() if self.faults else None
            killed = self.kill_after is not None and self.pages_served >= self.kill_after
        if self.latency:
            time.sleep(self.latency)
        if fault and fault.delay:
            time.sleep(fault.delay)
        hdr = {"Content-Type": "application/json", **self.rate_headers}
        if killed:
            return self._send(h, 500, hdr, b'{"error": "killed"}')
        if fault and fault.status != 200:
            body = fault.body if fault.body is not None else json.dumps({"error": f"status {fault.status}", "message": "scripted"}).encode()
            return self._send(h, fault.status, {**hdr, **fault.headers}, body)
        if fault and fault.body is not None:
            return self._send(h, 200, {**hdr, "Content-Type": "text/html", **fault.headers}, fault.body)
        if parts.path.startswith("/works/"):
            return self._single(h, unquote(parts.path[len("/works/") :]))
        if parts.path == "/works":
            doc = self._page(q, fault)
            with self.lock:
                self.pages_served += 1
        elif parts.path == "/funders":
            doc = self._list(self.funders, q)
        elif parts.path == "/awards":
            doc = self._list(self.awards, q)
        else:
            return self._send(h, 404, hdr, b'{"error": "not found"}')
        body = json.dumps(doc).encode()
        hdr.update(fault.headers if fault else {})
        if fault and fault.truncate:
            body = body[: len(body) // 2]
        if fault and (fault.reset or fault.short):
            return self._send_broken(h, hdr, body, reset=fault.reset)
        self._send(h, 200, hdr, body)

    def _single(self, h: BaseHTTPRequestHandler, key: str) -> None:
        """A single-record lookup: ``/works/W…`` or ``/works/doi:10.…`` (404 when unknown)."""
        key = key.lower().removeprefix("https://doi.org/").removeprefix("doi:")
        for w in self.works:
            if key in (str(w.get("id", "")).lower().rsplit("/", 1)[-1], str(w.get("doi") or "").lower().removeprefix("https://doi.org/")):
                return self._send(h, 200, {"Content-Type": "application/json"}, json.dumps(w).encode())
        self._send(h, 404, {"Content-Type": "application/json"}, b'{"error": "not found"}')

    @staticmethod
    def _send_broken(h: BaseHTTPRequestHandler, headers: dict[str, str], body: bytes, *, reset: bool) -> None:
        """Announce the full length, send half, then reset (RST) or close the connection."""
        h.close_connection = True
        try:
            h.send_response(200)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            conn: socket.socket = h.connection
            if reset:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
