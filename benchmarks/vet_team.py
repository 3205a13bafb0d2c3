"""Vetting time for a 10-person team with 200 works each, against the loopback server.

    python benchmarks/vet_team.py [--people 10] [--works 200] [--latency 0.05]

Prints the end-to-end time of ``biblio.vet.vet`` (fetch by author filter, flatten, resolve on
every list country, facts, rules), the share spent waiting on the network, and a re-run
from the page cache (no network) in the same process. All works are SYNTHETIC.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _synth import REPO, machine, synthetic_works  # noqa: E402

sys.path.insert(0, str(REPO))
from biblio.settings import Settings  # noqa: E402
from biblio.vet import load_vet_query, people_from_ids, vet  # noqa: E402
from tests.openalex_server import OpenAlexServer  # noqa: E402


def team_works(people: int, works: int) -> list[dict]:
    """SYNTHETIC works; person p is the first author of works p*works … (p+1)*works-1."""
    out = synthetic_works(people * works, authorships_per_work=10, n_institutions=3000)
    for i, w in enumerate(out):
        w["authorships"][0]["author"]["id"] = f"https://openalex.org/A5999999{i // works:03d}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10)
    ap.add_argument("--works", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every response")
    a = ap.parse_args()
    people = people_from_ids([f"A5999999{p:03d}" for p in range(a.people)])
    base = load_vet_query(REPO / "queries" / "vet-demo.toml")
    vq = dataclasses.replace(base, source="openalex", snapshot_paths=(), team=None, exclude=None)
    works = team_works(a.people, a.works)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"SYNTHETIC team: {a.people} people x {a.works} works, 10 authorships each; server latency {a.latency * 1000:.0f} ms/request")
    with OpenAlexServer(works=works, per_request_latency=a.latency) as srv, tempfile.TemporaryDirectory() as cache:
        s = Settings(api_key="bench", openalex_url=srv.base_url, cache_dir=Path(cache))
        for label in ("cold (network)", "warm (page cache)"):
            t0 = time.perf_counter()
            res = vet(vq, people=people, settings=s)
            total = time.perf_counter() - t0
            wait = res.source_stats["wait_s"]
            print(f"{label:18s} total {total:6.2f} s; fetch {wait:5.2f} s ({100 * wait / total:4.1f}% of it); "
                  f"requests {res.source_stats['requests']}; works {res.works.height}; facts {res.facts.height}; "
                  f"{res.works.height / total:,.0f} works/s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
