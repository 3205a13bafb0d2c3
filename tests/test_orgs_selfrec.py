"""The lists' own names (issue 8, self-recall): a name a list entry prints flags that entry's list.

Rules under test: a listed body's own entry name that another list prints among a group's names
makes the body the group's unit and names the body itself (``group_alias_edges`` and
``unit_names_leave_group``); a list name printed with commas in it is read over several parts;
a numbered institute of a named city and a dated former name are not generic."""

from __future__ import annotations

import pytest

from biblio.orgs.build import _generic_key, group_alias_edges, unit_names_leave_group
from biblio.orgs.graph import load_graph
from biblio.orgs.match import OrgMatcher

HPSTAR = "1286:center-for-high-pressure-science-and-technology-advanced-research"


def hits(om: OrgMatcher, s: str, cc: str | None = "CN") -> set[tuple[str, str]]:
    return {(h.list_key, h.entity_key) for h in om.analyse(s, country_code=cc).hits}


@pytest.mark.parametrize("s", [
    "Center for High Pressure Science and Technology Advanced Research, Beijing 100094, China",
    "HPSTAR, Shanghai, China",
    "HPSTAR",
    "Beijing High Voltage Science Research Center",
])
def test_hpstar_names_itself_and_inherits_caep(om: OrgMatcher, s: str) -> None:
    got = hits(om, s)
    assert ("entity_list", "center-for-high-pressure-science-and-technology-advanced-research") in got
    assert ("1286", "center-for-high-pressure-science-and-technology-advanced-research") in got
    assert ("aspi", "chinese-academy-of-engineering-physics") in got  # through unit_of CAEP
    assert not om.analyse(s, country_code="CN").ambiguous


def test_hpstar_edge_cites_the_list(om: OrgMatcher) -> None:
    (parent, _, src), = om.g.parents[HPSTAR]
    assert parent == "caep" and src.startswith("list aspi prints")


@pytest.mark.parametrize("s", ["China Jiuyuan Trading Corporation", "Skyeye Laser Technology Limited", "Mianyang Tianyan Laser Technology"])
def test_caep_bodies_the_entity_list_prints_apart_flag_their_own_entry(om: OrgMatcher, s: str) -> None:
    got = hits(om, s)
    assert any(lk == "entity_list" and ek != "chinese-academy-of-engineering-physics" for lk, ek in got)
    assert ("aspi", "chinese-academy-of-engineering-physics") in got


def test_a_units_weak_name_does_not_become_the_groups() -> None:
    g = load_graph()
    assert not any(r.kind in ("strong_alias", "canonical") for r in g.names.get("haitian group", []))


@pytest.mark.parametrize("s", [
    "Chinese Academy of Sciences Changchun Institute of Optics, Fine Mechanics, and Physics",
    "CAS Institute of Optics, Fine Mechanics, and Physics",
])
def test_a_list_name_with_commas_is_read_whole(om: OrgMatcher, s: str) -> None:
    assert ("entity_list", "chinese-academy-of-sciences-changchun-institute-of-optics-fine-mechanics-and-phy") in hits(om, s)


@pytest.mark.parametrize("s,entry", [
    ("Changsha Institute of Technology", ("1286", "national-university-of-defense-technology")),
    ("Nanjing 841 Institute", ("aspi", "nanjing-institute-of-information-technology")),
    ("Chengdu 29 Institute, Chengdu, China", ("entity_list", "cetc-29")),
])
def test_former_and_city_numbered_names_decide(om: OrgMatcher, s: str, entry: tuple[str, str]) -> None:
    got = hits(om, s)
    assert entry[0] in {lk for lk, _ in got}


def test_a_former_name_another_body_bears_stays_weak(om: OrgMatcher) -> None:
    # Shenyang Institute of Technology (沈阳工学院) is a college of its own, not Shenyang Ligong University
    assert hits(om, "Shenyang Institute of Technology, Fushun, China") == set()


def test_generic_key_numbers_need_a_city() -> None:
    places = {"nanjing", "beijing"}
    assert _generic_key("research institute 14", places)
    assert _generic_key("beijing research center", places)
    assert not _generic_key("nanjing 841 institute", places)


def test_group_alias_edges_synthetic() -> None:
    # SYNTHETIC rows: (org, name, key, kind, scope, source)
    names = [("x", "X Centre", "x centre", "canonical", "", "list entity_list"),
             ("g", "X Centre", "x centre", "strong_alias", "aspi:g", "list aspi"),
             ("b", "Brand", "brand", "canonical", "", "list entity_list"),
             ("g1", "Brand", "brand", "strong_alias", "", "list entity_list"),
             ("g2", "Brand", "brand", "strong_alias", "", "list entity_list")]
    links = [(o, "entity_list", o, "all", "s") for o in ("x", "b", "g1", "g2")] + [("g", "aspi", "g", "all", "s")]
    edges = group_alias_edges(names, [], links, {"x": "company"})
    assert [e[:3] for e in edges] == [("x", "g", "subsidiary_of")]  # a name two groups print decides nothing
    kept = unit_names_leave_group(names, edges)
    assert ("g", "X Centre", "x centre", "strong_alias", "aspi:g", "list aspi") not in kept
    assert ("x", "X Centre", "x centre", "canonical", "", "list entity_list") in kept


@pytest.mark.parametrize("s,entry", [
    ("AccoTest Technology Co., Ltd. (Hong Kong)", "accotest-technology-co-ltd-hong-kong"),
    ("System Equipment Co., Ltd. of the 28th Research Institute, Nanjing, China", "system-equipment-co-ltd-of-the-28th-research-institute"),
    ("China State Shipbuilding Corporation, Limited 750th Test Center, Beijing, China", "china-state-shipbuilding-corporation-limited-750th-test-center"),
    ("63820部队", "china-aerodynamics-research-and-development-center"),
])
def test_list_names_with_separators_or_digits_first_are_read(om: OrgMatcher, s: str, entry: str) -> None:
    assert ("entity_list", entry) in hits(om, s)


def test_runs_of_parts_are_tried_only_after_a_known_head(om: OrgMatcher) -> None:
    assert "accotest technol" in om.split_heads and "school physics" not in om.split_heads


@pytest.mark.parametrize("s,lk", [
    ("Zhejiang Nanyang Technology Company Limited", "1260h"),
    ("Shenzhen Sanhe Technology Co., Ltd", "entity_list"),
])
def test_a_place_word_after_a_place_is_a_trade_name(om: OrgMatcher, s: str, lk: str) -> None:
    assert lk in {k for k, _ in hits(om, s)}


def test_an_entry_in_force_is_not_outranked_by_one_no_longer_listed() -> None:
    import datetime as dt

    import polars as pl

    from biblio.resolve import screen
    s = "China Shipbuilding Industry Group Co., Limited. (CSIC) 722 Institute"
    out = screen(pl.DataFrame({"name": [s], "country_code": ["CN"]}), as_of=dt.date(2026, 11, 1))
    assert "entity_list" in out["lists"][0].split(";")


@pytest.mark.parametrize("s", ["QNLM", "Qingdao National Laboratory for Marine Science and Technology, Qingdao, China"])
def test_for_and_of_records_of_one_body_are_one(om: OrgMatcher, s: str) -> None:
    assert ("entity_list", "qingdao-national-laboratory-of-marine-science-and-technology") in hits(om, s)


@pytest.mark.parametrize("s", ["RADI", "Institute of Remote Sensing and Digital Earth, Chinese Academy of Sciences, Beijing 100094, China"])
def test_institutes_merged_into_air_roll_up_to_it(om: OrgMatcher, s: str) -> None:
    assert ("entity_list", "aerospace-information-research-institute-chinese-academy-of-sciences") in hits(om, s)
