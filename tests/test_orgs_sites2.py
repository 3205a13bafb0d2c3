"""Sites abroad (issue 8, class 4): a listed body's own site abroad is flagged with the place in the
evidence; a foreign company that merely shares a listed company's one-word name is not
(curated *_manual_sites2.csv; the rule in biblio.orgs.match._brand_abroad; place words that only
other countries' organisations use, biblio.orgs.build._others_word).
"""

from __future__ import annotations

import pytest

from biblio.orgs.build import _others_word
from biblio.orgs.match import OrgMatcher, _brand_abroad


def hits(om: OrgMatcher, s: str) -> list:
    return om.analyse(s).hits


@pytest.mark.parametrize(("s", "list_key", "where"), [
    ("School of Electrical and Computer Engineering, Xiamen University Malaysia, Sepang", "aspi", "MY"),  # no country word
    ("XMUM, Jalan Sunsuria, 43900 Sepang, Malaysia", "aspi", "MY"),
    ("厦门大学马来西亚分校", "aspi", "MY"),
    ("Peking University HSBC Business School UK Campus, Oxford, UK", "aspi", "GB"),
    ("Tsinghua Southeast Asia Center, Kura Kura Island, Bali, Indonesia", "aspi", "ID"),
    ("Faculty of Economics, Soochow University in Laos, Vientiane Capital, Laos", "aspi", "LA"),  # the Suzhou university's campus, not Taipei's
    ("Huawei, Gothenburg, Sweden", "1260h", "SE"),
    ("China Mobile International, London, United Kingdom", "1260h", "GB"),  # two words: 'China Mobile'
    ("John Holland Group, Melbourne, VIC, Australia", "1260h", "AU"),  # a listed company abroad by its full name
    ("Cirrus Design Corporation, Duluth, MN, USA", "1260h", "US"),
])
def test_own_sites_abroad_flag_with_the_place(om: OrgMatcher, s: str, list_key: str, where: str) -> None:
    got = [h for h in hits(om, s) if h.list_key == list_key]
    assert got, s
    assert any("site abroad" in h.note and where in h.note for h in got), [h.note for h in got]


@pytest.mark.parametrize("s", [
    "CoStar Group, 1331 L Street NW, Washington, DC 20005, USA",  # 1260H lists the Chinese Costar Group
    "Sigma Technology, Linköping, Sweden",
    "Aspire Technologies, Sydney, Australia",
    "General Technology Limited, London, UK",
    "Peking University, Oxford, UK",  # the university's name alone abroad is not its campus
    "Xiamen University, Kuala Lumpur, Malaysia",
    "Soochow University, Taipei, Taiwan",
])
def test_look_alikes_abroad_stay_unflagged(om: OrgMatcher, s: str) -> None:
    assert hits(om, s) == [], s


def test_common_word_brand_still_flags_at_home(om: OrgMatcher) -> None:
    assert any(h.list_key == "1260h" for h in hits(om, "Costar Group Co., Ltd., Nanyang, Henan, China"))


def test_brand_abroad_rule() -> None:
    assert _brand_abroad("huawei technologies") and _brand_abroad("china mobile") and _brand_abroad("cirrus design")
    assert not _brand_abroad("costar group") and not _brand_abroad("sigma technol")


def test_island_is_no_place_in_iceland(om: OrgMatcher) -> None:
    assert "IS" not in om.places_in(["kura", "kura", "island"])
    assert _others_word("island", "IS", {"US": 7, "CA": 2})
    assert not _others_word("bangkok", "TH", {"TH": 4}) and not _others_word("island", "IS", {"IS": 1, "US": 7})
