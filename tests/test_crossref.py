"""Crossref as a second source, against a loopback Crossref server (never the network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from biblio.crossref import funder_filter, read_funder_entries, works_by_funder, write_funder_entries
from biblio.errors import FetchError, InputFileError
from biblio.settings import Settings
from tests.crossref_server import CrossrefServer, Fault, make_items
from tests.openalex_server import OpenAlexServer

ROOT = Path(__file__).resolve().parents[1]
D0, D1 = dt.date(2023, 6, 1), dt.date(2025, 6, 30)


def _settings(tmp_path: Path, *, crossref: str = "http://127.0.0.1:9", openalex: str = "http://127.0.0.1:9", mailto: str | None = "ops@example.org") -> Settings:
    return Settings(api_key="test-key", openalex_url=openalex, cache_dir=tmp_path / "cache", crossref_url=crossref, mailto=mailto)


def test_offline_entries_from_house_data() -> None:
    e = read_funder_entries([ROOT / "biblio" / "data" / "house" / "crossref_funders.csv"])
    assert len(e) == 1029
    assert sum(len(v) for v in e.values()) == 5587
    row = e["10.1002/1878-0261.13500"][0]
    assert set(row) == {"doi", "funder_name", "funder_doi", "doi_asserted_by", "awards"}


def test_offline_entries_bad_file(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("doi,name\n10.1/x,y\n")
    with pytest.raises(InputFileError, match="missing column"):
        read_funder_entries([tmp_path / "x.csv"])
    with pytest.raises(InputFileError, match="not found"):
        read_funder_entries([tmp_path / "nope.csv"])


def test_funder_filter_shape() -> None:
    assert funder_filter("100000006", D0, D1) == "funder:10.13039/100000006,from-pub-date:2023-06-01,until-pub-date:2025-06-30"


def test_cursor_paging_union_and_mailto(tmp_path: Path) -> None:
    items = make_items(2500, funder="100000006") + make_items(300, funder="100000183", start=2400)  # 100 overlap
    items += make_items(5, funder="100000006", start=9000, date=(2022, 1, 1))  # outside the window
    with CrossrefServer(items=items) as srv:
        entries, totals = works_by_funder(["100000006", "100000183"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url))
        reqs = list(srv.requests)
    assert totals == {"100000006": 2500, "100000183": 300}
    assert len(entries) == 2700
    assert all(r["params"]["rows"] == "1000" and r["params"]["mailto"] == "ops@example.org" for r in reqs)
    assert len(reqs) == 3 + 1
    assert reqs[0]["params"]["filter"].startswith("funder:10.13039/100000006,from-pub-date:2023-06-01")
    out = write_funder_entries(entries, tmp_path / "e.csv")
    assert len(read_funder_entries([out])) == 2700


def test_no_mailto_when_unset(tmp_path: Path) -> None:
    with CrossrefServer(items=make_items(3, funder="100000006")) as srv:
        works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url, mailto=None))
        assert "mailto" not in srv.requests[0]["params"]


def test_transient_errors_are_retried(tmp_path: Path) -> None:
    slept: list[float] = []
    with CrossrefServer(items=make_items(1500, funder="100000006")) as srv:
        srv.faults.extend([Fault(status=503), Fault(status=429, headers={"Retry-After": "1"}), Fault(status=500)])
        entries, _ = works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url), sleep=slept.append)
    assert len(entries) == 1500
    assert len(slept) == 3 and slept[1] == 1.0


def test_repeating_cursor_stops_with_error(tmp_path: Path) -> None:
    with CrossrefServer(items=make_items(2500, funder="100000006")) as srv:
        srv.faults.extend([Fault(), Fault(repeat_cursor=True), Fault(repeat_cursor=True)])
        with pytest.raises(FetchError, match="same next-cursor twice"):
            works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url), sleep=lambda s: None)


def test_client_error_is_one_line(tmp_path: Path) -> None:
    with CrossrefServer() as srv:
        srv.faults.append(Fault(status=400))
        with pytest.raises(FetchError, match="HTTP 400"):
            works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url))


def _oa_work(n: int, *, funders: list[str], cc: str | None, raw: str) -> dict:
    return {
        "id": f"https://openalex.org/W9{n:06d}",
        "doi": f"https://doi.org/10.5555/cr.{n}",
        "display_name": f"[SYNTHETIC] work {n}",
        "biblio_synthetic": True,
        "publication_date": "2024-01-15",
        "funders": [{"id": f"https://openalex.org/{f}", "display_name": "x"} for f in funders],
        "awards": [],
        "authorships": [{"institutions": [{"id": "https://openalex.org/I1", "display_name": "Inst", "country_code": cc}] if cc else [], "raw_affiliation_strings": [raw]}],
    }


def test_works_by_doi_single_lookups(tmp_path: Path) -> None:
    from biblio.openalex import works_by_doi

    works = [_oa_work(1, funders=[], cc="CN", raw="x"), _oa_work(2, funders=[], cc="US", raw="y")]
    with OpenAlexServer(works=works) as srv:
        got = works_by_doi(["10.5555/CR.1", "10.5555/cr.2", "10.5555/unknown"], settings=_settings(tmp_path, openalex=srv.base_url))
        paths = [r["path"] for r in srv.requests]
    assert [w["id"][-7:] for w in got] == ["9000001", "9000002"]
    assert paths[0].startswith("/works/doi")


def test_live_union_decides_scope_locally(tmp_path: Path) -> None:
    """OpenAlex's funder filter returns W1; Crossref credits ONR on cr.2 (no OpenAlex funder,
    PRC co-author only in a raw string) and cr.3 (US only): W1 and cr.2 are kept."""
    from biblio.pipeline import fetch_records
    from biblio.query import parse_query

    oa = [
        _oa_work(1, funders=["F4320337345"], cc="CN", raw="Tsinghua University, Beijing, China"),
        _oa_work(2, funders=[], cc=None, raw="School of Physics, Nanjing University, Nanjing 210093, P. R. China"),
        _oa_work(3, funders=[], cc="US", raw="MIT, Cambridge, MA, USA"),
    ]
    cr = make_items(2, funder="100000006", start=2) + make_items(1, funder="100000006", start=1)
    q = parse_query(
        'name = "live"\n[window]\nfrom = 2023-06-01\nto = 2025-06-30\n[funders]\nagencies = ["ONR"]\nevidence = ["all"]\n'
        '[scope]\nprc = "cn"\nraw_strings = true\n[source]\ncrossref = "api"\n[fetch]\nslices = 1\n'
    )
    with OpenAlexServer(works=[oa[0]]) as osrv, CrossrefServer(items=cr) as csrv:
        # the list endpoint serves only W1; single lookups see every record
        osrv.works = [oa[0]]
        s = _settings(tmp_path, crossref=csrv.base_url, openalex=osrv.base_url)
        orig = osrv._single

        def single(h, key):  # noqa: ANN001
            osrv.works = oa
            try:
                orig(h, key)
            finally:
                osrv.works = [oa[0]]

        osrv._single = single  # type: ignore[method-assign]
        result = fetch_records(q, settings=s)
        urls = [r["query"] for r in osrv.requests if r["path"] == "/works"]
        n_cr = len(csrv.requests)
        fetch_records(q, settings=s)  # the Crossref chain is cached ...
        assert len(csrv.requests) == n_cr
        fetch_records(q, settings=s, refresh=True)  # ... and --refresh fetches it again
        assert len(csrv.requests) == 2 * n_cr
    assert sorted(r["id"][-7:] for r in result.records) == ["9000001", "9000002"]
    assert all("country_code" not in u for u in urls)   # raw_strings: no country filter at OpenAlex
    assert any("Crossref:" in n for n in result.notes)
    assert json.dumps(s.redacted()).count("test-key") == 0


def test_entries_by_doi_and_live_coverage(tmp_path: Path) -> None:
    """Live coverage: OpenAlex records and Crossref entries looked up per listed DOI."""
    from biblio.coverage import coverage
    from biblio.crossref import entries_by_doi
    from biblio.query import parse_query

    oa = [
        _oa_work(1, funders=[], cc="CN", raw="x"),
        _oa_work(2, funders=[], cc="CN", raw="y"),
    ]
    cr = make_items(1, funder="100000183", start=1, award="W911NF-21-1-0001")
    (tmp_path / "list.csv").write_text("doi\n10.5555/cr.1\n10.5555/cr.2\n10.5555/cr.404\n")
    q = parse_query(
        'name = "live"\n[window]\nfrom = 2023-06-01\nto = 2025-06-30\n[funders]\nagencies = ["ONR"]\nevidence = ["all"]\n'
        '[scope]\nprc = "cn"\n[source]\ncrossref = "api"\n'
    )
    with OpenAlexServer(works=oa) as osrv, CrossrefServer(items=cr) as csrv:
        s = _settings(tmp_path, crossref=csrv.base_url, openalex=osrv.base_url)
        e = entries_by_doi(["10.5555/CR.1", "10.5555/cr.404"], settings=s)
        assert list(e) == ["10.5555/cr.1"] and e["10.5555/cr.1"][0]["awards"] == "W911NF-21-1-0001"
        res = coverage(q, tmp_path / "list.csv", settings=s)
    t = res.table.sort("row")
    assert t["found"].to_list() == [True, False, False]
    assert t["reason"].to_list()[1:] == ["no funder metadata anywhere", "no record"]
    assert "crossref: 10.13039/100000183" in t["dod_evidence"][0]


def test_finished_chains_are_cached(tmp_path: Path) -> None:
    s_items = make_items(1200, funder="100000006")
    with CrossrefServer(items=s_items) as srv:
        s = _settings(tmp_path, crossref=srv.base_url)
        a, _ = works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=s)
        n = len(srv.requests)
        b, totals = works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=s)
        assert len(srv.requests) == n and a == b and totals == {"100000006": 1200}
        works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=s, refresh=True)
        assert len(srv.requests) == 2 * n
    cached = next((tmp_path / "cache" / "crossref").glob("*.json"))
    assert json.loads(cached.read_text())["fetched"] == dt.date.today().isoformat()


def test_empty_page_mid_chain_is_retried_not_taken_as_the_end(tmp_path: Path) -> None:
    with CrossrefServer(items=make_items(2500, funder="100000006")) as srv:
        srv.faults.extend([Fault(), Fault(empty=True)])
        entries, _ = works_by_funder(["100000006"], date_from=D0, date_to=D1, settings=_settings(tmp_path, crossref=srv.base_url))
    assert len(entries) == 2500
