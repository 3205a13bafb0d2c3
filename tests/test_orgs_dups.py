"""Duplicate records of one body (issue 8): a ROR record, a list entry, an ASPI lab entry and a
curated row that no other rule joined are merged when they bear one full name and nothing tells
them apart (biblio/orgs/build.py ``_duplicate_unions``). Node-level cases are SYNTHETIC (made-up
ids and names); the rest reads the shipped graph."""

from __future__ import annotations

import csv

import pytest

from biblio.orgs.build import Node, UnionFind, _duplicate_unions
from biblio.orgs.graph import DATA, load_graph
from biblio.orgs.match import OrgMatcher


def _node(nid: str, name: str, *, city: str = "", kind: str = "lab", parent: str = "", ror: str = "", zh: str = "") -> Node:
    n = Node(nid, name, kind=kind, country="CN", city=city, source="SYNTHETIC")
    n.add_name(name, "canonical", "SYNTHETIC")
    n.add_name(zh, "zh_hans", "SYNTHETIC")
    if ror:
        n.rors.add(ror)
    if parent:
        n.parents.append((parent, "unit_of", "SYNTHETIC"))
    return n


def _merged(nodes: list[Node]) -> tuple[UnionFind, list[str]]:
    uf = UnionFind()
    for n in nodes:
        uf.find(n.nid)
    return uf, _duplicate_unions(uf, nodes, set())


def test_ror_record_and_aspi_lab_of_one_name_merge() -> None:  # SYNTHETIC
    uni = _node("uni", "Foo University", kind="university", city="Beijing")
    ror = _node("ror:x", "State Key Laboratory of Foo Science and Safety", city="Beijing", ror="x", zh="福福科学与技术国家重点实验室")
    lab = _node("aspi:uni#lab0", "State Key Laboratory of Foo Science and Technology", parent="uni", zh="福福科学与技术国家重点实验室")
    uf, log = _merged([uni, ror, lab])
    assert uf.find("ror:x") == uf.find("aspi:uni#lab0") != uf.find("uni")
    assert len(log) == 1 and "ror:x" in log[0] and "aspi:uni#lab0" in log[0]


def test_same_name_hospitals_in_two_cities_stay_apart() -> None:  # SYNTHETIC
    a = _node("ror:a", "Foo People's Hospital No. 1", kind="hospital", city="Wuhan", ror="a")
    b = _node("b", "Foo People's Hospital No. 1", kind="hospital", city="Shanghai")
    uf, log = _merged([a, b])
    assert uf.find("ror:a") != uf.find("b") and log == []


def test_conflicting_parents_two_ror_records_or_three_bearers_stay_apart() -> None:  # SYNTHETIC
    p, q = _node("p", "Alpha University", kind="university"), _node("q", "Beta Corporation Group", kind="company")
    lab = _node("aspi:p#lab1", "Joint Laboratory", parent="p", zh="中国航天电子技术研究院")
    inst = _node("q9", "China Academy of Foo Electronics", kind="academy", parent="q", zh="中国航天电子技术研究院")
    assert _merged([p, q, lab, inst])[1] == []  # ASPI describes a joint lab by its partner's name
    two_ror = [_node("ror:1", "Foo Key Laboratory of Bar", ror="1"), _node("ror:2", "Foo Key Laboratory of Bar", ror="2")]
    assert _merged(two_ror)[1] == []
    three = [_node(f"c{i}", "Foo Key Laboratory of Bar") for i in range(3)]
    assert _merged(three)[1] == []


def _shared_keys() -> set[str]:
    with (DATA / "shared.csv").open(encoding="utf-8") as fh:
        return {r["key"] for r in csv.DictReader(fh)}


def test_known_duplicates_are_one_body_in_the_shipped_graph() -> None:
    shared = _shared_keys()
    for key in ("nscc gz", "国家超级计算广州中心", "国家超级计算长沙中心", "shanghai mental health center",
                "shanghai childrens med center", "激光与物质相互作用国家重点实验室", "爆炸科学与技术国家重点实验室"):
        assert key not in shared, key
    g = load_graph()
    by_ror = {r: k for k, o in g.orgs.items() for r in o.rors}
    assert ("entity_list", "national-supercomputing-center-guangzhou") in g.rollup(by_ror["042999n30"])
    assert ("entity_list", "national-supercomputing-center-changsha") in g.rollup(by_ror["05kvtff09"])
    assert ("1286", "beijing-institute-of-technology") in g.rollup(by_ror["01w9z6890"])  # ROR's explosion-science lab is BIT's
    assert ("1286", "shanghai-jiao-tong-university") in g.rollup(by_ror["05bd2wa15"])


def test_different_bodies_of_one_name_stay_shared() -> None:
    shared = _shared_keys()
    for key in ("tongji hosp", "state key laboratory med genomics", "zhongshan hosp", "仁济医院", "northeastern university"):
        assert key in shared, key  # Wuhan / Shanghai; Changsha / Shanghai; three cities; Shanghai / Hong Kong; Shenyang / Boston


@pytest.mark.parametrize("text, entity", [
    ("国家超级计算广州中心", ("entity_list", "national-supercomputing-center-guangzhou")),
    ("NSCC-GZ, Guangzhou, China", ("entity_list", "national-supercomputing-center-guangzhou")),
    ("National Supercomputing Changsha Center, Changsha, China", ("entity_list", "national-supercomputing-center-changsha")),
    ("Shanghai Mental Health Center, Shanghai, China", ("1286", "shanghai-jiao-tong-university")),
    ("爆炸科学与技术国家重点实验室", ("1286", "beijing-institute-of-technology")),
])
def test_merged_duplicates_flag(text: str, entity: tuple[str, str]) -> None:
    a = OrgMatcher(load_graph()).analyse(text)
    assert entity in {(h.list_key, h.entity_key) for h in a.hits} and not a.ambiguous


def test_a_joint_lab_merged_from_two_records_names_each_member_once() -> None:
    # ASPI's "State Key Laboratory of Laser Interaction with Matter" (under NINT) is ROR's joint lab of CIOMP and NINT
    a = OrgMatcher(load_graph()).analyse("State Key Laboratory of Laser Interaction with Matter, Xi'an, China")
    note = next(n for n in a.notes if n.startswith("joint centre"))
    assert note.count("Northwest Institute of Nuclear Technology") == 1 and "Changchun Institute of Optics" in note


def test_parent_first_and_parent_last_names_of_one_body_merge() -> None:  # SYNTHETIC
    # one list prints "Foo Academy – Bar Research Institute", another "Bar Research Institute, Foo Academy"
    a = _node("l1:x", "Foo Academy of Sciences – Bar Information Research Institute", kind="academy")
    b = _node("l2:y", "Bar Information Research Institute, Foo Academy of Sciences", kind="institute", ror="z")
    uf, log = _merged([a, b])
    assert uf.find("l1:x") == uf.find("l2:y") and len(log) == 1
    c = _node("l3:z", "Bar Information Research Institute, Foo Academy of Sciences", kind="institute", city="Wuhan")
    d = _node("l4:w", "Foo Academy of Sciences – Bar Information Research Institute", kind="academy", city="Xi'an")
    assert _merged([c, d])[1] == []  # two cities: two bodies


@pytest.mark.parametrize("text", [
    "Chinese Academy of Sciences Aerospace Information Research Institute",
    "Aerospace Information Research Institute, Chinese Academy of Sciences, Beijing, China",
])
def test_air_is_one_body_on_both_lists(text: str) -> None:
    # the Entity List's AIR (parent last) and 1286's "Chinese Academy of Sciences – AIR" (parent first)
    a = OrgMatcher(load_graph()).analyse(text)
    assert {"1286", "entity_list"} <= {h.list_key for h in a.hits} and not a.ambiguous
