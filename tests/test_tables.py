"""Flattening raw OpenAlex works into typed tables, current and legacy funding schemas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from biblio.errors import InputFileError
from biblio.snapshot import read_records
from biblio.tables import SCHEMAS, WorksTables, flatten

DATA = Path(__file__).resolve().parent.parent / "biblio" / "data"

CURRENT = {
    "id": "https://openalex.org/W1",
    "doi": "https://doi.org/10.5555/ABC",
    "title": "[SYNTHETIC] t",
    "publication_date": "2024-03-02",
    "publication_year": 2024,
    "type": "article",
    "cited_by_count": 3,
    "primary_topic": {"display_name": "Topic", "subfield": {"display_name": "Sub"}, "field": {"display_name": "Field"}, "domain": {"display_name": "Dom"}},
    "topics": [{"display_name": "Topic"}],
    "keywords": [{"display_name": "kw"}],
    "authorships": [
        {
            "author_position": "first",
            "author": {"id": "https://openalex.org/A1", "display_name": "Li Wei", "orcid": "https://orcid.org/0000-0001-2345-6789"},
            "institutions": [{"id": "https://openalex.org/I4210106882", "display_name": "Wuhan Institute of Virology", "ror": "https://ror.org/01jxjav08",
                              "country_code": "CN", "type": "facility", "lineage": ["https://openalex.org/I19820366", "https://openalex.org/I4210106882"]}],
            "countries": ["CN"],
            "is_corresponding": True,
            "raw_affiliation_strings": ["Wuhan Institute of Virology, CAS, Wuhan, China"],
            "affiliations": [{"raw_affiliation_string": "Wuhan Institute of Virology, CAS, Wuhan, China", "institution_ids": ["https://openalex.org/I4210106882"]}],
        },
        {"author_position": "last", "author": {"id": None, "display_name": "No Inst"}, "institutions": [], "countries": [], "raw_affiliation_strings": ["Beihang Univ., Beijing, China"]},
    ],
    "funders": [{"id": "https://openalex.org/F4320306078", "display_name": "U.S. Department of Defense", "ror": "https://ror.org/0447fe631"}],
    "awards": [{"id": "https://openalex.org/G1", "funder_award_id": "FA9550-22-1-0001", "funder_id": "https://openalex.org/F4320306078", "funder_display_name": "U.S. Department of Defense", "doi": None}],
}
LEGACY = {
    "id": "https://openalex.org/W2",
    "title": "legacy",
    "publication_date": "2023-07-01",
    "grants": [
        {"funder": "https://openalex.org/F4320337345", "funder_display_name": "Office of Naval Research", "award_id": "N00014-21-1-2001"},
        {"funder": "https://openalex.org/F4320337345", "funder_display_name": "Office of Naval Research", "award_id": None},
        {"funder": "https://openalex.org/F4320321001", "funder_display_name": "National Natural Science Foundation of China", "award_id": "12345"},
    ],
}


def real_records() -> list[dict]:
    recs: list[dict] = []
    for f in sorted((DATA / "openalex" / "real").glob("*.json")):
        recs.extend(read_records(f))
    return recs


def test_every_table_has_its_schema_on_real_and_synthetic_data() -> None:
    for recs in (real_records(), list(read_records(DATA / "synthetic" / "synthetic_dod_prc.jsonl"))):
        t = flatten(recs)
        for name, df in t.frames().items():
            assert df.schema == SCHEMAS[name], name
        assert t.works.height == len({r["id"] for r in recs})
        assert t.authorships.height > 0 and t.authorship_institutions.height > 0


def test_real_fixtures_are_legacy_schema_and_keep_raw_strings() -> None:
    t = flatten(real_records())
    assert set(t.works["funding_schema"].unique()) <= {"legacy", "none"}
    assert (t.works["funding_schema"] == "legacy").sum() >= 20
    assert t.funders["schema"].unique().to_list() == ["legacy"]
    assert t.authorships["raw_affiliation_strings"].list.len().sum() > 1000
    cn = t.authorship_institutions.filter(pl.col("country_code") == "CN")
    assert cn.height > 50 and cn["lineage"].list.len().min() >= 1


def test_golden_current_schema_record() -> None:
    t = flatten([CURRENT])
    assert_frame_equal(
        t.works.select("work_id", "doi", "publication_date", "year", "primary_field", "funding_schema", "is_synthetic"),
        pl.DataFrame({"work_id": ["W1"], "doi": ["10.5555/abc"], "publication_date": [dt.date(2024, 3, 2)], "year": [2024],
                      "primary_field": ["Field"], "funding_schema": ["current"], "is_synthetic": [True]},
                     schema_overrides={"year": pl.Int32}),
    )
    assert_frame_equal(
        t.authorship_institutions.select("work_id", "author_index", "institution_id", "ror", "country_code", "lineage"),
        pl.DataFrame({"work_id": ["W1"], "author_index": [0], "institution_id": ["I4210106882"], "ror": ["01jxjav08"], "country_code": ["CN"],
                      "lineage": [["I19820366", "I4210106882"]]}, schema_overrides={"author_index": pl.Int32}),
    )
    assert t.authorships["orcid"].to_list() == ["0000-0001-2345-6789", None]
    assert t.authorships["n_institutions"].to_list() == [1, 0]
    assert_frame_equal(
        t.awards.select("award_id", "award_number", "funder_id", "is_dod", "agency", "agency_source"),
        pl.DataFrame({"award_id": ["G1"], "award_number": ["FA9550-22-1-0001"], "funder_id": ["F4320306078"], "is_dod": [True],
                      "agency": ["AFOSR"], "agency_source": ["award_prefix"]}),
    )
    assert t.funders.select("funder_id", "funder_ror", "agency", "agency_source").row(0) == ("F4320306078", "0447fe631", "DoD", "funder_id")


def test_golden_legacy_record() -> None:
    t = flatten([LEGACY])
    assert t.works["funding_schema"].to_list() == ["legacy"]
    assert_frame_equal(
        t.funders.select("funder_id", "is_dod", "agency", "agency_source"),
        pl.DataFrame({"funder_id": ["F4320337345", "F4320321001"], "is_dod": [True, False], "agency": ["ONR", None], "agency_source": ["funder_id", None]}),
    )
    assert t.awards["award_number"].to_list() == ["N00014-21-1-2001", "12345"]
    assert t.awards["award_id"].null_count() == 2


def test_current_schema_wins_when_both_are_present() -> None:
    t = flatten([{**CURRENT, "grants": LEGACY["grants"]}])
    assert t.works["funding_schema"].to_list() == ["current"]
    assert t.funders.height == 1


def test_empty_input_gives_empty_typed_frames() -> None:
    t = flatten([])
    for name, df in t.frames().items():
        assert df.height == 0 and df.schema == SCHEMAS[name]


def test_write_and_read_round_trip(tmp_path: Path) -> None:
    t = flatten([CURRENT, LEGACY])
    t.write(tmp_path)
    back = WorksTables.read(tmp_path)
    for name in SCHEMAS:
        assert_frame_equal(getattr(back, name), getattr(t, name))
    lazy = WorksTables.scan(tmp_path)
    assert lazy["authorships"].select(pl.len()).collect().item() == t.authorships.height
    (tmp_path / "awards.parquet").unlink()
    with pytest.raises(InputFileError, match="awards.parquet: table missing"):
        WorksTables.read(tmp_path)


def test_synthetic_file_is_deterministic_and_labelled(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic", DATA.parent.parent / "scripts" / "make_synthetic.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    rebuilt = "".join(json.dumps(w, ensure_ascii=False, sort_keys=True) + "\n" for w in mod.build())
    assert rebuilt == (DATA / "synthetic" / "synthetic_dod_prc.jsonl").read_text(encoding="utf-8")
    for w in mod.build():
        assert w["biblio_synthetic"] is True and w["title"].startswith("[SYNTHETIC]") and "10.5555/" in w["doi"]


# --- the columnar flatten gives exactly the tables of the original record-by-record flatten

def _assert_same(recs: list[dict]) -> None:
    from tests.reference_flatten import flatten_reference

    want, got = flatten_reference(recs), flatten(recs)
    for name in SCHEMAS:
        assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True)


def test_columnar_flatten_equals_reference_on_real_and_synthetic_data() -> None:
    _assert_same(real_records())
    _assert_same(list(read_records(DATA / "synthetic" / "synthetic_dod_prc.jsonl")))
    _assert_same([CURRENT, LEGACY, {**CURRENT, "grants": LEGACY["grants"]}, {**LEGACY, "id": "https://openalex.org/W1"}])


def test_columnar_flatten_edge_cases() -> None:
    odd = [
        {"id": "https://openalex.org/W5", "title": "", "display_name": "shown", "publication_date": "2024-02-30", "publication_year": None,
         "cited_by_count": "7", "authorships": None, "funders": [], "awards": [], "grants": []},
        {"id": "https://openalex.org/W6", "publication_date": "2024-05-05T00:00:00", "topics": None, "keywords": [{"display_name": ""}, {"display_name": "k"}],
         "authorships": [{"author": {"display_name": ""}, "raw_author_name": "Raw Name", "countries": ["cn", "", None], "raw_affiliation_strings": ["", "X"],
                          "institutions": [{"id": None, "country_code": "cn", "lineage": None}, {"id": "https://openalex.org/I9/", "lineage": ["https://openalex.org/I8"]}],
                          "affiliations": [{"raw_affiliation_string": "Y", "institution_ids": ["https://openalex.org/I9"]}, {"raw_affiliation_string": "", "institution_ids": []}]}],
         "grants": [{"funder": None, "award_id": "FA9550-1"}, {"funder": "https://openalex.org/F4320338279", "award_id": ""}]},
        {"id": None, "title": "no id"},
        {"id": "https://openalex.org/W7", "doi": " DOI:10.1/X ", "awards": [{"funder_id": None, "funder_award_id": "N00014-1"}], "authorships": []},
    ]
    _assert_same(odd)


def test_flatten_keeps_first_of_repeated_ids_and_skips_missing_ids() -> None:
    t = flatten([{**LEGACY, "title": "first"}, {**LEGACY, "title": "second"}, {"title": "no id"}])
    assert t.works["title"].to_list() == ["first"]


def test_arrow_parse_on_this_thread_equals_the_pool_parse() -> None:
    """``read_ndjson_arrow(threads=False)`` (how scan threads side by side parse) gives the pool's
    table over many blocks, and refuses what the pool refuses."""
    import pyarrow as pa

    from biblio.tables import read_ndjson_arrow

    lines = [json.dumps({**CURRENT, "id": f"https://openalex.org/W{i}", "cited_by_count": i}).encode() for i in range(400)]
    data = b"\n".join(lines)
    pooled, here = (read_ndjson_arrow(data, block_size=1 << 15, threads=t) for t in (True, False))
    assert isinstance(here, pa.Table) and here.num_rows == 400 and here.equals(pooled)
    bad = data + b'\n{"id": "https://openalex.org/W9", "cited_by_count": "many"}'
    assert read_ndjson_arrow(bad, block_size=1 << 15, threads=False) is None and read_ndjson_arrow(bad, block_size=1 << 15) is None
