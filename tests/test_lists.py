"""The entity lists as data: editions, memberships, aliases, crosswalk, validation."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from biblio.errors import ListDataError
from biblio.lists import load_lists, lists_summary
from biblio.lists.loader import DATA_DIR

REPO = Path(__file__).resolve().parent.parent
LS = load_lists()


def ent(list_key: str, name: str) -> dict:
    rows = LS.entities.filter((pl.col("list_key") == list_key) & (pl.col("name") == name))
    assert rows.height == 1, (list_key, name)
    return rows.row(0, named=True)


def test_every_list_has_editions_with_dates_and_provenance() -> None:
    s = lists_summary()
    assert set(s["list_key"]) == {"entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind"}
    assert s["edition_date"].null_count() == 0 and (s["entities"] > 0).all()
    assert LS.editions["licence"].null_count() == 0 and LS.editions["staleness_note"].null_count() == 0
    assert s.filter(pl.col("list_key") == "1286")["edition"].to_list() == ["FY2022", "FY2023", "FY2024", "FY2025"]


def test_1260h_membership_follows_start_and_end_dates() -> None:
    counts = dict(lists_summary().filter(pl.col("list_key") == "1260h").select("edition", "entities").iter_rows())
    assert counts["2024-01-31"] < counts["2025-01-07"] < counts["2026-06-08"]
    removed = LS.memberships.filter(pl.col("list_key") == "1260h").group_by("entity_key").agg(pl.col("end_date").max())
    ended = removed.filter(pl.col("end_date").is_not_null())["entity_key"].to_list()
    assert ended, "the data has removals"
    after = LS.listed_as_of(dt.date(2026, 11, 1), lists=["1260h"])
    assert not set(ended) & set(after["entity_key"])


def test_listed_as_of_before_the_first_edition_is_empty() -> None:
    assert LS.listed_as_of(dt.date(2019, 1, 1)).height == 0
    assert LS.listed_as_of(dt.date(2023, 7, 1), lists=["1286"])["edition"].unique().to_list() == ["FY2022"]


def test_key_institutions_and_aliases() -> None:
    assert ent("seven_sons", "Beihang University")["aspi_risk"] == "Very high"
    assert "BUAA" in ent("entity_list", "Beijing University of Aeronautics and Astronautics")["strong_aliases"]
    assert "NUDT" in ent("1286", "National University of Defense Technology")["strong_aliases"]
    assert LS.entities.filter(pl.col("list_key") == "seven_sons").height == 7
    amms = ent("1286", "Academy of Military Medical Sciences, Institute of Bioengineering")
    assert amms["parent_key"] == "academy-of-military-medical-sciences"


def test_talent_programmes_are_kept_apart() -> None:
    talent = json.loads((DATA_DIR / "1286_talent_programs.json").read_text(encoding="utf-8"))
    names = {e["name"] for e in talent["entities"]}
    assert names and not names & set(LS.entities.filter(pl.col("list_key") == "1286")["name"])


def test_crosswalk_ids_are_well_formed_and_unambiguous() -> None:
    xw = pl.read_csv(DATA_DIR / "crosswalk.csv")
    assert xw["openalex_id"].str.contains(r"^I\d+$").all() and (xw["ror"].str.len_chars() == 9).all()
    per_id = xw.group_by("openalex_id").agg(pl.col("openalex_display_name").n_unique())
    assert (per_id["openalex_display_name"] == 1).all()
    hit = LS.entities.filter(pl.col("openalex_ids").list.contains("I204983213"))
    assert set(hit["list_key"]) >= {"seven_sons", "aspi", "1286", "entity_list"}


def test_loader_rejects_bad_data(tmp_path: Path) -> None:
    bad = tmp_path / "lists"
    shutil.copytree(DATA_DIR, bad)
    data = json.loads((bad / "seven_sons.json").read_text(encoding="utf-8"))
    data["entities"][1]["strong_aliases"].append(data["entities"][0]["name"])
    (bad / "seven_sons.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ListDataError, match="seven_sons.json: strong alias .* is claimed by"):
        load_lists(bad)
    (bad / "seven_sons.json").write_text("{", encoding="utf-8")
    with pytest.raises(ListDataError, match="corrupt list data"):
        load_lists(bad)


def test_build_script_reproduces_the_data_files(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in DATA_DIR.glob("*.json")}
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_lists.py")], check=True, capture_output=True, cwd=REPO)
    after = {p.name: p.read_bytes() for p in DATA_DIR.glob("*.json")}
    assert before == after


def test_csl_updater_reproduces_the_bundled_csl_lists(tmp_path: Path) -> None:
    from biblio.lists.update import update_from_csl

    src = REPO / "biblio" / "lists" / "raw" / "moov_watchman_csl_consolidated.csv.gz"
    written = update_from_csl(src, out_dir=tmp_path, edition="CSL-2022", edition_date="2022-05-16")
    assert sorted(p.name for p in written) == ["entity_list.json", "meu.json", "ns_cmic.json"]
    for p in written:
        assert p.read_bytes() == (DATA_DIR / p.name).read_bytes(), p.name


def test_csl_updater_labels_a_new_edition_and_rejects_other_files(tmp_path: Path) -> None:
    import gzip

    from biblio.errors import InputFileError
    from biblio.lists.update import update_from_csl

    src = REPO / "biblio" / "lists" / "raw" / "moov_watchman_csl_consolidated.csv.gz"
    text = gzip.decompress(src.read_bytes()).decode("utf-8")
    lines = text.splitlines(keepends=True)
    sample = tmp_path / "sample.csv"
    sample.write_text(lines[0] + "".join(ln for ln in lines[1:] if "Beijing University of Aeronautics" in ln or "CMIC" in ln), encoding="utf-8")
    update_from_csl(sample, out_dir=tmp_path / "out", edition_date="2026-11-01")
    el = json.loads((tmp_path / "out" / "entity_list.json").read_text(encoding="utf-8"))
    eds = [e["edition"] for e in el["editions"]]
    assert eds[-1] == "CSL-2026-11-01" and {"CSL-2022", "CSL-2026-07-31"} <= set(eds), "a new edition beside the bundled ones"
    new = [e for e in el["entities"] if "CSL-2026-11-01" in e["editions"]]
    assert new and all(e["name"].startswith("Beijing University of Aeronautics") for e in new)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing CSL columns"):
        update_from_csl(other, out_dir=tmp_path / "x")


def test_2026_csl_edition_beside_2022() -> None:
    s = lists_summary()
    for key in ("entity_list", "ns_cmic", "meu"):
        eds = s.filter(pl.col("list_key") == key)
        assert {"CSL-2022", "CSL-2026-07-31"} <= set(eds["edition"]), key
    counts = dict(s.filter(pl.col("list_key") == "entity_list").select("edition", "entities").iter_rows())
    assert counts["CSL-2026-07-31"] > 2 * counts["CSL-2022"]
    el = LS.entities.filter(pl.col("list_key") == "entity_list")
    assert not el["name"].str.contains(r"^Address \d+$").any(), "address-only stubs are dropped"


def test_2026_csl_dates_come_from_federal_register_citations() -> None:
    from biblio.lists.csl import fr_year

    assert fr_year("90 FR 4617, 89 FR 41888") == 2024 and fr_year("") is None
    zhipu = LS.entities.filter((pl.col("list_key") == "entity_list") & pl.col("name").str.starts_with("Beijing Zhipu Huazhang"))
    assert zhipu["first_listed_year"].to_list() == [2025]
    key = zhipu["entity_key"][0]
    on = lambda day: key in set(LS.listed_as_of(day, lists=["entity_list"])["entity_key"])  # noqa: E731
    assert on(dt.date(2026, 8, 1)) and not on(dt.date(2023, 1, 1))
    gone = LS.entities.filter((pl.col("list_key") == "entity_list") & (pl.col("name") == "54th Research Institute of China"))["entity_key"][0]
    assert gone in set(LS.listed_as_of(dt.date(2023, 1, 1), lists=["entity_list"])["entity_key"])
    assert gone not in set(LS.listed_as_of(dt.date(2026, 8, 1), lists=["entity_list"])["entity_key"])


def test_2026_edition_merges_renamed_rows_of_2022() -> None:
    """'X Co., Ltd., Chengdu, Sichuan' (2022) and 'X Co., Ltd.' (2026) are one entity."""
    rows = LS.memberships.filter((pl.col("list_key") == "entity_list") & pl.col("entity_key").str.starts_with("chengdu-huawei-technologies"))
    assert rows["entity_key"].n_unique() == 1 and {"CSL-2022", "CSL-2026-07-31"} <= set(rows["edition"])


def test_csl_updater_reads_the_2026_projection(tmp_path: Path) -> None:
    from biblio.lists.update import update_from_csl

    src = REPO / "biblio" / "lists" / "raw" / "csl_2026-07-31_screening-list.json.gz"
    written = update_from_csl(src, out_dir=tmp_path, edition="CSL-2026-07-31", edition_date="2026-07-31")
    for p in written:
        assert p.read_bytes() == (DATA_DIR / p.name).read_bytes(), p.name
