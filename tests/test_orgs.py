"""Organisation graph: the shipped data is the build's output; graph facts; matching rules."""

from __future__ import annotations

import csv

import pytest

from biblio.orgs.build import FILES, build_rows
from biblio.orgs.graph import DATA, load_graph
from biblio.orgs.match import OrgMatcher
from biblio.orgs.text import name_key, numbered_in_cjk, numbered_in_tokens


def test_rebuild_equals_shipped() -> None:
    rows = build_rows()
    for name, header in FILES.items():
        with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            shipped = [tuple(r) for r in csv.reader(fh)]
        assert shipped[0] == list(header) or tuple(shipped[0]) == header
        assert shipped[1:] == [tuple(r) for r in rows[name]], f"{name}.csv differs from a rebuild: run scripts/build_orgs.py"


def lists_of(om: OrgMatcher, s: str, cc: str | None = None) -> set[str]:
    return {h.list_key for h in om.analyse(s, country_code=cc).hits}


def test_text_rules() -> None:
    assert name_key("清華大學") == name_key("清华大学")
    assert name_key("Univ Elect Sci & Technol China", False) == name_key("University of Electronic Science and Technology of China")
    assert numbered_in_tokens("no 38 research institute".split()) == [(38, "institute")]
    assert numbered_in_tokens("5th academy".split()) == [(5, "academy")]
    assert numbered_in_cjk("中国电子科技集团公司第十四研究所") == [(14, "institute")]


def test_graph_has_ids_edges_and_semantics() -> None:
    g = load_graph()
    cetc = g.by_ror["0098hst83"]
    assert {lk for lk, *_ in g.links[cetc]} >= {"1260h", "ns_cmic"}
    assert "sastind" not in {lk for lk, *_ in g.links[cetc]}  # SASTIND: supervised universities only
    cetc14 = g.by_entity[("1260h", "14th-research-institute-of-cetc")]
    assert cetc in g.ancestors(cetc14)


@pytest.mark.parametrize("s", ["Huawei", "SenseTime", "Inspur", "CASC"])
def test_bare_company_names_flag_with_evidence(om: OrgMatcher, s: str) -> None:
    hits = om.analyse(s).hits
    assert hits and all(h.chain for h in hits)


@pytest.mark.parametrize("s", [
    "the 38th Research Institute of China Electronics Technology Group Corporation, Hefei 230088, China",
    "CETC 38, Hefei, China",
    "No. 38 Research Institute of CETC, Hefei",
    "中国电子科技集团公司第三十八研究所",
])
def test_numbered_institutes(om: OrgMatcher, s: str) -> None:
    hits = om.analyse(s).hits
    assert {"1260h", "entity_list"} <= {h.list_key for h in hits}
    assert any("38" in " ".join(h.chain) for h in hits)


def test_civilian_name_of_numbered_institute_rolls_up(om: OrgMatcher) -> None:
    hits = om.analyse("Nanjing Research Institute of Electronics Technology, Nanjing 210039, China").hits
    chains = [" → ".join(h.chain) for h in hits if h.list_key == "ns_cmic"]
    assert chains and "China Electronics Technology Group Corporation" in chains[0]


def test_place_rules(om: OrgMatcher) -> None:
    assert lists_of(om, "Northeastern University, Boston, MA 02115, USA") == set()
    assert lists_of(om, "Northeastern University, Shenyang 110819, China")
    assert lists_of(om, "Institute of Aeronautics and Astronautics, Berlin") == set()
    assert lists_of(om, "Northeastern University", "US") == set()


def test_renamed_pla_university(om: OrgMatcher) -> None:
    hits = om.analyse("Fourth Military Medical University, Xi'an 710032, China").hits
    assert hits and any("Air Force Medical University" in " → ".join(h.chain) for h in hits)


def test_wos_abbreviations_and_traditional_chinese(om: OrgMatcher) -> None:
    assert "aspi" in lists_of(om, "Univ Elect Sci & Technol China, Chengdu 611731, Sichuan, Peoples R China")
    assert "aspi" in lists_of(om, "清華大學")


def test_known_unlisted_body_hides_listed_substring(om: OrgMatcher) -> None:
    a = om.analyse("School of Materials, South China University of Technology, Guangzhou 510640, China")
    assert all("China University of Technology" != om.name(o) for o in a.named)


def test_list_name_printed_parent_first_is_the_ror_unit(om: OrgMatcher) -> None:
    # the Entity List prints "Chinese Academy of Sciences Changchun Institute of Optics, …"; ROR has
    # "Changchun Institute of Optics, …" under CAS: one body, so ROR's name flags the entry
    ek = "chinese-academy-of-sciences-changchun-institute-of-optics-fine-mechanics-and-phy"
    hits = om.analyse("Changchun Institute of Optics, Fine Mechanics and Physics, Chinese Academy of Sciences, Changchun 130033, China").hits
    assert ("entity_list", ek) in {(h.list_key, h.entity_key) for h in hits}
    other = om.analyse("Changchun Institute of Applied Chemistry, Chinese Academy of Sciences, Changchun 130022, China").hits
    assert ek not in {h.entity_key for h in other}
