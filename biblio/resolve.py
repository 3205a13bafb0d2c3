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

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import polars as pl

from biblio.errors import InputFileError
from biblio.lists import ListSet, load_lists
from biblio.normalize import has_cjk, normalize, segments
from biblio.query import LIST_KEYS, SCOPES

METHODS: tuple[str, ...] = ("id", "ror", "exact", "strong_alias", "parent", "raw_string", "fuzzy")
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
    }
)
AFFILIATION_SCHEMA = pl.Schema({**_AFFILIATION_COLUMNS, "status": pl.Utf8, "n_flags": pl.Int32, "is_synthetic": pl.Boolean})
SCREEN_COLUMNS: tuple[str, ...] = ("lists", "matched_entity", "method", "score", "evidence", "aspi_risk")


@dataclass(frozen=True)
class Hit:
    """One candidate match: a list entity, how it was found and the text that matched."""

    list_key: str
    entity_key: str
    method: str
    score: float
    matched_text: str
    via_parent: str | None = None


@dataclass
class ResolveResult:
    """``flags``: one row per work × author × institution-or-raw-string × list entry.
    ``affiliations``: every PRC-scope affiliation considered, with its status."""

    flags: pl.DataFrame
    affiliations: pl.DataFrame


class Matcher:
    """Indexes of the selected lists, and the matching rules. Build once, use for many rows."""

    def __init__(self, lists: ListSet, *, apply: Sequence[str] = LIST_KEYS, fuzzy: bool = False) -> None:
        self.lists = lists
        self.fuzzy_enabled = fuzzy
        ents = lists.entities.filter(pl.col("list_key").is_in(list(apply)))
        self.info: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_id: dict[str, set[tuple[str, str]]] = {}
        self.by_ror: dict[str, set[tuple[str, str]]] = {}
        self.by_name: dict[str, set[tuple[str, str]]] = {}
        self.by_alias: dict[str, set[tuple[str, str]]] = {}
        self.surface: dict[str, str] = {}
        for e in ents.iter_rows(named=True):
            k = (e["list_key"], e["entity_key"])
            self.info[k] = e
            for i in e["openalex_ids"]:
                self.by_id.setdefault(i, set()).add(k)
            for r in e["ror_ids"]:
                self.by_ror.setdefault(r, set()).add(k)
            for n in (e["name"], e["name_zh"]):
                key = normalize(n)
                if key:
                    self.by_name.setdefault(key, set()).add(k)
                    self.surface.setdefault(key, n)
            for a in e["strong_aliases"]:
                key = normalize(a)
                if key:
                    self.by_alias.setdefault(key, set()).add(k)
                    self.surface.setdefault(key, a)
        self.max_tokens = max((len(k.split()) for k in (*self.by_name, *self.by_alias)), default=1)
        self._inst_cache: dict[tuple[Any, ...], list[Hit]] = {}
        self._text_cache: dict[str, list[Hit]] = {}
        self._fuzzy_index: tuple[list[str], dict[str, list[int]]] | None = None

    # -- institution records -------------------------------------------------------------
    def match_institution(self, iid: str | None, ror: str | None, name: str | None, lineage: Iterable[str] = ()) -> list[Hit]:
        """Hits for one OpenAlex institution, by ID, ROR, exact name, strong alias and lineage."""
        lin = tuple(x for x in lineage if x and x != iid)
        ck = (iid, ror, name, lin)
        cached = self._inst_cache.get(ck)
        if cached is not None:
            return cached
        hits: list[Hit] = []
        for k in self.by_id.get(iid or "", ()):
            hits.append(Hit(k[0], k[1], "id", 1.0, iid or ""))
        for k in self.by_ror.get(ror or "", ()):
            hits.append(Hit(k[0], k[1], "ror", 1.0, ror or ""))
        n = normalize(name)
        for k in self.by_name.get(n, ()):
            hits.append(Hit(k[0], k[1], "exact", 1.0, name or ""))
        for k in self.by_alias.get(n, ()):
            hits.append(Hit(k[0], k[1], "strong_alias", 1.0, name or ""))
        for anc in lin:
            for k in self.by_id.get(anc, ()):
                hits.append(Hit(k[0], k[1], "parent", 1.0, anc, via_parent=self.info[k]["name"]))
        out = best_per_list(hits)
        self._inst_cache[ck] = out
        return out

    # -- raw affiliation strings ---------------------------------------------------------
    def match_text(self, raw: str | None) -> list[Hit]:
        """Hits for a raw affiliation string (or a free-text name), segment by segment."""
        if not raw:
            return []
        cached = self._text_cache.get(raw)
        if cached is not None:
            return cached
        hits: list[Hit] = []
        segs = segments(raw)
        for seg in segs:
            hits.extend(self._segment_hits(seg))
        # "Institute of Physics, Chinese Academy of Sciences" names one listed entity across
        # two segments: try adjacent pairs joined in both orders (whole-key lookups only).
        for a, b in zip(segs, segs[1:]):
            for joined in (f"{a} {b}", f"{b} {a}"):
                hits += [Hit(k[0], k[1], "raw_string", 1.0, self.surface.get(joined, joined)) for k, _ in self._lookup(joined)]
        if not hits and self.fuzzy_enabled:
            for seg in segments(raw):
                hits.extend(self._fuzzy_hits(seg))
        out = best_per_list(hits)
        self._text_cache[raw] = out
        return out

    def _lookup(self, key: str) -> list[tuple[tuple[str, str], str]]:
        return [(k, "name") for k in self.by_name.get(key, ())] + [(k, "alias") for k in self.by_alias.get(key, ())]

    def _segment_hits(self, seg: str) -> list[Hit]:
        found = self._lookup(seg)
        if found:
            return [Hit(k[0], k[1], "raw_string", 1.0, self.surface.get(seg, seg)) for k, _ in found]
        hits: list[Hit] = []
        if has_cjk(seg):
            compact = seg.replace(" ", "")
            for length in range(min(len(compact), 40), 3, -1):
                for k, _ in self._lookup(compact[:length]):
                    hits.append(Hit(k[0], k[1], "raw_string", 1.0, compact[:length]))
                if hits:
                    return hits
            return hits
        toks = seg.split()
        n = len(toks)
        for i in range(1, n):
            head, tail = " ".join(toks[:i]), " ".join(toks[i:])
            # listed name first, then organisational words ("beihang university school of …")
            if i <= self.max_tokens and i >= 2 and toks[i] in UNIT_WORDS:
                hits += [Hit(k[0], k[1], "raw_string", 1.0, self.surface.get(head, head)) for k, _ in self._lookup(head)]
            # organisational words, then the listed name ("state key laboratory of … at nudt")
            if n - i <= self.max_tokens and n - i >= 2 and (toks[i - 1] in JOIN_WORDS or toks[i - 1] in UNIT_WORDS):
                prefix_ok = toks[i - 1] in JOIN_WORDS or all(t in UNIT_WORDS or t in JOIN_WORDS for t in toks[:i])
                if prefix_ok:
                    hits += [Hit(k[0], k[1], "raw_string", 1.0, self.surface.get(tail, tail)) for k, _ in self._lookup(tail)]
        return hits

    # -- fuzzy (opt-in) ----------------------------------------------------------------
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
        return [Hit(k[0], k[1], "fuzzy", round(best_score, 4), self.surface.get(best_key, best_key)) for k in best_ents]

    def _fuzzy_blocks(self) -> tuple[list[str], dict[str, list[int]]]:
        if self._fuzzy_index is None:
            keys = sorted({*self.by_name, *self.by_alias})
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


def best_per_list(hits: list[Hit]) -> list[Hit]:
    """Per list, keep the hits of the best (earliest) method, one per entity."""
    best: dict[str, int] = {}
    for h in hits:
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


def resolve(
    tables: Any,
    *,
    lists: ListSet | None = None,
    apply: Sequence[str] = LIST_KEYS,
    scope: str = "cn",
    fuzzy: bool = False,
    as_of: dt.date | None = None,
) -> ResolveResult:
    """Flag PRC-scope affiliations in ``tables`` (a :class:`biblio.tables.WorksTables`).

    Each distinct (institution, raw strings) combination is resolved once and joined back,
    so a million authorship rows with tens of thousands of distinct affiliations is quick.
    """
    ls = lists or load_lists()
    codes = SCOPES[scope]
    as_of = as_of or dt.date.today()
    m = Matcher(ls, apply=apply, fuzzy=fuzzy)
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
    rows = pl.concat([ai.select(cols), raw_only.select(cols)], how="vertical_relaxed").with_columns(
        pl.col("raw_affiliation_strings").list.join(" | ").alias("raw_affiliation_string"),
        pl.concat_str(
            [pl.col("kind"), pl.col("institution_id").fill_null(""), pl.col("ror").fill_null(""), pl.col("institution_name").fill_null(""),
             pl.col("lineage").list.join(","), pl.col("raw_affiliation_strings").list.join("\u241e"), pl.col("country_code").fill_null("")],
            separator="\u241f",
        ).alias("_key"),
    )
    # resolve each distinct key once
    key_rows: list[dict[str, Any]] = []
    hit_rows: list[dict[str, Any]] = []
    for r in rows.select("_key", "kind", "institution_id", "ror", "institution_name", "lineage", "raw_affiliation_strings", "country_code").unique("_key").iter_rows(named=True):
        raws = r["raw_affiliation_strings"] or []
        if r["kind"] == "raw":
            if not _mentions_scope(raws, [r["country_code"]] if r["country_code"] else [], codes):
                continue
            hits = best_per_list([h for s in raws for h in m.match_text(s)])
        else:
            hits = m.match_institution(r["institution_id"], r["ror"], r["institution_name"], r["lineage"] or ())
            if not hits and fuzzy:
                hits = [Hit(h.list_key, h.entity_key, h.method, h.score, r["institution_name"] or "") for h in m.match_text(r["institution_name"]) if h.method == "fuzzy"]
            # raw strings: only where OpenAlex's institution looks wrong, i.e. its name does not
            # appear in the authorship's raw strings (a hospital row whose string also names the
            # university keeps its own institution: affiliated hospitals are separate entities).
            if raws and not _name_in_raw(r["institution_name"], raws):
                found = {(h.list_key, h.entity_key) for h in hits}
                extra = [h for s in raws for h in m.match_text(s) if (h.list_key, h.entity_key) not in found]
                if extra:
                    hits = best_per_list(hits + extra)
        status = "flagged" if hits else ("no_institution_id" if r["kind"] == "raw" else "no_match")
        key_rows.append({"_key": r["_key"], "status": status, "n_flags": len(hits)})
        for h in hits:
            e = m.info[(h.list_key, h.entity_key)]
            hit_rows.append({"_key": r["_key"], "list_key": h.list_key, "entity_key": h.entity_key, "entity_name": e["name"], "method": h.method,
                             "score": h.score, "matched_text": h.matched_text, "via_parent": h.via_parent, "aspi_risk": e["aspi_risk"]})
    keys = pl.DataFrame(key_rows, schema={"_key": pl.Utf8, "status": pl.Utf8, "n_flags": pl.Int32})
    hits_df = pl.DataFrame(hit_rows, schema={"_key": pl.Utf8, "list_key": pl.Utf8, "entity_key": pl.Utf8, "entity_name": pl.Utf8, "method": pl.Utf8,
                                             "score": pl.Float64, "matched_text": pl.Utf8, "via_parent": pl.Utf8, "aspi_risk": pl.Utf8})
    considered = rows.join(keys, on="_key", how="inner")
    aff = (
        considered.join(works.select("work_id", "is_synthetic"), on="work_id", how="left")
        .with_columns(pl.col("raw_affiliation_string").replace("", None))
        .select(list(AFFILIATION_SCHEMA))
        .sort("work_id", "author_index", "institution_id", nulls_last=True)
    )
    flags = (
        considered.drop("status", "n_flags")
        .join(hits_df, on="_key", how="inner")
        .with_columns(pl.col("raw_affiliation_string").replace("", None))
        .join(works, on="work_id", how="left")
    )
    flags = add_temporal(flags, ls, as_of=as_of)
    return ResolveResult(flags=flags.select(list(FLAG_SCHEMA)).sort("work_id", "author_index", "list_key", "entity_key", "institution_id", nulls_last=True), affiliations=aff)


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
    ls = lists or load_lists()
    as_of = as_of or dt.date.today()
    m = Matcher(ls, apply=LIST_KEYS, fuzzy=fuzzy)
    listed = {(r["list_key"], r["entity_key"]): (r["edition"], r["edition_date"]) for r in ls.listed_as_of(as_of).iter_rows(named=True)}
    eds = ls.editions
    cols = {c: df[c].cast(pl.Utf8).to_list() if c in df.columns else [None] * df.height for c in ("name", "ror", "openalex_id")}
    out: dict[str, list[Any]] = {c: [] for c in SCREEN_COLUMNS}
    for name, ror, oid in zip(cols["name"], cols["ror"], cols["openalex_id"]):
        if not name or not name.strip():
            for c in SCREEN_COLUMNS:
                out[c].append("" if c != "score" else None)
            out["evidence"][-1] = "not screened: empty name"
            continue
        oid_s = (oid or "").strip().rsplit("/", 1)[-1].upper() or None
        ror_s = (ror or "").strip().rstrip("/").rsplit("/", 1)[-1].lower() or None
        hits = m.match_institution(oid_s, ror_s, name, ())
        if not hits:
            hits = m.match_text(name)
        on = [h for h in hits if (h.list_key, h.entity_key) in listed]
        off = [h for h in hits if (h.list_key, h.entity_key) not in listed]
        best = min(hits, key=lambda h: (_RANK[h.method], -h.score)) if hits else None
        out["lists"].append(";".join(sorted({h.list_key for h in on})))
        out["matched_entity"].append("; ".join(sorted({m.info[(h.list_key, h.entity_key)]["name"] for h in hits})))
        out["method"].append(best.method if best else "")
        out["score"].append(best.score if best else None)
        ev = []
        for h in on:
            edn, edd = listed[(h.list_key, h.entity_key)]
            ln = eds.filter(pl.col("list_key") == h.list_key)["list_name"][0]
            ev.append(f"{h.list_key}: {m.info[(h.list_key, h.entity_key)]['name']} — {ln}, edition {edn} ({edd}); {h.method} on '{h.matched_text}'")
        for h in off:
            ev.append(f"{h.list_key}: matched {m.info[(h.list_key, h.entity_key)]['name']} but not on the edition in force on {as_of}")
        out["evidence"].append(" | ".join(ev) if ev else "no match on any list")
        risks = sorted({m.info[(h.list_key, h.entity_key)]["aspi_risk"] for h in hits if h.list_key == "aspi" and m.info[(h.list_key, h.entity_key)]["aspi_risk"]})
        out["aspi_risk"].append("; ".join(risks))
    added = pl.DataFrame(out, schema={"lists": pl.Utf8, "matched_entity": pl.Utf8, "method": pl.Utf8, "score": pl.Float64, "evidence": pl.Utf8, "aspi_risk": pl.Utf8})
    base = df.drop([c for c in SCREEN_COLUMNS if c in df.columns])
    return pl.concat([base, added], how="horizontal")


def screen_csv(in_path: str | Path, out_path: str | Path, *, as_of: dt.date | None = None, fuzzy: bool = False) -> pl.DataFrame:
    """Read a CSV of institutions, screen it and write the result (every input column kept)."""
    p = Path(in_path)
    if not p.exists():
        raise InputFileError(f"{p}: file not found; pass the CSV to screen")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{p}: not UTF-8 (byte {e.start}); save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(f"{p}: empty file; the first row must be a header with a 'name' column") from None
    header = [h.strip() for h in header]
    if "name" not in header:
        raise InputFileError(f"{p}: no 'name' column (found: {', '.join(header) or 'none'}); add a header called name")
    rows = []
    for n, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            row = (row + [""] * len(header))[: len(header)] if len(row) < len(header) else row[: len(header)]
            rows.append(dict(zip(header, row)) | {"_row_note": f"line {n}: expected {len(header)} fields"})
            continue
        rows.append(dict(zip(header, row)) | {"_row_note": ""})
    df = pl.DataFrame(rows, schema={**{h: pl.Utf8 for h in header}, "_row_note": pl.Utf8}) if rows else pl.DataFrame(schema={h: pl.Utf8 for h in header} | {"_row_note": pl.Utf8})
    res = screen(df.drop("_row_note"), as_of=as_of, fuzzy=fuzzy)
    notes = df["_row_note"]
    res = res.with_columns(
        pl.when(notes != "").then(pl.concat_str([pl.lit("input problem: "), notes, pl.lit(" | "), pl.col("evidence")])).otherwise(pl.col("evidence")).alias("evidence")
    ) if df.height else res
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    res.write_csv(out)
    return res
