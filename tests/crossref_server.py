"""A small Crossref-REST-shaped HTTP server on 127.0.0.1 for offline tests.

Serves ``/works?filter=funder:10.13039/…,from-pub-date:…,until-pub-date:…&rows=&cursor=``
with cursor paging (``message.items``, ``message.total-results``, ``message.next-cursor``),
records every request, and plays scripted faults (a status, an empty page, a repeating cursor).

Example:
    >>> with CrossrefServer(items=make_items(5, funder="100000006")) as srv:   # doctest: +SKIP
    ...     base = srv.base_url
"""

from __future__ import annotations

import json
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
    repeat_cursor: bool = False  # answer normally but hand back the same cursor again
    empty: bool = False  # an empty items list that still carries a next-cursor


def make_items(n: int, *, funder: str, start: int = 0, date: tuple[int, int, int] = (2024, 1, 15), award: str = "") -> list[dict[str, Any]]:
    """``n`` SYNTHETIC Crossref work items funded by ``funder`` (a 10.13039 number)."""
    return [
        {
            "DOI": f"10.5555/CR.{i}",
            "published": {"date-parts": [list(date)]},
            "funder": [{"DOI": f"10.13039/{funder}", "name": f"funder {funder}", "doi-asserted-by": "publisher", "award": [award] if award else []}],
        }
        for i in range(start, start + n)
    ]


def _date(item: dict[str, Any]) -> str:
    parts = (item.get("published") or {}).get("date-parts") or [[1900, 1, 1]]
    y, m, d = (list(parts[0]) + [1, 1])[:3]
    return f"{y:04d}-{m:02d}-{d:02d}"


class CrossrefServer(LoopbackServer):
    """Threaded loopback server; use as a context manager."""

    def __init__(self, *, items: list[dict[str, Any]] | None = None) -> None:
        self.items = items or []
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        super().__init__()

    def _select(self, flt: str) -> list[dict[str, Any]]:
        conds = dict(c.split(":", 1) for c in flt.split(",") if ":" in c)
        fid = conds.get("funder", "")
        lo, hi = conds.get("from-pub-date", "0000"), conds.get("until-pub-date", "9999")
        return [
            it for it in self.items
            if any(f.get("DOI") == fid for f in it.get("funder") or []) and lo <= _date(it) <= hi
        ]

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append({"path": parts.path, "params": q})
            fault = self.faults.popleft() if self.faults else None
        if fault and fault.status != 200:
            return self._send(h, fault.status, {"Content-Type": "application/json", **fault.headers}, b'{"status": "error"}')
        if parts.path.startswith("/works/"):
            doi = unquote(parts.path[len("/works/") :]).lower()
            hit = next((it for it in self.items if it["DOI"].lower() == doi), None)
            if hit is None:
                return self._send(h, 404, {"Content-Type": "text/plain"}, b"Resource not found.")
            return self._send(h, 200, {"Content-Type": "application/json"}, json.dumps({"status": "ok", "message-type": "work", "message": hit}).encode())
        if parts.path != "/works":
            return self._send(h, 404, {"Content-Type": "text/plain"}, b"Resource not found.")
        sel = self._select(q.get("filter", ""))
        rows = int(q.get("rows", "20"))
        cursor = q.get("cursor", "*")
        offset = 0 if cursor == "*" else int(cursor.removeprefix("c"))
        page = [] if (fault and fault.empty) else sel[offset : offset + rows]
        nxt = cursor if (fault and (fault.repeat_cursor or fault.empty) and cursor != "*") else f"c{offset + rows}"
        if fault and fault.repeat_cursor and cursor == "*":
            nxt = "c0"
        msg = {"status": "ok", "message-type": "work-list", "message": {"items": page, "total-results": len(sel), "next-cursor": nxt, "items-per-page": rows}}
        self._send(h, 200, {"Content-Type": "application/json"}, json.dumps(msg).encode())

