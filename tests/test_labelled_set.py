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


# ---------------------------------------------------------------------------------------------
# v2 set (issue 8): benchmarks/data/resolver_labelled_v2.csv, built by scripts/build_labelled_v2.py
# ---------------------------------------------------------------------------------------------
V2 = PATH.parent / "resolver_labelled_v2.csv"
V2_COLUMNS = ["id", "text", "inst_name", "openalex_id", "ror", "lineage", "country_code", "expected_lists",
              "expected_entity", "entities", "as_of", "class", "kind", "split", "split_group", "note",
              "label_source", "entity_names"]
V2_CLASSES = {"1_subsidiary", "2_unit", "3_other_name", "4_place", "5_list_semantics", "6_joint_or_wrong_id"}


@pytest.fixture(scope="module")
def v2() -> list[dict]:
    with open(V2, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == V2_COLUMNS
        return list(reader)


def test_v2_size_classes_and_columns(v2):
    assert len(v2) >= 400
    assert len({r["id"] for r in v2}) == len(v2)
    assert {r["class"] for r in v2} <= V2_CLASSES
    for c in V2_CLASSES:
        assert sum(r["class"] == c for r in v2) >= 30, c
    for r in v2:
        assert r["text"].strip() and r["split"] in {"dev", "heldout"}, r["id"]
        assert re.fullmatch(r"[A-Z]{2}", r["country_code"]), r["id"]
        keys = [k for k in r["expected_lists"].split(";") if k]
        assert set(keys) <= LIST_KEYS and keys == sorted(keys), r["id"]
        assert r["kind"] == ("positive" if keys else "negative"), r["id"]
        assert bool(r["expected_entity"]) == bool(keys), r["id"]
        if r["openalex_id"]:
            assert re.fullmatch(r"I\d+", r["openalex_id"]), r["id"]
        if r["lineage"]:
            assert all(re.fullmatch(r"I\d+", x) for x in r["lineage"].split(";")), r["id"]
        if r["ror"]:
            assert re.fullmatch(r"0[a-z0-9]{8}", r["ror"]), r["id"]


def test_v2_splits_disjoint_by_entity_and_balanced(v2):
    split_of: dict[str, str] = {}
    for r in v2:
        assert split_of.setdefault(r["split_group"], r["split"]) == r["split"], r["split_group"]
    dev = sum(r["split"] == "dev" for r in v2)
    assert 0.35 <= dev / len(v2) <= 0.65
    dev_texts = {_norm(r["text"]) for r in v2 if r["split"] == "dev"}
    assert not dev_texts & {_norm(r["text"]) for r in v2 if r["split"] == "heldout"}


def _listed_refs(day: str) -> tuple[set, dict]:
    from biblio.lists import load_lists

    ls = load_lists()
    act = ls.listed_as_of(date.fromisoformat(day))
    cat = {(r["list_key"], r["entity_key"]): r["category"] for r in ls.entities.iter_rows(named=True)}
    return set(zip(act["list_key"], act["entity_key"])), cat


def test_v2_labels_consistent_with_list_data(v2):
    """Each expected key is backed by a list row active at as_of; each cited row is active and counts."""
    cache: dict[str, tuple[set, dict]] = {}
    bad = []
    for r in v2:
        active, cat = cache.setdefault(r["as_of"], _listed_refs(r["as_of"]))
        refs = [x for x in r["label_source"].split(" || ")[0].split(";") if x]
        got = set()
        for ref in refs:
            lk, ek = ref.split(":", 1)
            if (lk, ek) not in active or (lk == "sastind" and cat.get((lk, ek)) != "Civilian"):
                bad.append(f"{r['id']}:{ref}")
            got.add(lk)
        if got != {k for k in r["expected_lists"].split(";") if k}:
            bad.append(f"{r['id']}:{sorted(got)}!={r['expected_lists']}")
    assert not bad, f"labels inconsistent with the bundled list data (rerun scripts/build_labelled_v2.py): {bad[:20]}"


def test_v2_list_semantics(v2):
    """sastind only on civilian universities' rows; seven_sons only on the seven and their units."""
    seven = {"beihang", "bit", "hit", "heu", "nwpu", "nuaa", "njust"}
    for r in v2:
        keys = set(r["expected_lists"].split(";"))
        if "seven_sons" in keys:
            assert any(e.split("_")[0] in seven for e in r["entities"].split("+")), r["id"]
    caep = [r for r in v2 if r["entities"] in {"caep", "bcsrc", "hpstar", "cetc14"}]
    assert caep and not any("sastind" in r["expected_lists"] for r in caep)


def test_v2_build_is_reproducible():
    """The CSV on disk is exactly what the builder makes from the case files and the list data."""
    import subprocess
    import sys

    root = PATH.parent.parent.parent
    res = subprocess.run([sys.executable, str(root / "scripts" / "build_labelled_v2.py"), "--check"],
                         capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# false-positive set: benchmarks/data/resolver_fp.csv, built by scripts/build_fp_set.py
# ---------------------------------------------------------------------------------------------
FP = PATH.parent / "resolver_fp.csv"


@pytest.fixture(scope="module")
def fp_rows() -> list[dict]:
    with open(FP, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _list_names() -> dict[str, set[str]]:
    """normalised list name/alias -> countries of the rows that print it."""
    from biblio.lists import load_lists

    out: dict[str, set[str]] = {}
    for r in load_lists().entities.iter_rows(named=True):
        for n in [r["name"], r["name_zh"], *(r["strong_aliases"] or [])]:
            if n:
                out.setdefault(_norm(n), set()).add(r["country"] or "China")
    return out


def test_fp_set_size_and_unlisted(fp_rows):
    """≥2,000 strings; a name on a list is only a foreign look-alike of a Chinese-listed name."""
    assert len(fp_rows) >= 2000
    assert len({r["id"] for r in fp_rows}) == len(fp_rows)
    names = _list_names()
    for r in fp_rows:
        assert r["split"] in {"dev", "heldout"} and re.fullmatch(r"[A-Z]{2}", r["country_code"]), r["id"]
        hit = names.get(_norm(r["org_name"]))
        if hit:
            assert r["country_code"] not in {"CN", "HK", "MO"}, r["id"]
            assert all(c.startswith("China") for c in hit) and "look-alike" in r["note"], r["id"]
    sources = {r["source"] for r in fp_rows}
    assert {"ror_lookalike", "ror_cn_hk_mo_tw", "hipo_world"} <= sources
    assert sum(r["country_code"] in {"CN", "HK", "MO", "TW"} for r in fp_rows) >= 1000


def test_fp_set_has_every_ror_lookalike(fp_rows):
    """Every ROR look-alike abroad is in the set (the one NZ duplicate string is kept once)."""
    import json

    rors = {r["ror"] for r in fp_rows}
    texts = {(r["text"], r["country_code"]) for r in fp_rows}
    src = PATH.parent / "src" / "fp_sources" / "ror_lookalikes_non_cn.jsonl"
    for line in src.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert rec["id"].rsplit("/", 1)[-1] in rors or (rec["name"], rec["country_code"]) in texts, rec["name"]


def test_fp_build_is_reproducible():
    import subprocess
    import sys

    root = PATH.parent.parent.parent
    res = subprocess.run([sys.executable, str(root / "scripts" / "build_fp_set.py"), "--check"],
                         capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# real raw strings: benchmarks/data/resolver_house_labelled.csv, built by scripts/build_house_set.py
# ---------------------------------------------------------------------------------------------
HOUSE = PATH.parent / "resolver_house_labelled.csv"


def test_house_set_labels_and_source():
    """Real House-paper strings: source column, labels backed by active list rows, both splits."""
    with open(HOUSE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 300 and {r["source"] for r in rows} == {"house_openalex"}
    assert {r["split"] for r in rows} == {"dev", "heldout"}
    assert sum(bool(r["expected_lists"]) for r in rows) >= 100
    active, cat = _listed_refs(rows[0]["as_of"])
    for r in rows:
        got = set()
        for ref in filter(None, r["label_source"].split(";")):
            lk, ek = ref.split(":", 1)
            assert (lk, ek) in active and not (lk == "sastind" and cat[(lk, ek)] != "Civilian"), r["id"]
            got.add(lk)
        assert got == {k for k in r["expected_lists"].split(";") if k}, r["id"]
        assert re.fullmatch(r"W\d+", r["work_id"]), r["id"]


def test_house_build_is_reproducible():
    import subprocess
    import sys

    root = PATH.parent.parent.parent
    res = subprocess.run([sys.executable, str(root / "scripts" / "build_house_set.py"), "--check"],
                         capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stdout + res.stderr


def test_benchmark_v2_scoring_logic(v2):
    """resolver_quality_v2 scores a perfect fake screen as perfect and counts FP flags per 1,000."""
    import importlib.util

    import polars as pl

    spec = importlib.util.spec_from_file_location("rq2", PATH.parent.parent / "resolver_quality_v2.py")
    rq2 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rq2)
    truth = {(r["text"], r["as_of"]): r["expected_lists"] for r in v2}

    def fake_screen(df, *, as_of, fuzzy):
        return df.with_columns(pl.Series("lists", [truth[(n, as_of.isoformat())] for n in df["name"]]),
                               pl.lit("x").alias("matched_entity"))

    df = pl.DataFrame(v2[:60])
    rows = rq2.joined(rq2.screen_rows(fake_screen, df, fuzzy=False))
    s = rq2.rq.score(rows)
    assert s["pairs"]["precision"] == s["pairs"]["recall"] == 1.0
    fp = pl.DataFrame({"text": ["a", "b"], "source": ["s", "s"], "got_lists": ["", "aspi"],
                       "got_matched_entity": ["", "X"]})
    assert rq2.report_fp(fp, top=1)["per_1000"] == 500.0
