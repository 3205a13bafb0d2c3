"""Short Chinese names decide only where they stand as a word (issue 8).

The false-positive strings are SYNTHETIC, built from real Chinese words that put a short listed
name across a word boundary (华中 + 车辆, 车站, 集中, 生态 + 创新, 阳光 + 志愿者)."""
from __future__ import annotations

import pytest

from biblio.orgs.graph import load_graph
from biblio.orgs.match import ZH_SHORT, OrgMatcher

FALSE = [  # SYNTHETIC: no listed body named
    "武汉华中车辆技术有限公司", "北京中车站前路", "集中车间管理办公室", "武汉华中电科技术有限公司",
    "浙江生态创新研究院", "华美光电科技有限公司", "阳光志愿者协会", "南京雷达电子研究所", "完美团队建设中心",
]
TRUE = {  # string → a body it names
    "中车株洲电力机车研究所有限公司": "crrc-zhuzhou-institute", "中车青岛四方机车车辆股份有限公司": "crrc-sifang",
    "中电科54所": "cetc-54", "中国中车": "crrc-china", "中广核研究院有限公司": "cgn",
    "株洲中车时代电气股份有限公司": "crrc-china", "北京华为数字技术有限公司": "huawei-investment-and-holding",
    "深圳市腾讯计算机系统有限公司": "tencent", "中海油研究总院": "cnooc-group",
}


@pytest.fixture(scope="module")
def m() -> OrgMatcher:
    return OrgMatcher(load_graph())


@pytest.mark.parametrize("s", FALSE)
def test_short_name_across_a_word_boundary_is_no_flag(m, s):
    assert m.analyse(s, country_code="CN").hits == []


@pytest.mark.parametrize("s,org", TRUE.items())
def test_short_name_as_a_word_still_flags(m, s, org):
    assert org in {h.org for h in m.analyse(s, country_code="CN").hits}


def test_word_lists(m):
    assert "华中" in m.zh_heads and "株洲" in m.zh_heads and "中车" not in m.zh_heads
    assert "车站" in m.zh_words and ZH_SHORT == 3
    assert m._zh_word("北京中车", 2, 2) and not m._zh_word("北京中车站", 2, 2) and not m._zh_word("华中车辆", 1, 2)


BRACKETED = {  # a place in brackets inside a company name (the 1260H prints 国投智能(厦门)信息股份有限公司)
    "国投智能(厦门)信息股份有限公司": "meiya-pico", "国投智能（厦门）信息股份有限公司": "meiya-pico",
    "国投智能(厦门)信息股份有限公司福州分公司": "meiya-pico",
    "SDIC Intelligence (Xiamen) Information Co., Ltd.": "meiya-pico",
    "SDIC Intelligence (Xiamen) Information Co., Ltd., Xiamen 361000, China": "meiya-pico",
    "华为技术(深圳)有限公司": "huawei-investment-and-holding", "华为技术（深圳）有限公司": "huawei-investment-and-holding",
    "Huawei Technologies (Shenzhen) Co., Ltd., Shenzhen, China": "huawei-investment-and-holding",
    "Hikvision (Wuhan) Technology Co., Ltd.": "hikvision", "海康威视(武汉)科技有限公司": "hikvision",
    "CETC (Chengdu) Co., Ltd.": "cetc",
}


@pytest.mark.parametrize("s,org", BRACKETED.items())
def test_bracketed_place_inside_a_name(m, s, org):
    assert org in {h.org for h in m.analyse(s, country_code="CN").hits}


def test_keep_places(m):
    assert m._keep_places("国投智能（厦门）信息股份有限公司") == ("国投智能厦门信息股份有限公司", frozenset({"厦门"}))
    assert m._keep_places("CETC (Chengdu) Co., Ltd.")[1] == {"Chengdu"}
    assert m._keep_places("China Shipbuilding (Group) Co., Ltd.")[1] == frozenset()  # no place
    assert m._keep_places("Huawei Technologies Co., Ltd. (Hong Kong), Shenzhen")[1] == frozenset()  # nothing runs on after it
    # a weak alias read with the place does not beat the deciding name without it
    hits = m.analyse("Huawei Device (Hong Kong) Co., Limited, Tsim Sha Tsui").hits
    assert {(h.list_key, h.org) for h in hits} >= {("entity_list", "el-huawei-device")}


def test_short_department_name_needs_its_parent(m):
    """政治部 / 科研部 (ASPI prints them as units of the PLA Information Engineering University) are
    any body's departments: a department of Tsinghua is not the PLA university's."""
    assert {h.org for h in m.analyse("清华大学科研部", country_code="CN").hits} == {"tsinghua-university"}
    assert m.analyse("政治部", country_code="CN").hits == []
    assert "aspi:information-engineering-university#subsidiary0" in {
        h.org for h in m.analyse("解放军信息工程大学政治部", country_code="CN").hits}
