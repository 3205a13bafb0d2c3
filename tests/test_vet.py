"""Vetting a team: people, query files, rules, facts, identity, outputs, monitoring, API path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from biblio.cli import EXIT_NEW_ITEMS, main
from biblio.errors import InputFileError, QueryFileError
from biblio.settings import Settings
from biblio.vet import load_rules, load_team, load_vet_query, parse_vet_query, people_from_ids, vet, write_vet
from biblio.vet.people import parse_orcid
from biblio.vet.rules import apply_rules
from tests.openalex_server import Fault, OpenAlexServer

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "queries" / "vet-demo.toml"
DATA = ROOT / "biblio" / "data" / "vet_demo"
ALEX, BLAIR, CASEY = "0009-0000-0000-0017", "0009-0000-0000-0025", "0009-0000-0000-0033"
KEY = "vet-test-key-not-real-98765"


@pytest.fixture(scope="module")
def demo():
    return vet(load_vet_query(DEMO))


def _facts(res, person: str, fact: str) -> pl.DataFrame:
    return res.facts.filter((pl.col("person_key") == person) & (pl.col("fact") == fact))


# -- people ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097", "0000000218250097", " orcid.org/0000-0002-1825-0097 "])
def test_orcid_forms(raw: str) -> None:
    assert parse_orcid(raw) == "0000-0002-1825-0097"


@pytest.mark.parametrize("raw,needle", [("0000-0002-1825-0098", "check digit"), ("1234", "not an ORCID"), ("A12x", "not an ORCID")])
def test_bad_ids_are_one_line_errors(raw: str, needle: str) -> None:
    with pytest.raises(InputFileError, match=needle):
        people_from_ids([raw])


def test_ids_classified_and_deduplicated() -> None:
    ps = people_from_ids(["https://openalex.org/A5023888391", "a5023888391", "0000-0002-1825-0097"])
    assert [(p.openalex_id, p.orcid) for p in ps] == [("A5023888391", None), (None, "0000-0002-1825-0097")]


def test_team_csv(tmp_path: Path) -> None:
    team = load_team(DATA / "team.csv")
    assert [p.key for p in team] == [ALEX, BLAIR, CASEY] and team[0].openalex_id == "A9990000001"
    bad = tmp_path / "t.csv"
    bad.write_text("name,orcid\nX,0000-0002-1825-0098\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"row 2: ORCID"):
        load_team(bad)
    bad.write_text("name,email\nX,x@y\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="needs a .orcid. or .openalex_id. column"):
        load_team(bad)


# -- query files and rules ---------------------------------------------------------------
def test_vet_query_window_and_paths() -> None:
    vq = load_vet_query(DEMO)
    assert vq.window() == (dt.date(2021, 6, 30), dt.date(2026, 6, 30))
    assert vq.team is not None and vq.team.is_file() and vq.rules.is_file() and vq.exclude is not None


@pytest.mark.parametrize("text,field", [
    ('name = "x"\n', "vet"),
    ('name = "x"\n[vet]\npeople = ["0000-0002-1825-0097"]\nlookback_years = 0\n', "vet.lookback_years"),
    ('name = "x"\n[vet]\npeople = ["0000-0002-1825-0097"]\nbogus = 1\n', "vet.bogus"),
    ('name = "x"\n[vet]\nteam = "builtin:../../etc/passwd"\n', "vet.team"),
    ('name = "x"\n[vet]\npeople = ["0000-0002-1825-0097"]\n[lists]\napply = ["all", "bogus"]\n', "lists.apply"),
])
def test_vet_query_errors_name_the_field(text: str, field: str) -> None:
    with pytest.raises(QueryFileError, match=field.replace(".", r"\.")):
        parse_vet_query(text, path="q.toml")


def test_rules_file_validated(tmp_path: Path) -> None:
    rs = load_rules()
    assert {r.category for r in rs.rules} == {"prohibited", "mitigation required", "mitigation suggested", "note"}
    bad = tmp_path / "r.toml"
    bad.write_text('[matrix]\nname="n"\nversion="1"\nsource="s"\n[[rule]]\nid="a"\nfact="vibes"\ncategory="note"\ntext="t"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown fact"):
        load_rules(bad)


def test_rule_effective_dates_and_lookback(demo) -> None:
    rs = load_rules()
    before = apply_rules(demo.facts.drop("rules_met", "category"), rs, as_of=dt.date(2024, 1, 1))
    # TP-1 (talent programmes) is in force only from 2024-08-09
    assert "TP-1" not in ";".join(before["rules_met"].to_list())
    late = apply_rules(demo.facts.drop("rules_met", "category"), rs, as_of=dt.date(2031, 1, 1))
    assert late.filter(pl.col("publication_date") < dt.date(2026, 1, 1))["rules_met"].str.len_chars().max() == 0


# -- facts on the synthetic demo team --------------------------------------------------
def test_window_and_exclusions(demo) -> None:
    alex = demo.works.filter(pl.col("person_key") == ALEX)
    assert "W9990000005" not in alex["work_id"].to_list()  # 2020: outside the 5-year window
    excl = alex.filter(pl.col("excluded"))
    assert excl["work_id"].to_list() == ["W9990000007"] and "different person" in excl["excluded_reason"][0]
    assert demo.facts.filter(pl.col("work_id") == "W9990000007").height == 0


def test_identity_note_flags_a_far_affiliation(demo) -> None:
    w = demo.works.filter(pl.col("work_id") == "W9990000007")
    assert w["identity_note"][0].startswith("possible mis-assignment")
    assert demo.works.filter(pl.col("work_id") == "W9990000001")["identity_note"][0] == "consistent"


def test_coauthor_facts_carry_flag_evidence(demo) -> None:
    f = _facts(demo, ALEX, "coauthor_listed").filter((pl.col("work_id") == "W9990000001") & (pl.col("list_key") == "entity_list"))
    r = f.row(0, named=True)
    assert "Beihang" in r["raw_affiliation_string"] and r["author_name"] == "Zhao Lei"
    assert r["list_edition_date"] is not None and r["method"] and r["listed_at_publication"] is True
    assert r["rules_met"] == "CO-1" and r["category"] == "mitigation suggested"


def test_own_listed_affiliation(demo) -> None:
    own = _facts(demo, ALEX, "own_affiliation_listed")
    assert set(own["work_id"]) == {"W9990000003"} and "Harbin Institute of Technology" in own["entity_name"].to_list()
    assert "mitigation required" in own["category"].to_list()


def test_funding_talent_and_dod_facts(demo) -> None:
    prc = _facts(demo, ALEX, "prc_state_funding")
    assert prc["work_id"].to_list() == ["W9990000002"] and prc["rules_met"][0] == "FU-1"
    tp = _facts(demo, ALEX, "talent_programme")
    assert tp["work_id"].to_list() == ["W9990000006"] and tp["category"][0] == "prohibited" and "Thousand Talents" in tp["detail"][0]
    dod = _facts(demo, ALEX, "dod_funded")
    assert set(dod["work_id"]) == {"W9990000001", "W9990000003"}


def test_all_list_countries_screened(demo) -> None:
    f = _facts(demo, BLAIR, "coauthor_listed")
    assert f.filter(pl.col("country_code") == "RU")["entity_name"].str.contains("Bauman").any()


def test_breakdown_by_list_year_entity(demo) -> None:
    b = demo.by_list_year_entity.filter((pl.col("person_key") == ALEX) & (pl.col("list_key") == "entity_list"))
    row = b.filter(pl.col("entity_name").str.contains("Aeronautics")).row(0, named=True)
    assert row["year"] == 2024 and row["works"] == 1 and row["works_listed_at_publication"] == 1


def test_person_with_no_works_is_a_result(demo) -> None:
    c = demo.summary.filter(pl.col("person_key") == CASEY).row(0, named=True)
    assert c["works"] == 0 and c["status"] == "no works found in the window"


# -- outputs ------------------------------------------------------------------------------
def test_write_vet_outputs(demo, tmp_path: Path) -> None:
    d = write_vet(demo, output_dir=tmp_path, run_id="R1")
    man = json.loads((d / "manifest.json").read_text())
    assert man["synthetic"] and man["rules"]["version"] == "2026-03-biblio-1" and len(man["rules"]["sha256"]) == 64
    assert man["exclusions"]["work_ids"] == ["W9990000007"] and man["window"] == ["2021-06-30", "2026-06-30"]
    memos = sorted(d.glob("memo-*.html"))
    assert len(memos) == 3
    alex = next(m for m in memos if "alex" in m.name).read_text()
    assert "SYNTHETIC DATA" in alex and "TP-1" in alex and "Zhao Lei" in alex and "https://doi.org/10.5555/biblio-vet-1" in alex
    assert "no works found in the window" in (d / "team.html").read_text()
    doc = json.loads((d / "vet.json").read_text())
    assert {p["person_key"] for p in doc["people"]} == {ALEX, BLAIR, CASEY}
    with pytest.raises(InputFileError, match="already exists"):
        write_vet(demo, output_dir=tmp_path, run_id="R1")


def test_outputs_never_hold_formulas(demo, tmp_path: Path) -> None:
    import zipfile

    evil = dataclasses.replace(demo, facts=demo.facts.with_columns(pl.lit("=HYPERLINK(\"http://x\")").alias("raw_affiliation_string")))
    d = write_vet(evil, output_dir=tmp_path, run_id="E")
    assert "'=HYPERLINK" in (d / "facts.csv").read_text()
    with zipfile.ZipFile(d / "vet.xlsx") as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets


# -- monitoring ---------------------------------------------------------------------------
def _demo_copy(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "data")
    q = DEMO.read_text().replace("builtin:vet_demo/", "data/")
    (tmp_path / "vet.toml").write_text(q, encoding="utf-8")
    return tmp_path / "vet.toml"


def test_since_reports_only_new_items(tmp_path: Path) -> None:
    qf = _demo_copy(tmp_path)
    r = CliRunner().invoke(main, ["vet", str(qf), "--out", str(tmp_path / "out"), "--run-id", "R1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["vet", str(qf), "--out", str(tmp_path / "out"), "--run-id", "R2", "--since", "latest"])
    assert r.exit_code == 0 and "nothing new" in r.output
    works = (tmp_path / "data" / "works.jsonl").read_text().splitlines()
    new = json.loads(works[0])
    new["id"], new["doi"], new["publication_date"] = "https://openalex.org/W9990000099", "https://doi.org/10.5555/biblio-vet-99", "2026-05-01"
    (tmp_path / "data" / "works.jsonl").write_text("\n".join([*works, json.dumps(new)]) + "\n")
    r = CliRunner().invoke(main, ["vet", str(qf), "--out", str(tmp_path / "out"), "--run-id", "R3", "--since", str(tmp_path / "out" / "vet-demo" / "R2")])
    assert r.exit_code == EXIT_NEW_ITEMS, r.output
    news = pl.read_parquet(tmp_path / "out" / "vet-demo" / "R3" / "new_since.parquet")
    assert set(news["work_id"]) == {"W9990000099"} and set(news["change"]) == {"new work"}


def test_since_detects_newly_listed(demo, tmp_path: Path) -> None:
    from biblio.vet.monitor import new_since

    old = dataclasses.replace(demo, facts=demo.facts.with_columns(pl.lit(False).alias("listed_now")))
    d = write_vet(old, output_dir=tmp_path, run_id="OLD")
    news = new_since(d, demo)
    assert news.height > 0 and set(news["change"]) == {"newly listed"}


def test_since_bad_folder_is_one_line_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["vet", str(DEMO), "--out", str(tmp_path), "--since", str(tmp_path / "nope")])
    assert r.exit_code == 1 and r.output.count("Error:") == 1 and "Traceback" not in r.output


# -- the live path, against the loopback server ------------------------------------------
def test_api_path_matches_snapshot_path(demo, tmp_path: Path) -> None:
    works = [json.loads(x) for x in (DATA / "works.jsonl").read_text().splitlines()]
    vq = dataclasses.replace(load_vet_query(DEMO), source="openalex", snapshot_paths=())
    with OpenAlexServer(works=works) as srv:
        s = Settings(api_key=KEY, openalex_url=srv.base_url, cache_dir=tmp_path / "cache")
        res = vet(vq, settings=s)
        filters = [r["params"].get("filter", [""])[0] for r in srv.requests]
        auth = {r["headers"].get("Authorization") for r in srv.requests}
    assert any("authorships.author.id:A9990000001" in f for f in filters)
    assert any("authorships.author.orcid:https://orcid.org/" + BLAIR in f for f in filters)  # Blair has no author ID
    assert all("from_publication_date:2021-06-30" in f for f in filters) and auth == {f"Bearer {KEY}"}
    key = ["person_key", "fact", "work_id", "author_index", "list_key", "entity_key"]
    assert res.facts.select(key).sort(key).equals(demo.facts.select(key).sort(key))
    assert res.source_stats["requests"] == 3 and res.source_stats["wait_s"] >= 0
    assert not any(KEY in p.read_text(errors="ignore") for p in (tmp_path / "cache").rglob("*") if p.is_file())


def test_cli_team_against_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    works = [json.loads(x) for x in (DATA / "works.jsonl").read_text().splitlines()]
    with OpenAlexServer(works=works) as srv:
        monkeypatch.setenv("BIBLIO_OPENALEX_URL", srv.base_url)
        monkeypatch.setenv("OPENALEX_API_KEY", KEY)
        monkeypatch.setenv("BIBLIO_CACHE_DIR", str(tmp_path / "cache"))
        r = CliRunner().invoke(main, ["vet", "--team", str(DATA / "team.csv"), "--person", "A5000000001", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "A5000000001: 0 works; no works found in the window" in r.output
    man = json.loads(next((tmp_path / "o" / "vet").glob("*/manifest.json")).read_text())
    assert KEY not in json.dumps(man) and man["source"]["source"] == "openalex"


def test_team_fetch_survives_faults(demo, tmp_path: Path) -> None:
    works = [json.loads(x) for x in (DATA / "works.jsonl").read_text().splitlines()]
    vq = dataclasses.replace(load_vet_query(DEMO), source="openalex", snapshot_paths=())
    with OpenAlexServer(works=works) as srv:
        srv.faults.extend([Fault(status=503), Fault(reset=True), Fault(short=True), Fault(status=429, headers={"Retry-After": "0"})])
        res = vet(vq, settings=Settings(api_key=KEY, openalex_url=srv.base_url, cache_dir=tmp_path / "cache"))
    assert res.source_stats["complete"] and set(res.works["work_id"]) == set(demo.works["work_id"])
