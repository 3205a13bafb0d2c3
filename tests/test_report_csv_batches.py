"""Stage-table CSVs written from Parquet in batches (issue 11): the bytes equal the table's CSV
written whole, whatever the batch and row-group boundaries; cells are neutralised on both sides
of a boundary; empty tables give the header. SYNTHETIC data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from biblio.report.run import _batch_end, _csv_in_batches, _csv_safe, parquet_batches, write_frame
from biblio.safeio import write_csv


def _table(n: int = 97) -> pl.DataFrame:
    """SYNTHETIC rows: strings (some formula-like, some null), lists, dates, floats, booleans."""
    starts = ["=", "+", "-", "@", "\t", "\r", "M", ""]
    return pl.DataFrame({
        "work_id": [f"W{i:05d}" for i in range(n)],
        "name": [None if i % 11 == 0 else f"{starts[i % len(starts)]}SYNTHETIC org {i}, \"quoted\"" for i in range(n)],
        "lists": [[f"{starts[(i + 1) % len(starts)]}a{i}", "b"] if i % 5 else [] for i in range(n)],
        "date": [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)],
        "score": [i / 7 for i in range(n)],
        "flag": [i % 3 == 0 for i in range(n)],
    })


def _whole_csv(df: pl.DataFrame, path: Path, *, raw: bool) -> bytes:
    write_csv(_csv_safe(df), path, raw=raw)
    return path.read_bytes()


@pytest.mark.parametrize("raw", [False, True])
@pytest.mark.parametrize("row_group", [7, 40, 200])
def test_batched_csv_bytes_equal_the_whole(tmp_path: Path, raw: bool, row_group: int) -> None:
    df = _table()
    df.write_parquet(tmp_path / "t.parquet", row_group_size=row_group)
    expected = _whole_csv(df, tmp_path / "whole.csv", raw=raw)
    for first_rows, batch_bytes in [(1, 1), (5, 300), (10, 2_000), (100_000, 32 * 2**20)]:
        parts = list(parquet_batches(tmp_path / "t.parquet", raw=raw, batch_bytes=batch_bytes, first_rows=first_rows))
        assert sum(p.height for p in parts) == df.height
        if first_rows < df.height:
            assert len(parts) > 1  # really written across batch boundaries
        _csv_in_batches(tmp_path / "t.parquet", tmp_path / "batched.csv", raw=raw, batch_bytes=batch_bytes, first_rows=first_rows)
        assert (tmp_path / "batched.csv").read_bytes() == expected


def test_write_frame_from_a_source_equals_the_eager_write(tmp_path: Path) -> None:
    df = _table(250)
    df.write_parquet(tmp_path / "src.parquet", row_group_size=16)
    write_frame(pl.scan_parquet(tmp_path / "src.parquet"), tmp_path / "copy" / "t", source=tmp_path / "src.parquet")
    write_frame(df, tmp_path / "eager" / "t")
    assert (tmp_path / "copy" / "t.csv").read_bytes() == (tmp_path / "eager" / "t.csv").read_bytes()
    assert (tmp_path / "copy" / "t.parquet").read_bytes() == (tmp_path / "src.parquet").read_bytes()


def test_cells_are_neutralised_on_both_sides_of_a_batch_boundary(tmp_path: Path) -> None:
    df = pl.DataFrame({"name": ["ok", "=1+1", "@SUM(A1)", "fine"], "l": [["x"], ["-2"], ["+3"], []]})
    df.write_parquet(tmp_path / "t.parquet", row_group_size=2)  # rows 1 | 2 are the last and first of two groups
    parts = list(parquet_batches(tmp_path / "t.parquet", batch_bytes=1, first_rows=2))
    assert [p.height for p in parts] == [2, 1, 1]
    assert parts[0]["name"].to_list() == ["ok", "'=1+1"] and parts[1]["name"].to_list() == ["'@SUM(A1)"]
    assert parts[0]["l"].to_list() == ["x", "'-2"] and parts[1]["l"].to_list() == ["'+3"]
    raw = list(parquet_batches(tmp_path / "t.parquet", raw=True, batch_bytes=1, first_rows=2))
    assert [x for p in raw for x in p["name"].to_list()] == df["name"].to_list()


def test_batches_are_whole_row_groups_of_about_the_budget(tmp_path: Path) -> None:
    df = _table(1_000)
    df.write_parquet(tmp_path / "t.parquet", row_group_size=50)
    per_row = _csv_safe(df).estimated_size() / df.height
    parts = list(parquet_batches(tmp_path / "t.parquet", batch_bytes=int(per_row * 200), first_rows=50))
    assert parts[0].height == 50
    assert all(p.height % 50 == 0 and 100 <= p.height <= 300 for p in parts[1:-1])  # ~200 rows, never a group cut
    assert sum(p.height for p in parts) == 1_000


@pytest.mark.parametrize("groups", ["none", "one empty"])
def test_an_empty_table_gives_its_header(tmp_path: Path, groups: str) -> None:
    df = _table(0)
    if groups == "none":
        pq.ParquetWriter(tmp_path / "src.parquet", df.to_arrow().schema).close()
        assert pq.ParquetFile(tmp_path / "src.parquet").num_row_groups == 0
    else:
        pq.write_table(pa.Table.from_pylist([], schema=df.to_arrow().schema), tmp_path / "src.parquet")
    write_frame(pl.scan_parquet(tmp_path / "src.parquet"), tmp_path / "out" / "t", source=tmp_path / "src.parquet")
    assert (tmp_path / "out" / "t.csv").read_text() == "work_id,name,lists,date,score,flag\n"


def test_batch_end_keeps_row_groups_whole_unless_one_is_bigger_than_a_batch() -> None:
    ends = [0, 100, 200, 300]
    assert _batch_end(ends, 0, 250) == 200
    assert _batch_end(ends, 0, 50) == 50 and _batch_end(ends, 50, 80) == 100 and _batch_end(ends, 50, 30) == 80
    assert _batch_end(ends, 200, 10_000) == 300 and _batch_end([0], 0, 10) == 0
