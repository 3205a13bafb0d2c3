"""Build biblio/orgs/curated/{organisations,names,edges,list_links}.csv (deterministic).

    python scripts/build_curated_orgs.py [--ror PATH_TO/ror_cn_hk_mo_tw.jsonl] [--check]

Two inputs, merged:

* **Hand-curated rows** in ``biblio/orgs/curated/<kind>_manual.csv`` and topic files
  ``<kind>_manual_<topic>.csv`` (every row cites its source).
* **ROR-derived rows**, generated here from the ROR subset (CC0; ``biblio/orgs/raw/``, or
  ``../shared/data/ror/`` when the repo copy is absent). Every generated row's source is
  ``ROR:<id>`` (plus the rule that produced it). Rules:

  1. *Anchors*: a list entity (any bundled list) whose name or strong alias equals, after
     normalisation, the name of exactly one CN/HK/MO ROR record (or whose ROR id is in
     ``biblio/lists/data/crosswalk.csv``) is anchored to that record; ``list_links`` rows
     link the record's organisation to every such entity (scope ``all``).
  2. *Units*: ROR children of an anchor (and their children), and ROR children of an
     anchor's non-government parent (e.g. every CAS institute when a CAS institute is
     listed), become organisations with a ``unit_of`` edge (``subsidiary_of`` between
     companies). A record with several parents gets an edge to each, noted ``joint``.
  3. *Hospitals and campuses*: a ROR record that is ``related`` to a listed university, or
     whose own name contains the university's full name ("Qilu Hospital of Shandong
     University", "Harbin Institute of Technology, Weihai"), is a ``unit_of`` it; names
     such as "Shandong University of Science and Technology" (the listed name followed by
     "of"/"for"/"and") are different bodies and are skipped.

  Names: ROR display name → canonical; other labels and aliases → strong_alias, unless
  generic (no word that is not a generic institution word, e.g. "Institute of Physics") →
  weak_alias; acronyms → abbreviation; Chinese labels → zh_hans, plus the traditional form
  from opencc (zh_hant). A unit whose display name is generic gets "<name>, <parent>" as its
  canonical name. A strong name that two organisations claim is demoted to weak_alias for
  the ROR-derived side (hand-curated rows must not collide; the build fails if they do).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from biblio.normalize import has_cjk, normalize  # noqa: E402
from biblio.orgs.ror import outside_parents as ror_outside_parents, ror_id  # noqa: E402

CURATED = REPO / "biblio" / "orgs" / "curated"
LISTS = REPO / "biblio" / "lists" / "data"
LIST_FILES = ("entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind")
ROR_CANDIDATES = (REPO / "biblio" / "orgs" / "raw" / "ror_cn_hk_mo_tw.jsonl", REPO.parent.parent / "shared" / "data" / "ror" / "ror_cn_hk_mo_tw.jsonl")
STUB_CANDIDATES = (
    REPO / "biblio" / "orgs" / "raw" / "ror_missing_referenced_stubs_cn.jsonl",
    REPO.parent.parent / "shared" / "data" / "ror" / "ror_missing_referenced_stubs.jsonl",
)
ROR_DATE = "2026-06-23"  # ror-records commit d93fc667 (release v2.9)

COLS = {
    "organisations": ["org_key", "canonical_name", "kind", "country_code", "city", "ror_ids", "source", "source_date", "note"],
    "names": ["org_key", "name", "name_kind", "valid_from", "valid_to", "source"],
    "edges": ["child_key", "parent_key", "relation", "source", "note"],
    "list_links": ["org_key", "list_key", "entity_key", "scope", "source"],
}
KINDS = {"company", "institute", "university", "unit", "hospital", "campus", "military", "academy", "lab", "other"}
NAME_KINDS = {"canonical", "former", "strong_alias", "abbreviation", "zh_hans", "zh_hant", "weak_alias"}
STRONG_KINDS = {"canonical", "former", "strong_alias", "zh_hans", "zh_hant"}
RELATIONS = {"unit_of", "subsidiary_of"}

GENERIC = set(
    """
    institute institution research center centre laboratory laboratories lab key state national provincial school college
    university academy department faculty division branch office bureau station of and the for in at on a an science
    sciences technology technologies technological engineering electronic electronics physics physical chemistry chemical
    medicine medical hospital people's peoples first second third fourth fifth sixth seventh eighth ninth tenth affiliated
    general central graduate information computer computing applied advanced materials material biology biological
    mathematics mathematical mechanics mechanical automation software systems system studies study health public
    clinical life environmental environment energy power optics optical remote sensing space aerospace aeronautics
    aviation marine ocean oceanology geology geography economics management art arts law language languages foreign
    international joint innovation development design testing measurement microelectronics semiconductor semiconductors
    radio communication communications control cancer oncology children's women's maternal child traditional chinese
    new high low energy nuclear military army navy naval air force rocket police security defense defence basic modern
    institute's school's key-laboratory engineering-research service services support field device devices equipment
    surgery surgical dental stomatology stomatological eye ophthalmology heart cardiovascular chest brain neuroscience
    pharmacy pharmaceutical pharmacology toxicology microbiology epidemiology radiation hygiene bioengineering veterinary
    blood transfusion nursing rehabilitation psychiatric mental infectious diseases disease prevention zoology botany
    agricultural agriculture forestry fisheries water resources electrical electric instrument instruments precision
    """.split()
)


def slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:70] or "org"


def is_generic(name: str) -> bool:
    """True when a name has no distinguishing word ("Institute of Physics", "School of Medicine")."""
    if has_cjk(name):
        return len(name) < 4
    words = re.findall(r"[A-Za-z0-9'’]+", name.casefold().replace("’", "'"))
    return bool(words) and all(w in GENERIC for w in words)


def low(s: str) -> str:
    """A light key that keeps "of" (normalize() drops it): lower case, punctuation to spaces."""
    s = unicodedata.normalize("NFKC", s).casefold().replace("&", " and ").replace("’", "'")
    return " ".join(re.sub(r"[^\w']+", " ", s).split())


# --- inputs -------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def list_entities() -> list[dict[str, Any]]:
    out = []
    for key in LIST_FILES:
        data = json.loads((LISTS / f"{key}.json").read_text(encoding="utf-8"))
        for e in data["entities"]:
            out.append({"list_key": key, **e})
    return out


def load_ror(path: Path) -> dict[str, dict[str, Any]]:
    recs = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            recs[r["id"].rsplit("/", 1)[-1]] = r
    return recs


def load_stubs(path: Path | None) -> tuple[dict[str, str], dict[str, tuple[str, set[str]]]]:
    """Label-only ROR records: id → label, and id → (label, ids of CN records relating to it)."""
    if path is None or not path.exists():
        return {}, {}
    labels, related = {}, {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            i = r["id"].rsplit("/", 1)[-1]
            labels[i] = r["label"]
            rel = {x["id"].rsplit("/", 1)[-1] for x in r.get("referenced_by") or [] if x.get("rel_type_from_referrer") == "related" and x.get("referrer_country") in ("CN", "HK", "MO")}
            if rel:
                related[i] = (r["label"], rel)
    return labels, related


def first_existing(paths: Iterable[Path]) -> Path | None:
    return next((p for p in paths if p.exists()), None)


# --- ROR-derived rows ---------------------------------------------------------------------


rid = ror_id  # one owner: biblio.orgs.ror


def rel_ids(rec: dict[str, Any], kind: str) -> list[str]:
    return [rid(r["id"]) for r in rec.get("relationships") or [] if r["type"] == kind]


def ror_kind(rec: dict[str, Any] | None, name: str, *, is_unit: bool) -> str:
    types = set(rec["types"]) if rec else set()
    n = name.casefold()
    if "healthcare" in types or "hospital" in n:
        return "hospital"
    if re.search(r"\b(pla|army|navy|naval|air force|rocket force|military|liberation army|armed police|flying college)\b", n):
        return "military"
    if re.search(r"\bcampus\b|\bbranch\b|, (weihai|shenzhen|zhuhai|qinhuangdao)\b|\bat (weihai|shenzhen)\b", n):
        return "campus"
    if "company" in types or re.search(r"\b(co\.|ltd|limited|inc\.?|corporation|group)\b", n):
        return "company"
    if re.search(r"\blaborator(y|ies)\b|\blab\b", n):
        return "lab"
    if "education" in types and not is_unit:
        return "university"
    if re.search(r"\b(school|college|faculty|department|graduate)\b", n) and is_unit:
        return "unit"
    if re.search(r"\bacademy\b", n):
        return "academy"
    if re.search(r"\b(institute|center|centre|observatory|research)\b", n):
        return "institute"
    if "education" in types:
        return "university"
    return "other"


@functools.lru_cache(maxsize=None)
def _opencc(config: str) -> Any:
    """One opencc converter per config (building one loads its dictionaries: ~0.1 s)."""
    from opencc import OpenCC

    return OpenCC(config)


def ror_name_rows(rec: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, name_kind) from a ROR record, canonical first."""
    s2t, t2s = _opencc("s2t"), _opencc("t2s")
    out = [(rec["name"], "canonical")]
    for n in rec.get("names") or []:
        v, types, lang = n["value"].strip(), n["types"], n.get("lang")
        if not v or v == rec["name"]:
            continue
        if "acronym" in types:
            out.append((v, "abbreviation"))
        elif has_cjk(v):
            simp = t2s.convert(v)
            out.append((simp, "zh_hans"))
            trad = s2t.convert(simp)
            if trad != simp:
                out.append((trad, "zh_hant"))
        elif lang in (None, "en") or "label" in types:
            out.append((v, "weak_alias" if is_generic(v) else "strong_alias"))
    seen, uniq = set(), []
    for v, k in out:
        if (v, k) not in seen:
            seen.add((v, k))
            uniq.append((v, k))
    return uniq


def ror_index(recs: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    idx: dict[str, set[str]] = defaultdict(set)
    for i, r in recs.items():
        if r["country_code"] not in ("CN", "HK", "MO"):
            continue
        for v, k in ror_name_rows(r):
            if k in ("canonical", "strong_alias", "zh_hans", "zh_hant"):
                idx[normalize(v)].add(i)
    return idx


def crosswalk_rors() -> dict[tuple[str, str], str]:
    return {(r["list_key"], r["entity_key"]): r["ror"] for r in read_csv(LISTS / "crosswalk.csv") if r["ror"]}


def anchor_entities(
    ents: list[dict[str, Any]], recs: dict[str, dict[str, Any]], *, skip: set[tuple[str, str]]
) -> dict[str, list[tuple[str, str, str]]]:
    """ROR id → [(list_key, entity_key, how)] for list entities that name exactly one ROR record.

    Pass 1: the crosswalk, or the entity's own name. Pass 2: an entity whose name or strong
    alias is the name of an entity anchored in pass 1 (the same body on another list).
    Pass 3: a strong alias or Chinese name that names exactly one record. Entities linked by
    hand (``skip``) are left to the hand-curated rows.
    """
    idx, xw = ror_index(recs), crosswalk_rors()
    found: dict[tuple[str, str], tuple[str, str]] = {}
    todo = [e for e in ents if (e["list_key"], e["key"]) not in skip]
    for e in todo:
        hit = xw.get((e["list_key"], e["key"]))
        by_name = idx.get(normalize(e["name"]), set())
        if hit:
            found[(e["list_key"], e["key"])] = (hit, "crosswalk.csv")
        elif len(by_name) == 1:
            found[(e["list_key"], e["key"])] = (next(iter(by_name)), "the entity's name is the ROR record's name")
    named = {normalize(e["name"]): found[(e["list_key"], e["key"])][0] for e in todo if (e["list_key"], e["key"]) in found}
    for e in todo:
        k = (e["list_key"], e["key"])
        if k in found:
            continue
        forms = [e["name"], *e.get("strong_aliases", [])]
        same = {named[normalize(a)] for a in forms if normalize(a) in named}
        if len(same) == 1:
            found[k] = (next(iter(same)), "same body as an entity of another list anchored by name")
            continue
        if idx.get(normalize(e["name"])):
            continue  # the name itself is ambiguous
        cands = set().union(*[idx.get(normalize(a), set()) for a in [*e.get("strong_aliases", []), e.get("name_zh") or ""]])
        if len(cands) == 1:
            found[k] = (next(iter(cands)), "a strong alias names exactly one ROR record")
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for (lk, ek), (hit, how) in sorted(found.items()):
        if hit in recs and recs[hit]["country_code"] in ("CN", "HK", "MO"):
            out[hit].append((lk, ek, how))
    return out


def hierarchy(recs: dict[str, dict[str, Any]], stubs: dict[str, str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """children[p] and parents[c] from both directions of ROR's parent/child links."""
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for i, r in recs.items():
        for p in rel_ids(r, "parent"):
            children[p].add(i)
            parents[i].add(p)
        for c in rel_ids(r, "child"):
            if c in recs or c in stubs:
                children[i].add(c)
                parents[c].add(i)
    return children, parents


def is_government(recs: dict[str, dict[str, Any]], i: str) -> bool:
    r = recs.get(i)
    return bool(r) and "government" in r["types"] and not re.search(r"academy|liberation army|police force", r["name"], re.I)


def select_units(anchors: Iterable[str], recs: dict[str, dict[str, Any]], stubs: dict[str, str], outside: dict[str, str] | None = None) -> dict[str, str]:
    """ROR id → why it is in the graph: anchors, their units (two levels), their parents' units
    and every parent of those (``outside``: label-only parents beyond the subset)."""
    outside = outside or {}
    children, parents = hierarchy(recs, stubs)
    why: dict[str, str] = {a: "anchor" for a in anchors}
    frontier = list(anchors)
    for depth in (1, 2):
        nxt = []
        for p in frontier:
            for c in sorted(children.get(p, ())):
                if c not in why:
                    why[c] = f"ROR child of {p}"
                    nxt.append(c)
        frontier = nxt
    for a in list(anchors):
        for p in sorted(parents.get(a, ())):
            if p in recs and not is_government(recs, p):
                why.setdefault(p, f"ROR parent of {a}")
                for c in sorted(children.get(p, ())):
                    why.setdefault(c, f"ROR child of {p}")
    for i in list(why):  # every parent of a unit, so a joint body shows all its parents
        for p in sorted(parents.get(i, ())):
            if (p in recs and not is_government(recs, p)) or p in outside:
                why.setdefault(p, f"ROR parent of {i}")
    return why


def outside_parents(recs: dict[str, dict[str, Any]], stubs: dict[str, str]) -> dict[str, str]:
    """Parents outside the subset and its stubs: :func:`biblio.orgs.ror.outside_parents` (the
    graph build uses the same rule), here over the CN/HK/MO/TW records.

    Example:
        >>> outside_parents({"a": {"relationships": [{"type": "parent", "id": "https://ror.org/x", "label": "Duke University"}]}}, {})
        {'x': 'Duke University'}
    """
    return ror_outside_parents(recs.values(), set(recs) | set(stubs))


CONTINUES = re.compile(r"^(of|for|and|in|at the|&)\b")
UNIT_WORDS = re.compile(r"\b(hospital|college|school|center|centre|institute|laboratory|lab|campus|branch|clinic)$")
SEPARATE_BODY = re.compile(r"\((beijing|wuhan|east china|huadong|qingdao)\)$| - beijing$|high school|middle school|primary school", re.I)


def names_unit_of(rec: dict[str, Any], parent: dict[str, Any]) -> bool:
    """True when the record's own name contains the university's full name as a unit would."""
    pn, n = low(parent["name"]), low(rec["name"])
    if pn == n or pn not in n or SEPARATE_BODY.search(rec["name"]):
        return False
    if n.startswith(pn + " "):
        return not CONTINUES.match(n[len(pn) + 1 :])
    if not n.endswith(" " + pn):
        return False
    head = n[: -len(pn) - 1]
    comma = re.search(r",\s*" + re.escape(parent["name"]) + "$", rec["name"])
    return head.endswith(" of") or bool(UNIT_WORDS.search(head)) or bool(comma)


def name_units(anchors: Iterable[str], recs: dict[str, dict[str, Any]], related_stubs: dict[str, tuple[str, set[str]]] | None = None) -> dict[str, tuple[str, str]]:
    """ROR id → (university ROR id, rule) for hospitals/campuses of a listed university.

    A record (or a label-only stub) is a unit when its own name contains the university's
    full name as a unit's would, or when it is a hospital that ROR relates to the university and
    to no other university (Peking Union Medical College Hospital is related to Tsinghua and to
    CAMS & PUMC: a unit of neither by this rule).
    """
    unis = {rid(recs[a]["id"]): recs[a] for a in anchors if "education" in recs[a]["types"]}
    cands = [(i, r["name"], set(rel_ids(r, "related")), "healthcare" in r["types"]) for i, r in sorted(recs.items()) if r["country_code"] in ("CN", "HK", "MO")]
    cands += [(i, label, rel, False) for i, (label, rel) in sorted((related_stubs or {}).items())]
    out: dict[str, tuple[str, str]] = {}
    for i, name, related, care in cands:
        if i in unis:
            continue
        rec = {"name": name}
        hits = [u for u in unis.values() if names_unit_of(rec, u)]
        hits = [u for u in hits if not any(len(low(v["name"])) > len(low(u["name"])) and low(u["name"]) in low(v["name"]) for v in hits)]
        if len(hits) == 1:
            u = rid(hits[0]["id"])
            out[i] = (u, "ROR related link and the record's name names the university" if u in related else "the record's name names the university")
            continue
        rel_unis = sorted(u for u in related if u in unis)
        rel_edu = [u for u in related if u in recs and "education" in recs[u]["types"]]
        if len(rel_unis) == 1 and len(rel_edu) == 1 and (care or re.search(r"\bhospital\b", name, re.I)) and not SEPARATE_BODY.search(name):
            out[i] = (rel_unis[0], "a hospital that ROR relates to the university (affiliated hospital)")
    return out


def stub_country(label: str, fallback: str) -> tuple[str, str]:
    """Country of a stub record: from a '(Country)' suffix via rigour, else the parent's."""
    from rigour.territories import lookup_territory

    m = re.search(r"\(([^()]+)\)\s*$", label)
    t = lookup_territory(m.group(1)) if m else None
    if t is not None:
        return t.code.upper(), f"country from the name's '({m.group(1)})'"
    return fallback, "record not in the ROR subset (label only); country taken from its ROR parent"


def ror_rows(recs: dict[str, dict[str, Any]], stub_data: tuple[dict[str, str], dict[str, tuple[str, set[str]]]], ents: list[dict[str, Any]], manual: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """Organisations, names, edges and list links generated from ROR (rules in the module doc)."""
    stubs, related_stubs = stub_data
    outside = outside_parents(recs, stubs)
    stubs = {**stubs, **outside}
    skip = {(r["list_key"], r["entity_key"]) for r in [*manual["list_links"], *manual.get("list_link_exclusions", [])]}
    by_manual = {x: r["org_key"] for r in manual["organisations"] for x in r["ror_ids"].split(";") if x}
    anchors = anchor_entities(ents, recs, skip=skip)
    why = select_units(sorted(set(anchors) | {x for x in by_manual if x in recs}), recs, stubs, outside)
    nu = name_units(anchors, recs, related_stubs)
    for i, (u, rule) in nu.items():
        why.setdefault(i, rule)
    _, parents = hierarchy(recs, stubs)
    keys: dict[str, str] = {}
    used = {r["org_key"] for r in manual["organisations"]}
    for i in sorted(why, key=lambda x: (recs[x]["name"] if x in recs else stubs[x], x)):
        if i in by_manual:
            keys[i] = by_manual[i]
            continue
        k = slug(recs[i]["name"] if i in recs else stubs[i])
        if k in used:
            k = f"{k}-{i}"
        used.add(k)
        keys[i] = k
    out: dict[str, list[dict[str, str]]] = {k: [] for k in COLS}
    for i in sorted(why, key=lambda x: keys[x]):
        rec = recs.get(i)
        ps = sorted(p for p in parents.get(i, ()) if p in why and not is_government(recs, p))
        if i in nu and nu[i][0] not in ps:
            ps.append(nu[i][0])
        name = rec["name"] if rec else stubs[i]
        src = f"ROR:{i}"
        if rec:
            cc, city, note = rec["country_code"], rec.get("city") or "", ""
        else:
            pc = next((recs[p]["country_code"] for p in ps if p in recs), "")
            cc, note = stub_country(name, pc)
            city = ""
            if i in outside:
                note = "parent outside the bundled ROR subset: the label its child's link prints; country unknown"
        rows = ror_name_rows(rec) if rec else [(name, "canonical")]
        if ps and is_generic(name):  # "Institute of Physics" → "Institute of Physics, Chinese Academy of Sciences"
            pname = recs[ps[0]]["name"] if ps[0] in recs else stubs[ps[0]]
            rows = [(f"{name}, {pname}", "canonical"), (name, "weak_alias"), *rows[1:]]
        if i not in by_manual:
            kind = ror_kind(rec, name, is_unit=bool(ps))
            if why[i] != "anchor" and "independent" not in note and re.search(r"\b(zijin|chengxian|taizhou|city institute)\b", name, re.I) and "education" in (rec or {}).get("types", []):
                note = (note + "; " if note else "") + "independent college (duli xueyuan) run with the university"
            out["organisations"].append({
                "org_key": keys[i], "canonical_name": rows[0][0], "kind": kind, "country_code": cc, "city": city,
                "ror_ids": "" if i in outside else i, "source": src, "source_date": ROR_DATE, "note": note or why[i].replace(" of ", " of ROR:", 1) if why[i] != "anchor" else note,
            })
        for v, nk in rows:
            if i in by_manual and nk == "canonical":
                nk = "strong_alias" if not is_generic(v) else "weak_alias"
            out["names"].append({"org_key": keys[i], "name": v, "name_kind": nk, "valid_from": "", "valid_to": "", "source": src})
        for p in ps:
            both_co = bool(rec) and "company" in rec["types"] and p in recs and "company" in recs[p]["types"]
            rule = nu[i][1] if i in nu and nu[i][0] == p else f"ROR parent link ({'parent on ' + i if p in rel_ids(rec or {}, 'parent') else 'child on ' + p})"
            out["edges"].append({
                "child_key": keys[i], "parent_key": keys[p], "relation": "subsidiary_of" if both_co else "unit_of",
                "source": src, "note": rule + (f"; joint: one of {len(ps)} parents" if len(ps) > 1 else ""),
            })
    for a, links in sorted(anchors.items()):
        for lk, ek, how in links:
            out["list_links"].append({"org_key": keys[a], "list_key": lk, "entity_key": ek, "scope": "all", "source": f"ROR:{a}; {how}"})
    return out


# --- merge, validate, write ---------------------------------------------------------------


class CuratedError(ValueError):
    pass


def read_manual(folder: Path = CURATED) -> dict[str, list[dict[str, str]]]:
    """The hand-curated rows, plus ``list_link_exclusions``: list entities never linked by rule."""
    out = {k: [r for f in manual_files(folder, k) for r in read_csv(f)] for k in COLS}
    out["list_link_exclusions"] = read_csv(folder / "list_link_exclusions_manual.csv")
    return out


def manual_files(folder: Path, kind: str) -> list[Path]:
    """``<kind>_manual.csv`` and any topic files ``<kind>_manual_<topic>.csv``, sorted.

    >>> [f.name for f in manual_files(CURATED, "edges")][:1]
    ['edges_manual.csv']
    """
    return sorted(folder.glob(f"{kind}_manual.csv")) + sorted(folder.glob(f"{kind}_manual_*.csv"))


def dedupe_strong(names: list[dict[str, str]], manual_orgs: set[str], orgs: dict[str, dict[str, str]]) -> None:
    """A strong name claimed by two organisations: demote it on the ROR-derived side.

    Hand-curated rows that collide are an error. A ROR-derived canonical name that collides
    gets the city (or ROR id) appended, and the bare name becomes a weak alias.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    manual_claims: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r["name_kind"] in STRONG_KINDS:
            owners[normalize(r["name"])].add(r["org_key"])
            if not r["source"].startswith("ROR:"):
                manual_claims[normalize(r["name"])].add(r["org_key"])
    for n, ks in manual_claims.items():
        if len(ks) > 1:
            raise CuratedError(f"strong name {n!r} is claimed by {sorted(ks)} in the hand-curated names; make it weak_alias for one of them")
    extra = []
    for r in names:
        n = normalize(r["name"])
        if r["name_kind"] not in STRONG_KINDS or len(owners[n]) < 2 or r["org_key"] in manual_claims.get(n, set()):
            continue
        if r["name_kind"] == "canonical":
            o = orgs[r["org_key"]]
            tail = o["city"] or o["ror_ids"].split(";")[0]
            new = f"{r['name']} ({tail})"
            extra.append({**r, "name_kind": "weak_alias"})
            r["name"] = new
            o["canonical_name"] = new
        else:
            r["name_kind"] = "weak_alias"
    names.extend(extra)


def merge(manual: dict[str, list[dict[str, str]]], gen: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    orgs = {r["org_key"]: dict(r) for r in manual["organisations"]}
    for r in gen["organisations"]:
        orgs.setdefault(r["org_key"], dict(r))
    names, seen = [], set()
    hand = {(r["org_key"], normalize(r["name"])) for r in manual["names"]}
    for r in [*manual["names"], *[g for g in gen["names"] if (g["org_key"], normalize(g["name"])) not in hand]]:
        k = (r["org_key"], r["name"], r["name_kind"])
        if k not in seen and r["name"]:
            seen.add(k)
            names.append(dict(r))
    dedupe_strong(names, set(r["org_key"] for r in manual["organisations"]), orgs)
    manual_children = {r["child_key"] for r in manual["edges"]}
    edges = [dict(r) for r in manual["edges"]] + [dict(r) for r in gen["edges"] if r["child_key"] not in manual_children]
    edges = list({(r["child_key"], r["parent_key"]): r for r in edges}.values())
    links = list({(r["org_key"], r["list_key"], r["entity_key"]): dict(r) for r in [*manual["list_links"], *gen["list_links"]]}.values())
    out = {
        "organisations": sorted(orgs.values(), key=lambda r: r["org_key"]),
        "names": sorted(names, key=lambda r: (r["org_key"], r["name_kind"] != "canonical", r["name_kind"], r["name"])),
        "edges": sorted(edges, key=lambda r: (r["child_key"], r["parent_key"])),
        "list_links": sorted(links, key=lambda r: (r["org_key"], r["list_key"], r["entity_key"])),
    }
    validate(out)
    return out


def validate(data: dict[str, list[dict[str, str]]], ents: list[dict[str, Any]] | None = None) -> None:
    """Raise CuratedError on a row that breaks the schema or points at nothing."""
    ents = list_entities() if ents is None else ents
    orgs = {r["org_key"] for r in data["organisations"]}
    if len(orgs) != len(data["organisations"]):
        raise CuratedError("duplicate org_key in organisations")
    for r in data["organisations"]:
        if r["kind"] not in KINDS or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", r["org_key"]) or not r["source"]:
            raise CuratedError(f"organisations: bad row {r}")
        if any(x and not re.fullmatch(r"0[a-z0-9]{8}", x) for x in r["ror_ids"].split(";")):
            raise CuratedError(f"organisations: {r['org_key']}: bad ror_ids {r['ror_ids']!r}")
    canon = defaultdict(int)
    for r in data["names"]:
        if r["org_key"] not in orgs or r["name_kind"] not in NAME_KINDS or not r["source"]:
            raise CuratedError(f"names: bad row {r}")
        canon[r["org_key"]] += r["name_kind"] == "canonical"
    if bad := [k for k in orgs if canon[k] != 1]:
        raise CuratedError(f"names: organisations without exactly one canonical name: {bad[:5]}")
    for r in data["edges"]:
        if r["child_key"] not in orgs or r["parent_key"] not in orgs or r["relation"] not in RELATIONS or not r["source"]:
            raise CuratedError(f"edges: bad row {r}")
    keys = {(e["list_key"], e["key"]) for e in ents}
    for r in data["list_links"]:
        if r["org_key"] not in orgs or (r["list_key"], r["entity_key"]) not in keys or r["scope"] not in ("all", "this_list_only") or not r["source"]:
            raise CuratedError(f"list_links: bad row {r}")


def write(data: dict[str, list[dict[str, str]]], folder: Path = CURATED) -> list[Path]:
    paths = []
    for k, cols in COLS.items():
        p = folder / f"{k}.csv"
        with p.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            for r in data[k]:
                w.writerow({c: r.get(c, "") for c in cols})
        paths.append(p)
    return paths


def build(*, ror_path: Path | None = None, stub_path: Path | None = None) -> dict[str, list[dict[str, str]]]:
    ror_path = ror_path or first_existing(ROR_CANDIDATES)
    if ror_path is None:
        raise SystemExit("no ROR subset found: pass --ror PATH/ror_cn_hk_mo_tw.jsonl")
    manual = read_manual()
    gen = ror_rows(load_ror(ror_path), load_stubs(stub_path or first_existing(STUB_CANDIDATES)), list_entities(), manual)
    return merge(manual, gen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ror", type=Path, default=None)
    ap.add_argument("--stubs", type=Path, default=None)
    a = ap.parse_args()
    data = build(ror_path=a.ror, stub_path=a.stubs)
    for p in write(data):
        print(f"{p.relative_to(REPO)}: {len(data[p.stem])} rows")


if __name__ == "__main__":
    main()
