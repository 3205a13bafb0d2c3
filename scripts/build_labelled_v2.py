"""Build benchmarks/data/resolver_labelled_v2.csv: the six-class resolver set of issue 8.

Labels come from the bundled list data (``biblio/lists/data/*.json`` via ``biblio.lists``) and
from the case files in ``benchmarks/data/src/`` (which organisation each string names, and which
organisation is a unit of which). They never come from the resolver. Run::

    python scripts/build_labelled_v2.py            # writes the CSV
    python scripts/build_labelled_v2.py --check    # fails if the CSV on disk is stale

How a label is computed (see benchmarks/data/README.md):
1. An organisation in ``orgs_v2.psv`` has ``list names``. Its list rows are every bundled list
   row whose name, Chinese name or strong alias equals one of them after normalisation
   (``norm``), plus explicit ``list_key:entity_key`` references. Weak aliases never count.
2. Its own list keys at ``as_of`` are the keys of those rows that are on the newest edition of
   their list dated on or before ``as_of`` (``ListSet.listed_as_of``). ``sastind`` counts only
   when the sastind row's category is ``Civilian`` (SASTIND-supervised civilian universities).
3. A unit or subsidiary adds its parents' keys (recursively); a parent never inherits a unit's.
4. A string naming several organisations expects the union; an unlisted organisation adds none
   and must match no list row by name (checked here).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SRC = ROOT / "benchmarks" / "data" / "src"
OUT = ROOT / "benchmarks" / "data" / "resolver_labelled_v2.csv"
AS_OF = "2026-11-01"
LIST_KEYS = ("entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind")
CLASSES = {"1": "subsidiary", "2": "unit", "3": "other_name", "4": "place", "5": "list_semantics",
           "6": "joint_or_wrong_id"}
COLUMNS = ["id", "text", "inst_name", "openalex_id", "ror", "lineage", "country_code", "expected_lists",
           "expected_entity", "entities", "as_of", "class", "kind", "split", "split_group", "note",
           "label_source", "entity_names"]


def norm(s: str) -> str:
    """Casefold, unify quotes, drop punctuation and a trailing parenthesis: exact-name key."""
    s = unicodedata.normalize("NFKC", s).replace("’", "'").replace("?s ", "'s ").casefold()
    s = re.sub(r"[^\w\u4e00-\u9fff]+", " ", s)
    return " ".join(s.split())


@dataclass
class Org:
    """One organisation named by the case strings (listed or not)."""
    key: str
    name: str
    list_names: list[str]
    parents: list[str]
    refs: list[str]                      # explicit list_key:entity_key references
    source: str                          # where the parent relation / identity comes from
    matched: set[tuple[str, str]] = field(default_factory=set)


def read_psv(path: Path, ncols: int) -> list[list[str]]:
    """Rows of a ``|``-separated file; ``#`` comments and blank lines skipped; short rows padded."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) > ncols:
            raise SystemExit(f"{path.name}:{n}: {len(parts)} fields, at most {ncols}: {line}")
        out.append(parts + [""] * (ncols - len(parts)) + [f"{path.name}:{n}"])
    return out


def list_index(ents) -> tuple[dict[str, set[tuple[str, str]]], dict[tuple[str, str], dict]]:
    """norm(name) -> {(list_key, entity_key)} over names, Chinese names and strong aliases."""
    idx: dict[str, set[tuple[str, str]]] = {}
    rows = {}
    for r in ents.iter_rows(named=True):
        k = (r["list_key"], r["entity_key"])
        rows[k] = r
        names = [r["name"], r["name_zh"], *(r["strong_aliases"] or [])]
        for n in names:
            if not n:
                continue
            for v in {n, re.sub(r"\s*\([^)]*\)\s*$", "", n)}:
                if norm(v):
                    idx.setdefault(norm(v), set()).add(k)
    return idx, rows


def variants(name: str) -> set[str]:
    """A canonical name, the name without its parentheses, and each parenthesised name."""
    out = {name, re.sub(r"\s*\([^)]*\)", "", name).strip()}
    out |= {m.strip() for m in re.findall(r"\(([^)]*)\)", name)}
    return {norm(v) for v in out if norm(v)}


def load_orgs(idx, rows) -> dict[str, Org]:
    """Read orgs_v2.psv and resolve each organisation's list rows."""
    orgs: dict[str, Org] = {}
    for key, name, lnames, parents, refs, source, _where in read_psv(SRC / "orgs_v2.psv", 6):
        if key in orgs:
            raise SystemExit(f"duplicate org {key}")
        o = Org(key, name, [x.strip() for x in lnames.split(";") if x.strip()],
                [x.strip() for x in parents.split(";") if x.strip()],
                [x.strip() for x in refs.split(";") if x.strip()], source)
        for n in o.list_names:
            hit = idx.get(norm(n))
            if not hit:
                raise SystemExit(f"org {key}: list name {n!r} is on no bundled list")
            o.matched |= hit
        for ref in o.refs:
            lk, ek = ref.split(":", 1)
            if (lk, ek) not in rows:
                raise SystemExit(f"org {key}: reference {ref} is not a bundled list row")
            o.matched.add((lk, ek))
        unlisted = not o.list_names and not o.refs and not o.parents
        if unlisted and norm(name) in idx:   # unlisted: its exact name is on no list
            raise SystemExit(f"org {key} is meant unlisted but {name!r} is on {sorted(idx[norm(name)])}")
        own = set() if unlisted else set().union(*(idx.get(v, set()) for v in variants(name)))
        head = norm(name.split(",")[0])
        if unlisted and head in idx:
            print(f"note: unlisted org {key}: {name.split(',')[0]!r} is a list name/alias of {sorted(idx[head])}",
                  file=sys.stderr)
        o.matched |= own
        orgs[key] = o
    for o in orgs.values():
        for p in o.parents:
            if p not in orgs:
                raise SystemExit(f"org {o.key}: unknown parent {p}")
    return orgs


def active_refs(o: Org, orgs: dict[str, Org], active: set, rows: dict, seen=()) -> set[tuple[str, str]]:
    """List rows (own and inherited from parents) on which ``o`` counts at the date of ``active``."""
    out = {k for k in o.matched if k in active
           and not (k[0] == "sastind" and rows[k].get("category") != "Civilian")}
    for p in o.parents:
        if p not in seen:
            out |= active_refs(orgs[p], orgs, active, rows, (*seen, o.key))
    return out


def lineage_rows(o: Org, orgs: dict[str, Org]) -> set[tuple[str, str]]:
    """List rows of ``o`` and of all its ancestors (any date)."""
    out = set(o.matched)
    for p in o.parents:
        out |= lineage_rows(orgs[p], orgs)
    return out


def names_of(o: Org, orgs: dict[str, Org], rows: dict) -> list[str]:
    """Every name of ``o`` and its listed ancestors: label names + the list rows' names/aliases."""
    out = [o.name, *o.list_names]
    for k in sorted(o.matched):
        r = rows[k]
        out += [r["name"], *(r["strong_aliases"] or [])]
    for p in o.parents:
        out += names_of(orgs[p], orgs, rows)
    return list(dict.fromkeys(x.replace("|", "/") for x in out if x))


SPLIT_SALT = "101:"  # chosen once (2026-12-02) for class balance; never change it: rows would change split


def split_of(group: str) -> str:
    """``dev`` or ``heldout`` from a stable hash of the split group (an organisation key)."""
    return "dev" if int(hashlib.sha1((SPLIT_SALT + group).encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def build() -> list[dict]:
    """All labelled rows, in case-file order."""
    from biblio.lists import load_lists  # noqa: PLC0415

    ls = load_lists()
    idx, rows = list_index(ls.entities)
    orgs = load_orgs(idx, rows)
    active_by_date: dict[str, set] = {}
    out = []
    for path in sorted(SRC.glob("cases_v2_*.psv")):
        for (text, ents, cls, cc, note, inst, oid, ror, lineage, as_of, group, where) in read_psv(path, 11):
            as_of = as_of or AS_OF
            if as_of not in active_by_date:
                act = ls.listed_as_of(dt.date.fromisoformat(as_of))
                active_by_date[as_of] = set(zip(act["list_key"], act["entity_key"]))
            keys = [k for k in ents.split("+") if k]
            if not keys or any(k not in orgs for k in keys):
                raise SystemExit(f"{where}: unknown organisation in {ents!r}")
            if cls not in CLASSES:
                raise SystemExit(f"{where}: class {cls!r} not in 1-6")
            head = norm(re.split(r",|，", text)[0])
            own = set().union(*(lineage_rows(orgs[k], orgs) for k in keys))
            if head in idx and not idx[head] <= own and any(orgs[k].list_names or orgs[k].parents for k in keys):
                print(f"audit: {where}: {text.split(',')[0]!r} is a list name of {sorted(idx[head] - own)[:4]}"
                      f" not among the rows of {ents}", file=sys.stderr)
            refs = set()
            for k in keys:
                refs |= active_refs(orgs[k], orgs, active_by_date[as_of], rows)
            exp = sorted({lk for lk, _ in refs}, key=LIST_KEYS.index)
            listed = [k for k in keys if active_refs(orgs[k], orgs, active_by_date[as_of], rows)]
            names = []
            for k in listed:
                names += names_of(orgs[k], orgs, rows)
            srcs = sorted({orgs[k].source for k in keys if orgs[k].source})
            out.append({
                "text": text, "inst_name": inst, "openalex_id": oid, "ror": ror, "lineage": lineage,
                "country_code": cc, "expected_lists": ";".join(sorted(exp)),
                "expected_entity": "; ".join(orgs[k].name for k in listed), "entities": "+".join(keys),
                "as_of": as_of, "class": f"{cls}_{CLASSES[cls]}", "kind": "positive" if exp else "negative",
                "split_group": group or keys[0], "note": note,
                "label_source": ";".join(f"{lk}:{ek}" for lk, ek in sorted(refs)) + (
                    " || relation: " + " / ".join(srcs) if srcs else ""),
                "entity_names": " | ".join(dict.fromkeys(names)),
            })
    seen = set()
    for i, r in enumerate(out, 1):
        r["id"] = f"V{i:04d}"
        r["split"] = split_of(r["split_group"])
        if (r["text"], r["country_code"], r["openalex_id"], r["as_of"]) in seen:
            raise SystemExit(f"duplicate case {r['text']!r}")
        seen.add((r["text"], r["country_code"], r["openalex_id"], r["as_of"]))
    return out


def render(rows: list[dict]) -> str:
    """The CSV text."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the CSV on disk differs from a rebuild")
    a = ap.parse_args()
    text = render(build())
    if a.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} is stale: rerun scripts/build_labelled_v2.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
