"""Self-recall of the lists: does every name an active list entry prints flag that entry's list?

For each entry active on ``--as-of`` (``load_lists().listed_as_of``), every printed name
(``name``, ``name_zh``, ``strong_aliases``) is screened through the public API
(:func:`biblio.resolve.screen`) with the entry's own country, in two forms: bare, and
"<name>, <entry's city or Beijing>, China" ("…, Hong Kong" for a Hong Kong body). A name counts
as recalled when the row's ``lists`` holds the entry's list.

Left out of the score by design, and counted apart:
* ``non_prc``: entries outside China (1286's Iranian and Russian bodies);
* ``sastind_non_civilian``: SASTIND's military/defence-industry entries (CETC, CAEP) never get
  ``sastind`` (the list marks supervised civilian universities only);
* ``weak``: names too weak to decide alone: a bare number ("901 Institute", "Research Institute
  14") or an acronym the graph holds only as a weak alias or as a name several bodies share;
* ``generic``: names of place, unit and business words only ("Beijing Research Center",
  "Shenyang Institute of Technology") that the graph holds only as weak aliases (the build's
  generic-name rule, ``biblio.orgs.build._generic_key``);
* ``stub``: text the list prints that is no name (an address note, a name printed with its
  street address, a bare legal form).

Misses are grouped by what the evidence says (ambiguous, weak, generic, other list entry, no
match). Prints figures; no pass/fail.

    python benchmarks/list_self_recall.py [--as-of 2026-11-01] [--misses 30]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from resolver_quality import machine  # noqa: E402

from biblio.lists import load_lists  # noqa: E402
from biblio.orgs.build import _generic_key  # noqa: E402
from biblio.orgs.graph import DECIDING, load_graph  # noqa: E402
from biblio.orgs.text import name_key  # noqa: E402
from biblio.resolve import screen  # noqa: E402

PRC = ("CN", "HK", "MO")
_BARE_NUMBER = re.compile(r"^(no\.?\s*)?\d{1,4}\s*(research\s+)?(institute|factory|base|plant)?$|^(research\s+)?institute\s+\d{1,4}$|^base\s+\d{1,4}$", re.I)
_ADDRESS = re.compile(r"\b\d+\s+(\w+\s+){1,3}(road|street|avenue|lu)\b", re.I)  # "12th Institute 51 Yong Ding Road, Beijing"
_STUB = re.compile(r"located in|preceding|^(limited|ltd\.?|co\.,? ltd\.?|inc\.?)$", re.I)


def entry_place(g, lk: str, ek: str, country: str | None) -> tuple[str, str]:
    """(country code, city) of a list entry: its graph body's, else from the list's country."""
    org = g.by_entity.get((lk, ek))
    for k in ([org, *g.ancestors(org)] if org else []):
        o = g.orgs.get(k)
        if o and o.country:
            city = next((g.orgs[a].city for a in [k, *g.ancestors(k)] if a in g.orgs and g.orgs[a].city), "")
            return o.country, city
    c = (country or "").lower()
    return ("CN" if "china" in c else "" if not c else "XX"), ""


def exclusion(g, lk: str, category: str | None, name: str) -> str:
    """Why a printed name is left out of the score ('' when it is scored)."""
    if lk == "sastind" and (category or "") != "Civilian":
        return "sastind_non_civilian"
    if _STUB.search(name.strip()) or _ADDRESS.search(name) or len(name.strip()) < 2:
        return "stub"
    if _BARE_NUMBER.match(name.strip()):
        return "weak"
    k = name_key(name, False)
    refs = g.names.get(k, [])
    acronym = " " not in name.strip() and name.strip().isupper()
    if acronym and (k in g.shared or not any(r.kind in DECIDING and not r.scope for r in refs)):
        return "weak"
    if "," not in name and refs and all(r.kind == "weak_alias" for r in refs) and _generic_key(name_key(name), set(g.places)):
        return "generic"
    return ""


def miss_kind(evidence: str, lists: str) -> str:
    """A miss grouped by what the evidence says."""
    e = evidence or ""
    if e.startswith("ambiguous") or "ambiguous" in e:
        return "ambiguous"
    if "weak alias" in e:
        return "weak alias"
    if "generic name" in e:
        return "generic"
    if "not flagged" in e:
        return "placed elsewhere"
    if lists:
        return "other entries only"
    return "no match"


def cases(as_of: date) -> tuple[list[dict], Counter]:
    """Every (entry, printed name, form) to screen, and the left-out counts."""
    ls = load_lists()
    g = load_graph()
    act = ls.listed_as_of(as_of)
    active = set(zip(act["list_key"], act["entity_key"]))
    out: list[dict] = []
    left = Counter()
    for r in ls.entities.iter_rows(named=True):
        lk, ek = r["list_key"], r["entity_key"]
        if (lk, ek) not in active:
            continue
        cc, city = entry_place(g, lk, ek, r["country"])
        names = dict.fromkeys(x.strip() for x in [r["name"], r["name_zh"], *(r["strong_aliases"] or [])] if x and x.strip())
        for n in names:
            why = "non_prc" if cc not in PRC else exclusion(g, lk, r["category"], n)
            if why:
                left[(lk, why)] += 1
                continue
            place = "Hong Kong" if cc == "HK" else "Macau" if cc == "MO" else f"{city or 'Beijing'}, China"
            for form, text in (("bare", n), ("placed", f"{n}, {place}")):
                out.append({"list_key": lk, "entity_key": ek, "printed": n, "form": form, "name": text, "country_code": cc})
    return out, left


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--as-of", default="2026-11-01")
    ap.add_argument("--misses", type=int, default=30, help="misses printed per list")
    a = ap.parse_args()
    as_of = date.fromisoformat(a.as_of)
    t0 = time.perf_counter()
    rows, left = cases(as_of)
    df = pl.DataFrame(rows)
    got = screen(df.select("name", "country_code"), as_of=as_of)
    lists = got["lists"].list.join(";") if got["lists"].dtype == pl.List(pl.Utf8) else got["lists"].cast(pl.Utf8)
    df = df.with_columns(got_lists=lists.fill_null(""), evidence=got["evidence"].cast(pl.Utf8).fill_null(""))
    print(f"machine: {machine()}\nas of {as_of}; {df.height} screened rows ({df['printed'].n_unique()} names x 2 forms)")
    tot, hit = Counter(), Counter()
    miss: dict[str, list] = defaultdict(list)
    kinds: dict[str, Counter] = defaultdict(Counter)
    for r in df.iter_rows(named=True):
        key = (r["list_key"], r["form"])
        tot[key] += 1
        if r["list_key"] in r["got_lists"].split(";"):
            hit[key] += 1
        else:
            k = miss_kind(r["evidence"], r["got_lists"])
            kinds[r["list_key"]][k] += 1
            miss[r["list_key"]].append((k, r["name"], r["got_lists"], r["evidence"][:110]))
    print(f"\n{'list':12} {'bare':>16} {'placed':>16}   left out")
    for lk in dict.fromkeys(r["list_key"] for r in rows):
        cells = [f"{hit[(lk, f)] / tot[(lk, f)]:.3f} ({tot[(lk, f)] - hit[(lk, f)]:>3}/{tot[(lk, f)]:>4})" for f in ("bare", "placed")]
        out = ", ".join(f"{w}={n}" for (l2, w), n in sorted(left.items()) if l2 == lk)
        print(f"{lk:12} {cells[0]:>16} {cells[1]:>16}   {out}")
    all_t, all_h = sum(tot.values()), sum(hit.values())
    print(f"{'all':12} {all_h / all_t:.3f} ({all_t - all_h}/{all_t} missed)")
    for lk, ms in miss.items():
        print(f"\n-- {lk}: misses by kind: {dict(kinds[lk].most_common())}")
        for k, n, gl, ev in sorted(ms)[: a.misses]:
            print(f"  [{k}] {n!r} -> {gl or '-'} | {ev}")
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
