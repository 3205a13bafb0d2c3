"""Chinese names and own English forms of NS-CMIC, 1260H and MEU companies, and CRRC's units
(curated *_manual_companies3.csv).

Each flagged case is a form the lists do not print (a Chinese legal or short name, the company's
own English name, a subsidiary of a listed group); each look-alike shares characters or words with
an added name and must stay unflagged.
"""

from __future__ import annotations

import pytest

from biblio.orgs.match import OrgMatcher


def chains_on(om: OrgMatcher, s: str, list_key: str) -> list[str]:
    return [" → ".join(h.chain) for h in om.analyse(s).hits if h.list_key == list_key]


@pytest.mark.parametrize(("s", "list_key", "expect"), [
    ("航天时代电子技术股份有限公司, 北京 100094", "ns_cmic", "Aerospace Times"),
    ("中国卫通集团股份有限公司, 北京", "ns_cmic", "Satellite Communications"),
    ("贵州航天电器股份有限公司, 贵阳 550009", "ns_cmic", "Space Appliance"),
    ("南京熊猫电子股份有限公司, 南京", "ns_cmic", "Panda"),
    ("北方导航控制技术股份有限公司, 北京", "ns_cmic", "North Navigation"),
    ("安徽长城军工股份有限公司, 合肥", "ns_cmic", "Greatwall"),
    ("陕西中天火箭技术股份有限公司, 西安", "ns_cmic", "Zhongtian"),
    ("保定天威保变电气股份有限公司, 保定", "1260h", "Baobian"),
    ("内蒙古第一机械集团有限公司, 包头 014032", "1260h", "Inner Mongolia First Machinery"),
    ("中交二航局技术中心, 武汉", "1260h", "Second Navigation"),
    ("CCCC Second Harbor Engineering Co., Ltd., Wuhan 430040, China", "1260h", "Second Navigation"),
    ("中国三峡集团, 武汉", "1260h", "Three Gorges"),
    ("中车株洲电力机车研究所有限公司, 株洲 412001", "1260h", "CRRC"),  # a subsidiary: flagged through CRRC
    ("中车株洲电力机车有限公司, 株洲", "1260h", "CRRC"),
    ("无锡透平叶片有限公司, 无锡 214174", "meu", "Turbine Blade"),
    ("沈阳仪表科学研究院有限公司, 沈阳", "meu", "Instrumentation"),
    ("中国航发沈阳黎明航空发动机有限责任公司, 沈阳", "meu", "Liming"),
    ("成都飞机工业(集团)有限责任公司, 成都 610092", "meu", "Chengdu Aircraft"),
    ("Chengdu Aircraft Industrial (Group) Co., Ltd., Chengdu 610092, China", "meu", "Chengdu Aircraft"),
])
def test_added_forms_flag(om: OrgMatcher, s: str, list_key: str, expect: str) -> None:
    got = chains_on(om, s, list_key)
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


def test_crrc_unit_chain_names_the_unit(om: OrgMatcher) -> None:
    got = chains_on(om, "中车株洲电力机车研究所有限公司, 株洲", "1260h")
    assert any("Zhuzhou Institute" in c for c in got), got


@pytest.mark.parametrize(("s", "wrong"), [
    ("三峡大学, 宜昌 443002", "Three Gorges Corporation"),  # China Three Gorges University is not the corporation
    ("重庆三峡学院, 重庆", "Three Gorges Corporation"),
    ("中国航发动力控制股份有限公司, 无锡", "Aviation Power"),  # AECC Aviation Power's short name was left out
    ("北京航空材料研究院股份有限公司, 北京", "Baimtec"),  # Baimtec's legal name minus its legal form is BIAM's
])
def test_look_alikes_do_not_take_the_added_names(om: OrgMatcher, s: str, wrong: str) -> None:
    chains = [" → ".join(h.chain) for h in om.analyse(s).hits]
    assert not any(wrong.casefold() in c.casefold() for c in chains), (s, chains)


@pytest.mark.parametrize(("s", "expect"), [
    ("中车青岛四方机车车辆股份有限公司, 青岛", "Sifang"),
    ("中车长春轨道客车股份有限公司, 长春", "CRRC"),  # any 中车 subsidiary: through CRRC's short name
    ("中海油研究总院有限责任公司, 北京", "Offshore Oil"),
    ("中广核研究院有限公司, 深圳", "General Nuclear"),
    ("Noah's Ark Lab, Hong Kong Science Park, Hong Kong", "Huawei"),
    ("诺亚方舟实验室, 香港", "Huawei"),
])
def test_group_short_names_and_lab_names_flag_1260h(om: OrgMatcher, s: str, expect: str) -> None:
    got = chains_on(om, s, "1260h")
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


@pytest.mark.parametrize(("s", "list_key", "expect"), [
    ("中交第二航务工程局有限公司, 武汉 430040", "1260h", "Second Navigation"),
    ("中交第三航务工程局有限公司, 上海", "1260h", "Third Navigation"),
    ("中交第四航务工程局有限公司, 广州", "1260h", "Communications Construction"),  # a CCCC bureau: through CCCC
    ("长沙景嘉微电子股份有限公司, 长沙", "entity_list", "Jingjia"),
    ("中国蓝星(集团)股份有限公司, 北京", "1260h", "Bluestar"),  # a ChemChina subsidiary
    ("厦门市美亚柏科信息股份有限公司, 厦门", "ns_cmic", "Meiya"),
])
def test_harbour_bureaus_and_el_companies_chinese(om: OrgMatcher, s: str, list_key: str, expect: str) -> None:
    got = chains_on(om, s, list_key)
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


@pytest.mark.parametrize(("s", "expect"), [
    ("中国航发哈尔滨东安发动机有限公司, 哈尔滨 150066", "Dongan"),
    ("陕西飞机工业(集团)有限公司, 汉中", "Shaanxi"),
    ("Shaanxi Aircraft Industry Co., Ltd., Hanzhong, China", "Shaanxi"),  # the MEU row prints 'Aircaft'
])
def test_meu_aircraft_companies(om: OrgMatcher, s: str, expect: str) -> None:
    got = chains_on(om, s, "meu")
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


def test_meiya_pico_is_the_1260h_sdic_intelligence(om: OrgMatcher) -> None:
    """Meiya Pico (Entity List, NS-CMIC) was renamed 国投智能(厦门)信息股份有限公司; 1260H lists it as SDIC Intelligence."""
    got = {h.list_key for h in om.analyse("Xiamen Meiya Pico Information Co., Ltd., Xiamen, China").hits}
    assert {"1260h", "entity_list", "ns_cmic"} <= got, got
    got = {h.list_key for h in om.analyse("SDIC Intelligence Information Co., Ltd., Xiamen, China").hits}
    assert {"1260h", "entity_list", "ns_cmic"} <= got, got
