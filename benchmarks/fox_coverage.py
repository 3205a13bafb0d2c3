"""Coverage of the House committee's 1,418 papers by queries/fox-in-the-henhouse.toml, offline.

    python benchmarks/fox_coverage.py

Prints found / missed by reason for the shipped query and for variants that switch one
source or option off (OpenAlex evidence only; no names; no printed affiliations; CN scope
only), plus the wall time. REAL data (biblio/data/house/), no network.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import machine  # noqa: E402

from biblio.coverage import coverage  # noqa: E402
from biblio.query import parse_query  # noqa: E402

QUERY = REPO / "queries" / "fox-in-the-henhouse.toml"
LIST = REPO / "biblio" / "data" / "house" / "fox-in-the-henhouse_dod-associated-publications.csv"
ALL_EVIDENCE = 'evidence = ["openalex", "crossref", "award", "name"]'
PRINTED = 'affiliations = ["builtin:house/fox-in-the-henhouse_dod-associated-publications.csv"]'
VARIANTS = {
    "shipped query": [],
    "OpenAlex funder IDs only": [(ALL_EVIDENCE, 'evidence = ["openalex"]')],
    "+ Crossref funder DOIs and award prefixes (no names)": [(ALL_EVIDENCE, 'evidence = ["openalex", "crossref", "award"]')],
    "without the printed affiliations (OpenAlex strings only)": [(PRINTED, "")],
    "without raw strings (institutions only)": [(PRINTED, ""), ("raw_strings = true", "raw_strings = false")],
    "PRC scope cn only": [('prc = "cn+hk+mo"', 'prc = "cn"')],
}


def main() -> None:
    text = QUERY.read_text(encoding="utf-8")
    print(f"machine: {machine()}")
    for label, edits in VARIANTS.items():
        t = text
        for a, b in edits:
            assert a in t, a
            t = t.replace(a, b)
        t0 = time.perf_counter()
        res = coverage(parse_query(t, path=str(QUERY)), LIST)
        secs = time.perf_counter() - t0
        misses = ", ".join(f"{o.removeprefix('missed: ')} {n}" for o, n in zip(res.summary["outcome"], res.summary["n"]) if o != "found")
        print(f"{label:58s} found {res.n_found:4d} of {res.n_total} ({res.n_found / res.n_total:.0%}) in {secs:4.1f} s | {misses}")


if __name__ == "__main__":
    main()
