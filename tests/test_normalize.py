"""One normaliser for list names and affiliation strings."""

from __future__ import annotations

import pytest

from biblio.normalize import normalize, segments


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Beihang Univ.", "Beihang University"),
        ("Natl. Univ. Def. Technol.", "National University of Defence Technology".replace(" of ", " ").replace("Defence", "Defense")),
        ("ＮＵＤＴ", "NUDT"),
        ("Sun Yat-Sen University", "Sun Yat-sen University"),
        ("AVIC Xi’an Aircraft Industry Group Company Ltd.", "AVIC Xi'an Aircraft Industry Group"),
        ("China Academy of Launch Vehicle Technology Co., Ltd.", "CHINA ACADEMY OF LAUNCH VEHICLE TECHNOLOGY"),
        ("Harbin Inst. Technol., Harbin 150001, P.R. China", "Harbin Institute of Technology Harbin"),
        ("北京航空航天大学 宇航学院", "北京航空航天大学宇航学院"),
    ],
)
def test_same_key(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_names_ending_of_china_keep_china() -> None:
    assert normalize("University of Science and Technology of China") == "university science and technology china"
    assert normalize("Beijing Univ Aeronaut & Astronaut, Peoples R China") == normalize("Beijing University of Aeronautics and Astronautics")
    assert normalize("Peking University, Beijing, China") == "peking university beijing"


def test_distinct_institutions_stay_distinct() -> None:
    assert normalize("South China University of Technology") != normalize("China University of Technology")
    assert normalize("Northwestern Polytechnical University") != normalize("Northwestern University")


def test_segments_drop_bare_places_and_split_brackets() -> None:
    assert segments("National University of Defense Technology (NUDT), Changsha 410073, China") == [
        "national university defense technology", "nudt", "changsha",
    ]
    assert segments("") == [] and normalize(None) == ""
