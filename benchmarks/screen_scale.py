"""``biblio screen`` at scale: 100,000 SYNTHETIC affiliation strings (target: under 20 s).

    python benchmarks/screen_scale.py [ROWS] [DISTINCT]     # default: 100000 60000

Strings mix real listed names, unit and hospital forms, Web of Science abbreviations,
look-alikes abroad and generated unlisted names (see benchmarks/_synth.py); about 40% repeat,
as a partner list or a paper set does. Times ``screen_csv`` end to end (read, graph load,
match, write) and prints the rate and peak memory.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import institution_pool, machine  # noqa: E402

from biblio.resolve import screen_csv  # noqa: E402

FORMS = ["{n}", "School of Physics, {n}, {c}, China", "{n}, {c} 100081, Peoples R China", "The Second Affiliated Hospital of {n}, {c}, China",
         "{n}, Boston, MA 02115, USA", "Dept. of Chemistry, {n}, Taipei, Taiwan", "{n} Shenzhen Graduate School, Shenzhen, China"]


def strings(rows: int, distinct: int) -> list[str]:
    pool = institution_pool(distinct, seed=3)
    rnd = random.Random(4)
    base = [FORMS[i % len(FORMS)].format(n=name, c=rnd.choice(["Beijing", "Wuhan", "Xi'an", "Harbin"])) for i, (_, name, _) in enumerate(pool)]
    return [base[rnd.randrange(len(base))] for _ in range(rows)]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    distinct = int(sys.argv[2]) if len(sys.argv) > 2 else 60_000
    data = strings(rows, distinct)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name"])
            w.writerows([s] for s in data)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        res = screen_csv(src, out)
        dt = time.perf_counter() - t
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    flagged = res.filter(res["lists"] != "").height
    print(f"machine: {machine()}")
    print(f"screen_csv: {rows:,} SYNTHETIC strings ({len(set(data)):,} distinct) in {dt:.1f} s "
          f"({rows / dt:,.0f} strings/s), {flagged:,} flagged; peak RSS +{rss1 - rss0:,.0f} MB; target < 20 s: {'MET' if dt < 20 else 'NOT MET'} "
          f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
