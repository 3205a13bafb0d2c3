"""The CLI is a thin layer: one-line errors, exit codes, and the commands wired to the library."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from biblio.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_check_live_query_prints_the_exact_request(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    r = runner.invoke(main, ["check", str(REPO / "queries" / "dod-prc-2023-2025.toml")])
    assert r.exit_code == 0, r.output
    assert "OK" in r.output
    assert "authorships.institutions.country_code:cn" in r.output
    assert "from_publication_date:2023-06-01" in r.output
    assert "funders.id:F4320306078|" in r.output


def test_check_demo_query(runner: CliRunner) -> None:
    r = runner.invoke(main, ["check", str(REPO / "queries" / "demo.toml")])
    assert r.exit_code == 0, r.output
    assert "[found]" in r.output and "MISSING" not in r.output


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('name = "x"\n[window]\nfrom = 2024-01-01\nto = \"2024-02-30\"\n[funders]\nagencies = ["all"]\n', "window.to: not a date"),
        ('name = "x"\n[window]\nfrom = 2024-01-01\nto = 2024-02-01\n[funders]\nids = []\n', "funders: empty funder list"),
        ('name = "x"\n[window]\nfrom = 2024-01-01\nto = 2024-02-01\n[funders]\nids = ["F12x"]\n', "funders.ids: malformed"),
        ('name = "x"\nfoo = 1\n', "foo: unknown key"),
        ('name = "x"\n[window]\nfrom = 2024-01-01\nto = 2024-02-01\n[funders]\nagencies = ["all"]\n[scope]\nprc = "cn+tw"\n', "scope.prc: unknown scope"),
    ],
)
def test_check_rejects_bad_query_files_in_one_line(runner: CliRunner, tmp_path: Path, text: str, needle: str) -> None:
    q = tmp_path / "bad.toml"
    q.write_text(text, encoding="utf-8")
    r = runner.invoke(main, ["check", str(q)])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert lines[0].startswith(f"Error: {q}: ")
    assert needle in lines[0]
    assert "Traceback" not in r.output


def test_missing_query_file(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(main, ["run", str(tmp_path / "missing.toml")])
    assert r.exit_code == 1
    assert r.output.strip().startswith("Error: ") and "file not found" in r.output


def test_bad_as_of_date(runner: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("name\nBeihang University\n", encoding="utf-8")
    r = runner.invoke(main, ["screen", str(csv), "--out", str(tmp_path / "out.csv"), "--as-of", "2025-13-01"])
    assert r.exit_code == 1  # usage errors follow the same convention as all input errors
    assert "not a date" in r.output
    assert [ln for ln in r.output.splitlines() if ln.strip()] == [r.output.strip()]
