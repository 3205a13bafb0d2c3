"""One normaliser for entity-list names and affiliation strings alike.

``normalize`` maps both sides to the same key: Unicode NFKC (full-width → ASCII), casefold,
``&`` → ``and``, punctuation → space, expanded abbreviations (Univ. → university, Inst. →
institute, Technol. → technology, …), British → American spelling of *defence*, trailing
legal forms (Co., Ltd., Inc., Corporation …) and trailing country/postcode tails removed, and
"of"/"the" dropped (Web of Science writes "Harbin Inst Technol").
Chinese characters are kept (spaces between them dropped; CJK punctuation removed).

Example:
    >>> normalize("Beihang Univ., Beijing 100191, P.R. China")
    'beihang university beijing'
    >>> normalize("ＮＵＤＴ")
    'nudt'
    >>> normalize("China Academy of Launch Vehicle Technology Co., Ltd.")
    'china academy launch vehicle technology'
    >>> normalize("Aviation Industry Corporation of China, Ltd.")
    'aviation industry corporation china'
    >>> segments("School of Physics, Beihang University, Beijing 100191, China")
    ['school physics', 'beihang university', 'beijing']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ABBREVIATIONS: dict[str, str] = {
    "univ": "university",
    "universty": "university",
    "inst": "institute",
    "institut": "institute",
    "technol": "technology",
    "tech": "technology",
    "acad": "academy",
    "sci": "science",
    "natl": "national",
    "nat": "national",
    "lab": "laboratory",
    "labs": "laboratories",
    "lab's": "laboratory",
    "eng": "engineering",
    "engn": "engineering",
    "engg": "engineering",
    "def": "defense",
    "defence": "defense",
    "aeronaut": "aeronautics",
    "astronaut": "astronautics",
    "polytech": "polytechnical",
    "coll": "college",
    "ctr": "center",
    "cent": "central",
    "centre": "center",
    "res": "research",
    "dept": "department",
    "sch": "school",
    "key lab": "key laboratory",
    "st": "state",
    "chin": "chinese",
    "cas": "chinese academy of sciences",
}
LEGAL_FORMS = {"co", "ltd", "limited", "inc", "llc", "plc", "corp", "corporation", "company", "incorporated"}
COUNTRY_TAILS = (
    "peoples r china",
    "peoples republic of china",
    "people s republic of china",
    "the peoples republic of china",
    "p r china",
    "pr china",
    "p r c",
    "prc",
    "china",
    "hong kong sar",
    "macao sar",
    "macau sar",
    "中华人民共和国",
    "中国",
)
_STOPWORDS = frozenset({"of", "the"})
_TAIL_LAST = frozenset(t.split()[-1] for t in COUNTRY_TAILS)
_TAIL_LAST_CJK = frozenset(t[-1] for t in COUNTRY_TAILS)
_CJK_TAILS = frozenset(t for t in COUNTRY_TAILS if any("\u3400" <= ch <= "\u9fff" for ch in t))
_BARE_PLACES = frozenset(COUNTRY_TAILS) | {"hong kong", "macao", "macau", "taiwan"}
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_POSTCODE = re.compile(r"\b\d{5,6}\b")
_PUNCT = re.compile(r"[^\w\s" + _CJK + r"]|_")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_SEGMENT_SPLIT = re.compile(r"[,;，；、|]|\(|\)|（|）|\[|\]")
_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uff0f\uff1a-\uff20]")
# _PUNCT.sub(" ", s) on ASCII text, as a bytes.translate table
_ASCII_PUNCT = bytes(32 if c < 128 and _PUNCT.match(chr(c)) else c for c in range(256))
_TAILS = tuple((t, " of " + t, " of the " + t, " " + t, t in _CJK_TAILS) for t in COUNTRY_TAILS)
_TAILS_BY_LAST: dict[str, tuple[int, ...]] = {
    c: tuple(i for i, t in enumerate(COUNTRY_TAILS) if t[-1] == c) for c in {t[-1] for t in COUNTRY_TAILS}}


def has_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese characters."""
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=262144)
def normalize(text: str | None, *, tails: bool = True) -> str:
    """The normalised key of an institution name or an affiliation string ('' for none).

    ``tails=False`` keeps a trailing country ("Univ Elect Sci & Technol China" is a name,
    not an address, in Web of Science form); legal forms are still removed.
    """
    if not text:
        return ""
    ascii_ = text.isascii()
    if ascii_:  # NFKC and the CJK rules change nothing and casefold() is lower(): the same steps, cheaper
        s = text.lower().replace("&", " and ").replace("'s ", "s ").encode().translate(_ASCII_PUNCT).decode()
        toks = [t for t in s.split() if not (t.isdigit() and 5 <= len(t) <= 6)]  # = _POSTCODE.sub on ASCII
    else:
        s = _CJK_PUNCT.sub(" ", unicodedata.normalize("NFKC", text).casefold())
        s = _PUNCT.sub(" ", s.replace("&", " and ").replace("'s ", "s ").replace("’s ", "s "))
        toks = _POSTCODE.sub(" ", s).split()
    s = " ".join([ABBREVIATIONS.get(t, t) for t in toks])
    # strip country tails and legal forms from the end, repeatedly
    changed = True
    while changed and s:
        changed = False
        last = s[s.rfind(" ") + 1:]
        may_tail = tails and (last in _TAIL_LAST or (last[-1:] in _TAIL_LAST_CJK))
        if not may_tail and last not in LEGAL_FORMS:
            break  # nothing below can change s
        if may_tail:
            s, changed = _strip_tails(s)
        words = s.split()
        while len(words) > 1 and words[-1] in LEGAL_FORMS:
            words.pop()
            changed = True
        s = " ".join(words)
    # Web of Science style drops "of"/"the" ("Harbin Inst Technol"): drop them everywhere.
    s = " ".join([w for w in s.split() if w not in _STOPWORDS])
    return s if ascii_ else _SPACE_BETWEEN_CJK.sub("", s)


def _strip_tails(s: str) -> tuple[str, bool]:
    """One pass over COUNTRY_TAILS in order, each tried on what the earlier ones left (only
    tails the text ends with can do anything)."""
    changed = False
    i = 0
    while s:
        j = next((k for k in _TAILS_BY_LAST.get(s[-1], ()) if k >= i and s.endswith(COUNTRY_TAILS[k])), None)
        if j is None:
            break
        tail, of_tail, of_the_tail, sp_tail, cjk = _TAILS[j]
        i = j + 1
        if s == tail:
            break
        if s.endswith(of_tail) or s.endswith(of_the_tail):
            continue  # "… of China" is part of a name, not an address tail
        if s.endswith(sp_tail) or (cjk and len(s) > len(tail)):
            s = s[: -len(tail)].rstrip()
            changed = True
    return s, changed


def segments(raw: str | None) -> list[str]:
    """Split a raw affiliation string into normalised segments (commas, semicolons, brackets).

    Empty segments and bare country/postcode segments are dropped; order is kept.
    """
    if not raw:
        return []
    text = unicodedata.normalize("NFKC", raw)
    out: list[str] = []
    for part in _SEGMENT_SPLIT.split(text):
        n = normalize(part)
        if n and n not in out and n not in _BARE_PLACES:
            out.append(n)
    return out
