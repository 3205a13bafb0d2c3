"""Matching with evidence: the known traps, methods, temporal validity, no-match as data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from biblio.lists import load_lists
from biblio.query import load_query
from biblio.resolve import FLAG_SCHEMA, AFFILIATION_SCHEMA, Matcher, resolve, screen
from biblio.snapshot import fetch_snapshot
from biblio.tables import flatten

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo():
    t = flatten(fetch_snapshot(load_query(REPO / "queries" / "synthetic.toml")).records)
    return t, resolve(t, scope="cn+hk+mo", as_of=AS_OF)


def lists_of(text: str, **kw) -> set[str]:
    out = screen(pl.DataFrame({"name": [text], **kw}), as_of=AS_OF)
    return set(filter(None, out["lists"][0].split(";")))


def test_trap_south_china_vs_china_university_of_technology() -> None:
    m = Matcher(load_lists())
    hits = m.match_text("School of Materials, South China University of Technology, Guangzhou 510640, China")
    assert {h.entity_key for h in hits} == {"south-china-university-of-technology"}


def test_trap_hit_shenzhen_is_hit() -> None:
    assert {"seven_sons", "aspi"} <= lists_of("Harbin Institute of Technology, Shenzhen")


def test_trap_beihang_spellings_are_one_entity() -> None:
    a = lists_of("Beihang University")
    assert a == lists_of("Beijing University of Aeronautics and Astronautics") == lists_of("BUAA") == lists_of("北京航空航天大学")
    assert "seven_sons" in a


def test_trap_northwestern() -> None:
    assert "seven_sons" in lists_of("Northwestern Polytechnical University")
    assert lists_of("Northwestern University") == set()


def test_trap_nudt_acronym_and_name() -> None:
    assert lists_of("NUDT") == lists_of("National University of Defense Technology") != set()


def test_cas_institute_flagged_via_cas_only_where_cas_is_listed(demo) -> None:
    t, r = demo
    wiv = r.affiliations.filter(pl.col("institution_name") == "Wuhan Institute of Virology")
    assert wiv["status"].to_list() == ["no_match"]  # CAS is on no bundled list edition
    # With a list that does carry CAS, the lineage roll-up flags the institute "via parent".
    ls = load_lists()
    ents = pl.concat([ls.entities, ls.entities.filter((pl.col("entity_key") == "beihang-university") & (pl.col("list_key") == "seven_sons")).with_columns(
        pl.lit("cas").alias("entity_key"), pl.lit("Chinese Academy of Sciences").alias("name"), pl.lit(["I19820366"]).alias("openalex_ids"),
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("strong_aliases"), pl.lit(None, dtype=pl.Utf8).alias("name_zh"))])
    mem = pl.concat([ls.memberships, ls.memberships.filter((pl.col("entity_key") == "beihang-university") & (pl.col("list_key") == "seven_sons")).with_columns(pl.lit("cas").alias("entity_key"))])
    hits = Matcher(type(ls)(entities=ents, memberships=mem, editions=ls.editions)).match_institution("I4210106882", None, "Wuhan Institute of Virology", ["I19820366", "I4210106882"])
    assert [(h.entity_key, h.method, h.via_parent) for h in hits if h.entity_key == "cas"] == [("cas", "parent", "Chinese Academy of Sciences")]


def test_flags_schema_methods_and_evidence(demo) -> None:
    _, r = demo
    assert r.flags.schema == FLAG_SCHEMA and r.affiliations.schema == AFFILIATION_SCHEMA
    assert set(r.flags["method"]) >= {"id", "raw_string"}
    ids = r.flags.filter(pl.col("method") == "id")
    assert (ids["matched_text"] == ids["institution_id"]).all()
    assert r.flags["list_name"].null_count() == 0 and r.flags["list_edition"].null_count() == 0


def test_wrong_institution_is_caught_from_the_raw_string(demo) -> None:
    _, r = demo
    f = r.flags.filter(pl.col("work_id") == "W9900000019")
    assert "national-university-of-defense-technology" in set(f["entity_key"])
    assert set(f.filter(pl.col("entity_key") == "national-university-of-defense-technology")["method"]) == {"raw_string"}


def test_temporal_validity(demo) -> None:
    _, r = demo
    sjtu = r.flags.filter((pl.col("work_id") == "W9900000002") & (pl.col("list_key") == "1286") & (pl.col("institution_name") == "Shanghai Jiao Tong University"))
    # SJTU is on the FY2025 1286 list (2026) but not on FY2022, in force in Sept 2023
    assert sjtu.select("listed_at_publication", "listed_now", "list_edition").row(0) == (False, True, "FY2025")


def test_no_match_is_data(demo) -> None:
    _, r = demo
    assert {"flagged", "no_match", "no_institution_id"} <= set(r.affiliations["status"])
    hk = r.affiliations.filter(pl.col("country_code") == "HK")
    assert hk.height == 1 and hk["status"][0] == "no_match"


def test_scope_cn_excludes_hong_kong(demo) -> None:
    t, _ = demo
    r = resolve(t, scope="cn", as_of=AS_OF)
    assert "HK" not in set(r.affiliations["country_code"].drop_nulls())


def test_joint_centre_in_lineage_flags_members_the_string_names() -> None:
    # OpenAlex lineage: an unknown centre under Peking University (I20231570) and Tsinghua (I99065089)
    kw = {"openalex_id": ["I4210160507"], "lineage": ["I20231570;I4210160507;I99065089"], "country_code": ["CN"]}
    assert "aspi" in lists_of("Tsinghua-Peking Center for Life Sciences, Beijing 100084, China", **kw)
    # the string names no member: a joint centre, no flag, and the evidence names the parents
    assert lists_of("Center for Quantitative Biology, Beijing 100871, China", **kw) == set()
    ev = screen(pl.DataFrame({"name": ["Center for Quantitative Biology, Beijing 100871, China"], **kw}), as_of=AS_OF)["evidence"][0]
    assert ev.startswith("joint centre: several parents in OpenAlex lineage (Peking University, Tsinghua University)")


def test_joint_centre_member_not_named_by_a_common_word() -> None:
    # a member is named by a word few other bodies use ("Tsinghua"), not by "Army" or "Mobile"
    from biblio.resolve import Matcher, _distinctive
    m = Matcher(load_lists())
    assert _distinctive(m, "tsinghua-university", ["tsinghua"])
    assert not _distinctive(m, "army-medical-university", ["army"])


def test_several_parents_in_lineage_roll_up_only_to_named_bodies() -> None:
    # a USTC unit (by ROR) that OpenAlex puts under USTC (I126520041) and CAS (I19820366)
    kw = {"ror": ["01jeedh73"], "lineage": ["I126520041;I19820366"], "country_code": ["CN"]}
    assert lists_of("Hefei National Center for Physical Sciences at Nanoscale, Hefei 230026, China", **kw) == set()
    assert "1286" in lists_of("Hefei National Center for Physical Sciences at Nanoscale, University of Science and Technology of China, Hefei", **kw)
    # one parent in the lineage: the unit rolls up as before
    assert "1286" in lists_of("Hefei National Center for Physical Sciences at Nanoscale, Hefei 230026, China",
                              ror=["01jeedh73"], lineage=["I126520041"], country_code=["CN"])


def test_raw_string_names_the_hospitals_university() -> None:
    # ROR's record for the hospital has no parent; the string says whose medical school it is
    s = "Department of Diagnostic Radiology, Affiliated Jinling Hospital, Medical School of Nanjing University, Nanjing, China"
    out = screen(pl.DataFrame({"name": [s], "ror": ["04kmpyd03"], "country_code": ["CN"]}), as_of=AS_OF)
    assert "aspi" in out["lists"][0] and "raw string wins" in out["evidence"][0]
    # the hospital alone is no listed body
    assert lists_of("Jinling Hospital, Nanjing 210002, China", ror=["04kmpyd03"], country_code=["CN"]) == set()


def test_unlisted_unit_placed_under_a_named_listed_body_flags_by_id() -> None:
    # OpenAlex gives Jinling Hospital alone (no lineage); the string reads it as Nanjing
    # University's unit, so the ID path flags Nanjing University and says why
    row = {"name": "Department of Radiology, Jinling Hospital, Nanjing University, Nanjing, China",
           "ror": "04kmpyd03", "country_code": "CN"}
    got = screen(pl.DataFrame([row]), as_of=dt.date(2026, 11, 1))
    assert "aspi" in got["lists"][0].split(";")
    assert "raw string wins" in got["evidence"][0] and "Nanjing University" in got["evidence"][0]
    # the ID alone, with a string that names no other body, stays unflagged
    alone = screen(pl.DataFrame([{**row, "name": "Jinling Hospital, Nanjing 210002, China"}]), as_of=dt.date(2026, 11, 1))
    assert alone["lists"][0] == ""


def test_hospital_related_to_two_universities_is_a_unit_of_neither() -> None:
    # ROR relates Peking Union Medical College Hospital to Tsinghua and to CAMS & PUMC
    row = {"name": "Department of Breast Surgery, Peking Union Medical College Hospital, Beijing 100730, China",
           "ror": "04jztag35", "country_code": "CN"}
    assert "aspi" not in screen(pl.DataFrame([row]), as_of=dt.date(2026, 11, 1))["lists"][0]
    # naming Tsinghua still flags it
    row["name"] = "Peking Union Medical College Hospital, Tsinghua University, Beijing, China"
    assert "aspi" in screen(pl.DataFrame([row]), as_of=dt.date(2026, 11, 1))["lists"][0]


def test_joint_centre_found_by_id_says_so() -> None:
    # Duke Kunshan University by its ROR: a joint body (Duke, Wuhan University); no member named,
    # so no flag, and the verdict is "joint centre" with its members, not "no match"
    from biblio.resolve import resolve_one

    out = screen(pl.DataFrame({"name": ["Duke Kunshan University", "Duke Kunshan University, Wuhan University"], "ror": ["04sr5ys16"] * 2}), as_of=AS_OF)
    assert out["lists"][0] == ""
    assert out["evidence"][0].startswith("joint centre: Duke Kunshan University (members: ") and "Wuhan University" in out["evidence"][0]
    assert "aspi" in out["lists"][1]  # the string names a member
    m = Matcher(load_lists())
    assert resolve_one(m, "institution", None, "04sr5ys16", None, (), ["Duke Kunshan University"], "CN")[1] == "joint_centre"
