"""Write the SYNTHETIC vetting demo: a proposal team and their works.

    python scripts/make_vet_synthetic.py          # deterministic: same bytes every run

Outputs ``biblio/data/vet_demo/``: ``works.jsonl`` (OpenAlex-format works, each labelled
``"biblio_synthetic": true``, a ``[SYNTHETIC]`` title and a 10.5555 DOI), ``team.csv`` (the
proposal team) and ``exclude.csv`` (a work the reviewer excluded as a mis-assignment).
People, ORCIDs (valid checksums, fabricated), author and work IDs are fabricated. What is
REAL: institution IDs, RORs and lineages (from ``scripts/make_synthetic.py``, copied from real
OpenAlex records), funder IDs, and the list entities the co-authors' strings name.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_synthetic import FUNDER, INST  # noqa: E402  (real IDs, documented there)

OUT = Path(__file__).resolve().parent.parent / "biblio" / "data" / "vet_demo"
TALENT = ("F9990000001", "[SYNTHETIC] Thousand Talents Plan")  # fabricated funder ID, real programme name


def orcid_with_checksum(base15: str) -> str:
    """ISO 7064 MOD 11-2 check digit, formatted as an ORCID (0000-0000-0000-000X)."""
    total = 0
    for ch in base15:
        total = (total + int(ch)) * 2
    r = (12 - total % 11) % 11
    digits = base15 + ("X" if r == 10 else str(r))
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


PEOPLE = [
    # key, name, ORCID base, author ID, home institution key, home string
    ("alex", "Alex Rivera [SYNTHETIC]", "000900000000001", "A9990000001", "SEATTLE", "Department of Physics, Seattle University, Seattle, WA 98122, USA"),
    ("blair", "Blair Okafor [SYNTHETIC]", "000900000000002", "A9990000002", "ACS", "American Cancer Society, Atlanta, GA 30303, USA"),
    ("casey", "Casey Ng [SYNTHETIC]", "000900000000003", "A9990000003", "SEATTLE", "School of Engineering, Seattle University, Seattle, WA, USA"),
]

# (work no, person key, date, funders [(key, award)], co-authors [(name, inst keys, raw, countries)], own extra inst keys, own extra raw)
WORKS = [
    (1, "alex", "2024-04-02", [("AFOSR", "FA9550-24-1-0201")],
     [("Zhao Lei", [], "School of Astronautics, Beihang University, Beijing 100191, China", ["CN"])], [], None),
    (2, "alex", "2023-03-15", [("NSFC", "62071201")],
     [("Feng Bo", ["HIT"], "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China", None)], [], None),
    (3, "alex", "2025-01-20", [("ONR", "N00014-24-1-2203")],
     [("Xu Li", ["THU"], "Department of Physics, Tsinghua University, Beijing 100084, China", None)],
     ["HIT"], "School of Physics, Harbin Institute of Technology, Harbin 150001, China"),
    (4, "alex", "2022-08-09", [(None, None)],
     [("Ma Li", ["USTC"], "Department of Modern Physics, University of Science and Technology of China, Hefei 230026, China", None)], [], None),
    (5, "alex", "2020-02-01", [("ARO", "W911NF-19-1-0205")],
     [("Huang Tao", [], "College of Advanced Interdisciplinary Studies, National University of Defense Technology, Changsha 410073, China", ["CN"])], [], None),
    (6, "alex", "2023-11-30", [("TALENT", None)],
     [("Deng Xia", ["XJTU"], "School of Energy and Power Engineering, Xi'an Jiaotong University, Xi'an 710049, China", None)], [], None),
    (7, "alex", "2022-05-05", [(None, None)],
     [("Laura Chen", ["ACS"], "American Cancer Society, Atlanta, GA, USA", None)],
     ["HKU"], "Department of Linguistics, University of Hong Kong, Pokfulam, Hong Kong"),
    (8, "blair", "2024-10-10", [("CDMRP", "W81XWH-22-1-0208")],
     [("Ivan Petrov", [], "Bauman Moscow State Technical University, Moscow 105005, Russia", ["RU"])], [], None),
    (9, "blair", "2023-06-06", [("NIH", "R01CA000209")],
     [("Robert Hill", ["ACS"], "American Cancer Society, Atlanta, GA, USA", None)], [], None),
    (10, "casey", "2019-09-09", [("DARPA", "HR0011-19-2-0210")],
     [("He Rui", ["UESTC"], "School of Electronic Science and Engineering, University of Electronic Science and Technology of China, Chengdu 611731, China", None)], [], None),
]
ELSEWHERE = {7}  # works whose author profile holds someone else: the person's usual affiliation is absent
EXCLUDED = [(7, "reviewer: a different person of the same name (linguistics, Hong Kong)")]


def _inst(key: str) -> dict:
    iid, ror, name, cc, typ, lineage = INST[key]
    return {"id": f"https://openalex.org/{iid}", "display_name": name, "ror": f"https://ror.org/{ror}", "country_code": cc, "type": typ,
            "lineage": [f"https://openalex.org/{x}" for x in lineage]}


def _authorship(name: str, aid: str, orcid: str | None, keys: list[str], raws: list[str], countries: list[str] | None, pos: str) -> dict:
    insts = [_inst(k) for k in keys]
    return {
        "author_position": pos,
        "author": {"id": f"https://openalex.org/{aid}", "display_name": name, "orcid": f"https://orcid.org/{orcid}" if orcid else None},
        "institutions": insts,
        "countries": countries if countries is not None else sorted({i["country_code"] for i in insts}),
        "is_corresponding": pos == "first",
        "raw_affiliation_strings": raws,
        "affiliations": [{"raw_affiliation_string": r, "institution_ids": [i["id"] for i in insts][:1] if insts else []} for r in raws],
        "raw_author_name": name,
    }


def _funding(funders: list[tuple[str | None, str | None]]) -> tuple[list[dict], list[dict]]:
    fs, aws = [], []
    for n, (key, award) in enumerate(funders):
        if key is None:
            continue
        fid, fname = TALENT if key == "TALENT" else FUNDER[key]
        fs.append({"id": f"https://openalex.org/{fid}", "display_name": fname, "ror": None})
        if award:
            aws.append({"id": f"https://openalex.org/G99900{n}{award[-4:]}", "display_name": None, "funder_award_id": award,
                        "funder_id": f"https://openalex.org/{fid}", "funder_display_name": fname, "doi": None})
    return fs, aws


def build_work(no: int, person: tuple, date: str, funders: list, coauthors: list, own_keys: list[str], own_raw: str | None) -> dict:
    key, name, obase, aid, home, home_raw = person
    keys, raws = ([], []) if no in ELSEWHERE else ([home], [home_raw])
    own = _authorship(name, aid, orcid_with_checksum(obase), [*keys, *own_keys], raws + ([own_raw] if own_raw else []), None, "first")
    co = [_authorship(n, f"A99900{no:02d}{i:03d}", None, keys, [raw], c, "middle" if i < len(coauthors) - 1 else "last")
          for i, (n, keys, raw, c) in enumerate(coauthors)]
    fs, aws = _funding(funders)
    return {
        "id": f"https://openalex.org/W99900{no:05d}", "doi": f"https://doi.org/10.5555/biblio-vet-{no}",
        "title": f"[SYNTHETIC] vetting demo work {no} ({key})", "display_name": f"[SYNTHETIC] vetting demo work {no} ({key})",
        "publication_date": date, "publication_year": int(date[:4]), "type": "article", "cited_by_count": no,
        "authorships": [own, *co], "funders": fs, "awards": aws, "biblio_synthetic": True,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    people = {p[0]: p for p in PEOPLE}
    lines = [json.dumps(build_work(no, people[k], d, f, co, ok, oraw), sort_keys=True) for no, k, d, f, co, ok, oraw in WORKS]
    (OUT / "works.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "orcid", "openalex_id", "institution"])
    for key, name, obase, aid, home, _ in PEOPLE:
        w.writerow([name, orcid_with_checksum(obase), aid if key != "blair" else "", INST[home][2]])
    (OUT / "team.csv").write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["work_id", "reason"])
    w.writerows([f"W99900{n:05d}", r] for n, r in EXCLUDED)
    (OUT / "exclude.csv").write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
