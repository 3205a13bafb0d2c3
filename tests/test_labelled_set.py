"""Integrity checks for the resolver evaluation set benchmarks/data/resolver_labelled.csv."""
from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "resolver_labelled.csv"
COLUMNS = ["id", "text", "openalex_id", "ror", "country_code", "expected_lists", "expected_entity",
           "as_of", "kind", "note", "label_source", "entity_names", "split"]
LIST_KEYS = {"entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind"}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).replace("’", "'").casefold()
    return " ".join(re.sub(r"[^\w\u4e00-\u9fff]+", " ", s).split())


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with open(PATH, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_size_and_ids(rows):
    assert len(rows) >= 150
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(r["text"].strip() for r in rows)


def test_labels_valid(rows):
    for r in rows:
        keys = [k for k in r["expected_lists"].split(";") if k]
        assert set(keys) <= LIST_KEYS, r["id"]
        assert keys == sorted(keys), r["id"]
        assert r["kind"] in {"positive", "negative", "trap"}, r["id"]
        assert r["split"] in {"dev", "heldout"}, r["id"]
        date.fromisoformat(r["as_of"])
        assert r["label_source"].strip(), r["id"]
        if r["kind"] == "positive":
            assert keys and r["expected_entity"], r["id"]
        if r["kind"] == "negative":
            assert not keys and not r["expected_entity"], r["id"]
        if keys:
            assert r["entity_names"], r["id"]
        if {"seven_sons", "sastind"} & set(keys):
            assert "aspi" in keys, r["id"]  # both are derived from the ASPI tracker
        if r["openalex_id"]:
            assert re.fullmatch(r"I\d+", r["openalex_id"]), r["id"]
        if r["ror"]:
            assert re.fullmatch(r"0[a-z0-9]{8}", r["ror"]), r["id"]
        assert re.fullmatch(r"[A-Z]{2}", r["country_code"]), r["id"]


def test_mix(rows):
    kinds = [r["kind"] for r in rows]
    assert kinds.count("positive") >= 100
    assert kinds.count("negative") + sum(1 for r in rows if r["kind"] == "trap" and not r["expected_lists"]) >= 50
    for key in LIST_KEYS:
        assert any(key in r["expected_lists"].split(";") for r in rows), key


def test_positive_entities_in_bundled_lists(rows):
    """For each expected list key, one of the row's entity names is a name/alias on that bundled list."""
    lists = pytest.importorskip("biblio.lists")
    if not hasattr(lists, "load_lists"):
        pytest.skip("biblio.lists.load_lists not available yet")
    try:
        ents = lists.load_lists().entities
    except Exception as exc:  # list data not bundled yet
        pytest.skip(f"load_lists() failed: {exc}")
    name_cols = [c for c in ("name", "name_zh", "strong_aliases", "weak_aliases") if c in ents.columns]
    by_key: dict[str, set[str]] = {}
    for r in ents.iter_rows(named=True):
        names = by_key.setdefault(r["list_key"], set())
        for c in name_cols:
            vals = r[c] if isinstance(r[c], list) else [r[c]]
            for v in vals or []:
                if isinstance(v, str) and v:
                    names.add(_norm(v))
                    names.add(_norm(re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)\s*$", "", v)))
    missing = []
    for r in rows:
        names = {_norm(n) for n in r["entity_names"].split(" | ") if n}
        for key in [k for k in r["expected_lists"].split(";") if k]:
            if not names & by_key.get(key, set()):
                missing.append(f"{r['id']}:{key}")
    assert not missing, f"labelled entities not found on the bundled list: {missing}"


def test_benchmark_scoring_logic(rows):
    """The benchmark's scorer gives perfect figures for a perfect resolver and counts pair errors."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("resolver_quality", PATH.parent.parent / "resolver_quality.py")
    rq = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rq)
    joined = [dict(r, exp=rq.split_lists(r["expected_lists"]), got=rq.split_lists(r["expected_lists"]),
                   got_matched_entity=r["expected_entity"]) for r in rows]
    s = rq.score(joined)
    assert s["pairs"]["precision"] == s["pairs"]["recall"] == 1.0
    assert s["row_exact_set_accuracy"] == 1.0 and s["entity_accuracy"] == 1.0
    joined[0]["got"] = joined[0]["got"] | {"meu"} if "meu" not in joined[0]["exp"] else set()
    s = rq.score(joined)
    assert s["pairs_counts"].get("fp", 0) + s["pairs_counts"].get("fn", 0) >= 1
    assert rq.name_keys("Foo (FOO) Institute; Bar") >= {rq.norm("Foo Institute"), rq.norm("Bar")}
