"""Query files: parsing, validation (one-line errors naming file and field), hashing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from biblio.errors import QueryFileError
from biblio.query import LIST_KEYS, load_query, parse_query

REPO = Path(__file__).resolve().parent.parent

GOOD = """
name = "t"
[window]
from = 2024-01-01
to = 2024-12-31
[funders]
agencies = ["AFOSR", "ONR"]
"""


def test_shipped_queries_are_valid() -> None:
    live = load_query(REPO / "queries" / "dod-prc-2023-2025.toml")
    assert live.date_from == dt.date(2023, 6, 1) and live.date_to == dt.date(2025, 6, 30)
    assert live.scope == "cn" and live.country_codes == ("CN",)
    assert live.source == "openalex"
    assert "F4320306078" in live.funder_ids and "F4320338279" in live.funder_ids
    assert len(live.funder_ids) == 18 and live.discover  # the verified table; discovery adds more at run time
    assert live.lists == LIST_KEYS
    demo = load_query(REPO / "queries" / "demo.toml")
    assert demo.source == "snapshot" and demo.country_codes == ("CN", "HK", "MO")
    for p in demo.resolve_snapshot_paths():
        assert p.is_relative_to(REPO / "biblio" / "data")


def test_agencies_map_to_funder_ids() -> None:
    q = parse_query(GOOD)
    assert q.funder_ids == ("F4320338279", "F4320337345")
    assert q.agencies == ("AFOSR", "ONR")


def test_ids_are_normalised_and_deduplicated() -> None:
    q = parse_query(GOOD.replace('agencies = ["AFOSR", "ONR"]', 'agencies = ["AFOSR"]\nids = ["https://openalex.org/F4320338279", "f4320332180"]'))
    assert q.funder_ids == ("F4320338279", "F4320332180")


@pytest.mark.parametrize(
    ("edit", "field", "needle"),
    [
        (("[window]", "colour = 1\n[window]"), "colour", "unknown key"),
        (("to = 2024-12-31", "to = 2024-12-31\nuntil = 2025-01-01"), "window.until", "unknown key"),
        (("from = 2024-01-01", 'from = "2024-13-01"'), "window.from", "not a date"),
        (("from = 2024-01-01", "from = 2025-01-01"), "window", "after"),
        (('agencies = ["AFOSR", "ONR"]', "agencies = []"), "funders", "empty funder list"),
        (('agencies = ["AFOSR", "ONR"]', 'ids = ["G123"]'), "funders.ids", "malformed OpenAlex funder ID"),
        (('agencies = ["AFOSR", "ONR"]', 'agencies = ["NAVY"]'), "funders.agencies", "unknown agency"),
        (('agencies = ["AFOSR", "ONR"]', 'agencies = ["ONR"]\naward_prefixes = ["FA-9550"]'), "funders.award_prefixes", "malformed"),
        (("[funders]", '[scope]\nprc = "tw"\n[funders]'), "scope.prc", "unknown scope"),
        (("[funders]", '[source]\nkind = "web"\n[funders]'), "source.kind", "unknown source"),
        (("[funders]", '[source]\nkind = "snapshot"\n[funders]'), "source.paths", "needs at least one path"),
        (("[funders]", '[lists]\napply = ["bis"]\n[funders]'), "lists.apply", "unknown list"),
        (("[funders]", "[fetch]\nrate_limit = 500\n[funders]"), "fetch.rate_limit", "at most 100"),
        (('name = "t"', 'name = "has space"'), "name", "short name"),
    ],
)
def test_bad_fields_give_one_line_errors(edit: tuple[str, str], field: str, needle: str) -> None:
    text = GOOD.replace(*edit, 1)
    assert text != GOOD
    with pytest.raises(QueryFileError) as ei:
        parse_query(text, path="q.toml")
    msg = str(ei.value)
    assert "\n" not in msg
    assert msg.startswith(f"q.toml: {field}: "), msg
    assert needle in msg


def test_missing_sections_and_files(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match=r"^q.toml: window: missing"):
        parse_query('name = "t"\n[funders]\nagencies = ["all"]\n', path="q.toml")
    with pytest.raises(QueryFileError, match=r"^q.toml: funders: missing"):
        parse_query('name = "t"\n[window]\nfrom = 2024-01-01\nto = 2024-02-01\n', path="q.toml")
    with pytest.raises(QueryFileError, match="file not found"):
        load_query(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [", encoding="utf-8")
    with pytest.raises(QueryFileError, match="not valid TOML"):
        load_query(bad)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(QueryFileError, match="not UTF-8"):
        load_query(latin)


def test_fetch_hash_depends_only_on_what_is_fetched() -> None:
    a = parse_query(GOOD)
    b = parse_query(GOOD.replace('name = "t"', 'name = "other"\ndescription = "x"'))
    c = parse_query(GOOD.replace("to = 2024-12-31", "to = 2024-11-30"))
    d = parse_query(GOOD.replace('agencies = ["AFOSR", "ONR"]', 'agencies = ["ONR", "AFOSR"]'))
    assert a.fetch_hash == b.fetch_hash == d.fetch_hash
    assert a.fetch_hash != c.fetch_hash
    assert a.file_sha256 != b.file_sha256
