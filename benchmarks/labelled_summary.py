"""Print the composition of the issue-8 evaluation sets (counts only; no resolver is run).

    python benchmarks/labelled_summary.py

Rows per class and split, expected (row, list) pairs per list and split, and the FP / house sets
by source and split. The tables in benchmarks/data/README.md are this script's output.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

DATA = Path(__file__).resolve().parent / "data"
LISTS = ["entity_list", "1260h", "1286", "ns_cmic", "meu", "aspi", "seven_sons", "sastind"]


def read(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / name, infer_schema_length=0).with_columns(pl.col(pl.Utf8).fill_null(""))


def table(df: pl.DataFrame, by: str) -> None:
    """Markdown table of rows per ``by`` value and split (positive / negative)."""
    print(f"| {by} | dev | heldout | all | positive | negative |\n|---|---|---|---|---|---|")
    for (v,), g in sorted(df.group_by([by]), key=lambda x: x[0][0]):
        n = {s: g.filter(pl.col("split") == s).height for s in ("dev", "heldout")}
        pos = g.filter(pl.col("expected_lists") != "").height if "expected_lists" in g.columns else 0
        print(f"| {v} | {n['dev']} | {n['heldout']} | {g.height} | {pos} | {g.height - pos} |")
    n = {s: df.filter(pl.col("split") == s).height for s in ("dev", "heldout")}
    pos = df.filter(pl.col("expected_lists") != "").height if "expected_lists" in df.columns else 0
    print(f"| **all** | {n['dev']} | {n['heldout']} | {df.height} | {pos} | {df.height - pos} |\n")


def per_list(df: pl.DataFrame) -> None:
    """Markdown table of expected (row, list) pairs per list and split."""
    print("| list | dev | heldout | all |\n|---|---|---|---|")
    for k in LISTS:
        has = df.filter(pl.col("expected_lists").str.split(";").list.contains(k))
        print(f"| {k} | {has.filter(pl.col('split') == 'dev').height} | "
              f"{has.filter(pl.col('split') == 'heldout').height} | {has.height} |")
    print()


def main() -> None:
    v2 = read("resolver_labelled_v2.csv")
    print("### resolver_labelled_v2.csv: rows per class\n")
    table(v2, "class")
    print("### resolver_labelled_v2.csv: expected (row, list) pairs per list\n")
    per_list(v2)
    house = read("resolver_house_labelled.csv")
    print("### resolver_house_labelled.csv (source=house_openalex)\n")
    table(house, "source")
    per_list(house)
    fp = read("resolver_fp.csv").with_columns(pl.lit("").alias("expected_lists"))
    print("### resolver_fp.csv: strings per source\n")
    table(fp, "source")


if __name__ == "__main__":
    main()
