"""DoD agency attribution from funder IDs and award prefixes."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from biblio.funders import funder_frame, load_funder_table, work_agencies

T = load_funder_table()


@pytest.mark.parametrize(
    ("funder", "award", "expected"),
    [
        ("F4320306078", "FA9550-21-1-0001", ("AFOSR", "award_prefix")),  # generic DoD + AFOSR prefix
        ("https://openalex.org/F4320306078", "W911NF 19 1 0123", ("ARO", "award_prefix")),
        ("F4320306078", "N00014-22-1-2001", ("ONR", "award_prefix")),
        ("F4320306078", "HR00112290001", ("DARPA", "award_prefix")),
        ("F4320306078", "12345", ("DoD", "funder_id")),  # generic, no usable prefix
        ("F4320306078", None, ("DoD", "funder_id")),
        ("F4320337345", "FA9550-21-1-0001", ("ONR", "funder_id")),  # a specific funder wins
        (None, "FA9550-21-1-0001", ("AFOSR", "award_prefix")),  # no funder: the prefix decides
        ("F4320332161", "FA9550-21-1-0001", (None, None)),  # non-DoD funder (NIH) never attributed
        ("F4320306078", "HT9425-23-1-0001", ("DoD", "funder_id")),  # unverified prefix is not used
    ],
)
def test_attribute(funder: str | None, award: str | None, expected: tuple[str | None, str | None]) -> None:
    assert T.attribute(funder, award) == expected


def test_table_has_only_verified_rows_with_ids() -> None:
    f = funder_frame()
    assert f.height == 18
    assert {"F4320333566", "F4320338502", "F4320338295", "F4320338294", "F4320332467", "F4320333591"} <= set(f["funder_id"])
    assert f["funder_id"].str.contains(r"^F\d+$").all()
    assert f.filter(pl.col("generic"))["short"].to_list() == ["DoD", "USAF", "MURI"]  # the award prefix names the office
    assert "HT9425" not in "|".join(f["award_prefixes"].to_list())


def test_extra_prefixes() -> None:
    t = load_funder_table(extra_prefixes=[("N00173", "ONR")])
    assert t.attribute("F4320306078", "N00173-20-1-G001") == ("ONR", "award_prefix")


def test_work_agencies_prefers_specific_over_generic() -> None:
    funders = pl.DataFrame(
        {
            "work_id": ["W1", "W2", "W3"],
            "is_dod": [True, True, False],
            "agency": ["DoD", "DoD", None],
            "agency_source": ["funder_id", "funder_id", None],
        }
    )
    awards = pl.DataFrame(
        {
            "work_id": ["W1", "W1"],
            "award_number": ["FA9550-21-1-0001", "N00014-22-1-2001"],
            "is_dod": [True, True],
            "agency": ["AFOSR", "ONR"],
            "agency_source": ["award_prefix", "award_prefix"],
        }
    )
    got = work_agencies(funders, awards)
    expected = pl.DataFrame(
        {
            "work_id": ["W1", "W1", "W2"],
            "agency": ["AFOSR", "ONR", "DoD"],
            "agency_source": ["award_prefix", "award_prefix", "funder_id"],
            "award_numbers": [["FA9550-21-1-0001"], ["N00014-22-1-2001"], []],
        },
        schema_overrides={"award_numbers": pl.List(pl.Utf8)},
    )
    assert_frame_equal(got, expected)


# -- discovery (issue 9 part 1) ------------------------------------------------------------
from pathlib import Path  # noqa: E402

from biblio.funders import judge_funder, load_rules, load_seeds  # noqa: E402


def fx(fid: str, name: str, cc: str | None = "US", *, crossref: str | None = None, ror: str | None = None, works: int = 100) -> dict:
    """A /funders record for the loopback server: IDs and names as OpenAlex has them (most from the
    House committee's papers, shared/data/house); works_count is a test value."""
    return {"id": f"https://openalex.org/{fid}", "display_name": name, "country_code": cc, "works_count": works,
            "ids": {"openalex": f"https://openalex.org/{fid}", "crossref": crossref, "ror": f"https://ror.org/{ror}" if ror else None}}


FUNDERS = [
    fx("F4320306078", "U.S. Department of Defense", crossref="100000005", ror="0447fe631", works=90000),
    fx("F4320337345", "Office of Naval Research", crossref="100000006", works=80000),
    fx("F4320338295", "Army Research Laboratory", works=9000),
    fx("F4320337628", "U.S. Naval Research Laboratory", works=7000),
    fx("F4320338456", "DEVCOM Army Research Laboratory", works=800),
    fx("F4320332504", "Uniformed Services University of the Health Sciences", works=3000),
    fx("F4320332925", "Defense Health Agency", works=900),
    fx("F4320332959", "Defense Human Resources Activity", crossref="100010210", works=400),
    fx("F4320337501", "Office of Defense Nuclear Nonproliferation", crossref="100006769", works=300),
    fx("F9900000001", "Air Force Association", works=5),
    fx("F9900000002", "NASA Jet Propulsion Laboratory", works=500),
    fx("F9900000003", "Oak Ridge National Laboratory", works=600),
    fx("F4320334776", "Naval Research Board", "IN", works=50),
    fx("F9900000004", "Air Force Engineering University", "CN", crossref="100006753", works=70),
]
EXPECTED_IN = {"F4320306078", "F4320337345", "F4320338295", "F4320337628", "F4320338456", "F4320332504", "F4320332925", "F4320332959"}
LOOKALIKES = {"F4320337501": "DOE/NNSA", "F9900000001": "professional, private or charitable", "F9900000002": "NASA",
              "F9900000003": "DOE/NNSA", "F9900000004": "not a U.S. body (country CN)"}


@pytest.mark.parametrize(
    ("name", "cc", "included"),
    [
        ("Air Force Association", "US", False),
        ("Association of the United States Army", "US", False),
        ("NASA Jet Propulsion Laboratory", "US", False),
        ("Los Alamos National Laboratory", "US", False),
        ("Office of Defense Nuclear Nonproliferation", "US", False),
        ("U.S. Coast Guard", "US", False),
        ("National University of Defense Technology", "CN", False),
        ("Naval Research Board", "IN", False),
        ("DEVCOM Army Research Laboratory", "US", True),
        ("U.S. Naval Research Laboratory", "US", True),
        ("Missile Defense Agency", "US", True),
        ("Strategic Environmental Research and Development Program", "US", True),
        ("National Science Foundation", "US", False),
    ],
)
def test_judge_never_takes_a_lookalike(name: str, cc: str, included: bool) -> None:
    ok, why = judge_funder({"id": "F1", "display_name": name, "country_code": cc}, origin='search:"x"')
    assert ok is included, why
    assert why  # every decision says why


def test_seeds_and_rules_are_data_with_sources() -> None:
    seeds = load_seeds()
    kinds = {s.kind for s in seeds}
    assert kinds == {"crossref", "ror", "name"} and all(s.source for s in seeds)
    cr = {s.value for s in seeds if s.kind == "crossref"}
    assert {"100000005", "100000006", "100005712", "100000266", "100006769", "100007297"} <= cr
    assert load_rules()["reject"] and load_rules()["dod_names"]


def test_discovery_against_the_loopback_server_then_the_run_uses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import unquote

    from click.testing import CliRunner

    from biblio.cli import main
    from biblio.openalex import fetch_openalex
    from biblio.query import parse_query
    from biblio.settings import Settings
    from tests.openalex_server import OpenAlexServer, make_works

    qtext = (
        'name = "d"\n[window]\nfrom = 2024-01-01\nto = 2024-12-31\n[funders]\nagencies = ["all"]\ndiscover = true\n'
        'exclude = ["F4320332925"]\n[source]\nkind = "openalex"\n[fetch]\nslices = 1\nrate_limit = 100\n'
    )
    qf = tmp_path / "d.toml"
    qf.write_text(qtext)
    with OpenAlexServer(works=make_works(20), funders=FUNDERS) as srv:
        monkeypatch.setenv("OPENALEX_API_KEY", "k-test")
        monkeypatch.setenv("BIBLIO_OPENALEX_URL", srv.base_url)
        monkeypatch.setenv("BIBLIO_CACHE_DIR", str(tmp_path / "cache"))
        res = CliRunner().invoke(main, ["funders", str(qf), "--all"])
        assert res.exit_code == 0, res.output
        fq = [unquote(r["query"]) for r in srv.requests if r["path"] == "/funders"]
        assert any("filter=ids.crossref:100000005|100000006" in x for x in fq)
        assert any("filter=ids.ror:0447fe631" in x for x in fq)
        assert any("search=Naval+Research+Laboratory" in x and "country_code:us" in x for x in fq)
        for fid in EXPECTED_IN:
            assert fid in res.output
        for fid, why in LOOKALIKES.items():
            row = next(ln for ln in res.output.splitlines() if fid in ln)
            assert "false" in row and why.split()[0] in row, row
        n = len(srv.requests)
        r = fetch_openalex(parse_query(qtext, path=str(qf)), settings=Settings.from_env())
        assert len([x for x in srv.requests[n:] if x["path"] == "/funders"]) == 0  # the cached table is used
        flt = unquote(next(x for x in srv.requests[n:] if x["path"] == "/works")["params"]["filter"][0])
    used = {p["id"]: p for p in r.funders_used}
    assert "F4320337628" in flt and "F4320338456" in flt and "F9900000001" not in flt and "F4320337501" not in flt
    assert "F4320332925" not in flt and used["F4320332925"]["used"] is False and "excluded" in used["F4320332925"]["origin"]
    assert used["F4320337628"]["origin"].startswith("discovered ") and "search:" in used["F4320337628"]["origin"]
    assert used["F4320338279"]["origin"].startswith("query funders.agencies")


def test_offline_discovery_is_the_seeds(tmp_path: Path) -> None:
    from biblio.funders import discover_funders, funder_plan
    from biblio.query import parse_query
    from biblio.settings import Settings

    st = Settings(api_key=None, cache_dir=tmp_path)
    df = discover_funders(settings=st)
    assert df.height == 18 and df["included"].all() and set(df["origin"]) == {"seed:openalex"}
    q = parse_query('name = "d"\n[window]\nfrom = 2024-01-01\nto = 2024-12-31\n[funders]\nagencies = ["all"]\ndiscover = true\n')
    assert [p["id"] for p in funder_plan(q, settings=st)] == list(q.funder_ids)
