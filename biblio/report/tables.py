"""Report tables: each a public function of a :class:`ReportContext`, returning a frame.

U.S. government designations (Entity List, 1260H, Section 1286, NS-CMIC, MEU) and
assessments (the ASPI tracker, Seven Sons, SASTIND) are counted separately and never added
into one share. Partners are counted after roll-up (:mod:`biblio.report.partners`). Every
table carries a ``synthetic`` column: True when the run holds synthetic records.

Example:
    >>> ctx = report_context(tables, resolved, window=(date(2023, 6, 1), date(2025, 6, 30)))  # doctest: +SKIP
    >>> headline_sentence(headline(ctx), window=ctx.window)                                   # doctest: +SKIP
    '1,409 DoD-funded papers with PRC co-authors (…)'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import polars as pl

from biblio.funders import work_agencies
from biblio.report.money import award_table, dod_award_numbers, money_by, sum_or_null
from biblio.report.partners import GOVERNMENT, load_list_families, paper_classes, with_partners
from biblio.signals import dual_affiliation, prc_state_funding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = Path(__file__).resolve().parent.parent / "data"
TECH_AREAS_FILE = DATA / "tech_areas.toml"
HOUSE_FILE = DATA / "house_figures.toml"
US = "US"


#: The works tables the report reads.
TABLES = ("works", "authorships", "authorship_institutions", "funders", "awards")


@dataclass
class LazyTables:
    """The five works tables as lazy frames (Parquet scans, or in-memory frames made lazy).

    Example:
        >>> LazyTables.of(tables).works.select(pl.len()).collect()   # doctest: +SKIP
    """

    works: pl.LazyFrame
    authorships: pl.LazyFrame
    authorship_institutions: pl.LazyFrame
    funders: pl.LazyFrame
    awards: pl.LazyFrame

    @classmethod
    def of(cls, tables: Any) -> "LazyTables":
        """``tables`` (a :class:`biblio.tables.WorksTables`, eager or lazy) as lazy frames."""
        return cls(**{n: getattr(tables, n).lazy() for n in TABLES})


def computed_once(lf: pl.LazyFrame, scratch: Path | str | None, name: str) -> pl.DataFrame | pl.LazyFrame:
    """``lf`` computed once: streamed to ``scratch/<name>.parquet`` (rows in order) and scanned,
    or collected in memory without ``scratch``.

    Example:
        >>> computed_once(pl.LazyFrame({"a": [1]}), None, "a").height
        1
    """
    if scratch is None:
        return lf.collect()
    path = Path(scratch) / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    lf.sink_parquet(path)
    return pl.scan_parquet(path)


@dataclass
class ReportContext:
    """Everything the report tables share, computed once and held as lazy frames.

    With ``scratch`` (a folder), the shared frames that grow with the run (partnered flags,
    paper classes, awards, agencies, signals) are streamed there as Parquet and scanned, and
    the table functions return ``LazyFrame`` plans for the caller to collect or sink: memory
    then follows one table's plan, not the run. Without it they stay in memory and the table
    functions return ``DataFrame``s.

    Example:
        >>> ctx = ReportContext(tables, resolved, scratch=Path("RUN/.report-work"))   # doctest: +SKIP
        >>> by_year(ctx).collect()                                                   # doctest: +SKIP
    """

    tables: Any
    resolved: Any
    award_records: pl.DataFrame | None = None
    window: tuple[dt.date, dt.date] | None = None
    scratch: Path | None = None
    flags: pl.LazyFrame = field(init=False)
    classes: pl.LazyFrame = field(init=False)
    awards: pl.LazyFrame = field(init=False)
    work_award: pl.LazyFrame = field(init=False)
    agencies: pl.LazyFrame = field(init=False)
    synthetic: bool = field(init=False)
    n_flags: int = field(init=False)

    def __post_init__(self) -> None:
        self.tables = LazyTables.of(self.tables)
        self.flags = self.stash("flags", with_partners(self.resolved.flags.lazy()))
        # only the partnered copy is read from here on: drop this context's hold on the resolver's flags (the caller's object is unchanged)
        if dataclasses.is_dataclass(self.resolved) and not isinstance(self.resolved, type):
            self.resolved = dataclasses.replace(self.resolved, flags=self.resolved.flags.clear())
        self.n_flags = int(self.flags.select(pl.len()).collect().item())
        self.classes = self.stash("classes", paper_classes(self.flags))
        cited = self.stash("cited", dod_award_numbers(self.tables.awards))
        self.awards = self.stash("awards", award_table(self.tables, self.award_records, cited=cited))
        self.work_award = cited.select("work_id", "award_key", "award_number")
        self.agencies = self.stash("agencies", work_agencies(self.tables.funders, self.tables.awards))
        syn_works = self.tables.works.select(pl.col("is_synthetic").any()).collect().item()
        self.synthetic = bool(syn_works) or bool(self.awards.select(pl.col("synthetic").any()).collect().item())

    def stash(self, name: str, lf: pl.LazyFrame) -> pl.LazyFrame:
        """``lf`` computed once (:func:`computed_once`), as a lazy frame."""
        return computed_once(lf, self.scratch, name).lazy()

    def out(self, df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """A table function's result: the plan itself with ``scratch`` (the caller collects or sinks it), else collected."""
        return df.collect() if isinstance(df, pl.LazyFrame) and self.scratch is None else df

    @functools.cached_property
    def dual(self) -> pl.LazyFrame:
        """:func:`biblio.signals.dual_affiliation` of the run (computed once)."""
        return self.stash("dual", dual_affiliation(self.tables.authorship_institutions, self.flags))

    @functools.cached_property
    def prc_funding(self) -> pl.LazyFrame:
        """:func:`biblio.signals.prc_state_funding` of the run (computed once)."""
        return self.stash("prc_funding", prc_state_funding(self.tables.funders))

    @functools.cached_property
    def us_rows(self) -> pl.LazyFrame:
        """U.S. authorship-institution rows on flagged papers, with ``government_at_publication`` (computed once)."""
        us = self.tables.authorship_institutions.filter(pl.col("country_code") == US).select("work_id", "author_index", "author_id", "institution_id", "ror", "institution_name")
        return self.stash("us_rows", us.join(self.classes.select("work_id", "government_at_publication"), on="work_id", maintain_order="left"))

    @functools.cached_property
    def paper_lists(self) -> pl.LazyFrame:
        """Per paper, the lists (``_lists``) and partners (``_partners``) listed at publication (computed once)."""
        return self.stash("paper_lists", self.flags.filter(pl.col("listed_at_publication")).group_by("work_id").agg(
            _list_labels().str.split("; ").alias("_lists"), pl.col("partner_name").unique().alias("_partners")
        ))

    def mark(self, df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
        """Add the run-level ``synthetic`` marker column (kept if the table has one); :meth:`out` of that."""
        cols = df.collect_schema().names() if isinstance(df, pl.LazyFrame) else df.columns
        return self.out(df if "synthetic" in cols else df.with_columns(pl.lit(self.synthetic).alias("synthetic")))

    def work_status(self) -> pl.LazyFrame:
        """Every paper in scope with ``status``: 'government' | 'assessment_only' | 'none'."""
        return (
            self.tables.works.select("work_id", "year", "publication_date", "is_synthetic")
            .join(self.classes, on="work_id", how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("government_at_publication")).then(pl.lit("government"))
                .when(pl.col("assessment_only")).then(pl.lit("assessment_only"))
                .otherwise(pl.lit("none")).alias("status")
            )
        )


def report_context(tables: Any, resolved: Any, *, award_records: pl.DataFrame | None = None, window: tuple[dt.date, dt.date] | None = None,
                   scratch: Path | None = None) -> ReportContext:
    """Build the shared context of the report tables (partners, paper classes, awards); see :class:`ReportContext` for ``scratch``.

    Example:
        >>> by_list(report_context(tables, resolved))   # doctest: +SKIP
    """
    return ReportContext(tables, resolved, award_records, window, scratch)


def _status_counts(df: pl.DataFrame) -> list[pl.Expr]:
    return [
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"),
        pl.col("work_id").filter(pl.col("status") == "government").n_unique().cast(pl.Int64).alias("papers_government_list"),
        pl.col("work_id").filter(pl.col("status") == "assessment_only").n_unique().cast(pl.Int64).alias("papers_assessment_only"),
        pl.col("work_id").filter(pl.col("status") == "none").n_unique().cast(pl.Int64).alias("papers_no_listed_partner"),
    ]


def _pct(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _class_counts(ctx: ReportContext) -> dict[str, int]:
    """Counts of flagged papers per class and ASPI risk (one pass over the paper classes)."""
    only = pl.col("assessment_only")
    return ctx.classes.select(
        pl.col("government_at_publication").sum().alias("gov"), pl.col("government_any_edition").sum().alias("gov_any"), only.sum().alias("k"),
        *[(only & (pl.col("aspi_risk_max") == lvl)).sum().alias(lvl) for lvl in RISK_LEVELS],
        (only & pl.col("aspi_risk_max").is_null()).sum().alias("unrated"),
    ).collect().row(0, named=True)


RISK_LEVELS = ("very high", "high", "medium", "low")


def headline(ctx: ReportContext) -> pl.DataFrame:
    """The headline figures: measure, value, unit ('papers'|'share'|'usd'|'count'), label, note (always collected: one row a figure)."""
    c = _class_counts(ctx)
    w = ctx.tables.works.select(pl.len().alias("n"), (pl.col("funding_schema") == "none").sum().alias("no_funding"), pl.col("is_synthetic").sum().alias("synthetic")).collect().row(0, named=True)
    n, gov = w["n"], c["gov"]
    rows: list[tuple[str, Any, str, str, str]] = [
        ("papers_in_scope", n, "papers", "DoD-funded papers with PRC co-authors", "papers in the query's window and scope"),
        ("papers_government_list_at_publication", gov, "papers", "with a partner on a U.S. government list at publication", "Entity List, 1260H, Section 1286, NS-CMIC or MEU; the edition in force on the publication date"),
        ("share_government_list_at_publication", _pct(gov, n), "share", "share with a U.S.-government-listed partner", "the line above divided by papers in scope"),
        ("papers_government_list_any_edition", c["gov_any"], "papers", "with a U.S.-government-listed partner on any edition", "also counts partners listed only before or after publication"),
        ("papers_assessment_only", c["k"], "papers", "more, only on the ASPI tracker or SASTIND/Seven Sons", "think-tank assessments, not U.S. designations; never added to the share above"),
    ]
    for lvl in RISK_LEVELS:
        rows.append((f"papers_assessment_only_aspi_{lvl.replace(' ', '_')}", c[lvl], "papers", f"of which ASPI risk '{lvl}'", "highest ASPI risk level among the paper's partners"))
    rows.append(("papers_assessment_only_unrated", c["unrated"], "papers", "of which Seven Sons/SASTIND without an ASPI rating", ""))
    rows += _money_rows(ctx) + _us_signal_rows(ctx)
    aff = ctx.resolved.affiliations.lazy()  # may be a lazy scan of the stage table (report_inputs)
    n_status = dict(aff.group_by("status").len().collect().iter_rows())
    rows += [
        ("papers_without_funding_metadata", w["no_funding"], "papers", "papers with no funder metadata at all", "funding found only via award numbers or not at all"),
        ("prc_authorships_without_institution_id", n_status.get("no_institution_id", 0), "count", "PRC authorships known only by a raw affiliation string", "matched on the string only"),
        ("prc_affiliations_no_match", n_status.get("no_match", 0), "count", "PRC affiliations on no selected list", "no match is data"),
        ("synthetic_records", w["synthetic"], "count", "SYNTHETIC records included above", "demo/test data; not findings"),
    ]
    df = pl.DataFrame(
        {"measure": [r[0] for r in rows], "value": [None if r[1] is None else float(r[1]) for r in rows], "unit": [r[2] for r in rows], "label": [r[3] for r in rows], "note": [r[4] for r in rows]},
        schema={"measure": pl.Utf8, "value": pl.Float64, "unit": pl.Utf8, "label": pl.Utf8, "note": pl.Utf8},
    )
    return df.with_columns(pl.lit(ctx.synthetic).alias("synthetic"))


def _money_rows(ctx: ReportContext) -> list[tuple[str, Any, str, str, str]]:
    a = ctx.awards
    known = pl.col("amount_usd").is_not_null()
    m = a.select(pl.len().alias("n"), known.sum().alias("n_amt"), pl.col("amount_usd").sum().alias("sum"), pl.col("synthetic").filter(known).any().alias("syn")).collect().row(0, named=True)
    n_aw, n_amt = m["n"], m["n_amt"]
    gov_works = ctx.classes.filter(pl.col("government_at_publication")).select("work_id")
    gov_keys = ctx.work_award.join(gov_works, on="work_id", maintain_order="left").select("award_key").unique()
    gov_amt = a.join(gov_keys, on="award_key", maintain_order="left").select(pl.col("amount_usd").sum()).collect().item() if n_amt else None
    syn = " (SYNTHETIC amounts)" if m["syn"] else ""
    return [
        ("dod_award_numbers", n_aw, "count", "distinct DoD award numbers cited", "each award once, however many papers cite it"),
        ("awards_with_amount", n_amt, "count", "of which with an amount in an award record", ""),
        ("award_amount_coverage", _pct(n_amt, n_aw), "share", "award amount coverage", "share of DoD award numbers with a known amount: money figures are lower bounds"),
        ("amount_usd_all_awards", float(m["sum"]) if n_amt else None, "usd", "sum of distinct DoD award amounts" + syn, "each award once; the same award filed under two DoD funders once"),
        ("amount_usd_government_list", float(gov_amt) if gov_amt is not None else None, "usd", "of which on papers with a U.S.-government-listed partner" + syn, ""),
    ]


def _n_unique(lf: pl.LazyFrame, col: str) -> int:
    return int(lf.select(pl.col(col).drop_nulls().n_unique()).collect().item())


def _us_signal_rows(ctx: ReportContext) -> list[tuple[str, Any, str, str, str]]:
    listed = ctx.classes.select("work_id")
    gov = ctx.classes.filter(pl.col("government_at_publication")).select("work_id")
    us = ctx.tables.authorship_institutions.filter(pl.col("country_code") == US)
    dual, prc = ctx.dual, ctx.prc_funding
    return [
        ("us_institutions_with_listed_partners", _n_unique(us.join(listed, on="work_id", maintain_order="left"), "institution_id"), "count", "U.S. institutions on papers with a listed partner", "any list"),
        ("us_institutions_with_government_listed_partners", _n_unique(us.join(gov, on="work_id", maintain_order="left"), "institution_id"), "count", "U.S. institutions on papers with a U.S.-government-listed partner", ""),
        ("papers_dual_affiliation", _n_unique(dual, "work_id"), "papers", "papers where one author holds a non-PRC and a listed PRC affiliation", "dual affiliation on the same paper"),
        ("papers_prc_state_cofunding", _n_unique(prc, "work_id"), "papers", "DoD-funded papers also funded by the PRC state", "NSFC, National Key R&D Program, CAS, CSC, provincial foundations …"),
        ("papers_prc_state_cofunding_government_list", _n_unique(prc.join(gov, on="work_id", maintain_order="left"), "work_id"), "papers", "of which with a U.S.-government-listed partner", ""),
    ]


def _window_text(window: tuple[dt.date, dt.date] | None) -> str:
    if not window:
        return "all dates"
    a, b = window
    return f"published {a:%-d %b %Y} to {b:%-d %b %Y}"


def headline_sentence(h: pl.DataFrame, *, window: tuple[dt.date, dt.date] | None = None) -> str:
    """The finding in one sentence, figures from :func:`headline`."""
    v = dict(zip(h["measure"].to_list(), h["value"].to_list()))
    n, m, k = int(v["papers_in_scope"] or 0), int(v["papers_government_list_at_publication"] or 0), int(v["papers_assessment_only"] or 0)
    risks = [(lvl, int(v.get(f"papers_assessment_only_aspi_{lvl.replace(' ', '_')}") or 0)) for lvl in ("very high", "high", "medium", "low")]
    risk_txt = ", ".join(f"{c:,} {lvl}" for lvl, c in risks if c)
    unr = int(v.get("papers_assessment_only_unrated") or 0)
    if unr:
        risk_txt = (risk_txt + ", " if risk_txt else "") + f"{unr:,} Seven Sons/SASTIND without an ASPI rating"
    share = f"{100 * m / n:.1f}%" if n else "n/a"
    s = (
        f"{n:,} DoD-funded papers with PRC co-authors ({_window_text(window)}); "
        f"{m:,} ({share}) with a partner on a U.S. government list (Entity List, 1260H, Section 1286, NS-CMIC, MEU) at publication; "
        f"{k:,} more only on the ASPI tracker or SASTIND/Seven Sons"
    )
    s += f" (ASPI risk: {risk_txt})." if risk_txt else "."
    if v.get("synthetic_records"):
        s += f" Includes {int(v['synthetic_records']):,} SYNTHETIC records."
    return s


def house_comparison(ctx: ReportContext, h: pl.DataFrame) -> pl.DataFrame:
    """This run's figures beside the House committee's, with why they can differ."""
    ref = tomllib.loads(HOUSE_FILE.read_text(encoding="utf-8"))
    v = dict(zip(h["measure"].to_list(), h["value"].to_list()))
    fmt = lambda x: "n/a" if x is None else f"{int(x):,}"  # noqa: E731
    either = int((v["papers_government_list_at_publication"] or 0) + (v["papers_assessment_only"] or 0))
    amt = v.get("amount_usd_all_awards")
    rows = [
        (ref["papers"]["label"], ref["papers"]["value"], fmt(v["papers_in_scope"]), "biblio: papers in this run's scope"),
        (ref["defense_linked"]["label"], ref["defense_linked"]["value"],
         f"{fmt(v['papers_government_list_at_publication'])} on a U.S. government list; {either:,} on a government list or an assessment",
         "the House count mixes designations and assessments (" + ref["defense_linked"]["lists"] + ")"),
        (ref["money"]["label"], ref["money"]["value"], "n/a" if amt is None else f"${amt:,.0f} across {fmt(v['awards_with_amount'])} awards with an amount (coverage {100 * (v['award_amount_coverage'] or 0):.0f}%)",
         "sum of distinct award amounts from award records" + (" — SYNTHETIC in this run" if "SYNTHETIC" in str(h.filter(pl.col('measure') == 'amount_usd_all_awards')['label'][0]) else "")),
    ]
    df = pl.DataFrame(rows, schema={"measure": pl.Utf8, "house": pl.Utf8, "this_run": pl.Utf8, "note": pl.Utf8}, orient="row")
    return ctx.mark(df)


def house_reasons() -> list[str]:
    """Why biblio's figures can differ from the committee's (from ``house_figures.toml``)."""
    return list(tomllib.loads(HOUSE_FILE.read_text(encoding="utf-8"))["why_differ"]["reasons"])


def by_year(ctx: ReportContext) -> pl.DataFrame:
    """Papers per year and quarter by status; ``partial_year`` when the window covers part of it."""
    w = ctx.work_status().with_columns(pl.col("publication_date").dt.quarter().cast(pl.Int32).alias("quarter"))
    out = w.group_by("year", "quarter").agg(_status_counts(w)).sort("year", "quarter")
    if ctx.window:
        a, b = ctx.window
        partial = (pl.col("year") == a.year) & ((a.month, a.day) != (1, 1)) | (pl.col("year") == b.year) & ((b.month, b.day) != (12, 31))
        out = out.with_columns(partial.alias("partial_year"))
    else:
        out = out.with_columns(pl.lit(False).alias("partial_year"))
    return ctx.mark(out)


def by_agency(ctx: ReportContext) -> pl.DataFrame:
    """Papers and award money per DoD agency (a paper funded by two agencies counts for both)."""
    st = ctx.work_status().select("work_id", "status")
    wa = ctx.agencies.join(st, on="work_id", how="left", maintain_order="left")
    out = wa.group_by("agency").agg(
        *_status_counts(wa)[:3],
        pl.col("work_id").filter(pl.col("agency_source") == "award_prefix").n_unique().cast(pl.Int64).alias("via_award_prefix"),
    )
    money = ctx.awards.group_by("agency").agg(
        pl.len().cast(pl.Int64).alias("awards"),
        pl.col("amount_usd").is_not_null().sum().cast(pl.Int64).alias("awards_with_amount"),
        sum_or_null("amount_usd"),
    )
    out = out.join(money, on="agency", how="left", maintain_order="left").with_columns(pl.col("awards", "awards_with_amount").fill_null(0))
    return ctx.mark(out.sort("papers", "agency", descending=[True, False]))


def by_list(ctx: ReportContext) -> pl.DataFrame:
    """Per list: papers (at publication, any edition), partners after roll-up, flags."""
    f = ctx.flags
    out = f.group_by("list_key").agg(
        pl.col("list_label").first(), pl.col("family").first(), pl.col("list_order").first(), pl.col("list_name").first(),
        pl.col("list_edition").unique().sort().str.join("; ").alias("editions"),
        pl.col("work_id").filter(pl.col("listed_at_publication")).n_unique().cast(pl.Int64).alias("papers_at_publication"),
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers_any_edition"),
        pl.col("partner_key").n_unique().cast(pl.Int64).alias("partners"),
        pl.len().cast(pl.Int64).alias("flags"),
    )
    return ctx.mark(out.sort("list_order").drop("list_order"))


def list_by_agency(ctx: ReportContext) -> pl.DataFrame:
    """Papers with a partner listed at publication, per list × DoD agency."""
    f = ctx.flags.filter(pl.col("listed_at_publication")).select("work_id", "list_key", "list_label", "family", "list_order").unique()
    out = (
        f.join(ctx.agencies.select("work_id", "agency"), on="work_id", maintain_order="left")
        .group_by("list_key", "list_label", "family", "list_order", "agency")
        .agg(pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"))
        .sort("list_order", "agency")
        .drop("list_order")
    )
    return ctx.mark(out)


def _labels(col: str, sep: str = "; ") -> pl.Expr:
    return pl.col(col).drop_nulls().unique().sort().str.join(sep)


def _order_lists(s: str) -> str:
    """'; '-joined list labels in display order."""
    order = dict(zip(load_list_families()["label"].to_list(), load_list_families()["order"].to_list()))
    return "; ".join(sorted(filter(None, s.split("; ")), key=lambda x: (order.get(x, 99), x)))


def _list_key() -> pl.Expr:
    """'07|BIS Entity List': a list label that sorts in display order (see :func:`_list_labels`)."""
    return pl.concat_str([pl.col("list_order").cast(pl.Utf8).str.zfill(2), pl.lit("|"), pl.col("list_label")])


def _joined(col: str, *, sep: str = "; ", unkey: bool = False) -> pl.Expr:
    """A list column's distinct values sorted and joined (``unkey``: :func:`_list_key` values, shown as labels)."""
    lst = pl.col(col).list.unique().list.sort()
    if unkey:
        lst = lst.list.eval(pl.element().str.replace(r"^\d+\|", ""))
    return lst.list.join(sep).alias(col)


def _list_labels(mask: pl.Expr | None = None) -> pl.Expr:
    """The group's list labels in display order (government lists first), '; '-joined."""
    key = _list_key()
    if mask is not None:
        key = key.filter(mask)
    return key.drop_nulls().unique().sort().str.replace(r"^\d+\|", "").str.join("; ")


def prc_partners(ctx: ReportContext) -> pl.DataFrame:
    """PRC partner institutions after roll-up, by papers, with lists, risk, awards and money."""
    f = ctx.flags
    gov_pub = (pl.col("family") == GOVERNMENT) & pl.col("listed_at_publication")
    listed = f.group_by("partner_key").agg(
        pl.col("partner_name").first(),
        pl.col("institution_id").filter(pl.col("institution_id") == pl.col("partner_key")).first().alias("openalex_id"),
        pl.col("ror").filter(pl.col("institution_id") == pl.col("partner_key")).drop_nulls().first(),
        pl.col("country_code").drop_nulls().first(),
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"),
        pl.col("work_id").filter(gov_pub).n_unique().cast(pl.Int64).alias("papers_government_list"),
        _list_key().filter(pl.col("listed_at_publication")).drop_nulls().alias("lists"),
        _list_key().drop_nulls().alias("lists_any_edition"),
        pl.col("family").filter(pl.col("listed_at_publication")).alias("families"),
        pl.col("aspi_risk").drop_nulls().first(),
        pl.col("method").drop_nulls().alias("methods"),
        (pl.col("institution_id").is_null()).all().alias("raw_string_only"),
    ).with_columns(_joined("lists", unkey=True), _joined("lists_any_edition", unkey=True), _joined("families"), _joined("methods"))
    groups = f.select("work_id", "partner_key").unique()
    money = money_by(ctx.awards, ctx.work_award, groups, "partner_key").select("partner_key", "awards", "amount_usd")
    out = listed.join(money, on="partner_key", how="left", maintain_order="left").with_columns(pl.col("awards").fill_null(0))
    aff = ctx.resolved.affiliations.lazy().filter(pl.col("status") == "no_match")  # may be a lazy scan (report_inputs)
    unl = (
        aff.filter(pl.col("institution_id").is_not_null())
        .group_by("institution_id")
        .agg(pl.col("institution_name").first().alias("partner_name"), pl.col("ror").first(), pl.col("country_code").first(), pl.col("work_id").n_unique().cast(pl.Int64).alias("papers"))
        .join(out.select("partner_key"), left_on="institution_id", right_on="partner_key", how="anti", maintain_order="left")
        .with_columns(pl.col("institution_id").alias("partner_key"), pl.col("institution_id").alias("openalex_id"), pl.lit(0, pl.Int64).alias("papers_government_list"), pl.lit("").alias("lists"), pl.lit("").alias("families"), pl.lit(False).alias("raw_string_only"), pl.lit(0, pl.Int64).alias("awards"))
    )
    out = pl.concat([out, unl.drop("institution_id")], how="diagonal_relaxed")
    return ctx.mark(out.sort("papers_government_list", "papers", "partner_name", "partner_key", descending=[True, True, False, False]))  # the key breaks ties: same order every run


def _us_rows(ctx: ReportContext) -> pl.DataFrame:
    return ctx.us_rows


def _paper_lists(ctx: ReportContext) -> pl.DataFrame:
    return ctx.paper_lists


def us_institutions(ctx: ReportContext) -> pl.DataFrame:
    """U.S. institutions on DoD-funded papers with a listed partner: papers, awards, money, lists."""
    us = _us_rows(ctx).join(_paper_lists(ctx), on="work_id", how="left", maintain_order="left")
    out = us.group_by("institution_id").agg(
        pl.col("institution_name").first(), pl.col("ror").first(),
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers_with_listed_partner"),
        pl.col("work_id").filter(pl.col("government_at_publication")).n_unique().cast(pl.Int64).alias("papers_government_list"),
        pl.col("author_id").n_unique().cast(pl.Int64).alias("authors"),
        pl.col("_lists").explode().drop_nulls().unique().sort().str.join("; ").map_elements(_order_lists, return_dtype=pl.Utf8).alias("lists"),
        pl.col("_partners").explode().drop_nulls().unique().sort().head(8).str.join("; ").alias("partners"),
    )
    money = money_by(ctx.awards, ctx.work_award, us.select("work_id", "institution_id"), "institution_id").select("institution_id", "awards", "amount_usd")
    out = out.join(money, on="institution_id", how="left", maintain_order="left").with_columns(pl.col("awards").fill_null(0))
    return ctx.mark(out.sort("papers_government_list", "papers_with_listed_partner", "institution_name", "institution_id", descending=[True, True, False, False], nulls_last=True))


def us_authors(ctx: ReportContext) -> pl.DataFrame:
    """U.S.-affiliated authors on papers with a listed partner."""
    us = _us_rows(ctx).join(ctx.tables.authorships.select("work_id", "author_index", "author_name", "orcid"), on=["work_id", "author_index"], how="left", maintain_order="left").join(_paper_lists(ctx), on="work_id", how="left", maintain_order="left")
    out = us.group_by(pl.coalesce("author_id", pl.col("author_name")).alias("author_key")).agg(
        pl.col("author_id").first(), pl.col("author_name").first(), pl.col("orcid").drop_nulls().first(),
        _labels("institution_name").alias("us_institutions"),
        pl.col("work_id").n_unique().cast(pl.Int64).alias("papers_with_listed_partner"),
        pl.col("work_id").filter(pl.col("government_at_publication")).n_unique().cast(pl.Int64).alias("papers_government_list"),
        pl.col("_lists").explode().drop_nulls().unique().sort().str.join("; ").map_elements(_order_lists, return_dtype=pl.Utf8).alias("lists"),
    )
    order = ["papers_government_list", "papers_with_listed_partner", "author_name", "author_id", "us_institutions"]
    return ctx.mark(out.drop("author_key").sort(order, descending=[True, True, False, False, False], nulls_last=True))


def awards(ctx: ReportContext) -> pl.DataFrame:
    """Every distinct DoD award cited by a paper in scope, with amount and listed partners."""
    pl_ = ctx.work_award.join(_paper_lists(ctx), on="work_id", how="left", maintain_order="left").join(ctx.classes.select("work_id", "government_at_publication"), on="work_id", how="left", maintain_order="left")
    g = pl_.group_by("award_key").agg(
        pl.col("work_id").filter(pl.col("_lists").is_not_null()).n_unique().cast(pl.Int64).alias("papers_with_listed_partner"),
        pl.col("work_id").filter(pl.col("government_at_publication").fill_null(False)).n_unique().cast(pl.Int64).alias("papers_government_list"),
        pl.col("_partners").explode().drop_nulls().unique().sort().str.join("; ").alias("listed_partners"),
        pl.col("_lists").explode().drop_nulls().unique().sort().str.join("; ").map_elements(_order_lists, return_dtype=pl.Utf8).alias("lists"),
    )
    out = ctx.awards.join(g, on="award_key", how="left", maintain_order="left")
    return ctx.out(out.sort("papers_government_list", "amount_usd", "award_key", descending=[True, True, False], nulls_last=True))


def money_by_agency(ctx: ReportContext) -> pl.DataFrame:
    """Sum of distinct award amounts per DoD agency (each award under one agency)."""
    a = ctx.awards
    out = a.group_by("agency").agg(
        pl.len().cast(pl.Int64).alias("awards"),
        pl.col("amount_usd").is_not_null().sum().cast(pl.Int64).alias("awards_with_amount"),
        sum_or_null("amount_usd"),
        pl.col("synthetic").any().alias("synthetic"),
    ).with_columns((pl.col("awards_with_amount") / pl.col("awards")).alias("amount_coverage"))
    return ctx.mark(out.sort("amount_usd", "agency", descending=[True, False], nulls_last=True))


def money_by_partner(ctx: ReportContext) -> pl.DataFrame:
    """Sum of distinct award amounts on papers with each listed partner (partners overlap)."""
    f = ctx.flags.filter(pl.col("listed_at_publication"))
    groups = f.select("work_id", "partner_key").unique()
    names = f.group_by("partner_key").agg(pl.col("partner_name").first(), _list_labels().alias("lists"), (pl.col("family") == GOVERNMENT).any().alias("government_listed"))
    out = money_by(ctx.awards, ctx.work_award, groups, "partner_key").join(names, on="partner_key", how="left", maintain_order="left")
    out = out.rename({"synthetic_amounts": "synthetic"}).select("partner_key", "partner_name", "government_listed", "lists", "awards", "awards_with_amount", "amount_usd", "amount_coverage", "synthetic")
    return ctx.mark(out.sort("amount_usd", "awards", "partner_key", descending=[True, True, False], nulls_last=True))  # the key breaks ties, as money_by orders them


def evidence_flags(ctx: ReportContext) -> pl.DataFrame:
    """One row per flag with the partner after roll-up and links' IDs: the details of a paper."""
    f = ctx.flags
    return ctx.mark(f.select(
        "work_id", "author_index", "author_name", "institution_id", "ror", "institution_name", "country_code", "raw_affiliation_string",
        "partner_key", "partner_name", "list_key", "list_label", "family", "list_edition", "entity_name", "method", "score", "matched_text", "via_parent",
        "listed_at_publication", "listed_now", "aspi_risk",
        *[c for c in ("chain",) if c in f.collect_schema().names()],
    ).sort("work_id", "author_index", "list_key", maintain_order=True))  # ties keep the flags' own order


def evidence(ctx: ReportContext) -> pl.DataFrame:
    """One compact row per flagged paper: links, funders, partners, lists, signals."""
    f = ctx.flags
    if ctx.n_flags == 0:
        return ctx.mark(pl.DataFrame(schema={c: pl.Utf8 for c in EVIDENCE_COLUMNS}).with_columns(pl.col("publication_date").cast(pl.Date), pl.col("government_at_publication", "assessment_only", "dual_affiliation").cast(pl.Boolean)))
    wa = ctx.agencies.join(f.select("work_id").unique(), on="work_id", how="semi", maintain_order="left").group_by("work_id").agg(
        _labels("agency").alias("agencies"), pl.col("award_numbers").explode().drop_nulls().unique().sort().str.join("; ").alias("award_numbers"))
    per = f.group_by("work_id").agg(  # each group's values as a list, then sorted, deduplicated and joined list-wise (faster than per group)
        pl.col("partner_name").drop_nulls().alias("partners"),
        pl.col("partner_name").filter((pl.col("family") == GOVERNMENT) & pl.col("listed_at_publication")).alias("government_listed_partners"),
        _list_key().filter(pl.col("listed_at_publication")).drop_nulls().alias("lists"),
        pl.col("method").drop_nulls().alias("methods"),
        pl.col("author_name").drop_nulls().alias("flagged_authors"),
        pl.col("raw_affiliation_string").drop_nulls().alias("raw_affiliation_strings"),
    ).with_columns(
        *[_joined(c) for c in ("partners", "government_listed_partners", "methods", "flagged_authors")],
        _joined("lists", unkey=True), _joined("raw_affiliation_strings", sep=" || "),
    )
    us = (
        ctx.tables.authorship_institutions.filter(pl.col("country_code") == US).join(per.select("work_id"), on="work_id", how="semi", maintain_order="left")
        .group_by("work_id").agg(_labels("institution_name").alias("us_institutions"))
    )
    dual = ctx.dual.group_by("work_id").agg(
        pl.concat_str([pl.col("author_name"), pl.lit(" ("), pl.col("non_prc_institutions"), pl.lit(" + "), pl.col("listed_prc_entities"), pl.lit(")")]).str.join("; ").alias("dual_affiliation_detail")
    )
    prc = ctx.prc_funding.group_by("work_id").agg(_labels("funder_name").alias("prc_state_funders"))
    out = (
        per.join(ctx.classes, on="work_id", how="left", maintain_order="left")
        .join(ctx.tables.works.select("work_id", "doi", "title", "publication_date", pl.col("is_synthetic").alias("synthetic")), on="work_id", how="left", maintain_order="left")
        .join(wa, on="work_id", how="left", maintain_order="left").join(us, on="work_id", how="left", maintain_order="left").join(dual, on="work_id", how="left", maintain_order="left").join(prc, on="work_id", how="left", maintain_order="left")
        .with_columns(pl.col("dual_affiliation_detail").is_not_null().alias("dual_affiliation"))
    )
    return ctx.out(out.select(EVIDENCE_COLUMNS).sort("publication_date", "work_id"))


EVIDENCE_COLUMNS = [
    "work_id", "doi", "title", "publication_date", "agencies", "award_numbers", "partners", "government_listed_partners", "lists",
    "government_at_publication", "assessment_only", "aspi_risk_max", "us_institutions", "dual_affiliation", "dual_affiliation_detail",
    "prc_state_funders", "methods", "flagged_authors", "raw_affiliation_strings", "synthetic",
]


def signals_dual(ctx: ReportContext) -> pl.DataFrame:
    """Authorships with a non-PRC and a listed PRC affiliation on the same paper."""
    return ctx.mark(ctx.dual)


def signals_prc_funding(ctx: ReportContext) -> pl.DataFrame:
    """DoD-funded papers that also acknowledge a PRC state funder, with the paper's status."""
    p = ctx.prc_funding
    return ctx.mark(p.join(ctx.work_status().select("work_id", "status"), on="work_id", how="left", maintain_order="left"))


def award_view(ctx: ReportContext, *, award_keys: pl.Series | None = None) -> pl.DataFrame | pl.LazyFrame:
    """Award → paper → listed partner, with the evidence: the view a program officer vets.

    With ``award_keys``, only those awards' rows, sorted as in the whole table (a part of it:
    :func:`award_view_parts`); only their papers' flags are read.

    Example:
        >>> award_view(ctx, award_keys=pl.Series(["FA95502310000"]))["partner_name"]   # doctest: +SKIP
    """
    wa, f, aw = ctx.work_award, ctx.flags.filter(pl.col("listed_at_publication")), ctx.awards
    works = ctx.tables.works.select("work_id", "doi", "title", "publication_date", pl.col("is_synthetic").alias("_ws"))
    if award_keys is not None:  # each side read for these awards and their papers only
        wa, aw = (x.filter(pl.col("award_key").is_in(award_keys.implode())) for x in (wa, aw))
        ids = wa.select(pl.col("work_id").unique().implode()).collect().to_series()
        f, works = (x.filter(pl.col("work_id").is_in(ids)) for x in (f, works))  # flags order kept: partner_name is a group's first
    ev = f.group_by("work_id", "partner_key").agg(
        pl.col("partner_name").first(), _list_key().drop_nulls().alias("lists"),
        pl.concat_str([pl.col("author_name").fill_null("?"), pl.lit(": "), pl.col("raw_affiliation_string").fill_null(pl.col("institution_name")), pl.lit(" ["), pl.col("method"), pl.lit("]")]).alias("evidence"),
    ).with_columns(_joined("lists", unkey=True), _joined("evidence", sep=" | "))
    out = (
        wa.join(ev, on="work_id", maintain_order="left")
        .join(aw.select("award_key", "agency", "amount_usd", "synthetic"), on="award_key", how="left", maintain_order="left")
        .join(works, on="work_id", how="left", maintain_order="left")
        .with_columns((pl.col("synthetic").fill_null(False) | pl.col("_ws")).alias("synthetic"))
        .select("award_number", "award_key", "agency", "amount_usd", "work_id", "doi", "title", "publication_date", "partner_name", "lists", "evidence", "synthetic")
    )
    return ctx.out(out.sort("award_key", "publication_date", "work_id", "partner_name", "award_number", "lists", "evidence"))


#: About how many rows of :func:`award_view` a part (:func:`award_view_parts`) holds.
AWARD_VIEW_PART_ROWS = 20_000


def award_view_parts(ctx: ReportContext, *, rows_per_part: int = AWARD_VIEW_PART_ROWS) -> Iterator[pl.DataFrame | pl.LazyFrame]:
    """:func:`award_view` in parts, in table order: runs of consecutive award keys of about
    ``rows_per_part`` rows each (an award's rows are never split; the table is sorted by award
    key first, so the parts one after another are the table). Each part is built when asked for.

    Example:
        >>> sum(p.collect().height for p in award_view_parts(ctx, rows_per_part=1_000))   # doctest: +SKIP
    """
    per_work = ctx.flags.filter(pl.col("listed_at_publication")).group_by("work_id").agg(pl.col("partner_key").n_unique().alias("n"))
    rows = ctx.work_award.join(per_work, on="work_id").group_by("award_key").agg(pl.col("n").sum()).sort("award_key").collect()
    part = ((rows["n"].cum_sum() - rows["n"]) // max(rows_per_part, 1)).rle_id()
    for keys in rows.with_columns(part.alias("_part")).partition_by("_part", maintain_order=True, include_key=False):
        yield award_view(ctx, award_keys=keys["award_key"])
    if rows.is_empty():
        yield award_view(ctx)


def load_tech_areas(path: str | Path | None = None) -> dict[str, list[str]]:
    """The technology-area mapping: area → list of case-insensitive regex patterns."""
    p = Path(path) if path else TECH_AREAS_FILE
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    return {area: list(v["patterns"]) for area, v in data.items()}


def tech_area_labels(path: str | Path | None = None) -> dict[str, str]:
    """area key → human label (the key where none is given)."""
    p = Path(path) if path else TECH_AREAS_FILE
    return {k: v.get("label", k) for k, v in tomllib.loads(p.read_text(encoding="utf-8")).items()}


def tech_areas(ctx: ReportContext, *, mapping: dict[str, list[str]] | None = None) -> pl.DataFrame | pl.LazyFrame:
    """Papers per civil-military-fusion technology area (a paper may be in several), by status.

    Each paper's text is matched against every area in one pass over the works (one boolean
    column an area), so the works are read once whatever the number of areas.

    Example:
        >>> tech_areas(ctx, mapping={"quantum": ["quantum"]})["papers"]   # doctest: +SKIP
    """
    mp = mapping or load_tech_areas()
    labels = tech_area_labels() if mapping is None else {}
    if not mp:
        return ctx.mark(pl.DataFrame(schema={"area": pl.Utf8, "label": pl.Utf8, "papers": pl.Int64}))
    text = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("primary_topic", "primary_subfield", "primary_field")] + [pl.col("topics").list.join(" ; "), pl.col("keywords").list.join(" ; ")],
        separator=" ; ",
    )
    hits = [text.str.contains("(?i)" + "|".join(f"(?:{p})" for p in pats)).alias(f"_a{i}") for i, pats in enumerate(mp.values())]
    w = ctx.tables.works.select("work_id", *hits).join(ctx.work_status().select("work_id", "status"), on="work_id", maintain_order="left")
    w = ctx.stash("tech_hits", w)
    parts = [w.filter(pl.col(f"_a{i}")).select(pl.lit(area).alias("area"), pl.lit(labels.get(area, area)).alias("label"), "work_id", "status") for i, area in enumerate(mp)]
    allp = pl.concat(parts)
    areas = pl.DataFrame({"area": list(mp), "label": [labels.get(a, a) for a in mp]}).lazy()
    out = areas.join(allp.group_by("area").agg(_status_counts(allp)), on="area", how="left", maintain_order="left")
    return ctx.mark(out.with_columns(pl.col(c).fill_null(0) for c in ("papers", "papers_government_list", "papers_assessment_only", "papers_no_listed_partner")))


def iter_tables(ctx: ReportContext, *, tech_mapping: dict[str, list[str]] | None = None) -> Iterator[tuple[str, pl.DataFrame]]:
    """Every report table as ``(name, frame)``, the figures' tables first (the workbook and the
    page take their own order), each built when asked for: a caller that writes and drops each
    one holds one at a time.

    Example:
        >>> for name, df in iter_tables(report_context(tables, resolved)):   # doctest: +SKIP
        ...     df.write_parquet(f"{name}.parquet")
    """
    # the figures' tables first: the report's figures are drawn (by a helper process) while the rest is computed
    figures = (("by_year", by_year), ("by_agency", by_agency), ("list_by_agency", list_by_agency), ("prc_partners", prc_partners),
               ("money_by_agency", money_by_agency), ("tech_areas", lambda c: tech_areas(c, mapping=tech_mapping)))
    for name, fn in figures:
        yield name, fn(ctx)
    h = headline(ctx)
    yield "headline", h
    yield "house_comparison", house_comparison(ctx, h)
    rest = (("by_list", by_list), ("us_institutions", us_institutions), ("us_authors", us_authors), ("awards", awards), ("money_by_partner", money_by_partner),
            ("award_view", award_view), ("signals_dual_affiliation", signals_dual), ("signals_prc_state_funding", signals_prc_funding))
    for name, fn in rest:
        yield name, fn(ctx)
    yield "evidence", evidence(ctx)
    yield "evidence_flags", evidence_flags(ctx)


def all_tables(tables: Any, resolved: Any, *, award_records: pl.DataFrame | None = None, window: tuple[dt.date, dt.date] | None = None, tech_mapping: dict[str, list[str]] | None = None) -> dict[str, pl.DataFrame]:
    """Every report table by name (in :func:`iter_tables` order)."""
    ctx = report_context(tables, resolved, award_records=award_records, window=window)
    return dict(iter_tables(ctx, tech_mapping=tech_mapping))
