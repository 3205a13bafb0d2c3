"""SYNTHETIC OpenAlex-shaped works for benchmarks (never mixed into real data).

Every record is marked ``biblio_synthetic``, titled ``[SYNTHETIC]`` and uses 10.5555 DOIs.
Institution names mix real listed names (from the bundled list data), near-misses and
generated Chinese-institution-like names, so the resolver sees realistic variety.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CITIES = ["Beijing", "Shanghai", "Wuhan", "Xi'an", "Harbin", "Nanjing", "Changsha", "Chengdu", "Guangzhou", "Hefei", "Tianjin", "Shenzhen"]
KINDS = ["University", "Institute of Technology", "Normal University", "University of Science and Technology", "Medical University", "Research Institute"]
UNITS = ["School of Physics", "College of Engineering", "Department of Chemistry", "State Key Laboratory of Materials", "School of Computer Science"]


def machine() -> str:
    import os
    import platform

    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def loopback_query(name: str, **fetch: object) -> str:
    """TOML text of a query for the loopback OpenAlex server, all DoD funders, June 2023 to June 2025.

    >>> "slices = 4" in loopback_query("bench", slices=4)
    True
    """
    extra = "\n".join(f"{k} = {v}" for k, v in fetch.items())
    return (f'name = "{name}"\n[window]\nfrom = 2023-06-01\nto = 2025-06-30\n[funders]\nagencies = ["all"]\n'
            f'[source]\nkind = "openalex"\n[fetch]\n{extra}\n')


def listed_names(n: int, *, seed: int = 0) -> list[str]:
    """Real names from the bundled list data (for realistic hit rates)."""
    from biblio.lists import load_lists

    names = load_lists().entities["name"].unique().sort().to_list()
    random.Random(seed).shuffle(names)
    return names[:n]


def institution_pool(n: int, *, seed: int = 0) -> list[tuple[str, str, str]]:
    """``n`` distinct (institution_id, name, raw string) triples; ~10% real listed names."""
    rnd = random.Random(seed)
    real = listed_names(max(1, n // 10), seed=seed)
    pool = []
    for i in range(n):
        if i < len(real):
            name = real[i]
        elif i % 7 == 0:
            name = f"South {rnd.choice(CITIES)} {rnd.choice(KINDS)}"  # near-miss shapes
        else:
            name = f"{rnd.choice(CITIES)} {rnd.choice(KINDS)} No. {i}"
        raw = f"{rnd.choice(UNITS)}, {name}, {rnd.choice(CITIES)} {100000 + i % 899999}, China"
        pool.append((f"I8{i:09d}", name, raw))
    return pool


def synthetic_works(n: int, *, authorships_per_work: int = 10, seed: int = 0, n_institutions: int = 5000) -> list[dict[str, Any]]:
    """``n`` SYNTHETIC works in the current funding schema."""
    rnd = random.Random(seed)
    pool = institution_pool(n_institutions, seed=seed)
    funders = [("F4320338279", "FA9550"), ("F4320337345", "N00014"), ("F4320338281", "W911NF"), ("F4320306078", "FA9550")]
    out = []
    for w in range(n):
        fid, prefix = funders[w % len(funders)]
        auths = []
        for a in range(authorships_per_work):
            iid, name, raw = pool[rnd.randrange(len(pool))]
            cc = "CN" if a % 3 else "US"
            auths.append({
                "author_position": "middle",
                "author": {"id": f"https://openalex.org/A9{w:08d}{a:02d}", "display_name": f"Author {w}-{a}", "orcid": None},
                "institutions": [{"id": f"https://openalex.org/{iid}", "display_name": name, "ror": None, "country_code": cc, "type": "education", "lineage": [f"https://openalex.org/{iid}"]}],
                "countries": [cc],
                "is_corresponding": a == 0,
                "raw_affiliation_strings": [raw],
                "affiliations": [{"raw_affiliation_string": raw, "institution_ids": [f"https://openalex.org/{iid}"]}],
            })
        out.append({
            "id": f"https://openalex.org/W9{w:09d}",
            "doi": f"https://doi.org/10.5555/bench-{w}",
            "title": f"[SYNTHETIC] benchmark work {w}",
            "biblio_synthetic": True,
            "publication_year": 2023 + w % 3,
            "publication_date": f"{2023 + w % 3}-{1 + w % 12:02d}-15",
            "type": "article",
            "cited_by_count": w % 50,
            "primary_topic": {"display_name": "Quantum Information", "subfield": {"display_name": "Physics"}, "field": {"display_name": "Physics and Astronomy"}, "domain": {"display_name": "Physical Sciences"}},
            "topics": [{"display_name": "Quantum Information"}],
            "keywords": [{"display_name": "quantum"}],
            "authorships": auths,
            "funders": [{"id": f"https://openalex.org/{fid}", "display_name": "funder", "ror": None}],
            "awards": [{"id": f"https://openalex.org/G9{w:09d}", "funder_award_id": f"{prefix}-23-1-{w % 10000:04d}", "funder_id": f"https://openalex.org/{fid}", "funder_display_name": "funder", "doi": None}],
        })
    return out


# --- a partitioned SYNTHETIC snapshot in the published layout ---------------------------------
DOD = [("F4320338279", "FA9550"), ("F4320337345", "N00014"), ("F4320338281", "W911NF"), ("F4320306078", "HQ0034")]
OTHER_FUNDERS = ["F4320321001", "F4320306076", "F4320332161", "F4320334593"]  # NSFC, NSF, NIH, ERC (not DoD)
WORDS = ("quantum lattice thermal graphene catalyst sensor network protein imaging laser alloy fluid turbulence "
         "photonic battery polymer spectral neural robust adaptive optimal stochastic manifold").split()


def _authorships_json(rnd: random.Random, pool: list[tuple[str, str, str]], n: int, *, cn: bool) -> str:
    auths = []
    for a in range(n):
        iid, name, raw = pool[rnd.randrange(len(pool))]
        cc = "CN" if cn and a % 3 else "US"
        if cc == "US":
            name, raw = f"State University No. {a}", f"Dept {a}, State University No. {a}, Springfield, USA"
        inst = f"https://openalex.org/{iid}"
        auths.append({"author_position": "first" if a == 0 else "middle",
                      "author": {"id": f"https://openalex.org/A7{rnd.randrange(10**9):09d}", "display_name": f"Author {rnd.randrange(10**6)}", "orcid": None},
                      "institutions": [{"id": inst, "display_name": name, "ror": None, "country_code": cc, "type": "education", "lineage": [inst]}],
                      "countries": [cc], "is_corresponding": a == 0, "raw_affiliation_strings": [raw],
                      "affiliations": [{"raw_affiliation_string": raw, "institution_ids": [inst]}]})
    return json.dumps(auths)


def _filler(rnd: random.Random, size: int) -> str:
    """An abstract-like field biblio never reads (the snapshot's works carry ~4 KB each)."""
    return json.dumps(" ".join(rnd.choice(WORDS) for _ in range(size // 7)))


def snapshot_lines(n: int, *, seed: int = 0, in_scope: float = 0.10, authorships: int = 10) -> Iterator[tuple[int, str]]:
    """(work number, JSON line) for ``n`` SYNTHETIC works of ~4 KB; ``in_scope`` of them DoD x CN in 2023-2025
    with ``authorships`` authorships each (other works have 4).

    Out of scope: non-DoD funders (some with CN co-authors), DoD funders without CN
    co-authors, and ~3% DoD x CN outside the window (they pass the bytes pre-filter).
    """
    rnd = random.Random(seed)
    pool = institution_pool(5000, seed=seed)
    cn_auth = [_authorships_json(rnd, pool, authorships, cn=True) for _ in range(400)]
    few_cn = [_authorships_json(rnd, pool, 4, cn=True) for _ in range(400)]
    us_auth = [_authorships_json(rnd, pool, 4, cn=False) for _ in range(400)]
    fillers = [_filler(rnd, 300) for _ in range(50)]
    for w in range(n):
        r = rnd.random()
        dod, cn, year = r < in_scope + 0.03, (r < in_scope + 0.03) or r > 0.8, 2023 + w % 3
        if in_scope <= r < in_scope + 0.03:
            year = 2019  # DoD x CN but outside the window
        fid, prefix = DOD[w % 4] if dod else (OTHER_FUNDERS[w % 4], "X")
        auth = (cn_auth if dod and cn else few_cn if cn else us_auth)[rnd.randrange(400)]
        yield w, (
            f'{{"id": "https://openalex.org/W8{w:09d}", "doi": "https://doi.org/10.5555/snap-{w}", '
            f'"title": "[SYNTHETIC] snapshot work {w}", "display_name": "[SYNTHETIC] snapshot work {w}", "biblio_synthetic": true, '
            f'"publication_year": {year}, "publication_date": "{year}-{1 + w % 12:02d}-15", "type": "article", "cited_by_count": {w % 97}, '
            f'"primary_topic": {{"display_name": "Quantum Information", "subfield": {{"display_name": "Physics"}}, "field": {{"display_name": "Physics and Astronomy"}}, "domain": {{"display_name": "Physical Sciences"}}}}, '
            f'"topics": [{{"display_name": "Quantum Information"}}], "keywords": [{{"display_name": "quantum"}}], '
            f'"abstract": {fillers[w % 50]}, "authorships": {auth}, '
            f'"funders": [{{"id": "https://openalex.org/{fid}", "display_name": "funder", "ror": null}}], '
            f'"awards": [{{"id": "https://openalex.org/G8{w:09d}", "funder_award_id": "{prefix}-23-1-{w % 10000:04d}", "funder_id": "https://openalex.org/{fid}", "funder_display_name": "funder", "doi": null}}], '
            f'"updated_date": "UPDATED"}}'
        )


def write_snapshot(root: Path, n: int, *, per_part: int = 50_000, reissue: float = 0.01, parquet: bool = False, seed: int = 0, in_scope: float = 0.10) -> dict[str, Any]:
    """Write ``n`` SYNTHETIC works as ``root/updated_date=YYYY-MM-DD/part_NNN.gz`` (or ``.parquet``)
    plus a ``manifest``; ``reissue`` of them appear again, retitled, in the newest partition;
    ``in_scope`` of them are DoD x CN in the window (at most 0.97).

    Returns counts: works, lines (with re-issues), in-scope works, re-issued in-scope works.
    """
    import gzip

    rnd = random.Random(seed + 1)
    root.mkdir(parents=True, exist_ok=True)
    entries, reissued, stats = [], [], {"works": n, "lines": 0, "reissued": 0}
    lines: list[str] = []
    part = 0

    def flush(date: str, batch: list[str]) -> None:
        d = root / f"updated_date={date}"
        d.mkdir(exist_ok=True)
        f = d / f"part_{len(list(d.glob('part_*'))):03d}.{'parquet' if parquet else 'gz'}"
        body = "\n".join(x.replace('"UPDATED"', f'"{date}T00:00:00"') for x in batch) + "\n"
        if parquet:
            import polars as pl

            pl.read_ndjson(body.encode(), infer_schema_length=1000).write_parquet(f, row_group_size=10_000)
        else:
            with gzip.open(f, "wb", compresslevel=1) as fh:
                fh.write(body.encode())
        entries.append({"url": f"s3://openalex/data/works/{d.name}/{f.name}", "meta": {"content_length": f.stat().st_size, "record_count": len(batch)}})
        stats["lines"] += len(batch)

    for w, line in snapshot_lines(n, seed=seed, in_scope=in_scope):
        lines.append(line)
        if rnd.random() < reissue:
            reissued.append(line.replace("[SYNTHETIC] snapshot work", "[SYNTHETIC] re-issued work"))
        if len(lines) >= per_part:
            flush(f"2025-{1 + part % 12:02d}-{1 + part // 12:02d}", lines)
            lines, part = [], part + 1
    if lines:
        flush(f"2025-{1 + part % 12:02d}-{1 + part // 12:02d}", lines)
    if reissued:
        flush("2026-06-01", reissued)  # the newest partition: these copies must win
    stats["reissued"] = len(reissued)
    (root / "manifest").write_text(json.dumps({"entries": entries, "meta": {"record_count": stats["lines"]}}, indent=1))
    return stats
