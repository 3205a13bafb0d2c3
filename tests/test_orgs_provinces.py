"""A province decides (issue 8): a string that names a PRC province picks the bearer of a shared
name whose city lies in that province (biblio/orgs/build.py ``province_rows``, data
``provinces.csv`` from rigour's province names and GeoNames' cities; biblio/orgs/match.py
``_decide``). The graph in the first test is SYNTHETIC (made-up keys); the rest reads the shipped graph."""

from __future__ import annotations

import csv

import pytest

from biblio.orgs.graph import DATA, graph_from_rows
from biblio.orgs.match import OrgMatcher


def _synthetic() -> OrgMatcher:
    org = lambda k, city: {"org_key": k, "canonical_name": k, "kind": "hospital", "country_code": "CN", "city": city, "ror_ids": "", "sources": "SYNTHETIC"}  # noqa: E731
    name = lambda k: {"org_key": k, "name": "Qux Hospital", "key": "qux hosp", "name_kind": "canonical", "scope": "", "source": "SYNTHETIC"}  # noqa: E731
    rows = {"orgs": [org("qa", "Alphaville"), org("qb", "Betatown"), org("ua", ""), org("ub", "")],
            "names": [name("qa"), name("qb")],
            "edges": [{"child_key": "qa", "parent_key": "ua", "relation": "unit_of", "source": "S"},
                      {"child_key": "qb", "parent_key": "ub", "relation": "unit_of", "source": "S"}],
            "links": [{"org_key": u, "list_key": "aspi", "entity_key": u, "scope": "all", "source": "S"} for u in ("ua", "ub")],
            "places": [{"key": "china", "country_code": "CN", "kind": "territory", "source": "S", "same_as": ""}],
            "shared": [{"key": "qux hosp", "org_key": o, "name_kind": "canonical", "rollup": "", "source": "S"} for o in ("qa", "qb")],
            "provinces": [{"key": "alphaville", "province": "CN-P1", "kind": "city", "source": "S"},
                          {"key": "betatown", "province": "CN-P2", "kind": "city", "source": "S"},
                          {"key": "provone", "province": "CN-P1", "kind": "province", "source": "S"}]}
    return OrgMatcher(graph_from_rows(rows))


def test_province_picks_the_bearer_in_it_synthetic() -> None:
    om = _synthetic()
    assert {h.entity_key for h in om.analyse("Qux Hospital, Provone, China").hits} == {"ua"}
    a = om.analyse("Qux Hospital, China")
    assert a.ambiguous and not a.hits
    assert om.analyse("Qux Hospital, Provtwo, China").ambiguous  # a province the data does not know decides nothing


def test_province_data_has_sources() -> None:
    with (DATA / "provinces.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {r["key"]: r["province"] for r in rows}
    assert got["xiamen"] == got["fujian"] == got["福建"] == "CN-FJ"
    assert got["guangzhou"] == got["guangdong"] == "CN-GD" and got["changsha"] == "CN-HN" and got["urumqi"] == "CN-XJ"
    assert "taizhou" not in got  # Jiangsu's and Zhejiang's: left out
    assert all(r["source"] for r in rows)


@pytest.mark.parametrize("text, entity", [
    ("Zhongshan Hospital, Fujian, China", ("aspi", "xiamen-university")),
    ("中山医院，福建省", ("aspi", "xiamen-university")),
    ("Zhongshan Hospital, Guangdong Province, China", ("aspi", "sun-yat-sen-university")),
    ("Tongji Hospital, Hubei, China", ("aspi", "huazhong-university-of-science-and-technology")),
    ("HUST, Heilongjiang, China", ("aspi", "harbin-university-of-science-and-technology")),
])
def test_province_decides_a_shared_name(om: OrgMatcher, text: str, entity: tuple[str, str]) -> None:
    a = om.analyse(text)
    assert {(h.list_key, h.entity_key) for h in a.hits} >= {entity} and not a.ambiguous
    assert len({h.entity_key for h in a.hits if h.list_key == "aspi"}) == 1


def test_a_province_no_bearer_is_in_stays_ambiguous(om: OrgMatcher) -> None:
    a = om.analyse("Zhongshan Hospital, Zhejiang, China")
    assert a.ambiguous and not a.hits
