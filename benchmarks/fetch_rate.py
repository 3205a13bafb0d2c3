"""Achieved fetch rate against a loopback OpenAlex-shaped server with 50 ms latency.

    python benchmarks/fetch_rate.py [RATE_LIMIT]      # default limit: 20 requests/s

Runs the real pyalex path (biblio.openalex.fetch_openalex) with 1, 4 and 8 date slices
under one global rate limit, and prints requests/s as a share of the limit, and works/s.
Loopback only (127.0.0.1); the served works are SYNTHETIC.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import loopback_query, machine  # noqa: E402

from biblio.openalex import fetch_openalex  # noqa: E402
from biblio.query import parse_query  # noqa: E402
from biblio.settings import Settings  # noqa: E402
from tests.openalex_server import OpenAlexServer, make_works  # noqa: E402

def run(slices: int, rate: float, total_requests: int = 120) -> tuple[float, float, int]:
    pages_per_chain = max(1, total_requests // slices)
    with OpenAlexServer(works=make_works(100 * pages_per_chain), per_request_latency=0.05) as srv, tempfile.TemporaryDirectory() as tmp:
        s = Settings(api_key="bench", openalex_url=srv.base_url, cache_dir=Path(tmp))
        t0 = time.perf_counter()
        r = fetch_openalex(parse_query(loopback_query("bench", slices=slices, rate_limit=rate)), settings=s)
        dt = time.perf_counter() - t0
        # the fake server ignores dates, so each slice pages the same works; count them all
        return r.requests / dt, r.pages * 100 / dt, r.requests


def main() -> None:
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    print(f"machine: {machine()}")
    print(f"loopback server, 50 ms latency per request, global rate limit {rate:g} req/s, 100 works per page")
    for slices in (1, 4, 8):
        rps, wps, n = run(slices, rate)
        print(f"slices={slices}: {n} requests, {rps:5.1f} req/s = {100 * rps / rate:5.1f}% of the limit, {wps:7.0f} works/s")


if __name__ == "__main__":
    main()
