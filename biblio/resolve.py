"""Resolve China-based co-authors' institutions against the entity lists, with evidence.

Matching order (the first method that finds a list entry wins, per list):

1. ``id`` / ``ror``: the OpenAlex institution ID or ROR ID is in the curated crosswalk;
2. ``exact``: the normalised institution name equals a listed canonical name;
3. ``strong_alias``: it equals a strong alias (weak aliases never decide);
4. ``parent``: an ancestor in the OpenAlex lineage is a listed entity (by crosswalk ID);
   the flag names it in ``via_parent``;
5. ``raw_string``: a listed name or strong alias is a whole segment of a raw affiliation
   string, or begins/ends a segment next to an organisational word ("School of …",
   "… Key Laboratory"), so "South China University of Technology" never yields
   "China University of Technology";
6. ``fuzzy`` (opt-in): rapidfuzz on blocked candidates, score ≥ ``FUZZY_THRESHOLD`` and a
   margin ≥ ``FUZZY_MARGIN`` over the best different entity, else no match.

Every flag says whether the entity was on the list edition in force at the paper's
publication date (``listed_at_publication``) and on the edition in force ``as_of`` (today
by default; ``listed_now``). "No match" is data: see ``ResolveResult.affiliations``.

Example:
    >>> res = resolve(tables, apply=("aspi", "1286"), scope="cn")    # doctest: +SKIP
    >>> res.flags.select("institution_name", "list_key", "method").head(1)   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Container, Iterable, Iterator, Sequence

import polars as pl

from biblio.errors import InputFileError
from biblio.lists import ListSet, load_lists
from biblio.normalize import normalize, segments
from biblio.orgs.graph import OrgGraph, load_graph
from biblio.orgs.match import Analysis, Hit, OrgMatcher
from biblio.query import LIST_KEYS, SCOPES

METHODS: tuple[str, ...] = ("id", "ror", "exact", "strong_alias", "parent", "numbered", "raw_string", "fuzzy")
_RANK = {m: i for i, m in enumerate(METHODS)}
FUZZY_THRESHOLD = 0.92
FUZZY_MARGIN = 0.05
# Words that may stand next to a listed name inside one segment without changing which
# institution it names ("School of Physics Beihang University" is not allowed: "physics").
UNIT_WORDS = frozenset(
    "school college department dept faculty institute laboratory laboratories lab center centre key state "
    "division graduate research hospital academy campus branch office unit group section program programme".split()
)
JOIN_WORDS = frozenset({"at", "in"})
PRC_HINTS = ("china", "p r china", "prc", "中国", "hong kong", "macau", "macao")

# Who and where: the columns every considered affiliation carries (flags and affiliations).
_AFFILIATION_COLUMNS: dict[str, Any] = {
    "work_id": pl.Utf8,
    "author_index": pl.Int32,
    "author_id": pl.Utf8,
    "author_name": pl.Utf8,
    "institution_id": pl.Utf8,
    "ror": pl.Utf8,
    "institution_name": pl.Utf8,
    "country_code": pl.Utf8,
    "raw_affiliation_string": pl.Utf8,
}
FLAG_SCHEMA = pl.Schema(
    {
        **_AFFILIATION_COLUMNS,
        "list_key": pl.Utf8,
        "list_name": pl.Utf8,
        "list_edition": pl.Utf8,
        "list_edition_date": pl.Date,
        "entity_key": pl.Utf8,
        "entity_name": pl.Utf8,
        "method": pl.Utf8,
        "score": pl.Float64,
        "matched_text": pl.Utf8,
        "via_parent": pl.Utf8,
        "publication_date": pl.Date,
        "listed_at_publication": pl.Boolean,
        "listed_now": pl.Boolean,
        "aspi_risk": pl.Utf8,
        "is_synthetic": pl.Boolean,
        "chain": pl.Utf8,
    }
)
AFFILIATION_SCHEMA = pl.Schema({**_AFFILIATION_COLUMNS, "status": pl.Utf8, "n_flags": pl.Int32, "is_synthetic": pl.Boolean})
# What makes two affiliations the same question: resolved once, joined back on a group number.
_KEY_COLS: tuple[str, ...] = ("kind", "institution_id", "ror", "institution_name", "lineage", "raw_affiliation_strings", "country_code")
_HIT_SCHEMA = pl.Schema({"_k": pl.UInt32, "list_key": pl.Utf8, "entity_key": pl.Utf8, "entity_name": pl.Utf8, "method": pl.Utf8, "score": pl.Float64,
                         "matched_text": pl.Utf8, "via_parent": pl.Utf8, "aspi_risk": pl.Utf8, "chain": pl.Utf8})
SCREEN_COLUMNS: tuple[str, ...] = ("lists", "matched_entity", "method", "score", "evidence", "aspi_risk", "chain")


@dataclass
class ResolveResult:
    """``flags``: one row per work × author × institution-or-raw-string × list entry.
    ``affiliations``: every PRC-scope affiliation considered, with its status. Both are lazy
    scans of Parquet files when :func:`biblio.pipeline.resolve_tables` wrote them to disk."""

    flags: pl.DataFrame
    affiliations: pl.DataFrame


class Matcher:
    """The list entries of the selected lists, and matching over the organisation graph.

    IDs first (ROR and OpenAlex IDs of every organisation the graph knows), then the names a
    string contains (see :mod:`biblio.orgs.match`); fuzzy matching only when asked.
    """

    def __init__(self, lists: ListSet, *, apply: Sequence[str] = LIST_KEYS, fuzzy: bool = False, graph: OrgGraph | None = None) -> None:
        self.lists = lists
        self.fuzzy_enabled = fuzzy
        self.om = OrgMatcher(graph or load_graph(), apply=apply)
        self.g = self.om.g
        ents = lists.entities.filter(pl.col("list_key").is_in(list(apply)))
        self.info: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_oa: dict[str, set[str]] = {}
        self.oa_direct: dict[str, set[tuple[str, str]]] = {}
        self.by_name: dict[str, set[tuple[str, str]]] = {}
        self.surface: dict[str, str] = {}
        for e in ents.iter_rows(named=True):
            k = (e["list_key"], e["entity_key"])
            self.info[k] = e
            org = self.g.by_entity.get(k)
            for i in e["openalex_ids"]:
                if org:
                    self.by_oa.setdefault(i, set()).add(org)
                else:  # an entry the graph does not know (a list file newer than the graph)
                    self.oa_direct.setdefault(i, set()).add(k)
            for n in (e["name"], e["name_zh"], *e["strong_aliases"]):
                key = normalize(n)
                if key:
                    self.by_name.setdefault(key, set()).add(k)
                    self.surface.setdefault(key, n)
        self._inst_cache: dict[tuple[Any, ...], tuple[list[Hit], str | None, str]] = {}
        self._fuzzy_index: tuple[list[str], dict[str, list[int]]] | None = None

    def forget(self, *, above: int = 200_000) -> None:
        """Drop the memoised results (they only save time) when they hold more than ``above``
        entries, so a matcher reused over many chunks of works keeps bounded memory.

        Example:
            >>> m = Matcher(load_lists(), apply=["entity_list"])   # doctest: +SKIP
            >>> m.forget(above=0)                                  # doctest: +SKIP
        """
        om = self.om
        caches = (self._inst_cache, om._cache, om._seg_cache, om._part_cache, om._place_cache, om._common_cache)
        if sum(len(c) for c in caches) > above:
            for c in caches:
                c.clear()

    def _known(self, hits: list[Hit]) -> list[Hit]:
        return [h for h in hits if (h.list_key, h.entity_key) in self.info]

    # -- institution records -------------------------------------------------------------
    def id_org(self, iid: str | None, ror: str | None) -> tuple[str | None, str]:
        """The graph organisation of an OpenAlex institution ID or ROR ID, and which one found it."""
        orgs = self.by_oa.get(iid or "", set())
        if orgs:
            return sorted(orgs)[0], "id"
        if ror and ror in self.g.by_ror:
            return self.g.by_ror[ror], "ror"
        return None, ""

    def institution(self, iid: str | None, ror: str | None, name: str | None, lineage: Iterable[str] = ()) -> tuple[list[Hit], str | None, str]:
        """Hits for one OpenAlex institution, its graph organisation and a note.

        By ROR / OpenAlex ID, else by its display name; then its OpenAlex lineage: a single
        listed line of ancestors is rolled up ("parent"); several unrelated ancestors are a
        joint centre and give no flag here (the raw string decides).
        """
        lin = tuple(x for x in lineage if x and x != iid)
        ck = (iid, ror, name, lin)
        got = self._inst_cache.get(ck)
        if got is not None:
            return got
        org, how = self.id_org(iid, ror)
        note = ""
        if org:
            hits = self.om.org_hits(org, method=how, matched=(ror if how == "ror" else iid) or "")
        else:
            a = self.om.analyse(name) if name else None
            hits = a.hits if a else []
            org = a.named[0] if a and len(a.named) == 1 else None
        hits = hits + [Hit(lk, ek, "id", 1.0, iid or "", (self.info[(lk, ek)]["name"],)) for lk, ek in sorted(self.oa_direct.get(iid or "", ()))]
        hits = hits + [Hit(lk, ek, "parent", 1.0, x, (name or iid or "", self.info[(lk, ek)]["name"]), self.info[(lk, ek)]["name"])
                       for x in lin for lk, ek in sorted(self.oa_direct.get(x, ()))]
        anc = [o for o in dict.fromkeys(o for x in lin for o in sorted(self.by_oa.get(x, ()))) if o != org]
        if anc and not (org and self.g.links.get(org)):
            tops = [o for o in anc if not any(o in self.g.ancestors(x) for x in anc if x != o)]
            if len(tops) == 1 and len(lin) == 1:
                hits = hits + [Hit(h.list_key, h.entity_key, "parent", 1.0, h.matched_text, (name or iid or "",) + h.chain, self.om.name(tops[0]), "", tops[0])
                               for h in self.om.org_hits(tops[0], method="parent", matched=tops[0])]
            else:  # several ancestors in OpenAlex's lineage: a joint centre, or a chain we cannot check
                note = "several parents in OpenAlex lineage (" + ", ".join(self.om.name(o) for o in tops) + (
                    f" and {len(lin) - len(tops)} more" if len(lin) > len(tops) else "") + "): flagged only for those the raw string names"
        out = (best_per_list(self._known(hits)), org, note)
        self._inst_cache[ck] = out
        return out

    def match_institution(self, iid: str | None, ror: str | None, name: str | None, lineage: Iterable[str] = ()) -> list[Hit]:
        """Hits for one OpenAlex institution (see :meth:`institution`)."""
        return self.institution(iid, ror, name, lineage)[0]

    # -- raw affiliation strings ---------------------------------------------------------
    def analyse(self, raw: str | None, country_code: str | None = None) -> Analysis:
        """Everything a raw string names (see :meth:`biblio.orgs.match.OrgMatcher.analyse`)."""
        return self.om.analyse(raw, country_code=country_code)

    def match_text(self, raw: str | None, country_code: str | None = None) -> list[Hit]:
        """Hits for a raw affiliation string (or a free-text name)."""
        if not raw:
            return []
        hits = self._known(self.om.analyse(raw, country_code=country_code).hits)
        if not hits and self.fuzzy_enabled:
            for seg in segments(raw):
                hits.extend(self._fuzzy_hits(seg))
        return best_per_list(hits)

    # -- fuzzy (opt-in) ----------------------------------------------------------------
    def _lookup(self, key: str) -> list[tuple[tuple[str, str], str]]:
        return [(k, "name") for k in self.by_name.get(key, ())]

    def _fuzzy_hits(self, seg: str) -> list[Hit]:
        from rapidfuzz import fuzz

        if len(seg) < 8:
            return []
        keys, block = self._fuzzy_blocks()
        cand: set[int] = set()
        for t in set(seg.split()):
            cand.update(block.get(t, ()))
        if not cand:
            return []
        scored = sorted(((fuzz.ratio(seg, keys[i]) / 100.0, keys[i]) for i in cand), reverse=True)
        best_score, best_key = scored[0]
        if best_score < FUZZY_THRESHOLD:
            return []
        best_ents = {k for k, _ in self._lookup(best_key)}
        runner = next((s for s, key in scored[1:] if {k for k, _ in self._lookup(key)} != best_ents), 0.0)
        if best_score - runner < FUZZY_MARGIN:
            return []
        text = self.surface.get(best_key, best_key)
        return [Hit(k[0], k[1], "fuzzy", round(best_score, 4), text, (text,)) for k in best_ents]

    def _fuzzy_blocks(self) -> tuple[list[str], dict[str, list[int]]]:
        if self._fuzzy_index is None:
            keys = sorted(self.by_name)
            df: dict[str, int] = {}
            for k in keys:
                for t in set(k.split()):
                    df[t] = df.get(t, 0) + 1
            common = {t for t, c in df.items() if c > 25}
            block: dict[str, list[int]] = {}
            for i, k in enumerate(keys):
                for t in set(k.split()) - common:
                    if len(t) > 2:
                        block.setdefault(t, []).append(i)
            self._fuzzy_index = (keys, block)
        return self._fuzzy_index


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while resolving many strings.

    Resolving makes many small acyclic objects (graph records, hits, mentions, cache
    entries); every generation-2 collection walks all of them again, which cost about a
    third of the CPU time at a million rows. Reference counting still frees everything; the
    collector is restored (if it was on) on exit.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def best_per_list(hits: list[Hit], *, active: Container[tuple[str, str]] | None = None) -> list[Hit]:
    """Per list, keep the hits of the best (earliest) method, one per entity. With ``active``
    (the entries in force), an entry no longer listed does not outrank one in force: the best
    method is taken over the list's active hits when it has any.

    Example: 'China Shipbuilding Industry Group Co., Limited. (CSIC) 722 Institute' names the
    Entity List's 722 entry in force (by name) and an older one (by number)."""
    best: dict[str, int] = {}
    on = {h.list_key for h in hits if active is not None and (h.list_key, h.entity_key) in active}
    for h in hits:
        if h.list_key not in on or (h.list_key, h.entity_key) in active:  # type: ignore[operator]
            best[h.list_key] = min(best.get(h.list_key, 99), _RANK[h.method])
    seen: set[tuple[str, str]] = set()
    out = []
    for h in sorted(hits, key=lambda h: (h.list_key, _RANK[h.method], h.entity_key)):
        if _RANK[h.method] == best[h.list_key] and (h.list_key, h.entity_key) not in seen:
            seen.add((h.list_key, h.entity_key))
            out.append(h)
    return out


def _name_in_raw(name: str | None, raws: list[str]) -> bool:
    """True when the institution's normalised name occurs in one of its raw strings."""
    n = normalize(name)
    return bool(n) and any(n in normalize(r) for r in raws)


def _mentions_scope(raw: list[str] | None, countries: list[str] | None, codes: tuple[str, ...]) -> bool:
    if countries and set(countries) & set(codes):
        return True
    text = " ".join(raw or []).casefold()
    hints = PRC_HINTS if len(codes) > 1 else ("china", "p r china", "prc", "中国")
    return any(h in text for h in hints) and not ("taiwan" in text or "hong kong" in text and codes == ("CN",))


_TOKEN_ORGS: dict[int, dict[str, list[str]]] = {}


def _distinctive(m: Matcher, org: str, head: list[str]) -> bool:
    """True when one of ``head``'s words is in the names of at most 3 bodies outside ``org`` and
    its units ("Tsinghua", "Fudan"), not a word many bodies use ("Mobile", "Army", "Geosciences")."""
    from biblio.orgs.text import name_key

    idx = _TOKEN_ORGS.get(id(m.g))
    if idx is None:
        idx = _TOKEN_ORGS[id(m.g)] = {}
        for k, o in m.g.orgs.items():
            for t in set(name_key(o.name).split()):
                idx.setdefault(t, []).append(k)
    return any(sum(1 for o in idx.get(t, ()) if o != org and org not in m.g.ancestors(o)) <= 3 for t in head)


def _members_named(m: Matcher, org: str, raws: list[str], members: Iterable[str] | None = None) -> list[Hit]:
    """Members of a joint centre (its graph parents, or ``members`` from OpenAlex's lineage)
    that its raw string names by their distinctive word ("Tsinghua-Peking Center for Life
    Sciences" names Tsinghua and Peking University)."""
    from biblio.orgs.match import UNIT_WORDS
    from biblio.orgs.text import name_key

    toks = set(name_key(" ".join(raws), False).split())
    out: list[Hit] = []
    for p in (members if members is not None else [p for p, _, _ in m.g.parents.get(org, ())]):
        head = [t for t in name_key(m.om.name(p)).split() if t not in UNIT_WORDS and t not in ("university", "china")]
        if head and all(t in toks and t not in m.g.places and t not in m.g.vocab for t in head) and _distinctive(m, p, head):
            out += [Hit(h.list_key, h.entity_key, "raw_string", 1.0, " ".join(head), (m.om.name(org) if org else raws[0],) + h.chain, m.om.name(p),
                        "joint centre: the raw string names this member", p) for h in m.om.org_hits(p, method="raw_string", matched=" ".join(head))]
    return best_per_list(m._known(out))


def _named_holder(m: Matcher, h: Hit, org: str | None, named: set[str]) -> bool:
    """True when the body that carries hit ``h``'s list entry is OpenAlex's institution itself,
    a member the string names, or a body the string names (or names a unit of)."""
    holder = m.g.by_entity.get((h.list_key, h.entity_key))
    if holder is None or holder == org or holder in named or "names this member" in h.note:
        return True
    return any(holder in m.g.ancestors(n) for n in named if n != org)


def _noted(hits: list[Hit], why: str) -> list[Hit]:
    """``hits`` with ``why`` appended to each one's note."""
    return [replace(h, note="; ".join(x for x in (h.note, why) if x)) for h in hits]


def resolve_one(
    m: Matcher, kind: str, iid: str | None, ror: str | None, name: str | None, lineage: Iterable[str], raws: list[str], country_code: str | None,
    *, active: Container[tuple[str, str]] | None = None,
) -> tuple[list[Hit], str]:
    """Hits and status of one affiliation: IDs first, the raw strings where they disagree.

    Where the raw strings name organisations and none of them is OpenAlex's institution (or
    its unit or parent), the raw strings win and the chain says so. Status: 'flagged',
    'no_match', 'ambiguous', 'joint_centre' or 'no_institution_id'.
    """
    lineage = tuple(lineage)
    analyses = [m.analyse(s, country_code) for s in raws]
    named = [o for a in analyses for o in a.named]
    raw_hits = [h for a in analyses for h in m._known(a.hits)]
    ambiguous = any(a.ambiguous for a in analyses)
    if kind == "raw":
        hits = best_per_list(raw_hits, active=active)
        return hits, "flagged" if hits else ("ambiguous" if ambiguous else "no_institution_id")
    # no ID the graph knows and the name is in the raw strings: the raw analysis already read
    # the name (resolve each string once), so take its hits for the name's own text
    by_raw = bool(raws and name and not m.id_org(iid, ror)[0] and not m.oa_direct.get(iid or "") and _name_in_raw(name, raws))
    hits, org, note = m.institution(iid, ror, None if by_raw else name, lineage)
    if by_raw:
        nk = normalize(name)
        hits = best_per_list(hits + [h for h in raw_hits if normalize(h.matched_text) in nk or normalize(m.om.name(h.org)) == nk])
        return hits, "flagged" if hits else ("joint_centre" if note else "no_match")
    if raws and named:
        related = {org, *m.g.ancestors(org)} if org else set()
        hosts = [a.hosted[org] for a in analyses if org and not hits and org in a.hosted]
        related |= {x for h in hosts for x in (h, *m.g.ancestors(h))}  # an unlisted unit the string places under a named body
        same = [o for o in named if o in related or (org and org in m.g.ancestors(o))]
        if org and not same and not _name_in_raw(name, raws):
            why = f"raw string wins: it names {', '.join(m.om.name(o) for o in named[:3])}; OpenAlex assigned {name or iid}"
            hits = _noted(raw_hits, why)
        elif not org and not hits and not _name_in_raw(name, raws):
            hits = raw_hits
        elif same:
            keep = set(same) | related
            hits = hits + [h for h in raw_hits if h.org in keep or keep & set(m.g.ancestors(h.org))]
            if hosts:
                why = f"raw string wins: it places {m.om.name(org)} under {m.om.name(hosts[0])}, which OpenAlex's record has no link to"
                hits = _noted(hits, why)
        hits = best_per_list(hits)
    elif note and not hits:  # a joint centre in the lineage: flag the members the raw string names
        tops = [o for x in lineage for o in sorted(m.by_oa.get(x, ())) if o != org]
        hits = _members_named(m, org or "", raws, dict.fromkeys(tops)) if raws else []
        if not hits:
            return [], "joint_centre"
    if not hits and org and m.g.is_joint(org) and raws:
        hits = _members_named(m, org, raws)
    if note and hits and raws:  # several parents in the lineage: a roll-up counts only to bodies the string names
        hits = [h for h in hits if _named_holder(m, h, org, set(named))]
    if note and hits:
        hits = _noted(hits, note)
    joint = note or (org and m.g.is_joint(org) and not m.g.links.get(org))  # found by ID, a joint centre: that is the verdict
    return hits, "flagged" if hits else ("ambiguous" if ambiguous and not org else "joint_centre" if joint else "no_match")


def resolve(
    tables: Any,
    *,
    lists: ListSet | None = None,
    apply: Sequence[str] = LIST_KEYS,
    scope: str = "cn",
    fuzzy: bool = False,
    as_of: dt.date | None = None,
    matcher: Matcher | None = None,
) -> ResolveResult:
    """Flag PRC-scope affiliations in ``tables`` (a :class:`biblio.tables.WorksTables`).

    Each distinct (institution, raw strings) combination is resolved once and joined back,
    so a million authorship rows with tens of thousands of distinct affiliations is quick.
    ``matcher`` (built beforehand, from the same ``lists``, ``apply`` and ``fuzzy``) saves
    building one per call: :func:`biblio.pipeline.resolve_tables` reuses one over its chunks.
    """
    with gc_paused():
        return _resolve(tables, lists=lists, apply=apply, scope=scope, fuzzy=fuzzy, as_of=as_of, matcher=matcher)


def _resolve(tables: Any, *, lists: ListSet | None, apply: Sequence[str], scope: str, fuzzy: bool, as_of: dt.date | None, matcher: Matcher | None) -> ResolveResult:
    ls = lists or (matcher.lists if matcher is not None else load_lists())
    codes = SCOPES[scope]
    as_of = as_of or dt.date.today()
    m = matcher or Matcher(ls, apply=apply, fuzzy=fuzzy)
    works = tables.works.select("work_id", "publication_date", "is_synthetic")
    au = tables.authorships
    ai = (
        tables.authorship_institutions.filter(pl.col("country_code").is_in(list(codes)))
        .join(au.select("work_id", "author_index", "author_name"), on=["work_id", "author_index"], how="left")
        .with_columns(pl.lit("institution").alias("kind"))
    )
    raw_only = (
        au.filter(pl.col("n_institutions") == 0)
        .with_columns(
            pl.lit(None, pl.Utf8).alias("institution_id"),
            pl.lit(None, pl.Utf8).alias("ror"),
            pl.lit(None, pl.Utf8).alias("institution_name"),
            pl.col("countries").list.eval(pl.element().filter(pl.element().is_in(list(codes)))).list.first().alias("country_code"),
            pl.lit([], dtype=pl.List(pl.Utf8)).alias("lineage"),
            pl.lit("raw").alias("kind"),
        )
    )
    cols = ["work_id", "author_index", "author_id", "author_name", "institution_id", "ror", "institution_name", "country_code", "lineage", "raw_affiliation_strings", "kind"]
    rows = pl.concat([ai.select(cols), raw_only.select(cols)], how="vertical_relaxed")
    # resolve each distinct affiliation once: group the rows (one hash pass, no key strings) and
    # give every row its group's number, so results join back on a small integer
    groups = rows.select(_KEY_COLS).with_row_index("_row").group_by(_KEY_COLS).agg(pl.col("_row"))
    keys, hits_df = _resolve_groups(m, groups.select(_KEY_COLS), codes)
    keys = keys.join(groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_k"),  # joined once per group, not per row
                                   pl.col("raw_affiliation_strings").list.join(" | ").alias("raw_affiliation_string")), on="_k", how="left")
    group_of_row = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_k"), "_row").explode("_row").sort("_row")["_k"]
    del groups
    considered = rows.with_columns(group_of_row).join(keys, on="_k", how="inner")
    del rows
    aff = (
        considered.join(works.select("work_id", "is_synthetic"), on="work_id", how="left")
        .with_columns(pl.col("raw_affiliation_string").replace("", None))
        .select(list(AFFILIATION_SCHEMA))
        .sort("work_id", "author_index", "institution_id", nulls_last=True)
    )
    flags = (
        considered.drop("status", "n_flags")
        .join(hits_df, on="_k", how="inner")
        .with_columns(pl.col("raw_affiliation_string").replace("", None))
        .join(works, on="work_id", how="left")
    )
    flags = add_temporal(flags, ls, as_of=as_of)
    return ResolveResult(flags=flags.select(list(FLAG_SCHEMA)).sort("work_id", "author_index", "list_key", "entity_key", "institution_id", nulls_last=True), affiliations=aff)


def _resolve_groups(m: Matcher, groups: pl.DataFrame, codes: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve each distinct affiliation (one row of ``groups``, numbered ``_k`` by position):
    (``_k``, status, n_flags) for those in scope, and one row per hit."""
    key_rows: dict[str, list[Any]] = {"_k": [], "status": [], "n_flags": []}
    hit_rows: dict[str, list[Any]] = {c: [] for c in _HIT_SCHEMA}
    for k, (kind, iid, ror, name, lineage, raws, cc) in enumerate(groups.iter_rows()):
        raws = raws or []
        if kind == "raw" and not _mentions_scope(raws, [cc] if cc else [], codes):
            continue
        hits, status = resolve_one(m, kind, iid, ror, name, lineage or (), raws, cc)
        for c, v in zip(key_rows, (k, status, len(hits))):
            key_rows[c].append(v)
        for h in hits:
            e = m.info[(h.list_key, h.entity_key)]
            chain = " → ".join(h.chain) + (f" [{h.note}]" if h.note else "")
            for c, v in zip(hit_rows, (k, h.list_key, h.entity_key, e["name"], h.method, h.score, h.matched_text, h.via_parent, e["aspi_risk"], chain)):
                hit_rows[c].append(v)
    return (pl.DataFrame(key_rows, schema={"_k": pl.UInt32, "status": pl.Utf8, "n_flags": pl.Int32}),
            pl.DataFrame(hit_rows, schema=_HIT_SCHEMA))


def add_temporal(flags: pl.DataFrame, ls: ListSet, *, as_of: dt.date) -> pl.DataFrame:
    """Add list_name, list_edition(_date), listed_at_publication and listed_now to hit rows.

    ``list_edition`` is the edition in force at publication when the entity was on it,
    else the edition in force ``as_of`` when on it, else the newest edition naming it.
    """
    ed = ls.editions.select("list_key", "list_name", "edition", "edition_date").sort("edition_date")
    mem = ls.memberships.select("list_key", "entity_key", "edition").with_columns(pl.lit(True).alias("_on"))
    names = ed.select("list_key", "list_name").unique("list_key")
    out = flags.with_row_index("_row").join(names, on="list_key", how="left")
    # edition in force at publication
    pub = (
        out.select("_row", "list_key", "entity_key", "publication_date")
        .filter(pl.col("publication_date").is_not_null())
        .sort("publication_date")
        .join_asof(ed.select("list_key", pl.col("edition").alias("pub_edition"), pl.col("edition_date").alias("pub_date")),
                   left_on="publication_date", right_on="pub_date", by="list_key", strategy="backward", check_sortedness=False)
        .join(mem.rename({"edition": "pub_edition", "_on": "listed_at_publication"}), on=["list_key", "entity_key", "pub_edition"], how="left")
        .select("_row", "pub_edition", "pub_date", pl.col("listed_at_publication").fill_null(False))
    )
    now_ed = ed.filter(pl.col("edition_date") <= as_of).group_by("list_key").agg(pl.all().sort_by("edition_date").last())
    now = (
        out.select("_row", "list_key", "entity_key")
        .join(now_ed.select("list_key", pl.col("edition").alias("now_edition"), pl.col("edition_date").alias("now_date")), on="list_key", how="left")
        .join(mem.rename({"edition": "now_edition", "_on": "listed_now"}), on=["list_key", "entity_key", "now_edition"], how="left")
        .select("_row", "now_edition", "now_date", pl.col("listed_now").fill_null(False))
    )
    latest = (
        ls.memberships.join(ed.select("list_key", "edition"), on=["list_key", "edition"])
        .sort("edition_date")
        .group_by("list_key", "entity_key")
        .agg(pl.col("edition").last().alias("last_edition"), pl.col("edition_date").last().alias("last_date"))
    )
    out = (
        out.join(pub, on="_row", how="left")
        .join(now, on="_row", how="left")
        .join(latest, on=["list_key", "entity_key"], how="left")
        .with_columns(
            pl.col("listed_at_publication").fill_null(False),
            pl.col("listed_now").fill_null(False),
        )
        .with_columns(
            pl.when(pl.col("listed_at_publication")).then(pl.col("pub_edition"))
            .when(pl.col("listed_now")).then(pl.col("now_edition"))
            .otherwise(pl.col("last_edition")).alias("list_edition"),
            pl.when(pl.col("listed_at_publication")).then(pl.col("pub_date"))
            .when(pl.col("listed_now")).then(pl.col("now_date"))
            .otherwise(pl.col("last_date")).alias("list_edition_date"),
        )
        .sort("_row")
    )
    return out


# ---------------------------------------------------------------------------------------
# screen: vet a CSV of partner institutions
# ---------------------------------------------------------------------------------------
def screen(df: pl.DataFrame, *, as_of: dt.date | None = None, fuzzy: bool = False, lists: ListSet | None = None) -> pl.DataFrame:
    """Screen partner institutions: keeps every input column and adds the screen columns.

    ``df`` needs ``name`` (a clean name or a whole raw affiliation string); optional
    ``ror``, ``openalex_id``, ``country_code``. Adds ``lists`` (sorted ``;``-joined list
    keys the entity is on as of ``as_of``, default today), ``matched_entity``, ``method``,
    ``score``, ``evidence`` and ``aspi_risk``. Empty names are kept and explained in
    ``evidence``.

    Example:
        >>> screen(pl.DataFrame({"name": ["Beihang University"]}))["lists"][0]   # doctest: +SKIP
        '1286;aspi;entity_list;sastind;seven_sons'
    """
    if "name" not in df.columns:
        raise InputFileError("input has no 'name' column; add a header row with a column called name")
    with gc_paused():
        return _screen(df, as_of=as_of, fuzzy=fuzzy, lists=lists)


def _screen(df: pl.DataFrame, *, as_of: dt.date | None, fuzzy: bool, lists: ListSet | None) -> pl.DataFrame:
    ls = lists or load_lists()
    as_of = as_of or dt.date.today()
    m = Matcher(ls, apply=LIST_KEYS, fuzzy=fuzzy)
    listed = {(r["list_key"], r["entity_key"]): (r["edition"], r["edition_date"]) for r in ls.listed_as_of(as_of).iter_rows(named=True)}
    eds = ls.editions
    list_names = dict(zip(eds["list_key"], eds["list_name"]))
    oldest = {k: v for k, v in eds.group_by("list_key").agg(pl.col("edition_date").min()).iter_rows()}
    cols = {c: df[c].cast(pl.Utf8).to_list() if c in df.columns else [None] * df.height for c in ("name", "ror", "openalex_id", "country_code", "lineage")}
    out: dict[str, list[Any]] = {c: [] for c in SCREEN_COLUMNS}
    memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for name, ror, oid, cc, lin in zip(cols["name"], cols["ror"], cols["openalex_id"], cols["country_code"], cols["lineage"]):
        key = (name, ror, oid, cc, lin)
        row = memo.get(key)
        if row is None:
            row = memo[key] = _screen_row(m, name, ror, oid, cc, lin, as_of=as_of, listed=listed, list_names=list_names, oldest=oldest)
        for c, v in zip(SCREEN_COLUMNS, row):
            out[c].append(v)
    added = pl.DataFrame(out, schema={"lists": pl.Utf8, "matched_entity": pl.Utf8, "method": pl.Utf8, "score": pl.Float64, "evidence": pl.Utf8,
                                      "aspi_risk": pl.Utf8, "chain": pl.Utf8})
    base = df.drop([c for c in SCREEN_COLUMNS if c in df.columns])
    return pl.concat([base, added], how="horizontal")


def _screen_row(m: Matcher, name: str | None, ror: str | None, oid: str | None, cc: str | None, lineage: str | None, *, as_of: dt.date,
                listed: dict[tuple[str, str], tuple[str, dt.date]], list_names: dict[str, str], oldest: dict[str, dt.date]) -> tuple[Any, ...]:
    """The screen columns for one input row (lists, matched_entity, method, score, evidence, aspi_risk, chain)."""
    if not name or not name.strip():
        return ("", "", "", None, "not screened: empty name", "", "")
    oid_s = (oid or "").strip().rsplit("/", 1)[-1].upper() or None
    ror_s = (ror or "").strip().rstrip("/").rsplit("/", 1)[-1].lower() or None
    cc_s = (cc or "").strip().upper() or None
    lin = tuple(x.strip().rsplit("/", 1)[-1].upper() for x in (lineage or "").replace("|", ";").split(";") if x.strip())
    hits, status = resolve_one(m, "institution" if (oid_s or ror_s) else "raw", oid_s, ror_s, None, lin, [name], cc_s, active=listed)
    if not hits and m.fuzzy_enabled:
        hits = m.match_text(name, cc_s)
    a = m.analyse(name, cc_s)
    on = [h for h in hits if (h.list_key, h.entity_key) in listed]
    off = [h for h in hits if (h.list_key, h.entity_key) not in listed]
    best = min(hits, key=lambda h: (_RANK[h.method], -h.score)) if hits else None
    ev = []
    for h in on:
        edn, edd = listed[(h.list_key, h.entity_key)]
        chain = " → ".join(h.chain)
        ev.append(f"{h.list_key}: {m.info[(h.list_key, h.entity_key)]['name']} — {list_names[h.list_key]}, edition {edn} ({edd}); "
                  f"{h.method} on '{h.matched_text}'; chain: {chain}" + (f" [{h.note}]" if h.note else ""))
    for h in off:
        if as_of < oldest.get(h.list_key, as_of):
            ev.append(f"{h.list_key}: matched {m.info[(h.list_key, h.entity_key)]['name']}, but there is no edition of {list_names[h.list_key]} before {as_of}")
        else:
            ev.append(f"{h.list_key}: matched {m.info[(h.list_key, h.entity_key)]['name']} but not on the edition in force on {as_of}")
    if not ev:
        ev.append(_unflagged_evidence(m, status, oid_s, ror_s, lin))
    ev += [n for n in a.notes if n not in ev]
    risks = sorted({m.info[(h.list_key, h.entity_key)]["aspi_risk"] for h in hits if h.list_key == "aspi" and m.info[(h.list_key, h.entity_key)]["aspi_risk"]})
    chains = " | ".join(dict.fromkeys(" → ".join(h.chain) for h in on))
    method = best.method if best else ("ambiguous" if status == "ambiguous" else "")
    return (";".join(sorted({h.list_key for h in on})), "; ".join(sorted({m.info[(h.list_key, h.entity_key)]["name"] for h in hits})),
            method, best.score if best else None, " | ".join(ev), "; ".join(risks), chains)


def _unflagged_evidence(m: Matcher, status: str, iid: str | None, ror: str | None, lineage: tuple[str, ...] = ()) -> str:
    """Why a screened row has no flag: ambiguous, a joint centre (the one its ID names, with its
    members, or the several parents of OpenAlex's lineage), or no match.

    Example: 'joint centre: Duke Kunshan University (members: Duke University, Wuhan University);
    flagged only for members the string names' for Duke Kunshan's ROR with no member named."""
    if status == "ambiguous":
        return "ambiguous: not decided"
    if status != "joint_centre":
        return "no match on any list"
    org = m.id_org(iid, ror)[0]
    if org and m.g.is_joint(org):
        return m.om.joint_note(org)
    note = m.institution(iid, ror, None, lineage)[2]
    return f"joint centre: {note}" if note else "joint centre in OpenAlex's lineage: flagged only for members the string names"


def screen_csv(in_path: str | Path, out_path: str | Path, *, as_of: dt.date | None = None, fuzzy: bool = False, raw_csv: bool = False) -> pl.DataFrame:
    """Read a CSV of institutions, screen it and write the result (every input column kept).

    The output is written atomically; cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR
    get a leading ``'`` so a spreadsheet shows them as text, unless ``raw_csv``.
    """
    from biblio.safeio import check_output_file, read_input_csv, write_csv

    check_output_file(out_path)
    header, rows = read_input_csv(in_path)
    df = pl.DataFrame(rows, schema={**{h: pl.Utf8 for h in header}, "_row_note": pl.Utf8}) if rows else pl.DataFrame(schema={h: pl.Utf8 for h in header} | {"_row_note": pl.Utf8})
    res = screen(df.drop("_row_note"), as_of=as_of, fuzzy=fuzzy)
    notes = df["_row_note"]
    res = res.with_columns(
        pl.when(notes != "").then(pl.concat_str([pl.lit("input problem: "), notes, pl.lit(" | "), pl.col("evidence")])).otherwise(pl.col("evidence")).alias("evidence")
    ) if df.height else res
    write_csv(res, out_path, raw=raw_csv)
    return res
