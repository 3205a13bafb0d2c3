"""Place detection in raw affiliation strings (biblio.place), on real and crafted strings."""

from __future__ import annotations

import pytest

from biblio.place import detect_regions, find_places, in_prc_scope, prc_evidence, split_author_affiliations


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("College of Aerospace Science and Engineering, National University of Defense Technology, Changsha 410073, China", {"CN"}),
        ("Institute of Physics, Chinese Academy of Sciences, 100190", {"CN"}),
        ("Dept of Physics, Peoples R China", {"CN"}),
        ("Univ Sci & Technol, Hefei 230026, Anhui, P.R. China", {"CN"}),
        ("中国科学院物理研究所", {"CN"}),
        ("City University of Hong Kong,Department of Systems Engineering,Hong Kong SAR,China", {"HK"}),
        ("Department of Chemistry, University of Hong Kong, Pokfulam Road, Hong Kong, China", {"HK"}),
        ("University of Macau, Taipa, Macao, China", {"MO"}),
        ("National Tsing Hua University, Hsinchu 30013, Taiwan", {"TW"}),
        ("China Medical University, Taichung, Taiwan", {"TW"}),
        ("Academia Sinica, Taipei, Taiwan, Republic of China (Taiwan)", {"TW"}),
        ("Shenzhen Research Institute, The Chinese University of Hong Kong, Shenzhen, China", {"CN", "HK"}),
        ("The Hong Kong University of Science and Technology (Guangzhou), Guangzhou, China", {"CN", "HK"}),
        ("Naval Air Warfare Center Weapons Division, China Lake, CA 93555, USA", set()),
        ("Department of Physics, Stanford University, Stanford, CA 94305, USA", set()),
        ("The Chinese University of Hong Kong", {"HK"}),
        ("", set()),
    ],
)
def test_detect_regions(text: str, regions: set[str]) -> None:
    assert detect_regions(text) == frozenset(regions)


def test_scope_excludes_hk_mo_under_cn_only() -> None:
    hk = "Hong Kong Polytechnic University, Kowloon, Hong Kong, China"
    assert not in_prc_scope(hk, ("CN",))
    assert in_prc_scope(hk, ("CN", "HK", "MO"))
    assert not in_prc_scope("Taipei, Taiwan, ROC", ("CN", "HK", "MO"))


def test_acronyms_match_only_in_capitals() -> None:
    assert detect_regions("Beijing, PRC") == {"CN"}
    assert detect_regions("the prc of a curve") == frozenset()


def test_evidence_names_the_place() -> None:
    ev = prc_evidence("Tsinghua University, Beijing 100084, China", ("CN",))
    assert ev is not None and ev.startswith("CN:") and "Beijing" in ev
    assert prc_evidence("MIT, Cambridge, MA, USA", ("CN",)) is None
    assert [h.region for h in find_places("Wuhan, Hubei")] == ["CN", "CN"]


def test_split_author_affiliations_keeps_nested_parentheses() -> None:
    text = "Li, X. (Hong Kong University of Science and Technology (Guangzhou), Guangzhou, China; HKUST, Hong Kong); Smith, J. (MIT, USA)"
    got = split_author_affiliations(text)
    assert got[0][0] == "Li, X."
    assert got[0][1] == ["Hong Kong University of Science and Technology (Guangzhou), Guangzhou, China", "HKUST, Hong Kong"]
    assert got[1] == ("Smith, J.", ["MIT, USA"])
    assert split_author_affiliations("") == []


def test_postcode_is_quoted_but_never_decides() -> None:
    assert detect_regions("Indian Institute of Science, Bangalore 560012") == frozenset()
    assert detect_regions("Institute of Physics, 100190") == frozenset()
    ev = prc_evidence("Tsinghua University, Beijing 100084, China", ("CN",))
    assert ev is not None and "postcode 100084" in ev
