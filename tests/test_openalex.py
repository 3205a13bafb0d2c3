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
ALL_DOD = "F4320306078|F4320332180|F4320337345|F4320338298|F4320338279|F4320338281|F4320332186|F4320338273|F4320338280|F4320338415|F4320338478|F4320337538|F4320333566|F4320338502|F4320338295|F4320338294|F4320332467|F4320333591"


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


# -- issue 9: every fault class -----------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [Fault(reset=True), Fault(short=True)],
    ids=["reset-mid-body", "short-body-vs-content-length"],
)
def test_broken_bodies_are_retried_like_any_transient_error(tmp_path: Path, fault: Fault) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.faults.extend([Fault(), fault])  # the second page breaks once
        waits: list[float] = []
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=waits.append)
        assert len(srv.requests) == 4 and len(waits) == 1
    ids = [w["id"] for w in r.records]
    assert r.complete and len(ids) == 250 == len(set(ids)) and r.shortfall == 0


def test_an_empty_page_with_a_cursor_is_retried_not_taken_as_the_end(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(300)) as srv:
        srv.faults.extend([Fault(), Fault(empty=True)])  # page 2 comes back empty once
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
        cursors = [rq["params"]["cursor"][0] for rq in srv.requests]
    assert r.complete and r.n_records == 300
    assert cursors == ["*", "100", "100", "200"]  # asked again, then on


def test_an_empty_page_that_stays_empty_is_followed_and_the_loss_is_reported(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(300)) as srv:
        srv.faults.extend([Fault(), Fault(empty=True), Fault(empty=True), Fault(empty=True)])
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.n_records == 200 and not r.complete and r.shortfall == 100
    assert r.chains[0]["empty_pages_followed"] == 1
    assert any("received 200 of the 300 records" in w and "100 missing" in w for w in r.warnings)


def test_a_cursor_that_repeats_once_is_asked_again_without_duplicates(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.faults.extend([Fault(), Fault(repeat_cursor=True)])
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    ids = [w["id"] for w in r.records]
    assert r.complete and len(ids) == 250 == len(set(ids)) and r.pages == 3


def test_a_cursor_that_never_advances_stops_the_chain_with_one_line(tmp_path: Path) -> None:
    from biblio.errors import CursorLoopError

    with OpenAlexServer(works=make_works(450)) as srv:
        srv.stuck_at = 100
        with pytest.raises(CursorLoopError) as ei:
            fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
        assert len(srv.requests) < 10
    msg = str(ei.value)
    assert "cursor '100'" in msg and "3 times" in msg and "s00-c00" in msg and "\n" not in msg
    assert ei.value.partial.n_records == 200 and not ei.value.partial.complete


def test_a_shortfall_against_meta_count_is_a_warning_and_incomplete(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(150)) as srv:
        srv.short_by = 7
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.n_records == 150 and r.shortfall == 7 and not r.complete
    assert r.chains[0]["meta_count"] == 157 and r.chains[0]["received"] == 150 and r.chains[0]["done"]
    assert r.warnings and "7 missing" in r.warnings[0]


def test_unreachable_server_gives_up_quickly_with_a_clear_message(tmp_path: Path) -> None:
    import socket

    from biblio.errors import UnreachableError

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    waits: list[float] = []
    st = Settings(api_key=KEY, openalex_url=f"http://127.0.0.1:{port}", cache_dir=tmp_path)
    with pytest.raises(UnreachableError) as ei:
        fetch_openalex(q(retries=8), settings=st, sleep=waits.append)
    assert len(waits) == 3 and "cannot reach OpenAlex" in str(ei.value) and f"127.0.0.1:{port}" in str(ei.value)


def test_full_disk_names_the_path_keeps_the_cache_and_a_rerun_completes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import biblio.openalex as oa
    from biblio.errors import CacheWriteError

    real = oa._write_bytes
    calls = {"n": 0}

    def full_after_three(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 3:  # page 1 + state, page 2 ... then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    with OpenAlexServer(works=make_works(350)) as srv:
        s = settings(srv, tmp_path)
        monkeypatch.setattr(oa, "_write_bytes", full_after_three)
        with pytest.raises(CacheWriteError) as ei:
            fetch_openalex(q(), settings=s, sleep=no_sleep)
        msg = str(ei.value)
        assert "disk is full" in msg and str(s.cache_dir) in msg and "\n" not in msg
        assert not list(s.cache_dir.rglob("*.tmp*"))
        for p in s.cache_dir.rglob("*.json"):
            json.loads(p.read_text())  # nothing torn
        monkeypatch.setattr(oa, "_write_bytes", real)
        r = fetch_openalex(q(), settings=s, sleep=no_sleep)
    ids = [w["id"] for w in r.records]
    assert r.complete and len(ids) == 350 == len(set(ids))


def test_too_fast_429_slows_down_and_completes(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(150)) as srv:
        srv.faults.append(Fault(status=429, headers={"Retry-After": "1", "X-RateLimit-Remaining-USD": "0.9"}))
        r = fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.complete and r.n_records == 150
    assert any("too fast" in n and "50.0 requests/s" in n for n in r.notes)


def test_429_with_no_credits_left_says_daily_credits_spent(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.faults.extend([Fault(), Fault(status=429, headers={"Retry-After": "30", "X-RateLimit-Remaining-USD": "0"})])
        with pytest.raises(BudgetError) as ei:
            fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
        assert len(srv.requests) == 2
    assert "daily credits are spent" in str(ei.value) and "X-RateLimit-Remaining-USD=0" in str(ei.value)
    assert ei.value.partial.n_records == 100


def test_success_with_zero_credits_left_stops_before_the_429(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.rate_headers = {"X-RateLimit-Remaining-USD": "0", "X-RateLimit-Limit-USD": "1"}
        with pytest.raises(BudgetError, match="daily credits are spent"):
            fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep)
        assert len(srv.requests) == 1


def test_max_requests_stops_cleanly_and_a_rerun_resumes(tmp_path: Path) -> None:
    text = LIVE.format(slices=1, retries=1, timeout=5) + "max_requests = 2\n"
    with OpenAlexServer(works=make_works(450)) as srv:
        s = settings(srv, tmp_path)
        with pytest.raises(BudgetError, match=r"max_requests = 2") as ei:
            fetch_openalex(parse_query(text), settings=s, sleep=no_sleep)
        assert len(srv.requests) == 2 and ei.value.partial.n_records == 200
        r = fetch_openalex(q(), settings=s, sleep=no_sleep)  # same fetch spec: same cache
        assert len(srv.requests) == 5
    assert r.complete and r.n_records == 450


def test_refresh_ignores_the_cache_and_pages_carry_their_fetch_date(tmp_path: Path) -> None:
    with OpenAlexServer(works=make_works(150)) as srv:
        s = settings(srv, tmp_path)
        first = fetch_openalex(q(), settings=s, sleep=no_sleep)
        today = dt.datetime.now(dt.timezone.utc).date().isoformat()
        assert first.fetched_dates == {today: 2} and first.data_date == today
        # age the cache: a re-run from it must not be dated today
        for st in Path(first.cache_dir).glob("*/state.json"):
            d = json.loads(st.read_text())
            d["fetched"] = ["2026-01-02T03:04:05Z" for _ in d["fetched"]]
            st.write_text(json.dumps(d))
        again = fetch_openalex(q(), settings=s, sleep=no_sleep)
        assert again.requests == 0 and again.data_date == "2026-01-02" and again.fetched_dates == {"2026-01-02": 2}
        fresh = fetch_openalex(q(), settings=s, sleep=no_sleep, refresh=True)
    assert fresh.requests == 2 and fresh.fetched_dates == {today: 2} and fresh.n_records == 150


def test_slices_with_date_filters_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    works = make_works(1000, date_from=dt.date(2023, 6, 1), date_to=dt.date(2025, 6, 30))
    with OpenAlexServer(works=works, filter_dates=True) as srv:
        srv.faults.extend([Fault(reset=True), Fault(empty=True), Fault(short=True), Fault(status=503)])
        r = fetch_openalex(q(slices=4), settings=settings(srv, tmp_path), sleep=no_sleep)
    assert r.complete and r.n_records == 1000 and r.shortfall == 0
    assert sum(c["received"] for c in r.chains) == 1000
    assert not any("duplicate" in n for n in r.notes)


def test_on_page_streams_each_new_page_once(tmp_path: Path) -> None:
    got: list[tuple[str, int]] = []
    with OpenAlexServer(works=make_works(250)) as srv:
        srv.faults.extend([Fault(), Fault(reset=True)])
        fetch_openalex(q(), settings=settings(srv, tmp_path), sleep=no_sleep, on_page=lambda c, recs: got.append((c, len(recs))))
    assert got == [("s00-c00", 100), ("s00-c00", 100), ("s00-c00", 50)]


def test_ctrl_c_stops_within_2_s_with_exit_130_and_the_cache_resumes(tmp_path: Path) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    qf = tmp_path / "live.toml"
    qf.write_text(LIVE.format(slices=4, retries=3, timeout=30).replace("rate_limit = 100", "rate_limit = 20"))
    repo = Path(__file__).resolve().parent.parent
    with OpenAlexServer(works=make_works(3000), per_request_latency=0.3) as srv:
        env = {**os.environ, "PYTHONPATH": str(repo), "OPENALEX_API_KEY": KEY, "BIBLIO_OPENALEX_URL": srv.base_url, "BIBLIO_CACHE_DIR": str(tmp_path / "cache")}
        p = subprocess.Popen([sys.executable, "-m", "biblio.cli", "fetch", str(qf), "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(list((tmp_path / "cache").glob("*/*/page-*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        _out, err = p.communicate(timeout=10)
        took = time.monotonic() - t0
        assert p.returncode == 130 and took < 2.0, (p.returncode, took, err)
        m = re.fullmatch(r"Error: interrupted; (\d+) pages are cached, re-run to resume\n", err)
        assert m and int(m.group(1)) >= 4, err
        assert "Traceback" not in err
        srv.latency = 0
        r = fetch_openalex(parse_query(qf.read_text()), settings=settings(srv, tmp_path), sleep=no_sleep)
    ids = [w["id"] for w in r.records]
    assert r.complete and len(ids) == 3000 == len(set(ids))


def test_run_records_shortfall_dates_and_complete_false_in_manifest_and_report(tmp_path: Path) -> None:
    from biblio.pipeline import run_query

    with OpenAlexServer(works=make_works(150)) as srv:
        srv.short_by = 5
        res = run_query(q(), settings=settings(srv, tmp_path), output_dir=tmp_path / "out", run_id="r1")
    m = json.loads((res.run_dir / "manifest.json").read_text())
    assert m["complete"] is False and m["fetch"]["shortfall"] == 5
    assert m["fetch"]["chains"][0]["received"] == 150 and m["fetch"]["chains"][0]["meta_count"] == 155
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert m["fetch"]["fetched_dates"] == {today: 2}
    html = (res.run_dir / "report.html").read_text()
    thin = html.split("Where the data is thin")[1].split("</section>")[0]
    assert "5 missing" in thin and "INCOMPLETE" in thin and today in thin


def test_output_disk_full_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import biblio.report as report
    from biblio.errors import BiblioError
    from biblio.pipeline import run_query

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "x.parquet"))

    monkeypatch.setattr(report, "write_run", full)
    with OpenAlexServer(works=make_works(10)) as srv:
        with pytest.raises(BiblioError, match=r"cannot write the run folder .*No space left on device.*re-run"):
            run_query(q(), settings=settings(srv, tmp_path), output_dir=tmp_path / "out", run_id="r1")


def test_check_reports_the_key_and_estimates_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from biblio.cli import main

    qf = tmp_path / "live.toml"
    qf.write_text(LIVE.format(slices=4, retries=3, timeout=5) + "max_requests = 500\n")
    monkeypatch.setenv("BIBLIO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    out = CliRunner().invoke(main, ["check", str(qf)]).output
    assert "OPENALEX_API_KEY: NOT set" in out and "at least 4 list requests (4 chains" in out and "max_requests = 500" in out
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    out = CliRunner().invoke(main, ["check", str(qf)]).output
    assert "OPENALEX_API_KEY: set" in out and KEY not in out


# -- award records (issue 9 part 5) -------------------------------------------------------
def award_rec(i: int) -> dict:
    """A SYNTHETIC /awards record (test-only)."""
    return {"id": f"https://openalex.org/G9{i:06d}", "display_name": f"[SYNTHETIC] award {i}", "funder_award_id": f"FA9550-23-1-{i:04d}",
            "funder": {"id": "https://openalex.org/F4320338279", "display_name": "Air Force Office of Scientific Research"},
            "amount": 1000.0 * (i + 1), "currency": "USD", "start_date": "2023-01-01", "end_date": "2025-12-31", "biblio_synthetic": True}


def test_fetch_awards_through_pyalex_in_chunks_cached_and_retried(tmp_path: Path) -> None:
    from biblio.openalex import fetch_awards

    with OpenAlexServer(awards=[award_rec(i) for i in range(150)]) as srv:
        s = settings(srv, tmp_path)
        srv.faults.append(Fault(reset=True))
        ids = [f"G9{i:06d}" for i in range(150)] + ["G9999999"]  # one OpenAlex does not know
        recs = fetch_awards(ids, settings=s, sleep=no_sleep)
        aw = [r for r in srv.requests if r["path"] == "/awards"]
        assert len(aw) == 3  # 100 + 51 IDs, one reset retried
        assert unquote(aw[0]["params"]["filter"][0]).startswith("openalex_id:G9000000|")
        again = fetch_awards(ids, settings=s, sleep=no_sleep)
        assert len(srv.requests) == 3  # cached like works pages
    assert len(recs) == 150 == len(again) and {r["currency"] for r in recs} == {"USD"}


def test_run_writes_an_award_records_table_the_report_sums(tmp_path: Path) -> None:
    import polars as pl

    from biblio.pipeline import run_query

    works = make_works(3)
    for i, w in enumerate(works):
        a = award_rec(i)
        w["funders"] = [{"id": "https://openalex.org/F4320338279", "display_name": "Air Force Office of Scientific Research"}]
        w["awards"] = [{"id": a["id"], "display_name": None, "funder_award_id": a["funder_award_id"], "funder_id": a["funder"]["id"],
                        "funder_display_name": a["funder"]["display_name"], "doi": None}]
    with OpenAlexServer(works=works, awards=[award_rec(i) for i in range(3)]) as srv:
        res = run_query(q(), settings=settings(srv, tmp_path), output_dir=tmp_path / "out", run_id="r1")
    recs = pl.read_parquet(res.run_dir / "tables" / "award_records.parquet")
    assert recs.height == 3 and recs["amount"].sum() == 6000.0 and recs["synthetic"].all()
