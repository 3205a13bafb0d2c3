"""Report tables from lazy plans (issue 11): the scratch-backed context gives the same tables as
the in-memory one, and per-paper tables written in parts equal the table written whole. SYNTHETIC data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from biblio.pipeline import run_query
from biblio.query import load_query
from biblio.report.run import PART_TABLES, STAGE_TABLES, report_inputs, write_frame, write_in_parts, write_parts
from biblio.report.tables import award_view, award_view_parts, iter_tables, report_context
from biblio.resolve import ResolveResult
from biblio.settings import Settings
from biblio.tables import WorksTables

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The labelled SYNTHETIC sample."""
    out = tmp_path_factory.mktemp("runs")
    s = Settings(api_key="sk-test", cache_dir=out / "cache")
    return run_query(load_query(REPO / "queries" / "synthetic.toml"), settings=s, output_dir=out, run_id="a", as_of=dt.date(2026, 11, 1)).run_dir


def test_scratch_context_gives_the_in_memory_tables(run: Path, tmp_path: Path) -> None:
    t = WorksTables.read(run / "tables")
    r = ResolveResult(flags=pl.read_parquet(run / "tables" / "flags.parquet"), affiliations=pl.read_parquet(run / "tables" / "affiliations.parquet"))
    eager = dict(iter_tables(report_context(t, r)))
    frames = {n: pl.scan_parquet(run / "tables" / f"{n}.parquet") for n in STAGE_TABLES}
    lt, lr = report_inputs(frames, scratch=tmp_path / "s")
    assert isinstance(lt.works, pl.LazyFrame) and isinstance(lr.flags, pl.LazyFrame)  # nothing per work is collected
    lazy = dict(iter_tables(report_context(lt, lr, scratch=tmp_path / "s")))
    assert list(lazy) == list(eager) and isinstance(lazy["evidence"], pl.LazyFrame)
    assert eager["evidence"].height > 0 and eager["evidence_flags"].height > eager["evidence"].height
    for name, df in lazy.items():
        assert_frame_equal(df.collect() if isinstance(df, pl.LazyFrame) else df, eager[name], check_exact=True)
    assert {p.name for p in (tmp_path / "s").iterdir()} >= {"flags.parquet", "classes.parquet", "authorship_institutions.parquet"}


@pytest.mark.parametrize("name", sorted(PART_TABLES))
def test_tables_written_in_parts_equal_the_whole(run: Path, tmp_path: Path, name: str) -> None:
    frames = {n: pl.scan_parquet(run / "tables" / f"{n}.parquet") for n in STAGE_TABLES}
    t, r = report_inputs(frames, scratch=tmp_path / "s")
    plan = dict(iter_tables(report_context(t, r, scratch=tmp_path / "s")))[name]
    key, by = PART_TABLES[name]
    n_keys = plan.select(pl.col(key).n_unique()).collect().item()
    assert n_keys > 3
    write_frame(plan, tmp_path / "whole" / name)
    write_in_parts(plan, tmp_path / "parts" / name, key=key, by=by, keys_per_part=3)  # many parts of 3 papers
    assert_frame_equal(pl.read_parquet(tmp_path / "parts" / f"{name}.parquet"), pl.read_parquet(tmp_path / "whole" / f"{name}.parquet"))
    assert (tmp_path / "parts" / f"{name}.csv").read_bytes() == (tmp_path / "whole" / f"{name}.csv").read_bytes()
    assert not list((tmp_path / "parts").glob(".*-parts"))  # the parts are removed


@pytest.mark.parametrize("limit", [0, 10**9])
def test_small_runs_keep_the_shared_frames_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Above IN_MEMORY_REPORT_WORKS the report's shared frames go through Parquet scratch files
    and freed memory is given back between stages (before and after resolve, twice in the
    report); at or below it the frames stay in memory and nothing is released; the report is
    byte-identical either way."""
    import biblio.engines
    import biblio.report.run as R

    seen: list[object] = []
    real = R._write_tables
    monkeypatch.setattr(R, "_write_tables", lambda *a, **k: seen.append(a[3]) or real(*a, **k))
    monkeypatch.setattr(R, "IN_MEMORY_REPORT_WORKS", limit)
    released: list[int] = []
    release = biblio.engines.release_memory
    monkeypatch.setattr(biblio.engines, "release_memory", lambda: released.append(1) or release())
    s = Settings(api_key="sk-test", cache_dir=tmp_path / "cache")
    rd = run_query(load_query(REPO / "queries" / "synthetic.toml"), settings=s, output_dir=tmp_path, run_id="a", as_of=dt.date(2026, 11, 1)).run_dir
    assert (seen[0] is None) == (limit > 0)
    assert len(released) == (0 if limit else 4)
    assert (rd / "report" / "evidence.csv").stat().st_size > 1000
    if limit:  # compare with the scratch-backed run of the other case
        monkeypatch.setattr(R, "IN_MEMORY_REPORT_WORKS", 0)
        other = run_query(load_query(REPO / "queries" / "synthetic.toml"), settings=s, output_dir=tmp_path, run_id="b", as_of=dt.date(2026, 11, 1)).run_dir
        assert seen[-1] is not None
        for f in sorted((rd / "report").glob("*.csv")):
            assert f.read_bytes() == (other / "report" / f.name).read_bytes(), f.name


@pytest.mark.parametrize("rows_per_part", [1, 7, 1_000_000])
def test_award_view_in_parts_equals_the_whole(run: Path, tmp_path: Path, rows_per_part: int) -> None:
    frames = {n: pl.scan_parquet(run / "tables" / f"{n}.parquet") for n in STAGE_TABLES}
    t, r = report_inputs(frames, scratch=tmp_path / "s")
    ctx = report_context(t, r, scratch=tmp_path / "s")
    whole = award_view(ctx).collect()
    assert whole.height > 10 and whole["award_key"].n_unique() > 3
    parts = [p.collect() for p in award_view_parts(ctx, rows_per_part=rows_per_part)]
    expected = {1: whole["award_key"].n_unique(), 1_000_000: 1}.get(rows_per_part)
    assert len(parts) == expected if expected else 1 < len(parts) < whole["award_key"].n_unique()
    keys = [p["award_key"].unique().sort().to_list() for p in parts]
    assert all(a[-1] < b[0] for a, b in zip(keys, keys[1:]))  # consecutive runs of awards, none split
    assert_frame_equal(pl.concat(parts), whole, check_exact=True)
    write_frame(award_view(ctx), tmp_path / "whole" / "award_view")
    write_parts(award_view_parts(ctx, rows_per_part=rows_per_part), tmp_path / "parts" / "award_view")
    assert (tmp_path / "parts" / "award_view.csv").read_bytes() == (tmp_path / "whole" / "award_view.csv").read_bytes()
    assert not list((tmp_path / "parts").glob(".*-parts"))


def test_award_view_parts_of_a_run_without_listed_partners(run: Path, tmp_path: Path) -> None:
    frames = {n: pl.scan_parquet(run / "tables" / f"{n}.parquet") for n in STAGE_TABLES}
    frames["flags"] = frames["flags"].filter(pl.lit(False))
    t, r = report_inputs(frames, scratch=tmp_path / "s")
    ctx = report_context(t, r, scratch=tmp_path / "s")
    parts = [p.collect() for p in award_view_parts(ctx, rows_per_part=5)]
    assert len(parts) == 1 and parts[0].is_empty()
    assert parts[0].schema == award_view(ctx).collect_schema()
    write_parts(award_view_parts(ctx), tmp_path / "award_view")
    assert (tmp_path / "award_view.csv").read_text().startswith("award_number,award_key,agency,amount_usd,work_id,")


def test_a_small_runs_report_queries_run_in_memory_and_the_setting_is_restored(run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import biblio.report.run as rr

    seen: list[str | None] = []
    steps = rr._write_report_steps
    monkeypatch.setattr(rr, "_write_report_steps", lambda *a, **k: (seen.append(pl.Config.state().get("POLARS_ENGINE_AFFINITY")), steps(*a, **k)))
    before = pl.Config.state().get("POLARS_ENGINE_AFFINITY")
    rebuilt = rr.rebuild(run)
    monkeypatch.setattr(rr, "IN_MEMORY_REPORT_WORKS", 0)  # as if large: polars' own choice
    rr.rebuild(run)
    assert seen == ["in-memory", before] and pl.Config.state().get("POLARS_ENGINE_AFFINITY") == before
    assert (rebuilt / "report" / "evidence.parquet").exists()
