"""Build benchmarks/data/resolver_house_labelled.csv: real raw strings, hand-labelled.

The strings are raw affiliation strings of the House Select Committee's papers, as OpenAlex
records them (``biblio/data/house/openalex_works.jsonl.gz``, CC0; see its PROVENANCE.md): a
seeded random sample of the China-related ones plus a sample of the others. Each string was
labelled by hand in ``benchmarks/data/src/house_labels.psv`` (which organisations it names; a
proposal script suggested names, every line was read and corrected). Labels are computed from the
organisations exactly as for the v2 set (``scripts/build_labelled_v2.py``); ``@entity_key`` stands
for the bundled list rows with that key. The OpenAlex institution columns are those of the first
institution OpenAlex assigned to that string (so ``screen`` can be scored with its ID too).

    python scripts/build_house_set.py [--check]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import build_labelled_v2 as v2  # noqa: E402

WORKS = ROOT / "biblio" / "data" / "house" / "openalex_works.jsonl.gz"
LABELS = v2.SRC / "house_labels.psv"
OUT = ROOT / "benchmarks" / "data" / "resolver_house_labelled.csv"
COLUMNS = ["id", "text", "inst_name", "openalex_id", "ror", "lineage", "country_code", "institution_ids", "work_id",
           "expected_lists", "expected_entity", "entities", "as_of", "class", "kind", "source", "split", "split_group",
           "note", "label_source", "entity_names"]


def affiliations() -> dict[str, dict]:
    """raw string -> first OpenAlex occurrence: work id and its institutions (in order)."""
    out: dict[str, dict] = {}
    for line in gzip.open(WORKS, "rt", encoding="utf-8"):
        w = json.loads(line)
        for a in w["authorships"]:
            inst = {i["id"]: i for i in a["institutions"]}
            for af in a.get("affiliations") or []:
                s = af["raw_affiliation_string"]
                if s not in out:
                    out[s] = {"work": w["id"].rsplit("/", 1)[-1],
                              "insts": [inst.get(i) or {"id": i} for i in af.get("institution_ids") or []]}
    return out


def short(url: str | None) -> str:
    return (url or "").rstrip("/").rsplit("/", 1)[-1]


def build() -> list[dict]:
    """All rows of the house set."""
    from biblio.lists import load_lists  # noqa: PLC0415

    ls = load_lists()
    idx, rows = v2.list_index(ls.entities)
    orgs = v2.load_orgs(idx, rows)
    act = ls.listed_as_of(dt.date.fromisoformat(v2.AS_OF))
    active = set(zip(act["list_key"], act["entity_key"]))
    affs = affiliations()
    out = []
    for text, ents, cls, note, where in v2.read_psv(LABELS, 4):
        if text not in affs:
            raise SystemExit(f"{where}: not a raw affiliation string of the House records: {text[:80]!r}")
        keys = [k for k in ents.split("+") if k and k != "-"]
        for k in keys:
            if k.startswith("@") and k not in orgs:
                ek = k[1:]
                refs = [r for r in rows if r[1] == ek]
                if not refs:
                    raise SystemExit(f"{where}: no list row has entity_key {ek}")
                name = rows[refs[0]]["name"]
                orgs[k] = v2.Org(k, name, [], [], [], "list rows with this entity_key", set(refs))
            elif k not in orgs:
                raise SystemExit(f"{where}: unknown organisation {k}")
        refs = set()
        for k in keys:
            refs |= v2.active_refs(orgs[k], orgs, active, rows)
        listed = [k for k in keys if v2.active_refs(orgs[k], orgs, active, rows)]
        names = []
        for k in listed:
            names += v2.names_of(orgs[k], orgs, rows)
        a = affs[text]
        first = a["insts"][0] if a["insts"] else {}
        out.append({
            "text": text, "inst_name": first.get("display_name") or "", "openalex_id": short(first.get("id")),
            "ror": short(first.get("ror")), "lineage": ";".join(short(x) for x in first.get("lineage") or []),
            "country_code": first.get("country_code") or "", "institution_ids": ";".join(short(i.get("id")) for i in a["insts"]),
            "work_id": a["work"], "expected_lists": ";".join(sorted({lk for lk, _ in refs})),
            "expected_entity": "; ".join(orgs[k].name for k in listed), "entities": "+".join(keys) or "-",
            "as_of": v2.AS_OF, "class": "6_joint_or_wrong_id" if cls == "6" else "house",
            "kind": "positive" if refs else "negative", "source": "house_openalex",
            "split_group": keys[0] if keys else "inst:" + (short(first.get("id")) or text),
            "note": note, "label_source": ";".join(f"{lk}:{ek}" for lk, ek in sorted(refs)),
            "entity_names": " | ".join(dict.fromkeys(names)),
        })
    for i, r in enumerate(out, 1):
        r["id"] = f"H{i:04d}"
        r["split"] = v2.split_of(r["split_group"])
    return out


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
        print("up to date" if same else f"{OUT} is stale: rerun scripts/build_house_set.py")
        return 0 if same else 1
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
