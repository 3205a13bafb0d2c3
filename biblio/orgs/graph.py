"""Load the shipped organisation graph (``biblio/orgs/data/*.csv``) into lookup tables.

Example:
    >>> g = load_graph()
    >>> g.orgs[g.by_ror["0098hst83"]].name
    'China Electronics Technology Group Corporation'
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from biblio.errors import ListDataError

DATA = Path(__file__).parent / "data"
DECIDING = frozenset({"canonical", "former", "strong_alias", "zh_hans", "zh_hant"})


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    kind: str
    country: str
    city: str
    rors: tuple[str, ...]


@dataclass(frozen=True)
class NameRef:
    org: str
    kind: str      # canonical | former | strong_alias | abbreviation | zh_hans | zh_hant | weak_alias | numbered
    scope: str     # "" (all the body's lists) or "list_key:entity_key" (that list entry only)
    text: str


@dataclass
class OrgGraph:
    """Organisations, names (by key), parents, list links, places and a few derived indexes."""

    orgs: dict[str, Org]
    names: dict[str, list[NameRef]]
    parents: dict[str, list[tuple[str, str, str]]]
    links: dict[str, list[tuple[str, str, str, str]]]
    places: dict[str, str]
    place_same: dict[str, str] = field(default_factory=dict)
    """A Chinese place name → the same place's key in English (上海 → shanghai), for cities."""
    by_ror: dict[str, str] = field(default_factory=dict)
    by_entity: dict[tuple[str, str], str] = field(default_factory=dict)
    vocab: frozenset[str] = frozenset()
    max_tokens: int = 1
    max_place_tokens: int = 1
    zh_first: dict[str, list[str]] = field(default_factory=dict)
    first_tokens: dict[str, int] = field(default_factory=dict)
    place_first: dict[str, int] = field(default_factory=dict)
    zh_places: tuple[str, ...] = ()
    provinces: dict[str, str] = field(default_factory=dict)
    """A place-name key → its PRC province ("xiamen" → "CN-FJ", "fujian" → "CN-FJ"; ``provinces.csv``)."""
    province_names: dict[str, str] = field(default_factory=dict)
    """The provinces' own names only ("fujian", "福建", "inner mongolia") → province."""
    shared: dict[str, frozenset[str]] = field(default_factory=dict)
    """A name key that several bodies with different list roll-ups bear → those bodies
    (``shared.csv``, the shared-name rule of :func:`biblio.orgs.build.shared_name_rows`)."""

    def ancestors(self, key: str) -> list[str]:
        """Every ancestor over unit_of / subsidiary_of, nearest first."""
        out: list[str] = []
        todo = [p for p, _, _ in self.parents.get(key, ())]
        while todo:
            x = todo.pop(0)
            if x not in out and x != key:
                out.append(x)
                todo += [p for p, _, _ in self.parents.get(x, ())]
        return out

    def walk_up(self, key: str, *, start: str | None = None) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each body ``key`` rolls up to, breadth first, with the path of keys from ``start``
        (default ``key``) to it; a joint body's parents are not walked (it inherits none of its
        members' listings), except from ``key`` itself when ``key`` has list links of its own.
        The one walk behind :meth:`rollup` and the matcher's evidence chains.

        Example:
            >>> g = load_graph()
            >>> [path for k, path in g.walk_up("zhongshan-hospital")][:2]
            [('zhongshan-hospital',), ('zhongshan-hospital', 'fudan-university')]
        """
        first = start or key
        todo = [(first, (first,))]
        seen: set[str] = set()
        while todo:
            k, path = todo.pop(0)
            if k in seen:
                continue
            seen.add(k)
            yield k, path
            if self.is_joint(k) and (k != key or not self.links.get(k)):
                continue
            todo += [(p, (*path, p)) for p, _, _ in self.parents.get(k, ())]

    def rollup(self, key: str) -> frozenset[tuple[str, str]]:
        """The list entries a body leads to: its own links and its ancestors' ``all`` links, a
        joint body inheriting none of its members' (:meth:`walk_up`).

        Example:
            >>> g = load_graph()
            >>> ("1286", "fudan-university") in g.rollup("zhongshan-hospital")
            True
        """
        return frozenset((lk, ek) for k, _ in self.walk_up(key)
                         for lk, ek, scope, _ in self.links.get(k, ()) if scope == "all" or k == key)

    def is_joint(self, key: str) -> bool:
        """Several parents, none an ancestor of another: a joint or collaborative centre."""
        ps = sorted({p for p, _, _ in self.parents.get(key, ())})
        if len(ps) < 2:
            return False
        return not any(q in self.ancestors(p) for p in ps for q in ps if p != q)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ListDataError(f"{path}: organisation graph file missing; run python -m biblio.orgs.build")
    with path.open(encoding="utf-8", newline="") as fh:
        rd = csv.reader(fh)
        header = next(rd)
        return [dict(zip(header, r)) for r in rd]


GRAPH_FILES = ("orgs", "names", "edges", "links", "places", "shared", "provinces")


@lru_cache(maxsize=2)
def load_graph(data_dir: str | None = None) -> OrgGraph:
    """Load (and cache) the organisation graph."""
    d = Path(data_dir) if data_dir else DATA
    return graph_from_rows({f: _rows(d / f"{f}.csv") for f in GRAPH_FILES})


def graph_from_rows(rows: dict[str, list[dict[str, str]]]) -> OrgGraph:
    """An :class:`OrgGraph` from rows of the data files (header → value dicts); ``shared`` may be
    absent (the build computes it from such a graph).

    Example:
        >>> g = graph_from_rows({"orgs": [], "names": [], "edges": [], "links": [], "places": []})
        >>> len(g.orgs), g.shared
        (0, {})
    """
    orgs = {r["org_key"]: Org(r["org_key"], r["canonical_name"], r["kind"], r["country_code"], r["city"],
                              tuple(x for x in r["ror_ids"].split(";") if x)) for r in rows["orgs"]}
    names: dict[str, list[NameRef]] = defaultdict(list)
    for r in rows["names"]:
        names[r["key"]].append(NameRef(r["org_key"], r["name_kind"], r["scope"], r["name"]))
    parents: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in rows["edges"]:
        parents[r["child_key"]].append((r["parent_key"], r["relation"], r["source"]))
    links: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for r in rows["links"]:
        links[r["org_key"]].append((r["list_key"], r["entity_key"], r["scope"], r["source"]))
    places = {r["key"]: r["country_code"] for r in rows["places"]}
    same_as = {r["key"]: r["same_as"] for r in rows["places"] if r.get("same_as")}
    g = OrgGraph(orgs=orgs, names=dict(names), parents=dict(parents), links=dict(links), places=places, place_same=same_as)
    shared: dict[str, set[str]] = defaultdict(set)
    for r in rows.get("shared", ()):
        shared[r["key"]].add(r["org_key"])
    g.shared = {k: frozenset(v) for k, v in shared.items()}
    g.provinces = {r["key"]: r["province"] for r in rows.get("provinces", ())}
    g.province_names = {r["key"]: r["province"] for r in rows.get("provinces", ()) if r["kind"] == "province"}
    _derive(g)
    return g


def _derive(g: OrgGraph) -> None:
    for o in g.orgs.values():
        for r in o.rors:
            g.by_ror.setdefault(r, o.key)
    for k, ls in g.links.items():
        for lk, ek, scope, _ in ls:
            if scope == "all":
                g.by_entity.setdefault((lk, ek), k)
    df: dict[str, int] = defaultdict(int)
    for key, refs in g.names.items():  # words of foreign organisations' canonical names
        # a body's own site abroad (it has a parent, e.g. Huawei's labs in Europe) is not a foreign organisation
        n_foreign = len({r.org for r in refs if r.kind == "canonical" and g.orgs[r.org].country not in ("", "CN", "HK", "MO", "TW") and not g.parents.get(r.org)}) if refs[0].org in g.orgs else 0
        if n_foreign:
            for t in set(key.split()):
                df[t] += n_foreign
    g.vocab = frozenset(t for t, c in df.items() if c >= 3)
    g.max_tokens = max((len(k.split()) for k in g.names if not k.startswith("#")), default=1)
    g.max_place_tokens = max((len(k.split()) for k in g.places), default=1)
    for k in g.names:  # first token → longest name length starting with it (a scan prefilter)
        t = k.split()
        if t and not k.startswith("#"):
            g.first_tokens[t[0]] = max(g.first_tokens.get(t[0], 0), len(t))
    for k in g.places:
        t = k.split()
        if t:
            g.place_first[t[0]] = max(g.place_first.get(t[0], 0), len(t))
    g.zh_places = tuple(sorted((k for k in g.places if k and "\u4e00" <= k[0] <= "\u9fff"), key=len, reverse=True))
    zh: dict[str, list[str]] = defaultdict(list)
    for k in g.names:
        if len(k) >= 2 and " " not in k and any("\u4e00" <= c <= "\u9fff" for c in k):  # "63820部队" too
            zh[k[:2]].append(k)
    g.zh_first = {a: sorted(b, key=len, reverse=True) for a, b in zh.items()}
