"""Defence conglomerates' and academies' units (issue 8, class 1): the curated topic files
``biblio/orgs/curated/*_manual_defence.csv`` and the rules they rely on resolve papers' forms of
a unit to the listed entity with the chain, and look-alikes stay unflagged."""

from __future__ import annotations

import pytest

from biblio.orgs.graph import load_graph
from biblio.orgs.match import OrgMatcher
from biblio.orgs.text import name_key, numbered_in_tokens


def hits(om: OrgMatcher, s: str, cc: str | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(h.list_key, h.entity_key): h.chain for h in om.analyse(s, country_code=cc).hits}


def test_ordinal_words_count_only_next_to_the_institute_word() -> None:
    assert numbered_in_tokens(name_key("Second Research Institute of CETC").split()) == [(2, "institute")]
    assert numbered_in_tokens(name_key("Fifth Academy of CASC").split()) == [(5, "academy")]
    assert numbered_in_tokens(name_key("AVIC First Aircraft Institute").split()) == []  # a proper name, not "institute 1"
    assert numbered_in_tokens(name_key("Wuhan Second Ship Design and Research Institute").split()) == []
    assert numbered_in_tokens(name_key("AVIC 603 Institute").split()) == [(603, "institute")]


def test_first_aircraft_institute_is_not_a_numbered_unit_of_avic_aircraft(om: OrgMatcher) -> None:
    got = hits(om, "AVIC The First Aircraft Institute, Xi'an 710089, China")
    assert ("1260h", "aviation-industry-corporation-of-china") in got
    assert not any(lk == "meu" for lk, _ in got)  # not the Xi'an Aircraft companies of the MEU list


def test_no_organisation_is_its_own_ancestor() -> None:
    g = load_graph()
    assert [k for k in g.parents if k in g.ancestors(k)] == []


def test_group_is_not_a_unit_of_a_company_its_list_prints(om: OrgMatcher) -> None:
    got = hits(om, "China Aerospace Science and Technology Corporation, Beijing, China")
    assert ("ns_cmic", "china-aerospace-science-and-technology") in got
    assert ("ns_cmic", "china-aerospace-times-electronics") not in got


@pytest.mark.parametrize("s,key,via", [
    ("Southwest China Institute of Electronic Technology, Chengdu 610036, China", ("1260h", "china-electronics-technology-group"), "10th Research Institute"),
    ("Chongqing Optoelectronics Research Institute, Chongqing 400060, China", ("entity_list", "cetc-chip-technology"), "Chongqing Optoelectronics"),
    ("The 24th Research Institute of CETC, Chongqing, China", ("entity_list", "cetc-chip-technology"), "24th"),
    ("CETC Cloud Technology Co., Ltd., Beijing, China", ("1260h", "china-electronics-technology-group"), "China Electronics Technology Group"),
    ("AECC Commercial Aircraft Engine Co., Ltd., Shanghai 200241, China", ("aspi", "aero-engine-corporation-of-china"), "Aero Engine Corporation of China"),
    ("AECC Shenyang Liming Aero-Engine Co., Ltd., Shenyang 110043, China", ("meu", "aecc-shenyang-liming-aero-engine"), "Liming"),
    ("Beijing Institute of Satellite Information Engineering, Beijing 100095, China", ("entity_list", "space-star-technology"), "Satellite Information"),
    ("Beijing Institute of Satellite Information Engineering, Beijing 100095, China", ("aspi", "china-aerospace-science-and-technology"), "China Academy of Space Technology"),
    ("China Spacesat Co., Ltd., Beijing, China", ("aspi", "china-aerospace-science-and-technology"), "China Academy of Space Technology"),
    ("China Haiying Electro-Mechanical Technology Academy, Beijing 100074, China", ("entity_list", "china-aerospace-science-and-industry-corporation-3rd-academy"), "Third Academy"),
    ("China Haiying Electro-Mechanical Technology Academy, Beijing 100074, China", ("1260h", "china-aerospace-science-and-industry-corporation"), "China Aerospace Science and Industry"),
    ("Beijing Automation Control Equipment Institute, Beijing 100074, China", ("entity_list", "china-aerospace-science-and-industry-corporation-3rd-academy-33-research-institu"), "Automation Control"),
    ("Beijing Automation Control Equipment Institute, Beijing 100074, China", ("entity_list", "china-aerospace-science-and-industry-corporation-3rd-academy"), "Third Academy"),
    ("China Changfeng Mechanics and Electronics Technology Academy, Beijing, China", ("1260h", "china-aerospace-science-and-industry-corporation"), "China Aerospace Science and Industry"),
    ("Kunming Marine Equipment Research and Test Center, Kunming, China", ("1260h", "china-state-shipbuilding-corporation"), "China State Shipbuilding"),
    ("中国船舶集团有限公司第七〇二研究所，无锡 214082", ("entity_list", "china-state-shipbuilding-corporation-limited-702nd-research-institute"), "702nd"),
    ("国防科技大学，长沙 410073", ("1286", "national-university-of-defense-technology"), "National University of Defense Technology"),
    # civilian names papers print in another translation than the list's
    ("Jiangsu Automation Research Institute, Lianyungang 222061, China", ("entity_list", "china-state-shipbuilding-corporation-limited-716th-research-institute"), "716th"),
    ("Huazhong Institute of Electro-Optics, Wuhan 430223, China", ("1260h", "china-state-shipbuilding-corporation"), "717th"),
    ("江苏自动化研究所，连云港 222061", ("entity_list", "china-state-shipbuilding-corporation-limited-716th-research-institute"), "716th"),
    ("Shanghai Institute of Spaceflight Control Technology, Shanghai 201109, China", ("entity_list", "china-aerospace-science-and-technology-corporation-8th-academy"), "Shanghai Aerospace Control Technology Institute"),
    ("AECC Sichuan Gas Turbine Establishment, Mianyang 621000, China", ("meu", "aecc-china-gas-turbine-establishment"), "Gas Turbine"),
    ("Shanghai Institute of Aerospace Systems Engineering, Shanghai 201109, China", ("ns_cmic", "china-aerospace-science-and-technology"), "Shanghai Institute of Aerospace Systems Engineering"),
    # a unit's name a list prints among its group's aliases names the unit (and still the group)
    ("China Haiying Electromechanical Technology Academy, Beijing 100074, China", ("entity_list", "china-aerospace-science-and-industry-corporation-3rd-academy"), "Third Academy"),
    ("China Haiying Electromechanical Technology Academy, Beijing 100074, China", ("1260h", "china-aerospace-science-and-industry-corporation"), "China Aerospace Science and Industry"),
    ("Beijing Institute of Automatic Control Equipment, Beijing 100074, China", ("entity_list", "china-aerospace-science-and-industry-corporation-3rd-academy-33-research-institu"), "Automation Control"),
    ("Peac Institute of Multiscale Science, Chengdu 610031, China", ("1286", "chinese-academy-of-engineering-physics"), "China Academy of Engineering Physics"),
    ("Peac Institute of Multiscale Science, Chengdu 610031, China", ("entity_list", "peac-institute-of-multiscale-science"), "Peac"),
    ("Beijing Satellite Manufacturing Factory Co., Ltd., Beijing 100094, China", ("aspi", "china-aerospace-science-and-technology"), "China Academy of Space Technology"),
])
def test_defence_units_resolve_with_their_chain(om: OrgMatcher, s: str, key: tuple[str, str], via: str) -> None:
    got = hits(om, s)
    assert key in got, sorted(got)
    assert any(via in step for step in got[key]), got[key]


@pytest.mark.parametrize("s,cc", [
    ("Gas Turbine Research Establishment, Bangalore 560093, India", "IN"),
    ("Institute of Space Radio Engineering, Moscow, Russia", "RU"),
    ("Research Institute of Electronic Technology, Karlsruhe, Germany", "DE"),
    ("Satellite Information Engineering Laboratory, Tokyo, Japan", "JP"),
    ("Institute of Environmental Test Engineering, Toulouse, France", "FR"),
    ("Satellite Manufacturing Factory, Toulouse, France", "FR"),
])
def test_look_alikes_abroad_stay_unflagged(om: OrgMatcher, s: str, cc: str) -> None:
    assert hits(om, s, cc) == {}


def test_unit_names_leave_the_group_that_prints_them() -> None:
    from biblio.orgs.build import unit_names_leave_group
    # SYNTHETIC rows: (org, name, key, kind, scope, source)
    names = [("g", "Unit Name", "unit name", "strong_alias", "", "list 1260h"),
             ("g", "Group", "group", "canonical", "", "list 1260h"),
             ("u", "Unit Name", "unit name", "strong_alias", "", "curated: x"),
             ("other", "Unit Name", "unit name", "strong_alias", "", "list aspi")]
    edges = [("u", "g", "unit_of", "curated: x")]
    kept = unit_names_leave_group(names, edges)
    assert ("g", "Unit Name", "unit name", "strong_alias", "", "list 1260h") not in kept
    assert ("g", "Group", "group", "canonical", "", "list 1260h") in kept
    assert ("other", "Unit Name", "unit name", "strong_alias", "", "list aspi") in kept  # not an ancestor: stays
    assert len(kept) == 3
