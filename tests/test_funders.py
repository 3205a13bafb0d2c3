"""DoD agency attribution from funder IDs and award prefixes."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from biblio.funders import funder_frame, load_funder_table, work_agencies

T = load_funder_table()


@pytest.mark.parametrize(
    ("funder", "award", "expected"),
    [
        ("F4320306078", "FA9550-21-1-0001", ("AFOSR", "award_prefix")),  # generic DoD + AFOSR prefix
        ("https://openalex.org/F4320306078", "W911NF 19 1 0123", ("ARO", "award_prefix")),
        ("F4320306078", "N00014-22-1-2001", ("ONR", "award_prefix")),
        ("F4320306078", "HR00112290001", ("DARPA", "award_prefix")),
        ("F4320306078", "12345", ("DoD", "funder_id")),  # generic, no usable prefix
        ("F4320306078", None, ("DoD", "funder_id")),
        ("F4320337345", "FA9550-21-1-0001", ("ONR", "funder_id")),  # a specific funder wins
        (None, "FA9550-21-1-0001", ("AFOSR", "award_prefix")),  # no funder: the prefix decides
        ("F4320332161", "FA9550-21-1-0001", (None, None)),  # non-DoD funder (NIH) never attributed
        ("F4320306078", "HT9425-23-1-0001", ("DoD", "funder_id")),  # unverified prefix is not used
    ],
)
def test_attribute(funder: str | None, award: str | None, expected: tuple[str | None, str | None]) -> None:
    assert T.attribute(funder, award) == expected


def test_table_has_only_verified_rows_with_ids() -> None:
    f = funder_frame()
    assert f.height == 12
    assert f["funder_id"].str.contains(r"^F\d+$").all()
    assert f.filter(pl.col("generic"))["short"].to_list() == ["DoD"]
    assert "HT9425" not in "|".join(f["award_prefixes"].to_list())


def test_extra_prefixes() -> None:
    t = load_funder_table(extra_prefixes=[("N00173", "ONR")])
    assert t.attribute("F4320306078", "N00173-20-1-G001") == ("ONR", "award_prefix")


def test_work_agencies_prefers_specific_over_generic() -> None:
    funders = pl.DataFrame(
        {
            "work_id": ["W1", "W2", "W3"],
            "is_dod": [True, True, False],
            "agency": ["DoD", "DoD", None],
            "agency_source": ["funder_id", "funder_id", None],
        }
    )
    awards = pl.DataFrame(
        {
            "work_id": ["W1", "W1"],
            "award_number": ["FA9550-21-1-0001", "N00014-22-1-2001"],
            "is_dod": [True, True],
            "agency": ["AFOSR", "ONR"],
            "agency_source": ["award_prefix", "award_prefix"],
        }
    )
    got = work_agencies(funders, awards)
    expected = pl.DataFrame(
        {
            "work_id": ["W1", "W1", "W2"],
            "agency": ["AFOSR", "ONR", "DoD"],
            "agency_source": ["award_prefix", "award_prefix", "funder_id"],
            "award_numbers": [["FA9550-21-1-0001"], ["N00014-22-1-2001"], []],
        },
        schema_overrides={"award_numbers": pl.List(pl.Utf8)},
    )
    assert_frame_equal(got, expected)
