"""Report tables, manifest (never the key), rebuild without refetching, and run diffs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from biblio.cli import main
from biblio.errors import ReportError
from biblio.pipeline import run_query
from biblio.query import load_query
from biblio.report import diff_runs, headline, latest_run, rebuild, tech_areas
from biblio.report.tables import by_agency
from biblio.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SECRET = "sk-test-secret-key-0000"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    s = Settings(api_key=SECRET, cache_dir=out / "cache")
    return run_query(load_query(REPO / "queries" / "demo.toml"), settings=s, output_dir=out, run_id="a", as_of=dt.date(2026, 11, 1)).run_dir


def test_outputs_exist(run: Path) -> None:
    for name in ("headline", "by_year", "by_agency", "by_institution", "by_list", "list_by_agency", "tech_areas", "evidence"):
        assert (run / "report" / f"{name}.csv").exists() and (run / "report" / f"{name}.parquet").exists(), name
    assert (run / "report" / "report.xlsx").stat().st_size > 5000
    for plot in ("by_year", "by_agency", "top_institutions", "list_by_agency", "tech_areas"):
        assert (run / "report" / "plots" / f"{plot}.png").exists() and (run / "report" / "plots" / f"{plot}.svg").exists()
    assert latest_run(run.parent.parent, "demo") == run


def test_manifest_records_the_run_and_never_the_key(run: Path) -> None:
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["query_sha256"] == load_query(REPO / "queries" / "demo.toml").file_sha256
    assert m["synthetic_data_present"] is True and m["synthetic_records"] == m["counts"]["works"]
    assert m["data_source"] == "snapshot" and {e["list_key"] for e in m["list_editions"]} >= {"1286", "1260h", "aspi"}
    assert m["settings"]["api_key_set"] is True and "api_key" not in m["settings"]
    for p in run.rglob("*"):
        if p.is_file() and p.suffix in {".json", ".csv", ".html", ".svg"}:
            assert SECRET not in p.read_text(encoding="utf-8", errors="ignore"), p


def test_headline_and_agency_tables(run: Path) -> None:
    h = pl.read_parquet(run / "report" / "headline.parquet")
    v = dict(zip(h["measure"], h["value"]))
    assert v["papers_in_scope"] == pl.read_parquet(run / "tables" / "works.parquet").height
    assert 0 < v["papers_defense_linked_at_publication"] <= v["papers_defense_linked_any_edition"] <= v["papers_in_scope"]
    assert v["sum_distinct_award_amounts"] is None
    assert "not available" in h.filter(pl.col("measure") == "sum_distinct_award_amounts")["note"][0]
    ag = pl.read_parquet(run / "report" / "by_agency.parquet")
    assert ag.filter(pl.col("agency") == "AFOSR")["via_award_prefix"][0] >= 1  # generic DoD + FA9550


def test_tech_area_mapping_is_data(run: Path) -> None:
    from biblio.resolve import ResolveResult
    from biblio.tables import WorksTables

    t = WorksTables.read(run / "tables")
    r = ResolveResult(flags=pl.read_parquet(run / "tables" / "flags.parquet"), affiliations=pl.read_parquet(run / "tables" / "affiliations.parquet"))
    custom = tech_areas(t, r, mapping={"only_quantum": ["quantum"]})
    assert custom["area"].to_list() == ["only_quantum"] and custom["papers"][0] > 0
    assert_frame_equal(by_agency(t, r), pl.read_parquet(run / "report" / "by_agency.parquet"))
    assert headline(t, r)["measure"].to_list()[0] == "papers_in_scope"


def test_rebuild_regenerates_the_report_from_stored_tables(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "report")
    (copy / "report.html").unlink()
    rebuild(copy)
    assert (copy / "report.html").exists()
    assert_frame_equal(pl.read_parquet(copy / "report" / "evidence.parquet"), pl.read_parquet(run / "report" / "evidence.parquet"))
    r = CliRunner().invoke(main, ["report", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "not a run directory" in r.output


def test_diff_lists_new_removed_and_changed(run: Path, tmp_path: Path) -> None:
    b = tmp_path / "b"
    shutil.copytree(run, b)
    flags = pl.read_parquet(b / "tables" / "flags.parquet")
    works = pl.read_parquet(b / "tables" / "works.parquet")
    gone_work = works["work_id"][0]
    changed = flags.filter(pl.col("work_id") != gone_work).row(0, named=True)
    flags = flags.filter(pl.col("work_id") != gone_work).with_columns(
        pl.when((pl.col("work_id") == changed["work_id"]) & (pl.col("entity_key") == changed["entity_key"]) & (pl.col("author_index") == changed["author_index"]) & (pl.col("list_key") == changed["list_key"]))
        .then(pl.lit(not changed["listed_now"])).otherwise(pl.col("listed_now")).alias("listed_now")
    )
    flags.write_parquet(b / "tables" / "flags.parquet")
    works.filter(pl.col("work_id") != gone_work).write_parquet(b / "tables" / "works.parquet")
    d = diff_runs(run, b)
    assert d.filter((pl.col("kind") == "paper") & (pl.col("change") == "removed"))["work_id"].to_list() == [gone_work]
    ch = d.filter(pl.col("change") == "changed")
    assert ch.height == 1 and "listed_now" in ch["detail"][0]
    assert diff_runs(run, run).height == 0
    out = CliRunner().invoke(main, ["diff", str(run), str(b), "--out", str(tmp_path / "d.csv")])
    assert out.exit_code == 0 and (tmp_path / "d.csv").exists()
    with pytest.raises(ReportError, match="manifest.json: missing"):
        (tmp_path / "empty").mkdir()
        diff_runs(run, tmp_path / "empty")
