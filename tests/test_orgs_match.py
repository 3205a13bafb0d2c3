"""Matching rules over the organisation graph (biblio/orgs/match.py), in the forms papers print.
Each rule has a case that flags and a look-alike that must not."""

from __future__ import annotations

import pytest

from biblio.orgs.graph import load_graph
from biblio.orgs.match import OrgMatcher


@pytest.fixture(scope="module")
def om() -> OrgMatcher:
    return OrgMatcher(load_graph())


def lists_of(om: OrgMatcher, s: str, cc: str | None = None) -> set[str]:
    return {h.list_key for h in om.analyse(s, country_code=cc).hits}


def entities_of(om: OrgMatcher, s: str, cc: str | None = None) -> set[tuple[str, str]]:
    return {(h.list_key, h.entity_key) for h in om.analyse(s, country_code=cc).hits}


def test_numbered_name_printed_on_another_entry_follows_every_name(om: OrgMatcher) -> None:
    # the Entity List prints "CETC 24/26/44" under CETC Chip Technology: any name of those institutes flags it
    for s in ("Sichuan Institute of Solid-State Circuits, Chongqing 400060, China",
              "24th Research Institute of CETC, Chongqing",
              "CETC 44, Chongqing, P.R. China"):
        assert ("entity_list", "cetc-chip-technology") in entities_of(om, s), s
    # an institute whose number no other entry prints does not pick that entry up
    assert ("entity_list", "cetc-chip-technology") not in entities_of(om, "CETC 14, Nanjing 210039, China")


def test_chinese_numbered_institute_with_zero(om: OrgMatcher) -> None:
    assert "entity_list" in lists_of(om, "中国船舶集团有限公司第七〇二研究所，无锡 214082")
    assert "entity_list" in lists_of(om, "中國船舶集團有限公司第七〇二研究所")


def test_group_prefix_company_is_a_subsidiary(om: OrgMatcher) -> None:
    # a listed company whose name begins with its group's acronym rolls up to the group
    assert {"meu", "ns_cmic"} <= lists_of(om, "AECC Commercial Aircraft Engine Co., Ltd., Shanghai 200241, China")
    assert "ns_cmic" in lists_of(om, "AVIC International Holding Corporation, Shenzhen, China")


def test_group_abbreviation_opening_a_part(om: OrgMatcher) -> None:
    assert "1260h" in lists_of(om, "CSSC Jiangnan Shipyard (Group) Co., Ltd., Shanghai 201913, China")
    assert "1260h" in lists_of(om, "CSSC Systems Engineering Research Institute, Beijing 100094, China")
    # in lower case, or followed by words that do not end as an organisation does: not a group name
    assert lists_of(om, "Cssc Jiangnan Shipyard, Shanghai") == set()
    assert lists_of(om, "CSSC protocol for sampling sediments, Shanghai") == set()


def test_group_prefix_before_a_longer_known_name(om: OrgMatcher) -> None:
    # "AVIC" + a known institute name: both are named (the group is not swallowed by the overlap)
    a = om.analyse("AVIC Chengdu Aircraft Design and Research Institute, Chengdu 610091, China")
    assert {"avic", "avic-611"} <= set(a.named)
    assert "1260h" in {h.list_key for h in a.hits}
