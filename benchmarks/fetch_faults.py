"""Every fetch fault class against the loopback OpenAlex server: lost, duplicated, tracebacks.

    python benchmarks/fetch_faults.py [N_WORKS]      # default 3,000 SYNTHETIC works, 4 date slices

Runs the real pyalex path (biblio.openalex.fetch_openalex) once per fault class. Faults that
must stop the run (credits spent, a cursor that never advances, full disk, Ctrl-C, a budget,
an unreachable server) are followed by a re-run after the fault is cleared, as a user would.
Per class it prints: the first run's outcome (ok / the one-line Error), records lost and
duplicated after the last run, Python tracebacks (exceptions that are not biblio's one-line
errors) and seconds. Backoff waits are capped at 50 ms here so the table takes seconds; the
real waits are the documented ones. Loopback only (127.0.0.1); the served works are SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt
import errno
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import loopback_query, machine  # noqa: E402

import biblio.openalex as oa  # noqa: E402
from biblio.errors import BiblioError  # noqa: E402
from biblio.query import parse_query  # noqa: E402
from biblio.settings import Settings  # noqa: E402
from tests.openalex_server import Fault, OpenAlexServer, make_works  # noqa: E402

FROM, TO = dt.date(2023, 6, 1), dt.date(2025, 6, 30)


def fast_sleep(s: float) -> None:
    time.sleep(min(s, 0.05))


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _one(srv: OpenAlexServer, cache: Path, *, timeout: float = 5.0, extra: str = "", url: str | None = None) -> tuple[str, Any, int]:
    """One fetch: (outcome, result or partial, tracebacks)."""
    st = Settings(api_key="bench-key", openalex_url=url or srv.base_url, cache_dir=cache)
    try:
        r = oa.fetch_openalex(parse_query(loopback_query("faults", slices=4, rate_limit=100, max_retries=4, max_retry_after=5, timeout=timeout) + extra), settings=st, sleep=fast_sleep)
        return ("ok" if r.complete else "ok, warned: " + (r.warnings[0][:60] if r.warnings else "incomplete")), r, 0
    except BiblioError as e:
        return "Error: " + str(e)[:70], getattr(e, "partial", None), 0
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - a traceback is what this benchmark counts
        return f"TRACEBACK {type(e).__name__}: {e}"[:80], None, 1


def _count(r: Any, expected: set[str]) -> tuple[int, int]:
    if r is None:
        return len(expected), 0
    ids = [w["id"] for _c, _n, recs in oa.iter_cached_pages(r.cache_dir) for w in recs]
    return len(expected - set(ids)), len(ids) - len(set(ids))


def scenario(name: str, setup: Callable[[OpenAlexServer], None], *, clear: Callable[[OpenAlexServer], None] | None = None,
             n: int, timeout: float = 5.0, extra: str = "", during: Callable[[], Any] | None = None, url: str | None = None) -> None:
    works = make_works(n, date_from=FROM, date_to=TO)
    expected = {w["id"] for w in works}
    with OpenAlexServer(works=works, filter_dates=True) as srv, tempfile.TemporaryDirectory() as tmp:
        setup(srv)
        t0 = time.perf_counter()
        ctx = during() if during else None
        outcome, r, tb = _one(srv, Path(tmp), timeout=timeout, extra=extra, url=url)
        if ctx is not None:
            ctx()
        runs = 1
        if clear is not None:  # the user fixes the cause and re-runs
            clear(srv)
            _o2, r2, tb2 = _one(srv, Path(tmp), timeout=timeout)
            r, tb, runs = r2 if r2 is not None else r, tb + tb2, 2
        secs = time.perf_counter() - t0
        lost, dup = _count(r, expected)
    print(f"{name:<34} {outcome:<82} {runs:>4} {lost:>6} {dup:>5} {tb:>5} {secs:7.2f}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    print(f"machine: {machine()}")
    print(f"loopback server, {n} SYNTHETIC works over 4 date slices, 100 per page; waits capped at 50 ms")
    print(f"{'fault':<34} {'first run':<82} {'runs':>4} {'lost':>6} {'dup':>5} {'tb':>5} {'secs':>7}")

    def q(*faults: Fault) -> Callable[[OpenAlexServer], None]:
        return lambda srv: srv.faults.extend(faults)

    def nothing(_srv: OpenAlexServer) -> None:
        return None

    scenario("none", nothing, n=n)
    scenario("HTTP 429 too fast (Retry-After 1)", q(Fault(status=429, headers={"Retry-After": "1", "X-RateLimit-Remaining-USD": "0.5"})), n=n)
    scenario("HTTP 429 daily credits spent", q(Fault(), Fault(status=429, headers={"Retry-After": "40000", "X-RateLimit-Remaining-USD": "0"})), clear=nothing, n=n)
    scenario("HTTP 500, 502, 503", q(Fault(status=500), Fault(status=502), Fault(status=503)), n=n)
    scenario("HTML instead of JSON (200 and 503)", q(Fault(body=b"<html>busy</html>"), Fault(status=503, body=b"<html>down</html>")), n=n)
    scenario("truncated JSON", q(Fault(), Fault(truncate=True)), n=n)
    scenario("connection reset mid-body", q(Fault(), Fault(reset=True), Fault(reset=True)), n=n)
    scenario("body shorter than Content-Length", q(Fault(), Fault(short=True)), n=n)
    scenario("timeout (2 s delay, 1 s timeout)", q(Fault(delay=2.0)), n=n, timeout=1.0)
    scenario("empty page with next_cursor", q(Fault(), Fault(empty=True), Fault(empty=True)), n=n)
    scenario("cursor repeats once", q(Fault(), Fault(repeat_cursor=True)), n=n)

    def stuck(srv: OpenAlexServer) -> None:
        srv.stuck_at = 200

    def unstick(srv: OpenAlexServer) -> None:
        srv.stuck_at = None

    scenario("cursor never advances", stuck, clear=unstick, n=n)

    def short(srv: OpenAlexServer) -> None:
        srv.short_by = 368

    scenario("meta.count > records delivered", short, n=n)
    scenario("request budget (max_requests = 5)", nothing, clear=nothing, n=n, extra="max_requests = 5")

    real = oa._write_bytes
    calls = {"n": 0}

    def full_disk(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 9:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    def disk_full(_srv: OpenAlexServer) -> None:
        oa._write_bytes = full_disk  # type: ignore[assignment]

    def disk_freed(_srv: OpenAlexServer) -> None:
        oa._write_bytes = real  # type: ignore[assignment]

    scenario("cache disk full (ENOSPC)", disk_full, clear=disk_freed, n=n)

    def ctrl_c() -> Callable[[], None]:
        timer = threading.Timer(0.5, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT))  # type: ignore[arg-type]
        timer.start()
        return timer.cancel

    def slow(srv: OpenAlexServer) -> None:
        srv.latency = 0.2

    def fast(srv: OpenAlexServer) -> None:
        srv.latency = 0.0

    scenario("Ctrl-C during the fetch", slow, clear=fast, n=n, during=ctrl_c)
    port = _free_port()
    scenario("server unreachable", nothing, n=n, url=f"http://127.0.0.1:{port}")
    print("lost/dup/tb after the last run; 'runs' = 2 when the user re-runs after clearing the fault.")
    print("'cursor never advances' first stops with the error naming the cursor; the re-run (cursor fixed) completes.")
    print("'meta.count > records delivered': nothing served is lost; the 368 never served are a console warning, a manifest field and complete: false.")
    print("'server unreachable': no records can come; the run stops after 3 tries with one Error line (real waits: ~7 s).")


if __name__ == "__main__":
    main()
