"""PRC state co-funding and dual affiliation signals."""

from __future__ import annotations

import polars as pl
import pytest

from biblio.funders import load_funder_table
from biblio.signals import PRC_FUNDERS_FILE, dual_affiliation, load_prc_funders, prc_state_funding


def test_prc_funder_table_is_data_with_provenance() -> None:
    t = load_prc_funders()
    ids = t["funder_id"].drop_nulls()
    assert ids.n_unique() == ids.len() >= 50
    assert {"F4320321001", "F4320335777", "F4320322725", "F4320321543", "F4320335787"} <= set(ids)  # NSFC, NKRDP, CSC, CPSF, FRFCU
    assert t["source"].null_count() == 0
    dod = set(load_funder_table().by_id)
    assert len(dod) >= 10 and not (dod & set(ids))
    assert "prc_funders.csv" in (PRC_FUNDERS_FILE.parent / "PROVENANCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("National Natural Science Foundation of China (NSFC)", "NSFC"),
        ("the National Key R&D Program of China", "National Key R&D Program"),
        ("Strategic Priority Research Program of the Chinese Academy of Sciences", "CAS programmes"),
        ("China Scholarship Council", "China Scholarship Council"),
        ("Natural Science Foundation of Henan Province", "Provincial and municipal natural science foundations"),
        ("Fundamental Research Funds for the Central Universities", "Fundamental Research Funds for the Central Universities"),
        ("Ministry of Science and Technology of the People's Republic of China", "MOST"),
        ("China Postdoctoral Science Foundation", "China Postdoctoral Science Foundation"),
    ],
)
def test_name_rules_classify_prc_state_funders(name: str, family: str) -> None:
    f = pl.DataFrame({"work_id": ["W1"], "funder_id": [None], "funder_name": [name]}, schema={"work_id": pl.Utf8, "funder_id": pl.Utf8, "funder_name": pl.Utf8})
    out = prc_state_funding(f)
    assert out["prc_family"].to_list() == [family] and out["matched_by"].to_list() == ["name"]


@pytest.mark.parametrize(
    "name",
    ["National Defense Science and Engineering Graduate", "Ministry of Science and Technology", "National Science Foundation",
     "South China University of Technology", "Ministry of Education - Singapore", "Research Grants Council, University Grants Committee"],
)
def test_name_rules_leave_other_funders_alone(name: str) -> None:
    f = pl.DataFrame({"work_id": ["W1"], "funder_id": ["F0"], "funder_name": [name]})
    assert prc_state_funding(f).height == 0


def test_ids_win_and_rows_are_unique() -> None:
    f = pl.DataFrame({"work_id": ["W1", "W1", "W2"], "funder_id": ["F4320321001", "F4320321001", "F4320306078"], "funder_name": ["NSFC", "NSFC", "U.S. Department of Defense"]})
    out = prc_state_funding(f)
    assert out.select("work_id", "matched_by").rows() == [("W1", "funder_id")]
    assert prc_state_funding(f.clear()).columns == out.columns


def test_dual_affiliation_needs_a_non_prc_and_a_listed_prc_institution() -> None:
    ai = pl.DataFrame(
        {
            "work_id": ["W1", "W1", "W1", "W2", "W2"],
            "author_index": [0, 0, 1, 0, 0],
            "institution_name": ["MIT", "Beihang University", "Beihang University", "Tsinghua University", "Beihang University"],
            "country_code": ["US", "CN", "CN", "CN", "CN"],
        },
        schema_overrides={"author_index": pl.Int32},
    )
    flags = pl.DataFrame(
        {"work_id": ["W1", "W1", "W2"], "author_index": [0, 1, 0], "author_name": ["A. Li", "B. Wu", "C. Xu"], "entity_name": ["Beihang University"] * 3,
         "list_key": ["entity_list", "seven_sons", "entity_list"], "listed_at_publication": [True, True, False]},
        schema_overrides={"author_index": pl.Int32},
    )
    d = dual_affiliation(ai, flags)
    assert d.select("work_id", "author_index", "author_name", "non_prc_countries").rows() == [("W1", 0, "A. Li", "US")]
    assert d["non_prc_institutions"][0] == "MIT" and d["lists"][0] == "entity_list"
    hk = ai.with_columns(pl.when(pl.col("institution_name") == "MIT").then(pl.lit("HK")).otherwise(pl.col("country_code")).alias("country_code"))
    assert dual_affiliation(hk, flags).height == 0  # Hong Kong is PRC scope by default
    assert dual_affiliation(hk, flags, prc_codes=("CN",)).height == 1
