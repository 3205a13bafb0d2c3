"""Write the SYNTHETIC DoD x PRC demo sample: biblio/data/synthetic/synthetic_dod_prc.jsonl.

    python scripts/make_synthetic.py          # deterministic: same bytes every run

No real record with both a DoD funder and a PRC co-author can be had offline, so the demo
uses these. Every record is labelled three ways: ``"biblio_synthetic": true``, a title that
starts with ``[SYNTHETIC]`` and a DOI under the 10.5555 test prefix. Work and author IDs
(W99…, A99…) and award serial numbers are fabricated. What is REAL: the funder IDs and
award-number prefixes (biblio/data/dod_funders.csv), the NSFC/NIH funder IDs (seen in the
real fixtures), and every institution ID, ROR, type and lineage (taken from real OpenAlex
records in biblio/data/openalex/, see institution table below). Listed institutions for
which no real OpenAlex ID is bundled appear as raw affiliation strings only.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "biblio" / "data" / "synthetic" / "synthetic_dod_prc.jsonl"

# Real institutions, copied from real OpenAlex records in biblio/data/openalex/
# (reference/derived_cn_institutions_from_fixtures.csv and real/*.json).
INST = {
    "HIT": ("I204983213", "01yqg2h08", "Harbin Institute of Technology", "CN", "education", ["I204983213"]),
    "USTC": ("I126520041", "04c4dkn09", "University of Science and Technology of China", "CN", "funder", ["I126520041", "I19820366"]),
    "CAS": ("I19820366", "034t30j35", "Chinese Academy of Sciences", "CN", "government", ["I19820366"]),
    "WIV": ("I4210106882", "01jxjav08", "Wuhan Institute of Virology", "CN", "facility", ["I19820366", "I4210106882"]),
    "IMCAS": ("I4210134982", "047yhep71", "Institute of Microbiology", "CN", "funder", ["I19820366", "I4210134982"]),
    "UCAS": ("I4210165038", "05qbk4x57", "University of Chinese Academy of Sciences", "CN", "funder", ["I19820366", "I4210165038"]),
    "AFMU": ("I9916479", "00ms48f15", "Air Force Medical University", "CN", "education", ["I9916479"]),
    "AMU": ("I151075929", "05w21nn13", "Army Medical University", "CN", "education", ["I151075929"]),
    "SJTU": ("I183067930", "0220qvk04", "Shanghai Jiao Tong University", "CN", "funder", ["I183067930"]),
    "XJTU": ("I87445476", "017zhmm22", "Xi'an Jiaotong University", "CN", "funder", ["I87445476"]),
    "HUST": ("I47720641", "00p991c53", "Huazhong University of Science and Technology", "CN", "funder", ["I47720641"]),
    "SYSU": ("I157773358", "0064kty71", "Sun Yat-sen University", "CN", "education", ["I157773358"]),
    "THU": ("I99065089", "03cve4549", "Tsinghua University", "CN", "funder", ["I99065089"]),
    "PKU": ("I20231570", "02v51f717", "Peking University", "CN", "funder", ["I20231570"]),
    "UESTC": ("I150229711", "04qr3zq92", "University of Electronic Science and Technology of China", "CN", "education", ["I150229711"]),
    "WHU": ("I37461747", "033vjfk17", "Wuhan University", "CN", "funder", ["I37461747"]),
    "SCAU": ("I101479585", "05v9jqt67", "South China Agricultural University", "CN", "funder", ["I101479585"]),
    "CUMT": ("I25757504", "01xt2dr21", "China University of Mining and Technology", "CN", "funder", ["I25757504"]),
    "WUST": ("I43922553", "00e4hrk88", "Wuhan University of Science and Technology", "CN", "funder", ["I43922553"]),
    "JNU": ("I159948400", "02xe5ns62", "Jinan University", "CN", "education", ["I159948400"]),
    "HKU": ("I889458895", "02zhqgq86", "University of Hong Kong", "HK", "funder", ["I889458895"]),
    "SINICA": ("I4210098366", "00z83z196", "Institute of Information Science, Academia Sinica", "TW", "facility", ["I4210098366", "I84653119"]),
    "SEATTLE": ("I58610484", "02jqc0m91", "Seattle University", "US", "education", ["I58610484"]),
    "ACS": ("I1288198617", "02e463172", "American Cancer Society", "US", "nonprofit", ["I1288198617"]),
}

# Real funder IDs: DoD ones from biblio/data/dod_funders.csv; NSFC and NIH seen in the real fixtures.
FUNDER = {
    "DoD": ("F4320306078", "U.S. Department of Defense"),
    "AFOSR": ("F4320338279", "Air Force Office of Scientific Research"),
    "ONR": ("F4320337345", "Office of Naval Research"),
    "ARO": ("F4320338281", "Army Research Office"),
    "DARPA": ("F4320332180", "Defense Advanced Research Projects Agency"),
    "DTRA": ("F4320332186", "Defense Threat Reduction Agency"),
    "CDMRP": ("F4320338273", "Congressionally Directed Medical Research Programs"),
    "NSFC": ("F4320321001", "National Natural Science Foundation of China"),
    "NIH": ("F4320332161", "National Institutes of Health"),
}

TOPICS = {
    "ai": ("Adversarial Robustness in Machine Learning", "Artificial Intelligence", "Computer Science", "Physical Sciences", ["deep learning", "adversarial examples"]),
    "quantum": ("Quantum Information and Cryptography", "Atomic and Molecular Physics, and Optics", "Physics and Astronomy", "Physical Sciences", ["quantum key distribution", "entanglement"]),
    "hyper": ("Hypersonic Flow and Scramjet Combustion", "Aerospace Engineering", "Engineering", "Physical Sciences", ["hypersonic", "scramjet"]),
    "2d": ("2D Materials and Applications", "Materials Chemistry", "Materials Science", "Physical Sciences", ["graphene", "two-dimensional materials"]),
    "semi": ("Semiconductor materials and devices", "Electrical and Electronic Engineering", "Engineering", "Physical Sciences", ["transistor", "wide bandgap semiconductor"]),
    "5g": ("Advanced MIMO Systems Optimization", "Electrical and Electronic Engineering", "Engineering", "Physical Sciences", ["5G", "millimeter wave"]),
    "cyber": ("Network Security and Intrusion Detection", "Computer Networks and Communications", "Computer Science", "Physical Sciences", ["intrusion detection", "malware"]),
    "cm": ("Topological Materials and Phenomena", "Condensed Matter Physics", "Physics and Astronomy", "Physical Sciences", ["superconductivity", "topological insulator"]),
    "bio": ("Viral Infections and Vectors", "Virology", "Immunology and Microbiology", "Life Sciences", ["coronavirus", "vaccine"]),
    "fusion": ("Magnetic confinement fusion research", "Nuclear and High Energy Physics", "Physics and Astronomy", "Physical Sciences", ["tokamak", "plasma"]),
}

# Each case: (note, date, topic, [(funder key, award number or None)], [authors])
# An author is (name, institution keys, raw affiliation string, countries override or None).
CASES = [
    ("AFOSR case study shape: HUST, Sun Yat-sen, Wuhan University of Technology (raw only) and CALT (raw only)", "2024-03-14", "hyper",
     [("AFOSR", "FA9550-23-1-0101")],
     [("Li Wei", ["HUST"], "School of Aerospace Engineering, Huazhong University of Science and Technology, Wuhan 430074, China", None),
      ("Chen Jing", ["SYSU"], "School of Physics, Sun Yat-sen University, Guangzhou 510275, China", None),
      ("Zhang Min", [], "State Key Laboratory of Silicate Materials, Wuhan University of Technology, Wuhan 430070, China", ["CN"]),
      ("Wang Fang", [], "China Academy of Launch Vehicle Technology, Beijing 100076, China", ["CN"]),
      ("Emily Carter", ["SEATTLE"], "Department of Physics, Seattle University, Seattle, WA, USA", None)]),
    ("ONR/ARO with SJTU and Beihang (raw only, 'BUAA' spelling)", "2023-09-02", "ai",
     [("ONR", "N00014-22-1-2101"), ("ARO", "W911NF-21-1-0102")],
     [("Liu Yang", ["SJTU"], "Department of Automation, Shanghai Jiao Tong University, Shanghai 200240, China", None),
      ("Zhao Lei", [], "School of Computer Science, Beijing University of Aeronautics and Astronautics (BUAA), Beijing 100191, P.R. China", ["CN"]),
      ("Robert Hill", ["ACS"], "American Cancer Society, Atlanta, GA, USA", None)]),
    ("Beihang written as 'Beihang Univ.' in the raw string, no institution", "2024-11-20", "hyper",
     [("AFOSR", "FA9550-24-1-0103")],
     [("Sun Hao", [], "Sch. of Astronautics, Beihang Univ., Beijing 100191, China", ["CN"]),
      ("Qian Yu", ["THU"], "School of Aerospace Engineering, Tsinghua University, Beijing 100084, China", None),
      ("Mark Jones", ["SEATTLE"], "Seattle University, Seattle, WA 98122, USA", None)]),
    ("NUDT on 2D materials (raw only, 'NUDT' abbreviation)", "2023-12-05", "2d",
     [("ARO", "W911NF-20-1-0104")],
     [("Huang Tao", [], "College of Advanced Interdisciplinary Studies, National University of Defense Technology (NUDT), Changsha 410073, China", ["CN"]),
      ("Xu Li", ["THU"], "Department of Physics, Tsinghua University, Beijing 100084, China", None)]),
    ("Beijing Computational Science Research Center, condensed matter (raw only)", "2024-06-18", "cm",
     [("DoD", "W911NF-22-1-0105")],
     [("Zhou Qiang", [], "Beijing Computational Science Research Center, Beijing 100193, China", ["CN"]),
      ("Lu Dan", ["JNU"], "Department of Physics, Jinan University, Guangzhou 510632, China", None),
      ("Anna Lee", ["SEATTLE"], "Department of Physics, Seattle University, Seattle, WA, USA", None)]),
    ("CAS plus Hefei Institutes of Physical Science (raw only) and USTC whose lineage rolls up to CAS", "2024-08-30", "fusion",
     [("DoD", "N00014-23-1-2106"), ("NSFC", "12175001")],
     [("Wu Jun", ["CAS"], "Hefei Institutes of Physical Science, Chinese Academy of Sciences, Hefei 230031, China", None),
      ("Ma Li", ["USTC"], "Department of Modern Physics, University of Science and Technology of China, Hefei 230026, China", None)]),
    ("CAS institute (Wuhan Institute of Virology) rolls up to CAS via lineage", "2023-07-11", "bio",
     [("CDMRP", "W81XWH-21-1-0107")],
     [("Shi Yan", ["WIV"], "Wuhan Institute of Virology, Chinese Academy of Sciences, Wuhan 430071, China", None),
      ("Laura Chen", ["ACS"], "American Cancer Society, Atlanta, GA, USA", None)]),
    ("Generic DoD funder plus a prefix-only award: agency from the FA9550 prefix (AFOSR)", "2025-02-10", "quantum",
     [("DoD", "FA9550-22-1-0108")],
     [("Guo Ping", ["USTC"], "CAS Key Laboratory of Quantum Information, University of Science and Technology of China, Hefei 230026, China", None),
      ("James Park", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("Generic DoD funder with an award number that has no known prefix: stays 'DoD'", "2025-04-01", "semi",
     [("DoD", "DOD-2024-0109")],
     [("He Rui", ["UESTC"], "School of Electronic Science and Engineering, University of Electronic Science and Technology of China, Chengdu 611731, China", None)]),
    ("Multi-funder paper: AFOSR + ONR + DARPA + NSFC; HIT (Seven Sons, by ID)", "2024-01-22", "hyper",
     [("AFOSR", "FA9550-21-1-0110"), ("ONR", "N00014-21-1-2110"), ("DARPA", "HR0011-22-9-0110"), ("NSFC", "52022110")],
     [("Feng Bo", ["HIT"], "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China", None),
      ("Deng Xia", ["XJTU"], "School of Energy and Power Engineering, Xi'an Jiaotong University, Xi'an 710049, China", None),
      ("Susan Wright", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("Trap: Harbin Institute of Technology, Shenzhen campus (OpenAlex assigns HIT)", "2024-05-09", "5g",
     [("ARO", "W911NF-23-1-0111")],
     [("Tang Yu", ["HIT"], "School of Electronic and Information Engineering, Harbin Institute of Technology, Shenzhen, Shenzhen 518055, China", None)]),
    ("Trap: South China University of Technology (raw only) is not 'China University of Technology'", "2023-10-16", "2d",
     [("ONR", "N00014-23-1-2112")],
     [("Luo Ming", [], "School of Materials Science and Engineering, South China University of Technology, Guangzhou 510640, China", ["CN"]),
      ("Ye Ting", ["SCAU"], "College of Materials and Energy, South China Agricultural University, Guangzhou 510642, China", None),
      ("Kevin Brown", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("Trap: Northwestern Polytechnical University (raw only) is not Northwestern University", "2024-09-27", "hyper",
     [("AFOSR", "FA9550-23-1-0113")],
     [("Yang Kai", [], "School of Aeronautics, Northwestern Polytechnical University, Xi'an 710072, China", ["CN"]),
      ("Hu Bin", ["XJTU"], "School of Aerospace, Xi'an Jiaotong University, Xi'an 710049, China", None),
      ("Paul Green", [], "Department of Mechanical Engineering, Northwestern University, Evanston, IL 60208, USA", ["US"])]),
    ("Hong Kong institution (in scope only under cn+hk+mo)", "2024-02-14", "ai",
     [("ONR", "N00014-22-1-2114")],
     [("Chan Tai Man", ["HKU"], "Department of Computer Science, The University of Hong Kong, Pokfulam, Hong Kong", None),
      ("Rachel Adams", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("Macau authorship: raw string only, no institution; and a mainland co-author", "2024-07-07", "ai",
     [("ARO", "W911NF-22-1-0115")],
     [("Ieong Ka Hou", [], "Department of Computer and Information Science, University of Macau, Taipa, Macao SAR, China", ["MO"]),
      ("Qin Lu", ["WHU"], "School of Computer Science, Wuhan University, Wuhan 430072, China", None)]),
    ("Military medical universities (ASPI: military)", "2023-11-03", "bio",
     [("CDMRP", "W81XWH-22-1-0116")],
     [("Kang Jie", ["AFMU"], "Department of Neurosurgery, Xijing Hospital, Air Force Medical University, Xi'an 710032, China", None),
      ("Lin Hui", ["AMU"], "Institute of Immunology, Army Medical University, Chongqing 400038, China", None)]),
    ("Unlisted Chinese partners only (should not be flagged)", "2024-04-25", "cyber",
     [("DARPA", "HR0011-21-9-0117")],
     [("Pan Yi", ["SCAU"], "College of Mathematics and Informatics, South China Agricultural University, Guangzhou 510642, China", None),
      ("Jiang Nan", ["WUST"], "School of Computer Science, Wuhan University of Science and Technology, Wuhan 430065, China", None)]),
    ("DTRA with Peking University and UCAS (UCAS lineage rolls up to CAS)", "2025-05-19", "bio",
     [("DTRA", "HDTRA1-21-1-0118")],
     [("Yin Xue", ["PKU"], "School of Life Sciences, Peking University, Beijing 100871, China", None),
      ("Cao Hong", ["UCAS"], "University of Chinese Academy of Sciences, Beijing 100049, China", None)]),
    ("Authorship whose OpenAlex institution is wrong: Tsinghua assigned, raw string says NUDT", "2025-01-13", "cyber",
     [("ONR", "N00014-24-1-2119")],
     [("Gao Fei", ["THU"], "College of Computer Science and Technology, National University of Defense Technology, Changsha 410073, China", None)]),
    ("Chinese name in the raw string (北京航空航天大学), no institution", "2024-12-02", "hyper",
     [("AFOSR", "FA9550-24-1-0120")],
     [("Wen Bo", [], "北京航空航天大学 宇航学院, 北京 100191, 中国", ["CN"]),
      ("Dong Wei", ["HIT"], "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China", None),
      ("Lisa White", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("Taiwan co-author only: out of PRC scope (TW)", "2024-03-03", "ai",
     [("AFOSR", "FA2386-23-1-0121")],
     [("Lin Chia", ["SINICA"], "Institute of Information Science, Academia Sinica, Taipei, Taiwan", None),
      ("Tom Baker", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("DoD-funded, US authors only: no PRC co-author, filtered out", "2024-06-06", "ai",
     [("ONR", "N00014-22-1-2122")],
     [("Nina Scott", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None)]),
    ("PRC co-author but NSFC/NIH funding only: not DoD, filtered out", "2024-08-08", "bio",
     [("NSFC", "82000123"), ("NIH", "R01AI000123")],
     [("Bai Yu", ["PKU"], "Peking University, Beijing 100871, China", None),
      ("Amy Clark", ["ACS"], "American Cancer Society, Atlanta, GA, USA", None)]),
    ("Outside the window (2023-05-31): filtered out", "2023-05-31", "ai",
     [("AFOSR", "FA9550-22-1-0124")],
     [("Song Jia", ["HIT"], "Harbin Institute of Technology, Harbin 150001, China", None)]),
    ("Window edge (2025-06-30): included", "2025-06-30", "semi",
     [("ARO", "W911NF-24-1-0125")],
     [("Fu Lin", ["XJTU"], "Xi'an Jiaotong University, Xi'an 710049, China", None)]),
]

# A second, larger batch of ordinary in-scope papers spread over quarters, so the
# year/quarter/agency tables have some body. Cycles through real institutions and funders.
ROUTINE_INST = ["SJTU", "HUST", "THU", "PKU", "XJTU", "WHU", "HIT", "USTC", "UESTC", "SYSU", "SCAU", "CUMT", "WUST", "JNU"]
ROUTINE_FUND = [("AFOSR", "FA9550"), ("ONR", "N00014"), ("ARO", "W911NF"), ("DARPA", "HR0011"), ("DoD", "FA9550"), ("DoD", "W911NF")]
ROUTINE_TOPIC = ["ai", "quantum", "2d", "semi", "5g", "cyber", "cm", "hyper"]


def _award(fkey: str, number: str | None, serial: int) -> dict:
    fid, fname = FUNDER[fkey]
    return {
        "id": f"https://openalex.org/G99{serial:08d}",
        "display_name": None,
        "funder_award_id": number,
        "funder_id": f"https://openalex.org/{fid}",
        "funder_display_name": fname,
        "doi": None,
    }


def _inst(key: str) -> dict:
    iid, ror, name, cc, typ, lineage = INST[key]
    return {
        "id": f"https://openalex.org/{iid}",
        "display_name": name,
        "ror": f"https://ror.org/{ror}",
        "country_code": cc,
        "type": typ,
        "lineage": [f"https://openalex.org/{x}" for x in lineage],
    }


def _work(n: int, note: str, date: str, topic: str, funding: list, authors: list) -> dict:
    tname, sub, field, dom, kws = TOPICS[topic]
    funders: dict[str, dict] = {}
    awards = []
    for i, (fkey, number) in enumerate(funding):
        fid, fname = FUNDER[fkey]
        funders.setdefault(fid, {"id": f"https://openalex.org/{fid}", "display_name": fname, "ror": None})
        if number:
            awards.append(_award(fkey, number, n * 10 + i))
    authorships = []
    for i, (name, inst_keys, raw, countries) in enumerate(authors):
        insts = [_inst(k) for k in inst_keys]
        ccs = countries if countries is not None else sorted({i_["country_code"] for i_ in insts})
        authorships.append(
            {
                "author_position": "first" if i == 0 else ("last" if i == len(authors) - 1 else "middle"),
                "author": {"id": f"https://openalex.org/A99{n:05d}{i:03d}", "display_name": name, "orcid": None},
                "institutions": insts,
                "countries": ccs,
                "is_corresponding": i == 0,
                "raw_author_name": name,
                "raw_affiliation_strings": [raw],
                "affiliations": [{"raw_affiliation_string": raw, "institution_ids": [x["id"] for x in insts]}],
            }
        )
    return {
        "id": f"https://openalex.org/W99{n:08d}",
        "doi": f"https://doi.org/10.5555/biblio-synth-{n:03d}",
        "title": f"[SYNTHETIC] {tname}: demo record {n:03d}",
        "display_name": f"[SYNTHETIC] {tname}: demo record {n:03d}",
        "biblio_synthetic": True,
        "biblio_synthetic_case": note,
        "publication_year": int(date[:4]),
        "publication_date": date,
        "type": "article",
        "cited_by_count": (n * 7) % 23,
        "primary_topic": {
            "id": None,
            "display_name": tname,
            "subfield": {"display_name": sub},
            "field": {"display_name": field},
            "domain": {"display_name": dom},
        },
        "topics": [{"display_name": tname}],
        "keywords": [{"display_name": k} for k in kws],
        "authorships": authorships,
        "funders": list(funders.values()),
        "awards": awards,
        "updated_date": "2026-11-01T00:00:00",
    }


def build() -> list[dict]:
    works = [_work(n, *case) for n, case in enumerate(CASES, start=1)]
    n = len(works)
    quarters = ["2023-08-15", "2023-11-15", "2024-02-15", "2024-05-15", "2024-08-15", "2024-11-15", "2025-02-15", "2025-05-15"]
    for k in range(24):
        n += 1
        i1, i2 = ROUTINE_INST[k % len(ROUTINE_INST)], ROUTINE_INST[(k * 5 + 3) % len(ROUTINE_INST)]
        fkey, prefix = ROUTINE_FUND[k % len(ROUTINE_FUND)]
        serial = f"{prefix}-{22 + k % 3}-1-{k + 200:04d}"
        works.append(
            _work(
                n,
                "routine in-scope paper (body for the count tables)",
                quarters[k % len(quarters)],
                ROUTINE_TOPIC[k % len(ROUTINE_TOPIC)],
                [(fkey, serial)],
                [
                    (f"Author {n}-1", [i1], f"{INST[i1][2]}, China", None),
                    (f"Author {n}-2", [i2] if i2 != i1 else [], f"{INST[i2][2]}, China", None if i2 != i1 else ["CN"]),
                    (f"Author {n}-3", ["SEATTLE"], "Seattle University, Seattle, WA, USA", None),
                ],
            )
        )
    return works


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for w in build():
            fh.write(json.dumps(w, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
