"""Chinese names and printed forms of smaller 1260H companies (curated *_manual_companies2.csv).

Each flagged case is a form the list does not print (a Chinese legal or short name, a patent
assignee's English name, a subsidiary); each look-alike shares a word or characters with a listed
name and must stay unflagged.
"""

from __future__ import annotations

import pytest

from biblio.orgs.match import OrgMatcher


def names_on(om: OrgMatcher, s: str, list_key: str) -> list[str]:
    return [" → ".join(h.chain) for h in om.analyse(s).hits if h.list_key == list_key]


@pytest.mark.parametrize(("s", "expect"), [
    ("中创新航科技股份有限公司, 常州 213200", "CALB"),
    ("中航锂电(洛阳)有限公司, 洛阳", "CALB"),
    ("中国东方红卫星股份有限公司, 北京", "Spacesat"),
    ("航天东方红卫星有限公司, 北京 100094", "Spacesat"),  # its subsidiary: flagged through the parent
    ("中航直升机股份有限公司, 天津", "Avicopter"),
    ("昌河飞机工业集团有限责任公司, 景德镇 333002", "Changhe"),
    ("安徽四创电子股份有限公司, 合肥 230088", "Sun Create"),
    ("中译语通科技(北京)有限公司, 北京", "Global Tone"),
    ("广州杰赛科技股份有限公司, 广州 510310", "GCI"),
    ("东方网力科技股份有限公司, 北京", "NetPosa"),
    ("Shenzhen Autel Intelligent Aviation Technology Co., Ltd., Shenzhen 518055, China", "Autel"),
])
def test_chinese_and_printed_forms_flag_1260h(om: OrgMatcher, s: str, expect: str) -> None:
    got = names_on(om, s, "1260h")
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


@pytest.mark.parametrize("s", [
    "东方红林业局, 黑龙江",  # 东方红 alone is not China Spacesat
    "中南大学太极拳协会, 长沙",  # 太极 alone is not Taiji Computer
    "中集成电路设计中心, 上海",  # 中集 + 成 is not CIMC (中集集团)
    "Changhe Road Primary School, Beijing",
])
def test_look_alikes_stay_unflagged(om: OrgMatcher, s: str) -> None:
    assert names_on(om, s, "1260h") == [], s


@pytest.mark.parametrize(("s", "expect"), [
    ("CCCC First Harbor Engineering Co., Ltd., Tianjin 300461, China", "First Harbor"),  # papers' form, no 'Bureau'
    ("中交一航局第三工程有限公司, 大连", "First Harbor"),  # a subsidiary: flagged through the bureau
    ("SMIC North IC Manufacturing (Beijing) Co., Ltd., Beijing", "North China"),
    ("中国商飞北京民用飞机技术研究中心, 北京 102211", "Beijing Aeronautical"),
    ("China Airport Construction Corporation, Beijing", "Airport Construction"),
    ("天翼云科技有限公司, 北京", "Tianyi"),
    ("中电科数字技术股份有限公司, 上海 200233", "East China Computer"),  # the 2021 name
    ("航天晨光股份有限公司, 南京", "Aerosun"),
    ("凤凰光学股份有限公司, 上饶 334000", "Phoenix"),
])
def test_printed_forms_of_subsidiaries_flag_1260h(om: OrgMatcher, s: str, expect: str) -> None:
    got = names_on(om, s, "1260h")
    assert got and any(expect.casefold() in c.casefold() for c in got), (s, got)


def test_cacc_acronym_alone_does_not_flag(om: OrgMatcher) -> None:
    assert names_on(om, "CACC Laboratory, Beijing", "1260h") == []
