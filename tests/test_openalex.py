"""The live fetch path (real pyalex code) against a loopback OpenAlex-shaped server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from biblio.errors import AuthError, BudgetError
from biblio.openalex import API_HOST, date_slices, fetch_openalex, plan_chains, request_urls
from biblio.query import parse_query
from biblio.settings import Settings
from tests.openalex_server import Fault, OpenAlexServer, make_works

LIVE = """
name = "dod-prc-2023-2025"
[window]
from = 2023-06-01
to = 2025-06-30
[funders]
agencies = ["all"]
[scope]
prc = "cn"
[source]
kind = "openalex"
[fetch]
slices = {slices}
rate_limit = 100
max_retries = {retries}
max_retry_after = 5
timeout = {timeout}
"""
KEY = "test-key-not-real-1234"
ALL_DOD = "F4320306078|F4320332180|F4320337345|F4320338298|F4320338279|F4320338281|F4320332186|F4320338273|F4320338280|F4320338415|F4320338478|F4320337538"


def q(*, slices: int = 1, retries: int = 3, timeout: float = 5.0):
    return parse_query(LIVE.format(slices=slices, retries=retries, timeout=timeout))


def settings(srv: OpenAlexServer, tmp: Path, key: str | None = KEY) -> Settings:
    return Settings(api_key=key, openalex_url=srv.base_url, cache_dir=tmp / "cache")


def no_sleep(_s: float) -> None:
    return None


def test_live_request_url_is_exactly_what_openalex_expects() -> None:
    urls = request_urls(q(), settings=Settings())
    assert urls == [
        API_HOST + "/works?filter=funders.id:" + ALL_DOD
        + ",authorships.institutions.country_code:cn,from_publication_date:2023-06-01,to_publication_date:2025-06-30"
        + "&cursor=%2A&per-page=100"
    ]


def test_date_slices_cover_the_window_exactly() -> None:
    s = date_slices(dt.date(2023, 6, 1), dt.date(2025, 6, 30), 8)
    assert len(s) == 8 and s[0][0] == dt.date(2023, 6, 1) and s[-1][1] == dt.date(2025, 6, 30)
    for (a, b), (c, _d) in zip(s, s[1:]):
        assert a <= b and c == b + dt.timedelta(days=1)


def test_funder_ids_are_chunked_at_100_and_urls_stay_short() -> None:
    ids = ", ".join(f'"F{4320000000 + i}"' for i in range(250))
    query = parse_query(LIVE.format(slices=2, retries=1, timeout=5).replace('agencies = ["all"]', f"ids = [{ids}]"))
    chains = plan_chains(query)
    assert len(chains) == 2 * 3
    assert [len(c.funder_ids) for c in chains[:3]] == [100, 100, 50]
    assert all(len(u) < 4094 for u in request_urls(query))


def test_cursor_paging_to_the_end_with_filters_and_key(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.complete and r.n_records == 250 and r.pages == 3 and r.requests == 3
    assert r.meta_count == 250
    first = srv.requests[0]
    assert first["path"] == "/works"
    assert unquote(first["params"]["filter"][0]) == (
        f"funders.id:{ALL_DOD},authorships.institutions.country_code:cn,from_publication_date:2023-06-01,to_publication_date:2025-06-30"
    )
    assert first["params"]["per-page"] == ["100"] and first["params"]["cursor"] == ["*"]
    assert [rq["params"]["cursor"][0] for rq in srv.requests] == ["*", "100", "200"]
    assert first["headers"]["Authorization"] == f"Bearer {KEY}"
    # nothing secret on disk or in the result
    for p in Path(r.cache_dir).rglob("*"):
        if p.is_file():
            assert KEY not in p.read_text(encoding="utf-8")
    assert KEY not in json.dumps(r.request_urls + r.notes)


def test_a_rerun_makes_no_requests(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(120)) as srv:
        s = settings(srv, tmp_path)
        fetch_openalex(q(), settings=s, sleep=no_sleep)
        n = len(srv.requests)
        again = fetch_openalex(q(), settings=s, sleep=no_sleep)
    assert len(srv.requests) == n and again.requests == 0 and again.n_records == 120


def test_resume_after_a_kill_between_pages(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(450)) as srv:
        s = settings(srv, tmp_path)
        srv.kill_after = 2  # the "process" dies after two pages: every later request fails
        with pytest.raises(BudgetError) as ei:
            fetch_openalex(q(retries=1), settings=s, sleep=no_sleep)
        partial = ei.value.partial
        assert not partial.complete and partial.n_records == 200
        srv.kill_after = None
        before = srv.pages_served
        r = fetch_openalex(q(), settings=s, sleep=no_sleep)
        assert srv.pages_served - before == 3  # pages 3, 4, 5 only
    ids = [w["id"] for w in r.records]
    assert r.complete and len(ids) == 450 == len(set(ids))


def test_duplicates_across_pages_are_dropped(tmp_path: Path) -> None:
    works = make_works(150)
    with OpenAlexServer(works=works, extra_pages={100: works[:5]}) as srv:
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.n_records == 150
    assert any("5 duplicate" in n for n in r.notes)


def test_slices_fetch_in_parallel_and_deduplicate(tmp_path: Path) -> None:
    # The fake server ignores dates, so every slice returns the same works: dedup must hold.
    with OpenAlexServer(works=make_works(60)) as srv:
        r = fetch_openalex(q(slices=4), settings=settings(srv, tmp_path), sleep=no_sleep)
    dates = sorted(unquote(rq["params"]["filter"][0]).split("from_publication_date:")[1][:10] for rq in srv.requests)
    assert dates == [a.isoformat() for a, _ in date_slices(dt.date(2023, 6, 1), dt.date(2025, 6, 30), 4)]
    assert r.n_records == 60 and r.requests == 4


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=429, headers={"Retry-After": "1"}),
        Fault(status=500),
        Fault(status=503),
        Fault(status=200, body=b"<html><body>Rate limited</body></html>"),
        Fault(status=503, body=b"<html><body>Service Unavailable</body></html>"),
        Fault(truncate=True),
    ],
    ids=["429-short-retry-after", "500", "503", "html-200", "html-503", "truncated-json"],
)
def test_transient_faults_are_retried(tmp_path: Path, fault: Fault) -> None:
    waits: list[float] = []
    with OpenAlexServer(works=make_works(150)) as srv:
        srv.faults.append(fault)
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=waits.append)
    assert r.complete and r.n_records == 150
    assert len(waits) == 1
    if fault.headers.get("Retry-After"):
        assert 1.0 <= waits[0] < 1.2  # honoured


def test_timeout_is_retried(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(50)) as srv:
        srv.faults.append(Fault(delay=1.5))
        r = fetch_openalex(q(timeout=0.5), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.complete and r.n_records == 50 and r.requests == 2


def test_huge_retry_after_stops_fast_and_keeps_what_was_fetched(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.faults.extend([Fault(), Fault(status=429, headers={"Retry-After": "54000"})])
        with pytest.raises(BudgetError) as ei:
            fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    msg = str(ei.value)
    assert "54000 s" in msg and "15.0 h" in msg and "re-run" in msg and "\n" not in msg
    assert ei.value.partial.n_records == 100 and not ei.value.partial.complete


def test_exhausted_retry_budget(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(50)) as srv:
        srv.faults.extend([Fault(status=500)] * 5)
        with pytest.raises(BudgetError, match="gave up after 2 retries"):
            fetch_openalex(q(retries=2), settings=settings(srv, tmp_path), sleep=no_sleep)


def test_401_stops_at_once_without_leaking_the_key(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(50)) as srv:
        srv.faults.append(Fault(status=401, body=b'{"error": "Invalid API key"}'))
        with pytest.raises(AuthError) as ei:
            fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
        assert len(srv.requests) == 1
    assert "OPENALEX_API_KEY" in str(ei.value) and KEY not in str(ei.value)


def test_live_default_without_a_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="OPENALEX_API_KEY is not set"):
        fetch_openalex(q(), settings=Settings(api_key=None, cache_dir=tmp_path))
