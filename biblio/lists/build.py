"""Build biblio/lists/data/<key>.json from the raw files in biblio/lists/raw/ (deterministic).

    python scripts/build_lists.py          # or: python -m biblio.lists.build

No entry is typed in here: every name, alias, date and URL comes from a raw file
(see biblio/lists/data/PROVENANCE.md). What this script decides, by rule:

* **Aliases** come from the sources (CSL ``alt_names``, the 1286 ``aliases`` column, the
  1260H Alias/Previous Name, the a.k.a. text of the 2026 BIS entries, ASPI's aliases and
  Chinese names, and parenthesised acronyms in names such as "(BUAA)").
* **Strong vs weak:** an alias is *weak* (it may never decide a match) when its normalised
  form has fewer than 4 characters, is a single lower-case word, is a Chinese form shorter
  than 4 characters, or is claimed by more than one entity anywhere in the bundled lists
  (e.g. an acronym two institutions share). Everything else is *strong*.
* **One entity per institution within a list:** rows whose canonical names or strong
  aliases normalise to the same key are merged (e.g. 1286's "Beijing University of
  Aeronautics and Astronautics" (FY22–24) and "Beihang University" (FY25)).
* **Parents:** 1260H "subsidiary of X" rows, and "X, Institute of Y" names where X is an
  entity of the same list (AMMS institutes), point at X.
* **Editions:** see each list's ``editions``; membership rules are in biblio/lists/loader.py.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from biblio.lists.csl import SOURCES, csl_rows, fr_year
from biblio.normalize import has_cjk, normalize

CSL_SOURCES = frozenset(SOURCES.values())
RAW = Path(__file__).resolve().parent / "raw"
OUT = Path(__file__).resolve().parent / "data"
# The CSL editions bundled: the moov-io/watchman CSV committed 2022-05-16 (rows in
# china_entities_clean.csv), and further files read by biblio.lists.csl.
CSL_EDITION = ("CSL-2022", "2022-05-16")
CSL_FILES = {("CSL-2026-07-31", "2026-07-31"): "csl_2026-07-31_screening-list.json.gz"}
CSL_ORIGIN = {
    "CSL-2022": "CSV copy in moov-io/watchman test data (committed 2022-05-16)",
    "CSL-2026-07-31": "projection of the bulk JSON (sourceGeneratedAt 2026-07-31) in seelpeed-debug/export-controls-agent-mcp; no start dates or full addresses",
}
RETRIEVED = {
    "opensanctions": "2026-08-22",
    "csl": "2022-05-16",
    "kaixinol": "2026-03-30",
    "misp": "2020-08-21",
    "aspi_risk": "2026 (stored tracker pages)",
}
LICENCE = {
    "csl": "US government work (trade.gov Consolidated Screening List); copy from moov-io/watchman test data (Apache-2.0 repo).",
    "opensanctions": "Underlying DoD list is a US government work; this transcription is OpenSanctions data, CC BY-NC 4.0 (non-commercial use; attribute OpenSanctions).",
    "kaixinol": "Entity List text is a US government work (bis.gov); scraped by kaixinol/china-university-entity-list (AGPL-3.0 repo).",
    "aspi": "ASPI owns the tracker content; MISP galaxy copy is CC0/BSD-2-Clause. Risk levels read from ASPI's tracker pages; cite ASPI.",
}


def slug(name: str) -> str:
    """A stable key from the name as printed (not the matching key, which may change)."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    s = re.sub(r"[^\w]+", "-", s).strip("-")
    s = re.sub(r"-(co-ltd|co|ltd|limited|inc|corp|corporation|company)$", "", s)
    if not s or has_cjk(s):
        s = "e" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return s[:80]


def split_aliases(text: str | None) -> list[str]:
    if not text:
        return []
    out = []
    for part in re.split(r";\s*", text):
        p = part.strip().strip(".").strip()
        p = re.sub(r"^(and|or)\s+", "", p).strip()
        p = p.lstrip("—-–").strip()
        if p:
            out.append(p)
    return out


# Parenthesised tokens that are places or legal forms, not names: "(USA)", "(BVI)", "(HK)".
NOT_ACRONYMS = frozenset({"USA", "US", "UK", "BVI", "HK", "PRC", "CN", "CHINA", "LLC", "LTD", "INC", "GROUP", "HOLDINGS"})


def paren_acronyms(name: str) -> tuple[str, list[str]]:
    """'National University of Defense Technology (NUDT)' → (name without it, ['NUDT'])."""
    acr = [a for a in re.findall(r"\(([A-Z][A-Za-z0-9\-&]{1,11})\)", name) if a.upper() not in NOT_ACRONYMS]
    if len(acr) > 1:  # "Chinese Academy of Sciences (CAS) – Institute of … (ICT)": parts, not the whole
        acr = []
    base = re.sub(r"\s*\([A-Z][A-Za-z0-9\-&]{1,11}\)", "", name).strip()
    return (base or name), acr


def split_zh(name: str) -> tuple[str, str | None]:
    """'Beihang University (北京航空航天大学)' → ('Beihang University', '北京航空航天大学')."""
    m = re.match(r"^(.*?)\s*\(([^()]*[\u4e00-\u9fff][^()]*)\)\s*$", name)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return name, None


def kaixinol_aliases(raw: str) -> list[str]:
    """Aliases from Entity List text: 'X, a.k.a., the following two aliases: —A; and —B. Address'."""
    if "a.k.a." not in raw:
        return []
    tail = raw.split("a.k.a.", 1)[1]
    out = []
    for item in tail.split("—")[1:]:
        a = re.split(r";|\.\s|\.$", item)[0].strip(" ,.;")
        a = re.sub(r"\s+and$", "", a).strip()
        if a:
            out.append(a)
    return out


PLACE = r"[A-Z][a-z'?]+(?: [A-Z][a-z'?]+){0,3}"
LEGAL_FORM_THEN_PLACE = re.compile(rf"^([^:]*?\b(?:Co\.,? ?Ltd\.?|Co\. Limited|Company Limited|Limited|Ltd\.?))\s*,\s*{PLACE}(?:\s*,\s*{PLACE})*\s*,?\s*$")


def loose_key(name: str) -> str:
    """A merge key that forgives the 2022 CSV's lost apostrophes ("Academy?s") and trailing
    places after a legal form ("X Co., Ltd., Chengdu, Sichuan"): later editions print neither."""
    s = re.sub(r"(?<=\w)\?(?=s\b)", "'", name)
    m = LEGAL_FORM_THEN_PLACE.match(s)
    return normalize(m.group(1) if m else s)


def clean(s: str | None) -> str:
    return (s or "").strip()


class ListBuilder:
    """Accumulates rows for one list and merges rows that name the same institution."""

    def __init__(self, key: str, meta: dict[str, Any]) -> None:
        self.key = key
        self.meta = meta
        self.entities: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.loose: dict[str, list[int]] = defaultdict(list)  # only merges rows of different editions

    def add(self, *, name: str, aliases: list[str], name_zh: str | None = None, **fields: Any) -> dict[str, Any]:
        base, acr = paren_acronyms(name)
        nb = normalize(base)
        hit = self.index.get(nb)  # this row's name is an existing name or alias
        if hit is None:  # or one of this row's aliases is an existing canonical name
            hit = next((self.names[normalize(a)] for a in aliases if normalize(a) in self.names), None)
        if hit is None:  # or the same name with a lost apostrophe or a place after the legal form
            hit = next((i for i in self.loose.get(loose_key(base), []) if fields.get("edition") not in self.entities[i]["editions"]), None)
        if hit is None:
            ent = {
                "key": slug(base),
                "name": base,
                "name_zh": name_zh,
                "aliases": [],
                "periods": [],
                "editions": [],
                "names_as_printed": [],
                **{k: v for k, v in fields.items() if k not in {"period", "edition"}},
            }
            self.entities.append(ent)
            hit = len(self.entities) - 1
        ent = self.entities[hit]
        if name_zh and not ent.get("name_zh"):
            ent["name_zh"] = name_zh
        for a in [name, *acr, *aliases]:
            a = a.strip()
            if a and a != ent["name"] and a not in ent["aliases"]:
                ent["aliases"].append(a)
        if name not in ent["names_as_printed"]:
            ent["names_as_printed"].append(name)
        for k, v in fields.items():
            if k == "period" and v and v not in ent["periods"]:
                ent["periods"].append(v)
            elif k == "edition" and v and v not in ent["editions"]:
                ent["editions"].append(v)
            elif k not in ("period", "edition") and v and not ent.get(k):
                ent[k] = v
        self.names.setdefault(normalize(ent["name"]), hit)
        if hit not in self.loose[loose_key(ent["name"])]:
            self.loose[loose_key(ent["name"])].append(hit)
        for k in [normalize(ent["name"])] + [normalize(a) for a in ent["aliases"] if len(normalize(a)) >= 8]:
            if k:
                self.index.setdefault(k, hit)
        return ent

    def finish(self) -> dict[str, Any]:
        seen: dict[str, int] = {}
        for e in self.entities:
            k = e["key"]
            if k in seen:
                seen[k] += 1
                e["key"] = f"{k}-{seen[k]}"
            else:
                seen[k] = 1
        for e in self.entities:
            e["editions"].sort()
        self.entities.sort(key=lambda e: e["key"])
        return {**self.meta, "key": self.key, "entities": self.entities}


def read_clean(raw_dir: Path = RAW) -> list[dict[str, str]]:
    with (raw_dir / "china_entities_clean.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


CslEdition = tuple[str, str, list[dict[str, str]]]  # (label, date, rows shaped like china_entities_clean.csv)


def bundled_csl_editions(raw_dir: Path = RAW, rows: list[dict[str, str]] | None = None) -> list[CslEdition]:
    """The CSL editions shipped: 2022 (rows of china_entities_clean.csv) and each file of CSL_FILES."""
    rows = read_clean(raw_dir) if rows is None else rows
    eds: list[CslEdition] = [(*CSL_EDITION, [r for r in rows if r["source"] in CSL_SOURCES])]
    for (label, date), name in CSL_FILES.items():
        eds.append((label, date, csl_rows(raw_dir / name)))
    return eds


def build_csl_list(editions: list[CslEdition], key: str, source: str, name: str) -> ListBuilder:
    eds = sorted(editions, key=lambda e: e[1])
    b = ListBuilder(
        key,
        {
            "name": name,
            "source": "ITA Consolidated Screening List (CSL): " + "; ".join(f"{lab}: {CSL_ORIGIN.get(lab, 'CSL file (biblio lists update)')}" for lab, _, _ in eds),
            "source_url": "https://www.trade.gov/consolidated-screening-list",
            "retrieved": ", ".join(f"{lab}: {d}" for lab, d, _ in eds),
            "licence": LICENCE["csl"],
            "staleness_note": f"CSL editions {', '.join(d for _, d, _ in eds)} (current entries only at each date; an entry absent from a later edition was removed or renamed). Newer changes are not reflected: refresh with `biblio lists update --csl`.",
            "editions": [
                {"edition": lab, "date": d, "coverage": "complete (CN/HK/MO addresses)" if key != "ns_cmic" else "complete", "source_url": "https://www.trade.gov/consolidated-screening-list"}
                for lab, d, _ in eds
            ],
        },
    )
    for lab, _, rows in eds:
        for r in rows:
            if r["source"] != source:
                continue
            b.add(
                name=clean(r["name"]),
                aliases=split_aliases(r["aliases"]),
                country=clean(r["country"]) or None,
                address=clean(r["address"]) or None,
                federal_register=clean(r["federal_register_citation"]) or None,
                first_listed_year=fr_year(r["federal_register_citation"]),
                date_added=clean(r["date_added"]) or None,
                source_url=clean(r["source_url"]) or None,
                notes=clean(r["notes"]) or None,
                edition=lab,
            )
    return b


def build_entity_list(editions: list[CslEdition], *, raw_dir: Path = RAW) -> dict[str, Any]:
    b = build_csl_list(editions, "entity_list", "BIS_EL_CSL2022", "BIS Entity List (15 CFR 744 Supp. 4), China/HK/MO entries")
    b.meta["editions"].append(
        {
            "edition": "2026-03-30-universities",
            "date": "2026-03-30",
            "coverage": "subset: university/academy/college/institute-like China entries only (absence is not evidence of removal)",
            "source_url": "https://www.bis.gov/regulations/ear/744#supplement-4-744",
        }
    )
    b.meta["editions"].sort(key=lambda e: e["date"])
    b.meta["staleness_note"] = (
        f"CSL editions {', '.join(d for _, d, _ in sorted(editions, key=lambda e: e[1]))} (all CN/HK/MO entries) and a 2026-03-30 scrape of bis.gov "
        "limited to university-like entries (a subset: between CSL editions, other entries are carried forward unverified). "
        "The 2026-07-31 CSL copy has no start dates: first_listed_year is the year of the earliest Federal Register citation."
    )
    b.meta["licence"] = LICENCE["csl"] + " 2026 subset: " + LICENCE["kaixinol"]
    data = json.loads((raw_dir / "kaixinol_bis_el_universities_data.json").read_text(encoding="utf-8"))
    for e in data["entries"]:
        b.add(
            name=e["name"].strip(),
            aliases=kaixinol_aliases(e["raw"]),
            country="China",
            address=e["raw"],
            source_url="https://www.bis.gov/regulations/ear/744#supplement-4-744",
            edition="2026-03-30-universities",
        )
    return b.finish()


def build_1260h(rows: list[dict[str, str]]) -> dict[str, Any]:
    sub = [r for r in rows if r["source"] == "DoD_1260H"]
    dates = sorted({r["date_added"] for r in sub if r["date_added"]} | {r["date_removed"] for r in sub if r["date_removed"]})
    urls = {r["date_added"]: r["source_url"] for r in sub if r["source_url"]}
    starts = {r["date_added"] for r in sub if r["date_added"]}
    b = ListBuilder(
        "1260h",
        {
            "name": "DoD Section 1260H list of Chinese military companies",
            "source": "OpenSanctions transcription of the DoD 1260H lists (one row per listing period)",
            "source_url": "https://www.defense.gov/News/Releases/",
            "retrieved": RETRIEVED["opensanctions"],
            "licence": LICENCE["opensanctions"],
            "staleness_note": "Editions 2021-06-03 to 2026-06-08, with removals; current as of the OpenSanctions copy of 2026-08-20.",
            "editions": [
                {
                    "edition": d,
                    "date": d,
                    "coverage": "complete" if d in starts else "removals only (entities removed on this date)",
                    "source_url": urls.get(d, ""),
                }
                for d in dates
            ],
        },
    )
    for r in sub:
        parent = r["category"].removeprefix("subsidiary of ").strip() if r["category"].startswith("subsidiary of ") else None
        b.add(
            name=clean(r["name"]),
            aliases=split_aliases(r["aliases"]),
            country="China",
            parent_name=parent,
            source_url=clean(r["source_url"]) or None,
            notes=clean(r["notes"]) or None,
            period={"start": r["date_added"] or None, "end": r["date_removed"] or None},
        )
    return b.finish()


# Edition dates of the 1286 list: from the PDFs' dates (PROVENANCE). FY2023 and FY2025
# carry only a month in their URL path; FY2024's URL carries no date at all.
EDITIONS_1286 = {
    "2022": ("FY2022", "2023-06-29", "PDF dated 2023-06-29"),
    "2023": ("FY2023", "2024-07-01", "PDF URL path dated 2024/07; day set to the 1st (approximate)"),
    "2024": ("FY2024", "2025-07-01", "publication date not in the source; set to 2025-07-01 from the yearly cadence (approximate)"),
    "2025": ("FY2025", "2026-07-01", "PDF URL path dated 2026/07; day set to the 1st (approximate)"),
}


def build_1286(rows: list[dict[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    sub = [r for r in rows if r["source"] == "DoD_1286"]
    urls = {r["list_version_date"]: r["source_url"] for r in sub}
    meta = {
        "name": "DoD Section 1286 list of foreign institutions of concern (Table 1)",
        "source": "OpenSanctions transcription of the DoD Section 1286 lists (FY2019 NDAA sec. 1286)",
        "source_url": "https://basicresearch.defense.gov/Programs/Academic-Research-Security/",
        "retrieved": RETRIEVED["opensanctions"],
        "licence": LICENCE["opensanctions"],
        "staleness_note": "FY2022-FY2025 editions. Edition dates: FY2022 exact; FY2023/FY2025 month only; FY2024 approximate (see each edition).",
        "editions": [
            {"edition": lab, "date": date, "coverage": "complete", "source_url": urls.get(fy, ""), "date_note": note}
            for fy, (lab, date, note) in sorted(EDITIONS_1286.items())
        ],
    }
    inst = ListBuilder("1286", copy.deepcopy(meta))
    talent = ListBuilder("1286_talent_programs", {**copy.deepcopy(meta), "name": "DoD Section 1286 list: foreign talent programs (Table 2)"})
    for r in sub:
        lab = EDITIONS_1286[r["list_version_date"]][0]
        target = talent if r["category"] == "talent_program" else inst
        target.add(
            name=clean(r["name"]),
            aliases=split_aliases(r["aliases"]),
            country=clean(r["country"]) or None,
            source_url=clean(r["source_url"]) or None,
            notes=clean(r["notes"]) or None,
            edition=lab,
        )
    names = {normalize(e["name"]): e["name"] for e in inst.entities}
    for e in inst.entities:
        if "," in e["name"]:
            head = e["name"].split(",", 1)[0]
            if normalize(head) in names and normalize(head) != normalize(e["name"]):
                e["parent_name"] = names[normalize(head)]
    return inst.finish(), talent.finish()


def build_aspi(rows: list[dict[str, str]], *, raw_dir: Path = RAW) -> dict[str, dict[str, Any]]:
    sub = [r for r in rows if r["source"] == "ASPI_unitracker_2020"]
    risk: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (raw_dir / "aspi_risk_levels.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            risk[r["institution"].strip()].append(r)
    edition = {
        "edition": "2019-tracker",
        "date": "2020-08-21",
        "coverage": "complete (159 institutions of the 2019 tracker, as scraped 2020-08-21; before the Sept 2025 expansion)",
        "source_url": "https://unitracker.aspi.org.au/",
    }
    common = {
        "source": "ASPI China Defence Universities Tracker, via the MISP galaxy scrape (clusters/china-defence-universities.json)",
        "source_url": "https://unitracker.aspi.org.au/",
        "retrieved": RETRIEVED["misp"],
        "licence": LICENCE["aspi"],
        "staleness_note": "2019 tracker data (scraped 2020-08-21). ASPI's Sept 2025 update (adding CAS and 10 institutes, re-rating 60+) is not included; risk levels are mostly 2019 ratings.",
        "editions": [edition],
    }
    out = {
        "aspi": ListBuilder("aspi", {**copy.deepcopy(common), "name": "ASPI China Defence Universities Tracker"}),
        "seven_sons": ListBuilder("seven_sons", {**copy.deepcopy(common), "name": "Seven Sons of National Defence (from the ASPI tracker)"}),
        "sastind": ListBuilder("sastind", {**copy.deepcopy(common), "name": "SASTIND-supervised (co-constructed) universities (from the ASPI tracker)"}),
    }
    for r in sub:
        en, zh = split_zh(clean(r["name"]))
        levels = risk.get(clean(r["name"]), [])
        levels_sorted = sorted(levels, key=lambda x: "2025" in x["page_version"], reverse=True)
        fields = dict(
            country="China",
            category=clean(r["category"]) or None,
            address=clean(r["address"]) or None,
            source_url=clean(r["source_url"]) or None,
            notes=clean(r["notes"]) or None,
            aspi_risk=levels_sorted[0]["risk_level"] if levels_sorted else None,
            aspi_risk_source="; ".join(f"{x['risk_level']} ({x['page_version']}) {x['page_url']}" for x in levels_sorted) or None,
            edition="2019-tracker",
        )
        aliases = split_aliases(r["aliases"])
        targets = ["aspi"]
        if "SEVEN_SONS" in r["notes"]:
            targets.append("seven_sons")
        if "SASTIND_SUPERVISED" in r["notes"]:
            targets.append("sastind")
        for t in targets:
            out[t].add(name=en, name_zh=zh, aliases=aliases, **fields)
    return {k: b.finish() for k, b in out.items()}


def classify_aliases(lists: dict[str, dict[str, Any]]) -> None:
    """Split aliases into strong and weak (rule in the module docstring)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    canon_names = {normalize(e["name"]) for d in lists.values() for e in d["entities"]}
    for data in lists.values():  # same institution across lists: a name that is another's alias
        for e in data["entities"]:
            c = normalize(e["name"])
            for a in [*e["aliases"], e.get("name_zh") or ""]:
                n = normalize(a)
                if n in canon_names and n != c:
                    parent[find(n)] = find(c)
    owners: dict[str, set[str]] = defaultdict(set)
    for data in lists.values():
        for e in data["entities"]:
            canon = find(normalize(e["name"]))
            for a in [e["name"], *e["aliases"], e.get("name_zh") or ""]:
                n = normalize(a)
                if n:
                    owners[n].add(canon)
    for data in lists.values():
        # within one list, a form that names or aliases two entities can decide for neither
        in_list: dict[str, set[str]] = defaultdict(set)
        for e in data["entities"]:
            for a in [e["name"], *e["aliases"]]:
                in_list[normalize(a)].add(e["key"])
        for e in data["entities"]:
            strong, weak = [], []
            own = normalize(e["name"])
            for a in e["aliases"]:
                n = normalize(a)
                if not n or n == own:
                    continue
                cjk = has_cjk(n)
                too_short = (len(n) < 4 and not (a.isupper() and len(n) == 3)) or (cjk and len(n) < 4) or a.upper() in NOT_ACRONYMS
                one_lower_word = (" " not in n) and not cjk and not a.isupper()
                shared = len(owners[n]) > 1 or len(in_list[n]) > 1
                names_parent = own.startswith(n + " ")  # "CAS" for "CAS – Institute of …"
                (weak if (too_short or one_lower_word or shared or names_parent) else strong).append(a)
            if e.get("name_zh"):
                strong.append(e["name_zh"])
            e["strong_aliases"] = sorted(set(strong))
            e["weak_aliases"] = sorted(set(weak) - set(strong))
            del e["aliases"]
    # The same institution on several lists (linked by a name that is another's alias)
    # shares its strong aliases, e.g. ASPI's Chinese name for Beihang reaches 1286 and BIS.
    pool: dict[str, set[str]] = defaultdict(set)
    for data in lists.values():
        for e in data["entities"]:
            pool[find(normalize(e["name"]))].update([e["name"], *e["strong_aliases"]])
    for data in lists.values():
        taken: dict[str, set[str]] = defaultdict(set)
        for e in data["entities"]:
            for a in [e["name"], *e["strong_aliases"], *e["weak_aliases"]]:
                taken[normalize(a)].add(e["key"])
        extras: dict[str, set[str]] = {}
        claims: dict[str, int] = defaultdict(int)
        for e in data["entities"]:
            own = normalize(e["name"])
            extras[e["key"]] = {
                a for a in pool[find(own)]
                if normalize(a) != own and taken.get(normalize(a), {e["key"]}) <= {e["key"]}
                and len(owners[normalize(a)]) <= 1 and not own.startswith(normalize(a) + " ")
            }
            for a in {normalize(x) for x in extras[e["key"]]}:
                claims[a] += 1
        for e in data["entities"]:
            keep = {a for a in extras[e["key"]] if claims[normalize(a)] == 1}
            e["strong_aliases"] = sorted(set(e["strong_aliases"]) | keep)


def add_parent_keys(data: dict[str, Any]) -> None:
    by_name = {normalize(e["name"]): e["key"] for e in data["entities"]}
    for e in data["entities"]:
        for a in e.get("strong_aliases", []):
            by_name.setdefault(normalize(a), e["key"])
    for e in data["entities"]:
        p = e.get("parent_name")
        e["parent_key"] = by_name.get(normalize(p)) if p else None


def build_all(
    *, raw_dir: Path = RAW, rows: list[dict[str, str]] | None = None, csl_editions: list[CslEdition] | None = None
) -> dict[str, dict[str, Any]]:
    """Every list's data, from the raw folder.

    ``rows`` replaces china_entities_clean.csv; ``csl_editions`` replaces the bundled CSL
    editions (default :func:`bundled_csl_editions`).
    """
    rows = read_clean(raw_dir) if rows is None else rows
    eds = bundled_csl_editions(raw_dir, rows) if csl_editions is None else csl_editions
    lists: dict[str, dict[str, Any]] = {}
    lists["entity_list"] = build_entity_list(eds, raw_dir=raw_dir)
    lists["1260h"] = build_1260h(rows)
    inst, talent = build_1286(rows)
    lists["1286"] = inst
    lists["1286_talent_programs"] = talent
    lists["ns_cmic"] = build_csl_list(
        eds, "ns_cmic", "OFAC_NS_CMIC_CSL2022", "Treasury OFAC Non-SDN Chinese Military-Industrial Complex Companies (NS-CMIC) List"
    ).finish()
    lists["meu"] = build_csl_list(eds, "meu", "BIS_MEU_CSL2022", "BIS Military End-User (MEU) List, China entries").finish()
    lists.update(build_aspi(rows, raw_dir=raw_dir))
    classify_aliases(lists)
    for data in lists.values():
        add_parent_keys(data)
        for ed in data["editions"]:
            ed["n_entries"] = sum(1 for e in data["entities"] if _on_edition(e, ed, data))
    return lists


def _on_edition(e: dict[str, Any], ed: dict[str, Any], data: dict[str, Any]) -> bool:
    if e["periods"]:
        return any((p["start"] or "") <= ed["date"] and (p["end"] is None or p["end"] > ed["date"]) for p in e["periods"])
    if ed["edition"] in e["editions"]:
        return True
    # A subset edition carries forward entities from earlier complete editions.
    if ed.get("coverage", "").startswith("subset"):
        return any(x["edition"] in e["editions"] and x["date"] < ed["date"] for x in data["editions"])
    return False


def write_lists(lists: dict[str, dict[str, Any]], out_dir: Path, *, keys: Any = None) -> list[Path]:
    """Write list data files (all, or only ``keys``); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for key, data in lists.items():
        if keys is not None and key not in keys:
            continue
        p = out_dir / f"{key}.json"
        p.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        written.append(p)
    return written


def main() -> None:
    lists = build_all()
    write_lists(lists, OUT)
    for key, data in lists.items():
        print(f"{key}: {len(data['entities'])} entities; editions " + ", ".join(f"{e['edition']}={e['n_entries']}" for e in data["editions"]))


if __name__ == "__main__":
    main()
