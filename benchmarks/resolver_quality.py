"""Score ``biblio.resolve.screen`` against the labelled set benchmarks/data/resolver_labelled.csv.

Counts (row, list) pairs per list key and overall (precision / recall / F1), row-level flag
accuracy, entity-level accuracy, and prints every false positive and false negative.

    python benchmarks/resolver_quality.py [--fuzzy] [--data CSV] [--json OUT] [--kinds positive,trap]

Exit status: 0 after scoring (whatever the figures), 2 if the resolver cannot be imported or run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "resolver_labelled.csv"
LIST_KEYS = ("entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind")
TARGET_P, TARGET_R = 0.98, 0.95


def norm(s: str) -> str:
    """Loose name normalisation for comparing entity names."""
    s = unicodedata.normalize("NFKC", s).replace("’", "'").casefold()
    s = re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)\s*$", "", s)
    return " ".join(re.sub(r"[^\w\u4e00-\u9fff]+", " ", s).split())


def name_keys(names: object) -> set[str]:
    """Normalised forms of ';'/'|'-separated names, with and without parenthesised parts."""
    out = set()
    for x in re.split(r"\s*[;|]\s*", names or ""):
        if x:
            out |= {norm(x), norm(re.sub(r"\([^)]*\)", " ", x))}
    return out - {""}


def split_lists(v: object) -> set[str]:
    """A ``lists`` cell (';'-separated string, list, or null) as a set of keys."""
    if v is None:
        return set()
    if isinstance(v, (list, tuple)):
        return {str(x).strip() for x in v if str(x).strip()}
    return {x.strip() for x in re.split(r"[;,|]", str(v)) if x.strip()}


def machine() -> str:
    """One line naming the machine the benchmark ran on."""
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.node()} | {platform.system()} {platform.release()} | {cpu or platform.machine()} | "
            f"{os.cpu_count()} cpus (affinity {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}) | "
            f"Python {platform.python_version()} | polars {pl.__version__}")


def run_screen(screen, labelled: pl.DataFrame, fuzzy: bool) -> pl.DataFrame:
    """Call ``screen`` once per as_of group; return id + lists/matched_entity/method/score/evidence."""
    parts = []
    for (as_of,), g in labelled.group_by(["as_of"], maintain_order=True):
        inp = pl.DataFrame({
            "name": g["text"],
            "ror": g["ror"],
            "openalex_id": g["openalex_id"],
            "country_code": g["country_code"],
        })
        try:
            out = screen(inp, as_of=date.fromisoformat(as_of), fuzzy=fuzzy)
        except TypeError:
            out = screen(inp, as_of=as_of, fuzzy=fuzzy)
        if not isinstance(out, pl.DataFrame):
            out = pl.from_pandas(out)
        if out.height != g.height:
            raise RuntimeError(f"screen returned {out.height} rows for {g.height} inputs (as_of {as_of})")
        if out["name"].to_list() != g["text"].to_list():
            raise RuntimeError("screen changed the row order or the name column")
        cols = {c: (out[c].cast(pl.Utf8) if c in out.columns and out[c].dtype != pl.List else
                    out[c].list.join(";") if c in out.columns else pl.Series(c, [None] * out.height, pl.Utf8))
                for c in ("lists", "matched_entity", "method", "score", "evidence")}
        parts.append(pl.DataFrame({"id": g["id"], **{f"got_{c}": s for c, s in cols.items()}}))
    return pl.concat(parts)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 when the denominator is empty)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(rows: list[dict]) -> dict:
    """All metrics for a list of joined rows (expected + got)."""
    per = {k: Counter() for k in LIST_KEYS}
    flag = Counter()
    ent_ok = ent_n = exact = 0
    for r in rows:
        exp, got = r["exp"], r["got"]
        for k in LIST_KEYS:
            if k in exp and k in got:
                per[k]["tp"] += 1
            elif k in got:
                per[k]["fp"] += 1
            elif k in exp:
                per[k]["fn"] += 1
        flag["tp" if exp and got else "fp" if got else "fn" if exp else "tn"] += 1
        exact += exp == got
        if exp and got:
            ent_n += 1
            ent_ok += bool(name_keys(r["entity_names"]) & name_keys(r["got_matched_entity"]))
    tot = Counter()
    for c in per.values():
        tot.update(c)
    res = {"n_rows": len(rows),
           "pairs": dict(zip(("precision", "recall", "f1"), prf(tot["tp"], tot["fp"], tot["fn"]))),
           "pairs_counts": dict(tot),
           "per_list": {k: {**dict(zip(("precision", "recall", "f1"), prf(c["tp"], c["fp"], c["fn"]))), **dict(c)}
                        for k, c in per.items()},
           "row_flag": {**dict(zip(("precision", "recall", "f1"), prf(flag["tp"], flag["fp"], flag["fn"]))), **dict(flag)},
           "row_exact_set_accuracy": exact / len(rows) if rows else 0.0,
           "entity_accuracy": ent_ok / ent_n if ent_n else 0.0, "entity_n": ent_n}
    return res


def print_scores(title: str, s: dict) -> None:
    """Human-readable block."""
    p = s["pairs"]
    c = s["pairs_counts"]
    print(f"\n== {title}: {s['n_rows']} rows ==")
    print(f"(row, list) pairs  P={p['precision']:.3f} R={p['recall']:.3f} F1={p['f1']:.3f}  "
          f"(tp={c.get('tp', 0)} fp={c.get('fp', 0)} fn={c.get('fn', 0)})  "
          f"target P>={TARGET_P} R>={TARGET_R}: {'MET' if p['precision'] >= TARGET_P and p['recall'] >= TARGET_R else 'NOT MET'}")
    f = s["row_flag"]
    print(f"row flagged/not    P={f['precision']:.3f} R={f['recall']:.3f} F1={f['f1']:.3f}  "
          f"(tp={f.get('tp', 0)} fp={f.get('fp', 0)} fn={f.get('fn', 0)} tn={f.get('tn', 0)})")
    print(f"exact list-set accuracy {s['row_exact_set_accuracy']:.3f}; entity accuracy {s['entity_accuracy']:.3f} "
          f"(on {s['entity_n']} rows flagged and expected)")
    print(f"{'list':<12}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for k, v in s["per_list"].items():
        print(f"{k:<12}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
              f"{v.get('tp', 0):>5}{v.get('fp', 0):>5}{v.get('fn', 0):>5}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fuzzy", action="store_true", help="screen with fuzzy matching on")
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--kinds", default="positive,negative,trap", help="comma-separated kinds to score")
    ap.add_argument("--split", default="", help="score only this split (dev | heldout); default all")
    ap.add_argument("--json", help="also write the metrics and errors as JSON here")
    ap.add_argument("--width", type=int, default=110, help="truncate texts in the error listing")
    a = ap.parse_args()

    print(f"machine: {machine()}")
    labelled = pl.read_csv(a.data, infer_schema_length=0).with_columns(pl.col(pl.Utf8).fill_null(""))
    labelled = labelled.filter(pl.col("kind").is_in(a.kinds.split(",")))
    if a.split and "split" in labelled.columns:
        labelled = labelled.filter(pl.col("split") == a.split)
    labelled = labelled.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                                      for c in ("ror", "openalex_id")])
    try:
        from biblio.resolve import screen  # noqa: PLC0415 (resolver may not exist yet)
    except Exception as exc:
        print(f"resolver not available: {type(exc).__name__}: {exc}")
        return 2
    t0 = time.perf_counter()
    try:
        got = run_screen(screen, labelled, a.fuzzy)
    except Exception as exc:
        traceback.print_exc()
        print(f"screen() failed: {type(exc).__name__}: {exc}")
        return 2
    secs = time.perf_counter() - t0
    print(f"screen: {labelled.height} rows in {secs:.2f}s, fuzzy={a.fuzzy}, data={a.data}")

    j = labelled.join(got, on="id", how="left")
    rows = []
    for r in j.iter_rows(named=True):
        r["exp"] = split_lists(r["expected_lists"])
        r["got"] = split_lists(r["got_lists"]) & set(LIST_KEYS)
        r["unknown_keys"] = split_lists(r["got_lists"]) - set(LIST_KEYS)
        rows.append(r)
    bad = sorted({k for r in rows for k in r["unknown_keys"]})
    if bad:
        print(f"WARNING: resolver returned unknown list keys {bad} (ignored)")

    results = {"machine": machine(), "fuzzy": a.fuzzy, "seconds": secs, "all": score(rows)}
    print_scores("all rows", results["all"])
    nopol = [r for r in rows if "policy:" not in (r["note"] or "")]
    results["excluding_policy_rows"] = score(nopol)
    print_scores("excluding 'policy:' rows (hospital conventions)", results["excluding_policy_rows"])
    for split in sorted({r.get("split") or "" for r in rows} - {""}):
        sub = [r for r in rows if r.get("split") == split]
        results[f"split_{split}"] = score(sub)
        print_scores(f"split={split}", results[f"split_{split}"])
    for kind in ("positive", "negative", "trap"):
        sub = [r for r in rows if r["kind"] == kind]
        if sub:
            results[kind] = score(sub)
    print("\nby kind: " + "; ".join(
        f"{k}: pairs P={results[k]['pairs']['precision']:.3f} R={results[k]['pairs']['recall']:.3f} "
        f"exact={results[k]['row_exact_set_accuracy']:.3f}" for k in ("positive", "negative", "trap") if k in results))

    def show(r: dict) -> str:
        t = r["text"] if len(r["text"]) <= a.width else r["text"][: a.width - 1] + "…"
        return (f"  {r['id']} [{r['kind']}] {t}\n      expected={';'.join(sorted(r['exp'])) or '-'} "
                f"got={';'.join(sorted(r['got'])) or '-'} entity={r['got_matched_entity'] or '-'} "
                f"method={r['got_method'] or '-'}" + (f" note={r['note']}" if r['note'] else ""))

    by_method: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        m = r["got_method"] or "-"
        by_method[m]["tp_pairs"] += len(r["got"] & r["exp"])
        by_method[m]["fp_pairs"] += len(r["got"] - r["exp"])
        by_method[m]["fn_pairs"] += len(r["exp"] - r["got"])
    results["by_method"] = {m: dict(c) for m, c in by_method.items()}
    print("\nby resolver method (pairs): " + "; ".join(
        f"{m}: tp={c['tp_pairs']} fp={c['fp_pairs']} fn={c['fn_pairs']}" for m, c in sorted(by_method.items())))

    fps = [r for r in rows if r["got"] - r["exp"]]
    fns = [r for r in rows if r["exp"] - r["got"]]
    print(f"\nFALSE POSITIVES ({len(fps)} rows with an unexpected list):")
    for r in fps:
        print(show(r) + f"\n      extra={';'.join(sorted(r['got'] - r['exp']))}")
    print(f"\nFALSE NEGATIVES ({len(fns)} rows with a missed list):")
    for r in fns:
        print(show(r) + f"\n      missed={';'.join(sorted(r['exp'] - r['got']))}")
    wrong_ent = [r for r in rows if r["exp"] and r["got"]
                 and not name_keys(r["entity_names"]) & name_keys(r["got_matched_entity"])]
    print(f"\nENTITY MISMATCHES ({len(wrong_ent)} flagged rows whose matched_entity is not a name of the expected entity):")
    for r in wrong_ent:
        print(f"  {r['id']} expected={r['expected_entity']!r} got={r['got_matched_entity']!r}")

    if a.json:
        results["false_positives"] = [{k: r[k] for k in ("id", "text", "expected_lists", "got_lists", "got_matched_entity", "got_method")} for r in fps]
        results["false_negatives"] = [{k: r[k] for k in ("id", "text", "expected_lists", "got_lists", "got_matched_entity", "got_method")} for r in fns]
        Path(a.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        print(f"\nwrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
