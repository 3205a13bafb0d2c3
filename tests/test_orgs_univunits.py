"""Units of listed universities named by their own names (issue 8, class 2): the curated topic
files ``biblio/orgs/curated/*_manual_univunits.csv`` roll hospitals, institutes and campuses that
papers print without the university's name up to the listed university; look-alikes and names
that two universities share stay undecided or unflagged."""

from __future__ import annotations

import pytest

from biblio.orgs.match import OrgMatcher


def hits(om: OrgMatcher, s: str) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(h.list_key, h.entity_key): h.chain for h in om.analyse(s).hits}


@pytest.mark.parametrize("s,key,via", [
    ("Department of Urology, West China Hospital, Chengdu 610041, China", ("sastind", "sichuan-university"), "West China Hospital"),
    ("West China School of Public Health and West China Fourth Hospital, Chengdu, China", ("aspi", "sichuan-university"), "West China Fourth"),
    ("West China Second University Hospital, Chengdu 610041, China", ("1286", "sichuan-university"), "West China Second"),
    ("Xiangya Hospital, Changsha 410008, China", ("aspi", "central-south-university"), "Xiangya Hospital"),
    ("The Second Xiangya Hospital, Changsha, Hunan, China", ("sastind", "central-south-university"), "Second Xiangya"),
    ("Third Xiangya Hospital, Changsha 410013, China", ("aspi", "central-south-university"), "Third Xiangya"),
    ("Qilu Hospital, Jinan 250012, China", ("aspi", "shandong-university"), "Qilu Hospital"),
    ("Cheeloo College of Medicine, Jinan, China", ("sastind", "shandong-university"), "Cheeloo"),
    ("Zhongnan Hospital, Wuhan 430071, China", ("aspi", "wuhan-university"), "Zhongnan"),
    ("Tongji Medical College, Wuhan 430030, China", ("sastind", "huazhong-university-of-science-and-technology"), "Tongji Medical College"),
    ("Institute of Nuclear and New Energy Technology, Beijing 100084, China", ("aspi", "tsinghua-university"), "Nuclear and New Energy"),
    ("Shenzhen MSU-BIT University, Shenzhen 518172, China", ("seven_sons", "beijing-institute-of-technology"), "MSU-BIT"),
    ("Wuhan National Laboratory for Optoelectronics, Wuhan 430074, China", ("sastind", "huazhong-university-of-science-and-technology"), "Optoelectronics"),
    ("Department of Urology, Ren Ji Hospital, Shanghai 200127, China", ("1286", "shanghai-jiao-tong-university"), "Renji"),
    ("Shanghai Children's Medical Center, Shanghai 200127, China", ("aspi", "shanghai-jiao-tong-university"), "Children's Medical Center"),
    ("Shanghai Mental Health Center, Shanghai 200030, China", ("sastind", "shanghai-jiao-tong-university"), "Mental Health Center"),
    ("State Key Laboratory of Integrated Services Networks, Xi'an 710071, China", ("1286", "xidian-university"), "Integrated Services Networks"),
])
def test_unit_named_alone_rolls_up_to_its_university(om: OrgMatcher, s: str, key: tuple[str, str], via: str) -> None:
    got = hits(om, s)
    assert key in got, (s, sorted(got))
    assert any(via in step for step in got[key]), got[key]


def test_tongji_hospital_is_decided_by_its_city(om: OrgMatcher) -> None:
    shanghai = hits(om, "Tongji Hospital, Shanghai 200065, China")
    assert ("aspi", "tongji-university") in shanghai
    assert not any(ek == "huazhong-university-of-science-and-technology" for _, ek in shanghai)
    wuhan = hits(om, "Tongji Hospital, Wuhan 430030, China")
    assert ("sastind", "huazhong-university-of-science-and-technology") in wuhan
    assert hits(om, "Tongji Hospital, China") == {}  # two universities' hospitals: ambiguous, not flagged


@pytest.mark.parametrize("s", [
    "Qilu University of Technology, Jinan 250353, China",
    "Qilu Pharmaceutical Co., Ltd., Jinan, China",
    "Department of General Surgery, Nanfang Hospital, Southern Medical University, Guangzhou 510515, China",
    "Union Hospital, Fujian Medical University, Fuzhou 350001, China",
])
def test_look_alikes_and_unlisted_hospitals_stay_unflagged(om: OrgMatcher, s: str) -> None:
    assert hits(om, s) == {}
