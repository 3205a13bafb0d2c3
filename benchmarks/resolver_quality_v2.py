"""Score ``biblio.resolve.screen`` (public API only) on the issue-8 sets, dev and held-out apart.

Sets (all in benchmarks/data/, see its README.md):
* ``resolver_labelled_v2.csv``: six classes; precision/recall over (string, list) pairs per
  split, per class and per list, with and without the ``policy:`` rows;
* ``resolver_house_labelled.csv``: real raw affiliation strings from the House committee's
  OpenAlex records (``source=house_openalex``), hand-labelled;
* ``resolver_fp.csv``: affiliation strings of unlisted bodies; flags per 1,000 strings and the
  worst offenders;
* ``resolver_labelled.csv`` (v1) with ``--v1``: the old set's summary figures.

    python benchmarks/resolver_quality_v2.py [--split dev|heldout|all] [--errors] [--fuzzy] [--v1] [--json OUT]

Error listings (which strings were missed or falsely flagged) are printed for the dev split only;
``--errors-heldout`` prints them for held-out rows too, which spends the held-out split (see the
README). Exit status: 0 after scoring, 2 if the resolver cannot be imported or run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
import traceback
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("resolver_quality", Path(__file__).with_name("resolver_quality.py"))
rq = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rq)
LIST_KEYS = rq.LIST_KEYS
SCREEN_INPUT = ("name", "ror", "openalex_id", "country_code", "lineage")


def read(path: Path) -> pl.DataFrame:
    """A labelled CSV with every column as text ('' for empty)."""
    return pl.read_csv(path, infer_schema_length=0).with_columns(pl.col(pl.Utf8).fill_null(""))


def screen_rows(screen, df: pl.DataFrame, *, fuzzy: bool) -> pl.DataFrame:
    """``df`` (id, text, optional ror/openalex_id/country_code/lineage, as_of) + got_* columns."""
    parts = []
    as_of_col = df["as_of"] if "as_of" in df.columns else pl.Series(["2026-11-01"] * df.height)
    df = df.with_columns(as_of_col.alias("as_of"))
    for (as_of,), g in df.group_by(["as_of"], maintain_order=True):
        inp = {"name": g["text"]}
        for c in SCREEN_INPUT[1:]:
            if c in g.columns:
                inp[c] = g[c].replace("", None)
        out = screen(pl.DataFrame(inp), as_of=date.fromisoformat(as_of), fuzzy=fuzzy)
        if out.height != g.height or out["name"].to_list() != g["text"].to_list():
            raise RuntimeError("screen changed the number or order of rows")
        cols = {}
        for c in ("lists", "matched_entity", "method", "evidence"):
            s = out[c] if c in out.columns else pl.Series(c, [None] * out.height, pl.Utf8)
            cols[f"got_{c}"] = s.list.join(";") if s.dtype == pl.List(pl.Utf8) else s.cast(pl.Utf8)
        parts.append(g.with_columns(**{k: v.fill_null("") for k, v in cols.items()}))
    return pl.concat(parts, how="diagonal_relaxed")


def joined(df: pl.DataFrame) -> list[dict]:
    """Rows as dicts with ``exp``/``got`` key sets, as ``resolver_quality.score`` wants them."""
    out = []
    for r in df.iter_rows(named=True):
        r["exp"] = rq.split_lists(r.get("expected_lists", ""))
        r["got"] = rq.split_lists(r["got_lists"]) & set(LIST_KEYS)
        r["got_matched_entity"] = r.get("got_matched_entity") or ""
        r.setdefault("entity_names", r.get("expected_entity", ""))
        out.append(r)
    return out


def line(title: str, s: dict) -> str:
    """One summary line of a score dict."""
    p, c = s["pairs"], s["pairs_counts"]
    return (f"{title:<34} n={s['n_rows']:>4}  P={p['precision']:.3f} R={p['recall']:.3f}  "
            f"(tp={c.get('tp', 0)} fp={c.get('fp', 0)} fn={c.get('fn', 0)})  "
            f"rows flagged wrongly={s['row_flag'].get('fp', 0)}")


def report_labelled(rows: list[dict], name: str) -> dict:
    """Per-split, per-class and per-list figures of one labelled set."""
    res = {}
    for split in ("dev", "heldout", "all"):
        sub = [r for r in rows if split == "all" or r.get("split") == split]
        if not sub:
            continue
        res[split] = {"all": rq.score(sub),
                      "no_policy": rq.score([r for r in sub if "policy:" not in (r.get("note") or "")])}
        print(f"\n== {name} split={split} ==")
        print(line("all rows", res[split]["all"]))
        print(line("excluding policy: rows", res[split]["no_policy"]))
        for cls in sorted({r.get("class", "") for r in sub} - {""}):
            res[split][cls] = rq.score([r for r in sub if r.get("class") == cls])
            print(line(f"class {cls}", res[split][cls]))
        per = res[split]["all"]["per_list"]
        print("  per list: " + "; ".join(f"{k} P={v['precision']:.2f} R={v['recall']:.2f} (tp={v.get('tp', 0)} "
                                         f"fp={v.get('fp', 0)} fn={v.get('fn', 0)})" for k, v in per.items()))
    return res


def errors(rows: list[dict], *, width: int = 120) -> None:
    """Every false positive and false negative (pairs) of ``rows``."""
    bad = [r for r in rows if r["exp"] != r["got"]]
    print(f"\nERRORS ({len(bad)} rows whose list set differs):")
    for r in bad:
        t = r["text"] if len(r["text"]) <= width else r["text"][: width - 1] + "…"
        print(f"  {r['id']} [{r.get('class', r.get('source', ''))}] {t} ({r.get('country_code', '')})\n"
              f"      expected={';'.join(sorted(r['exp'])) or '-'} got={';'.join(sorted(r['got'])) or '-'} "
              f"entity={r['got_matched_entity'] or '-'} method={r.get('got_method') or '-'}")


def report_fp(df: pl.DataFrame, *, top: int) -> dict:
    """Flags per 1,000 unlisted strings, by source, and the worst offenders."""
    flagged = df.filter(pl.col("got_lists") != "")
    n, k = df.height, flagged.height
    res = {"n": n, "flagged": k, "per_1000": 1000 * k / n if n else 0.0, "by_source": {}}
    print(f"\n== false-positive set: {n} strings of unlisted bodies ==")
    print(f"flagged {k} = {res['per_1000']:.1f} per 1,000 strings")
    for (src,), g in df.group_by(["source"], maintain_order=True):
        f = g.filter(pl.col("got_lists") != "").height
        res["by_source"][src] = {"n": g.height, "flagged": f, "per_1000": 1000 * f / g.height}
        print(f"  {src:<28} n={g.height:>5} flagged={f:>4} ({1000 * f / g.height:.1f} per 1,000)")
    ents = Counter(flagged["got_matched_entity"].to_list())
    if top:
        print(f"worst offenders (matched entity: strings flagged), top {top}:")
    for e, c in ents.most_common(top) if top else ():
        ex = flagged.filter(pl.col("got_matched_entity") == e)["text"][0]
        print(f"  {c:>4}  {e or '-'}   e.g. {ex!r}")
    res["worst"] = ents.most_common(top)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="all", choices=["dev", "heldout", "all"])
    ap.add_argument("--fuzzy", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list dev-split errors")
    ap.add_argument("--errors-heldout", action="store_true", help="also list held-out errors (spends the split)")
    ap.add_argument("--v1", action="store_true", help="also print the v1 set's summary")
    ap.add_argument("--no-fp", action="store_true", help="skip the false-positive set")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json")
    a = ap.parse_args()
    print(f"machine: {rq.machine()}")
    try:
        from biblio.resolve import screen  # noqa: PLC0415
    except Exception as exc:
        print(f"resolver not available: {type(exc).__name__}: {exc}")
        return 2
    results: dict = {"machine": rq.machine(), "fuzzy": a.fuzzy}
    try:
        t0 = time.perf_counter()
        v2 = read(DATA / "resolver_labelled_v2.csv")
        if a.split != "all":
            v2 = v2.filter(pl.col("split") == a.split)
        rows = joined(screen_rows(screen, v2, fuzzy=a.fuzzy))
        results["v2"] = report_labelled(rows, "labelled v2")
        house_path = DATA / "resolver_house_labelled.csv"
        if house_path.exists():
            h = read(house_path)
            if a.split != "all":
                h = h.filter(pl.col("split") == a.split)
            hrows = joined(screen_rows(screen, h, fuzzy=a.fuzzy))
            results["house"] = report_labelled(hrows, "house_openalex (real raw strings)")
        else:
            hrows = []
        fp_path = DATA / "resolver_fp.csv"
        if fp_path.exists() and not a.no_fp:
            fp = screen_rows(screen, read(fp_path), fuzzy=a.fuzzy)
            for split in ("dev", "heldout") if a.split == "all" else (a.split,):
                print(f"\n-- FP split={split} --", end="")
                results[f"fp_{split}"] = report_fp(fp.filter(pl.col("split") == split), top=a.top if split == "dev" else 0)
            if a.split == "all":
                print("\n-- FP all --", end="")
                results["fp"] = report_fp(fp, top=0)
        if a.v1:
            v1 = read(DATA / "resolver_labelled.csv")
            v1rows = joined(screen_rows(screen, v1, fuzzy=a.fuzzy))
            for split in ("dev", "heldout", "all"):
                sub = [r for r in v1rows if split == "all" or r["split"] == split]
                print(line(f"v1 set split={split}", rq.score(sub)))
        results["seconds"] = time.perf_counter() - t0
    except Exception as exc:
        traceback.print_exc()
        print(f"screen() failed: {type(exc).__name__}: {exc}")
        return 2
    print(f"\nscreened in {results['seconds']:.1f}s, fuzzy={a.fuzzy}")
    if a.errors or a.errors_heldout:
        keep = {"dev", "heldout"} if a.errors_heldout else {"dev"}
        errors([r for r in rows + hrows if r.get("split") in keep])
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
