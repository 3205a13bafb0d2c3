"""Where an affiliation string is: PRC mainland, Hong Kong, Macau or Taiwan, from its words.

Data-driven: the names live in ``biblio/data/places/prc_places.csv`` (provenance beside it);
this module holds the rules.

* a PRC province or city name ("Beijing", "Hefei", "Zhejiang") is evidence of the mainland (CN);
* a name of the country ("China", "P.R. China", "Peoples R China", 中国) counts for CN only
  when the same string names no Hong Kong, Macau or Taiwan place ("Hong Kong, China" is HK);
* non-PRC places whose names contain "China" (China Lake, California) are never evidence;
* a six-digit postcode is never evidence on its own: of the 264 affiliation strings on the House
  committee's papers with a six-digit number and no place name, none is in the PRC (India,
  Singapore, Russia, P.O. boxes, …). Beside a PRC place it is quoted in the evidence.

Apply it to one affiliation string at a time: joining two authors' strings mixes their places.

Example:
    >>> detect_regions("Dept. of Physics, Tsinghua University, Beijing 100084, China")
    frozenset({'CN'})
    >>> detect_regions("City University of Hong Kong, Kowloon, Hong Kong SAR, China")
    frozenset({'HK'})
    >>> detect_regions("Naval Air Warfare Center Weapons Division, China Lake, CA, USA")
    frozenset()
    >>> in_prc_scope("Shenzhen Research Institute of CUHK, Shenzhen, China", ("CN",))
    True
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

PLACES_CSV = Path(__file__).parent / "data" / "places" / "prc_places.csv"
STRONG_KINDS = ("province", "city", "region", "institution")
_SPLIT = re.compile(r"([();])")
_POSTCODE = re.compile(r"(?<![\d-])[0-8]\d{5}(?![\d-])")


@dataclass(frozen=True)
class PlaceHit:
    """One place name found in a string: the text, its region (CN/HK/MO/TW) and kind."""

    text: str
    region: str
    kind: str


@dataclass(frozen=True)
class _Patterns:
    exclude: re.Pattern[str] | None
    finders: tuple[tuple[str, bool, re.Pattern[str], str, str], ...]  # (needle, case-sensitive, regex, region, kind)


def _is_cjk(name: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in name)


def _pattern(name: str) -> str:
    body = re.escape(name).replace(r"\ ", r"\s+")
    if _is_cjk(name):
        return body
    return rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"


@lru_cache(maxsize=4)
def _load(path: str = str(PLACES_CSV)) -> _Patterns:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    excl = [r["name"] for r in rows if r["kind"] == "not_prc"]
    finders = []
    for r in rows:
        if r["kind"] == "not_prc":
            continue
        name = r["name"]
        # acronyms (PRC, ROC, HKSAR) must match in capitals; names in any case
        exact = name.replace(".", "").replace(" ", "").isupper()
        needle = (name if exact else name.lower()).split(" ")[0]  # cheap substring test before the regex
        finders.append((needle, exact, re.compile(_pattern(name), 0 if exact else re.IGNORECASE), r["region"], r["kind"]))
    ex = re.compile("|".join(_pattern(n) for n in excl), re.IGNORECASE) if excl else None
    return _Patterns(exclude=ex, finders=tuple(finders))


def find_places(text: str | None) -> list[PlaceHit]:
    """Every place name of the table found in ``text`` (after removing non-PRC look-alikes).

    Example:
        >>> [h.text for h in find_places("Hefei 230026, Anhui, P.R. China")]
        ['China', 'P.R. China', 'Anhui', 'Hefei']
    """
    if not text:
        return []
    pats = _load()
    if pats.exclude is not None:
        text = pats.exclude.sub(" ", text)
    hits: list[PlaceHit] = []
    low = text.lower()
    for needle, exact, rx, region, kind in pats.finders:
        if needle not in (text if exact else low):
            continue
        m = rx.search(text)
        if m:
            hits.append(PlaceHit(m.group(0), region, kind))
    return hits


def regions_of(hits: Iterable[PlaceHit]) -> frozenset[str]:
    """Apply the rules to a string's hits: the regions (CN, HK, MO, TW) it is in."""
    hits = list(hits)
    strong = {h.region for h in hits if h.kind in STRONG_KINDS}
    if any(h.kind == "country" for h in hits) and not strong & {"HK", "MO", "TW"}:
        strong.add("CN")
    return frozenset(strong)


def detect_regions(text: str | None) -> frozenset[str]:
    """The regions (subset of CN, HK, MO, TW) one affiliation string is in; empty if none."""
    return regions_of(find_places(text))


def in_prc_scope(text: str | None, codes: Iterable[str]) -> bool:
    """True when the string is in one of ``codes`` (a query's ``country_codes``, e.g. ('CN',))."""
    return bool(detect_regions(text) & {c.upper() for c in codes})


def prc_evidence(text: str | None, codes: Iterable[str]) -> str | None:
    """A short evidence line (``'CN: Beijing, China'``) when the string is in scope, else None."""
    hits = find_places(text)
    regs = regions_of(hits) & {c.upper() for c in codes}
    if not regs:
        return None
    names = [h.text for h in hits if h.region in regs or (h.kind == "country" and "CN" in regs)]
    post = _POSTCODE.search(text or "") if "CN" in regs else None
    names += [f"postcode {post.group(0)}"] if post else []
    return f"{'+'.join(sorted(regs))}: {', '.join(dict.fromkeys(names))}"


def split_author_affiliations(text: str | None) -> list[tuple[str, list[str]]]:
    """Split ``'Last, First (aff1; aff2); Last2, F. (aff3)'`` into (author, [affiliations]).

    The committee's list (and Web of Science exports) use this shape.

    Example:
        >>> split_author_affiliations("Tang, Yu (NUDT, Changsha, China); Liaw, P. (UTK, USA; ORNL, USA)")
        [('Tang, Yu', ['NUDT, Changsha, China']), ('Liaw, P.', ['UTK, USA', 'ORNL, USA'])]
    """
    out: list[tuple[str, list[str]]] = []
    if not text:
        return out
    depth, name, cur, affs = 0, [], [], []
    for tok in _SPLIT.split(text + ";"):
        if tok == "(":
            depth += 1
            if depth > 1:
                cur.append(tok)
        elif tok == ")":
            depth -= 1
            if depth == 0:
                affs.append("".join(cur).strip())
                cur = []
            else:
                cur.append(tok)
        elif tok == ";" and depth == 0:
            author = "".join(name).strip()
            if author or affs:
                out.append((author, [a for a in affs if a]))
            name, cur, affs = [], [], []
        elif tok == ";" and depth == 1:
            affs.append("".join(cur).strip())
            cur = []
        elif depth >= 1:
            cur.append(tok)
        else:
            name.append(tok)
    return out
