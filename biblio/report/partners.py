"""List families and partner roll-up: who a flag is about, counted once.

A flag names a list entry; the *partner* is the institution behind it after roll-up:
a raw affiliation string or a lineage match that resolves to Beihang is Beihang, and the
same university under two lists' spellings ("Xi'an Jiaotong" / "Xi'an Jiatong") is one
partner. Every report table and chart counts partners, never raw strings.

Example:
    >>> fam = load_list_families()
    >>> fam.filter(pl.col("list_key") == "aspi")["family"][0]
    'assessment'
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from biblio.normalize import normalize

FAMILIES_FILE = Path(__file__).resolve().parent.parent / "data" / "list_families.csv"
GOVERNMENT = "government"
ASSESSMENT = "assessment"
RISK_ORDER = {"very high": 4, "high": 3, "medium": 2, "low": 1}


@functools.lru_cache(maxsize=1)
def load_list_families() -> pl.DataFrame:
    """``list_key, family ('government'|'assessment'), label, colour, order, kind_note``."""
    return pl.read_csv(FAMILIES_FILE, schema_overrides={"order": pl.Int32})


def list_label(key: str) -> str:
    """Human name of a list key ('ns_cmic' → 'Treasury NS-CMIC'); the key itself if unknown."""
    f = load_list_families().filter(pl.col("list_key") == key)
    return f["label"][0] if f.height else key


def _name_key(col: str) -> pl.Expr:
    return pl.col(col).map_elements(normalize, return_dtype=pl.Utf8)


@functools.lru_cache(maxsize=1)
def entity_groups() -> pl.DataFrame:
    """``entity_key → group_key``: list entries that share a normalised name or strong alias
    (six characters or more) are one organisation, e.g. "Beihang University" (ASPI) and
    "Beijing University of Aeronautics and Astronautics" (Entity List)."""
    from biblio.lists import load_lists

    e = load_lists().entities.select("entity_key", "name", "strong_aliases").unique("entity_key")
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for key, name, aliases in e.iter_rows():
        for n in [name, *(aliases or [])]:
            nk = normalize(n)
            if len(nk) < 6 and not any("\u4e00" <= ch <= "\u9fff" for ch in nk):
                continue
            if nk in owner:
                a, b = find(owner[nk]), find(key)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[nk] = key
    keys = e["entity_key"].to_list()
    return pl.DataFrame({"entity_key": keys, "group_key": [find(k) for k in keys]})


def _partner_lookups(k: pl.LazyFrame, direct: pl.Expr) -> list[tuple[pl.DataFrame, str | list[str]]]:
    """The roll-up's small lookup tables (per list entry, group, name), collected from ``k``."""
    d = k.filter(direct)
    by_entry = d.group_by("list_key", "entity_key", "institution_id").len().collect()
    by_entry = by_entry.sort("len", "institution_id", descending=[True, False]).unique(["list_key", "entity_key"], keep="first").drop("len")
    by_key = d.group_by("group_key", "institution_id").len().collect().sort("len", "institution_id", descending=[True, False]).unique("group_key", keep="first").drop("len")
    gname = k.group_by("group_key").agg(pl.col("entity_name").sort_by(pl.col("entity_name").str.len_chars()).first().alias("_gname")).collect()
    # the first direct flag (in flag order) of each normalised institution name: distinct pairs first, normalised once each
    pairs = d.select("institution_id", "institution_name").unique(keep="first", maintain_order=True).collect()
    by_name = pairs.select("institution_id", _name_key("institution_name").alias("_nk")).unique("_nk", keep="first", maintain_order=True)
    return [(by_entry.rename({"institution_id": "_i1"}), ["list_key", "entity_key"]), (by_key.rename({"institution_id": "_i2"}), "group_key"),
            (gname, "group_key"), (by_name.rename({"institution_id": "_i3"}), "_nk")]


def with_partners(flags: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Flags plus ``family, list_label, partner_key, partner_name, risk_rank`` (rolled up).

    Direct institution matches keep their OpenAlex institution. Raw-string and via-parent
    matches take the institution seen for the same list entry (or the same normalised
    entity name) elsewhere in the run, else the list entity itself. Lazy in, lazy out: the
    roll-up's lookups (one row per list entry, group or name) are collected, the flags are not.

    Example:
        >>> with_partners(pl.scan_parquet("RUN/tables/flags.parquet")).sink_parquet("flags_p.parquet")   # doctest: +SKIP
    """
    if isinstance(flags, pl.DataFrame):
        return with_partners(flags.lazy()).collect()
    fam = load_list_families().select("list_key", "family", pl.col("label").alias("list_label"), pl.col("order").alias("list_order"))
    f = flags.join(fam.lazy(), on="list_key", how="left", maintain_order="left").with_columns(
        pl.col("family").fill_null(ASSESSMENT), pl.coalesce("list_label", "list_key").alias("list_label")
    )
    cols = f.collect_schema().names()
    if "partner_key" in cols and "partner_name" in cols:  # resolver already rolled up
        return f.with_columns(_risk_rank())
    direct = pl.col("institution_id").is_not_null() & pl.col("via_parent").is_null()
    k = f.join(entity_groups().lazy(), on="entity_key", how="left", maintain_order="left").with_columns(pl.coalesce("group_key", "entity_key").alias("group_key"))
    names = k.filter(direct).group_by("institution_id").agg(pl.col("institution_name").mode().sort().first().alias("_iname")).collect()
    ents = k.select("entity_name").unique().collect().with_columns(_name_key("entity_name").alias("_nk"))  # each distinct name normalised once
    partner = k.join(ents.lazy(), on="entity_name", how="left", maintain_order="left", nulls_equal=False)
    for table, on in _partner_lookups(k.select("list_key", "entity_key", "entity_name", "institution_id", "institution_name", "via_parent", "group_key"), direct):
        partner = partner.join(table.lazy(), on=on, how="left", maintain_order="left")
    partner = (
        partner.with_columns(pl.when(direct).then(pl.col("institution_id")).otherwise(pl.coalesce("_i1", "_i2", "_i3")).alias("_pid"))
        .join(names.rename({"institution_id": "_pid"}).lazy(), on="_pid", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_pid", pl.concat_str(pl.lit("entity:"), pl.col("group_key"))).alias("partner_key"),
            pl.coalesce("_iname", "_gname", "entity_name").alias("partner_name"),
        )
        .with_columns(
            pl.when(pl.col("partner_name") == pl.col("partner_name").str.to_uppercase())
            .then(pl.col("partner_name").str.to_titlecase())
            .otherwise(pl.col("partner_name"))
            .alias("partner_name")
        )
    )
    return partner.select(*cols, "partner_key", "partner_name").with_columns(_risk_rank())


def _risk_rank() -> pl.Expr:
    return pl.col("aspi_risk").str.to_lowercase().replace_strict(RISK_ORDER, default=0, return_dtype=pl.Int32).fill_null(0).alias("risk_rank")


def paper_classes(flags_p: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Per flagged paper: ``government_at_publication``, ``government_any_edition``,
    ``assessment``, ``assessment_only`` (no government list at publication) and the highest
    ASPI risk (``aspi_risk_max``: 'very high'|'high'|'medium'|'low'|None). Lazy in, lazy out.

    Example:
        >>> paper_classes(with_partners(flags)).filter(pl.col("government_at_publication"))   # doctest: +SKIP
    """
    gov = pl.col("family") == GOVERNMENT
    g = flags_p.group_by("work_id").agg(
        (gov & pl.col("listed_at_publication")).any().alias("government_at_publication"),
        gov.any().alias("government_any_edition"),
        ((pl.col("family") == ASSESSMENT) & pl.col("listed_at_publication")).any().alias("assessment"),
        pl.col("risk_rank").filter(pl.col("list_key") == "aspi").max().fill_null(0).alias("_rr"),
    )
    inv = {v: k for k, v in RISK_ORDER.items()}
    return g.with_columns(
        (pl.col("assessment") & ~pl.col("government_at_publication")).alias("assessment_only"),
        pl.col("_rr").replace_strict(inv, default=None, return_dtype=pl.Utf8).alias("aspi_risk_max"),
    ).drop("_rr")
