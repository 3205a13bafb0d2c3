"""Names shared by several bodies (issue 8): the shared-name rule of the graph build
(biblio/orgs/build.py ``shared_name_rows``, ``unit_head_names``) and how the matcher uses it.
A name that bodies with different list roll-ups bear decides only with something in the
string that tells them apart (the parent named, the city); otherwise the string is ambiguous.
Synthetic graphs below are SYNTHETIC (made-up keys); the rest reads the shipped graph."""

from __future__ import annotations

import polars as pl

from biblio.orgs.build import shared_name_rows, unit_head_names
from biblio.orgs.graph import graph_from_rows
from biblio.orgs.match import OrgMatcher


def _entities(om: OrgMatcher, s: str, cc: str | None = None) -> set[tuple[str, str]]:
    return {(h.list_key, h.entity_key) for h in om.analyse(s, country_code=cc).hits}


# --- the build rule (SYNTHETIC rows) -------------------------------------------------------------
def _rows(names: list[tuple[str, ...]], edges: list[tuple[str, ...]], links: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    keys = sorted({r[0] for r in names} | {r[1] for r in edges} | {r[0] for r in links})
    return {"orgs": [(k, k, "hospital", "CN", "", "", "SYNTHETIC") for k in keys], "names": names, "edges": edges, "links": links, "places": []}


def _name(org: str, text: str, key: str, kind: str = "canonical", src: str = "SYNTHETIC") -> tuple[str, ...]:
    return (org, text, key, kind, "", src)


def test_name_of_two_bodies_with_different_rollups_is_shared() -> None:
    rows = _rows([_name("a", "Zhongshan Hospital", "zhongshan hosp"), _name("b", "Zhongshan Hospital", "zhongshan hosp", "weak_alias")],
                 [("a", "u", "unit_of", "S")], [("u", "1286", "u", "all", "S")])
    got = shared_name_rows(rows)
    assert [(r[0], r[1], r[3]) for r in got] == [("zhongshan hosp", "a", "1286:u"), ("zhongshan hosp", "b", "")]


def test_same_rollup_or_an_ancestor_is_not_shared() -> None:
    links = [("u", "1286", "u", "all", "S")]
    same = _rows([_name("a", "X Hospital", "x hosp"), _name("b", "X Hospital", "x hosp", "strong_alias")],
                 [("a", "u", "unit_of", "S"), ("b", "u", "unit_of", "S")], links)
    assert shared_name_rows(same) == []
    group = _rows([_name("g", "CASC", "casc", "abbreviation"), _name("c", "CASC", "casc", "weak_alias", "ROR")], [("c", "g", "subsidiary_of", "S")],
                  [("c", "1260h", "c", "all", "S")])
    assert shared_name_rows(group) == []  # the group is an ancestor of every other bearer


def test_a_lists_own_weak_alias_claims_nothing() -> None:
    # lists print a group's name as a weak alias on its affiliates' entries: that is no rival
    rows = _rows([_name("a", "ECRIEE", "ecriee", "abbreviation"), _name("b", "ECRIEE", "ecriee", "weak_alias", "list entity_list")], [],
                 [("a", "entity_list", "a", "all", "S"), ("b", "entity_list", "b", "all", "S")])
    assert shared_name_rows(rows) == []


def test_two_records_of_one_body_are_not_rivals() -> None:
    # a list's "Chinese Academy of Sciences X Institute" and ROR's "X Institute" under CAS
    rows = _rows([_name("el", "CAS X Institute", "china academy science x institute"), _name("el", "XI", "xi", "strong_alias"),
                  _name("ror", "X Institute", "x institute"), _name("ror", "XI", "xi", "abbreviation"),
                  _name("cas", "Chinese Academy of Sciences", "china academy science")],
                 [("ror", "cas", "unit_of", "S")], [("el", "entity_list", "el", "all", "S")])
    assert shared_name_rows(rows) == []
    # "for" and "of" (name keys drop "of") print one body's name two ways
    rows = _rows([_name("el", "Q Lab of Marine Science", "q lab marine science"), _name("el", "QL", "ql", "strong_alias"),
                  _name("ror", "Q Lab for Marine Science", "q lab for marine science"), _name("ror", "QL", "ql", "abbreviation")],
                 [], [("el", "entity_list", "el", "all", "S")])
    assert shared_name_rows(rows) == []


def test_unit_named_with_its_parent_bears_the_short_name() -> None:
    names = [_name("h", "Zhongshan Hospital Affiliated to Xiamen University", "zhongshan hosp affiliated to xiamen university"),
             _name("x", "Xiamen University", "xiamen university"), _name("z", "Zhongshan Hospital", "zhongshan hosp"),
             _name("p", "Renji Hospital, Shanghai", "renji hosp shanghai")]
    got = unit_head_names(names, [("h", "x", "unit_of", "S"), ("p", "x", "unit_of", "S")])
    assert [(r[0], r[1], r[2], r[3]) for r in got] == [("h", "Zhongshan Hospital", "zhongshan hosp", "weak_alias")]
    assert unit_head_names(names, []) == []  # without the unit edge the longer name is just another name


def test_rollup_stops_at_a_joint_body() -> None:
    g = graph_from_rows({"orgs": [dict(org_key=k, canonical_name=k, kind="lab", country_code="CN", city="", ror_ids="") for k in ("j", "p", "q", "u")],
                         "names": [], "links": [dict(org_key="p", list_key="1286", entity_key="p", scope="all", source="S")],
                         "edges": [dict(child_key=c, parent_key=p, relation="unit_of", source="S") for c, p in (("j", "p"), ("j", "q"), ("u", "p"))],
                         "places": []})
    assert g.rollup("u") == {("1286", "p")}
    assert g.rollup("j") == frozenset()  # a joint centre inherits none of its members' listings


# --- the shipped graph --------------------------------------------------------------------------
def test_zhongshan_hospital_alone_is_ambiguous(om: OrgMatcher) -> None:
    a = om.analyse("Zhongshan Hospital")
    assert not a.hits and a.ambiguous
    assert any(n.startswith("ambiguous: 'Zhongshan Hospital' names 3 bodies") and "(Xiamen, CN)" in n and "Sun Yat-sen" in n for n in a.notes)
    assert not om.analyse("Zhongshan Hospital, China", country_code="CN").hits


def test_zhongshan_hospital_decided_by_city_or_parent(om: OrgMatcher) -> None:
    fudan = {("1286", "fudan-university"), ("aspi", "fudan-university")}
    assert _entities(om, "Zhongshan Hospital, Shanghai 200032, China") == fudan
    assert _entities(om, "Department of Cardiology, Zhongshan Hospital, Fudan University") == fudan
    xmu = _entities(om, "Zhongshan Hospital, Xiamen, Fujian, China")
    assert ("aspi", "xiamen-university") in xmu and not xmu & fudan
    sysu = _entities(om, "Zhongshan Hospital, Sun Yat-sen University")
    assert ("aspi", "sun-yat-sen-university") in sysu and not sysu & fudan


def test_shared_abbreviation_needs_the_city(om: OrgMatcher) -> None:
    # "HUST": Huazhong and Harbin University of Science and Technology (ROR's acronym), both listed
    assert not om.analyse("HUST").hits
    wuhan, harbin = _entities(om, "HUST, Wuhan 430074, China"), _entities(om, "HUST, Harbin 150080, China")
    assert ("aspi", "huazhong-university-of-science-and-technology") in wuhan and not {e for _, e in wuhan} & {"harbin-university-of-science-and-technology"}
    assert ("aspi", "harbin-university-of-science-and-technology") in harbin and not {e for _, e in harbin} & {"huazhong-university-of-science-and-technology"}


def test_screen_reports_a_shared_name_as_ambiguous() -> None:
    from biblio.resolve import screen

    out = screen(pl.DataFrame({"name": ["Zhongshan Hospital", "Zhongshan Hospital, Shanghai, China"]}))
    assert out["lists"].to_list()[0] in ("", None)
    assert out["method"][0] == "ambiguous" and "ambiguous" in out["evidence"][0]
    assert "1286" in out["lists"][1]


def test_two_records_with_one_listing_decide() -> None:
    # SYNTHETIC: two records bear "Foo Institute"; both lead to the same list entry, so the name
    # decides; where they lead to different entries it stays ambiguous
    def graph(parent_of_b: str) -> OrgMatcher:
        orgs = [dict(org_key=k, canonical_name=k, kind="institute", country_code="CN", city="", ror_ids="") for k in ("a", "b", "u", "v")]
        names = [dict(org_key=o, name="Foo Institute", key="foo institute", name_kind="canonical", scope="", source="S") for o in ("a", "b")]
        edges = [dict(child_key="a", parent_key="u", relation="unit_of", source="S"), dict(child_key="b", parent_key=parent_of_b, relation="unit_of", source="S")]
        links = [dict(org_key=k, list_key="1286", entity_key=k, scope="all", source="S") for k in ("u", "v")]
        return OrgMatcher(graph_from_rows({"orgs": orgs, "names": names, "edges": edges, "links": links, "places": []}))

    assert [h.entity_key for h in graph("u").analyse("Foo Institute").hits] == ["u"]
    a = graph("v").analyse("Foo Institute")
    assert a.ambiguous and not a.hits


def test_a_unit_without_a_city_takes_its_parents() -> None:
    # SYNTHETIC: "Foo Institute" of an academy in Beijing and of one in Mianyang; the units have
    # no city of their own, the string's city still tells them apart
    orgs = [dict(org_key=k, canonical_name=k, kind="institute", country_code="CN", city=c, ror_ids="")
            for k, c in (("a", ""), ("b", ""), ("u", "Beijing"), ("v", "Mianyang"))]
    names = [dict(org_key=o, name="Foo Institute", key="foo institute", name_kind="canonical", scope="", source="S") for o in ("a", "b")]
    edges = [dict(child_key=c, parent_key=p, relation="unit_of", source="S") for c, p in (("a", "u"), ("b", "v"))]
    links = [dict(org_key=k, list_key="1286", entity_key=k, scope="all", source="S") for k in ("u", "v")]
    places = [dict(key=k, country_code="CN", kind="city", source="S") for k in ("beijing", "mianyang")]
    om = OrgMatcher(graph_from_rows({"orgs": orgs, "names": names, "edges": edges, "links": links, "places": places}))
    assert [h.entity_key for h in om.analyse("Foo Institute, Beijing, China").hits] == ["u"]
    assert [h.entity_key for h in om.analyse("Foo Institute, Mianyang").hits] == ["v"]
    assert om.analyse("Foo Institute").ambiguous


def test_chinese_unit_names_share_the_short_name(om: OrgMatcher) -> None:
    # 厦门大学附属中山医院 bears 中山医院 too (Fudan's Zhongshan Hospital's Chinese name): alone it
    # is ambiguous; 上海 (= Shanghai, rigour) or the parent in the string decides
    from biblio.orgs.build import _head_key

    assert (_head_key("厦门大学附属中山医院", "厦门大学"), _head_key("中山医院", "厦门大学")) == ("中山医院", "")
    assert om.g.place_same.get("上海") == "shanghai"
    assert om.analyse("中山医院").ambiguous and not om.analyse("中山医院").hits
    fudan = _entities(om, "中山医院，上海市徐汇区")
    assert ("1286", "fudan-university") in fudan
    xmu = _entities(om, "厦门大学附属中山医院")
    assert ("aspi", "xiamen-university") in xmu and ("1286", "fudan-university") not in xmu
