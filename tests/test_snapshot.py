"""The snapshot source applies the live filter's semantics to local files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from biblio.errors import InputFileError
from biblio.query import load_query, parse_query
from biblio.snapshot import fetch_snapshot, matches_query

REPO = Path(__file__).resolve().parent.parent
Q = """
name = "t"
[window]
from = 2024-01-01
to = 2024-12-31
[funders]
agencies = ["AFOSR"]
[scope]
prc = "{scope}"
[source]
kind = "snapshot"
paths = ["{path}"]
"""


def work(wid: str, date: str, cc: str = "CN", funder: str = "F4320338279", legacy: bool = False) -> dict:
    w = {"id": f"https://openalex.org/{wid}", "publication_date": date,
         "authorships": [{"institutions": [{"id": "https://openalex.org/I1", "country_code": cc}]}]}
    if legacy:
        w["grants"] = [{"funder": f"https://openalex.org/{funder}", "award_id": None}]
    else:
        w["funders"] = [{"id": f"https://openalex.org/{funder}"}]
    return w


def query(tmp_path: Path, scope: str = "cn"):
    return parse_query(Q.format(scope=scope, path=str(tmp_path).replace("\\", "/")), path=str(tmp_path / "q.toml"))


def test_filter_semantics(tmp_path: Path) -> None:
    q = query(tmp_path)
    assert matches_query(work("W1", "2024-01-01"), q)  # window edges are inclusive
    assert matches_query(work("W1", "2024-12-31"), q)
    assert not matches_query(work("W1", "2023-12-31"), q)
    assert not matches_query(work("W1", "2024-05-05", funder="F4320321001"), q)
    assert matches_query(work("W1", "2024-05-05", legacy=True), q)  # legacy grants[].funder counts
    assert not matches_query(work("W1", "2024-05-05", cc="HK"), q)
    assert matches_query(work("W1", "2024-05-05", cc="HK"), query(tmp_path, "cn+hk+mo"))
    assert not matches_query(work("W1", "2024-05-05", cc="TW"), query(tmp_path, "cn+hk+mo"))


def test_reads_json_jsonl_and_gz_and_deduplicates(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"meta": {}, "results": [work("W1", "2024-02-02"), work("W2", "2024-02-02")]}))
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(work("W2", "2024-02-02")) + "\n" + json.dumps(work("W3", "2024-03-03", cc="US")) + "\n")
    r = fetch_snapshot(query(tmp_path))
    assert sorted(x["id"][-2:] for x in r.records) == ["W1", "W2"]
    assert r.meta_count == 4 and any("1 duplicate" in n for n in r.notes)


def test_bad_files_give_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(json.dumps(work("W1", "2024-02-02")) + "\n{oops\n")
    with pytest.raises(InputFileError, match=r"bad.jsonl: line 2: not valid JSON"):
        fetch_snapshot(query(tmp_path))
    (tmp_path / "bad.jsonl").unlink()
    (tmp_path / "cut.json").write_text('{"meta": {}, "results": [')
    with pytest.raises(InputFileError, match=r"cut.json: not valid JSON"):
        fetch_snapshot(query(tmp_path))


def test_demo_snapshot_only_synthetic_records_pass() -> None:
    r = fetch_snapshot(load_query(REPO / "queries" / "demo.toml"))
    assert r.n_records == r.n_synthetic > 30
    assert r.meta_count > 350  # the real fixtures were scanned too
    assert any("SYNTHETIC" in n for n in r.notes)
