"""Build benchmarks/data/resolver_labelled.csv from the entity-list data (not from the resolver).

Each labelled row names an entity key; the entity's list memberships are *computed* here from
explicit references to rows of the source list data (``china_entities_clean.csv`` and the raw
ASPI MISP JSON), checked against the row's ``as_of`` date. Affiliation strings are realistic
constructions (invented departments/postcodes around real names) or real OpenAlex raw
affiliation strings copied from the OpenAlex fixtures. Run::

    python scripts/build_labelled_set.py [--lists-dir DIR] [--audit]

``--lists-dir`` holds ``china_entities_clean.csv`` (default: the bundled copy if present, else
/work/shared/data/entity_lists). ``--audit`` prints list rows whose name/alias equals a name of a
labelled entity but which no label references (a check that no membership was missed).
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "data" / "resolver_labelled.csv"
LIST_DIR_CANDIDATES = [
    ROOT / "biblio" / "lists" / "data",
    ROOT / "biblio" / "data" / "entity_lists",
    Path("/work/shared/data/entity_lists"),
]
FIXTURE_CSV = "openalex/derived_cn_institutions_from_fixtures.csv"
LIST_KEYS = ("entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind")
DEFAULT_AS_OF = "2026-11-01"
COLUMNS = ["id", "text", "openalex_id", "ror", "country_code", "expected_lists", "expected_entity",
           "as_of", "kind", "note", "label_source", "entity_names", "split"]

# short source code -> (clean-csv `source`, list key)
SOURCES = {
    "el22": ("BIS_EL_CSL2022", "entity_list"),
    "el26": ("BIS_EL_universities_2026", "entity_list"),
    "1260h": ("DoD_1260H", "1260h"),
    "1286": ("DoD_1286", "1286"),
    "cmic": ("OFAC_NS_CMIC_CSL2022", "ns_cmic"),
    "meu": ("BIS_MEU_CSL2022", "meu"),
    "aspi": ("ASPI_unitracker_2020", "aspi"),
}
# 1286 editions (report FY -> publication date of the PDF, per PROVENANCE.md; month-only dates
# are taken as the last day of that month so an edition never counts before it could exist).
FY1286 = {"2022": date(2023, 6, 29), "2023": date(2024, 7, 31), "2025": date(2026, 7, 31)}


def norm(s: str) -> str:
    """Casefold, unify quotes/dashes, drop punctuation: for exact-name comparison only."""
    s = unicodedata.normalize("NFKC", s).replace("’", "'").replace("?", "'").casefold()
    s = re.sub(r"[^\w\u4e00-\u9fff]+", " ", s)
    return " ".join(s.split())


@dataclass
class Entity:
    """A listed (or parent-listed) organisation and the list rows that name it."""
    key: str
    name: str                                  # canonical name used as expected_entity
    refs: list[tuple[str, str]]                # (source code, row-name pattern; trailing * = prefix)
    parent: str | None = None                  # entity key whose lists roll up onto this one
    why: str = ""                              # why a ref applies when not by the row's own name
    extra: list[str] = field(default_factory=list)  # other entity keys also named in the string


E: dict[str, Entity] = {}


def ent(key: str, name: str, *refs: tuple[str, str], parent: str | None = None, why: str = "") -> None:
    E[key] = Entity(key, name, list(refs), parent, why)


# --- universities and academies (ASPI tracker 2019 via MISP; EL; 1286) ---
ent("beihang", "Beihang University", ("aspi", "Beihang University*"),
    ("el22", "Beijing University of Aeronautics and Astronautics (BUAA)"),
    ("el26", "Beijing University of Aeronautics and Astronautics (BUAA)"), ("1286", "Beihang University"))
ent("bit", "Beijing Institute of Technology", ("aspi", "Beijing Institute of Technology*"),
    ("el22", "Beijing Institute of Technology"), ("el26", "Beijing Institute of Technology"),
    ("1286", "Beijing Institute of Technology"))
ent("hit", "Harbin Institute of Technology", ("aspi", "Harbin Institute of Technology*"),
    ("el22", "Harbin Institute of Technology"), ("el26", "Harbin Institute of Technology"),
    ("1286", "Harbin Institute of Technology"))
ent("heu", "Harbin Engineering University", ("aspi", "Harbin Engineering University*"),
    ("el22", "Harbin Engineering University"), ("el26", "Harbin Engineering University"),
    ("1286", "Harbin Engineering University"))
ent("nwpu", "Northwestern Polytechnical University", ("aspi", "Northwestern Polytechnical University*"),
    ("el22", "Northwestern Polytechnical University"), ("el26", "Northwestern Polytechnical University"),
    ("1286", "Northwestern Polytechnical University"))
ent("nuaa", "Nanjing University of Aeronautics and Astronautics",
    ("aspi", "Nanjing University of Aeronautics and Astronautics*"),
    ("el22", "Nanjing University of Aeronautics and Astronautics"),
    ("el26", "Nanjing University of Aeronautics and Astronautics"),
    ("1286", "Nanjing University of Aeronautics and Astronautics"))
ent("njust", "Nanjing University of Science and Technology",
    ("aspi", "Nanjing University of Science and Technology*"),
    ("el22", "Nanjing University of Science and Technology"),
    ("el26", "Nanjing University of Science and Technology"),
    ("1286", "Nanjing University of Science and Technology"))
ent("nudt", "National University of Defense Technology", ("aspi", "National University of Defense Technology*"),
    ("el22", "National University of Defense Technology (NUDT)"),
    ("el26", "National University of Defense Technology (NUDT)"),
    ("1286", "National University of Defense Technology"))
ent("uestc", "University of Electronic Science and Technology of China",
    ("aspi", "University of Electronic Science and Technology of China*"),
    ("el22", "University of Electronic Science and Technology of China"),
    ("el26", "University of Electronic Science and Technology of China"),
    ("1286", "University of Electronic Science and Technology of China"))
ent("ustc", "University of Science and Technology of China",
    ("aspi", "University of Science and Technology of China (*"),
    ("el26", "University of Science and Technology of China"),
    ("1286", "University of Science and Technology of China"))
ent("scu", "Sichuan University", ("aspi", "Sichuan University (*"), ("el22", "Sichuan University"),
    ("el26", "Sichuan University"), ("1286", "Sichuan University"))
ent("tju", "Tianjin University", ("aspi", "Tianjin University (*"), ("el22", "Tianjin University"),
    ("el26", "Tianjin University"), ("1286", "Tianjin University"))
ent("bupt", "Beijing University of Posts and Telecommunications",
    ("aspi", "Beijing University of Posts and Telecommunications*"),
    ("el22", "Beijing University of Posts and Telecommunications (BUPT)"),
    ("el26", "Beijing University of Posts and Telecommunications (BUPT)"),
    ("1286", "Beijing University of Posts and Telecommunications"))
ent("xidian", "Xidian University", ("aspi", "Xidian University*"), ("1286", "Xidian University"))
ent("sysu", "Sun Yat-sen University", ("aspi", "Sun Yat-sen University*"), ("1286", "Sun Yat-sen University"))
ent("sjtu", "Shanghai Jiao Tong University", ("aspi", "Shanghai Jiao Tong University*"),
    ("1286", "Shanghai Jiao Tong University"))
ent("fudan", "Fudan University", ("aspi", "Fudan University*"), ("1286", "Fudan University"))
ent("tsinghua", "Tsinghua University", ("aspi", "Tsinghua University*"))
ent("pku", "Peking University", ("aspi", "Peking University*"))
ent("zju", "Zhejiang University", ("aspi", "Zhejiang University (*"))
ent("hust", "Huazhong University of Science and Technology", ("aspi", "Huazhong University of Science and Technology*"))
ent("nju", "Nanjing University", ("aspi", "Nanjing University (*"))
ent("scut", "South China University of Technology", ("aspi", "South China University of Technology*"))
ent("xjtu", "Xi'an Jiaotong University", ("aspi", "Xi'an Jiaotong University*"), ("1286", "Xi’an Jiatong University"),
    why="1286 FY2025 prints 'Xi’an Jiatong University' with alias 'Xi’an Jiaotong University'")
ent("cqu", "Chongqing University", ("aspi", "Chongqing University (*"), ("1286", "Chongqing University"))
ent("dlut", "Dalian University of Technology", ("aspi", "Dalian University of Technology*"),
    ("1286", "Dalian University of Technology"))
ent("sdu", "Shandong University", ("aspi", "Shandong University (*"), ("1286", "Shandong University"))
ent("nuc", "North University of China", ("aspi", "North University of China*"), ("1286", "North University of China"))
ent("whu", "Wuhan University", ("aspi", "Wuhan University (*"))
ent("whut", "Wuhan University of Technology", ("aspi", "Wuhan University of Technology*"))
ent("seu", "Southeast University", ("aspi", "Southeast University*"))
ent("jlu", "Jilin University", ("aspi", "Jilin University*"))
ent("csu", "Central South University", ("aspi", "Central South University*"))
ent("sau", "Shenyang Aerospace University", ("aspi", "Shenyang Aerospace University*"),
    ("1286", "Shenyang Aerospace University"))
ent("sylu", "Shenyang Ligong University", ("aspi", "Shenyang Ligong University*"), ("1286", "Shenyang Ligong University"))
ent("nchu", "Nanchang Hangkong University", ("aspi", "Nanchang Hangkong University*"))
ent("hrbust", "Harbin University of Science and Technology", ("aspi", "Harbin University of Science and Technology*"))
ent("ouc", "Ocean University of China", ("1286", "Ocean University of China"))
ent("hdu", "Hangzhou Dianzi University", ("aspi", "Hangzhou Dianzi University*"), ("1286", "Hangzhao Dianzi University"),
    why="1286 FY2025 prints 'Hangzhao Dianzi University' with alias 'Hangzhou Dianzi University'")
ent("ecut", "East China University of Technology", ("aspi", "East China University of Technology*"))
ent("njupt", "Nanjing University of Posts and Telecommunications",
    ("aspi", "Nanjing University of Posts and Telecommunications*"))
ent("neu", "Northeastern University (China)", ("aspi", "Northeastern University (东北大学)"))
ent("uir", "University of International Relations", ("aspi", "University of International Relations*"),
    ("1286", "University of International Relations"))
ent("ppsuc", "People's Public Security University of China", ("aspi", "People's Public Security University of China*"))
ent("xjpc", "Xinjiang Police College", ("el22", "Xinjiang Police College"), ("el26", "Xinjiang Police College"))
ent("hbu", "Hebei University", ("aspi", "Hebei University (*"))
ent("hebust", "Hebei University of Science and Technology", ("aspi", "Hebei University of Science and Technology*"))
ent("hnu", "Hunan University", ("aspi", "Hunan University (*"))
ent("cumt", "China University of Mining and Technology", ("aspi", "China University of Mining and Technology*"))
# --- military (PLA) institutions ---
ent("ams", "Academy of Military Science", ("aspi", "Academy of Military Science (*"))
ent("amms", "Academy of Military Medical Sciences", ("el22", "Academy of Military Medical Sciences"),
    ("el26", "Academy of Military Medical Sciences"), ("1286", "Academy of Military Medical Sciences"), parent="ams",
    why="ASPI lists AMMS among the subsidiaries of the Academy of Military Science")
for _k, _inst in [("amms_ime", "Institute of Microbiology and Epidemiology"),
                  ("amms_irm", "Institute of Radiation and Radiation Medicine"),
                  ("amms_itp", "Institute of Toxicology and Pharmacology"),
                  ("amms_ibe", "Institute of Bioengineering"),
                  ("amms_ihem", "Institute of Hygiene and Environmental Medicine")]:
    _n = f"Academy of Military Medical Sciences, {_inst}"
    ent(_k, _n, ("el22", _n), ("el26", _n), ("1286", _n), parent="amms")
ent("afeu", "Air Force Engineering University", ("aspi", "Air Force Engineering University*"),
    ("el26", "Air Force Engineering University"), ("1286", "Air Force Engineering University"))
ent("aeu", "Army Engineering University", ("aspi", "Army Engineering University*"), ("1286", "Army Engineering University"))
ent("nue", "Naval University of Engineering", ("aspi", "Naval University of Engineering*"),
    ("1286", "Naval University of Engineering"))
ent("amu", "Army Medical University", ("aspi", "Army Medical University*"), ("1286", "Army Medical University"),
    why="ASPI alias 'Third Military Medical University'")
ent("afmu", "Air Force Medical University", ("aspi", "Air Force Medical University*"),
    ("1286", "Air Force Medical University"), why="ASPI alias 'Fourth Military Medical University'")
ent("nmu", "Navy Medical University", ("aspi", "Navy Medical University*"), ("1286", "Naval Medical University"),
    why="ASPI alias 'Second Military Medical University'; 1286 prints 'Naval Medical University'")
ent("rfue", "Rocket Force University of Engineering", ("aspi", "Rocket Force University of Engineering*"),
    ("1286", "Rocket Force Engineering University"), why="ASPI alias 'Rocket Force Engineering University'")
ent("ieu", "Information Engineering University", ("aspi", "Information Engineering University*"),
    ("1286", "Strategic Support Force Information Engineering University"))
ent("ndu", "National Defense University", ("aspi", "National Defense University (*"), ("1286", "National Defense University"))
ent("caep", "Chinese Academy of Engineering Physics", ("aspi", "Chinese Academy of Engineering Physics*"),
    ("el22", "Chinese Academy of Engineering Physics"), ("el26", "Chinese Academy of Engineering Physics"),
    ("1286", "China Academy of Engineering Physics"))
ent("bcsrc", "Beijing Computational Science Research Center", ("el22", "Beijing Computational Science Research Center"),
    ("1286", "Beijing Computational Science Research Center"), ("aspi", "Chinese Academy of Engineering Physics*"),
    why="ASPI lists 'Beijing Computational Science Research Center' as an alias of CAEP")
ent("hpstar", "Center for High Pressure Science and Technology Advanced Research",
    ("el22", "Center for High Pressure Science and Technology Advanced Research"),
    ("1286", "Center for High Pressure Science and Technology Advanced Research"),
    ("aspi", "Chinese Academy of Engineering Physics*"), why="ASPI lists HPSTAR as an alias of CAEP")
ent("hfnl", "Hefei National Laboratory for Physical Sciences at the Microscale",
    ("el22", "Hefei National Laboratory for Physical Sciences at Microscale"),
    ("1286", "Hefei National Laboratory for Physical Sciences at the Microscale"))
ent("cardc", "China Aerodynamics Research and Development Center",
    ("el22", "China Aerodynamics Research and Development Center (CARDC)"),
    ("aspi", "China Aerodynamics Research and Development Center*"))
ent("nint", "Northwest Institute of Nuclear Technology",
    ("el22", "Northwest Institute of Nuclear Technology in the Science Research (NINTF)"),
    ("aspi", "Northwest Institute of Nuclear Technology*"))
# --- CAS institutes that are themselves listed (CAS as a whole is on none of the lists here) ---
ent("cas_iop", "Chinese Academy of Sciences, Institute of Physics",
    ("el26", "Chinese Academy of Sciences, Institute of Physics"), ("1286", "Chinese Academy of Sciences – Institute of Physics"))
ent("cas_ict", "Chinese Academy of Sciences Institute of Computing Technology",
    ("el26", "Chinese Academy of Sciences Institute of Computing Technology"),
    ("1286", "Chinese Academy of Sciences (CAS) – Institute of Computing Technology (ICT)"))
ent("cas_ime", "Chinese Academy of Sciences Institute of Microelectronics",
    ("el26", "Chinese Academy of Sciences Institute of Microelectronics"),
    ("1286", "Chinese Academy of Sciences – Institute of Microelectronics"))
ent("cas_simit", "Shanghai Institute of Microsystem and Information Technology",
    ("el26", "Chinese Academy of Sciences' Shanghai Institute of Microsystem and Information Technology"),
    ("1286", "Chinese Academy of Sciences – Shanghai Institute of Microsystem and Information Technology"))
ent("cas_sia", "Shenyang Institute of Automation", ("el26", "China Academy of Science—Shenyang Institute of Automation"),
    ("1286", "Chinese Academy of Sciences – Shenyang Institute of Automation"))
ent("cas_air", "Aerospace Information Research Institute, Chinese Academy of Sciences",
    ("el26", "Aerospace Information Research Institute, Chinese Academy of Sciences"),
    ("1286", "Chinese Academy of Sciences – Aerospace Information Research Institute"))
ent("cas_ntsc", "National Time Service Center", ("el26", "Chinese Academy of Sciences, National Time Service Center"),
    ("1286", "Chinese Academy of Sciences – National Time Service Center"))
# --- other Entity List research bodies ---
ent("baai", "Beijing Academy of Artificial Intelligence", ("el26", "Beijing Academy of Artificial Intelligence"))
ent("baqis", "Beijing Academy of Quantum Information Sciences", ("el26", "Beijing Academy of Quantum Information Sciences"),
    ("1286", "Beijing Academy of Quantum Information Sciences"))
ent("nscc_gz", "National Supercomputing Center Guangzhou", ("el22", "National Supercomputing Center Guangzhou (NSCC-GZ)"),
    ("el26", "National Supercomputing Center Guangzhou (NSCC-GZ), Sun Yat-Sen University"))
ent("nscc_wx", "National Supercomputing Center Wuxi", ("el22", "National Supercomputing Center Wuxi"))
ent("jict", "Wuxi Jiangnan Institute of Computing Technology", ("el22", "Wuxi Jiangnan Institute of Computing Technology"))
# --- defence conglomerates (parents) and their units ---
ent("cetc", "China Electronics Technology Group Corporation", ("1260h", "China Electronics Technology Group Corporation"),
    ("cmic", "CHINA ELECTRONICS TECHNOLOGY GROUP CORPORATION"), ("aspi", "China Electronics Technology Group Corporation*"))
ent("cetc14", "14th Research Institute of CETC", ("1260h", "14th Research Institute of CETC"),
    ("el22", "China Electronics Technology Group Corporation 14th Research Institute (CETC 14)"), parent="cetc",
    why="EL aliases: Nanjing Research Institute of Electronics Technology (NRIET)")
ent("cetc38", "China Electronics Technology Group Corporation 38th Research Institute",
    ("el22", "China Electronics Technology Group Corporation 38th Research Institute (CETC 38)"), parent="cetc",
    why="EL aliases: East China Research Institute of Electronic Engineering")
ent("casc", "China Aerospace Science and Technology Corporation",
    ("el22", "China Aerospace Science and Technology Corporation (CASC)"),
    ("cmic", "CHINA AEROSPACE SCIENCE AND TECHNOLOGY CORPORATION"),
    ("aspi", "China Aerospace Science and Technology Corporation*"))
ent("calt", "China Academy of Launch Vehicle Technology", ("cmic", "CHINA ACADEMY OF LAUNCH VEHICLE TECHNOLOGY"),
    parent="casc", why="CALT is CASC's First Academy (EL rows 'CASC 1st Academy …', ASPI CASC aliases)")
ent("casic", "China Aerospace Science and Industry Corporation",
    ("1260h", "China Aerospace Science and Industry Corporation Limited"),
    ("cmic", "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION LIMITED"),
    ("aspi", "China Aerospace Science and Industry Corporation*"))
ent("casic2", "China Aerospace Science and Industry Corporation Second Academy",
    ("el22", "China Aerospace Science and Industry Corporation Second Academy"),
    ("el26", "China Aerospace Science and Industry Corporation Second Academy"), parent="casic")
ent("avic", "Aviation Industry Corporation of China", ("1260h", "Aviation Industry Corporation of China Ltd."),
    ("cmic", "AVIATION INDUSTRY CORPORATION OF CHINA, LTD."), ("aspi", "Aviation Industry Corporation of China*"))
ent("bamtri", "Beijing Aeronautical Manufacturing Technology Research Institute",
    ("el22", "Beijing Aeronautical Manufacturing Technology Research Institute"),
    ("1286", "Beijing Aeronautical Manufacturing Technology Research Institute"), parent="avic",
    why="EL/1286 alias 'AVIC Institute 625'")
ent("sadi", "Shenyang Aircraft Design Institute", ("1260h", "Shenyang Aircraft Design Institute"), parent="avic",
    why="1260H: subsidiary of Aviation Industry Corporation of China")
ent("facri", "AVIC Flight Automatic Control Research Institute", ("meu", "AVIC Flight Automatic Control Research Institute (FACRI)"),
    parent="avic")
ent("letri", "AVIC Leihua Electronic Technology Research Institute",
    ("meu", "AVIC Leihua Electronic Technology Research Institute (LETRI)"), parent="avic")
ent("comac", "Commercial Aircraft Corporation of China", ("1260h", "Commercial Aircraft Corporation of China Limited"),
    ("aspi", "Commercial Aircraft Corporation of China*"))
ent("sadri", "Shanghai Aircraft Design and Research Institute", ("1260h", "Shanghai Aircraft Design and Research Institute"),
    ("meu", "Shanghai Aircraft Design and Research Institute"), parent="comac")
ent("aecc", "Aero Engine Corporation of China", ("cmic", "AERO ENGINE CORPORATION OF CHINA"),
    ("aspi", "Aero Engine Corporation of China*"))
ent("biam", "AECC Beijing Institute of Aeronautical Materials", ("meu", "AECC Beijing Institute of Aeronautical. Materials"),
    parent="aecc")
ent("norinco", "China North Industries Group Corporation Limited", ("1260h", "China North Industries Group Corporation Limited"),
    ("cmic", "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED"), ("aspi", "China North Industries Group*"))
ent("caos", "Chinese Academy of Ordnance Science", ("1260h", "Chinese Academy of Ordnance Science"), parent="norinco")
ent("sio2", "Second Institute of Oceanography, Ministry of Natural Resources",
    ("meu", "Second Institute of Oceanography, Ministry of Natural Resources"))
ent("nsmc", "National Satellite Meteorological Bureau", ("meu", "National Satellite Meteorological Bureau"))
# --- companies (1260H / NS-CMIC / EL) ---
ent("huawei", "Huawei Technologies Co., Ltd.", ("1260h", "Huawei Technologies Co., Ltd."),
    ("el22", "Huawei Technologies Co., Ltd. (Huawei)"), ("cmic", "HUAWEI TECHNOLOGIES CO., LTD."))
ent("bgi", "BGI Group", ("1260h", "BGI Group"))
ent("bgi_gen", "BGI Genomics Co., Ltd.", ("1260h", "BGI Genomics Co., Ltd."), parent="bgi")
ent("tencent", "Tencent Holdings Limited", ("1260h", "Tencent Holdings Limited"))
ent("alibaba", "Alibaba Group Holding Limited", ("1260h", "Alibaba Group Holding Limited"))
ent("baidu", "Baidu, Inc.", ("1260h", "Baidu, Inc."))
ent("cxmt", "ChangXin Memory Technologies, Inc.", ("1260h", "ChangXin Memory Technologies, Inc."))
ent("megvii", "Megvii Technology", ("el22", "Megvii Technology"), ("cmic", "MEGVII TECHNOLOGY LIMITED"),
    ("1260h", "Beijing Megvii Technology Co., Ltd."))
ent("iflytek", "IFLYTEK", ("el22", "IFLYTEK"))
ent("sensetime", "SenseTime Group", ("1260h", "SenseTime Group, Inc."), ("cmic", "SENSETIME GROUP LIMITED"))
ent("dji", "DJI", ("1260h", "Shenzhen DJI Technology Co., Ltd."), ("1260h", "Shenzhen DJI Innovation Technology Co., Ltd."),
    ("el22", "DJI"), ("cmic", "SZ DJI TECHNOLOGY CO., LTD."))

# ---------------------------------------------------------------------------------------------
# Labelled rows: (entity key | None, text, kind, note, openalex_id, country, as_of, neg_source, also-named keys)
# kind: positive | negative | trap. For negatives, neg_source names the bundled file/row.
# ---------------------------------------------------------------------------------------------
FX = "openalex fixtures (derived_cn_institutions_from_fixtures.csv)"
RAW = "openalex fixture raw_affiliation_string"
FOR = "openalex fixture JSON (non-CN institution)"
R: list[tuple] = []
SPLIT = ["dev"]  # rows get the current split; held-out rows were added after the resolver was first scored


def p(key: str, text: str, note: str = "", oa: str = "", kind: str = "positive", as_of: str = DEFAULT_AS_OF,
      cc: str = "CN", also: tuple[str, ...] = ()) -> None:
    R.append((key, text, kind, note, oa, cc, as_of, "", also, SPLIT[0]))


def n(text: str, src: str, note: str = "", oa: str = "", kind: str = "negative", cc: str = "CN",
      as_of: str = DEFAULT_AS_OF, key: str | None = None) -> None:
    R.append((key, text, kind, note, oa, cc, as_of, src, (), SPLIT[0]))


# Beihang: all name forms
p("beihang", "School of Electronic and Information Engineering, Beihang University, Beijing 100191, China")
p("beihang", "Sch. of Mat. Sci. & Eng., Beihang Univ., Beijing, People's Republic of China", "abbreviated")
p("beihang", "Beijing University of Aeronautics and Astronautics, 37 Xueyuan Road, Haidian District, Beijing 100191, China", "old name (EL main name)")
p("beihang", "BUAA, Beijing, China", "acronym only", kind="trap")
p("beihang", "北京航空航天大学 仪器科学与光电工程学院, 北京 100191", "Chinese name (ASPI alias)")
p("beihang", "Beijing Univ Aeronaut & Astronaut, Sch Astronaut, Beijing 100191, Peoples R China", "WoS-style abbreviation")
p("beihang", "Beihang University Hangzhou Innovation Institute, Hangzhou 310051, China", "EL alias (branch institute)")
# BIT
p("bit", "School of Optics and Photonics, Beijing Institute of Technology, Beijing 100081, China")
p("bit", "Beijing Inst. of Technol., Sch. of Mechatronical Engineering, Beijing, China", "abbreviated")
p("bit", "北京理工大学 机电学院, 北京 100081, 中国", "Chinese name")
p("bit", "Beijing Institute of Technology, Chongqing Innovation Center, Chongqing 401120, China", "EL alias (branch)")
# HIT incl. campuses
p("hit", "School of Management, Harbin Institute of Technology, Harbin 150001, PR China", "real OpenAlex raw string", oa="I204983213")
p("hit", "School of Astronautics, Harbin Institute of Technology, Harbin, Heilongjiang 150001, China")
p("hit", "School of Mechanical Engineering and Automation, Harbin Institute of Technology, Shenzhen, Shenzhen 518055, China",
  "HIT Shenzhen campus", kind="trap")
p("hit", "Harbin Institute of Technology (Shenzhen), Shenzhen 518055, China", "HIT Shenzhen campus", kind="trap")
p("hit", "School of Ocean Engineering, Harbin Institute of Technology at Weihai, Weihai 264209, China", "HIT Weihai campus", kind="trap")
p("hit", "Harbin Inst Technol, Sch Phys, Harbin 150001, Peoples R China", "WoS-style abbreviation")
p("hit", "哈尔滨工业大学 航天学院, 哈尔滨 150001", "Chinese name")
# HEU
p("heu", "College of Underwater Acoustic Engineering, Harbin Engineering University, Harbin 150001, China")
p("heu", "Harbin Engineering Univ., Coll. of Shipbuilding Eng., Harbin, China", "abbreviated")
p("heu", "哈尔滨工程大学 水声工程学院", "Chinese name")
# NWPU vs Northwestern
p("nwpu", "School of Aeronautics, Northwestern Polytechnical University, Xi'an 710072, China")
p("nwpu", "Northwestern Polytech. Univ., Sch. of Marine Sci. & Technol., Xi'an, Shaanxi, China", "abbreviated")
p("nwpu", "Northwest Polytechnical University, Xi'an 710072, Shaanxi, China", "list alias")
p("nwpu", "西北工业大学 航空学院, 西安 710072", "Chinese name")
p("nwpu", "NWPU, School of Computer Science, Xi'an, China", "acronym with context", kind="trap")
n("Department of Materials Science and Engineering, Northwestern University, Evanston, IL 60208, USA",
  f"{FOR}: I111979921 Northwestern University (US)", "trap vs Northwestern Polytechnical University",
  oa="I111979921", kind="trap", cc="US")
n("Northwestern University, Chicago, IL, USA", f"{FOR}: I111979921 Northwestern University (US)",
  "trap vs Northwestern Polytechnical University", oa="I111979921", kind="trap", cc="US")
# NUAA / NJUST / NJU
p("nuaa", "College of Energy and Power Engineering, Nanjing University of Aeronautics and Astronautics, Nanjing 210016, China")
p("nuaa", "Nanjing Univ. of Aeronaut. & Astronaut., Coll. of Automation Eng., Nanjing, China", "abbreviated")
p("nuaa", "南京航空航天大学 航天学院, 南京 211106", "Chinese name")
p("njust", "School of Chemical Engineering, Nanjing University of Science and Technology, Nanjing 210094, China")
p("njust", "Nanjing Univ. of Sci. & Technol., Sch. of Electron. & Opt. Eng., Nanjing, Jiangsu, China", "abbreviated")
p("njust", "南京理工大学 化工学院", "Chinese name")
p("nju", "School of Physics, Nanjing University, Nanjing 210093, China", "ASPI-listed civilian university (not EL/1286)", kind="trap")
p("nju", "National Laboratory of Solid State Microstructures, Nanjing University, 22 Hankou Road, Nanjing 210093, China",
  "trap vs NUAA/NJUST: plain Nanjing University", kind="trap")
p("njupt", "College of Telecommunications and Information Engineering, Nanjing University of Posts and Telecommunications, Nanjing 210003, China")
# NUDT
p("nudt", "College of Advanced Interdisciplinary Studies, National University of Defense Technology, Changsha 410073, China")
p("nudt", "NUDT, Changsha, Hunan, China", "acronym only", kind="trap")
p("nudt", "National Univ. of Defense Technol., Coll. of Comput., Changsha 410073, Hunan, China", "abbreviated")
p("nudt", "中国人民解放军国防科技大学 前沿交叉学科学院, 长沙 410073", "Chinese name")
p("nudt", "Hunan Guofang Keji University, Changsha, China", "EL alias")
n("Department of Electrical and Computer Engineering, National University of Singapore, Singapore 117583",
  f"{FOR}: I165932596 National University of Singapore", "trap vs NUDT", oa="I165932596", kind="trap", cc="SG")
# UESTC
p("uestc", "School of Life Science and Technology, University of Electronic Science and Technology of China, Chengdu, China",
  "real OpenAlex raw string", oa="I150229711")
p("uestc", "Univ. of Electron. Sci. & Technol. of China, Sch. of Phys., Chengdu 610054, China", "abbreviated")
p("uestc", "电子科技大学 通信与信息工程学院, 成都 611731", "Chinese name")
# USTC
p("ustc", "University of Science and Technology of China", "real OpenAlex raw string", oa="I126520041")
p("ustc", "Department of Modern Physics, University of Science and Technology of China, Hefei, Anhui 230026, China")
p("ustc", "USTC, Hefei 230026, China", "acronym", kind="trap")
# Hefei national lab (separate EL/1286 entity hosted at USTC)
p("hfnl", "Hefei National Laboratory for Physical Sciences at the Microscale, University of Science and Technology of China, Hefei 230026, China",
  "names two entities: also USTC", kind="trap", also=("ustc",))
p("hfnl", "Hefei National Laboratory for Physical Sciences at Microscale, Hefei, Anhui 230026, China")
# Sichuan / Tianjin / BUPT / Xidian
p("scu", "College of Polymer Science and Engineering, Sichuan University, Chengdu 610065, China")
p("scu", "四川大学 高分子科学与工程学院, 成都", "Chinese name")
p("tju", "School of Chemical Engineering and Technology, Tianjin University, Tianjin 300072, China")
p("tju", "Tianjin Univ., Sch. of Precision Instrum. & Optoelectron. Eng., Tianjin, China", "abbreviated")
p("bupt", "State Key Laboratory of Networking and Switching Technology, Beijing University of Posts and Telecommunications, Beijing 100876, China")
p("bupt", "Beijing Univ. of Posts & Telecommun., Beijing, China", "abbreviated")
p("xidian", "School of Electronic Engineering, Xidian University, Xi'an 710071, China")
p("xidian", "西安电子科技大学 电子工程学院, 西安 710071", "Chinese name (ASPI alias)")
# Sun Yat-sen
p("sysu", "School of Physics and Astronomy, Sun Yat-sen University, 2 Daxue Rd, Tangjia, Zhuhai, PR China",
  "real OpenAlex raw string", oa="I157773358")
p("sysu", "Department of Parasitology, Zhongshan School of Medicine, Sun Yat-sen University, Guangzhou, 510080, Guangdong, China",
  "real OpenAlex raw string; medical school is part of the university", oa="I157773358")
p("sysu", "School of Materials Science and Engineering, Sun Yat-sen University, Guangzhou 510275, China")
p("nscc_gz", "National Supercomputer Center in Guangzhou, Sun Yat-sen University, Guangzhou 510006, China",
  "EL entity hosted at SYSU; string names both", kind="trap", also=("sysu",))
# SJTU / Fudan / Tsinghua / PKU / ZJU / HUST
p("sjtu", "Institute of Respiratory Diseases, Shanghai Jiaotong University School of Medicine, Shanghai, China",
  "real OpenAlex raw string; 'Jiaotong' spelling", oa="I183067930")
p("sjtu", "School of Electronic Information and Electrical Engineering, Shanghai Jiao Tong University, Shanghai 200240, China")
p("sjtu", "上海交通大学 材料科学与工程学院, 上海 200240", "Chinese name")
p("fudan", "Department of Physics, Fudan University, Shanghai 200433, China")
p("fudan", "State Key Laboratory of Surface Physics, Fudan Univ., Shanghai, China", "abbreviated")
p("tsinghua", "Tsinghua University", "real OpenAlex raw string; ASPI only (CISS Tsinghua is the 1286 entry)", oa="I99065089", kind="trap")
p("tsinghua", "Tsinghua University School of Medicine, Beijing, China", "real OpenAlex raw string", oa="I99065089")
p("tsinghua", "Department of Engineering Physics, Tsinghua University, Beijing 100084, China")
p("tsinghua", "Tsinghua University-Peking University Joint Center for Life Sciences, Beijing, China",
  "real OpenAlex raw string; names two ASPI universities", oa="I99065089", also=("pku",))
p("pku", "School of Physics, Peking University, Beijing 100871, China")
p("pku", "北京大学 化学与分子工程学院, 北京 100871", "Chinese name")
p("zju", "College of Control Science and Engineering, Zhejiang University, Hangzhou 310027, China")
p("hust", "School of Optical and Electronic Information, Huazhong University of Science and Technology, Wuhan 430074, China")
p("hust", "Huazhong Univ. of Sci. & Technol., Wuhan National Laboratory for Optoelectronics, Wuhan, China", "abbreviated")
# SCUT and look-alikes
p("scut", "School of Materials Science and Engineering, South China University of Technology, Guangzhou 510640, China",
  "ASPI + SASTIND: check before assuming 'South China' is civilian", kind="trap")
p("scut", "South China Univ. of Technol., Sch. of Electron. & Inf. Eng., Guangzhou, China", "abbreviated")
p("ecut", "School of Nuclear Science and Engineering, East China University of Technology, Nanchang 330013, China")
# other ASPI civilian universities
p("xjtu", "Xian Jiaotong University", "real OpenAlex raw string; no apostrophe", oa="I87445476")
p("xjtu", "School of Energy and Power Engineering, Xi'an Jiaotong University, Xi'an 710049, China")
p("cqu", "College of Materials Science and Engineering, Chongqing University, Chongqing 400044, China")
p("dlut", "School of Chemical Engineering, Dalian University of Technology, Dalian 116024, China")
p("sdu", "State Key Laboratory of Crystal Materials, Shandong University, Jinan 250100, China")
p("nuc", "School of Instrument and Electronics, North University of China, Taiyuan 030051, China")
p("whu", "School of Remote Sensing and Information Engineering, Wuhan University, Wuhan 430079, China")
p("whut", "State Key Laboratory of Advanced Technology for Materials Synthesis and Processing, Wuhan University of Technology, Wuhan 430070, China")
p("seu", "School of Information Science and Engineering, Southeast University, Nanjing 210096, China")
p("jlu", "College of Chemistry, Jilin University, Changchun 130012, China")
p("csu", "State Key Laboratory of Powder Metallurgy, Central South University, Changsha 410083, China")
p("sau", "School of Aerospace Engineering, Shenyang Aerospace University, Shenyang 110136, China")
p("sylu", "School of Equipment Engineering, Shenyang Ligong University, Shenyang 110159, China")
p("nchu", "School of Materials Science and Engineering, Nanchang Hangkong University, Nanchang 330063, China")
p("hrbust", "School of Electrical and Electronic Engineering, Harbin University of Science and Technology, Harbin 150080, China",
  "trap vs Harbin Institute of Technology (different lists)", kind="trap")
p("hbu", "College of Physics Science and Technology, Hebei University, Baoding 071002, China", "contrast: Hebei University of Economics and Business is unlisted")
p("hebust", "School of Materials Science and Engineering, Hebei University of Science and Technology, Shijiazhuang 050018, China")
p("hnu", "College of Chemistry and Chemical Engineering, Hunan University, Changsha 410082, China", "contrast: Hunan Agricultural University is unlisted")
p("ouc", "College of Marine Life Sciences, Ocean University of China, Qingdao 266003, China", "1286 only")
p("hdu", "School of Electronics and Information, Hangzhou Dianzi University, Hangzhou 310018, China")
p("neu", "School of Metallurgy, Northeastern University, Shenyang 110819, China",
  "Chinese Northeastern University (ASPI), not the US one", kind="trap")
p("uir", "School of International Relations, University of International Relations, Beijing 100091, China")
p("ppsuc", "School of Criminal Investigation, People's Public Security University of China, Beijing 100038, China")
p("xjpc", "Xinjiang Police College, Urumqi 830011, Xinjiang, China")
# military
p("ams", "Academy of Military Sciences, Beijing 100091, China")
p("ams", "National Innovation Institute of Defense Technology, Academy of Military Science, Beijing 100071, China")
p("ams", "中国人民解放军军事科学院, 北京", "Chinese name")
p("amms", "Academy of Military Medical Sciences, 27 Taiping Road, Haidian District, Beijing 100850, China")
p("amms", "AMMS, Beijing 100850, China", "acronym", kind="trap")
p("amms_ime", "State Key Laboratory of Pathogen and Biosecurity, Beijing Institute of Microbiology and Epidemiology, Academy of Military Medical Sciences, Beijing 100071, China")
p("amms_irm", "Beijing Institute of Radiation Medicine, Academy of Military Medical Sciences, Beijing 100850, China",
  "EL alias 'Institute of Radiation Medicine'")
p("amms_itp", "State Key Laboratory of Toxicology and Medical Countermeasures, Institute of Toxicology and Pharmacology, Academy of Military Medical Sciences, Beijing 100850, China")
p("amms_ibe", "Institute of Bioengineering, Academy of Military Medical Sciences, 20 East Street, Fengtai District, Beijing 100071, China")
p("amms", "Tianjin Institute of Environmental and Operational Medicine, Academy of Military Medical Sciences, Tianjin 300050, China",
  "AMMS unit whose own name is not on any list; AMMS is", kind="trap")
p("amms_ihem", "Institute of Hygiene and Environmental Medicine, Academy of Military Medical Sciences, No. 1 Dali Road, Tianjin 300050, China")
p("afeu", "Air and Missile Defense College, Air Force Engineering University, Xi'an 710051, China")
p("aeu", "College of Field Engineering, Army Engineering University of PLA, Nanjing 210007, China")
p("nue", "College of Electronic Engineering, Naval University of Engineering, Wuhan 430033, China")
p("amu", "Department of Radiology, The First Affiliated Hospital (Xinan Hospital), The Third Military Medical University, Chongqing, China",
  "policy: hospital of a military medical university, labelled as the university (OpenAlex assigns the university itself); real OpenAlex raw string; former name (ASPI alias)",
  oa="I151075929", kind="trap")
p("amu", "Institute of Combined Injury, Army Medical University, Chongqing 400038, China")
p("afmu", "-Xiang,LI Shu-Mei,XUE Cai-Fang Department of Etiology,School of Basic Medicine,Fourth Military Medical University,Xi'an 710033,China",
  "real OpenAlex raw string (author names leaked in); former name (ASPI alias)", oa="I9916479")
p("afmu", "Department of Neurobiology, Air Force Medical University, Xi'an 710032, China")
p("nmu", "Department of Pharmacology, Second Military Medical University, Shanghai 200433, China", "former name (ASPI alias)")
p("nmu", "Naval Medical University, Shanghai 200433, China", "1286 name form")
p("rfue", "Rocket Force University of Engineering, Xi'an 710025, China")
p("rfue", "Xi'an Research Institute of High Technology, Xi'an 710025, China", "ASPI alias", kind="trap")
p("ieu", "Information Engineering University, Zhengzhou 450001, China")
p("ieu", "State Key Laboratory of Mathematical Engineering and Advanced Computing, Zhengzhou 450001, China", "ASPI alias (lab name only)",
  kind="trap")
p("ndu", "National Defense University of PLA, Beijing 100091, China")
p("caep", "Institute of Fluid Physics, China Academy of Engineering Physics, Mianyang 621900, China")
p("caep", "Chinese Academy of Engineering Physics, Mianyang, Sichuan, China")
p("caep", "Laser Fusion Research Center, China Academy of Engineering Physics, Mianyang 621900, Sichuan, China")
p("caep", "Institute of Applied Physics and Computational Mathematics, Beijing 100088, China", "CAEP unit named as 1286/EL alias", kind="trap")
p("bcsrc", "Beijing Computational Science Research Center, Beijing 100193, China", "EL + 1286; ASPI lists it as CAEP alias")
p("hpstar", "Center for High Pressure Science and Technology Advanced Research, Shanghai 201203, China")
p("hpstar", "HPSTAR, Beijing 100094, China", "EL alias acronym", kind="trap")
p("cardc", "China Aerodynamics Research and Development Center, Mianyang 621000, China")
p("nint", "Northwest Institute of Nuclear Technology, Xi'an 710024, China")
# CAS institutes
p("cas_iop", "Beijing National Laboratory for Condensed Matter Physics, Institute of Physics, Chinese Academy of Sciences, Beijing 100190, China")
p("cas_iop", "Institute of Physics, CAS, Beijing 100190, China", "abbreviated CAS")
p("cas_ict", "State Key Lab of Processors, Institute of Computing Technology, Chinese Academy of Sciences, Beijing 100190, China")
p("cas_ict", "ICT, CAS, Beijing, China", "acronym (EL alias 'ICT CAS')", kind="trap")
p("cas_ime", "Institute of Microelectronics of the Chinese Academy of Sciences, Beijing 100029, China")
p("cas_simit", "Shanghai Institute of Microsystem and Information Technology, Chinese Academy of Sciences, Shanghai 200050, China")
p("cas_sia", "State Key Laboratory of Robotics, Shenyang Institute of Automation, Chinese Academy of Sciences, Shenyang 110016, China")
p("cas_air", "Aerospace Information Research Institute, Chinese Academy of Sciences, Beijing 100094, China")
p("cas_ntsc", "National Time Service Center, Chinese Academy of Sciences, Xi'an 710600, China")
p("baai", "Beijing Academy of Artificial Intelligence, Beijing 100084, China")
p("baqis", "Beijing Academy of Quantum Information Sciences, Beijing 100193, China")
p("nscc_wx", "National Supercomputing Center in Wuxi, Wuxi 214072, China")
p("jict", "Jiangnan Institute of Computing Technology, Wuxi 214083, China",
  "EL alias; contains the CAS ICT alias 'Institute of Computing Technology' as a substring (not CAS ICT)", kind="trap")
# conglomerates and units
p("cetc", "China Electronics Technology Group Corporation, Beijing 100846, China")
p("cetc14", "Nanjing Research Institute of Electronics Technology, Nanjing 210039, China", "EL alias of CETC 14; parent CETC",
  kind="trap")
p("cetc14", "The 14th Research Institute of China Electronics Technology Group Corporation, Nanjing 210039, China")
p("cetc38", "East China Research Institute of Electronic Engineering, Hefei 230088, China", "EL alias of CETC 38; parent CETC",
  kind="trap")
p("casc", "China Aerospace Science and Technology Corporation, Beijing 100048, China")
p("calt", "China Academy of Launch Vehicle Technology, Beijing 100076, China")
p("casic", "China Aerospace Science and Industry Corporation Limited, Beijing 100048, China")
p("casic2", "China Aerospace Science and Industry Corporation Second Academy, Beijing 100854, China")
p("avic", "Aviation Industry Corporation of China, Beijing 100028, China")
p("bamtri", "AVIC Beijing Aeronautical Manufacturing Technology Research Institute, Beijing 100024, China")
p("sadi", "Shenyang Aircraft Design Institute, AVIC, Shenyang 110035, China", "1260H subsidiary named with its parent's acronym")
p("facri", "AVIC Flight Automatic Control Research Institute, Xi'an 710065, China")
p("letri", "AVIC Leihua Electronic Technology Research Institute, Wuxi 214063, China")
p("comac", "Commercial Aircraft Corporation of China, Ltd., Shanghai 200126, China")
p("sadri", "Shanghai Aircraft Design and Research Institute, Commercial Aircraft Corporation of China, Shanghai 201210, China")
p("aecc", "Aero Engine Corporation of China, Beijing 100097, China")
p("biam", "AECC Beijing Institute of Aeronautical Materials, Beijing 100095, China", "MEU row prints 'Aeronautical. Materials'")
p("norinco", "China North Industries Group Corporation Limited, Beijing 100089, China")
p("caos", "Chinese Academy of Ordnance Science, Beijing 100089, China")
p("sio2", "Key Laboratory of Marine Ecosystem Dynamics, Second Institute of Oceanography, Ministry of Natural Resources, Hangzhou 310012, China",
  "civil-sounding MEU entity", kind="trap")
p("nsmc", "National Satellite Meteorological Bureau, Beijing, China")
p("huawei", "Huawei Technologies Co., Ltd., Shenzhen 518129, China")
p("huawei", "2012 Labs, Huawei Technologies Co. Ltd., Shenzhen, China")
p("bgi", "BGI PathoGenesis Pharmaceutical Technology, Shenzhen, China", "real OpenAlex raw string; OpenAlex institution BGI Group",
  oa="I100135526")
p("bgi", "BGI-Shenzhen, Shenzhen 518083, China")
p("bgi_gen", "BGI Genomics Co., Ltd., Shenzhen 518083, China")
p("tencent", "Tencent AI Lab, Shenzhen 518057, China", "1260H since 2025-01-07")
p("alibaba", "DAMO Academy, Alibaba Group, Hangzhou 311121, China", "1260H since 2026-06-08")
p("baidu", "Baidu Research, Baidu Inc., Beijing 100085, China", "1260H since 2026-06-08")
p("cxmt", "ChangXin Memory Technologies, Inc., Hefei 230601, China", "1260H re-listed 2026-06-08")
p("megvii", "Megvii Technology Limited, Beijing 100080, China", "EL + NS-CMIC; 1260H listing ended 2025-01-07", kind="trap")
p("iflytek", "iFLYTEK Research, iFLYTEK Co., Ltd., Hefei 230088, China")
p("sensetime", "SenseTime Research, SenseTime Group Limited, Shanghai 200233, China")
p("dji", "SZ DJI Technology Co., Ltd., Shenzhen 518057, China")
# time traps: same entities at an earlier as_of
p("tencent", "Tencent AI Lab, Shenzhen 518057, China", "before 1260H listing (2025-01-07)", kind="trap", as_of="2024-06-01")
p("alibaba", "DAMO Academy, Alibaba Group, Hangzhou 311121, China", "before 1260H listing (2026-06-08)", kind="trap", as_of="2026-03-01")
p("baidu", "Baidu Research, Baidu Inc., Beijing 100085, China", "before 1260H listing (2026-06-08)", kind="trap", as_of="2025-06-01")
p("cxmt", "ChangXin Memory Technologies, Inc., Hefei 230601, China", "between 1260H removal 2026-02-17 and re-listing 2026-06-08",
  kind="trap", as_of="2026-04-01")
p("megvii", "Megvii Technology Limited, Beijing 100080, China", "while on 1260H (2024-01-31..2025-01-07)", kind="trap", as_of="2024-06-01")

# --- negatives: unlisted Chinese institutions from the OpenAlex fixtures (real raw strings where available) ---
n("Department of Respiratory Medicine, Capital Medical University, Beijing, China", f"{RAW}: I183519381 Capital Medical University", oa="I183519381")
n("Institute of Respiratory Medicine, Chinese Academy of Medical Sciences, Peking Union Medical College, Beijing, China",
  f"{RAW}: I200296433 Chinese Academy of Medical Sciences & Peking Union Medical College",
  "trap vs Academy of Military Medical Sciences", oa="I200296433", kind="trap")
n("Institute of Laboratory Animal Science, Chinese Academy of Medical Sciences and Peking Union Medical College, Beijing, China",
  f"{RAW}: I4210131085 Institute of Laboratory Animal Science", oa="I4210131085")
n("Laboratory Medicine Center, Nanfang Hospital, Southern Medical University, Guangzhou, Guangdong, 510515, People's Republic of China",
  f"{RAW}: I58200834 Southern Medical University", oa="I58200834")
n("The School of Foreign Studies, Southern Medical University, Guangzhou, 510515, China.", f"{RAW}: I58200834 Southern Medical University", oa="I58200834")
n("Guangzhou Eighth People's Hospital, Guangzhou Medical University, Guangzhou, China", f"{RAW}: I92039509 Guangzhou Medical University", oa="I92039509")
n("Department of Clinical Laboratory, Guangdong General Hospital, Guangdong Academy of Medical Sciences, Guangzhou, Guangdong, 510080, People's Republic of China",
  f"{RAW}: I4210145693 Guangdong Academy of Medical Sciences", "trap vs Academy of Military Medical Sciences", oa="I4210145693", kind="trap")
n("Department of Clinical Laboratory, Zhuhai People's Hospital, Zhuhai Hospital of Jinan University, Zhuhai, Guangdong, 522000, China",
  f"{RAW}: I159948400 Jinan University", "trap vs National Supercomputing Center Jinan / Shandong", oa="I159948400", kind="trap")
n("Public Research Laboratory, Hainan Medical University, 3 Xueyuan Road, Haikou, 571199, Hainan, China", f"{RAW}: I79731167 Hainan Medical University", oa="I79731167")
n("Institute of Bacterium Resistance, Anhui Medical University, Hefei, China", f"{RAW}: I197869895 Anhui Medical University", oa="I197869895")
n("Kunming Medical University", f"{RAW}: I26080491 Kunming Medical University", oa="I26080491")
n("Key Laboratory of Laboratory Medicine, Ministry of Education, and Zhejiang Provincial Key Laboratory of Medical Genetics, Institute of Medical Virology, School of Laboratory Medicine and Life Sciences, Wenzhou Medical University, Wenzhou, China",
  f"{RAW}: I27781120 Wenzhou Medical University", oa="I27781120")
n("Key Laboratory of Etiology and Epidemiology of Emerging Infectious Diseases in Universities of Shandong, Shandong First Medical University and Shandong Academy of Medical Sciences, Tai'an, China",
  f"{RAW}: I4210163399 Shandong First Medical University", "trap vs Shandong University", oa="I4210163399", kind="trap")
n("College of Horticulture, South China Agricultural University, Guangzhou, Guangdong 510640, China",
  f"{RAW}: I101479585 South China Agricultural University", "trap vs South China University of Technology", oa="I101479585", kind="trap")
n("State Key Laboratory for Conservation and Utilization of Subtropical Agro-Bioresources, South China Agricultural University, Guangzhou, Guangdong 510640, China",
  f"{RAW}: I101479585 South China Agricultural University", oa="I101479585")
n("Oilseed Crops Institute, Hunan Agricultural University, Changsha 410128, China", f"{RAW}: I52180223 Hunan Agricultural University",
  "trap vs Hunan University", oa="I52180223", kind="trap")
n("School of Business Administration, Hebei University of Economic and Business, Shijiazhuang, China",
  f"{RAW}: I113992204 Hebei University of Economics and Business", "trap vs Hebei University (ASPI)", oa="I113992204", kind="trap")
n("School of Materials and Metallurgy, Wuhan University of Science and Technology, Wuhan 430081, China",
  f"{FX}: I43922553 Wuhan University of Science and Technology", "trap vs Wuhan University / Wuhan University of Technology",
  oa="I43922553", kind="trap")
n("Cheung Kong Graduate School of Business", f"{RAW}: I2592186 Cheung Kong Graduate School of Business", oa="I2592186")
n("Microsoft Research Asia", f"{RAW}: I4210113369 Microsoft Research Asia (China)", oa="I4210113369")
n("Microsoft Research Asia, Beijing 100080, China", f"{FX}: I4210113369 Microsoft Research Asia (China)", oa="I4210113369")
n("University of Chinese Academy of Sciences, Beijing, China", f"{RAW}: I4210165038 University of Chinese Academy of Sciences",
  "UCAS is on none of the lists in the bundled data", oa="I4210165038", kind="trap")
n("School of Physical Sciences, University of Chinese Academy of Sciences, Beijing 100049, China",
  f"{FX}: I4210165038 University of Chinese Academy of Sciences", oa="I4210165038", kind="trap")
n("Chinese Academy of Sciences, Beijing 100864, China", f"{FX}: I19820366 Chinese Academy of Sciences",
  "CAS as a whole is not on these list editions (ASPI added CAS only in Sept 2025)", oa="I19820366", kind="trap")
n("CAS Key Laboratory of Special Pathogens, Wuhan Institute of Virology, Center for Biosafety Mega-Science, Chinese Academy of Sciences, Wuhan, China",
  f"{RAW}: I4210106882 Wuhan Institute of Virology", "CAS institute not on any list", oa="I4210106882", kind="trap")
n("Chinese Academy of Sciences Key Laboratory of Pathogenic Microbiology and Immunology, Institute of Microbiology, Chinese Academy of Sciences, Beijing, China",
  f"{RAW}: I4210134982 Institute of Microbiology", "trap vs AMMS Institute of Microbiology and Epidemiology", oa="I4210134982", kind="trap")
n("Research Network of Immunity and Health (RNIH), Beijing Institutes of Life Science, Chinese Academy of Sciences, Beijing, China",
  f"{RAW}: I4210116191 Institutes of Science and Development", oa="I4210116191")
n("Hefei Institutes of Physical Science, Chinese Academy of Sciences, Hefei 230031, China",
  "china_entities_clean.csv BIS_UVL_CSL2022: Hefei Institutes of Physical Science, Chinese Academy of Sciences",
  "on the BIS Unverified List only (not a screened list)", kind="trap")
n("Shanghai Institute of Applied Physics, Chinese Academy of Sciences, Shanghai 201800, China",
  "china_entities_clean.csv BIS_UVL_CSL2022: Shanghai Institute of Applied Physics, Chinese Academy of Sciences",
  "on the BIS Unverified List only (not a screened list)", kind="trap")
n("Chinese Center for Disease Control and Prevention, Beijing, China", f"{RAW}: I184490438 Chinese Center For Disease Control and Prevention", oa="I184490438")
n("NHC Key Laboratory of Biosafety, National Institute for Viral Disease Control and Prevention, Chinese Center for Disease Control and Prevention, Beijing, China",
  f"{RAW}: I4210140986 National Institute for Viral Disease Control and Prevention", oa="I4210140986")
n("Department of Zoonosis, National Institute for Communicable Disease Control and Prevention, China Center for Disease Control and Prevention, Beijing, China",
  f"{RAW}: I4210146685 National Institute for Communicable Disease Control and Prevention", oa="I4210146685")
n("Hubei Provincial Center for Disease Control and Prevention, Wuhan, China", f"{RAW}: I4210103686 Hubei Provincial Center for Disease Control and Prevention", oa="I4210103686")
n("Wuhan Center for Disease Control and Prevention, Wuhan, China", f"{RAW}: I4210164603 Wuhan Center for Disease Control and Prevention", oa="I4210164603")
n("Guangdong Provincial Center of Disease Control and Prevention, Guangzhou, China", f"{RAW}: I4210152526 Guangdong Provincial Center for Disease Control and Prevention", oa="I4210152526")
n("Luohu District Center for Disease Control and Prevention, Shenzhen, Guangdong, 518020, People's Republic of China", f"{RAW}: I4210104954 Shenzhen Center for Disease Control and Prevention", oa="I4210104954")
n("National Institute of Parasitic Disease", f"{RAW}: I152333232 National Institute for Parasitic Diseases", oa="I152333232")
n("Yunnan Institute of Parsitic Disease", f"{RAW}: I4210122896 Yunnan Institute of Parasitic Diseases", "typo in the real string", oa="I4210122896")
n("Department of Tuberculosis and Respiratory Disease, Jinyintan Hospital, Wuhan, China", f"{RAW}: I3020662980 Jinyintan Hospital", oa="I3020662980")
n("Department of Pulmonary and Critical Care Medicine, Wuhan Pulmonary Hospital, Wuhan, China", f"{RAW}: I4210109004 Wuhan Pulmonary Hospital", oa="I4210109004")
n("Department of Radiology, China-Japan Friendship Hospital, Beijing, China", f"{RAW}: I2801051648 China-Japan Friendship Hospital", oa="I2801051648")
n("Clinical and Research Center of Infectious Diseases, Beijing Ditan Hospital, Capital Medical University, Beijing, China", f"{RAW}: I4210150338 Beijing Ditan Hospital", oa="I4210150338")
n("Department of Radiology, Beijing You'an Hospital, Capital Medical University, Beijing, China", f"{RAW}: I4210147332 Beijing YouAn Hospital", oa="I4210147332")
n("Department of Clinical Laboratory, The First People's Hospital of Foshan, Foshan, Guangdong, 528000, People's Republic of China", f"{RAW}: I4210105740 First People's Hospital of Foshan", oa="I4210105740")
n("Department of Clinical Laboratory, Shantou Central Hospital, Shantou, Guangdong, 515021, People's Republic of China", f"{RAW}: I4210139852 Shantou Central Hospital", oa="I4210139852")
n("Intensive Care Unit, Anhui Provincial Hospital, Hefei, China", f"{RAW}: I4210129412 Anhui Provincial Hospital", oa="I4210129412")
n("Department of Clinical Laboratory, Dongguan People's Hospital, Dongguan, Guangdong, 523059, China", f"{RAW}: I4210122949 Dongguan People’s Hospital", oa="I4210122949")
n("Central Theater, People's Liberation Army General Hospital, Wuhan, China", f"{RAW}: (work linked to I4210140986/I19820366)",
  "PLA hospital: not on any list in the bundled data (only the military medical universities are)", kind="trap")
# affiliated hospitals of listed universities: policy negatives (separate OpenAlex institution; lineage excludes the university)
POL = "policy: affiliated hospital is a separate institution (own ROR; OpenAlex lineage excludes the university)"
n("Department of Respiratory medicine, Zhongnan Hospital of Wuhan University, Wuhan, China", f"{RAW}: I4210120234 Zhongnan Hospital of Wuhan University", POL, oa="I4210120234", kind="trap")
n("Department of Pulmonary and Critical Care Medicine, Peking University First Hospital, Beijing, China", f"{RAW}: I4210130930 Peking University First Hospital", POL, oa="I4210130930", kind="trap")
n("Department of Respiratory and Critical Care Medicine, Ruijin Hospital, Shanghai Jiaotong University School of Medicine, Shanghai, China", f"{RAW}: I2801556517 Ruijin Hospital", POL, oa="I2801556517", kind="trap")
n("Department of Clinical Laboratory, Sun Yat-sen Memorial Hospital, Sun Yat-sen University, Guangzhou, Guangdong, 510120, People's Republic of China", f"{RAW}: I4210097354 Sun Yat-sen Memorial Hospital", POL, oa="I4210097354", kind="trap")
n("Tongji Hospital, Tongji Medical College, Huazhong University of Science and Technology, Wuhan, China", f"{RAW}: I4210160344 Tongji Hospital", POL, oa="I4210160344", kind="trap")
# Hong Kong / Taiwan / foreign
n("Department of Physics, University of Hong Kong, Pokfulam Road, Hong Kong", f"{FOR}: I889458895 University of Hong Kong", oa="I889458895", cc="HK")
n("Institute of Information Science, Academia Sinica, Taiwan", f"{RAW}: Institute of Information Science, Academia Sinica (TW)",
  "trap: 'Academia Sinica' is the old English name of CAS; Taiwan", kind="trap", cc="TW")
n("School of Electrical and Electronic Engineering, Nanyang Technological University, Singapore 639798", f"{FOR}: I172675005 Nanyang Technological University", oa="I172675005", cc="SG")
n("Naval Medical Research Command, Silver Spring, MD, USA", f"{FOR}: I1312537475 Naval Medical Research Command",
  "trap vs Naval Medical University", oa="I1312537475", kind="trap", cc="US")
n("Walter Reed Army Institute of Research, Silver Spring, MD 20910, USA", f"{FOR}: I92664306 Walter Reed Army Institute of Research",
  "trap vs Army Medical University / AMMS", oa="I92664306", kind="trap", cc="US")
n("Department of Physics, Nigerian Defence Academy, Kaduna, Nigeria", f"{FOR}: I33783412 Nigerian Defence Academy",
  "trap vs National Defense University", oa="I33783412", kind="trap", cc="NG")
n("Department of Physics, Massachusetts Institute of Technology, Cambridge, MA 02139, USA", f"{FOR}: I63966007 Massachusetts Institute of Technology", oa="I63966007", cc="US")
n("Division of Engineering and Applied Science, California Institute of Technology, Pasadena, CA 91125, USA",
  f"{FOR}: I122411786 California Institute of Technology", "trap vs Beijing/Harbin Institute of Technology", oa="I122411786", kind="trap", cc="US")
n("Seoul National University, Seoul, Republic of Korea", f"{FOR}: I139264467 Seoul National University", oa="I139264467", cc="KR")
n("Department of Cybernetics, Tallinn University of Technology, Tallinn, Estonia", f"{FOR}: I111112146 Tallinn University of Technology", oa="I111112146", cc="EE")
n("Applied Research Laboratories, The University of Texas at Austin, Austin, TX, USA",
  f"{FOR}: I4388482719 Applied Research Laboratories, The University of Texas at Austin", oa="I4388482719", cc="US")
n("Argonne National Laboratory, Lemont, IL 60439, USA", f"{FOR}: I1282105669 Argonne National Laboratory", oa="I1282105669", cc="US")
n("Department of Mechanical Engineering, University of Michigan, Ann Arbor, MI 48109, USA", f"{FOR}: I27837315 University of Michigan–Ann Arbor", oa="I27837315", cc="US")
n("Research School of Physics, Australian National University, Canberra, ACT 2601, Australia",
  f"{FOR}: I118347636 Australian National University", "trap vs National Defense University / NUDT ('National University')", oa="I118347636", kind="trap", cc="AU")
n("Department of Chemistry, Boston University, Boston, MA 02215, USA", f"{FOR}: I111088046 Boston University", oa="I111088046", cc="US")
n("Department of Physics, Cornell University, Ithaca, NY 14853, USA", f"{FOR}: I205783295 Cornell University", oa="I205783295", cc="US")
n("Department of Statistics, Colorado State University, Fort Collins, CO, USA", f"{FOR}: I92446798 Colorado State University", oa="I92446798", cc="US")
n("Department of Physics, Duke University, Durham, NC 27708, USA", f"{FOR}: I170897317 Duke University", oa="I170897317", cc="US")


# --- held-out split: written after the first resolver version had been scored on the dev rows ---
SPLIT[0] = "heldout"
for _k, _n in [("hfut", "Hefei University of Technology"), ("ysu", "Yanshan University"), ("xtu", "Xiangtan University"),
               ("suda", "Soochow University"), ("shu", "Shanghai University"), ("lzu", "Lanzhou University ("),
               ("kmust", "Kunming University of Science and Technology"), ("just", "Jiangsu University of Science and Technology"),
               ("dhu", "Donghua University"), ("ruc", "Renmin University"), ("cqupt", "Chongqing University of Posts and Telecommunications"),
               ("tongji", "Tongji University"), ("njnu", "Nanjing Normal University"), ("xmu", "Xiamen University"),
               ("fzu", "Fuzhou University"), ("usst", "University of Shanghai for Science and Technology"),
               ("ustb", "University of Science and Technology Beijing"), ("buct", "Beijing University of Chemical Technology"),
               ("ahu", "Anhui University"), ("swust", "Southwest University of Science and Technology"),
               ("usc_cn", "University of South China"), ("sdut", "Shandong University of Technology"), ("szu", "Shenzhen University"),
               ("ncu", "Nanchang University"), ("besti", "Beijing Electronic Science and Technology Institute"),
               ("ncst", "North China University of Science and Technology"), ("ciae", "North China Institute of Aerospace Engineering")]:
    ent(_k, _n.rstrip(" ("), ("aspi", _n + "*"))
ent("cqut", "Chongqing University of Technology", ("aspi", "Chongqing University of Technology*"),
    ("1286", "Chongqing University of Technology"))
for _k, _n, _n1286 in [("ncc", "Naval Command College", "Naval Command College"),
                       ("dna", "Dalian Naval Academy", "Dalian Naval Academy"),
                       ("nsa", "Navy Submarine Academy", "Naval Submarine Academy"),
                       ("seu_pla", "Space Engineering University", "Space Engineering University"),
                       ("aaaf", "Army Academy of Armored Forces", "Army Academy of Armored Forces"),
                       ("afewa", "Air Force Early Warning Academy", "Air Force Early Warning Academy"),
                       ("ccga", "China Coast Guard Academy", "China Coast Guard Academy")]:
    ent(_k, _n, ("aspi", _n + "*"), ("1286", _n1286))
ent("ciss", "Center for International Security and Strategy of Tsinghua University",
    ("1286", "Center for International Security and Strategy of Tsinghua University"), parent="tsinghua")
ent("xd_antenna", "Defense S&T Key Laboratory of Antennas and Microwave Technology at Xidian University",
    ("1286", "Defense S&T Key Laboratory of Antennas and Microwave Technology at Xidian University"), parent="xidian")
ent("szu_atr", "ATR Defense S&T Key Laboratory of Intelligent Information Processing at Shenzhen University",
    ("1286", "ATR Defense S&T Key Laboratory of Intelligent Information Processing at Shenzhen University"), parent="szu")
ent("niaot", "Nanjing Institute of Astronomical Optics and Technology", ("1286", "Nanjing Institute of Astronomical Optics and Technology"))
ent("lit", "Luoyang Institute of Science and Technology", ("1286", "Luoyang Institute of Science and Technology"),
    ("el26", "Luoyang Institute of Science and Technology"))
ent("cas_klqi", "Chinese Academy of Sciences, Key Laboratory for Quantum Information",
    ("el26", "Chinese Academy of Sciences, Key Laboratory for Quantum Information"),
    ("1286", "Chinese Academy of Sciences – Key Laboratory for Quantum Information"))
ent("cas_ceqi", "CAS Center for Excellence in Quantum Information and Quantum Physics",
    ("el26", "Chinese Academy of Science, Center for Excellence in Quantum Information and Quantum Physics"),
    ("1286", "Chinese Academy of Sciences – Center for Excellence in Quantum Information and Quantum Physics"))
ent("cas_csu", "CAS Technology and Engineering Center for Space Utilization",
    ("el26", "Chinese Academy of Sciences Technology and Engineering Center for Space Utilization"),
    ("1286", "Chinese Academy of Sciences – Technology and Engineering Center for Space Utilization"))
ent("casc771", "CASC 9th Academy 771 Research Institute",
    ("el26", "China Aerospace Science and Technology Corporation (CASC) 9th Academy 771 Research Institute"), parent="casc")
ent("cast502", "China Academy of Space Technology 502 Research Institute",
    ("el26", "China Academy of Space Technology 502 Research Institute"), parent="casc",
    why="ASPI lists 'China Academy of Space Technology (CAST)' among CASC's aliases")
ent("caeit", "China Academy of Electronics and Information Technology",
    ("el22", "China Academy of Electronics and Information Technology"),
    ("el26", "China Academy of Electronics and Information Technology"), parent="cetc", why="EL alias 'CETC CAEIT'")
ent("cssc", "China State Shipbuilding Corporation Limited", ("1260h", "China State Shipbuilding Corporation Limited"),
    ("cmic", "CHINA STATE SHIPBUILDING CORPORATION LIMITED"), ("aspi", "China State Shipbuilding Corporation*"))
ent("cssc7", "CSSC 7th Research Academy", ("el22", "China State Shipbuilding Corporation, Limited (CSSC) 7th Research Academy"),
    ("el26", "China State Shipbuilding Corporation, Limited (CSSC) 7th Research Academy"), parent="cssc")
ent("nscc_tj", "National Supercomputing Center Tianjin", ("el22", "National Supercomputing Center Tianjin (NSCC-TJ)"))
ent("nscc_jn", "National Supercomputing Center Jinan", ("el22", "National Supercomputing Center Jinan"))
ent("nscc_cs", "National Supercomputing Center Changsha", ("el22", "National Supercomputing Center Changsha (NSCC-CS)"))
ent("peac", "Peac Institute of Multiscale Science", ("el22", "Peac Institute of Multiscale Science"),
    ("aspi", "Chinese Academy of Engineering Physics*"), why="ASPI lists Peac Institute of Multiscale Science as a CAEP alias")
ent("shpic", "Shanghai High-Performance Integrated Circuit Design Center",
    ("el22", "Shanghai High-Performance Integrated Circuit Design Center"))
ent("swiet", "Southwest Research Institute of Electronics Technology", ("el22", "Southwest Research Institute of Electronics Technology"),
    parent="cetc", why="EL aliases: CETC 10th Research Institute")
ent("inspur", "Inspur Group Co., Ltd.", ("1260h", "Inspur Group Co., Ltd."), ("cmic", "INSPUR GROUP CO., LTD."))
ent("sugon", "Dawning Information Industry Co., Ltd. (Sugon)", ("1260h", "Dawning Information Industry Co., Ltd. (Sugon)"),
    ("1260h", "Dawning Information Industry Co., Ltd."), ("cmic", "DAWNING INFORMATION INDUSTRY CO., LTD"), ("el22", "Sugon"))
ent("cmcc", "China Mobile Communications Group Co., Ltd.", ("1260h", "China Mobile Communications Group Co., Ltd."),
    ("cmic", "CHINA MOBILE COMMUNICATIONS GROUP CO., LTD."))
ent("crrc", "CRRC Corporation Limited", ("1260h", "CRRC Corporation Limited"))
ent("catl", "Contemporary Amperex Technology Co., Ltd.", ("1260h", "Contemporary Amperex Technology Co., Ltd."))
ent("byd", "BYD Company Limited", ("1260h", "BYD Company Limited"))
ent("unitree", "Hangzhou Yushu Technology Co., Ltd.", ("1260h", "Hangzhou Yushu Technology Co., Ltd."))
ent("wuxiapptec", "WuXi AppTec Co., Ltd.", ("1260h", "WuXi AppTec Co., Ltd."))
ent("boe", "BOE Technology Group Company Limited", ("1260h", "BOE Technology Group Company Limited"))
ent("cmie", "China Marine Information Electronics Company Limited",
    ("cmic", "CHINA MARINE INFORMATION ELECTRONICS COMPANY LIMITED"),
    ("1260h", "China Marine Information Electronics Company Limited"))
ent("glarun", "GLARUN Technology Co., Ltd.", ("1260h", "GLARUN Technology Co., Ltd."))

p("hfut", "School of Electrical Engineering and Automation, Hefei University of Technology, Hefei 230009, China")
p("ysu", "State Key Laboratory of Metastable Materials Science and Technology, Yanshan University, Qinhuangdao 066004, China")
p("xtu", "School of Physics and Optoelectronics, Xiangtan University, Xiangtan 411105, Hunan, China")
p("suda", "College of Chemistry, Chemical Engineering and Materials Science, Soochow University, Suzhou 215123, China")
p("suda", "Suzhou University, Suzhou, Jiangsu, China", "ASPI alias")
p("shu", "School of Materials Science and Engineering, Shanghai University, Shanghai 200444, China",
  "trap vs Shanghai Jiao Tong / University of Shanghai for Science and Technology", kind="trap")
p("lzu", "School of Nuclear Science and Technology, Lanzhou University, Lanzhou 730000, China")
p("kmust", "Faculty of Metallurgical and Energy Engineering, Kunming University of Science and Technology, Kunming 650093, China")
p("just", "School of Naval Architecture and Ocean Engineering, Jiangsu University of Science and Technology, Zhenjiang 212003, China")
p("dhu", "College of Materials Science and Engineering, Donghua University, Shanghai 201620, China")
p("ruc", "School of Information, Renmin University of China, Beijing 100872, China")
p("cqupt", "School of Communication and Information Engineering, Chongqing University of Posts and Telecommunications, Chongqing 400065, China")
p("tongji", "School of Aerospace Engineering and Applied Mechanics, Tongji University, Shanghai 200092, China")
p("njnu", "School of Geography, Nanjing Normal University, Nanjing 210023, China", "trap vs Nanjing University", kind="trap")
p("xmu", "College of Chemistry and Chemical Engineering, Xiamen University, Xiamen 361005, China")
p("fzu", "College of Physics and Information Engineering, Fuzhou University, Fuzhou 350108, China")
p("usst", "School of Optical-Electrical and Computer Engineering, University of Shanghai for Science and Technology, Shanghai 200093, China")
p("ustb", "School of Materials Science and Engineering, University of Science and Technology Beijing, Beijing 100083, China",
  "trap vs University of Science and Technology of China", kind="trap")
p("buct", "College of Chemical Engineering, Beijing University of Chemical Technology, Beijing 100029, China")
p("ahu", "School of Physics and Optoelectronic Engineering, Anhui University, Hefei 230601, China",
  "contrast: Anhui Medical University is unlisted", kind="trap")
p("swust", "School of Materials and Chemistry, Southwest University of Science and Technology, Mianyang 621010, China")
p("usc_cn", "School of Nuclear Science and Technology, University of South China, Hengyang 421001, China",
  "trap vs South China University of Technology", kind="trap")
p("sdut", "School of Mechanical Engineering, Shandong University of Technology, Zibo 255049, China", "trap vs Shandong University", kind="trap")
p("szu", "College of Physics and Optoelectronic Engineering, Shenzhen University, Shenzhen 518060, China")
p("ncu", "School of Physics and Materials Science, Nanchang University, Nanchang 330031, China",
  "ASPI; also on the BIS Unverified List (not screened)", kind="trap")
p("besti", "Beijing Electronic Science and Technology Institute, Beijing 100070, China")
p("ncst", "College of Metallurgy and Energy, North China University of Science and Technology, Tangshan 063210, China")
p("ciae", "North China Institute of Aerospace Engineering, Langfang 065000, China")
p("cqut", "School of Mechanical Engineering, Chongqing University of Technology, Chongqing 400054, China",
  "trap vs Chongqing University", kind="trap")
p("ncc", "Naval Command College, Nanjing 210016, China")
p("dna", "Department of Navigation, Dalian Naval Academy, Dalian 116018, China")
p("nsa", "Navy Submarine Academy, Qingdao 266199, China")
p("seu_pla", "Space Engineering University, Beijing 101416, China")
p("aaaf", "Army Academy of Armored Forces, Beijing 100072, China")
p("afewa", "Air Force Early Warning Academy, Wuhan 430019, China")
p("ccga", "China Coast Guard Academy, Ningbo 315801, China")
p("ciss", "Center for International Security and Strategy, Tsinghua University, Beijing 100084, China")
p("xd_antenna", "National Key Laboratory of Antennas and Microwave Technology, Xidian University, Xi'an 710071, China",
  "1286 alias of the Defense S&T key lab; also names Xidian")
p("szu_atr", "ATR Key Laboratory of Intelligent Information Processing, Shenzhen University, Shenzhen 518060, China")
p("niaot", "Nanjing Institute of Astronomical Optics and Technology, Chinese Academy of Sciences, Nanjing 210042, China",
  "CAS institute listed on 1286 only")
p("lit", "Luoyang Institute of Science and Technology, Luoyang 471023, Henan, China")
p("cas_klqi", "CAS Key Laboratory of Quantum Information, University of Science and Technology of China, Hefei 230026, China",
  "names USTC too", kind="trap", also=("ustc",))
p("cas_ceqi", "CAS Center for Excellence in Quantum Information and Quantum Physics, Hefei 230026, China")
p("cas_csu", "Technology and Engineering Center for Space Utilization, Chinese Academy of Sciences, Beijing 100094, China")
p("casc771", "Xi'an Microelectronics Technology Institute, Xi'an 710065, China", "EL alias of CASC 9th Academy 771 Institute", kind="trap")
p("cast502", "Beijing Institute of Control Engineering, Beijing 100190, China", "EL alias of CAST 502 Institute", kind="trap")
p("caeit", "China Academy of Electronics and Information Technology, Beijing 100041, China")
p("cssc7", "China Ship Research and Development Academy, Beijing 100192, China", "EL alias of CSSC 7th Research Academy", kind="trap")
p("nscc_tj", "National Supercomputer Center in Tianjin, Tianjin 300457, China")
p("nscc_jn", "National Supercomputing Center in Jinan, Jinan 250101, China", "contrast: Jinan University is unlisted")
p("nscc_cs", "National Supercomputing Center in Changsha, Hunan University, Changsha 410082, China", "names Hunan University too",
  kind="trap", also=("hnu",))
p("peac", "Peac Institute of Multiscale Science, Chengdu 610031, China")
p("shpic", "Shanghai High-Performance Integrated Circuit Design Center, Shanghai 201204, China")
p("swiet", "Southwest Research Institute of Electronics Technology, Chengdu 610036, China")
p("inspur", "Inspur Electronic Information Industry Co., Ltd., Inspur Group, Jinan 250101, China")
p("sugon", "Dawning Information Industry Co., Ltd. (Sugon), Beijing 100193, China")
p("cmcc", "China Mobile Research Institute, China Mobile Communications Group Co., Ltd., Beijing 100053, China")
p("crrc", "CRRC Corporation Limited, Beijing 100078, China")
p("catl", "Contemporary Amperex Technology Co., Limited (CATL), Ningde 352100, China")
p("byd", "BYD Company Limited, Shenzhen 518118, China")
p("unitree", "Hangzhou Yushu Technology Co., Ltd., Hangzhou 310053, China")
p("wuxiapptec", "WuXi AppTec Co., Ltd., Shanghai 200131, China")
p("boe", "BOE Technology Group Co., Ltd., Beijing 100176, China")
p("cmie", "China Marine Information Electronics Company Limited, Beijing, China", "NS-CMIC; 1260H listing ended 2025-01-07", kind="trap")
p("glarun", "GLARUN Technology Co., Ltd., Nanjing, China", "1260H listing ended 2026-02-17: unlisted on as_of", kind="trap")
p("byd", "BYD Company Limited, Shenzhen 518118, China", "before 1260H listing (2026-06-08)", kind="trap", as_of="2026-01-15")
p("catl", "Contemporary Amperex Technology Co., Limited (CATL), Ningde 352100, China", "while on 1260H (since 2025-01-07)",
  as_of="2025-06-01")
UVL = "china_entities_clean.csv BIS_UVL_CSL2022"
n("School of Physics and Optoelectronic Engineering, Guangdong University of Technology, Guangzhou 510006, China",
  f"{UVL}: Guangdong University of Technology", "on the BIS Unverified List only (not screened)", kind="trap")
n("Department of Physics, Southern University of Science and Technology, Shenzhen 518055, China",
  f"{UVL}: Southern University of Science and Technology", "UVL only; look-alike of USTC / SCUT", kind="trap")
n("Anhui Institute of Metrology, Hefei, China", f"{UVL}: Anhui Institute of Metrology", "UVL only", kind="trap")
n("Department of Respiratory and Critical Care Medicine, Guangdong Provincial People's Hospital, Guangzhou, China",
  f"{FX}: I4210153930 Guangdong Provincial People's Hospital", oa="I4210153930")
n("Department of Emergency, Central Hospital of Wuhan, Wuhan 430014, China", f"{FX}: I4210143568 Central Hospital of Wuhan", oa="I4210143568")
n("National Institute for Parasitic Diseases, Chinese Center for Disease Control and Prevention, Shanghai 200025, China",
  f"{FX}: I152333232 National Institute for Parasitic Diseases", oa="I152333232")
n("Shenzhen Center for Disease Control and Prevention, Shenzhen 518055, China", f"{FX}: I4210104954 Shenzhen Center for Disease Control and Prevention", oa="I4210104954")
n("Department of Infectious Diseases, Guangzhou Eighth People's Hospital, Guangzhou 510060, China", f"{FX}: I4210156462 Guangzhou Eighth People's Hospital", oa="I4210156462")
n("Nanchang Center for Disease Control and Prevention, Nanchang, China", f"{FX}: I4210156122 Nanchang Center for Disease Control and Prevention",
  "contrast: Nanchang University / Nanchang Hangkong University are listed", oa="I4210156122", kind="trap")
n("Chengdu Center for Disease Control and Prevention, Chengdu 610041, China", f"{FX}: I4210132472 Chengdu Center for Disease Control and Prevention", oa="I4210132472")
n("State Key Laboratory of Respiratory Disease, Guangzhou 510120, China", f"{FX}: I4210154954 State Key Laboratory of Respiratory Disease",
  "generic 'State Key Laboratory' string", oa="I4210154954", kind="trap")
n("Center for Life Sciences, Beijing 100084, China", f"{FX}: I4210160507 Center for Life Sciences", oa="I4210160507")
n("Department of Physics, University of Cambridge, Cambridge CB3 0HE, UK", f"{FOR}: I241749 University of Cambridge", oa="I241749", cc="GB")
n("Department of Engineering Science, University of Oxford, Oxford OX1 3PJ, UK", f"{FOR}: I40120149 University of Oxford", oa="I40120149", cc="GB")
n("Department of Chemistry, University of Toronto, Toronto, ON M5S 3H6, Canada", f"{FOR}: I185261750 University of Toronto", oa="I185261750", cc="CA")
n("Department of Electrical and Computer Engineering, University of Illinois Urbana-Champaign, Urbana, IL 61801, USA",
  f"{FOR}: I157725225 University of Illinois Urbana-Champaign", oa="I157725225", cc="US")
n("Centre National de la Recherche Scientifique, Paris, France", f"{FOR}: I1294671590 Centre National de la Recherche Scientifique",
  "national research academy look-alike of CAS", oa="I1294671590", kind="trap", cc="FR")
n("Australian Nuclear Science and Technology Organisation, Lucas Heights, NSW 2234, Australia",
  f"{FOR}: I1334950195 Australian Nuclear Science and Technology Organisation", "trap vs Northwest Institute of Nuclear Technology",
  oa="I1334950195", kind="trap", cc="AU")
n("Singapore University of Technology and Design, Singapore 487372", f"{FOR}: I152815399 Singapore University of Technology and Design",
  oa="I152815399", cc="SG")
n("Department of Physics, University of Washington, Seattle, WA 98195, USA", f"{FOR}: I201448701 University of Washington", oa="I201448701", cc="US")
p("swiet", "10th Research Institute of China Electronic Technology Group Corp, Chengdu 610036, China", "EL alias; parent CETC")

# ---------------------------------------------------------------------------------------------

def find_list_dir(arg: str | None) -> Path:
    """The directory holding china_entities_clean.csv and raw/misp_galaxy_aspi/."""
    for d in ([Path(arg)] if arg else LIST_DIR_CANDIDATES):
        if (d / "china_entities_clean.csv").exists():
            return d
    sys.exit("china_entities_clean.csv not found; pass --lists-dir")


def load_rows(list_dir: Path) -> list[dict]:
    """All list rows of the clean table, with parsed ASPI flags."""
    with open(list_dir / "china_entities_clean.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["_flags"] = set(re.findall(r"SEVEN_SONS|SASTIND_SUPERVISED", r["notes"])) if r["source"] == "ASPI_unitracker_2020" else set()
    return rows


def edition_ok(r: dict, as_of: date) -> tuple[bool, str]:
    """Whether a list row counts on ``as_of`` under the edition rules; returns (ok, edition label)."""
    src = r["source"]
    if src == "DoD_1260H":
        start = date.fromisoformat(r["date_added"])
        end = date.fromisoformat(r["date_removed"]) if r["date_removed"] else None
        ok = start <= as_of and (end is None or end > as_of)
        return ok, f"1260H listing {r['date_added']}..{r['date_removed'] or 'open'}"
    if src == "DoD_1286":
        fys = [fy for fy, d in FY1286.items() if d <= as_of]
        newest = max(fys) if fys else None
        return r["list_version_date"] == newest, f"FY{r['list_version_date']}"
    if src == "BIS_EL_universities_2026":
        return as_of >= date(2026, 3, 30), "bis.gov scrape 2026-03-30"
    if src in ("BIS_EL_CSL2022", "BIS_MEU_CSL2022", "OFAC_NS_CMIC_CSL2022"):
        return True, "CSL snapshot 2022"
    if src == "ASPI_unitracker_2020":
        return True, "2019 tracker (MISP 2020-08-21)"
    return False, ""


def match(rows: list[dict], code: str, pat: str) -> list[dict]:
    """List rows of source ``code`` whose name equals ``pat`` (or starts with it if it ends in *)."""
    src = SOURCES[code][0]
    if pat.endswith("*"):
        hits = [r for r in rows if r["source"] == src and r["name"].strip().startswith(pat[:-1])]
    else:
        hits = [r for r in rows if r["source"] == src and norm(r["name"]) == norm(pat)]
    if not hits or len({norm(r["name"]) for r in hits}) > 1 and code != "1260h":
        raise SystemExit(f"ref {code}:{pat!r} matched {sorted({r['name'] for r in hits})}")
    return hits


def memberships(rows: list[dict], key: str, as_of: date, seen: set | None = None) -> tuple[set, list[str], set]:
    """(list keys, label_source parts, entity names) of entity ``key`` on ``as_of``, incl. parents."""
    seen = seen or set()
    e = E[key]
    keys: set[str] = set()
    srcs: list[str] = []
    names: set[str] = {e.name}
    for code, pat in e.refs:
        for r in match(rows, code, pat):
            ok, ed = edition_ok(r, as_of)
            if not ok:
                continue
            lk = SOURCES[code][1]
            keys.add(lk)
            if "SEVEN_SONS" in r["_flags"]:
                keys.add("seven_sons")
            if "SASTIND_SUPERVISED" in r["_flags"]:
                keys.add("sastind")
            tag = "+".join([lk] + sorted(f.lower() for f in r["_flags"]))
            srcs.append(f"{r['raw_file'].split('/')[-1]} [{tag}] {r['name'].strip()} ({ed})")
            names.add(re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)\s*$", "", r["name"].strip()))
    if e.why:
        srcs.append(f"note: {e.why}")
    if e.parent and e.parent not in seen:
        pk, ps, pn = memberships(rows, e.parent, as_of, seen | {key})
        keys |= pk
        srcs += [f"via parent {E[e.parent].name}: {s}" for s in ps]
        names |= pn
    return keys, srcs, names


def audit(rows: list[dict]) -> None:
    """Print list rows whose name or alias equals a name of a labelled entity on a list key that the
    entity's computed memberships lack (a check that no membership was missed)."""
    d = date.fromisoformat(DEFAULT_AS_OF)
    by_name: dict[str, list[tuple[str, set[str]]]] = {}
    canonical = {norm(e.name): k for k, e in E.items()}
    for k in E:
        keys, _, names = memberships(rows, k, d)
        for nm in {E[k].name} | {nm for c, pat in E[k].refs for nm in [pat.rstrip("*")]}:
            if canonical.get(norm(nm), k) != k:  # a ref to another entity's row (alias relation)
                continue
            if len(norm(nm)) > 6:
                by_name.setdefault(norm(nm), []).append((k, keys))
    src2key = {v[0]: v[1] for v in SOURCES.values()}
    for r in rows:
        lk = src2key.get(r["source"])
        if not lk or not edition_ok(r, d)[0]:
            continue
        cands = [r["name"]] + [a for a in re.split(r";\s*", r["aliases"]) if a]
        for c in cands:
            c = re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)\s*$", "", c)
            for k, keys in by_name.get(norm(c), []):
                if lk not in keys:
                    print(f"AUDIT {k}: {c!r} is a name/alias of {r['source']} row {r['name'][:70]!r} but {lk} not in {sorted(keys)}")


def build(list_dir: Path) -> list[dict]:
    """Compute the labelled rows."""
    rows = load_rows(list_dir)
    fx = {}
    with open(list_dir.parent / FIXTURE_CSV if (list_dir.parent / FIXTURE_CSV).exists()
              else Path("/work/shared/data") / FIXTURE_CSV, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            fx[r["openalex_id"].rsplit("/", 1)[-1]] = r["ror"].rsplit("/", 1)[-1]
    foreign_ror = {"I111979921": "000e0be47", "I165932596": "01tgyzw49", "I889458895": "02zhqgq86",
                   "I172675005": "02e7b5302", "I1312537475": "05f421b09", "I92664306": "0145znz58",
                   "I33783412": "02nt7a109", "I63966007": "042nb2s44", "I122411786": "05dxps055",
                   "I139264467": "04h9pn542", "I111112146": "0443cwa12", "I4388482719": "053wph561",
                   "I1282105669": "05gvnxz63", "I27837315": "00jmfr291", "I118347636": "019wvm592",
                   "I111088046": "05qwgg493", "I205783295": "05bnh6r87", "I92446798": "03k1gpj17",
                   "I170897317": "00py81415", "I241749": "013meh722", "I40120149": "052gg0110",
                   "I185261750": "03dbr7087", "I157725225": "047426m28", "I1294671590": "02feahw73",
                   "I1334950195": "05j7fep28", "I152815399": "05j6fvn87", "I201448701": "00cvxb145"}
    out = []
    for i, (key, text, kind, note, oa, cc, as_of, nsrc, also, split) in enumerate(R, 1):
        d = date.fromisoformat(as_of)
        if key:
            keys, srcs, names = memberships(rows, key, d)
            for other in also:  # a second listed entity named in the same string
                ok, os_, on = memberships(rows, other, d)
                keys |= ok
                srcs += [f"also names {E[other].name}: {s}" for s in os_]
                names |= on
            if not keys:
                kind_note = "not listed on as_of"
                nsrc = nsrc or f"{E[key].name}: no list row active on {as_of}"
                note = f"{note}; {kind_note}" if note else kind_note
            ent_name = E[key].name if keys else ""
        else:
            keys, srcs, names, ent_name = set(), [], set(), ""
        if kind == "positive" and not keys:
            raise SystemExit(f"row {i} labelled positive but no membership: {text}")
        if kind == "negative" and keys:
            raise SystemExit(f"row {i} labelled negative but listed: {text}")
        out.append({
            "id": f"L{i:03d}", "text": text, "openalex_id": oa, "ror": fx.get(oa) or foreign_ror.get(oa, ""),
            "country_code": cc, "expected_lists": ";".join(sorted(keys)), "expected_entity": ent_name,
            "as_of": as_of, "kind": kind, "note": note,
            "label_source": " | ".join(srcs) if srcs else nsrc,
            "entity_names": " | ".join(sorted(names)) if keys else "",
            "split": split,
        })
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists-dir")
    ap.add_argument("--audit", action="store_true")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    list_dir = find_list_dir(a.lists_dir)
    if a.audit:
        audit(load_rows(list_dir))
        return
    out = build(list_dir)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(out)
    from collections import Counter
    print(f"wrote {len(out)} rows to {a.out}: {dict(Counter(r['kind'] for r in out))}")
    c = Counter(k for r in out for k in r["expected_lists"].split(";") if k)
    print("positives per list:", dict(sorted(c.items())))


if __name__ == "__main__":
    main()
