"""Defence units, second pass (issue 8, class 1): numbered units of a group whose abbreviation is
shared or sits inside a longer part ("CAST 501", "the 701 Institute of CSSC"), and the curated
topic files ``biblio/orgs/curated/*_manual_defence2.csv``."""

from __future__ import annotations

import pytest

from biblio.orgs.build import parse_numbered
from biblio.orgs.match import OrgMatcher


def lists_of(om: OrgMatcher, s: str, cc: str | None = "CN") -> set[str]:
    return {h.list_key for h in om.analyse(s, country_code=cc).hits}


def chain_text(om: OrgMatcher, s: str) -> str:
    return " | ".join(" → ".join(h.chain) for h in om.analyse(s, country_code="CN").hits)


def test_shared_group_name_reads_as_the_records_own_parent() -> None:
    idx = {"cast": {"cast", "ror:x"}, "cetc": {"cetc"}}
    assert parse_numbered("501 institute cast", idx, "cast-501") is None
    assert parse_numbered("501 institute cast", idx, "cast-501", frozenset({"cast"})) == ("cast", "institute", 501)
    assert parse_numbered("501 institute cast", idx, "cast-501", frozenset({"cetc"})) is None


@pytest.mark.parametrize("s,unit", [
    ("CAST 501, Beijing", "Spacecraft System Engineering"),
    ("Research Institute 508 of CAST, Beijing", "Space Mechanics and Electricity"),
    ("the 701 Institute of CSSC, Wuhan", "701st"),
])
def test_undecided_group_name_with_a_known_number_names_the_unit(om: OrgMatcher, s: str, unit: str) -> None:
    assert lists_of(om, s) >= {"aspi", "entity_list"}
    assert unit in chain_text(om, s)


def test_undecided_group_name_with_an_unknown_number_stays_unflagged(om: OrgMatcher) -> None:
    # "CAST" alone is shared (Chongqing Academy of Science and Technology too): no unit 599 is known
    assert lists_of(om, "Research Institute 599 of CAST") == set()
    assert lists_of(om, "CAST 501") >= {"aspi", "entity_list"}


def test_aspi_aka_names_each_side() -> None:
    from biblio.orgs.build import _aka_names
    got = _aka_names("Based in NORINCO Group No. 213 Institute (Xi’an) (中国兵工集团第213研究所（西安）) aka Shaanxi Applied Physics and Chemistry Institute")
    assert ("Shaanxi Applied Physics and Chemistry Institute", "strong_alias") in got
    assert ("中国兵工集团第213研究所（西安）", "zh_hans") in got
    assert _aka_names("Aka Wuhan Radar Institute Key Research Lab") == []  # no second name


@pytest.mark.parametrize("s", [
    "Shaanxi Applied Physics and Chemistry Institute, Xi'an 710061, China",
    "Xi'an Modern Chemistry Institute, Xi'an, China",
    "Changchun Equipment Technology Institute, Changchun, China",
])
def test_aspi_lab_aka_names_roll_up_to_norinco(om: OrgMatcher, s: str) -> None:
    assert lists_of(om, s) >= {"1260h", "aspi", "ns_cmic"}
    assert "China North Industries Group" in chain_text(om, s)


def test_aspi_subsidiary_with_a_graph_bodys_chinese_name_is_that_body(om: OrgMatcher) -> None:
    # ASPI: "Beijing Institute for Aeronautical Materials (中国航发北京航空材料研究院)" is BIAM, not a second body
    a = om.analyse("中国航发北京航空材料研究院", country_code="CN")
    assert not a.ambiguous
    assert {h.list_key for h in a.hits} >= {"aspi", "meu"}


@pytest.mark.parametrize("s,lists,via", [
    ("Aerospace Research Institute of Materials and Processing Technology, Beijing 100076, China", {"aspi", "entity_list", "ns_cmic"}, "China Academy of Launch Vehicle Technology"),
    ("航天材料及工艺研究所，北京", {"aspi", "entity_list"}, "China Academy of Launch Vehicle Technology"),
    ("Southwest Institute of Technical Physics, Chengdu 610041, China", {"1260h", "aspi"}, "China North Industries Group"),
    ("Changcheng Institute of Metrology & Measurement, Beijing, China", {"1260h", "aspi"}, "Aviation Industry Corporation of China"),
    ("Shanghai Institute of Space Propulsion, Shanghai, China", {"aspi", "entity_list"}, "Academy of Aerospace Propulsion Technology"),
    ("Southwest Technology and Engineering Research Institute, Chongqing, China", {"1260h", "aspi"}, "China South Industries Group"),
    ("Southwest Automation Research Institute, Mianyang, China", {"1260h", "aspi"}, "China South Industries Group"),
])
def test_defence2_civilian_names_roll_up_with_the_chain(om: OrgMatcher, s: str, lists: set[str], via: str) -> None:
    assert lists_of(om, s) >= lists
    assert via in chain_text(om, s)


def test_defence2_rows_cite_a_source() -> None:
    import csv
    from pathlib import Path
    folder = Path(__file__).resolve().parents[1] / "biblio" / "orgs" / "curated"
    for kind in ("organisations", "names", "edges", "list_links"):
        rows = list(csv.DictReader((folder / f"{kind}_manual_defence2.csv").open(encoding="utf-8")))
        assert rows and all(r["source"].startswith(("http", "list:", "ROR:")) for r in rows), kind


def test_cetc_short_name_carries_the_numbered_rule(om: OrgMatcher) -> None:
    assert "54th Research Institute" in chain_text(om, "中电科54所，石家庄")


def test_generic_name_heading_a_longer_name_is_not_that_body(om: OrgMatcher) -> None:
    # CASIC's 706 institute is not CAS's Institute of Computing Technology; a CNNC institute is not CAS's IOP
    for s in ("Beijing Institute of Computer Technology and Application, Beijing 100854, China",
              "Research Institute of Physical and Chemical Engineering of Nuclear Industry, Tianjin 300180, China"):
        chains = chain_text(om, s)
        assert "Chinese Academy of Sciences" not in chains, s
    # a distinctive name joined to another body by "and" still counts
    assert "seven_sons" in lists_of(om, "Sino-German Joint Laboratory, Harbin Institute of Technology and Technical University of Munich, Harbin, China")
    assert "1286" in lists_of(om, "Institute of Physics and Tsinghua University, Beijing")
