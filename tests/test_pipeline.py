"""End to end on the embedded offline default: query file → snapshot → tables → resolve → report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from biblio.cli import main
from biblio.pipeline import run_query
from biblio.query import load_query

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    result = run_query(load_query(REPO / "queries" / "synthetic.toml"), output_dir=out, run_id="r1", as_of=dt.date(2026, 11, 1))
    assert result.run_dir == out / "synthetic" / "r1"
    return result.run_dir


def test_demo_writes_the_works_tables_and_flags(demo_run: Path) -> None:
    for name in ("works", "authorships", "authorship_institutions", "funders", "awards", "flags", "affiliations"):
        assert (demo_run / "tables" / f"{name}.parquet").exists(), name
    works = pl.read_parquet(demo_run / "tables" / "works.parquet")
    assert works.height > 0
    # Only synthetic records pass the DoD filter offline, and they say so.
    assert works["is_synthetic"].all()
    assert works["title"].str.starts_with("[SYNTHETIC]").all()


def test_every_flag_carries_its_evidence(demo_run: Path) -> None:
    flags = pl.read_parquet(demo_run / "tables" / "flags.parquet")
    assert flags.height > 0
    for col in ("author_name", "list_key", "list_name", "list_edition", "entity_key", "entity_name", "method", "score", "matched_text"):
        assert flags[col].null_count() == 0, col
    # an ID-less flag must have come from the raw string, and show it
    raw = flags.filter(pl.col("institution_id").is_null())
    assert (raw["method"].is_in(["raw_string", "fuzzy"])).all()
    assert raw["raw_affiliation_string"].null_count() == 0
    assert flags["method"].is_in(["id", "ror", "exact", "strong_alias", "parent", "raw_string", "fuzzy"]).all()


def test_manifest_and_report(demo_run: Path) -> None:
    manifest = json.loads((demo_run / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    assert "synthetic" in text.lower()
    html = (demo_run / "report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" in html
    assert "<img" in html or "<svg" in html


def test_cli_run_refuses_to_overwrite_a_run(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["run", str(REPO / "queries" / "synthetic.toml"), "--out", str(tmp_path), "--run-id", "same", "--no-progress"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "SYNTHETIC DATA PRESENT" in first.output
    second = runner.invoke(main, args)
    assert second.exit_code == 1
    assert "already exists" in second.output
    assert (tmp_path / "synthetic" / "same" / "report.html").exists()


def test_resolving_in_chunks_gives_the_one_call_result(tmp_path: Path) -> None:
    from polars.testing import assert_frame_equal

    from biblio.pipeline import resolve_tables
    from biblio.resolve import resolve
    from biblio.snapshot import fetch_snapshot
    from biblio.tables import flatten

    q = load_query(REPO / "queries" / "demo.toml")
    t = flatten(fetch_snapshot(q).records)
    t.write(tmp_path)
    one = resolve(t, scope=q.scope, as_of=dt.date(2026, 11, 1))
    chunked = resolve_tables(tmp_path, chunk=7, scope=q.scope, as_of=dt.date(2026, 11, 1))
    assert one.flags.height > 50
    assert_frame_equal(chunked.flags, one.flags)
    assert_frame_equal(chunked.affiliations, one.affiliations)


def test_every_long_step_shows_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_query(load_query(REPO / "queries" / "synthetic.toml"), output_dir=tmp_path, run_id="p", as_of=dt.date(2026, 11, 1), progress=True)
    err = capsys.readouterr().err
    for step in ("scan", "merge (newest copy wins)", "resolve", "stage tables", "report"):
        assert step in err, (step, err[-800:])
    assert "flagged papers" in err  # the report bar ends with what it wrote


def test_the_matcher_is_frozen_out_of_the_collector_and_a_run_unfreezes(tmp_path: Path) -> None:
    """The matcher built beside the scan is frozen as soon as it exists (no collection walks its
    objects while the scan threads wait for the lock), the collector stays on, and a run leaves
    nothing frozen behind."""
    import gc

    from biblio.pipeline import _frozen_matcher
    from biblio.settings import Settings

    try:
        m = _frozen_matcher(apply=["entity_list"], cache_dir=None)
        assert gc.isenabled() and gc.get_freeze_count() > 10_000
        assert not any(o is m or o is m.g for o in gc.get_objects())  # in the permanent generation
    finally:
        gc.unfreeze()
    run_query(load_query(REPO / "queries" / "synthetic.toml"), settings=Settings(api_key="sk-test", cache_dir=tmp_path / "cache"), output_dir=tmp_path, run_id="r", as_of=dt.date(2026, 11, 1))
    assert gc.isenabled() and gc.get_freeze_count() == 0
