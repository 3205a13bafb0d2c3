"""Build biblio/data/prc_funders.csv: PRC state funders seen in real OpenAlex records.

    python scripts/build_prc_funders.py [HOUSE_OPENALEX_JSONL_GZ]

Every funder ID row comes from a real record (the House committee's papers, OpenAlex CC0),
classified by the name rules below; the name-pattern rows catch funders known only by name
(Crossref entries, legacy grants[]). Re-running reproduces the file; the row order is stable.
"""

from __future__ import annotations

import collections
import csv
import gzip
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SRC = Path("/work/shared/data/house/openalex_works.jsonl.gz")
OUT = REPO / "biblio" / "data" / "prc_funders.csv"

PLACES = (
    "Anhui|Beijing|Chongqing|Fujian|Gansu|Guangdong|Guangxi|Guizhou|Hainan|Hebei|Heilongjiang|Henan|Hubei|Hunan|"
    "Jiangsu|Jiangxi|Jilin|Liaoning|Inner Mongolia|Ningxia|Qinghai|Shaanxi|Shandong|Shanghai|Shanxi|Sichuan|Tianjin|"
    "Tibet|Xinjiang|Yunnan|Zhejiang|Shenzhen|Guangzhou|Ningbo|Dalian|Wuhan|Nanjing|Hangzhou|Xiamen|Qingdao|Suzhou|"
    "Zhangjiang|Chengdu|Xi'?an|Harbin|Changsha|Hefei|Zhengzhou|Jinan|Shenyang|Fuzhou|Kunming|Nanchang"
)
# (family, level, regex on the funder name). The first matching rule classifies a name.
RULES: list[tuple[str, str, str]] = [
    ("NSFC", "national", r"National Natural Science Foundation of China|\bNSFC\b|\bNNSFC\b"),
    ("National Key R&D Program", "national", r"National Key (?:R\s*&\s*D|Research and Development) Program|National Key Basic Research Program|Major State Basic Research Development Program|\b973 Program|\b863 Program|National Science and Technology Major Project|National High Technology Research and Development Program"),
    ("MOST", "national", r"Ministry of Science and Technology of (?:the )?(?:People'?s Republic of )?China|\bMOST of China"),
    ("CAS programmes", "national", r"Chinese Academy of Sciences|Strategic Priority Research Program|Youth Innovation Promotion Association"),
    ("China Scholarship Council", "national", r"China Scholarship Council|Scholarship Council of China"),
    ("China Postdoctoral Science Foundation", "national", r"China Postdoctoral Science Foundation|National Postdoctoral Program for Innovative Talents"),
    ("Fundamental Research Funds for the Central Universities", "national", r"Fundamental Research Funds? for (?:the )?Central Universities"),
    ("PRC defence programmes", "national", r"National Defen[cs]e Basic Scientific Research|National Defen[cs]e Pre-Research|Defen[cs]e Industrial Technology Development Program|Science and Technology on [A-Za-z ]+ Laboratory|State Administration of Science, Technology and Industry for National Defen[cs]e|\bSASTIND\b"),
    ("Other national programmes", "national", r"Basic Scientific Fund for National Public Research Institutes of China|China Association for Science and Technology|Higher Education Discipline Innovation Project|\b111 Project|Ministry of Education of (?:the )?(?:People'?s Republic of )?China|Earmarked Fund for Modern Agro-industry Technology Research System"),
    ("Provincial and municipal natural science foundations", "provincial", rf"Natural Science (?:Foundation|Basic Research Program) of\s+(?:the\s+)?(?:{PLACES})|(?:{PLACES})(?: Provincial| Municipal)? Natural Science Foundation|Basic and Applied Basic Research Foundation of (?:{PLACES})"),
    ("Provincial and municipal S&T programmes", "provincial", rf"(?:{PLACES}).{{0,40}}(?:Science and Technology|Science, Technology|Key Research and Development|Key R&D|Education Commission|Department of Education|Postdoctoral|Talents? |Scholar|Nova Program|Rising-Star|Innovation Team|Municipal People'?s Government|Fundamental Research Program|Key Technologies|Development and Reform Commission|Health and Family Planning)|(?:Department of Education|Science and Technology (?:Department|Commission|Program)|Science and Technology Innovation Plan|Key Research and Development (?:Program|Projects?)|Provincial Key Research and Development Project) of (?:{PLACES})|Priority Academic Program Development of Jiangsu|Pearl River Talent|Taishan Scholar|Liaoning Revitalization Talents"),
]
FOREIGN = re.compile(r"U\.S\.|United States|Graduate Fellowship|Singapore|India|Kazakhstan|Korea|Japan|Taiwan|Hong Kong|Macau|Ontario|Argentin|Hellenic|Republic of (?!China)", re.I)


def classify(name: str) -> tuple[str, str] | None:
    """(family, level) of a PRC state funder name, or None."""
    if not name or FOREIGN.search(name):
        return None
    for family, level, rx in RULES:
        if re.search(rx, name, re.I):
            return family, level
    return None


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SRC
    seen: dict[str, tuple[str, str | None]] = {}
    n = collections.Counter()
    for line in gzip.open(src, "rt", encoding="utf-8"):
        for f in json.loads(line).get("funders") or []:
            fid = f["id"].rsplit("/", 1)[-1]
            seen[fid] = (" ".join((f.get("display_name") or "").split()), (f.get("ror") or "").rsplit("/", 1)[-1] or None)
            n[fid] += 1
    rows = []
    for fid, (name, ror) in seen.items():
        c = classify(name)
        if c:
            rows.append({"funder_id": fid, "pattern": "", "name": name, "family": c[0], "level": c[1], "ror": ror or "",
                         "source": f"OpenAlex record(s) of {n[fid]} House committee paper(s) (data/house/openalex_works.jsonl.gz)"})
    rows.sort(key=lambda r: ([x[0] for x in RULES].index(r["family"]), -n[r["funder_id"]], r["funder_id"]))
    for family, level, rx in RULES:
        rows.append({"funder_id": "", "pattern": rx, "name": "", "family": family, "level": level, "ror": "",
                     "source": "name rule (case-insensitive regex on the funder name), scripts/build_prc_funders.py"})
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["funder_id", "pattern", "name", "family", "level", "ror", "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {OUT}: {sum(1 for r in rows if r['funder_id'])} funder IDs, {len(RULES)} name rules")


if __name__ == "__main__":
    main()
