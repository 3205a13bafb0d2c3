"""Build the organisation graph (``biblio/orgs/data/*.csv``) from the repo's own sources.

Sources, each row of the output citing one:

* the bundled entity lists (``biblio.lists``): names, strong/weak aliases, ``parent_key``,
  Chinese names, Entity List "Subordinate Institution" text, ASPI ``subsidiaries`` and
  ``major defence laboratories`` (from ``biblio/lists/raw``);
* ROR (``biblio/orgs/raw``, CC0, partial): CN/HK/MO/TW records, look-alikes abroad and the
  labels of referenced records; ``parent`` links become ``unit_of`` / ``subsidiary_of``;
* Hipo's world university list (MIT): foreign universities, as known *unlisted* bodies;
* the curated tables in ``biblio/orgs/curated`` (every row cites its source);
* rigour's territory names and ROR's cities for ``places.csv``.

Identity: records are merged into one organisation when they share a ROR ID, when a list
entity's canonical name equals a Chinese ROR record's name, when two lists print the same
canonical name (or one prints the other's name as a strong alias), when two names read as
the same numbered institute of the same group, when a curated ``list_links`` row says so, or
when two records bear one full name and nothing tells them apart (``_duplicate_unions``).

Run ``python -m biblio.orgs.build`` (or ``scripts/build_orgs.py``); the output is
deterministic, and ``tests/test_orgs.py`` checks that a rebuild equals the shipped files.
"""

from __future__ import annotations


import csv
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from biblio.orgs.ror import outside_parents, ror_id as _ror_id
from biblio.orgs.text import english_words, name_key, numbered_in_cjk, numbered_in_tokens, to_simplified

HERE = Path(__file__).parent
RAW = HERE / "raw"
CURATED = HERE / "curated"
DATA = HERE / "data"
LISTS_RAW = HERE.parent / "lists" / "raw"
FILES = {
    "orgs": ("org_key", "canonical_name", "kind", "country_code", "city", "ror_ids", "sources"),
    "names": ("org_key", "name", "key", "name_kind", "scope", "source"),
    "edges": ("child_key", "parent_key", "relation", "source"),
    "links": ("org_key", "list_key", "entity_key", "scope", "source"),
    "places": ("key", "country_code", "kind", "source", "same_as"),
    "shared": ("key", "org_key", "name_kind", "rollup", "source"),
    "provinces": ("key", "province", "kind", "source"),
}
DECIDING = ("canonical", "former", "strong_alias", "zh_hans", "zh_hant")
_ZH_PAREN = re.compile(r"^(.*?)\s*[（(]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$")
_SUBORD = re.compile(r"^(.*?)\.*\s+(?:Subordinate Institution\s*-|Affiliated Entity:)\s*(.+)$")
_SUBORD_OF = re.compile(r"^(.*?)\s*\(a subordinate institute of ([^)]+)\)\s*$", re.I)
UNIVERSITY_WORDS = ("university", "college", "大学", "学院")
COMPANY_WORDS = frozenset("co ltd limited inc corp corporation company group holdings technologies technology llc plc".split())


class Node:
    """One source record before merging: names, country, kind, links and parents."""

    __slots__ = ("nid", "canonical", "kind", "country", "city", "rors", "names", "links", "parents", "source", "dated")

    def __init__(self, nid: str, canonical: str, *, kind: str = "other", country: str = "", city: str = "", source: str = "") -> None:
        self.nid, self.canonical, self.kind, self.country, self.city, self.source = nid, canonical, kind, country, city, source
        self.rors: set[str] = set()
        self.names: list[tuple[str, str, str, str]] = []   # (name, name_kind, scope, source)
        self.links: list[tuple[str, str, str, str]] = []   # (list_key, entity_key, scope, source)
        self.parents: list[tuple[str, str, str]] = []      # (parent node id, relation, source)
        self.dated: set[str] = set()                        # keys of curated former names with a validity date

    def add_name(self, name: str | None, kind: str, source: str, scope: str = "") -> None:
        if name and name.strip() and name_key(name):
            self.names.append((name.strip(), kind, scope, source))


class UnionFind:
    def __init__(self) -> None:
        self.p: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.p.setdefault(x, x)
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


# ---------------------------------------------------------------------------------------
# sources → nodes
# ---------------------------------------------------------------------------------------
def _country_of(country: str | None, address: str | None) -> str:
    c = (country or "").casefold()
    a = (address or "").casefold()
    if c.startswith("china"):
        return "HK" if "hong kong" in a else "MO" if ("macau" in a or "macao" in a) else "CN"
    if not c:
        return ""
    from rigour.territories import lookup_territory

    t = lookup_territory(country or "")
    return t.code.split("-")[0].upper() if t else ""


def _kind_from_name(name: str, *, category: str | None = None) -> str:
    n = name.casefold()
    if category and "conglomerate" in category.casefold():
        return "company"
    if any(w in n for w in UNIVERSITY_WORDS):
        return "university"
    if "hospital" in n or "医院" in n:
        return "hospital"
    if "academy" in n or "研究院" in n:
        return "academy"
    if "institute" in n or "研究所" in n:
        return "institute"
    if "laborator" in n or "实验室" in n:
        return "lab"
    toks = set(re.sub(r"[^\w]+", " ", n).split())
    return "company" if toks & COMPANY_WORDS else "other"


def list_nodes() -> list[Node]:
    """One node per list entity, with its names, parent_key edge and identity link."""
    from biblio.lists import load_lists

    ls = load_lists()
    raw_extra = _list_raw_fields()
    nodes: list[Node] = []
    for e in ls.entities.sort("list_key", "entity_key").iter_rows(named=True):
        lk, ek = e["list_key"], e["entity_key"]
        src = f"list {lk}"
        name = e["name"]
        sub = _SUBORD.match(name) or _SUBORD_OF.match(name)
        nid = f"{lk}:{ek}"
        addr = raw_extra.get((lk, ek), {}).get("address")
        n = Node(nid, sub.group(2).strip() if _SUBORD.match(name) else (sub.group(1).strip() if sub else name),
                 kind=_kind_from_name(name, category=e["category"]), country=_country_of(e["country"], addr), source=src)
        n.add_name(n.canonical, "canonical", src)
        if n.canonical != name:
            n.add_name(name, "strong_alias", src)
        for a in e["strong_aliases"] or []:
            n.add_name(a, "strong_alias", src)
        for a in e["weak_aliases"] or []:
            n.add_name(a, "weak_alias", src)
        n.add_name(e["name_zh"], "zh_hans", src)
        n.rors.update(e["ror_ids"] or [])
        if lk != "sastind" or (e["category"] or "") == "Civilian":  # SASTIND: supervised civilian universities only
            n.links.append((lk, ek, "all", src))
        if e["parent_key"]:
            n.parents.append((f"{lk}:{e['parent_key']}", "subsidiary_of", f"{src} parent_key"))
        if sub:
            n.parents.append(("name:" + name_key(sub.group(1) if _SUBORD.match(name) else sub.group(2)), "subsidiary_of", f"{src} entry text"))
        nodes.append(n)
    nodes += _aspi_units(nodes)
    return nodes


def _list_raw_fields() -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for p in sorted((HERE.parent / "lists" / "data").glob("*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        for e in data.get("entities", []) if isinstance(data, dict) else []:
            out[(p.stem, e.get("key"))] = e
    return out


def _aspi_units(nodes: list[Node]) -> list[Node]:
    """ASPI tracker ``subsidiaries`` and ``major defence laboratories`` as units of their entity."""
    path = LISTS_RAW / "misp_galaxy_aspi_china-defence-universities.json"
    if not path.exists():
        return []
    by_name = {name_key(n.canonical): n.nid for n in nodes if n.nid.startswith("aspi:")}
    out: list[Node] = []
    for v in json.loads(path.read_text(encoding="utf-8"))["values"]:
        en = re.sub(r"\s*\([^)]*\)\s*$", "", v["value"]).strip()
        parent = by_name.get(name_key(en))
        if not parent:
            continue
        for field, tag in (("subsidiaries", "subsidiary"), ("major defence laboratories", "lab")):
            for i, text in enumerate(v.get("meta", {}).get(field) or []):
                m = _ZH_PAREN.match(text.strip())
                name, zh = (m.group(1), m.group(2)) if m else (text.strip(), None)
                src = f"ASPI tracker {field}"
                n = Node(f"{parent}#{tag}{i}", name or (zh or ""), kind=_kind_from_name(name or zh or ""), country="CN", source=src)
                n.add_name(name, "canonical", src)
                n.add_name(zh, "zh_hans", src)
                for nm, kind in (_aka_names(name) if tag == "lab" else ()):  # a subsidiary's "a.k.a." can name a listed company
                    n.add_name(nm, kind, src + " (aka)")
                n.parents.append((parent, "unit_of", src))
                out.append(n)
    return out


_ASPI_AKA = re.compile(r",?\s+a\.?k\.?a\.?,?\s+", re.I)
_LEAD_ZH = re.compile(r"^(.*?)\s*[（(]([^()（）]*[\u4e00-\u9fff].*)[)）]$")


def _aka_names(text: str) -> list[tuple[str, str]]:
    """The names in an ASPI entry that prints one body under two ("Based in NORINCO Group No. 213
    Institute (Xi’an) (中国兵工集团第213研究所（西安）) aka Shaanxi Applied Physics and Chemistry
    Institute"): each side as a strong alias, a parenthesised Chinese name as ``zh_hans``.

    >>> _aka_names("Xi’an 212th Institute (西安212所) aka Xi’an Electromechanical Information Institute")
    [('Xi’an 212th Institute', 'strong_alias'), ('西安212所', 'zh_hans'), ('Xi’an Electromechanical Information Institute', 'strong_alias')]
    """
    sides = _ASPI_AKA.split(text, maxsplit=1)
    if len(sides) != 2:
        return []
    out: list[tuple[str, str]] = []
    for side in [sides[0], *re.split(r"\s+or\s+", sides[1])]:
        side = re.sub(r"^Based in\s+", "", side.strip(), flags=re.I)
        m = _LEAD_ZH.match(side)
        en, zh = (m.group(1).strip(), m.group(2).strip()) if m else (side, "")
        if en and not re.search(r"[\u4e00-\u9fff]", en) and len(en.split()) >= 2:
            out.append((en, "strong_alias"))
        if zh:
            out.append((zh, "zh_hans"))
    return out


_ROR_KIND = {"education": "university", "healthcare": "hospital", "company": "company", "facility": "lab",
             "government": "other", "nonprofit": "other", "archive": "other", "funder": "other", "other": "other"}


def ror_nodes() -> list[Node]:
    """ROR records (CN/HK/MO/TW, look-alikes abroad) and stubs of referenced records."""
    nodes: list[Node] = []
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    for fname, src in (("ror_cn_hk_mo_tw.jsonl", "ROR v2.9 (CN/HK/MO/TW subset)"), ("ror_lookalikes_non_cn.jsonl", "ROR v2.9 (look-alikes abroad)")):
        for line in (RAW / fname).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rid = _ror_id(r["id"])
            if rid in seen:
                continue
            seen.add(rid)
            records.append(r)
            types = r.get("types") or ["other"]
            kind = _ROR_KIND.get(types[0], "other")
            if kind in ("other", "lab") and _kind_from_name(r["name"]) not in ("other", "company"):
                kind = _kind_from_name(r["name"])
            n = Node(f"ror:{rid}", r["name"], kind=kind, country=r.get("country_code") or "", city=r.get("city") or "", source=src)
            n.rors.add(rid)
            for nm in r.get("names") or []:
                t = nm.get("types") or []
                if "acronym" in t:
                    n.add_name(nm["value"], "abbreviation", src)
                elif (nm.get("lang") or "").startswith("zh") or re.search(r"[\u4e00-\u9fff]", nm["value"]):
                    n.add_name(nm["value"], "zh_hans" if to_simplified(nm["value"]) == nm["value"] else "zh_hant", src)
                elif "ror_display" in t:
                    n.add_name(nm["value"], "canonical", src)
                else:
                    n.add_name(nm["value"], "strong_alias", src)
            for rel in r.get("relationships") or []:
                if rel["type"] == "parent":
                    n.parents.append((f"ror:{_ror_id(rel['id'])}", "subsidiary_of" if kind == "company" else "unit_of", f"{src} parent link"))
            nodes.append(n)
    for line in (RAW / "ror_missing_referenced_stubs_cn.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rid = _ror_id(r["id"])
        if rid not in seen:
            seen.add(rid)
            n = Node(f"ror:{rid}", r["label"], kind=_kind_from_name(r["label"]), source="ROR v2.9 (label of a referenced record)")
            n.rors.add(rid)
            n.add_name(r["label"], "canonical", n.source)
            nodes.append(n)
    for rid, label in outside_parents(records, seen).items():  # a parent outside the subset (Duke University
        n = Node(f"ror:{rid}", label, kind=_kind_from_name(label), source="ROR v2.9 (label of a parent outside the subset)")
        n.rors.add(rid)                                       # for Duke Kunshan) still makes its child a joint body
        n.add_name(label, "canonical", n.source)
        nodes.append(n)
    return nodes


def hipo_nodes(known_keys: set[str]) -> list[Node]:
    """Foreign universities (Hipo list) whose names ROR does not already give, as unlisted bodies."""
    data = json.loads((RAW / "hipo_world_universities_and_domains.json").read_text(encoding="utf-8"))
    out: list[Node] = []
    seen: set[tuple[str, str]] = set()
    for u in data:
        cc = (u.get("alpha_two_code") or "").upper()
        k = name_key(u["name"])
        if cc in ("CN", "HK", "MO") or not k or (cc, k) in seen:
            continue
        seen.add((cc, k))
        if (cc, k) in known_keys:
            continue
        n = Node(f"hipo:{cc}:{k.replace(' ', '-')}", u["name"], kind="university", country=cc, source="Hipo world universities (2026-06-20)")
        n.add_name(u["name"], "canonical", n.source)
        out.append(n)
    return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(fh)]


def curated_nodes() -> list[Node]:
    """The curated tables: organisations, names, edges and list links (missing files: none)."""
    nodes: dict[str, Node] = {}
    for r in _read_csv(CURATED / "organisations.csv"):
        k = r["org_key"]
        src = f"curated: {r.get('source', '')}".strip()
        n = nodes.setdefault(k, Node(k, r["canonical_name"], kind=r.get("kind") or "other", country=r.get("country_code") or "", city=r.get("city") or "", source=src))
        n.add_name(r["canonical_name"], "canonical", src)
        n.rors.update(x.strip() for x in (r.get("ror_ids") or "").split(";") if x.strip())
    for r in _read_csv(CURATED / "names.csv"):
        n = nodes.get(r["org_key"]) or nodes.setdefault(r["org_key"], Node(r["org_key"], r["name"], source="curated"))
        n.add_name(r["name"], r.get("name_kind") or "strong_alias", f"curated: {r.get('source', '')}")
        if r.get("name_kind") == "former" and (r.get("valid_from") or r.get("valid_to")):
            n.dated.add(name_key(r["name"]))  # a dated former name is the body's own, never generic
    for r in _read_csv(CURATED / "edges.csv"):
        n = nodes.get(r["child_key"]) or nodes.setdefault(r["child_key"], Node(r["child_key"], r["child_key"], source="curated"))
        n.parents.append((r["parent_key"], r.get("relation") or "unit_of", f"curated: {r.get('source', '')}"))
    for r in _read_csv(CURATED / "list_links.csv"):
        n = nodes.get(r["org_key"]) or nodes.setdefault(r["org_key"], Node(r["org_key"], r["org_key"], source="curated"))
        n.links.append((r["list_key"], r["entity_key"], r.get("scope") or "all", f"curated: {r.get('source', '')}"))
    return [nodes[k] for k in sorted(nodes)]


# ---------------------------------------------------------------------------------------
# merging
# ---------------------------------------------------------------------------------------
_KIND_RANK = {k: i for i, k in enumerate(("canonical", "former", "strong_alias", "zh_hans", "zh_hant", "abbreviation", "weak_alias", "numbered"))}
_CN = ("CN", "HK", "MO")


def union_keys(name: str) -> list[str]:
    """Keys under which two records' names mean the same body: the key itself, without a
    trailing "China" ("Renmin University" / "Renmin University of China"), and both orders of
    a two-part name ("Shenyang Institute of Automation, Chinese Academy of Sciences")."""
    k = name_key(name)
    out = [k]
    if k.endswith(" china") and len(k.split()) > 2:
        out.append(k[: -len(" china")])
    parts = [p for p in re.split(r"\s*,\s*|\s+[-–—]\s+", name) if p.strip()]
    if len(parts) == 2:
        out.append(name_key(f"{parts[1]} {parts[0]}"))
    return list(dict.fromkeys(x for x in out if x))


def _identity_unions(uf: UnionFind, nodes: list[Node]) -> None:
    """Merge records that are the same body (shared nid or ROR; same canonical names, in either order with a ROR record's parent)."""
    by_nid: dict[str, str] = {}
    by_ror: dict[str, str] = {}
    for n in nodes:
        uf.union(n.nid, by_nid.setdefault(n.nid, n.nid))
        for r in sorted(n.rors):
            uf.union(n.nid, by_ror.setdefault(r, n.nid))
    ror_cn: dict[str, set[str]] = defaultdict(set)
    canon_of = {n.nid: n.canonical for n in nodes}
    for n in nodes:
        if n.nid.startswith("ror:") and (n.country in _CN or not n.country):
            ups = [canon_of[p] for p, _, _ in n.parents if p in canon_of]
            for name, kind, _, _ in n.names:
                if kind in ("canonical", "zh_hans", "zh_hant"):
                    for k in union_keys(name):
                        ror_cn[k].add(n.nid)
                if kind == "canonical" and len(ups) == 1:  # "Institute of Physics" under CAS = "CAS – Institute of Physics"
                    ror_cn[name_key(f"{name} {ups[0]}")].add(n.nid)
                    ror_cn[name_key(f"{ups[0]} {name}")].add(n.nid)  # and "CAS Changchun Institute of Optics …"
    canon: dict[str, str] = {}
    for n in nodes:
        if n.nid.startswith(("ror:", "hipo:")):
            continue
        ks = union_keys(n.canonical)
        hits = {h for k in ks for h in ror_cn.get(k, set())}
        if len(hits) == 1:
            uf.union(n.nid, next(iter(hits)))
        uf.union(n.nid, canon.setdefault(ks[0], n.nid))
    for n in nodes:
        for lk, ek, scope, _ in n.links:
            if scope == "all" and f"{lk}:{ek}" != n.nid:
                uf.union(n.nid, f"{lk}:{ek}")


def _aspi_unit_unions(uf: UnionFind, nodes: list[Node]) -> None:
    """An ASPI ``subsidiaries`` entry, alone so far, whose Chinese name one other body bears is that
    body: ASPI prints "Beijing Institute for Aeronautical Materials (中国航发北京航空材料研究院)", the
    graph has BIAM under that Chinese name (English "… of Aeronautical Materials"). Of the ``labs``
    entries only those that print an institute's other name ("… aka …"): many labs are joint labs
    described by their partner's name."""
    bearers: dict[str, set[str]] = defaultdict(set)
    size: dict[str, int] = defaultdict(int)
    for n in nodes:
        size[uf.find(n.nid)] += 1
        for name, kind, _, _ in n.names:
            if kind in ("zh_hans", "zh_hant") and len(name) >= 6:
                bearers[name_key(name)].add(n.nid)
    for n in nodes:
        aka = any(src.endswith("(aka)") for _, _, _, src in n.names)  # a lab entry naming its institute
        if not (n.nid.startswith("aspi:") and ("#subsidiary" in n.nid or aka)) or size[uf.find(n.nid)] != 1:
            continue
        for name, kind, _, _ in n.names:
            if kind != "zh_hans":
                continue
            others = {uf.find(x) for x in bearers.get(name_key(name), ()) if x != n.nid} - {uf.find(n.nid)}
            if len(others) == 1:
                uf.union(n.nid, next(iter(others)))


def _alias_unions(uf: UnionFind, nodes: list[Node]) -> set[tuple[str, str]]:
    """A list's strong alias equal to the canonical name of one other listed body merges the
    two (lists print one body under several names), unless one list prints both as separate
    entries (ASPI prints "Peac Institute" under CAEP; the Entity List has CAEP and Peac apart).
    Companies with the same brand merge. An alias that names an unlisted body, or several
    bodies, is scoped to that list entry only ("this_list_only"). Run to a fixpoint."""
    for final in (False, False, True):
        owner: dict[str, set[str]] = defaultdict(set)
        listed: set[str] = set()
        lists_of: dict[str, set[str]] = defaultdict(set)
        company: set[str] = set()
        ups: dict[str, set[str]] = defaultdict(set)  # a group's entry printing its subsidiary's name
        for n in nodes:
            root = uf.find(n.nid)
            if n.links:
                listed.add(root)
            if n.kind == "company":
                company.add(root)
            lists_of[root] |= {lk for lk, _, scope, _ in n.links if scope == "all"}
            ups[root] |= {uf.find(p) for p, _, _ in n.parents if p in uf.p}
            for name, kind, _, src in n.names:
                if kind in ("canonical", "zh_hans", "zh_hant") or (kind == "strong_alias" and (n.nid.startswith("ror:") or "(brand:" in src)):
                    owner[name_key(name)].add(root)
        scoped: set[tuple[str, str]] = set()
        for n in nodes:
            if not n.links:
                continue
            own = {name_key(nm) for nm, kind, _, _ in n.names if kind in ("canonical", "zh_hans", "zh_hant")}
            for name, kind, _, _ in n.names:
                k = name_key(name)
                if kind != "strong_alias" or k in own:
                    continue
                me = uf.find(n.nid)
                others = owner.get(k, set()) - {me}
                o = next(iter(others)) if len(others) == 1 else None
                if others and me in company and others <= company and len(k.replace(" ", "")) >= 4:
                    for x in sorted(y for y in others if me not in ups[y]):  # one brand, one corporate group
                        uf.union(n.nid, x)
                elif o is not None and o in listed and not (lists_of[me] & lists_of[o]):
                    uf.union(n.nid, o)
                    lists_of[uf.find(n.nid)] = lists_of[me] | lists_of[o]
                elif others and final:
                    scoped.add((n.nid, k))
    return scoped


def _name_index(uf: UnionFind, nodes: list[Node], kinds: Iterable[str]) -> dict[str, set[str]]:
    idx: dict[str, set[str]] = defaultdict(set)
    ks = set(kinds)
    for n in nodes:
        for name, kind, _, _ in n.names:
            if kind in ks:
                idx[name_key(name)].add(uf.find(n.nid))
    return idx


def _own_group(got: set[str], parents: frozenset[str]) -> set[str]:
    """``got`` narrowed to the record's own parent when the name is shared and one parent is in it."""
    return (got & parents) if len(got) > 1 and len(got & parents) == 1 else got


_NUM_NOISE = frozenset({"no", "institute", "institutes", "research", "academy", "ri", "number", "corporation", "corp", "co", "ltd", "limited", "company", "of", "the"})


def parse_numbered(key: str, idx: dict[str, set[str]], own: str | None, parents: frozenset[str] = frozenset()) -> tuple[str, str, int] | None:
    """(group root, kind, number) when a name key reads as a numbered unit of a known group.

    A group name that several bodies share ("CAST" is also an association's acronym) reads as
    the one among ``parents`` (the roots of the record's own parent edges), e.g. "501 Institute
    of CAST" on a record whose curated parent is CAST."""
    if re.search(r"[\u4e00-\u9fff]", key):
        found = numbered_in_cjk(key)
        if len(found) != 1:
            return None
        head = key.split("第")[0] if "第" in key else re.split(r"[0-9零〇一二两三四五六七八九十百]", key)[0]
        tail = re.sub(r"^.*?(研究所|研究院|所|院)", "", key[len(head):], count=1)
        g = _own_group(idx.get(head, set()) - {own}, parents)
        if len(g) == 1 and not tail:
            return (next(iter(g)), found[0][1], found[0][0])
        return None
    toks = key.split()
    found = set(numbered_in_tokens(toks))
    if not found and len(toks) >= 2 and toks[-1].isdigit():
        found = {(int(toks[-1]), "institute")}
    if len(found) != 1:
        return None
    n, kind = next(iter(found))
    rest = [t for t in toks if t not in _NUM_NOISE and not re.match(r"^\d+(st|nd|rd|th)?$", t) and t not in _ORDINAL_WORDS]
    group = None
    i = 0
    while i < len(rest):  # the rest must be names of one group only ("cetc", "china electronics … corporation")
        for ln in range(len(rest) - i, 0, -1):
            g = _own_group(idx.get(" ".join(rest[i:i + ln]), set()) - {own}, parents)
            if len(g) == 1 and (group is None or g == {group}):
                group, i = next(iter(g)), i + ln
                break
        else:
            return None
    return (group, kind, n) if group else None


_NUM_UNIT = frozenset("institute institutes academy research center centre laboratory lab".split())
_ORDINAL_WORDS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())


def _numbered_unions(uf: UnionFind, nodes: list[Node]) -> tuple[dict[str, tuple[str, str, int]], dict[tuple[str, str], tuple[str, str, int]]]:
    """Merge names that read as the same numbered unit of the same group. A name whose number
    contradicts its record's own canonical name ("CETC Research Institute 39" printed on the
    CETC 38 entry) is kept for that list entry only."""
    idx = _name_index(uf, nodes, DECIDING + ("abbreviation",))
    num_of: dict[str, tuple[str, str, int]] = {}
    drop: dict[tuple[str, str], tuple[str, str, int]] = {}
    for n in nodes:
        if n.country not in ("", *_CN):
            continue
        own = uf.find(n.nid)
        ups = frozenset(uf.find(p) for p, _, _ in n.parents if p in uf.p)
        base = parse_numbered(name_key(n.canonical), idx, own, ups)
        parsed = {name_key(nm): parse_numbered(name_key(nm), idx, own, ups) for nm, kind, _, _ in n.names if kind != "weak_alias"}
        alias_keys = {v for v in parsed.values() if v}
        if not base and len(alias_keys) == 1 and _NUM_UNIT & set(name_key(n.canonical).split()):
            base = next(iter(alias_keys))  # one numbered alias of a unit: "CETC 10th Research Institute"
            # (a group's entry that prints one subsidiary's numbered name is not that subsidiary)
        for k, got in parsed.items():
            if got and got != base:
                drop[(n.nid, k)] = got
        if base:
            num_of[n.nid] = base
    first: dict[tuple[str, str, int], str] = {}
    for nid, (g, kind, num) in sorted(num_of.items()):
        key = (uf.find(g), kind, num)
        uf.union(nid, first.setdefault(key, nid))
    return num_of, drop


def _org_key(members: list[Node]) -> str:
    ids = sorted({m.nid for m in members if "#" not in m.nid})
    for pref in (lambda x: ":" not in x, lambda x: x.startswith("ror:"), lambda x: not x.startswith("hipo:"), lambda x: True):
        got = [x for x in ids if pref(x)]
        if got:
            return got[0]
    return sorted(m.nid for m in members)[0]


def _cluster_kind(members: list[Node]) -> str:
    order = [m for m in members if ":" not in m.nid] + [m for m in members if m.nid.startswith("ror:")] + members
    for m in order:
        if m.kind and m.kind != "other":
            return m.kind
    return "other"


def build_rows() -> dict[str, list[tuple[str, ...]]]:
    """All output rows (deterministic): orgs, names, edges, links and places."""
    nodes = list_nodes() + ror_nodes() + curated_nodes()
    nodes += hipo_nodes({(n.country, name_key(nm)) for n in nodes for nm, *_ in n.names})
    place_list = place_rows(nodes)
    places = {r[0] for r in place_list}
    vocab = common_vocabulary(nodes)
    taken = frozenset(name_key(n.canonical) for n in nodes)  # another record's own name is not derived onto this one
    rare = rare_words(nodes, places)
    for n in nodes:
        if n.links or (":" not in n.nid and n.kind == "company"):
            _derived_names(n, places, vocab, taken, rare)
    uf = UnionFind()
    _identity_unions(uf, nodes)
    _aspi_unit_unions(uf, nodes)
    scoped = _alias_unions(uf, nodes)
    num_of, conflicts = _numbered_unions(uf, nodes)
    scoped |= set(conflicts)
    BUILD_LOG[:] = _duplicate_unions(uf, nodes, places)
    drop: set[tuple[str, str]] = set()
    clusters: dict[str, list[Node]] = defaultdict(list)
    for n in nodes:
        clusters[uf.find(n.nid)].append(n)
    key_of = {root: _org_key(ms) for root, ms in clusters.items()}
    okey = lambda nid: key_of[uf.find(nid)]  # noqa: E731
    rows: dict[str, list[tuple[str, ...]]] = {k: [] for k in FILES}
    kinds: dict[str, str] = {}
    for root, ms in clusters.items():
        k = key_of[root]
        kinds[k] = _cluster_kind(ms)
        head = next((m for m in ms if ":" not in m.nid), None) or next((m for m in ms if m.nid.startswith("ror:") and m.country), None) or sorted(ms, key=lambda m: m.nid)[0]
        country = head.country or next((m.country for m in ms if m.country), "")
        city = head.city or next((m.city for m in ms if m.city), "")
        rors = sorted({r for m in ms for r in m.rors})
        rows["orgs"].append((k, head.canonical, kinds[k], country, city, ";".join(rors), "; ".join(sorted({m.source for m in ms}))))
        rows["names"] += _cluster_names(k, ms, scoped, drop, places)
        rows["links"] += _cluster_links(k, ms, kinds[k])
    idx = _name_index(uf, nodes, DECIDING)
    # a body with a hand-curated parent loses ROR's parent links (as in the curated build: ROR's
    # links go stale, and a government parent such as SASAC would make it look like a joint body)
    curated_child = {okey(n.nid) for n in nodes for _, _, src in n.parents if src.startswith("curated:")}
    for n in nodes:
        for parent, rel, src in n.parents:
            if n.nid.startswith("ror:") and src.endswith("parent link") and okey(n.nid) in curated_child:
                continue
            if parent.startswith("name:"):
                got = idx.get(parent[5:], set())
                if len(got) != 1:
                    continue
                parent = next(iter(got))
            if parent not in uf.p:
                continue
            c, p = okey(n.nid), okey(parent)
            if c != p:
                rows["edges"].append((c, p, rel, src))
    for nid, (g, kind, num) in num_of.items():
        c, p = okey(nid), okey(g)
        rows["names"].append((c, f"{kind} {num} of {p}", f"#{p}#{kind}#{num}", "numbered", "", "numbered-institute rule over the graph's names"))
        if c != p:
            rows["edges"].append((c, p, "subsidiary_of" if kinds.get(p) == "company" else "unit_of", "numbered-institute rule over the graph's names"))
    byn = {n.nid: n for n in nodes}
    for (nid, _), (g, kind, num) in sorted(conflicts.items()):
        n = byn[nid]
        if n.links:
            sc = f"{n.links[0][0]}:{n.links[0][1]}"
            rows["names"].append((okey(nid), f"{kind} {num} of {okey(g)}", f"#{okey(g)}#{kind}#{num}", "numbered", sc, f"{n.source} (printed on this entry only)"))
    rows["edges"] += name_rule_edges(rows["orgs"], rows["names"], rows["edges"], rows["links"], places, vocab)
    rows["names"] = promote_group_aliases(rows["names"], rows["edges"])
    rows["edges"] += group_alias_edges(rows["names"], rows["edges"], rows["links"], kinds)  # after: a unit's weak name is no group acronym
    rows["names"] = unit_names_leave_group(rows["names"], rows["edges"])
    rows["names"] = ror_aliases_yield(rows["names"])
    rows["names"] += unit_head_names(rows["names"], rows["edges"])
    rows["places"] = place_list
    rows["provinces"] = province_rows()
    rows["shared"] = shared_name_rows(rows)
    return {k: sorted(set(v)) for k, v in rows.items()}


def _ancestor_fn(edges: list[tuple[str, ...]]):
    """``ancestors(key)``: every organisation above ``key`` over the edges (cycles tolerated)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for c, p, *_ in edges:
        parents[c].add(p)

    def ancestors(k: str) -> set[str]:
        seen: set[str] = set()
        todo = list(parents.get(k, ()))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo += parents.get(x, ())
        return seen

    return ancestors


_TIE = frozenset("affiliated affiliate attached to of the under".split())


def unit_head_names(names: list[tuple[str, ...]], edges: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A unit named as another body's name plus its parent's ("Zhongshan Hospital, Xiamen
    University", "Zhongshan Hospital Affiliated to Xiamen University") also bears that other
    name: it is added as the unit's weak alias, so the shared-name rule sees both bodies.

    >>> unit_head_names([("h", "Zhongshan Hospital of Xiamen University", "zhongshan hosp xiamen university", "canonical", "", "s"),
    ...                  ("x", "Xiamen University", "xiamen university", "canonical", "", "s"),
    ...                  ("z", "Zhongshan Hospital", "zhongshan hosp", "canonical", "", "s")], [("h", "x", "unit_of", "s")])[0][:4]
    ('h', 'Zhongshan Hospital', 'zhongshan hosp', 'weak_alias')
    """
    ancestors = _ancestor_fn(edges)
    text_of: dict[str, tuple[str, set[str]]] = {}
    keys_of: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r[3] in DECIDING and not r[4]:
            text_of.setdefault(r[2], (r[1], set()))[1].add(r[0])
            keys_of[r[0]].add(r[2])
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in names:
        if r[3] not in DECIDING or r[4]:
            continue
        for a in sorted(ancestors(r[0])):
            for pk in sorted(keys_of.get(a, ())):
                hk = _head_key(r[2], pk)
                got = text_of.get(hk)
                if hk and got and r[0] not in got[1] and hk not in keys_of[r[0]]:
                    text = hk if has_cjk_key(hk) else next((x.strip() for x in re.split(r",|\s+(?:affiliated to|of the|of)\s+", r[1], flags=re.I) if name_key(x) == hk), got[0])
                    out.setdefault((r[0], hk), (r[0], text, hk, "weak_alias", "", f"name rule: '{r[1]}' is '{text}' plus its parent's name"))
    return sorted(out.values())


def _head_key(key: str, parent: str) -> str:
    """``key`` without its parent's name and the tie words next to it ('' when the parent's name
    is not at either end): "zhongshan hosp affiliated to xiamen university" → "zhongshan hosp",
    厦门大学附属中山医院 → 中山医院.

    >>> _head_key("厦门大学附属中山医院", "厦门大学"), _head_key("renji hosp shanghai", "fudan university")
    ('中山医院', '')
    """
    if has_cjk_key(key):
        rest = key[len(parent):] if key.startswith(parent) and has_cjk_key(parent) else ""
        rest = rest[2:] if rest.startswith("附属") else rest
        return rest if len(rest) >= 2 else ""
    head = key[: -len(parent) - 1] if key.endswith(" " + parent) else key[len(parent) + 1:] if key.startswith(parent + " ") else ""
    toks = head.split()
    while toks and toks[-1] in _TIE:
        toks.pop()
    return " ".join(toks)


def has_cjk_key(key: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", key))


CLAIM_KINDS = frozenset(DECIDING) | {"weak_alias", "abbreviation"}


def shared_name_rows(rows: dict[str, list[tuple[str, ...]]]) -> list[tuple[str, ...]]:
    """The shared-name rule: a name key that several bodies bear (any name kind but numbered,
    for the whole body, not one list entry) whose list roll-ups differ, none of them an ancestor
    of all the others, cannot decide alone ("Zhongshan Hospital": Fudan's, Xiamen's, Sun Yat-sen's).
    One row per (key, body) with the body's roll-up.

    >>> rows = {"orgs": [(k, k, "hospital", "CN", "", "", "s") for k in ("a", "b", "u")],
    ...         "names": [("a", "Zhongshan Hospital", "zhongshan hosp", "canonical", "", "s"), ("b", "Zhongshan Hospital", "zhongshan hosp", "weak_alias", "", "s")],
    ...         "edges": [("a", "u", "unit_of", "s")], "links": [("u", "1286", "u", "all", "s")], "places": []}
    >>> [r[:2] for r in shared_name_rows(rows)]
    [('zhongshan hosp', 'a'), ('zhongshan hosp', 'b')]
    """
    from biblio.orgs.graph import graph_from_rows

    g = graph_from_rows({f: [dict(zip(FILES[f], r)) for r in rows[f]] for f in ("orgs", "names", "edges", "links", "places")})
    listed_weak: dict[str, set[str]] = defaultdict(set)  # a list's own weak alias (a group's name printed on its affiliates' entries) claims nothing
    keys_of: dict[str, set[str]] = defaultdict(set)
    for r in rows["names"]:
        if r[3] == "weak_alias" and r[5].startswith("list "):
            listed_weak[r[2]].add(r[0])
        if r[3] in DECIDING and not r[4]:
            keys_of[r[0]].add(r[2])
    out = []
    for key, refs in sorted(g.names.items()):
        claims: dict[str, str] = {}
        for r in refs:
            if not r.scope and r.kind in CLAIM_KINDS and r.org not in listed_weak.get(key, ()) and _KIND_RANK[r.kind] < _KIND_RANK.get(claims.get(r.org, "numbered"), 9):
                claims[r.org] = r.kind
        rivals = _rivals(claims, g, keys_of) if len(claims) > 1 and not key.startswith("#") else {}
        src = f"shared-name rule: {len(rivals)} bodies bear this name, with different list roll-ups"
        out += [(key, o, k, ";".join(sorted(f"{lk}:{ek}" for lk, ek in g.rollup(o))), src) for o, k in sorted(rivals.items())]
    return out


def _rivals(claims: dict[str, str], g: Any, keys_of: dict[str, set[str]]) -> dict[str, str]:
    """The bearers of one name that only the string can tell apart: records of one body are
    counted once (the one with the widest roll-up), and none are rivals when their roll-ups are
    equal or one bearer is an ancestor of all the others.

    Example: a list's "Chinese Academy of Sciences Changchun Institute of Optics …" and ROR's
    "Changchun Institute of Optics …" (parent: the Chinese Academy of Sciences) are one body."""
    ups = {o: g.rollup(o) for o in claims}
    order = sorted(claims, key=lambda o: (-len(ups[o]), o))
    reps: list[str] = []
    for o in order:
        if not any(_one_body(o, r, g, keys_of) or _one_body(r, o, g, keys_of) for r in reps):
            reps.append(o)
    if len({ups[o] for o in reps}) <= 1 or any(all(o == x or o in g.ancestors(x) for x in reps) for o in reps):
        return {}
    return {o: claims[o] for o in reps}


def _no_for(key: str) -> str:
    """A name key without "for" (name keys already drop "of"): "laboratory for marine" = "laboratory marine"."""
    return " ".join(t for t in key.split() if t != "for")


def _one_body(a: str, b: str, g: Any, keys_of: dict[str, set[str]]) -> bool:
    """True when one of ``a``'s names is one of ``b``'s plus the name of ``b``'s own parent
    ("Chinese Academy of Sciences – Institute of X" for ROR's "Institute of X" under CAS): two
    records of one body, not two bodies.

    >>> from types import SimpleNamespace as NS
    >>> g = NS(parents={"ror": [("cas", "unit_of", "s")]}, orgs={"el": NS(country="CN"), "ror": NS(country="CN")})
    >>> _one_body("el", "ror", g, {"el": {"cas x"}, "ror": {"x"}, "cas": {"cas"}})
    True
    """
    mine = keys_of.get(a, set())
    theirs = keys_of.get(b, set())
    if g.orgs[a].country == g.orgs[b].country and {_no_for(k) for k in mine - theirs if " for " in f" {k} "} & {_no_for(k) for k in theirs - mine}:
        return True  # "Qingdao National Laboratory for/of Marine Science and Technology"
    for p, _, _ in g.parents.get(b, ()):
        for k in keys_of.get(b, ()):
            if any(f"{pk} {k}" in mine or f"{k} {pk}" in mine for pk in keys_of.get(p, ())):
                return True
    return False


def unit_names_leave_group(names: list[tuple[str, ...]], edges: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A unit's name that a list prints among its group's aliases, and that the curated tables or
    the unit's own list entry give the unit itself, names the unit only (it still rolls up to the
    group). E.g. 1260H prints "China Haiying Electromechanical Technology Academy" under CASIC; it is
    CASIC's Third Academy. ASPI prints "HPSTAR" among CAEP's names; the Entity List and 1286 print
    it on HPSTAR's own entry."""
    ancestors = _ancestor_fn(edges)
    curated: dict[str, set[str]] = defaultdict(set)
    claim: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r[3] not in ("weak_alias", "numbered") and r[5].startswith("curated:"):
            curated[r[2]].add(r[0])
            claim[r[2]].add(r[0])
        elif r[3] in DECIDING and r[5].startswith("list ") and not r[4]:
            claim[r[2]].add(r[0])
    return [r for r in names if not (
        r[3] not in ("canonical", "numbered") and not r[5].startswith("curated:") and r[0] not in curated.get(r[2], ())
        and any(r[0] in ancestors(u) for u in claim.get(r[2], set()) - {r[0]}))]


def group_alias_edges(names: list[tuple[str, ...]], edges: list[tuple[str, ...]], links: list[tuple[str, ...]],
                      kinds: dict[str, str]) -> list[tuple[str, ...]]:
    """A listed body without a parent whose own entry name (canonical) one other listed body's
    entry prints among its names is that body's unit (subsidiary for a company): ASPI prints
    "Center for High Pressure Science & Technology Advanced Research" and "China Jiuyuan Trading
    Corporation" among CAEP's names; the Entity List has them as entries of their own. A brand
    name several groups print decides nothing.

    >>> group_alias_edges([("x", "HPSTAR Centre", "hpstar centre", "canonical", "", "list entity_list"),
    ...                    ("g", "HPSTAR Centre", "hpstar centre", "strong_alias", "aspi:g", "list aspi")],
    ...                   [], [("x", "entity_list", "x", "all", "s"), ("g", "aspi", "g", "all", "s")], {"x": "other"})
    [('x', 'g', 'unit_of', "list aspi prints 'HPSTAR Centre', this body's own entry name, among g's names")]
    """
    listed = {r[0] for r in links}
    ancestors = _ancestor_fn(edges)
    has_parent = {r[0] for r in edges}
    own: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r[3] == "canonical" and not r[4] and r[0] in listed and r[0] not in has_parent:
            own[r[2]].add(r[0])
    groups: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for r in names:
        if r[3] == "strong_alias" and r[5].startswith("list ") and "(brand:" not in r[5] and r[0] in listed:
            for x in own.get(r[2], ()):
                if x != r[0] and x not in ancestors(r[0]):
                    groups[x].setdefault(r[0], r)
    out = []
    for x, gs in sorted(groups.items()):
        if len(gs) == 1:
            g, r = next(iter(gs.items()))
            rel = "subsidiary_of" if kinds.get(x) == "company" else "unit_of"
            out.append((x, g, rel, f"{r[5]} prints '{r[1]}', this body's own entry name, among {g}'s names"))
    return out


def promote_group_aliases(names: list[tuple[str, ...]], edges: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A weak alias claimed by an organisation and otherwise only by its own units (a group's
    acronym printed on each subsidiary's entry, "CASC") decides for that organisation."""
    ancestors = _ancestor_fn(edges)
    claim: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r[3] != "numbered":
            claim[r[2]].add(r[0])
    out = []
    for r in names:
        if r[3] == "weak_alias" and len(claim[r[2]]) > 1 and all(r[0] in ancestors(o) for o in claim[r[2]] - {r[0]}):
            r = (*r[:3], "strong_alias", r[4], r[5] + " (group name printed on its units' entries)")
        out.append(r)
    return out


def _generic_key(key: str, places: set[str]) -> bool:
    """True when every word is a unit, business or place word, a number or a tie ("Research
    Institute 14", "Beijing Research Center"); a number with a place is a numbered institute of
    that city ("Nanjing 841 Institute", "Chengdu 29 Institute"), and a second place word right
    after the first, the two no place together, is a trade name ("Zhejiang Nanyang Technology",
    "Shenzhen Sanhe Technology"): not generic.

    >>> _generic_key("research institute 14", {"nanjing"}), _generic_key("nanjing 841 institute", {"nanjing"})
    (True, False)
    >>> _generic_key("zhejiang nanyang technol", {"zhejiang", "nanyang"}), _generic_key("xi an technol", {"xi", "an", "xi an"})
    (False, True)
    """
    from biblio.orgs.match import UNIT_WORDS

    toks = key.split()
    if any(t.isdigit() for t in toks) and any(t in places for t in toks):
        return False
    if len(toks) >= 3 and toks[0] in places and toks[1] in places and toks[0] != toks[1] and f"{toks[0]} {toks[1]}" not in places:
        return False
    return all(t in UNIT_WORDS or t in _BUSINESS or t in places or t.isdigit() or t in ("no", "and", "china", "national", "state") for t in toks)


def _cluster_names(k: str, ms: list[Node], scoped: set[tuple[str, str]], drop: set[tuple[str, str]], places: set[str]) -> list[tuple[str, ...]]:
    """One row per (key, scope) of a cluster, best name kind first; a place name never names a
    body (an alias "Shenzhen" is dropped); each name also under its key with the country kept."""
    best: dict[tuple[str, str], tuple[str, ...]] = {}
    for m in ms:
        scope_of = f"{m.links[0][0]}:{m.links[0][1]}" if m.links else ""
        for name, kind, scope, src in m.names:
            nk = name_key(name)
            if (m.nid, nk) in drop or (nk in places and kind != "canonical"):
                continue
            if kind in ("strong_alias", "abbreviation", "former") and _generic_key(nk, places) and not (kind == "former" and nk in m.dated):
                kind = "weak_alias"  # "SCH" (→ "school"), "Research Institute 14": never decisive
            sc = scope or (scope_of if (m.nid, nk) in scoped and kind not in ("canonical", "zh_hans", "zh_hant") else "")
            for key in dict.fromkeys((nk, name_key(name, False))):
                row = (k, name, key, kind, sc, src)
                cur = best.get((key, sc))
                if cur is None or _KIND_RANK.get(kind, 9) < _KIND_RANK.get(cur[3], 9):
                    best[(key, sc)] = row
    return list(best.values())


def _cluster_links(k: str, ms: list[Node], kind: str) -> list[tuple[str, ...]]:
    out = []
    for m in ms:
        for lk, ek, scope, src in m.links:
            out.append((k, lk, ek, scope, src))
    return out


_NOT_BRAND = frozenset("school college department institute university research laboratory center hosp hospital academy".split())
_BUSINESS = frozenset("technologies technology technol group holdings holding co ltd limited inc corp corporation company".split())


def common_vocabulary(nodes: list[Node]) -> frozenset[str]:
    """Words of foreign organisation names (ROR look-alikes and Hipo, in 3+ names): a name made
    only of these, with no place, is generic ("Institute of Aeronautics and Astronautics").
    A body's own site abroad (a node with a parent, e.g. Huawei's labs in Europe) is not a
    foreign organisation here: its brand must not become a common word."""
    df: dict[str, int] = defaultdict(int)
    for n in nodes:
        if n.country and n.country not in _CN and n.country != "TW" and not n.parents:
            for t in set(name_key(n.canonical).split()):
                df[t] += 1
    return frozenset(t for t, c in df.items() if c >= 3)


def rare_words(nodes: list[Node], places: set[str], *, most: int = 4) -> frozenset[str]:
    """Words that at most ``most`` name families use (a family: the first word of a record's
    canonical name after its places). A brand of several words needs one of them
    ("Zhichun Precision Gas", "Sevenstar Integrated Circuit Equipment"), so that a brand made of
    trade words that many families use ("Integrated Circuit", "Opto-Electronics") never decides."""
    heads: dict[str, set[str]] = defaultdict(set)
    for n in nodes:
        toks = name_key(n.canonical).split()
        head = next((t for t in toks if t not in places), "")
        for t in set(toks):
            heads[t].add(head)
    return frozenset(t for t, h in heads.items() if len(h) <= most)


def _distinctive_brand(toks: list[str], rare: frozenset[str] | None) -> bool:
    """A derived brand decides only when distinctive: one word that is no English word
    ("Huawei", not "Most"), or several with one rare non-dictionary word ("Zhichun Precision Gas",
    not "Integrated Circuit").

    >>> _distinctive_brand(["most"], frozenset())
    False
    """
    words = english_words()
    if rare is not None and len(toks) > 1:
        return any(t in rare and t not in words for t in toks)
    return toks[0] not in words and toks[0].rstrip("s") not in words


def _derived_names(n: Node, places: set[str], vocab: frozenset[str], taken: frozenset[str] = frozenset(),
                   rare: frozenset[str] | None = None) -> None:
    """Names a listed entry implies: the name before its address ("X Co., Ltd., Chengdu,
    Sichuan" → "X Co., Ltd.") and, for companies, the brand without its business words
    ("Huawei Technologies Co., Ltd." → "Huawei"), when the brand is not generic or a place."""
    from rigour.names.org_types import remove_org_types

    derived = []
    for name, kind, _, src in list(n.names):
        if kind != "canonical":
            continue
        bare = remove_org_types(name).strip(" ,.")
        bk = name_key(bare)
        if bk and bk != name_key(name) and (name_key(name).split()[:1] == bk.split()[:1] or len(bk.split()) >= 3) and any(t not in vocab and t not in places and len(t) >= 3 for t in bk.split()):
            derived.append((bare, "strong_alias", f"{src} (legal form removed by rigour)"))  # a leading form only when a real name is left: "IS?Vision" is not "IS" + "Vision"
        parts = [p.strip() for p in name.split(",")]
        if len(parts) > 1 and all(name_key(p) in places or not name_key(p) for p in parts[1:] if name_key(p) not in _BUSINESS):
            head = parts[0]
            derived.append((head, "strong_alias", f"{src} (name before its address)"))
            name = head
        toks = name_key(name).split()
        trimmed = list(toks)
        while len(trimmed) > 1 and trimmed[-1] in _BUSINESS:
            trimmed.pop()
        while len(trimmed) > 2 and trimmed[-2:] == ["science", "and"]:
            trimmed = trimmed[:-2]
        while len(trimmed) > 1 and trimmed[0] in places and trimmed[0] != "china":
            trimmed = trimmed[1:]  # "Zhejiang Dahua Technology" → "Dahua"
        if (n.kind == "company" and len(trimmed) < len(toks) and trimmed and trimmed[0] not in places
                and any(t not in vocab and t not in places and t not in _NOT_BRAND and len(t) >= 3 for t in trimmed)
                and _distinctive_brand(trimmed, rare)):
            derived.append((" ".join(trimmed), "strong_alias", f"{src} (brand: name without business words)"))
    have = {name_key(nm) for nm, *_ in n.names}
    for name, kind, _, src in list(n.names):  # 中国人民解放军国防科技大学 is printed as 国防科技大学
        rest = name[len(_PLA_ZH):]
        if kind not in DECIDING or not name.startswith(_PLA_ZH) or len(rest) < 4:
            continue
        if name_key("解放军" + rest) not in have:  # the short prefix keeps it a PLA name: 解放军信息工程大学
            derived.append(("解放军" + rest, "strong_alias", f"{src} (short PLA prefix)"))
        if name_key(rest) not in have and any(w in rest for w in _MIL_ZH):
            derived.append((rest, "strong_alias", f"{src} (without the PLA prefix; the rest still names a military body)"))
    for name, kind, _, src in list(n.names):  # "X a.k.a. Y", "X (CHETA)": X and Y are names too
        if kind not in ("canonical", "strong_alias", "former"):
            continue
        m = _ABBR_PAREN.match(name)
        pieces = [p.strip(" ,;()") for p in _AKA.split(name)] if _AKA.search(name) else [m.group(1)] if m else []
        for piece in pieces:
            pk = name_key(piece)
            if pk and pk not in have and pk not in taken and len(pk.split()) >= 3 and not _generic_key(pk, places):
                derived.append((piece, "strong_alias", f"{src} (one name of a printed 'a.k.a.' or 'name (ABBR)')"))
                have.add(pk)
    for name, kind, _, src in list(n.names):
        bare = zh_bare_name(name) if kind in ("canonical", "strong_alias", "zh_hans", "zh_hant") else ""
        if bare and name_key(bare) not in places:
            derived.append((bare, "zh_hans", f"{src} (Chinese legal form removed)"))
    keys = {name_key(nm) for nm, kind, _, _ in n.names if kind in DECIDING}
    for name, kind, _, src in list(n.names):
        m = _ABBR_PAREN.match(name)
        if m and name_key(m.group(1)) in keys and kind != "weak_alias":
            derived.append((m.group(2), "abbreviation", f"{src} (abbreviation printed after the name)"))
    for name, kind, src in derived:
        n.add_name(name, kind, src)


_AKA = re.compile(r"\(?\s*\b(?:a\.k\.a\.?|also known as)\s*,?\s*", re.IGNORECASE)
_PLA_ZH = "中国人民解放军"
_MIL_ZH = ("军", "国防", "武警", "战略支援", "火箭")  # "外国语学院" alone is any university's school
_ZH_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "总公司", "公司")


def zh_bare_name(name: str) -> str:
    """A Chinese company name without its legal form, when what is left still names a body
    (four or more characters): papers print 中国长江三峡集团有限公司 where a record says
    中国长江三峡集团公司; both contain 中国长江三峡集团.

    >>> zh_bare_name("中国长江三峡集团公司"), zh_bare_name("华为公司")
    ('中国长江三峡集团', '')
    """
    s = to_simplified(name).strip()
    if not re.fullmatch(r"[\u4e00-\u9fff（）()]+", s):
        return ""
    for form in _ZH_LEGAL_FORMS:
        if s.endswith(form):
            bare = re.sub(r"[（(]集团[)）]$", "", s[: -len(form)])
            return bare if len(bare) >= 4 else ""
    return ""


_ABBR_PAREN = re.compile(r"^(.*\S)\s*\(([A-Za-z][A-Za-z0-9\-]{1,9})\)\s*$")
_SHORT_PLACES = frozenset({"usa", "uk", "uae", "us", "prc"})


def _others_word(key: str, cc: str, by_country: dict[str, int]) -> bool:
    """True for a one-word place name that organisations of other countries use in their names
    (3 or more) and none of its own country does: "Island" is Iceland in German, but "Rhode
    Island", "Long Island" and "Prince Edward Island" name it; likewise "Valley" (Anguilla),
    "Jersey" ("New Jersey"). "Kura Kura Island, Bali" is then not placed in Iceland.

    >>> _others_word("island", "IS", {"US": 7, "CA": 2}), _others_word("bangkok", "TH", {"TH": 4})
    (True, False)
    """
    return " " not in key and by_country.get(cc, 0) == 0 and sum(by_country.values()) >= 3


def place_rows(nodes: list[Node]) -> list[tuple[str, ...]]:
    """Place names → country code: rigour's territory names (countries and subdivisions) and
    the cities of the ROR records (a city name used in two countries is left out). A foreign
    place name that is a common word of Chinese organisations' names ("Engineering",
    "Global"), or a word that only other countries' organisations use ("Island", "Valley"),
    is left out."""
    cn_df: dict[str, int] = defaultdict(int)
    abroad_df: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n in nodes:
        for t in set(name_key(n.canonical).split()):
            if n.country in _CN:
                cn_df[t] += 1
            elif n.country and n.country != "TW":
                abroad_df[t][n.country] += 1
    from rigour.territories.lookup import _get_territory_names  # the names lookup_territory uses

    rows: dict[str, tuple[str, ...]] = {}
    for name, terr in sorted(_get_territory_names().items()):
        k = name_key(name)
        if not k or (len(k) < 4 and k not in _SHORT_PLACES and not has_cjk_key(k)) or re.search(r"\d", k):  # 上海, 香港: two characters name a place
            continue
        cc = terr.code.split("-")[0].upper()
        if cc not in _CN and (cn_df.get(k, 0) >= 5 or _others_word(k, cc, abroad_df.get(k, {}))):
            continue
        same = name_key(terr.name) if has_cjk_key(k) else ""  # 上海 = Shanghai, for a body's city
        rows.setdefault(k, (k, cc, "territory" if "-" not in terr.code else "subdivision", "rigour territories", same))
    cities: dict[str, set[str]] = defaultdict(set)
    for fname in ("ror_cn_hk_mo_tw.jsonl", "ror_lookalikes_non_cn.jsonl"):
        for line in (RAW / fname).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("city") and r.get("country_code"):
                cities[name_key(r["city"])].add(r["country_code"])
    for k, ccs in sorted(cities.items()):
        if k and len(ccs) == 1 and k not in rows and len(k) >= 4 and (ccs <= set(_CN) or cn_df.get(k, 0) < 5):
            rows[k] = (k, next(iter(ccs)), "city", "ROR record cities", "")
    return list(rows.values())


def province_rows() -> list[tuple[str, ...]]:
    """Place-name key → PRC province (ISO 3166-2, "CN-GD"): the provinces' own names in rigour's
    territory data ("guangdong", "广东", "inner mongolia") and the cities of GeoNames' cities15000
    (``raw/geonames_cn_cities.csv``, written by ``scripts/build_cn_cities.py``), so a string that
    names a province can pick the bearer of a shared name whose city lies in it.

    >>> ("xiamen", "CN-FJ") in {r[:2] for r in province_rows()}
    True
    """
    from rigour.territories.lookup import _get_territory_names

    rows: dict[str, tuple[str, ...]] = {}
    for name, terr in sorted(_get_territory_names().items()):
        if terr.code.startswith("cn-") and "china" not in name.casefold():
            for k in dict.fromkeys((name_key(name), name_key(name, False))):
                if k:
                    rows.setdefault(k, (k, terr.code.upper(), "province", "rigour territories"))
    for r in _read_csv(RAW / "geonames_cn_cities.csv"):
        rows.setdefault(r["key"], (r["key"], r["province"], "city", r["source"]))
    return list(rows.values())


def write(out_dir: Path = DATA) -> dict[str, int]:
    """Build and write ``orgs.csv``, ``names.csv``, ``edges.csv``, ``links.csv``, ``places.csv``."""
    rows = build_rows()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, header in FILES.items():
        with (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows[name])
    return {k: len(v) for k, v in rows.items()}



def _group_prefix_edges(orgs: list[tuple[str, ...]], names: list[tuple[str, ...]], has_parent: set[str], vocab: frozenset[str]) -> list[tuple[str, ...]]:
    """A body whose name begins with a group's abbreviation ("AECC Commercial Aircraft Engine
    Co., Ltd.", "CETC Cyberspace Security Technology") is a subsidiary of that group."""
    kind = {r[0]: r[2] for r in orgs}
    country = {r[0]: r[3] for r in orgs}
    abbr: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if (r[3] in ("abbreviation", "strong_alias") and not r[4] and " " not in r[2] and len(r[2]) >= 3 and kind.get(r[0]) in ("company", "academy")
                and r[1].strip().isupper() and r[2] not in vocab):
            abbr[r[2]].add(r[0])
    out = []
    for r in names:
        if r[0] in has_parent or r[3] != "canonical" or country.get(r[0]) not in ("CN", "HK", "MO", ""):
            continue
        toks = r[2].split()
        got = abbr.get(toks[0], set()) - {r[0]} if len(toks) >= 2 else set()
        if len(got) == 1:
            out.append((r[0], next(iter(got)), "subsidiary_of", f"name rule: '{r[1]}' begins with its group's abbreviation"))
    return out


def _campus_abroad_edges(names: list[tuple[str, ...]], listed_names: dict[str, set[str]], listed: set[str], has_parent: set[str],
                         country: dict[str, str], places: set[str]) -> set[tuple[str, ...]]:
    """A body abroad named as a listed PRC body plus places ("Xiamen University Malaysia") is that
    body's site abroad, unless a body abroad also bears the listed name (Northeastern University
    London is Boston's campus, not Shenyang's)."""
    foreign_names = {r[2] for r in names if r[3] == "canonical" and country.get(r[0]) not in ("", *_CN, "TW")}
    out: set[tuple[str, ...]] = set()
    for r in names:
        org = r[0]
        if org in listed or org in has_parent or country.get(org) in ("", *_CN, "TW") or r[3] != "canonical":
            continue
        toks = r[2].split()
        for j in range(len(toks) - 1, 1, -1):
            head, rest = " ".join(toks[:j]), toks[j:]
            got = listed_names.get(head, set())
            if len(got) == 1 and head not in foreign_names and all(t in places for t in rest) and country.get(next(iter(got))) in _CN:
                out.add((org, next(iter(got)), "unit_of", f"name rule: '{r[1]}' is a listed body's name plus a place abroad"))
                break
    return out


_STRICT_UNIT = frozenset("school college department faculty institute hospital hosp affiliated campus branch graduate laboratory center division".split())


def ror_aliases_yield(names: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A ROR alias that is another organisation's canonical name is dropped (ROR's "Sensetime
    (China)" lists its Beijing subsidiary's name, which the Entity List prints as its own entry)."""
    canon: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if r[3] in ("canonical", "zh_hans", "zh_hant") and not r[4]:
            canon[r[2]].add(r[0])
    return [r for r in names if not (r[3] == "strong_alias" and r[5].startswith("ROR") and canon.get(r[2], {r[0]}) - {r[0]})]


def name_rule_edges(orgs: list[tuple[str, ...]], names: list[tuple[str, ...]], edges: list[tuple[str, ...]],
                    links: list[tuple[str, ...]], places: set[str], vocab: frozenset[str]) -> list[tuple[str, ...]]:
    """Unit edges read from names: an unlisted PRC body without a parent whose name is a listed
    body's name plus unit words or a place ("Zhongnan Hospital of Wuhan University",
    "Peking University Shenzhen Hospital") is a unit of that body."""
    from biblio.orgs.match import UNIT_WORDS

    listed = {r[0] for r in links}
    has_parent = {r[0] for r in edges}
    country = {r[0]: r[3] for r in orgs}
    listed_names: dict[str, set[str]] = defaultdict(set)
    for r in names:
        if (r[0] in listed and r[3] in ("canonical", "former", "strong_alias") and not r[4] and len(r[2].split()) >= 2
                and any(t not in UNIT_WORDS and t not in vocab for t in r[2].split())):
            listed_names[r[2]].add(r[0])
    out: set[tuple[str, ...]] = set(_group_prefix_edges(orgs, names, has_parent, vocab))
    out |= _campus_abroad_edges(names, listed_names, listed, has_parent, country, places)
    for r in names:
        org = r[0]
        if org in listed or org in has_parent or country.get(org) not in ("CN", "HK", "MO") or r[3] not in ("canonical", "strong_alias"):
            continue
        toks = r[2].split()
        best = None
        for i in range(len(toks)):
            for j in range(len(toks), i + 1, -1):
                if (i, j) == (0, len(toks)):
                    continue
                got = listed_names.get(" ".join(toks[i:j]), set()) - {org}
                if len(got) == 1 and (best is None or j - i > best[1] - best[0]):
                    left, right = toks[:i], toks[j:]
                    lok = not left or left[-1] in _STRICT_UNIT or all(t in places for t in left)
                    rok = not right or right[0] in _STRICT_UNIT or all(t in places for t in right)
                    if lok and rok:
                        best = (i, j, next(iter(got)))
        if best:
            out.add((org, best[2], "unit_of", f"name rule: '{r[1]}' names a listed body plus unit words"))
    return sorted(out)


if __name__ == "__main__":
    print(write())


# ---------------------------------------------------------------------------------------
# duplicate records of one body (ROR record, list entry, ASPI lab entry, curated row)
# ---------------------------------------------------------------------------------------
_FAMILY = {"university": "university", "campus": "university", "hospital": "hospital", "company": "company",
           "military": "military", "academy": "research", "institute": "research", "lab": "research", "unit": "research"}
_IDENTITY_KINDS = ("canonical", "strong_alias", "zh_hans", "zh_hant")
BUILD_LOG: list[str] = []


def _identity_key(name: str, places: set[str]) -> str:
    """The key under which a name identifies one body, '' when it is too short or generic to
    ("Zhongshan Hospital", "Institute of Physics" name many bodies; a Chinese name of 6+
    characters or an English one of 3+ words that is not made of unit and place words does not)."""
    k = name_key(name)
    if has_cjk_key(k):
        return k if len(k.replace(" ", "")) >= 6 else ""
    return k if len(k.split()) >= 3 and not _generic_key(k, places) else ""


def _identity_keys(name: str, places: set[str]) -> list[str]:
    """:func:`_identity_key` of a name and of its two parts in the other order (a list's parent-first
    "Chinese Academy of Sciences – Aerospace Information Research Institute" is another list's
    "Aerospace Information Research Institute, Chinese Academy of Sciences").

    >>> _identity_keys("Chinese Academy of Sciences – Institute of Semiconductors", set())
    ['china academy science institute semiconductors', 'institute semiconductors china academy science']
    """
    parts = [p for p in re.split(r"\s*,\s*|\s+[-–—]\s+", name) if p.strip()]
    both = [name] + ([f"{parts[1]} {parts[0]}"] if len(parts) == 2 else [])
    return list(dict.fromkeys(k for k in (_identity_key(x, places) for x in both) if k))


def _cluster_facts(uf: UnionFind, nodes: list[Node], places: set[str]) -> dict[str, dict[str, Any]]:
    """Per cluster root: countries, cities, kind families, ROR IDs, parent roots, list entries,
    identity keys (and whether the cluster bears each as canonical/Chinese or only as an alias)."""
    facts: dict[str, dict[str, Any]] = {}
    for n in nodes:
        r = uf.find(n.nid)
        f = facts.setdefault(r, {"cc": set(), "city": set(), "fam": set(), "ror": set(), "up": set(), "entries": set(),
                                 "keys": {}, "hipo": False, "src": []})
        f["cc"] |= {n.country} - {""}
        f["city"] |= {name_key(n.city, False)} - {""}
        f["fam"] |= {_FAMILY[n.kind]} if n.kind in _FAMILY else set()
        f["ror"] |= n.rors
        f["up"] |= {p for p, _, _ in n.parents if not p.startswith("name:") and p in uf.p}
        f["entries"] |= {(lk, ek) for lk, ek, scope, _ in n.links if scope == "all"}
        f["hipo"] |= n.nid.startswith("hipo:")
        f["src"].append(n.nid)
        for name, kind, scope, src in n.names:
            ks = _identity_keys(name, places) if kind in _IDENTITY_KINDS and not scope and "(brand:" not in src else []
            for k in ks:
                f["keys"][k] = f["keys"].get(k, False) or kind != "strong_alias"
    return facts


def _same_body(a: dict[str, Any], b: dict[str, Any], ancestors) -> bool:
    """True when nothing tells two clusters bearing one full name apart: the same country (or
    one without, PRC scope only), the same city (or one without), compatible kinds, at most one
    ROR record, no two entries of one list, parents that agree (one without, a shared one, or
    one's parent above the other's), and neither above the other."""
    if a["hipo"] or b["hipo"] or (a["ror"] and b["ror"]) or (a["cc"] | b["cc"]) - set(_CN):
        return False
    for f in ("cc", "city", "fam"):
        if a[f] and b[f] and not a[f] & b[f]:
            return False
    for lk in {lk for lk, _ in a["entries"]} & {lk for lk, _ in b["entries"]}:
        if {e for e in a["entries"] if e[0] == lk} != {e for e in b["entries"] if e[0] == lk}:
            return False  # one list prints them as two entries
    anc_a, anc_b = ancestors(a["root"]), ancestors(b["root"])
    if a["root"] in anc_b or b["root"] in anc_a:
        return False
    ua, ub = a["up_roots"], b["up_roots"]
    return not ua or not ub or bool(ua & anc_b or ub & anc_a)


def _duplicate_unions(uf: UnionFind, nodes: list[Node], places: set[str]) -> list[str]:
    """Merge records of one body that no other rule joined: two clusters, and only two, bear one
    full name (canonical or Chinese on one side at least), and :func:`_same_body` finds nothing
    that tells them apart. E.g. the Entity List's "National Supercomputing Center in Guangzhou"
    and ROR's "National Supercomputer Center in Guangzhou" (国家超级计算广州中心, both under Sun
    Yat-sen University). Returns one log line per merge."""
    facts = _cluster_facts(uf, nodes, places)
    bearers: dict[str, list[str]] = defaultdict(list)
    for r, f in facts.items():
        for k in f["keys"]:
            bearers[k].append(r)
            if _no_for(k) != k:  # "Qingdao National Laboratory for/of Marine Science and Technology"
                bearers[_no_for(k)].append(r)

    def full(r: str, k: str) -> bool:
        return any(v for x, v in facts[uf.find(r)]["keys"].items() if x == k or _no_for(x) == k)

    def ancestors(r: str) -> set[str]:
        seen: set[str] = set()
        todo = [r]
        while todo:
            for p in facts[uf.find(todo.pop())]["up"]:
                q = uf.find(p)
                if q not in seen and q != uf.find(r):
                    seen.add(q)
                    todo.append(q)
        return seen

    log: list[str] = []
    for k, rs in sorted(bearers.items()):
        live = sorted({uf.find(r) for r in rs})
        if len(live) != 2 or not any(full(r, k) for r in rs):
            continue
        a, b = facts[live[0]], facts[live[1]]
        for r, f in zip(live, (a, b)):
            f["root"], f["up_roots"] = r, {uf.find(p) for p in f["up"]} - {r}
        if not _same_body(a, b, ancestors):
            continue
        uf.union(*live)
        facts[live[0]] = facts[live[1]] = _merge_facts(a, b)
        log.append(f"one body: {' + '.join(sorted(a['src']))} = {' + '.join(sorted(b['src']))} (by '{k}')")
    return log


def _merge_facts(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    m: dict[str, Any] = {f: a[f] | b[f] for f in ("cc", "city", "fam", "ror", "up", "entries")}
    m["keys"] = {**a["keys"], **{k: a["keys"].get(k, False) or v for k, v in b["keys"].items()}}
    m["hipo"], m["src"] = a["hipo"] or b["hipo"], a["src"] + b["src"]
    return m
