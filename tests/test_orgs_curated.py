"""The curated organisation graph data (biblio/orgs/curated): schema, sources, references, names."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from biblio.normalize import normalize

REPO = Path(__file__).resolve().parent.parent
CUR = REPO / "biblio" / "orgs" / "curated"
SPEC = importlib.util.spec_from_file_location("build_curated_orgs", REPO / "scripts" / "build_curated_orgs.py")
B = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(B)  # type: ignore[union-attr]


def rows(name: str) -> list[dict[str, str]]:
    with (CUR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


DATA = {k: rows(k) for k in B.COLS}
ORGS = {r["org_key"]: r for r in DATA["organisations"]}


def test_files_have_the_agreed_columns_and_provenance() -> None:
    for k, cols in B.COLS.items():
        with (CUR / f"{k}.csv").open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == cols, k
    assert (CUR / "PROVENANCE.md").read_text(encoding="utf-8").count("source") >= 3


def test_every_row_cites_a_source_and_ids_are_real() -> None:
    for k, rs in DATA.items():
        assert all(r["source"] for r in rs), k
    known = set()
    for p in (REPO / "biblio" / "orgs" / "raw").glob("ror_*.jsonl") if (REPO / "biblio" / "orgs" / "raw").exists() else []:
        known |= {json.loads(line)["id"].rsplit("/", 1)[-1] for line in p.open(encoding="utf-8")}
    for r in DATA["organisations"]:
        for x in filter(None, r["ror_ids"].split(";")):
            assert re.fullmatch(r"0[a-z0-9]{8}", x), (r["org_key"], x)
            assert not known or x in known, f"{r['org_key']}: ROR id {x} is not in the bundled ROR subset"


def test_validation_passes_and_references_resolve() -> None:
    B.validate(DATA)
    for r in DATA["edges"]:
        assert r["child_key"] in ORGS and r["parent_key"] in ORGS and r["child_key"] != r["parent_key"]


def test_validation_rejects_a_dangling_reference() -> None:
    bad = {k: [dict(r) for r in v] for k, v in DATA.items()}
    bad["list_links"].append({"org_key": DATA["organisations"][0]["org_key"], "list_key": "1260h", "entity_key": "no-such-entity", "scope": "all", "source": "x"})
    with pytest.raises(B.CuratedError, match="list_links"):
        B.validate(bad)
    bad["list_links"].pop()
    bad["edges"].append({"child_key": "no-such-org", "parent_key": DATA["organisations"][0]["org_key"], "relation": "unit_of", "source": "x", "note": ""})
    with pytest.raises(B.CuratedError, match="edges"):
        B.validate(bad)


def test_no_strong_name_points_at_two_organisations() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for r in DATA["names"]:
        if r["name_kind"] in B.STRONG_KINDS:
            owners[normalize(r["name"])].add(r["org_key"])
    clash = {n: ks for n, ks in owners.items() if len(ks) > 1}
    assert not clash, list(clash.items())[:5]


def test_generic_names_are_weak() -> None:
    assert B.is_generic("Institute of Electronics") and B.is_generic("School of Medicine")
    assert not B.is_generic("Nanjing Research Institute of Electronics Technology")
    strong = {normalize(r["name"]) for r in DATA["names"] if r["name_kind"] in B.STRONG_KINDS - {"canonical"}}
    assert normalize("Institute of Physics") not in strong


def test_units_of_listed_universities_come_from_ror() -> None:
    edges = {(r["child_key"], r["parent_key"]) for r in DATA["edges"]}
    assert ("hit-shenzhen", "harbin-institute-of-technology") in edges
    hosp = [c for c, p in edges if p == "shandong-university" and ORGS[c]["kind"] == "hospital"]
    assert hosp, "Qilu Hospital of Shandong University"
    # a different university whose name starts with a listed one is not a unit of it
    assert not any(ORGS[c]["canonical_name"].startswith("Shandong University of") for c, p in edges if p == "shandong-university")


def test_build_is_reproducible_from_the_repo() -> None:
    raw = REPO / "biblio" / "orgs" / "raw" / "ror_cn_hk_mo_tw.jsonl"
    if not raw.exists():
        pytest.skip("the ROR subset is not bundled in this checkout")
    data = B.build(ror_path=raw)
    for k in B.COLS:
        assert data[k] == DATA[k], k


def test_outside_parents_have_one_owner() -> None:
    # the curated build and the graph build read label-only parents by one rule (biblio.orgs.ror):
    # a parent beyond the subset is kept by its label, a government parent never (it would make
    # its child look joint)
    from biblio.orgs import build as G
    from biblio.orgs.ror import outside_parents

    recs = {"c": {"relationships": [{"type": "parent", "id": "https://ror.org/0duke", "label": "Duke University"},
                                    {"type": "parent", "id": "https://ror.org/0gov", "label": "Government of India"},
                                    {"type": "parent", "id": "https://ror.org/0stub", "label": "A Stub"}]}}  # SYNTHETIC
    assert B.outside_parents(recs, {"0stub": "A Stub"}) == outside_parents(recs.values(), {"c", "0stub"}) == {"0duke": "Duke University"}
    assert G.outside_parents is outside_parents
    orgs = list(csv.DictReader((REPO / "biblio" / "orgs" / "data" / "orgs.csv").open(encoding="utf-8")))
    outside = [r for r in orgs if r["sources"] == "ROR v2.9 (label of a parent outside the subset)"]
    assert outside and not [r for r in outside if re.search(r"government|ministry", r["canonical_name"], re.I)]
