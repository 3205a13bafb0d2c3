"""Matching rules over the organisation graph (biblio/orgs/match.py), in the forms papers print.
Each rule has a case that flags and a look-alike that must not."""

from __future__ import annotations

from biblio.orgs.match import OrgMatcher


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
    # (a unit the graph does not know: Jiangnan Shipyard itself is a known CSSC subsidiary)
    assert lists_of(om, "Cssc Donghai Boat Works, Shanghai") == set()
    assert lists_of(om, "CSSC protocol for sampling sediments, Shanghai") == set()


def test_group_prefix_before_a_longer_known_name(om: OrgMatcher) -> None:
    # "AVIC" + a known institute name: both are named (the group is not swallowed by the overlap)
    a = om.analyse("AVIC Chengdu Aircraft Design and Research Institute, Chengdu 610091, China")
    assert {"avic", "avic-611"} <= set(a.named)
    assert "1260h" in {h.list_key for h in a.hits}


def test_city_decides_a_shared_abbreviation(om: OrgMatcher) -> None:
    # ROR gives "CAST" to two bodies; the city in the string decides, no city stays ambiguous
    assert "ns_cmic" in lists_of(om, "CAST, Beijing 100094, China")
    assert lists_of(om, "CAST, Chongqing 400039, China") == set()
    a = om.analyse("CAST, China")
    assert a.ambiguous and not a.hits


def test_unit_name_tied_to_another_body(om: OrgMatcher) -> None:
    # "X Research Institute of Y": a name some other body uses, here a unit of Y
    a = om.analyse("Qingdao Research Institute of Beihang University, Qingdao 266104, China")
    assert "sastind" not in {h.list_key for h in a.hits} and "seven_sons" in {h.list_key for h in a.hits}
    # "Institute of …, Y University": Y's unit, not the listed institute with that alias
    assert lists_of(om, "Institute of Radiation Medicine, Fudan University, Shanghai 200032, China") == {"1286", "aspi"}
    # "X Affiliated to Y": X is Y's, not the look-alike's (Zhongshan Hospital is also Fudan's hospital)
    assert lists_of(om, "Zhongshan Hospital Affiliated to Xiamen University, Xiamen 361004, China") == {"aspi", "sastind"}
    assert "1286" in lists_of(om, "Zhongshan Hospital, Fudan University, Shanghai 200032, China")
    # with its real parent named, the listed institute still flags
    assert "entity_list" in lists_of(om, "Beijing Institute of Radiation Medicine, Academy of Military Medical Sciences, Beijing 100850, China")


def test_list_entry_printed_as_parent_and_unit_is_the_ror_unit(om: OrgMatcher) -> None:
    # 1286 prints "Chinese Academy of Sciences – Institute of Physics"; ROR has "Institute of Physics" under CAS
    for s in ("Institute of Physics, Chinese Academy of Sciences, Beijing 100190, China",
              "中国科学院物理研究所，北京 100190",
              "Shenyang Institute of Automation, Chinese Academy of Sciences, Shenyang 110016, China"):
        assert {"1286", "entity_list"} <= lists_of(om, s), s
    # another CAS institute is not that entry
    assert lists_of(om, "Institute of Botany, Chinese Academy of Sciences, Beijing 100093, China") == set()


def test_pla_prefix_optional_in_chinese(om: OrgMatcher) -> None:
    assert "1286" in lists_of(om, "国防科技大学，长沙 410073")
    assert "1286" in lists_of(om, "國防科技大學")
    assert "1286" in lists_of(om, "解放军信息工程大学，郑州 450001")  # the short prefix
    # a school name left after the prefix is any university's school: not the PLA body
    assert lists_of(om, "外国语学院，南京大学") <= {"aspi", "sastind"}
    assert not [h for h in om.analyse("外国语学院").hits]


def test_leading_legal_form_not_stripped_into_a_common_word(om: OrgMatcher) -> None:
    # "IS?Vision" is not "IS" + "Vision": a lab "for … Vision and Brain Health" is not that company
    assert lists_of(om, "Zhejiang Lab for Regenerative Medicine, Vision and Brain Health, Wenzhou, China") == set()
    assert "entity_list" in lists_of(om, "Isvision Technologies Co., Ltd, Shanghai, China")


def test_listed_body_campus_abroad(om: OrgMatcher) -> None:
    # a body abroad named as a listed PRC body plus its country is that body's site, flagged there
    a = om.analyse("Xiamen University Malaysia, Sepang 43900, Selangor, Malaysia", country_code="MY")
    assert "aspi" in {h.list_key for h in a.hits}
    assert any("Xiamen University Malaysia" in " → ".join(h.chain) for h in a.hits)
    # a same-name body abroad exists for Northeastern University: its London campus is not Shenyang's
    assert lists_of(om, "Northeastern University London, London, UK", "GB") == set()


def test_web_of_science_forms_of_group_and_unit(om: OrgMatcher) -> None:
    hits = om.analyse("China Elect Technol Grp Corp, Res Inst 38, Hefei 230088, Peoples R China").hits
    assert "entity_list" in {h.list_key for h in hits}
    assert "china-electronics" not in {h.entity_key for h in hits}  # not China Electronics Corporation
    assert "meu" in lists_of(om, "Beijing Inst Aeronaut Mat, Beijing 100095, Peoples R China")
    assert "china-electronics-technology-group" not in {h.entity_key for h in om.analyse("China Elect Corp, Beijing 100846, Peoples R China").hits}


def test_each_name_of_a_printed_aka(om: OrgMatcher) -> None:
    # the Entity List prints "Yichang Testing Technology Research Institute a.k.a. Yichang Institute of Testing Technology"
    assert "entity_list" in lists_of(om, "Yichang Institute of Testing Technology, Yichang 443003, Hubei, China")
    assert "entity_list" in lists_of(om, "Tianjin Navigation Instrument Research Institute, Tianjin 300131, China")
    # a name that is another record's own name is not taken from an a.k.a. ("AVIC Institute 625" entry text)
    hits = om.analyse("Beijing Aeronautical Manufacturing Technology Research Institute, Beijing 100024, China").hits
    assert any("625" in " ".join(h.chain) or h.list_key == "1286" for h in hits)
    assert lists_of(om, "Yichang Institute of Testing Technology, Yichang, Hubei, China", None) and \
        lists_of(om, "Institute of Testing Technology, Yichang University, Yichang, China") == set()


def test_generic_unit_alias_never_flags_by_itself(om: OrgMatcher) -> None:
    # a list prints these as aliases; made of words many bodies use, they need a PRC place or the parent
    for s in ("Space Application Centre", "Institute of Aeronautics and Astronautics"):
        a = om.analyse(s)
        assert not a.hits and any("generic" in n for n in a.notes), s
    assert "1286" in lists_of(om, "Space Application Centre, Beijing 100094, China")
    # a brand with a place abroad is not a generic unit name
    assert "1260h" in lists_of(om, "Huawei Canada, Markham, ON L3R 5A4, Canada", "CA")


def test_contact_details_and_a_sentence_after_the_country_are_not_names(om: OrgMatcher) -> None:
    # Elsevier raw strings end "…, China. Electronic address: x@y": never "China Electronics"
    s = "Research Center of Fluid Machinery, Jiangsu University, Zhenjiang, 212013, China. Electronic address: eddy@hotmail.com."
    assert not lists_of(om, s)
    assert "1260h" in lists_of(om, "China Electronics Corporation, Beijing, China")


def test_a_capitals_acronym_may_precede_the_name(om: OrgMatcher) -> None:
    # Wiley strings drop commas: "KLMME Ocean University of China Qingdao China"
    assert "1286" in lists_of(om, "Institute of Evolution and Marine Biodiversity, KLMME Ocean University of China Qingdao China")
    assert "1286" in lists_of(om, "Institute of Science and Technology for Brain‐Inspired Intelligence – ISTBI Fudan University  Shanghai China")
    # lower-case words before a name are still not its unit
    assert not lists_of(om, "Kemp Ocean University of China Studies Trust")


def test_a_brand_made_of_trade_words_does_not_decide(om: OrgMatcher) -> None:
    # "Fujian Jinhua Integrated Circuit Co." is not every "Integrated Circuit" department
    assert "entity_list" not in lists_of(om, "Department of Microelectronics and Integrated Circuit, Xiamen University, Xiamen, China")
    assert "entity_list" not in lists_of(om, "College of Opto-Electronic Technology, University of Chinese Academy of Sciences, Beijing 100049, China")
    assert "entity_list" in lists_of(om, "Fujian Jinhua Integrated Circuit Co., Ltd., Jinjiang, Fujian, China")


def test_a_parent_outside_the_ror_subset_still_makes_a_joint_body(om: OrgMatcher) -> None:
    # ROR: Duke Kunshan University has two parents, Duke (US) and Wuhan University
    assert not lists_of(om, "Division of Natural and Applied Sciences, Duke Kunshan University, Kunshan 215316, China")
    assert "aspi" in lists_of(om, "School of Physics, Wuhan University, Wuhan 430072, China")


def test_a_one_word_brand_that_is_an_english_word_does_not_decide(om: OrgMatcher) -> None:
    # "MOST Technology" is listed; "MOST" also abbreviates the Ministry of Science and Technology
    assert "entity_list" not in lists_of(om, "MOST Key Laboratory of Ecological Security, Beijing, China")
    assert "entity_list" not in lists_of(om, "Planet Science Institute, Sigma Lab, Shenzhen, China")
    # a coined brand still decides alone
    assert "entity_list" in lists_of(om, "Huawei, Shenzhen, China")


def test_former_pla_name_in_the_of_pla_order(om: OrgMatcher) -> None:
    # ASPI prints "PLA Equipment Academy" as a former name of Space Engineering University
    assert {"1286", "aspi"} <= lists_of(om, "Equipment Academy of PLA, Beijing 101416, China")


def test_hong_kong_body_in_a_mainland_city_is_not_abroad(om: OrgMatcher) -> None:
    # mainland China, Hong Kong and Macao are one scope: a listed Hong Kong company printed with a
    # Shenzhen address is flagged, with no "site abroad" note; Hong Kong in Boston is still abroad
    hits = om.analyse("Hong Kong Cheung Wah Electronics Technology Company Limited, Shenzhen, Guangdong, China").hits
    assert hits and all("abroad" not in h.note for h in hits)
    a = om.analyse("Chinese University of Hong Kong, Shenzhen, Guangdong, China")
    assert not any("places it in" in n for n in a.notes)
    assert not lists_of(om, "Northeastern University, Boston, MA 02115, USA")


def test_unit_printed_with_another_host_is_that_hosts(om: OrgMatcher) -> None:
    # "State Key Laboratory of Ophthalmology" is Sun Yat-sen University's; printed with Wenzhou
    # Medical University (and not Sun Yat-sen) it is Wenzhou's laboratory, not a Sun Yat-sen flag
    s = "State Key Laboratory of Ophthalmology, Optometry and Visual Science, Eye Hospital, Wenzhou Medical University, Wenzhou, Zhejiang, 325027, China"
    a = om.analyse(s)
    assert not {h.entity_key for h in a.hits} & {"sun-yat-sen-university"}
    assert any("reads as a unit of Wenzhou Medical University" in n for n in a.notes)
    # with its own university named, or no other host, it still flags
    assert "1286" in lists_of(om, "State Key Laboratory of Ophthalmology, Zhongshan Ophthalmic Center, Sun Yat-sen University, Guangzhou 510060, China")
    assert "1286" in lists_of(om, "State Key Laboratory of Ophthalmology, Guangzhou, China")
    # an acronym later in the string is no host ("WA" is also a Chinese academy's acronym)
    assert "1260h" in lists_of(om, "Alibaba DAMO Academy, Bellevue, WA, USA")


def test_institution_is_a_unit_word(om: OrgMatcher) -> None:
    # "Sanya Oceanographic Institution Ocean University of China": a unit, then its university
    assert "1286" in lists_of(om, "Sanya Oceanographic Institution Ocean University of China, Sanya, China")
    assert "1286" not in lists_of(om, "Woods Hole Oceanographic Institution, Woods Hole, MA 02543, USA")



def test_chinese_address_part_gives_the_place(om: OrgMatcher) -> None:
    # 仁济医院 is Shanghai Jiao Tong University's hospital and Hong Kong's Yan Chai Hospital: a
    # Chinese address part ("上海 200127", "香港") decides; a place inside a name is no place
    assert "1286" in lists_of(om, "仁济医院，上海 200127")
    assert not lists_of(om, "仁济医院，香港")
    assert om.analyse("仁济医院").ambiguous
    assert not om.analyse("北京外国语大学日本学研究中心").places
