"""biblio coverage: every DOI of a reference list found or explained (synthetic fixtures + House data)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from biblio.cli import main
from biblio.coverage import coverage, found_breakdown
from biblio.errors import InputFileError
from biblio.evidence import REASONS, award_agency, dod_rules, name_agency
from biblio.query import load_query, parse_query

ROOT = Path(__file__).resolve().parents[1]
HOUSE_LIST = ROOT / "biblio" / "data" / "house" / "fox-in-the-henhouse_dod-associated-publications.csv"
FOX = ROOT / "queries" / "fox-in-the-henhouse.toml"


def _work(n: int, *, date: str = "2024-01-15", funders: list[str] = (), cc: str | None = "US", raw: str = "MIT, USA") -> dict:
    inst = [{"id": f"https://openalex.org/I{n}", "display_name": f"Inst {n}", "country_code": cc}] if cc else []
    return {
        "id": f"https://openalex.org/W{n}",
        "doi": f"https://doi.org/10.5555/syn.{n}",
        "display_name": f"[SYNTHETIC] work {n}",
        "publication_date": date,
        "biblio_synthetic": True,
        "funders": [{"id": f"https://openalex.org/{f}", "display_name": "x"} for f in funders],
        "awards": [],
        "authorships": [{"institutions": inst, "raw_affiliation_strings": [raw]}],
    }


@pytest.fixture()
def synthetic(tmp_path: Path) -> Path:
    """SYNTHETIC records: one per outcome."""
    works = [
        _work(1, funders=["F4320337345"], cc="CN"),                        # found via OpenAlex ONR + CN institution
        _work(2, cc=None, raw="Dept of Physics, Zhejiang University, Hangzhou 310027, China"),  # Crossref DoD + raw string
        _work(3, funders=["F4320332161"], cc="CN"),                        # NIH only: funder not DoD-known
        _work(4, cc="CN"),                                                  # no funder metadata anywhere
        _work(5, funders=["F4320337345"], cc="US"),                        # no PRC co-author
        _work(6, funders=["F4320337345"], cc="CN", date="2022-02-01"),     # outside the window
        _work(7, cc="TW", raw="Taipei, Taiwan"),                            # award prefix, but Taiwan
    ]
    (tmp_path / "works.jsonl").write_text("\n".join(json.dumps(w) for w in works) + "\n")
    (tmp_path / "crossref.csv").write_text(
        "doi,funder_name,funder_doi,doi_asserted_by,awards\n"
        "10.5555/syn.2,Office of Naval Research,10.13039/100000006,publisher,\n"
        "10.5555/syn.7,Some Agency,,publisher,FA9550-21-1-0001\n"
    )
    (tmp_path / "list.csv").write_text("DOI,Title\n" + "".join(f"10.5555/SYN.{n},t{n}\n" for n in range(1, 9)) + ",no doi\n")
    (tmp_path / "q.toml").write_text(
        'name = "syn"\n[window]\nfrom = 2023-06-01\nto = 2025-06-30\n[funders]\nagencies = ["all"]\n'
        'evidence = ["all"]\n[scope]\nprc = "cn"\nraw_strings = true\n'
        '[source]\nkind = "snapshot"\npaths = ["works.jsonl"]\ncrossref = ["crossref.csv"]\n'
    )
    return tmp_path


def test_every_row_found_or_explained(synthetic: Path) -> None:
    res = coverage(load_query(synthetic / "q.toml"), synthetic / "list.csv")
    t = res.table.sort("row")
    assert t.height == 9
    assert t["found"].to_list() == [True, True, False, False, False, False, False, False, False]
    assert t["reason"].to_list()[2:] == [
        "funder not DoD-known", "no funder metadata anywhere", "no PRC co-author found",
        "outside the window", "no PRC co-author found", "no record", "no record",
    ]
    assert t.filter(~pl.col("found"))["reason"].null_count() == 0
    assert t["prc_via"].to_list()[:2] == ["institution", "raw_string"]
    assert "crossref: 10.13039/100000006" in t["dod_evidence"][1]
    assert "award: FA9550-21-1-0001 (AFOSR)" in t["dod_evidence"][6]
    assert res.summary.filter(pl.col("outcome") == "found")["n"][0] == 2
    assert res.summary["n"].sum() == 9


def test_raw_strings_off_misses_raw_only_coauthor(synthetic: Path) -> None:
    text = (synthetic / "q.toml").read_text().replace("raw_strings = true", "raw_strings = false")
    (synthetic / "q2.toml").write_text(text)
    t = coverage(load_query(synthetic / "q2.toml"), synthetic / "list.csv").table.sort("row")
    assert t["reason"][1] == "no PRC co-author found"


def test_snapshot_run_keeps_exactly_the_found(synthetic: Path) -> None:
    from biblio.snapshot import fetch_snapshot

    q = load_query(synthetic / "q.toml")
    got = sorted(r["id"].rsplit("/", 1)[-1] for r in fetch_snapshot(q).records)
    assert got == ["W1", "W2"]


def test_write_and_cli(synthetic: Path) -> None:
    out = synthetic / "out" / "cov.csv"
    r = CliRunner().invoke(main, ["coverage", str(synthetic / "q.toml"), "--against", str(synthetic / "list.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "found 2 of 9" in r.output
    assert pl.read_csv(out).height == 9
    assert (synthetic / "out" / "cov_summary.csv").exists()


def test_bad_reference_list(synthetic: Path) -> None:
    (synthetic / "bad.csv").write_text("title\nx\n")
    with pytest.raises(InputFileError, match="no DOI column"):
        coverage(load_query(synthetic / "q.toml"), synthetic / "bad.csv")
    r = CliRunner().invoke(main, ["coverage", str(synthetic / "q.toml"), "--against", str(synthetic / "bad.csv")])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "Traceback" not in r.output


def test_evidence_rules_from_data() -> None:
    rules = dod_rules(kinds=("openalex", "crossref", "award", "name"))
    assert award_agency("W911NF-19-1-0010", rules) == "ARO"
    assert award_agency("N00014 21 1 2345", rules) == "ONR"
    assert award_agency("XW911NF19", rules) is None          # not at a token start
    assert award_agency("FA9550", rules) is None             # no fiscal year
    assert name_agency("US Army Research Office", rules) == "ARO"
    assert name_agency("Army Medical University", rules) is None          # PRC
    assert name_agency("Naval Medical University", rules) is None         # PRC
    assert name_agency("Department of Defence", rules) is None            # Australia
    assert name_agency("Defence Science Organisation", rules) is None     # Singapore
    assert name_agency("National Defense Basic Scientific Research Program of China", rules) is None
    assert name_agency("DOD | USN | Office of Naval Research", rules) == "DoD"


def test_query_validates_new_keys(tmp_path: Path) -> None:
    base = 'name = "t"\n[window]\nfrom = 2024-01-01\nto = 2024-12-31\n[funders]\nagencies = ["ONR"]\n'
    from biblio.errors import QueryFileError

    with pytest.raises(QueryFileError, match="funders.evidence"):
        parse_query(base.replace('agencies = ["ONR"]', 'agencies = ["ONR"]\nevidence = ["acknowledgements"]'))
    with pytest.raises(QueryFileError, match="scope.raw_strings"):
        parse_query(base + "[scope]\nraw_strings = 1\n")
    with pytest.raises(QueryFileError, match="source.crossref"):
        parse_query(base + '[source]\nkind = "snapshot"\npaths = ["x"]\ncrossref = "api"\n')
    q = parse_query(base + '[source]\ncrossref = "api"\n')
    assert q.crossref_api and q.crossref_paths == ()
    assert not parse_query(base).judged_locally


def test_fox_query_on_house_data() -> None:
    """The worked example: at least 700 of the committee's 1,418 papers, every miss explained."""
    res = coverage(load_query(FOX), HOUSE_LIST)
    t = res.table
    assert t.height == 1418
    assert res.n_found >= 700
    assert t.filter(~pl.col("found") & pl.col("reason").is_null()).height == 0
    assert set(t["reason"].drop_nulls()) <= set(REASONS)
    assert t.filter(pl.col("reason") == "no record").height == 9   # 8 DOIs without a record + 1 row without DOI
    assert found_breakdown(t)["n"].sum() == res.n_found
    # found rows carry both halves of the evidence
    assert t.filter(pl.col("found") & (pl.col("dod_evidence").is_null() | pl.col("prc_evidence").is_null())).height == 0


def test_run_writes_evidence_table(synthetic: Path) -> None:
    from biblio.pipeline import run_query

    res = run_query(load_query(synthetic / "q.toml"), output_dir=synthetic / "out", run_id="r1")
    ev = pl.read_csv(res.run_dir / "tables" / "evidence.csv")
    assert sorted(ev["work_id"].to_list()) == ["W1", "W2"]
    assert ev.filter(pl.col("work_id") == "W2")["dod_via"][0] == "crossref;name"
    assert ev["is_synthetic"].all()


def test_check_names_a_missing_crossref_file(synthetic: Path) -> None:
    ok = CliRunner().invoke(main, ["check", str(synthetic / "q.toml")])
    assert ok.exit_code == 0 and "DoD evidence: openalex, crossref, award, name" in ok.output
    (synthetic / "crossref.csv").unlink()
    r = CliRunner().invoke(main, ["check", str(synthetic / "q.toml")])
    assert r.exit_code == 1 and "source.crossref" in r.output and "Traceback" not in r.output


def test_date_note_explains_window_misses() -> None:
    from biblio.coverage import _list_date, date_note

    q = load_query(FOX)
    assert _list_date("2023-06") == ("2023-06-01", "2023-06-28")
    assert _list_date("8/4/2023") == ("2023-08-04", "2023-08-04")
    assert _list_date("2024") == ("2024-01-01", "2024-12-31")
    assert _list_date("soon") is None
    note = date_note({"in_window": False, "publication_date": "2023-01-01"}, "7/12/2023", q)
    assert note is not None and "year only" in note and "inside the window" in note
    assert date_note({"in_window": True, "publication_date": "2024-01-01"}, "2024", q) is None


def test_agencies_from_every_kind_of_evidence(synthetic: Path) -> None:
    t = coverage(load_query(synthetic / "q.toml"), synthetic / "list.csv").table.sort("row")
    assert t["agencies"][0] == "ONR"          # OpenAlex funder ID
    assert t["agencies"][1] == "ONR"          # Crossref funder DOI and name
    assert t["agencies"][6] == "AFOSR"        # award prefix alone
    assert name_agency("U.S. Army Corps of Engineers", dod_rules()) == "US Army"
