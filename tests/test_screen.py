"""`biblio screen`: the column contract, membership as of a date, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from biblio.cli import main
from biblio.errors import InputFileError
from biblio.resolve import SCREEN_COLUMNS, screen_csv


def test_column_contract_and_as_of(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,name,country_code\n1,Beihang University,CN\n2,Seattle University,US\n3,Shanghai Jiao Tong University,CN\n4,,CN\n", encoding="utf-8")
    out = screen_csv(src, tmp_path / "out.csv", as_of=dt.date(2025, 1, 1))
    assert out.columns == ["id", "name", "country_code", *SCREEN_COLUMNS]
    assert out.columns[-7:] == ["lists", "matched_entity", "method", "score", "evidence", "aspi_risk", "chain"]
    rows = {r["id"]: r for r in out.iter_rows(named=True)}
    assert rows["1"]["lists"] == "1286;aspi;entity_list;seven_sons" and rows["1"]["aspi_risk"] == "Very high"
    assert rows["2"]["lists"] == "" and rows["2"]["evidence"] == "no match on any list"
    assert "1286" not in rows["3"]["lists"]  # SJTU joined 1286 in FY2025 (2026)
    assert "not screened: empty name" in rows["4"]["evidence"]  # reported, not dropped
    later = screen_csv(src, tmp_path / "out2.csv", as_of=dt.date(2026, 11, 1))
    assert "1286" in later.filter(pl.col("id") == "3")["lists"][0]
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False).height == 4


def test_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("institution\nBeihang\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no 'name' column"):
        screen_csv(p, tmp_path / "o.csv")
    p.write_bytes("name\nUniversit\xe9\n".encode("latin-1"))
    with pytest.raises(InputFileError, match="not UTF-8"):
        screen_csv(p, tmp_path / "o.csv")


def test_cli_screen(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("name\nNUDT\nTsinghua University\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["screen", str(p), "--out", str(tmp_path / "o.csv"), "--as-of", "2026-01-01"])
    assert r.exit_code == 0 and "screened 2 rows: 2 on at least one list" in r.output
    bad = CliRunner().invoke(main, ["screen", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and len(bad.output.strip().splitlines()) == 1
