"""Build benchmarks/data/resolver_fp.csv: affiliation strings of bodies on NO bundled list.

Sources (copied into benchmarks/data/src/fp_sources/, see PROVENANCE.md there):
* every ROR look-alike outside CN/HK/MO/TW (``ror_lookalikes_non_cn.jsonl``), in two forms;
* ROR records for CN/HK/MO/TW (``ror_cn_hk_mo_tw.csv``) that pass the unlisted checks below;
* universities of the Hipo world list (foreign ones sampled; CN/HK/MO/TW ones that pass the checks).

A Chinese (CN/HK/MO/TW) record is kept only if (1) none of its names (label, aliases, acronyms,
Chinese labels) equals a name, Chinese name or strong alias of any bundled list row after
normalisation; (2) no list name of two or more words (or four or more Chinese characters, or a
brand of five or more letters) occurs inside any of its names; (3) none of its ROR parent /
related / predecessor / successor links points to a record that fails (1)-(2) (repeated to a
fixpoint); (4) its name has none of the defence words in ``DEFENCE`` (PLA bodies, conglomerate
institutes and the like might be units of listed bodies under a name the lists do not print).
A foreign record is kept when it fails (1) only by an exact same-name match (a look-alike such
as Northeastern University, Boston) and passes (2); every kept row's ``note`` says which.
The strings are built around the real names: bare name, "name, city, country" or "department,
name, city, country" (chosen by a hash, so the build is reproducible).

    python scripts/build_fp_set.py [--check]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from build_labelled_v2 import list_index, norm  # noqa: E402

SRC = ROOT / "benchmarks" / "data" / "src" / "fp_sources"
OUT = ROOT / "benchmarks" / "data" / "resolver_fp.csv"
COLUMNS = ["id", "text", "country_code", "ror", "org_name", "source", "split", "note"]
CN_LIKE = {"CN", "HK", "MO", "TW"}
DEFENCE = re.compile(
    r"(?i)\b(pla|people'?s liberation|armed police|military|army|navy|naval|air force|rocket|missile|"
    r"defen[cs]e|ordnance|ammunition|radar|aerospace|astronaut|spaceflight|space technology|aviation|"
    r"aeronautic|aircraft|nuclear|atomic|engineering physics|shipbuilding|ship|marine equipment|"
    r"electronics technology|electronic engineering|electronic technology|launch vehicle|satellite|"
    r"public security|police|state security|cetc|casc|casic|avic|aecc|cssc|csic|norinco|cnnc|caep)\b")
# Bodies whose names match no list row but which ARE a listed entity under a brand (knowledge, cited).
KNOWN_LISTED = {
    "051vakf19": "Unitree is the brand of Hangzhou Yushu Technology Co., Ltd. (1260H, 2026-06-08 edition)",
    # subsidiaries of listed companies (biblio/orgs/curated/*_manual_companies.csv cites the sources)
    "050zcgq96": "China Construction Sixth Engineering Bureau: one of CSCEC's eight engineering bureaus (1260H)",
    "03qfm6382": "China Railway First Survey and Design Institute Group: a CRCC subsidiary (1260H, NS-CMIC)",
    "01hgdcb87": "China Architecture Design & Research Group: affiliated to China Construction Technology Co. (1260H)",
}
CONTESTED = re.compile(r"(?i)MSU-BIT|Jiaotong-Liverpool")  # joint universities naming a listed body: not FP material
COMMON = {"china", "chinese", "national", "state", "the", "first", "second", "third", "fourth", "fifth", "sixth",
          "seventh", "eighth", "ninth", "tenth", "east", "west", "north", "south", "central", "northeast",
          "northwest", "southeast", "southwest", "new", "united", "international", "institute", "university",
          "academy", "center", "centre", "research", "school", "college", "hospital", "people", "peoples", "great",
          "golden", "global", "asia", "pacific", "world", "key", "laboratory", "department", "ministry", "general",
          "advanced", "applied", "modern", "high", "hong", "kong", "macau", "macao", "taiwan", "zhong", "hua",
          "zhonghua", "huanan", "huabei", "huadong", "huaxi", "sino", "oriental", "eastern", "western", "northern",
          "southern", "capital", "city", "province", "provincial", "municipal", "jiangnan", "lingnan", "min", "yan",
          "qilu", "bohai", "yangtze", "yellow", "pearl", "inner", "changjiang", "huanghe", "dongfang", "beifang",
          "nanfang", "xibei", "dongbei", "xinan", "star", "sun", "moon", "sky", "ocean", "sea", "mountain", "river",
          "lake", "hope", "china's", "all", "bureau", "joint", "medical", "science", "technology", "engineering"}
COUNTRY = {"CN": ["China", "P. R. China", "People's Republic of China", "PR China", "Peoples R China"],
           "TW": ["Taiwan", "Taiwan, ROC", "Republic of China (Taiwan)"], "HK": ["Hong Kong", "Hong Kong SAR, China"],
           "MO": ["Macau", "Macao SAR, China"]}
PROVINCES = ["beijing", "tianjin", "hebei", "shanxi", "liaoning", "jilin", "heilongjiang", "shanghai", "jiangsu",
             "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei", "hunan", "guangdong", "guangxi",
             "hainan", "chongqing", "sichuan", "guizhou", "yunnan", "tibet", "xizang", "shaanxi", "gansu", "qinghai",
             "ningxia", "xinjiang", "mongolia", "xian", "nanjing", "wuhan", "harbin", "shenzhen", "suzhou",
             "hangzhou", "chengdu", "dalian", "qingdao", "xiamen", "guangzhou", "changsha", "hefei", "jinan"]
DEPTS = ["Department of Chemistry", "School of Computer Science", "Department of Physics", "College of Life Sciences",
         "School of Mechanical Engineering", "Department of Mathematics", "Key Laboratory of Materials Science",
         "Department of Electrical Engineering", "School of Medicine", "Department of Biology",
         "Department of Environmental Science", "School of Economics and Management", "Department of Civil Engineering",
         "Institute of Advanced Studies", "Department of Statistics"]


def h(s: str) -> int:
    """A stable integer hash."""
    return int(hashlib.sha1(s.encode("utf-8")).hexdigest()[:12], 16)


STOP = {"of", "in", "the", "at", "and", "for", "co", "ltd", "limited", "inc", "corporation", "company", "group"}


def loose(s: str) -> str:
    """``norm`` without stopwords and legal forms (so "Center of Tianjin" meets "Center Tianjin")."""
    return " ".join(t for t in norm(s).split() if t not in STOP)


class Listed:
    """Fast containment tests against every list name (normalised)."""

    def __init__(self, idx: dict, rows: dict, places: set[str]) -> None:
        self.names = set(idx)
        self.idx = idx
        self.rows = rows
        self.loose = {loose(n) for n in idx if len(loose(n).split()) >= 2}
        self.nospace = {n.replace(" ", "") for n in idx if len(n.split()) >= 2}
        self.brands = set()    # first words of list names that are not places or common words
        for n in idx:
            t = n.split()[0] if n.split() else ""
            if re.fullmatch(r"[a-z]{3,}", t) and t not in places and t not in COMMON:
                self.brands.add(t)
        self.long = set()      # list names that count when they occur inside another name
        self.grams = set()     # every run of 3+ tokens of a list name (a name inside a list name)
        self.cjk = []
        for n in idx:
            toks = n.split()
            cjk = re.sub(r"[^\u4e00-\u9fff]", "", n)
            if len(toks) >= 2 or re.fullmatch(r"[a-z]{5,}", n):
                self.long.add(n)
            if len(cjk) >= 4:
                self.cjk.append(cjk)
            for i in range(len(toks)):
                for j in range(i + 3, len(toks) + 1):
                    self.grams.add(" ".join(toks[i:j]))

    def chinese_only(self, name: str) -> bool:
        """Whether every list row named exactly ``name`` is a Chinese entity (so a foreign one is a look-alike)."""
        ks = self.idx.get(norm(name), set())
        return bool(ks) and all((self.rows[k].get("country") or "China").startswith("China") for k in ks)

    def foreign_hit(self, name: str) -> bool:
        """For a foreign body: does its name contain a list name of a NON-Chinese listed entity?

        A Chinese list name inside a foreign name is a look-alike (kept); a foreign listed entity's
        name inside it (Lomonosov Moscow State University) is not FP material."""
        toks = norm(name).split()
        for i in range(len(toks)):
            for j in range(i + 1, len(toks) + 1):
                g = " ".join(toks[i:j])
                if g in self.long and not self.chinese_only(g):
                    return True
        return False

    def inside(self, names: list[str], *, brands: bool = True) -> str:
        """A list name occurring inside one of ``names``, or one of ``names`` inside a list name."""
        for n in names:
            if loose(n) in self.loose:
                return loose(n)
            if len(norm(n).split()) >= 2 and norm(n).replace(" ", "") in self.nospace:
                return norm(n)
            toks = norm(n).split()
            if brands and toks and toks[0] in self.brands:
                return toks[0]
            if len(toks) >= 3 and " ".join(toks) in self.grams:
                return " ".join(toks)
            for i in range(len(toks)):
                for j in range(i + 1, len(toks) + 1):
                    g = " ".join(toks[i:j])
                    if g in self.long and g != " ".join(toks):
                        return g
            zh = re.sub(r"[^\u4e00-\u9fff]", "", n)
            if len(zh) >= 4:
                for c in self.cjk:
                    if c in zh or zh in c:
                        return c
        return ""


def form(name: str, city: str, cc: str, country: str, key: str, *, school: bool = True) -> str:
    """One affiliation string for ``name`` (bare, with place, or with a department and place)."""
    k = h(key) % 10
    country = re.sub(r"^(.*), (Republic of|Islamic Republic of|Plurinational State of|Bolivarian Republic of)$",
                     r"\2 \1", country)
    ctry = COUNTRY.get(cc, [country])[h(key + "c") % len(COUNTRY.get(cc, [country]))]
    place = ", ".join(x for x in (city, ctry) if x)
    if k < 3:
        return name
    if k < 7 or not place or not school:
        return f"{name}, {place}" if place else name
    return f"{DEPTS[h(key + 'd') % len(DEPTS)]}, {name}, {place}"


def ror_cn(idx, subs) -> list[dict]:
    """Unlisted CN/HK/MO/TW ROR records as FP rows."""
    recs = list(csv.DictReader(open(SRC / "ror_cn_hk_mo_tw.csv", encoding="utf-8")))
    names = {r["ror_id"]: [r["name"], *[x for c in ("aliases", "acronyms", "labels_zh") for x in r[c].split("|") if x]]
             for r in recs}
    bad = {}
    for r in recs:
        ns = names[r["ror_id"]]
        hit = next((n for n in ns if norm(n) in idx and len(norm(n)) > 3), "")
        sub = subs.inside([n for n in ns if len(n) > 4])
        lab = re.search(r"(?i)key lab|重点实验室", " ".join(ns)) or CONTESTED.search(r["name"])
        known = KNOWN_LISTED.get(r["ror_id"].rsplit("/", 1)[-1], "")
        if hit or sub or lab or known or DEFENCE.search(r["name"]) or r["status"] != "active":
            bad[r["ror_id"]] = hit or sub or "defence word / inactive"
    changed = True
    while changed:
        changed = False
        for r in recs:
            if r["ror_id"] in bad:
                continue
            links = [x for c in ("parent_ids", "related_ids", "predecessor_ids", "successor_ids") for x in r[c].split("|") if x]
            if any(("https://ror.org/" + x.rsplit("/", 1)[-1]) in bad or x in bad for x in links):
                bad[r["ror_id"]] = "linked to an excluded record"
                changed = True
    out = []
    for r in recs:
        if r["ror_id"] in bad:
            continue
        ror = r["ror_id"].rsplit("/", 1)[-1]
        cc = r["country_code"]
        shown = re.sub(r"\s*\((China|Taiwan|Hong Kong|Macau|Macao)\)$", "", r["name"])  # ROR's own suffix
        out.append({"text": form(shown, r["city"], cc, cc, ror, school="education" in r["types"]), "country_code": cc, "ror": ror,
                    "org_name": r["name"], "source": "ror_cn_hk_mo_tw",
                    "note": "ROR record on no bundled list (name, aliases, Chinese labels, links checked)"})
        zh = [x for x in r["labels_zh"].split("|") if x]
        if cc == "CN" and zh and h(ror + "zh") % 4 == 0:
            out.append({"text": zh[0], "country_code": cc, "ror": ror, "org_name": r["name"],
                        "source": "ror_cn_hk_mo_tw", "note": "Chinese label of an unlisted ROR record"})
    return out


def ror_lookalikes(idx, subs) -> list[dict]:
    """Every ROR look-alike outside CN/HK/MO/TW, bare and with its place."""
    out = []
    for line in open(SRC / "ror_lookalikes_non_cn.jsonl", encoding="utf-8"):
        r = json.loads(line)
        ror = r["id"].rsplit("/", 1)[-1]
        same = norm(r["name"]) in idx
        if (same and not subs.chinese_only(r["name"])) or subs.foreign_hit(r["name"]):
            continue
        note = "same-name look-alike of a listed body" if same else "ROR look-alike of a Chinese record's name"
        for text in (r["name"], f"{r['name']}, {r.get('city') or ''}, {r['country']}".replace(", ,", ",")):
            out.append({"text": text, "country_code": r["country_code"], "ror": ror, "org_name": r["name"],
                        "source": "ror_lookalike", "note": note})
    return out


def hipo(idx, subs, *, n_foreign: int) -> list[dict]:
    """Hipo universities: a hash-sample of foreign ones, and the unlisted CN/HK/MO/TW ones."""
    data = json.load(gzip.open(SRC / "hipo_world_universities_and_domains.json.gz", "rt", encoding="utf-8"))
    seen, foreign, cn = set(), [], []
    for u in data:
        key = (norm(u["name"]), u["alpha_two_code"])
        if key in seen or not u["name"].strip():
            continue
        seen.add(key)
        cc, same = u["alpha_two_code"], norm(u["name"]) in idx
        if cc in CN_LIKE:
            if same or subs.inside([u["name"]]) or DEFENCE.search(u["name"]) or CONTESTED.search(u["name"]):
                continue
            cn.append((u, "Hipo university in CN/HK/MO/TW on no bundled list"))
        elif same and subs.chinese_only(u["name"]):
            foreign.append((u, "same-name look-alike of a listed body (Hipo)"))
        elif same:
            continue
        elif not subs.foreign_hit(u["name"]):
            foreign.append((u, "foreign university (Hipo)"))
    look = [x for x in foreign if x[1].startswith("same-name")]
    rest = sorted((x for x in foreign if not x[1].startswith("same-name")), key=lambda x: h(x[0]["name"] + x[0]["alpha_two_code"]))
    out = []
    for u, note in cn + look + rest[:n_foreign]:
        dom = (u.get("domains") or [""])[0]
        out.append({"text": form(u["name"], u.get("state-province") or "", u["alpha_two_code"], u["country"], u["name"] + dom),
                    "country_code": u["alpha_two_code"], "ror": "", "org_name": u["name"],
                    "source": "hipo_cn_hk_mo_tw" if u["alpha_two_code"] in CN_LIKE else "hipo_world", "note": note})
    return out


def build() -> list[dict]:
    """All FP rows, de-duplicated by (text, country)."""
    from biblio.lists import load_lists  # noqa: PLC0415

    idx, rows_ = list_index(load_lists().entities)
    places = set()
    for r in csv.DictReader(open(SRC / "ror_cn_hk_mo_tw.csv", encoding="utf-8")):
        places |= set(norm(r["city"]).split())
    places |= {norm(p) for p in PROVINCES}
    subs = Listed(idx, rows_, places)
    rows, seen = [], set()
    for r in ror_lookalikes(idx, subs) + ror_cn(idx, subs) + hipo(idx, subs, n_foreign=900):
        k = (norm(r["text"]), r["country_code"])
        if k in seen:
            continue
        seen.add(k)
        rows.append(r)
    for i, r in enumerate(rows, 1):
        r["id"] = f"F{i:05d}"
        r["split"] = "dev" if h("fp:" + (r["ror"] or r["org_name"])) % 2 == 0 else "heldout"
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    rows = build()
    w.writerows(rows)
    if a.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == buf.getvalue()
        print("up to date" if same else f"{OUT} is stale: rerun scripts/build_fp_set.py")
        return 0 if same else 1
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
