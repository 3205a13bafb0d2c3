"""Text rules shared by the graph build and the matcher: name keys, tokens, numbered institutes.

``name_key`` is :func:`biblio.normalize.normalize` after traditional → simplified Chinese
(opencc), so 清華大學 and 清华大学 share a key. ``numbered`` reads the numbered-institute
pattern ("the 38th Research Institute of CETC", "CETC 38", "No. 38 Research Institute",
"中国电子科技集团公司第三十八研究所", "五院") into ``(number, kind)``; which group it belongs
to is decided by the matcher from the group names in the graph (data, not code).

Example:
    >>> name_key("清華大學")
    '清华大学'
    >>> numbered_in_tokens("38th research institute".split())
    [(38, 'institute')]
    >>> numbered_in_cjk("中国电子科技集团公司第三十八研究所")
    [(38, 'institute')]
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache

from biblio.normalize import has_cjk, normalize

_ORD = re.compile(r"^(\d{1,3})(st|nd|rd|th)?$")
_WORD_ORD = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_INST_WORDS = frozenset({"institute", "institutes", "research", "ri"})
_ACAD_WORDS = frozenset({"academy", "academies"})
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUM = re.compile(r"第?([0-9]{1,3}|[零〇一二两三四五六七八九十百]{1,5})(研究所|研究院|所|院)")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=262144)
def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (unchanged when the text has no Chinese)."""
    return _t2s().convert(text) if has_cjk(text) else text


# Web of Science and other printed forms of the same word → one matching token. Applied to
# names and strings alike, after normalize() has expanded the common abbreviations.
WORD_FORMS: dict[str, str] = {
    "electronic": "elect", "electronics": "elect", "electrical": "elect", "electr": "elect", "electro": "elect",
    "aeronautical": "aeronaut", "aeronautics": "aeronaut", "astronautics": "astronaut", "astronautical": "astronaut",
    "aerosp": "aerospace", "chemical": "chem", "chemistry": "chem", "medical": "med", "medicine": "med",
    "military": "mil", "polytechnical": "polytech", "polytechnic": "polytech", "agricultural": "agr",
    "agriculture": "agr", "information": "informat", "info": "informat", "communication": "commun",
    "communications": "commun", "mechanical": "mech", "mechanics": "mech", "materials": "mater", "material": "mater",
    "environmental": "environm", "environment": "environm", "petroleum": "petr", "hospital": "hosp",
    "geosciences": "geosci", "normal": "norm", "jiaotong": "jiao tong", "xian": "xi an", "peoples": "people",
    "mathematics": "math", "mathematical": "math", "computer": "comp", "computing": "comp", "optical": "opt",
    "optics": "opt", "physical": "phys", "physics": "phys", "biological": "biol", "biology": "biol",
    "pharmaceutical": "pharm", "pharmacy": "pharm", "surveying": "survey", "nuclear": "nucl",
    "industrial": "ind", "industry": "ind", "ocean": "ocean", "oceanography": "oceanog", "traditional": "tradit",
    "shipbuilding": "shipbldg", "telecommunications": "telecommun", "telecommunication": "telecommun",
    "automation": "automat", "intelligence": "intelligence", "technological": "technol", "technology": "technol",
    "sciences": "science", "navy": "naval", "chinese": "china", "in": "", "at": "",
    "grp": "group", "mat": "mater", "mats": "mater", "syst": "system", "systems": "system", "adv": "advanced",
    "appl": "applied", "mfg": "manufacturing", "navigat": "navigation", "instrumentat": "instrumentation",
    "instrum": "instrument", "instruments": "instrument", "metrol": "metrology", "navigational": "navigation",
    "s": "south", "n": "north", "e": "east", "w": "west", "ne": "northeast", "nw": "northwest", "sw": "southwest", "se": "southeast",
}


@lru_cache(maxsize=262144)
def name_key(text: str | None, tails: bool = True) -> str:
    """The matching key of a name: simplified Chinese, :func:`normalize`, printed word forms.

    >>> name_key("Univ Elect Sci & Technol China", False) == name_key("University of Electronic Science and Technology of China")
    True
    """
    if not text:
        return ""
    if not text.isascii():  # ASCII has no Chinese to simplify
        text = to_simplified(text).replace("〇", "零")  # 七〇二 = 七零二: keep the zero digit
    s = normalize(text, tails=tails)
    key = " ".join([w for w in [WORD_FORMS.get(t, t) for t in s.split()] if w])
    return _pla_first(key) if ("pla" in key or "liberation" in key) else key


_PLA_TAIL = re.compile(r"^(.+?) (?:china )?(?:people )?(?:liberation army|pla)((?: army| navy| air force| rocket force| strategic support force"
                       r"| joint logistics support force| aerospace force| cyberspace force| information support force)?)$")


def _pla_first(key: str) -> str:
    """"X of (the Chinese People's Liberation) Army/PLA [Y Force]" and "PLA [Y Force] X" are one
    name: the PLA designation goes first, so both word orders share a key.

    >>> _pla_first("informat engineering university pla strategic support force")
    'pla strategic support force informat engineering university'
    """
    m = _PLA_TAIL.match(key)
    return f"pla{m.group(2)} {m.group(1)}" if m else key


def zh_number(s: str) -> int | None:
    """Chinese or Arabic numeral → int ("三十八" → 38, "38" → 38)."""
    if s.isdigit():
        return int(s)
    if "百" in s:
        h, _, rest = s.partition("百")
        return (_ZH_DIGITS.get(h, 1) * 100) + (zh_number(rest) or 0) if rest else _ZH_DIGITS.get(h, 1) * 100
    if "十" in s:
        t, _, u = s.partition("十")
        return (_ZH_DIGITS.get(t, 1) if t else 1) * 10 + (_ZH_DIGITS.get(u, 0) if u else 0)
    n = 0
    for ch in s:
        if ch not in _ZH_DIGITS:
            return None
        n = n * 10 + _ZH_DIGITS[ch]
    return n


def numbered_in_cjk(text: str) -> list[tuple[int, str]]:
    """Numbered units in Chinese text: 第三十八研究所 → (38, 'institute'), 五院 → (5, 'academy')."""
    out = []
    for m in _ZH_NUM.finditer(text):
        n = zh_number(m.group(1))
        if n:
            out.append((n, "academy" if m.group(2).endswith("院") else "institute"))
    return out


def numbered_in_tokens(toks: list[str]) -> list[tuple[int, str]]:
    """Numbered units in a normalised token list ("no 38 research institute", "5th academy").

    A number counts only right next to an institute/academy word ("38th research institute",
    "institute no 38"), or as a bare number directly after a group abbreviation (the caller
    checks that: "cetc 38"). A word between them makes it a name, not a number ("AVIC First
    Aircraft Institute", "Second Artillery Engineering University").

    >>> numbered_in_tokens("avic first aircraft institute".split())
    []
    """
    out: list[tuple[int, str]] = []
    for i, t in enumerate(toks):
        m = _ORD.match(t)
        n = int(m.group(1)) if m else _WORD_ORD.get(t)
        if not n:
            continue
        after = toks[i + 1: i + 3]
        before = toks[max(0, i - 2): i]
        if before[-1:] == ["no"]:
            before = before[:-1]
        if (after[:1] and after[0] in _ACAD_WORDS) or after == ["research", "academy"] or (before[-1:] and before[-1] in _ACAD_WORDS):
            out.append((n, "academy"))
        elif (after[:1] and after[0] in _INST_WORDS) or (before[-1:] and before[-1] in _INST_WORDS):
            out.append((n, "institute"))
    return out


def bare_number_after(toks: list[str], end: int) -> int | None:
    """The number right after a group mention ending at token ``end`` ("cetc 38", "cetc no 38")."""
    rest = toks[end:end + 2]
    if rest and rest[0] == "no" and len(rest) > 1:
        rest = rest[1:]
    if rest:
        m = _ORD.match(rest[0])
        if m:
            return int(m.group(1))
    return None


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English dictionary words (english-words, Webster's 2nd): a one-word brand that
    is a word ("Most", "Planet", "Sigma", "Networks" after a place) is not distinctive.

    >>> "sigma" in english_words(), "huawei" in english_words()
    (True, False)
    """
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=True))
