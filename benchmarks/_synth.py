"""SYNTHETIC OpenAlex-shaped works for benchmarks (never mixed into real data).

Every record is marked ``biblio_synthetic``, titled ``[SYNTHETIC]`` and uses 10.5555 DOIs.
Institution names mix real listed names (from the bundled list data), near-misses and
generated Chinese-institution-like names, so the resolver sees realistic variety.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CITIES = ["Beijing", "Shanghai", "Wuhan", "Xi'an", "Harbin", "Nanjing", "Changsha", "Chengdu", "Guangzhou", "Hefei", "Tianjin", "Shenzhen"]
KINDS = ["University", "Institute of Technology", "Normal University", "University of Science and Technology", "Medical University", "Research Institute"]
UNITS = ["School of Physics", "College of Engineering", "Department of Chemistry", "State Key Laboratory of Materials", "School of Computer Science"]


def machine() -> str:
    import os
    import platform

    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


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
