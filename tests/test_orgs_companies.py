"""Listed companies' subsidiaries, institutes and former names (curated *_manual_companies.csv).

Each case names a unit the lists do not print; the flag must come with the chain up to the
listed company, and a look-alike of the same family must stay unflagged.
"""

from __future__ import annotations

import pytest

from biblio.orgs.graph import load_graph
from biblio.orgs.match import OrgMatcher


def chains(om: OrgMatcher, s: str, list_key: str) -> list[str]:
    return [" → ".join(h.chain) for h in om.analyse(s).hits if h.list_key == list_key]


@pytest.mark.parametrize(("s", "list_key", "parent"), [
    ("China Construction Eighth Engineering Division Corp., Ltd., Shanghai 200122, China", "1260h", "China State Construction Engineering"),
    ("中建三局, 武汉", "1260h", "China State Construction Engineering"),
    ("China Railway 14th Bureau Group Co., Ltd., Jinan 250101, China", "ns_cmic", "China Railway Construction"),
    ("China Railway Siyuan Survey and Design Group Co., Ltd., Wuhan", "ns_cmic", "China Railway Construction"),
    ("China Harbour Engineering Company Ltd., Beijing", "1260h", "China Communications Construction"),
    ("Jiangnan Shipyard (Group) Co., Ltd., Shanghai 201913, China", "1260h", "China State Shipbuilding"),
    ("Suzhou Nuclear Power Research Institute, Suzhou 215004, China", "1260h", "China General Nuclear Power"),
    ("China Oilfield Services Limited, Langfang, Hebei, China", "1260h", "China National Offshore Oil"),
    ("China Yangtze Power Co., Ltd., Yichang 443000, China", "1260h", "China Three Gorges"),
    ("CSR Qingdao Sifang Locomotive and Rolling Stock Co., Ltd., Qingdao", "1260h", "CRRC"),
    ("China Architecture Design & Research Group, Beijing 100044, China", "1260h", "China Construction Technology"),
    ("中国长江三峡集团有限公司, 武汉", "1260h", "China Three Gorges"),  # the record says 中国长江三峡集团公司
    ("中芯国际集成电路制造有限公司, 上海", "1260h", "Semiconductor Manufacturing International"),
    ("Huawei Device Co., Ltd., Dongguan 523808, China", "ns_cmic", "Huawei"),  # an Entity List entry naming Huawei
    ("CCCC Dredging (Group) Co., Ltd., Shanghai", "1260h", "China Communications Construction"),
    ("CNNC Xi'an Nuclear Instrument Co., Ltd., Xi'an", "ns_cmic", "China National Nuclear"),  # group acronym as prefix
    ("SenseTime Research, Shanghai 200233, China", "entity_list", "SenseTime"),  # the Entity List prints "Sense Time"
])
def test_company_unit_flags_with_its_chain(om: OrgMatcher, s: str, list_key: str, parent: str) -> None:
    got = chains(om, s, list_key)
    assert got and any(parent.casefold() in c.casefold() for c in got), (s, got)


@pytest.mark.parametrize("s", [
    "China Three Gorges University, Yichang 443002, Hubei, China",  # a university, not CTG
    "China Railway No. 2 Engineering Group Co., Ltd., Chengdu",  # China Railway Group (CREC), not CRCC
    "China Railway Eryuan Engineering Group Co., Ltd., Chengdu 610031, China",
])
def test_company_look_alikes_stay_unflagged(om: OrgMatcher, s: str) -> None:
    assert om.analyse(s).hits == [] or not [h for h in om.analyse(s).hits if h.list_key in ("1260h", "ns_cmic")]


def test_chinese_legal_form_is_not_part_of_the_name() -> None:
    from biblio.orgs.build import zh_bare_name

    assert zh_bare_name("中国长江三峡集团公司") == "中国长江三峡集团"
    assert zh_bare_name("江南造船(集团)有限责任公司") == "江南造船"
    assert zh_bare_name("华为公司") == ""  # too short to name a body by itself
    assert zh_bare_name("Huawei Technologies Co., Ltd.") == ""


def test_curated_parent_replaces_a_government_ror_parent() -> None:
    """ROR puts China Architecture Design & Research Group under SASAC; the curated parent wins,
    so the body is not a 'joint' body of two parents and inherits its listed parent."""
    g = load_graph()
    cag = g.by_ror["01hgdcb87"]
    assert any(lk == "1260h" for a in g.ancestors(cag) for lk, *_ in g.links.get(a, []))


@pytest.mark.parametrize(("s", "list_key", "body"), [
    ("上海移远通信技术股份有限公司, 上海", "1260h", "Quectel"),
    ("Quectel, Shanghai 200233, China", "1260h", "Quectel"),
    ("天合光能股份有限公司, 常州", "1260h", "Trina Solar"),  # ROR's 'TrinaSolar' record folded in, not a rival body
    ("晶澳太阳能科技股份有限公司", "1260h", "JA Solar"),
    ("天马微电子股份有限公司, 深圳", "1260h", "Tianma"),
    ("中际旭创股份有限公司", "1260h", "Innolight"),
    ("惠州亿纬锂能股份有限公司", "1260h", "EVE Energy"),
    ("北京诺禾致源科技股份有限公司, 北京", "1260h", "Novogene"),
    ("禾赛科技, 上海", "1260h", "Hesai"),
    ("Hesai Photonics Technology Co., Ltd., Shanghai", "1260h", "Hesai"),  # former English name
    ("航天信息股份有限公司", "1260h", "Aisino"),
    ("中科曙光, 北京", "ns_cmic", "Dawning"),
    ("成都卫士通信息产业股份有限公司", "1260h", "CETC Cyberspace Security"),  # renamed 2022
    ("中国远洋海运集团有限公司", "1260h", "COSCO SHIPPING"),
    ("中国商飞上海飞机设计研究院", "meu", "Shanghai Aircraft Design"),
    ("Meiya Pico, Xiamen", "ns_cmic", "Meiya Pico"),
    ("BGI-Shenzhen, Shenzhen 518083, China", "1260h", "BGI Group"),
])
def test_company_names_papers_print(om: OrgMatcher, s: str, list_key: str, body: str) -> None:
    """Chinese names, brands and former names of listed companies (class 3)."""
    got = chains(om, s, list_key)
    assert got and any(body.casefold() in c.casefold() for c in got), (s, got)


def test_bgi_shenzhen_names_the_group_not_the_entity_list_institute(om: OrgMatcher) -> None:
    """'BGI-Shenzhen' is the BGI organisation (once the Beijing Genomics Institute); the Entity
    List's BGI Research row prints other names, so the string carries the 1260H only."""
    lists = {h.list_key for h in om.analyse("BGI-Shenzhen, Shenzhen 518083, China").hits}
    assert lists == {"1260h"}
    assert "entity_list" in {h.list_key for h in om.analyse("Shenzhen Huada Gene Research Institute").hits}


@pytest.mark.parametrize(("s", "list_key"), [
    ("Second Institute of Oceanography, State Oceanic Administration, Hangzhou 310012, China", "meu"),
    ("自然资源部第二海洋研究所, 杭州", "meu"),
    ("National Satellite Meteorological Center, China Meteorological Administration, Beijing 100081, China", "meu"),
    ("國家衛星氣象中心", "meu"),
])
def test_meu_institutes_under_their_paper_names(om: OrgMatcher, s: str, list_key: str) -> None:
    assert list_key in {h.list_key for h in om.analyse(s).hits}, s


@pytest.mark.parametrize("s", [
    "Third Institute of Oceanography, Ministry of Natural Resources, Xiamen 361005, China",
    "National Meteorological Center, China Meteorological Administration, Beijing 100081, China",
    "China Meteorological Administration, Beijing 100081, China",
    "COSCO (India) Ltd, Gurugram, India",  # a sports-goods maker: 'COSCO' alone is weak
])
def test_meu_and_company_neighbours_stay_unflagged(om: OrgMatcher, s: str) -> None:
    assert om.analyse(s).hits == [], s


@pytest.mark.parametrize(("s", "where"), [
    ("Huawei Munich Research Center, Munich, Germany", "(Munich, DE)"),
    ("Futurewei Technologies, Santa Clara, CA, USA", "(Santa Clara, US)"),  # Huawei's US R&D subsidiary
    ("Toga Networks Ltd., Hod Hasharon, Israel", "(Hod Hasharon, IL)"),  # Huawei's R&D centre in Israel
    ("Xiamen University Malaysia, Sepang, Selangor, Malaysia", "(Sepang, MY)"),  # curated campus (sites2): its city too
])
def test_site_abroad_is_flagged_with_where_it_is(om: OrgMatcher, s: str, where: str) -> None:
    """Class 4: a listed body's own site abroad is flagged, and the evidence says where."""
    hits = om.analyse(s).hits
    assert hits and all(h.note.startswith("site abroad:") and where in h.note for h in hits), [(h.list_key, h.note) for h in hits]


def test_cnooc_limited_is_its_own_body_under_the_group() -> None:
    """CNOOC Limited (the Entity List: "a subsidiary of China National Offshore Oil Corporation")
    is a body of its own: the group's units carry the group's lists only; CNOOC Limited carries
    its own plus the group's. Bare "CNOOC" has the key of "CNOOC Limited" (legal form dropped)."""
    from datetime import date

    import polars as pl

    from biblio.resolve import screen

    names = ["CNOOC Research Institute, Beijing, China", "China National Offshore Oil Corporation", "CNOOC Limited",
             "中国海洋石油有限公司"]
    got = dict(screen(pl.DataFrame({"name": names, "country_code": ["CN"] * 4}), as_of=date(2026, 11, 1))
               .select("name", "lists").iter_rows())
    assert got[names[0]] == got[names[1]] == "1260h;ns_cmic"
    assert got[names[2]] == got[names[3]] == "1260h;entity_list;ns_cmic"
    g = load_graph()
    assert ("cnooc-group", "subsidiary_of") in {(p, r) for p, r, _ in g.parents["cnooc-limited"]}
