"""Matching over the organisation graph: every organisation a string names, then the lists.

``OrgMatcher.analyse(raw)`` segments a raw affiliation string, finds every organisation it
names (listed or not), reads the places it mentions, applies the numbered-institute rule,
rolls units up to listed bodies over ``unit_of`` / ``subsidiary_of`` and returns the list
hits with the chain of each, plus what it could not decide (ambiguous names, joint centres,
flags withheld because the string places the body abroad).

Rules (general, from data; no string is special-cased):

* the longest known name wins, so a known unlisted body ("South China University of
  Technology") hides the listed name inside it;
* a name inside a longer segment counts only when the rest of the segment reads as a unit of it
  ("School of …", "… Hospital", "… at Weihai", a place);
* weak aliases never decide; abbreviations decide only as a whole segment; generic names (all
  words common in foreign organisation names) need the parent named or a PRC place;
* a name that several bodies share is decided by place, by city, or by one being the others'
  ancestor; otherwise it is reported as ambiguous. The graph's ``shared.csv`` names the keys
  whose bearers (weak aliases and acronyms included) lead to different list entries: all of
  them are candidates; bearers that all lead to the same entries decide;
* a body abroad (by the string's places, else ``country_code``) is never a PRC body, except a
  listed company's own site, which is flagged with the place in the evidence;
* a body with several unrelated parents (a joint centre) inherits none of their listings.

Example:
    >>> m = OrgMatcher(load_graph())                                    # doctest: +SKIP
    >>> [h.chain for h in m.analyse("CETC 38, Hefei, China").hits][:1]  # doctest: +SKIP
    [('CETC 38', 'China Electronics Technology Group Corporation 38th Research Institute (CETC 38)', ...)]
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from biblio.normalize import has_cjk
from biblio.orgs.graph import DECIDING, NameRef, OrgGraph, load_graph
from biblio.orgs.text import bare_number_after, name_key, numbered_in_cjk, numbered_in_tokens, to_simplified

UNIT_WORDS = frozenset(
    "school college department faculty institute institution laboratory laboratories center key state division graduate research "
    "hospital academy campus branch office unit group section program programme affiliated clinical medical medicine "
    "centre lab labs clinic station base team subsidiary hosp med 院 所 系 医院 实验室 中心".split()
)
JOIN_WORDS = frozenset({"at", "in", "and"})
BUSINESS_WORDS = frozenset("technologies technology technol group holdings holding co ltd limited inc corp corporation company".split())
ORG_END_WORDS = UNIT_WORDS | BUSINESS_WORDS | frozenset("shipyard factory plant works establishment".split())
_SPLIT = re.compile(r"[,;，；、|/()（）\[\]–—]|\s-\s")
_BRACKET_INSIDE = re.compile(r"(?<=[\w\u4e00-\u9fff.])\s*[(（]([^()（）,，;；]{1,30})[)）](?=\s*[\w\u4e00-\u9fff])")
_US_ZIP = re.compile(r"\b(A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY])\s+\d{5}(-\d{4})?\b")
PRC = frozenset({"CN", "HK", "MO"})
ZH_SHORT = 3
_ZH_DEPT = re.compile(r"[\u4e00-\u9fff]{1,2}[部处室]")
"""A short Chinese name of a department or office (政治部, 科研部): it decides only with its parent named."""
"""A Chinese name of this many characters or fewer decides only where it stands as a word."""


@dataclass(frozen=True)
class Hit:
    """One list entry a string (or an ID) leads to, with how and through what."""

    list_key: str
    entity_key: str
    method: str
    score: float
    matched_text: str
    chain: tuple[str, ...] = ()
    via_parent: str | None = None
    note: str = ""
    org: str = ""


@dataclass
class Mention:
    text: str
    key: str
    refs: list[NameRef]
    seg: int
    whole: bool
    method: str = "raw_string"


@dataclass
class Analysis:
    """What one string names: organisations (listed or not), hits, and what stayed undecided."""

    named: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    places: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    ambiguous: bool = False
    scoped: list = field(default_factory=list)
    hosted: dict[str, str] = field(default_factory=dict)
    """A body the string names as a unit of another named body ("Third Xiangya Hospital,
    Central South University"): body -> host, even where the graph has no such edge."""


_TIE_WORDS = frozenset("affiliated affiliate attached to of under".split())


def _brand_abroad(key: str) -> bool:
    """True when a listed company's name read at a place abroad is its own brand: a word that is
    no English word ("Huawei", "BGI", "Sensetime", Chinese), or two words besides business words
    ("Cirrus Design", "China Mobile", "John Holland"). One common word ("CoStar Group", "Sigma
    Technology", "General Technology Limited") is any company's name abroad.

    >>> _brand_abroad("huawei technologies"), _brand_abroad("costar group")
    (True, False)
    """
    from biblio.orgs.text import english_words

    if key.startswith("#") or has_cjk(key):
        return True
    toks = [t for t in key.split() if t not in BUSINESS_WORDS]
    words = english_words()
    return len(toks) >= 2 or any(t not in words and t.rstrip("s") not in words for t in toks)


def _coverage(ments: list[Mention]) -> int:
    """Characters of a part that names able to decide cover (a weak alias covers none)."""
    return sum(len(m.key) for m in ments if any(r.kind in DECIDING or r.kind == "abbreviation" for r in m.refs))


def _tied(key: str, unit: str, host: str) -> bool:
    """True when ``host`` directly follows ``unit`` (only tie words between: "Zhongshan Hospital
    Affiliated to Xiamen University") or directly precedes it ("Beihang University Qingdao …")."""
    k = f" {key} "
    if f" {host} {unit} " in k:
        return True
    i = k.find(f" {unit} ")
    j = k.find(f" {host} ", i + len(unit) + 1) if i >= 0 else -1
    return j >= 0 and all(t in _TIE_WORDS for t in k[i + len(unit) + 2: j + 1].split())


def _only_units(key: str, name: str) -> bool:
    """True when ``key`` is ``name`` plus unit or tie words only ("affiliated jinling hosp")."""
    k = f" {key} "
    i = k.find(f" {name} ")
    return i >= 0 and all(t in UNIT_WORDS or t in _TIE_WORDS or t in JOIN_WORDS for t in (k[:i] + k[i + len(name) + 2:]).split())


_CONTACT = re.compile(r"(?i)\b(?:electronic address|e-?mail(?: address)?|tel(?:ephone)?|fax)\s*[:.]?\s*(?:\S+@\S+|\+?[\d ()-]{6,})|\S+@\S+\.\w+")
_COUNTRY_STOP = re.compile(r"\b(China|PRC|Kong|Macao|Macau|Taiwan|USA|Japan|Korea|Singapore|Kingdom|Germany|France|Canada|Australia)\.\s+(?=[A-Z])")


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{3,9}\b")


def _acronyms(part: str) -> frozenset[str]:
    """Words a mixed-case part prints in capitals ("KLMME", "ISTBI"), as name-key tokens; none
    for an all-capitals part, where capitals say nothing.

    Example:
        >>> sorted(_acronyms("KLMME Ocean University of China"))
        ['klmme']
    """
    if "(" in part or not any(c.islower() for c in part):
        return frozenset()
    return frozenset(w.lower() for w in _ACRONYM.findall(part) if not w.isdigit())


def _elsewhere(country: str, places: set[str]) -> bool:
    """True when the string's places put a body of ``country`` elsewhere. Mainland China, Hong
    Kong and Macao are one scope: a Hong Kong body's Shenzhen institute is not abroad.

    Example:
        >>> _elsewhere("US", {"CN"}), _elsewhere("HK", {"CN"}), _elsewhere("CN", set())
        (True, False, False)
    """
    return bool(places and country and country not in places and not (country in PRC and places & PRC))


ZH_WORDS = Path(__file__).parent / "curated" / "zh_common_words.csv"
ZH_CITIES = Path(__file__).parent / "raw" / "geonames_cn_zh_cities.csv"


def zh_word_lists(g: OrgGraph) -> tuple[frozenset[str], frozenset[str]]:
    """Evidence of Chinese word boundaries: head words (the first two characters of 2+ of the
    graph's Chinese names of 4+ characters: 青岛, 华中, 南京; GeoNames' Chinese city names: 株洲) and words (Chinese places plus the
    common words of ``curated/zh_common_words.csv``: 车站, 集中). A head word that begins a short
    name (中车 of 中车青岛…) is left out: it is the name itself.

    Example:
        >>> heads, words = zh_word_lists(load_graph())                 # doctest: +SKIP
        >>> "华中" in heads, "车站" in words, "中车" in heads          # doctest: +SKIP
        (True, True, False)
    """
    zh = [k for k in g.names if k and "\u4e00" <= k[0] <= "\u9fff" and " " not in k]
    short = {k[:2] for k in zh if len(k) <= ZH_SHORT}
    heads = Counter(k[:2] for k in zh if len(k) >= 4)
    with ZH_WORDS.open(encoding="utf-8", newline="") as fh:
        common = {r["word"] for r in csv.DictReader(fh)}
    cities = zh_cities()
    return frozenset({h for h, c in heads.items() if c >= 2 and h not in short} | cities), frozenset(common | set(g.zh_places))


@lru_cache(maxsize=1)
def zh_cities() -> frozenset[str]:
    """GeoNames' Chinese names of mainland cities (株洲, 株洲市; ``raw/geonames_cn_zh_cities.csv``)."""
    with ZH_CITIES.open(encoding="utf-8", newline="") as fh:
        return frozenset(r["zh_name"] for r in csv.DictReader(fh))


def split_parts(raw: str) -> list[str]:
    """Raw affiliation string → its comma/semicolon/bracket-separated parts (text, unnormalised).
    Contact details go ("Electronic address: x@y.cn"), and a sentence ends after a country, so
    that "…, China. Electronic address" never reads as "China Electronic(s)".

    Example:
        >>> split_parts("Xi'an Jiaotong University, China. Electronic address: a@b.cn.")
        ["Xi'an Jiaotong University", 'China.']
    """
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)  # NFKC leaves ASCII as it is
    text = _COUNTRY_STOP.sub(r"\1 ; ", _CONTACT.sub(" ", text)) if ("@" in text or ". " in text) else text
    return [p.strip() for p in _SPLIT.split(text) if p and p.strip(" .")]


class OrgMatcher:
    """Find organisations in strings and turn them into list hits. Build once; results cached."""

    def __init__(self, graph: OrgGraph | None = None, *, apply: Iterable[str] | None = None) -> None:
        self.g = graph or load_graph()
        self.apply = set(apply) if apply is not None else None
        self.groups = {k.split("#")[1] for k in self.g.names if k.startswith("#")}
        self.printed_on = self._printed_on()
        self._common_cache: dict[tuple[str, frozenset[str]], bool] = {}
        self.word_orgs: dict[str, list[str]] = {}  # word → the bodies whose own names use it
        for o in self.g.orgs.values():
            for t in set(name_key(o.name, False).split()):
                self.word_orgs.setdefault(t, []).append(o.key)
        has_child = {p for ps in self.g.parents.values() for p, _, _ in ps}
        self.group_orgs = {k for k in has_child if k in self.g.orgs and self.g.orgs[k].kind in ("company", "academy")}
        self._cache: dict[tuple[str, str], Analysis] = {}
        self._rollups: dict[str, frozenset[tuple[str, str]]] = {}
        self._seg_cache: dict[tuple[str, frozenset[str]], tuple[list[Mention], list[str], list[str]]] = {}
        self._part_cache: dict[str, tuple[list[Mention], list[str]]] = {}
        self._place_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self.split_heads = self._split_heads()
        self.zh_heads, self.zh_words = zh_word_lists(self.g)
        self.zh_cities = zh_cities()

    def _split_heads(self) -> dict[str, int]:
        """Key of the first part of each name printed with a separator in it ("AccoTest
        Technology Co., Ltd. (Hong Kong)") → the most parts such a name has: where a run of a
        string's parts may be one name (:meth:`_joined`)."""
        out: dict[str, int] = {}
        for refs in self.g.names.values():
            for r in refs:
                if _SPLIT.search(r.text):
                    ps = split_parts(r.text)
                    if len(ps) > 1:
                        k = name_key(ps[0], False)
                        out[k] = max(out.get(k, 0), len(ps))
        return out

    def _printed_on(self) -> dict[str, list[NameRef]]:
        """Organisation → the list entries that print its numbered name as theirs only ("CETC 44"
        on the Entity List's CETC Chip Technology entry): naming the body by any name names that."""
        out: dict[str, list[NameRef]] = {}
        for k, refs in self.g.names.items():
            if k.startswith("#"):
                for own in {r.org for r in refs if not r.scope}:
                    out.setdefault(own, []).extend(r for r in refs if r.scope and r.org != own)
        return out

    # -- org facts ----------------------------------------------------------------------
    def country(self, key: str) -> str:
        o = self.g.orgs.get(key)
        if o and o.country:
            return o.country
        for a in self.g.ancestors(key):
            if self.g.orgs[a].country:
                return self.g.orgs[a].country
        return "CN" if self.g.links.get(key) else ""

    def is_company(self, key: str) -> bool:
        return any(self.g.orgs[k].kind == "company" for k in [key, *self.g.ancestors(key)] if k in self.g.orgs)

    def name(self, key: str) -> str:
        o = self.g.orgs.get(key)
        return o.name if o else key

    # -- scanning one part ----------------------------------------------------------------
    def scan(self, part: str) -> tuple[list[Mention], list[str]]:
        """Mentions of known names in one part, and the leftover tokens (for places)."""
        got = self._part_cache.get(part)  # parts repeat ("China", "Beijing 100190"): skip normalising them again
        if got is not None:
            return got
        key = name_key(part, False)
        acr = _acronyms(part)
        hit = self._seg_cache.get((key, acr))
        if hit is not None:
            got = (hit[0], hit[1])
        elif not key:
            got = ([], [])
        else:
            ments, left = self._scan_cjk(key) if has_cjk(key) else self._scan_tokens(key, acr)
            self._seg_cache[(key, acr)] = (ments, left, [])
            got = (ments, left)
        if len(self._part_cache) < 200_000:
            self._part_cache[part] = got
        return got

    def _scan_tokens(self, key: str, acr: frozenset[str] = frozenset()) -> tuple[list[Mention], list[str]]:
        toks = key.split()
        n = len(toks)
        spans = []
        first = self.g.first_tokens
        for i in range(n):
            longest = first.get(toks[i], 0)
            for j in range(min(n, i + longest), i, -1):  # every length: a longer name that loses to an
                k = " ".join(toks[i:j])                    # overlapping one leaves its prefix ("AVIC …")
                if k in self.g.names:
                    spans.append((i, j, k))
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        taken = [False] * n
        chosen = []
        for i, j, k in spans:
            if not any(taken[i:j]):
                chosen.append((i, j, k))
                for x in range(i, j):
                    taken[x] = True
        out = []
        for i, j, k in sorted(chosen):
            whole = i == 0 and j == n
            if whole or self._context_ok(toks, i, j, taken, company=self._all_companies(k), acr=acr):
                out.append(Mention(" ".join(toks[i:j]), k, self.g.names[k], 0, whole))
        left = [t for x, t in enumerate(toks) if not taken[x]]
        return out, left

    def _all_companies(self, key: str) -> bool:
        refs = [r for r in self.g.names[key] if r.kind in DECIDING]
        return bool(refs) and all(self.g.orgs[r.org].kind == "company" for r in refs if r.org in self.g.orgs)

    def _context_ok(self, toks: list[str], i: int, j: int, taken: list[bool], *, company: bool = False, acr: frozenset[str] = frozenset()) -> bool:
        """A name inside a longer part counts when the rest reads as its unit or its place; a
        company's name may also be followed by anything ("Huawei Noah's Ark Lab", "BYD Auto"),
        and a unit's acronym may precede it ("KLMME Ocean University of China"). A name followed by
        "and" plus words that are neither another name nor a place is, when the name is generic, the
        head of a longer name ("Institute of Computing Technology and Application" is not the
        Institute of Computing Technology)."""
        left, right = toks[:i], toks[j:]
        lok = (not left or toks[i - 1] in JOIN_WORDS or any(t in UNIT_WORDS for t in left) or all(taken[:i]) or self._is_place(left)
               or all(t in acr for t in left))
        and_ok = (right[:1] != ["and"] or all(taken[j + 1:]) or self._is_place(right[1:])  # "… and Tsinghua University"
                  or any(t in ORG_END_WORDS or t.startswith("univ") for t in right[1:])  # "… and Technical University of Munich"
                  or not all(t in self.g.vocab or t in UNIT_WORDS for t in toks[i:j]))  # only a generic name reads as a head
        rok = (not right or company or right[0] in UNIT_WORDS or (right[0] in JOIN_WORDS and and_ok) or any(t in UNIT_WORDS for t in right)
               or all(taken[j:]) or self._is_place(right) or right[0].isdigit() or re.match(r"^\d+(st|nd|rd|th)$", right[0]) is not None)
        return lok and rok

    def _is_place(self, toks: list[str]) -> bool:
        """True when the tokens are place names end to end ("xi an china")."""
        n = len(toks)
        ok = [True] + [False] * n
        first = self.g.place_first
        for i in range(n):
            if not ok[i]:
                continue
            for j in range(i + 1, min(n, i + min(first.get(toks[i], 0), 4)) + 1):
                if " ".join(toks[i:j]) in self.g.places:
                    ok[j] = True
        return ok[n]

    def _scan_cjk(self, key: str) -> tuple[list[Mention], list[str]]:
        """Known Chinese names in a part, longest first; a part that names no body and begins
        with a place name (an address: "上海 200127", "香港") gives that place. A place inside a
        name ("日本学研究中心") is no place. A short name (:data:`ZH_SHORT` characters or fewer)
        counts only where it stands as a word (:meth:`_zh_word`)."""
        s = key.replace(" ", "")
        out: list[Mention] = []
        i = end = 0
        while i < len(s) - 1:
            for k in self.g.zh_first.get(s[i:i + 2], ()):
                if s.startswith(k, i) and (len(k) > ZH_SHORT or len(k) == len(s) or self._zh_word(s, i, len(k), after=i == end and bool(out))):
                    out.append(Mention(k, k, self.g.names[k], 0, len(k) == len(s)))
                    i = end = i + len(k)
                    break
            else:
                i += 1
        if not out:  # an address part: 上海 200127, 上海市黄浦区, 香港
            return out, next(([k] for k in self.g.zh_places if s.startswith(k)), [])
        return out, []

    def _zh_word(self, s: str, i: int, n: int, *, after: bool = False) -> bool:
        """True when the short Chinese name ``s[i:i+n]`` stands as a word: at the start of the
        part, right after a place name (北京, 中国, 湖南; 市/省 may follow it), a word the graph's
        names begin with (青岛, 南京) or another name (``after``), and not straddling a longer
        word: a common word (``curated/zh_common_words.csv``), a place or such a head word that
        begins inside the name and runs past it ("北京中车站": 车站). Chinese has no spaces, so
        "武汉华中车辆" (华中 + 车辆) and "集中车间" do not name 中车 (CRRC).

        Example: "中车株洲…" and "中国中车" name CRRC; "武汉华中车辆…" does not."""
        if not (i == 0 or after or any(s.endswith(w, 0, i - len(x)) for x in ("", "市", "省") if s.endswith(x, 0, i)
                                        for w in self._zh_bounds(s[max(0, i - len(x) - 7): i - len(x)]))):
            return False
        words = self.zh_words
        return not any(s[j: j + w] in words for j in range(i + 1, i + n) for w in range(i + n - j + 1, 8) if j + w <= len(s))

    def _zh_bounds(self, left: str) -> list[str]:
        """The words that may end right before a short name: places and head words that ``left`` ends with."""
        return [left[x:] for x in range(len(left) - 1) if left[x:] in self.zh_words or left[x:] in self.zh_heads]

    def places_in(self, toks: list[str]) -> set[str]:
        """Country codes of place names among leftover tokens (longest first); cached."""
        key = tuple(toks)
        got = self._place_cache.get(key)
        if got is None:
            got = self._place_cache[key] = frozenset(self._places_in(toks))
        return set(got)

    def _places_in(self, toks: list[str]) -> set[str]:
        found: set[str] = set()
        n = len(toks)
        i = 0
        first = self.g.place_first
        while i < n:
            if toks[i] not in first:  # no place name starts with this word
                i += 1
                continue
            for j in range(min(n, i + min(first[toks[i]], 5)), i, -1):
                cc = self.g.places.get(" ".join(toks[i:j]))
                if cc:
                    found.add(cc)
                    i = j
                    break
            else:
                i += 1
        return found

    # -- a whole string -----------------------------------------------------------------
    def analyse(self, raw: str | None, *, country_code: str | None = None) -> Analysis:
        """Every organisation ``raw`` names, the list hits (with chains) and the notes."""
        if not raw or not raw.strip():
            return Analysis()
        ck = (raw, country_code or "")
        got = self._cache.get(ck)
        if got is not None:
            return got
        text, kept = self._keep_places(raw)
        parts = split_parts(text)
        ments: list[Mention] = []
        left: list[str] = []
        for si, p in enumerate(parts):
            ms, lt = self._scan_kept(p, kept) if kept else self.scan(p)
            lead = self._group_lead(p, parts[si + 1: si + 2])
            if lead:
                ms = [m for m in ms if m.key != lead.key] + [lead]
                lt = [t for t in lt if t != lead.key]
            ments += [Mention(m.text, m.key, m.refs, si, m.whole and len(parts) >= 1) for m in ms]
            left += lt + ["|"]
        ments += self._joined(parts, ments)
        places = self.places_in(left)
        if _US_ZIP.search(raw if raw.isascii() else unicodedata.normalize("NFKC", raw)):
            places.add("US")
        a = Analysis(places=set(places))
        p_eff = places or ({country_code.upper()} if country_code else set())
        decided: list[tuple[str, Mention]] = []
        where = " " + " ".join(left + [self.g.place_same[t] for t in left if t in self.g.place_same]) + " "  # 上海 is Shanghai
        for m in ments:
            org = self._decide(m, ments, p_eff, a, single=len(parts) == 1, where=where)
            if org:
                decided.append((org, m))
        decided = self._units_of_others(decided, parts, a)
        decided += self._numbered(parts, ments, decided, a.scoped)
        for org, m in decided:
            text = next((x.text for x in m.refs if x.org == org), m.text)
            a.scoped.extend((NameRef(r.org, r.kind, r.scope, text), m) for r in self.printed_on.get(org, ()))
        self._hits(decided, p_eff, a, single=len(parts) == 1)
        self._cache[ck] = a
        return a

    def _keep_places(self, raw: str) -> tuple[str, frozenset[str]]:
        """``raw`` with a bracketed place inside a name kept in the name ("SDIC Intelligence
        (Xiamen) Information Co., Ltd." → "SDIC Intelligence Xiamen Information Co., Ltd.",
        "国投智能（厦门）信息股份有限公司" → "国投智能厦门信息股份有限公司"), and the places kept. A
        bracket counts when text runs on right after it and it holds a place (the graph's places,
        GeoNames' cities, Chinese or English); "(Group)" or a trailing "(Hong Kong)" stays a part.

        Example: "CETC (Chengdu) Co., Ltd." → ("CETC Chengdu Co., Ltd.", {"Chengdu"})."""
        if "(" not in raw and "（" not in raw:
            return raw, frozenset()
        kept: set[str] = set()

        def keep(m: re.Match) -> str:
            inner = m.group(1).strip()
            if not self._is_bracket_place(inner):
                return m.group(0)
            kept.add(inner)
            return inner if has_cjk(inner) else f" {inner} "
        return _BRACKET_INSIDE.sub(keep, raw), frozenset(kept)

    def _is_bracket_place(self, inner: str) -> bool:
        """True when a bracket's text is a place name: 厦门, 厦门市, Xiamen, Hong Kong."""
        if has_cjk(inner):
            k = to_simplified(inner)
            return any(x in self.g.zh_places or x in self.zh_cities for x in (k, k.removesuffix("市"), k.removesuffix("省")))
        k = name_key(inner, False)
        return bool(k) and (k in self.g.places or k in self.g.provinces)

    def _scan_kept(self, part: str, kept: frozenset[str]) -> tuple[list[Mention], list[str]]:
        """A part scanned with a kept bracketed place and without it; the reading whose deciding
        names cover more characters wins, the place read with the name on a tie ("华为技术(深圳)有限公司…"
        names 华为技术有限公司 when only that is known)."""
        got = self.scan(part)
        for place in kept:
            if place not in part:
                continue
            bare = re.sub(r"\s+", " ", part.replace(place, " " if not has_cjk(place) else "", 1)).strip()
            alt = self.scan(bare)
            if _coverage(alt[0]) > _coverage(got[0]):
                got = (alt[0], alt[1] + (name_key(place, False).split() if not has_cjk(place) else []))
        return got

    def _group_lead(self, part: str, nxt: list[str]) -> Mention | None:
        """A group's abbreviation in capitals opening a part, followed by an organisation's name
        ("CSSC Jiangnan Shipyard (Group) Co., Ltd.", "CASIC Second Academy"): the group is named.
        The rest must end as an organisation does (institute, shipyard, Co., Ltd., …) or be a place."""
        toks = part.split()
        if len(toks) < 2 or len(toks[0]) < 3 or not toks[0].isupper() or not toks[0].isalpha():
            return None
        k = name_key(toks[0], False)
        refs = [r for r in self.g.names.get(k, ()) if r.kind == "abbreviation" and not r.scope and r.org in self.group_orgs]
        if len({r.org for r in refs}) != 1 or k in self.g.vocab:
            return None
        rest = name_key(" ".join(toks[1:]), False).split()
        after = name_key(nxt[0], False).split() if nxt else []
        if rest and (rest[-1] in ORG_END_WORDS or self._is_place(rest) or (after and all(t in BUSINESS_WORDS for t in after))):
            return Mention(toks[0], k, refs, 0, True)
        return None

    def _joined(self, parts: list[str], ments: list[Mention]) -> list[Mention]:
        """Adjacent parts that together are one name ("Institute of Physics, Chinese Academy of
        Sciences"), and a name printed with commas or brackets in it, read over up to four parts
        in order ("Changchun Institute of Optics, Fine Mechanics, and Physics", "AccoTest
        Technology Co., Ltd. (Hong Kong)")."""
        out = []
        keys = [name_key(p, False) for p in parts]
        for i in range(len(keys) - 1):
            for joined in (f"{keys[i]} {keys[i + 1]}", f"{keys[i + 1]} {keys[i]}"):
                if joined in self.g.names:
                    out.append(Mention(joined, joined, self.g.names[joined], i, True))
            most = self.split_heads.get(keys[i], 0)  # only a name printed with separators spans parts
            for j in range(i + 2, min(len(keys), i + min(most, 4)) + 1):
                joined = name_key(", ".join(parts[i:j]), False)
                if joined in self.g.names and joined not in keys[i:j]:
                    out.append(Mention(joined, joined, self.g.names[joined], i, True))
        return out

    def _candidates(self, m: Mention) -> tuple[list[NameRef], str]:
        """The bodies a mention may name, and why none when there are none ("weak"). A shared
        name (several bodies with different list roll-ups bear it) gives every bearer, even by a
        weak alias or abbreviation, so that only the string can pick one ("shared")."""
        shared = self.g.shared.get(m.key)
        if shared:
            return [r for r in m.refs if r.org in shared and not r.scope], "shared"
        refs = [r for r in m.refs if (r.kind in DECIDING or (r.kind == "abbreviation" and m.whole)) and not r.scope]
        if not refs:
            return [], "weak" if any(r.kind == "weak_alias" for r in m.refs) else ""
        return refs, ""

    def _decide(self, m: Mention, ments: list[Mention], places: set[str], a: Analysis, *, single: bool, where: str = "") -> str | None:
        scoped = [r for r in m.refs if r.scope and r.kind in DECIDING]
        if scoped:
            a.scoped.extend((r, m) for r in scoped)
        refs, why = self._candidates(m)
        if not refs and scoped:
            return None
        if not refs:
            if why == "weak":
                a.notes.append(f"'{m.text}' is only a weak alias: not decisive")
            return None
        orgs = sorted({r.org for r in refs})
        named_elsewhere = {r.org for x in ments if x is not m for r in x.refs if r.kind in DECIDING}
        words = m.key.split()
        unit_name = len(words) >= 2 and any(t in UNIT_WORDS for t in words)  # "Space Application Centre"
        generic = all(r.kind not in ("canonical", "zh_hans", "zh_hant") for r in refs) and all(
            t in self.g.vocab or t in UNIT_WORDS or (unit_name and (t in JOIN_WORDS or self._common(t, orgs))) for t in words)
        if generic:
            orgs = [o for o in orgs if set(self.g.ancestors(o)) & named_elsewhere or (places & PRC and self.country(o) in places)]
            if not orgs:
                a.notes.append(f"'{m.text}' is a generic name: its parent is not named and no PRC place is given")
                return None
        if _ZH_DEPT.fullmatch(m.key):  # 政治部, 科研部: a department of any body
            orgs = [o for o in orgs if set(self.g.ancestors(o)) & named_elsewhere]
            if not orgs:
                a.notes.append(f"'{m.text}' is any body's department: its parent is not named")
                return None
        if len(orgs) > 1 and places:
            inplace = [o for o in orgs if self.country(o) in places]
            orgs = inplace or orgs
        if len(orgs) > 1 and where.strip():  # "CAST, Beijing": the body in the city the string names
            incity = [o for o in orgs if self._city_key(o) and f" {self._city_key(o)} " in where]
            orgs = incity if len(incity) == 1 else orgs
        if len(orgs) > 1 and where.strip():  # "Zhongshan Hospital, Fujian": the bodies in that province
            provs = {p for k, p in self.g.province_names.items() if f" {k} " in where}
            inprov = [o for o in orgs if provs and self._province(o) in provs]
            orgs = inprov or orgs
        if len(orgs) > 1:
            top = [o for o in orgs if all(o == x or o in self.g.ancestors(x) for x in orgs)]
            if len(top) == 1:
                orgs = top
        if len(orgs) > 1:
            rel = [o for o in orgs if set(self.g.ancestors(o)) & named_elsewhere]
            orgs = rel if len(rel) == 1 else orgs
        if len(orgs) > 1 and self._same_rollup(orgs):
            return orgs[0]  # several records, one listing: the name decides what the lists say
        if len(orgs) > 1:
            a.ambiguous = True
            a.notes.append(self._ambiguous_note(m, refs, orgs))
            return None
        return orgs[0]

    def _ambiguous_note(self, m: Mention, refs: list[NameRef], orgs: list[str]) -> str:
        """The evidence for an undecided name: the name as printed and its bearers with place,
        e.g. "ambiguous: 'Zhongshan Hospital' names 3 bodies: … Zhongshan Hospital (Shanghai) (Shanghai, CN)"."""
        shown = next((r.text for r in refs if r.org in orgs and r.text.isascii() == m.text.isascii()), m.text)
        desc = "; ".join(f"{self.name(o)} ({', '.join(x for x in (self._city_name(o), self.country(o) or '?') if x)})" for o in orgs[:4])
        more = f" and {len(orgs) - 4} more" if len(orgs) > 4 else ""
        return f"ambiguous: '{shown}' names {len(orgs)} bodies: {desc}{more}"

    def _city_name(self, org: str) -> str:
        """A body's city as printed, else its nearest ancestor's ('' when none is known)."""
        for k in (org, *(self.g.ancestors(org) if org in self.g.orgs else ())):
            o = self.g.orgs.get(k)
            if o and o.city:
                return o.city
        return ""

    def _same_rollup(self, orgs: list[str]) -> bool:
        """True when every candidate leads to the same list entries, and to some (a name two
        records of one listed body bear decides; two unlisted bodies stay ambiguous).

        Example: "Tongji Hospital" of Wuhan and of Tongji University lead to different
        universities' entries: False."""
        ups = set()
        for o in orgs:
            up = self._rollups.get(o)
            if up is None:
                up = self._rollups[o] = self.g.rollup(o) if o in self.g.orgs else frozenset()
            ups.add(up)
        return len(ups) == 1 and bool(next(iter(ups)))

    def _common(self, word: str, orgs: list[str]) -> bool:
        """True when 4+ bodies outside the candidates' corporate family use ``word`` in their names
        ("space", "aeronautics"; not "huawei", which only Huawei's own bodies use)."""
        users = self.word_orgs.get(word, ())
        if len(users) < 4:
            return False
        tops = frozenset((self.g.ancestors(o) or [o])[-1] for o in orgs)
        got = self._common_cache.get((word, tops))
        if got is None:
            n = 0
            for u in users:
                if u not in tops and not tops & set(self.g.ancestors(u)):
                    n += 1
                    if n >= 4:
                        break
            got = self._common_cache[(word, tops)] = n >= 4
        return got

    def _province(self, org: str) -> str:
        """The PRC province of a body's city (its own, else its nearest ancestor's), '' if unknown.

        Example: Xiamen University's Zhongshan Hospital (Xiamen) → "CN-FJ"."""
        k = self._city_key(org)
        if not k:
            return ""
        got = self.g.provinces.get(k)
        if got is None and k.rsplit(" ", 1)[-1] in ("shi", "city"):  # "Changsha Shi", "Jilin City"
            got = self.g.provinces.get(k.rsplit(" ", 1)[0])
        return got or ""

    def _city_key(self, org: str) -> str:
        """The key of a body's city, else of its nearest ancestor's that has one (an institute
        of the Academy of Military Sciences is in Beijing).

        Example: "Institute of Systems Engineering, Beijing" is the Academy of Military
        Sciences' institute, not CAEP's (Mianyang)."""
        c = self._city_name(org)
        return name_key(c, False) if c else ""

    def _units_of_others(self, decided: list[tuple[str, Mention]], parts: list[str], a: Analysis) -> list[tuple[str, Mention]]:
        """A unit name tied to another body the string names, which is not its parent, names a
        unit of that body, not the look-alike the name belongs to: "Qingdao Research Institute of
        Beihang University" (not Wuhan University of Technology's), "Institute of Radiation
        Medicine, Fudan University" (not the AMMS institute). An unlisted unit whose ancestors the
        string does not name is read as a unit of a university or academy named later by its full
        name ("State Key Laboratory of Ophthalmology, …, Wenzhou Medical University")."""
        keys = [name_key(p, False) for p in parts]
        named = {o for o, _ in decided}
        out = []
        for org, m in decided:
            host = None
            toks = m.key.split()
            orphan = self._orphan_unit(org, named)
            for o2, h in decided:
                if (o2 == org or h is m or o2 in self.g.ancestors(org) or org in self.g.ancestors(o2) or m.method != "raw_string"
                        or self.g.is_joint(o2)):  # a joint centre's members are not its units
                    continue
                same = h.seg == m.seg and toks[-1] in UNIT_WORDS and _tied(keys[m.seg], m.text, h.text)
                after = (h.seg == m.seg + 1 and (toks[0] in UNIT_WORDS or toks[-1] in UNIT_WORDS)
                         and _only_units(keys[m.seg], m.text) and _only_units(keys[h.seg], h.text))
                later = (orphan and h.seg > m.seg and any(t in UNIT_WORDS for t in toks) and o2 in self.g.orgs and len(h.key.split()) > 1
                         and any(r.org == o2 and r.kind in DECIDING for r in h.refs)
                         and self.g.orgs[o2].kind in ("university", "academy") and not set(self.g.ancestors(org)) & set(self.g.ancestors(o2)))
                if same or after or later:
                    host = o2
                    break
            if host:
                a.notes.append(f"'{m.text}' reads as a unit of {self.name(host)}, not as {self.name(org)}")
                a.hosted.setdefault(org, host)
                continue
            out.append((org, m))
        return out

    def _orphan_unit(self, org: str, named: set[str]) -> bool:
        """True when ``org`` is an unlisted unit whose ancestors the string does not name: a later
        university or academy the string names is then its host ("State Key Laboratory of
        Ophthalmology, …, Wenzhou Medical University" is not Sun Yat-sen University's laboratory)."""
        anc = self.g.ancestors(org) if org in self.g.orgs else []
        return bool(anc) and not self.g.links.get(org) and not set(anc) & named

    def _numbered(self, parts: list[str], ments: list[Mention], decided: list[tuple[str, Mention]], a_scoped: list) -> list[tuple[str, Mention]]:
        """The numbered-institute rule: a number next to an institute/academy word (or right
        after a group's name) plus a group named in the same or a neighbouring part. A group
        abbreviation that did not decide by itself (shared, as "CAST", or inside a longer part, as
        "the 701 Institute of CSSC") counts when the graph knows that group's unit of that number."""
        groups = [(o, m) for o, m in decided if o in self.groups]
        sure = {o for o, _ in groups}
        for m in ments:
            for o in dict.fromkeys(r.org for r in m.refs if r.org in self.groups and r.org not in sure
                                   and not r.scope and (r.kind in DECIDING or r.kind == "abbreviation")):
                groups.append((o, m))
        if not groups:
            return []
        out: list[tuple[str, Mention]] = []
        for si, p in enumerate(parts):
            key = name_key(p, False)
            if has_cjk(key):
                nums = numbered_in_cjk(key.replace(" ", ""))
            else:
                toks = key.split()
                nums = numbered_in_tokens(toks)
                for o, m in groups:
                    mt = m.text.split()
                    for x in range(len(toks) - len(mt) + 1):
                        if toks[x:x + len(mt)] == mt:
                            b = bare_number_after(toks, x + len(mt))
                            if b:
                                nums.append((b, "institute"))
            near = [o for o, m in groups if abs(m.seg - si) <= 1] or [o for o, _ in groups]
            for n, kind in dict.fromkeys(nums):
                for g in dict.fromkeys(near):
                    k = f"#{g}#{kind}#{n}"
                    refs = [NameRef(r.org, r.kind, r.scope, p) for r in self.g.names.get(k, ())]
                    if g not in sure and not any(not r.scope for r in refs):
                        continue  # an undecided group name counts only for a unit the graph knows
                    m = Mention(p, k, refs, si, True, "numbered")
                    a_scoped.extend((r, m) for r in refs if r.scope)  # printed on another entry of one list
                    own = [r for r in refs if not r.scope] or [NameRef(k, "numbered", "", p)]
                    out.append((own[0].org, Mention(p, k, own, si, True, "numbered")))
        return out

    def _hits(self, decided: list[tuple[str, Mention]], places: set[str], a: Analysis, *, single: bool) -> None:
        best: dict[tuple[str, str], Hit] = {}
        for org, m in decided:
            if org not in a.named:
                a.named.append(org)
            c = self.country(org) if org in self.g.orgs else "CN"
            abroad = ""
            if _elsewhere(c, places):
                if self.is_company(org) and self._listed_up(org) and _brand_abroad(m.key):
                    abroad = f"site abroad: the string places {self.name(org)} in {', '.join(sorted(places))}"
                elif self.is_company(org) and self._listed_up(org):
                    a.notes.append(f"not flagged: '{m.text}' names {self.name(org)} ({c}) but the string places it in "
                                   f"{', '.join(sorted(places))}, and a name of one common word is any company's there")
                    continue
                else:
                    a.notes.append(f"not flagged: '{m.text}' names {self.name(org)} ({c}) but the string places it in {', '.join(sorted(places))}")
                    continue
            elif c and c not in PRC and org in self.g.orgs and self._listed_up(org):
                abroad = self._site_abroad(org)
            if org in self.g.orgs and self.g.is_joint(org) and not self.g.links.get(org):
                a.notes.append(self.joint_note(org))
                continue
            for h in self._walk(org, m, single=single, note=abroad):
                k = (h.list_key, h.entity_key)
                if k not in best or len(h.chain) > len(best[k].chain):
                    best[k] = h
        for r, m in a.scoped:
            if _elsewhere(self.country(r.org), places):
                continue
            lk, ek = r.scope.split(":", 1)
            if (self.apply is None or lk in self.apply) and (lk, ek) not in best:
                best[(lk, ek)] = Hit(lk, ek, self._method(r.org, m, single), 1.0, r.text,
                                     (r.text, f"printed by {lk} under {self.name(r.org)} (that list only)"), None, "", r.org)
        a.hits = sorted(best.values(), key=lambda h: (h.list_key, h.entity_key))

    def joint_note(self, org: str) -> str:
        """What a joint centre is, for the evidence: 'joint centre: Duke Kunshan University
        (members: Duke University, Wuhan University); flagged only for members the string names'."""
        members = ", ".join(dict.fromkeys(self.name(p) for p, _, _ in self.g.parents.get(org, ())))  # one edge per source
        return f"joint centre: {self.name(org)} (members: {members}); flagged only for members the string names"

    def _site_abroad(self, org: str) -> str:
        """Evidence for a listed body's own site abroad, e.g. 'site abroad: Huawei Munich Research
        Center (Munich, DE), a site of Huawei Technologies Co., Ltd.'."""
        o = self.g.orgs[org]
        where = ", ".join(x for x in (o.city, o.country) if x)
        up = next((self.name(k) for k in self.g.ancestors(org) if self.g.links.get(k)), "")
        return f"site abroad: {self.name(org)} ({where})" + (f", a site of {up}" if up else ", a listed body abroad")

    def _listed_up(self, org: str) -> bool:
        return any(self.g.links.get(k) for k in [org, *self.g.ancestors(org)])

    def _method(self, org: str, m: Mention, single: bool) -> str:
        if m.method != "raw_string":
            return m.method
        kinds = {r.kind for r in m.refs if r.org == org}
        if single and m.whole:
            return "exact" if kinds & {"canonical", "zh_hans", "zh_hant"} else "strong_alias"
        return "raw_string"

    def org_hits(self, org: str, *, method: str, matched: str, note: str = "") -> list[Hit]:
        """List hits of a known organisation (found by ID): its own entries and its ancestors'."""
        m = Mention(matched, "", [NameRef(org, "canonical", "", self.name(org))], 0, True, method)
        return [Hit(h.list_key, h.entity_key, method, 1.0, matched, h.chain, h.via_parent, note, org) for h in self._walk(org, m, single=True, note=note)]

    def _walk(self, org: str, m: Mention, *, single: bool, note: str) -> list[Hit]:
        """List hits of ``org`` and of its ancestors (unit_of / subsidiary_of), with chains."""
        scoped = {r.scope for r in m.refs if r.org == org and r.scope}
        unscoped = any(r.org == org and not r.scope for r in m.refs) or m.method == "numbered"
        surface = m.text if m.method != "raw_string" else next((r.text for r in m.refs if r.org == org), m.text)
        method = self._method(org, m, single)
        out: list[Hit] = []
        if scoped and not unscoped:
            for sc in scoped:
                lk, ek = sc.split(":", 1)
                if self.apply is None or lk in self.apply:
                    out.append(Hit(lk, ek, method, 1.0, surface, (surface, f"{lk} prints this name under that entry only"), None, note, org))
            return out
        start = org if org in self.g.orgs else org.split("#")[1]
        head = (surface,) if org in self.g.orgs and surface.casefold() != self.name(org).casefold() and m.method not in ("id", "ror", "parent") else ()
        if org not in self.g.orgs:
            head = (surface,)
        for k, path in self.g.walk_up(org, start=start):  # a joint centre inherits none of its members' listings
            chain = head + tuple(self.name(x) for x in path)
            for lk, ek, scope, _ in self.g.links.get(k, ()):
                if (scope != "all" and k != org) or (self.apply is not None and lk not in self.apply):
                    continue
                out.append(Hit(lk, ek, method, 1.0, surface, chain, self.name(k) if k != org and len(chain) > 1 else None, note, org))
        return out
