"""The single-file HTML report: inline CSS and base64 images, no external resources.

Example:
    >>> html = render_html(manifest=m, report_tables=t, images=pngs, editions=eds)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html as _h
from pathlib import Path
from typing import Any

import polars as pl

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:26px;margin:8px 0 4px} h2{font-size:20px;border-bottom:2px solid #eee;padding-bottom:4px;margin-top:36px}
.sub{color:#555;margin:0 0 16px}
.banner{background:#fff3cd;border:2px solid #d39e00;color:#5c4400;padding:12px 16px;font-weight:600;margin:12px 0 20px;border-radius:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.card{border:1px solid #ddd;border-radius:6px;padding:12px;background:#fcfcfc}
.card .v{font-size:26px;font-weight:700} .card .k{font-size:12px;color:#555}
.tw{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:8px 0 16px}
th,td{border:1px solid #e2e2e2;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
tr.syn td{background:#fffbe6}
.plots img{max-width:100%;border:1px solid #eee;margin:8px 0}
.small{font-size:12px;color:#555}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
"""

HEADLINE_LABELS = {
    "papers_in_scope": "Papers in scope (DoD-funded, PRC co-author)",
    "papers_defense_linked_at_publication": "With a listed partner (at publication)",
    "share_defense_linked_at_publication": "Share with a listed partner (at publication)",
    "papers_defense_linked_any_edition": "With a listed partner (any edition)",
    "share_defense_linked_any_edition": "Share (any edition)",
    "flags": "Evidence rows (flags)",
    "distinct_dod_award_numbers": "Distinct DoD award numbers",
    "distinct_prc_institutions": "Distinct PRC institutions",
    "sum_distinct_award_amounts": "Sum of distinct award amounts",
}


def esc(v: Any) -> str:
    """HTML-escape any value ('' for None)."""
    return "" if v is None else _h.escape(str(v))


def table_html(df: pl.DataFrame, *, max_rows: int | None = None, synthetic_col: str | None = None) -> str:
    """A frame as an escaped HTML table (list columns joined with '; ')."""
    if df.height == 0:
        return '<p class="small">No rows.</p>'
    d = df.head(max_rows) if max_rows else df
    cols = d.columns
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = []
    for r in d.iter_rows(named=True):
        cls = ' class="syn"' if synthetic_col and r.get(synthetic_col) else ""
        cells = "".join(f"<td>{esc('; '.join(map(str, v)) if isinstance(v, list) else v)}</td>" for v in r.values())
        body.append(f"<tr{cls}>{cells}</tr>")
    more = f'<p class="small">Showing {d.height} of {df.height} rows; all rows are in the CSV/XLSX.</p>' if d.height < df.height else ""
    return f"<div class='tw'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{more}"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def _fmt(measure: str, v: Any) -> str:
    if v is None:
        return "n/a"
    if measure.startswith("share"):
        return f"{100 * v:.1f}%"
    if measure.startswith("sum"):
        return f"${v:,.0f}"
    return f"{int(v):,}"


def render_html(
    *,
    manifest: dict[str, Any],
    report_tables: dict[str, pl.DataFrame],
    images: dict[str, Path],
    editions: pl.DataFrame,
) -> str:
    """Render the report page from the manifest, the report tables and the plot PNGs."""
    q = manifest["query"]
    syn = manifest.get("synthetic_records", 0)
    hl = report_tables["headline"]
    hv = dict(zip(hl["measure"].to_list(), hl["value"].to_list()))
    notes = dict(zip(hl["measure"].to_list(), hl["note"].to_list()))
    cards = "".join(
        f'<div class="card"><div class="v">{esc(_fmt(k, hv.get(k)))}</div><div class="k">{esc(label)}</div></div>'
        for k, label in HEADLINE_LABELS.items()
    )
    amount_note = "" if hv.get("sum_distinct_award_amounts") is not None else f'<p class="small">Award amounts: {esc(notes["sum_distinct_award_amounts"])}.</p>'
    thin = (
        f"<ul><li>{int(hv.get('papers_without_funding_metadata') or 0)} papers carry no funder metadata at all.</li>"
        f"<li>{int(hv.get('prc_authorships_without_institution_id') or 0)} PRC authorships have a raw affiliation string but no institution ID (matched on the string only).</li>"
        f"<li>{int(hv.get('prc_affiliations_no_match') or 0)} PRC affiliations matched no selected list.</li></ul>"
    )
    banner = (
        f'<div class="banner" id="synthetic-banner">SYNTHETIC DATA PRESENT: {syn} of {manifest["counts"]["works"]} records are synthetic '
        "(titles start with [SYNTHETIC], DOIs use the 10.5555 test prefix). They demonstrate the pipeline and are not findings.</div>"
        if syn
        else ""
    )
    plots = "".join(f"<figure>{_img(p, name)}</figure>" for name, p in images.items())
    methods = manifest.get("flags_by_method", {})
    method_rows = "".join(f"<li><code>{esc(k)}</code>: {v} flags</li>" for k, v in methods.items()) or "<li>no flags</li>"
    eds = editions.filter(pl.col("list_key").is_in(q["lists"])).select("list_key", "edition", "edition_date", "coverage", "retrieved", "staleness_note")
    fetch = manifest.get("fetch", {})
    title = f"biblio report: {q['name']}"
    body = f"""
<main>
<h1>{esc(title)}</h1>
<p class="sub">{esc(q.get('description'))}<br>Run <code>{esc(manifest['run_id'])}</code> · biblio {esc(manifest['biblio_version'])} · data {esc(manifest['data_source'])}, dated {esc(manifest['data_date'])} · created {esc(manifest['created_at'])}</p>
{banner}
<section id="headline"><h2>Headline</h2><div class="cards">{cards}</div>{amount_note}
<p class="small">"Listed at publication" counts a partner on the list edition in force on the paper's publication date; "any edition" also counts entities listed before or after. Both definitions are given because published figures differ on this point.</p>
<h3>Where the data is thin</h3>{thin}</section>
<section id="plots" class="plots"><h2>Plots</h2>{plots}</section>
<section id="tables"><h2>Top tables</h2>
<h3>By DoD agency</h3>{table_html(report_tables['by_agency'])}
<h3>By list</h3>{table_html(report_tables['by_list'])}
<h3>Top PRC institutions</h3>{table_html(report_tables['by_institution'], max_rows=20)}
<h3>By year and quarter</h3>{table_html(report_tables['by_year'])}
<h3>Technology areas</h3>{table_html(report_tables['tech_areas'])}
</section>
<section id="methodology"><h2>Methodology</h2>
<ul>
<li><b>Query</b>: <code>{esc(manifest.get('query_path'))}</code> (sha256 <code>{esc(manifest.get('query_sha256', '')[:16])}…</code>).</li>
<li><b>Window</b>: publications from {esc(q['date_from'])} to {esc(q['date_to'])} (inclusive).</li>
<li><b>Funders</b>: {len(q['funder_ids'])} OpenAlex funder IDs ({esc(', '.join(q['agencies']) or 'by ID')}): {esc(', '.join(q['funder_ids']))}. Agencies are attributed from the funder ID, or from a verified award-number prefix when the funder is the generic DoD (e.g. FA9550 → AFOSR).</li>
<li><b>PRC scope</b>: <code>{esc(q['scope'])}</code> — institutions with country code {esc(' or '.join(manifest.get('country_codes', [])))}.</li>
<li><b>Source</b>: {esc(manifest['data_source'])}; {esc(fetch.get('n_records', manifest['counts'].get('works')))} records; requests {esc(fetch.get('requests'))}; complete: {esc(fetch.get('complete'))}.</li>
<li><b>Lists applied</b>: {esc(', '.join(q['lists']))}. Fuzzy matching: {'on' if q.get('fuzzy') else 'off'}.</li>
<li><b>Matching</b>, in order: OpenAlex ID / ROR via a curated crosswalk; exact normalised name; strong alias; parent in the OpenAlex lineage; listed name inside the raw affiliation string; fuzzy (opt-in, scored, with a margin). Methods used in this run:<ul>{method_rows}</ul></li>
</ul>
<h3>List editions and staleness</h3>{table_html(eds)}
</section>
<section id="caveats"><h2>Caveats</h2>
<ul>
<li>OpenAlex holds funding metadata for fewer than half of the papers that Web of Science or Scopus mark as funded: every count here is a <b>lower bound</b>.</li>
<li>The OpenAlex filter sees institution-level country codes: a paper whose only PRC co-author has no institution ID is not fetched.</li>
<li>Affiliation countries can be wrong in OpenAlex; the raw affiliation strings are shown for every flag so each can be checked.</li>
<li>The lists are as of their edition dates (above). Some are stale: BIS entries beyond the 2026 university subset date from 2022; the ASPI tracker is its 2019 version.</li>
<li>A flag says an author's institution matches an entry on a U.S. government or ASPI list. It is not evidence of wrongdoing by any author.</li>
</ul></section>
<section id="evidence"><h2>Evidence: every flagged paper</h2>
<p class="small">One row per paper with at least one flag. Synthetic rows are shaded. The full per-flag table (author, institution and ROR IDs, list edition, method, score, matched text) is <code>tables/flags.csv</code>.</p>
{table_html(report_tables['evidence'], max_rows=2000, synthetic_col='is_synthetic')}
</section>
</main>"""
    return f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>"
