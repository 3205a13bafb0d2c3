"""Do names alone find what IDs find? Real raw affiliation strings from the House committee's
OpenAlex records, screened twice with ``biblio.resolve.screen``:

* **by ID**: the raw string with the OpenAlex institution the record assigns (its ID, ROR,
  lineage and country), as ``biblio run`` sees it;
* **by name**: the raw affiliation string alone (no ID, no country), as a vetting office
  screening a CV or a proposal would.

Over (string, list) pairs, the ID verdict is the reference: ``recall`` is the share of the ID
path's flags that the name path also finds; ``extra`` counts name-path flags the ID path lacks
(a missed ID link, an OpenAlex misassignment, or a false flag by name). This is a consistency
check, not ground truth (OpenAlex assigns some strings wrongly; issue 8 class 6). Strings in the
held-out split of ``benchmarks/data/resolver_house_labelled.csv`` are left out, and disagreements
are listed only with ``--errors``.

    python benchmarks/id_name_agreement.py [--errors] [--limit N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKS = ROOT / "biblio" / "data" / "house" / "openalex_works.jsonl.gz"
HELDOUT = ROOT / "benchmarks" / "data" / "resolver_house_labelled.csv"
PRC = {"CN", "HK", "MO"}
AS_OF = dt.date(2026, 11, 1)


def pairs(path: Path) -> pl.DataFrame:
    """One row per distinct (raw string, assigned PRC institution) in the records."""
    rows: set[tuple[str, str, str, str, str, str]] = set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            w = json.loads(line)
            for a in w.get("authorships") or []:
                insts = {(i.get("id") or "").rsplit("/", 1)[-1]: i for i in a.get("institutions") or []}
                for af in a.get("affiliations") or []:
                    raw = (af.get("raw_affiliation_string") or "").strip()
                    for iid in af.get("institution_ids") or []:
                        i = insts.get(iid.rsplit("/", 1)[-1])
                        if raw and i and i.get("country_code") in PRC:
                            lin = ";".join(x.rsplit("/", 1)[-1] for x in i.get("lineage") or [])
                            rows.add((raw, iid.rsplit("/", 1)[-1], (i.get("ror") or "").rsplit("/", 1)[-1], lin,
                                      i.get("display_name") or "", i.get("country_code") or ""))
    return pl.DataFrame(sorted(rows), schema=["raw", "openalex_id", "ror", "lineage", "inst_name", "country_code"], orient="row")


def _lists(s: str | None) -> set[str]:
    return {x for x in (s or "").split(";") if x}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the disagreements")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    from biblio.resolve import screen

    df = pairs(WORKS)
    held = set(pl.read_csv(HELDOUT, infer_schema_length=0).filter(pl.col("split") == "heldout")["text"].to_list())
    df = df.filter(~pl.col("raw").is_in(list(held)))
    if a.limit:
        df = df.head(a.limit)
    t0 = time.perf_counter()
    by_id = screen(df.select(pl.col("raw").alias("name"), "ror", "openalex_id", "lineage", "country_code"), as_of=AS_OF)["lists"]
    by_name = screen(df.select(pl.col("raw").alias("name")), as_of=AS_OF)["lists"]
    secs = time.perf_counter() - t0
    hit = miss = extra = 0
    per: Counter[str] = Counter()
    per_miss: Counter[str] = Counter()
    errs: list[str] = []
    for raw, inst, i, n in zip(df["raw"], df["inst_name"], by_id, by_name):
        ids, names = _lists(i), _lists(n)
        hit += len(ids & names)
        miss += len(ids - names)
        extra += len(names - ids)
        for k in ids:
            per[k] += 1
            per_miss[k] += k not in names
        if ids != names:
            errs.append(f"  id={sorted(ids)} name={sorted(names)}  [{inst}]  {raw[:160]}")
    print(f"House OpenAlex records (REAL), held-out strings left out: {df.height} (string, institution) pairs, screened twice in {secs:.1f} s")
    print(f"  ID-path flags {hit + miss}; name path finds {hit} (recall vs ID {hit / max(1, hit + miss):.3f}); "
          f"name-only flags {extra}; pairs that disagree {len(errs)}")
    for k, v in per.most_common():
        print(f"    {k:12s} ID flags {v:5d}  name misses {per_miss[k]:4d}  ({1 - per_miss[k] / v:.3f})")
    if a.errors:
        print("\n".join(errs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
