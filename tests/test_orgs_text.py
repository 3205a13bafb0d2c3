"""Text rules of the organisation matcher (biblio/orgs/text.py): keys and numbered units."""

from __future__ import annotations

from biblio.orgs.text import name_key, numbered_in_cjk, numbered_in_tokens


def test_zero_digit_kept_in_chinese_numbers() -> None:
    # 七〇二 is 702, not 72: 〇 is not dropped as punctuation
    assert numbered_in_cjk(name_key("中国船舶集团有限公司第七〇二研究所")) == [(702, "institute")]
    assert name_key("第九〇〇医院") == name_key("第九零零医院")
    assert numbered_in_cjk(name_key("第七二研究所")) == [(72, "institute")]


def test_number_must_touch_the_institute_word() -> None:
    assert numbered_in_tokens("research institute no 14".split()) == [(14, "institute")]
    assert numbered_in_tokens("the 14th institute".split()) == [(14, "institute")]
    assert numbered_in_tokens("academy no 5".split()) == [(5, "academy")]
    # a word between the number and the institute word makes it a name
    assert numbered_in_tokens("avic first aircraft institute".split()) == []
    assert numbered_in_tokens("second artillery engineering institute".split()) == []


def test_web_of_science_word_forms() -> None:
    assert name_key("China Elect Technol Grp Corp", False) == name_key("China Electronics Technology Group Corporation", False)
    assert name_key("Beijing Inst Aeronaut Mat") == name_key("Beijing Institute of Aeronautical Materials")
    assert name_key("Beijing Inst Syst Engn") == name_key("Beijing Institute of Systems Engineering")
    assert name_key("China Elect Corp", False) != name_key("China Electronics Technology Group Corporation", False)


def test_pla_designation_in_either_word_order_shares_a_key() -> None:
    from biblio.orgs.text import name_key

    assert name_key("Equipment Academy of PLA") == name_key("PLA Equipment Academy")
    assert name_key("Equipment Academy of the Chinese People's Liberation Army") == name_key("PLA Equipment Academy")
    assert name_key("Information Engineering University of PLA Strategic Support Force") == name_key(
        "PLA Strategic Support Force Information Engineering University")
    # a PLA word inside the name is left where it is
    assert name_key("PLA Daily Press") == "pla daily press"
