"""Flatten throughput and peak memory, against a pandas.json_normalize baseline.

    python benchmarks/flatten.py [N ...]        # default: 10000 100000

Each measurement runs in a fresh subprocess; peak memory is the subprocess's peak RSS
(resource.getrusage ru_maxrss) minus its RSS after generating the SYNTHETIC input.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(n: int, method: str) -> None:
    from _synth import synthetic_works

    recs = synthetic_works(n)
    base = _rss_mb()
    t0 = time.perf_counter()
    if method == "biblio":
        from biblio.tables import flatten

        t = flatten(recs)
        rows = t.authorships.height
    else:
        import pandas as pd

        rows = len(pd.json_normalize(recs, record_path="authorships", meta=["id"]))
    dt = time.perf_counter() - t0
    print(json.dumps({"n": n, "method": method, "seconds": dt, "rows": rows, "peak_mb": _rss_mb() - base}))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3])
        return
    from _synth import machine

    sizes = [int(x) for x in sys.argv[1:]] or [10_000, 100_000]
    print(f"machine: {machine()}")
    print("input: SYNTHETIC works, 10 authorships each (benchmarks/_synth.py)")
    for n in sizes:
        res = {}
        for method in ("biblio", "pandas"):
            out = subprocess.run([sys.executable, __file__, "--child", str(n), method], capture_output=True, text=True, check=True)
            res[method] = json.loads(out.stdout.strip().splitlines()[-1])
        b, p = res["biblio"], res["pandas"]
        print(
            f"N={n:>7,}: biblio flatten (5 tables) {n / b['seconds']:>9,.0f} works/s, {b['seconds']:.2f} s, peak +{b['peak_mb']:.0f} MB | "
            f"pandas.json_normalize (authorships only) {n / p['seconds']:>9,.0f} works/s, {p['seconds']:.2f} s, peak +{p['peak_mb']:.0f} MB | "
            f"speed ratio biblio/pandas = {p['seconds'] / b['seconds']:.2f}x"
        )


if __name__ == "__main__":
    main()
