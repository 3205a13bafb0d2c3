"""A small OpenAlex-shaped HTTP server on 127.0.0.1 for offline tests and benchmarks.

It serves ``/works`` with cursor paging (``meta.count``, ``meta.next_cursor``, ``results``),
records every request (path, query, headers) and can be scripted to inject faults: a
queue of actions consumed one per request before the normal answer.

Example:
    >>> with OpenAlexServer(works=make_works(250)) as srv:      # doctest: +SKIP
    ...     srv.faults.append(Fault(status=503))
    ...     base = srv.base_url
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Fault:
    """One scripted misbehaviour: a status with headers/body, a delay, or a broken body."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    truncate: bool = False  # serve the normal page cut in half (truncated JSON)


def make_works(n: int, *, prefix: str = "W1") -> list[dict[str, Any]]:
    """``n`` minimal OpenAlex-shaped works with distinct IDs (synthetic, test-only)."""
    return [
        {
            "id": f"https://openalex.org/{prefix}{i:07d}",
            "doi": f"https://doi.org/10.5555/test-{prefix}-{i}",
            "title": f"[SYNTHETIC] test work {i}",
            "publication_date": "2024-01-01",
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


class OpenAlexServer:
    """Threaded loopback server; use as a context manager."""

    def __init__(self, *, works: list[dict[str, Any]] | None = None, per_request_latency: float = 0.0, extra_pages: dict[int, list[dict[str, Any]]] | None = None) -> None:
        self.works = works or []
        self.latency = per_request_latency
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.kill_after: int | None = None  # answer 500 for every request after this many pages served
        self.pages_served = 0
        self.extra_pages = extra_pages or {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:  # silence
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "OpenAlexServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _page(self, cursor: str, per_page: int, filt: str = "") -> dict[str, Any]:
        works = [w for w in self.works if author_filter_matches(w, filt)] if "authorships.author." in filt else self.works
        off = 0 if cursor in ("*", "") else int(cursor)
        results = works[off : off + per_page]
        nxt = off + per_page
        extra = self.extra_pages.get(off, [])
        return {
            "meta": {"count": len(works), "db_response_time_ms": 1, "page": None, "per_page": per_page, "next_cursor": str(nxt) if nxt < len(works) else None},
            "results": results + extra,
            "group_by": [],
        }

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        q = parse_qs(parts.query)
        with self.lock:
            self.requests.append({"path": parts.path, "query": parts.query, "params": q, "headers": dict(h.headers)})
            fault = self.faults.popleft() if self.faults else None
            killed = self.kill_after is not None and self.pages_served >= self.kill_after
        if self.latency:
            time.sleep(self.latency)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if killed:
            return self._send(h, 500, {"Content-Type": "application/json"}, b'{"error": "killed"}')
        if fault and fault.status != 200:
            body = fault.body if fault.body is not None else json.dumps({"error": f"status {fault.status}", "message": "scripted"}).encode()
            return self._send(h, fault.status, {"Content-Type": "application/json", **fault.headers}, body)
        if fault and fault.body is not None:
            return self._send(h, 200, {"Content-Type": "text/html", **fault.headers}, fault.body)
        if parts.path.startswith("/works/"):
            return self._single(h, unquote(parts.path[len("/works/") :]))
        if parts.path != "/works":
            return self._send(h, 404, {"Content-Type": "application/json"}, b'{"error": "not found"}')
        page = self._page(q.get("cursor", ["*"])[0], int(q.get("per-page", q.get("per_page", ["25"]))[0]), q.get("filter", [""])[0])
        body = json.dumps(page).encode()
        if fault and fault.truncate:
            body = body[: len(body) // 2]
        with self.lock:
            self.pages_served += 1
        self._send(h, 200, {"Content-Type": "application/json"}, body)

    def _single(self, h: BaseHTTPRequestHandler, key: str) -> None:
        """A single-record lookup: ``/works/W…`` or ``/works/doi:10.…`` (404 when unknown)."""
        key = key.lower().removeprefix("https://doi.org/").removeprefix("doi:")
        for w in self.works:
            if key in (str(w.get("id", "")).lower().rsplit("/", 1)[-1], str(w.get("doi") or "").lower().removeprefix("https://doi.org/")):
                return self._send(h, 200, {"Content-Type": "application/json"}, json.dumps(w).encode())
        self._send(h, 404, {"Content-Type": "application/json"}, b'{"error": "not found"}')

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
