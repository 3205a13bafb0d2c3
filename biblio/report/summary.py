"""The report's words: headline sentence, synthetic note, money text, method and caveats.

Shared by the HTML page and the workbook's summary sheet so both say the same thing.

Example:
    >>> s = build_summary(manifest=m, report_tables=rt, editions=eds, window=w, footer="…")  # doctest: +SKIP
    >>> s["sentence"]                                                                       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from biblio.report.tables import HOUSE_FILE, headline_sentence, house_reasons, tomllib

CAVEATS = [
    "OpenAlex holds funding metadata for fewer than half of the papers that Web of Science or Scopus mark as funded: every count is a lower bound.",
    "Only some DoD award numbers have an award record with an amount (coverage is stated beside every dollar figure): money figures are lower bounds too.",
    "Affiliation countries can be wrong in OpenAlex; the raw affiliation strings are shown for every flag so each can be checked.",
    "Lists are as of their edition dates (below); some are stale. A flag 'at publication' uses the edition in force on the paper's date.",
    "A flag says an author's institution matches an entry on a U.S. government list or an assessment. It is not evidence of wrongdoing by any author.",
]


def _v(h: pl.DataFrame) -> dict[str, Any]:
    return dict(zip(h["measure"].to_list(), h["value"].to_list()))


def _money_text(v: dict[str, Any], synthetic: bool) -> str:
    n, k = int(v.get("dod_award_numbers") or 0), int(v.get("awards_with_amount") or 0)
    if not n:
        return "No DoD award numbers are cited by the papers in scope."
    if not k:
        return f"{n:,} distinct DoD award numbers are cited; none has an award record with an amount in this run, so no dollar figure is given (coverage 0%)."
    tot, gov = v.get("amount_usd_all_awards") or 0, v.get("amount_usd_government_list")
    s = (f"{n:,} distinct DoD award numbers are cited; {k:,} ({100 * k / n:.0f}%) have an amount. Their sum, each award counted once "
         f"(the same award filed under two DoD funders once), is ${tot:,.0f}")
    s += f", of which ${gov:,.0f} on papers with a U.S.-government-listed partner." if gov is not None else "."
    return s + (" These amounts are SYNTHETIC." if synthetic else "")


def _method(manifest: dict[str, Any]) -> list[str]:
    q = manifest["query"]
    f = manifest.get("fetch", {})
    return [
        f"Query {manifest.get('query_path')} (sha256 {str(manifest.get('query_sha256', ''))[:16]}…): publications {q['date_from']} to {q['date_to']}; "
        f"{len(q['funder_ids'])} OpenAlex DoD funder IDs ({', '.join(q['agencies']) or 'by ID'}); agencies from the funder ID, or from a verified award-number prefix when the funder is the generic DoD.",
        f"PRC scope {q['scope']}: institutions with country code {' or '.join(manifest.get('country_codes', []))}.",
        f"Source {manifest['data_source']} dated {manifest['data_date']}: {f.get('n_records', manifest['counts'].get('works'))} records, complete: {f.get('complete')}.",
        f"Lists applied: {', '.join(q['lists'])}; fuzzy matching {'on' if q.get('fuzzy') else 'off'}. Matching, in order: OpenAlex ID / ROR via a curated crosswalk; exact normalised name; strong alias; a listed parent in the OpenAlex lineage; a listed name inside the raw affiliation string; fuzzy (opt-in).",
        "Partners are counted after roll-up: a raw string or lineage match that resolves to a listed institution is that institution; list entries that share a name or strong alias are one organisation.",
        "Money: award records (OpenAlex /awards: amount, currency, dates) matched to cited DoD award numbers by the normalised number; each award counted once; coverage = awards with an amount / distinct DoD award numbers.",
        "Workbook: DOIs, OpenAlex, ROR and ORCID IDs are links on the first 10,000 linked cells of each sheet; further IDs are plain text. No cell holds a formula.",
        "Signals: dual affiliation = one authorship with a non-PRC institution and a listed PRC one; PRC state co-funding = a funder in biblio/data/prc_funders.csv (OpenAlex IDs seen in real records, plus name rules).",
    ]


def _fetch_thin(manifest: dict[str, Any]) -> list[str]:
    """The fetch's own gaps: shortfalls against meta.count, stopped chains, and when pages were fetched."""
    f = manifest.get("fetch") or {}
    out = [str(w) for w in f.get("warnings") or []]
    days = f.get("fetched_dates") or {}
    if days:
        out.append("Pages fetched on " + ", ".join(f"{d} ({n} pages)" for d, n in days.items()) + ".")
    if not manifest.get("complete", f.get("complete", True)):
        out.append("The fetch is INCOMPLETE: some records OpenAlex counted were not received (see manifest.json, fetch.chains).")
    return out


def build_summary(*, manifest: dict[str, Any], report_tables: dict[str, pl.DataFrame | pl.LazyFrame], editions: pl.DataFrame, window: tuple[dt.date, dt.date] | None, footer: str) -> dict[str, Any]:
    """Texts for the page and the workbook's summary sheet."""
    rt = report_tables
    v = _v(rt["headline"])
    n_syn, n_syn_aw = int(manifest.get("synthetic_records") or 0), int(manifest.get("synthetic_award_records") or 0)
    money_syn = bool(rt["awards"].lazy().select(pl.col("synthetic").filter(pl.col("amount_usd").is_not_null()).any()).collect().item())
    syn_note = ""
    if n_syn or n_syn_aw:
        parts = []
        if n_syn:
            parts.append(f"{n_syn:,} of {manifest['counts']['works']:,} paper records are synthetic (titles start with [SYNTHETIC], DOIs use the 10.5555 test prefix)")
        if n_syn_aw:
            parts.append(f"{n_syn_aw:,} award records (amounts) are synthetic")
        syn_note = "; ".join(parts) + ". Synthetic data demonstrates the pipeline and is not a finding; every table has a 'synthetic' column."
    q = manifest["query"]
    eds = editions.filter(pl.col("list_key").is_in(q["lists"]))
    aff_thin = [
        f"{int(v.get('papers_without_funding_metadata') or 0):,} papers carry no funder metadata at all.",
        f"{int(v.get('prc_authorships_without_institution_id') or 0):,} PRC authorships have a raw affiliation string but no institution ID (matched on the string only).",
        f"{int(v.get('prc_affiliations_no_match') or 0):,} PRC affiliations matched no selected list.",
        f"Award amounts are known for {int(v.get('awards_with_amount') or 0):,} of {int(v.get('dod_award_numbers') or 0):,} DoD award numbers.",
        *_fetch_thin(manifest),
    ]
    ref = tomllib.loads(HOUSE_FILE.read_text(encoding="utf-8"))
    return {
        "title": f"biblio report: {q['name']}",
        "sentence": headline_sentence(rt["headline"], window=window),
        "synthetic_note": syn_note,
        "house_title": ref["title"],
        "house_reasons": house_reasons(),
        "thin": aff_thin,
        "money_text": _money_text(v, money_syn),
        "money_synthetic": money_syn,
        "method": _method(manifest),
        "caveats": CAVEATS,
        "footer": footer,
        "editions": [
            (r["list_key"], f"{r['edition']} ({r['edition_date']})", " ".join(x for x in (str(r.get("coverage") or ""), str(r.get("staleness_note") or "")) if x))
            for r in eds.iter_rows(named=True)
        ],
    }
