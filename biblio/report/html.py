"""The single-file HTML report, rendered from Jinja2 templates (``templates/``).

Inline CSS, inline script and base64 images: no network, no CDN. Large tables travel as
JSON inside the page and are drawn a page at a time by a small script (search, sort,
list/agency filters, details toggle), so every row is present up to
:data:`biblio.report.caps.MAX_HTML_ROWS` rows a table (beyond that the page says what it left out
and links to the full CSV).

Example:
    >>> html = render_html(manifest=m, report_tables=t, images=pngs, editions=eds, summary=s)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from biblio.report.caps import MAX_HTML_ROWS, cut_note, n_rows, top_rows
from biblio.report.links import link_for
from biblio.report.partners import load_list_families

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=False)
NUMERIC = {"int", "usd", "pct", "float"}


def _kind(name: str, dtype: pl.DataType) -> str:
    n = name.lower()
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "pct" if ("share" in n or "coverage" in n) else "usd" if ("amount" in n or "usd" in n) else "float"
    if dtype == pl.Boolean:
        return "bool"
    return "text"


def _fmt(kind: str, v: Any) -> str:
    if v is None:
        return ""
    if kind == "int":
        return f"{int(v):,}"
    if kind == "usd":
        return f"${v:,.0f}"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "float":
        return f"{v:,.2f}"
    if kind == "bool":
        return "yes" if v else ""
    return "; ".join(map(str, v)) if isinstance(v, list) else str(v)


def table_html(df: pl.DataFrame, *, drop: tuple[str, ...] = ("synthetic",)) -> Markup:
    """A small frame as a static HTML table (numbers formatted, IDs linked, synthetic rows shaded)."""
    syn = df["synthetic"].to_list() if "synthetic" in df.columns else [False] * df.height
    d = df.drop([c for c in drop if c in df.columns])
    kinds = [_kind(c, t) for c, t in d.schema.items()]
    cols = [{"label": c.replace("_", " "), "cls": "num" if k in NUMERIC else ""} for c, k in zip(d.columns, kinds)]
    rows = []
    for r, s in zip(d.iter_rows(), syn):
        cells = []
        for c, k, v in zip(d.columns, kinds, r):
            text = _fmt(k, v)
            cells.append({"text": text, "url": link_for(c, text) if k == "text" else None})
        rows.append({"cells": cells, "syn": bool(s)})
    return Markup(_ENV.get_template("table.html.j2").render(cols=cols, rows=rows))


class _Raw(str):
    """JSON text already encoded (by polars), spliced into :func:`_packed`'s output as it is."""


def _packed(obj: Any) -> Markup:
    """JSON, gzip-compressed and base64-encoded: a large table travels at a fraction of its size
    and is unpacked by the browser's own DecompressionStream when the table is drawn.
    ``obj`` (or its top-level values) may be :class:`_Raw` JSON text."""
    raws = {f"\x00raw{i}\x00": v for i, v in enumerate(obj.values() if isinstance(obj, dict) else [obj]) if isinstance(v, _Raw)}
    if raws:
        marks = {id(v): k for k, v in raws.items()}
        obj = {k: marks.get(id(v), v) for k, v in obj.items()} if isinstance(obj, dict) else next(iter(raws))
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=lambda x: x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else str(x))
    for mark, text in raws.items():
        raw = raw.replace(json.dumps(mark), text, 1)
    return Markup(base64.b64encode(_gzip(raw.encode("utf-8"))).decode("ascii"))


def _gzip(data: bytes) -> bytes:
    """``data`` gzipped for the page, with no timestamp (the same page for the same run): ISA-L's
    level 2 when installed. At 10,062 flagged papers (8.2 MB of JSON) that is 0.01 CPU-s
    against 0.11 for zlib's level 6, for a 30% larger payload (0.84 against 0.64 MB; the demo's
    0.27 against 0.23 MB). Any gzip reader (the browser's DecompressionStream) unpacks it.

    Example:
        >>> gzip.decompress(_gzip(b"[1,2]"))
        b'[1,2]'
    """
    try:
        from isal import igzip
    except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheel
        return gzip.compress(data, compresslevel=6, mtime=0)
    return igzip.compress(data, 2, mtime=0)


def _json_encodable(df: pl.DataFrame) -> bool:
    """True when polars writes every column as :func:`json.dumps` would (same values): strings,
    integers, finite floats, booleans, dates, lists of strings, nulls."""
    for c, t in df.schema.items():
        if t.is_float():
            if (df[c].is_nan() | df[c].is_infinite()).any():
                return False
        elif not (t.is_integer() or t in (pl.Utf8, pl.Boolean, pl.Date, pl.Null) or (isinstance(t, pl.List) and t.inner in (pl.Utf8, pl.Null))):
            return False
    return True


def _row_arrays(cols: list[str]) -> pl.Expr:
    """Each row's ``cols`` as a JSON array: ``["W1","2024-01-02",3,true,null]``."""
    cells = [pl.struct(pl.col(c).alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}") for c in cols]  # '{"v":…}' → '…'
    return pl.concat_str([pl.lit("["), pl.concat_str(cells, separator=","), pl.lit("]")])


def _rows_json(sel: pl.DataFrame, *, index: bool) -> _Raw:
    """``sel``'s rows as a JSON array of arrays; ``index``: each row's number appended."""
    arr = sel.with_row_index("_i").select(_row_arrays([*sel.columns, "_i"] if index else sel.columns)).to_series()
    return _Raw("[" + arr.str.join(",").item() + "]")


def _details_json(sel: pl.DataFrame, details: pl.DataFrame, dcols: list[str]) -> _Raw:
    """Per row of ``sel``, the JSON array of its ``details`` rows (matched on work_id, in their order)."""
    per = details.select("work_id", _row_arrays(dcols).alias("j")).group_by("work_id", maintain_order=True).agg(pl.col("j").str.join(","))
    arr = sel.select(pl.concat_str([pl.lit("["), pl.col("work_id").replace_strict(per["work_id"], per["j"], default="", return_dtype=pl.Utf8).fill_null(""), pl.lit("]")]))
    return _Raw("[" + arr.to_series().str.join(",").item() + "]")


def _json(obj: Any) -> Markup:
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=lambda x: x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else str(x))
    return Markup(s.replace("</", "<\\/").replace("<!--", "<\\!--"))


def dataset(df: pl.DataFrame, columns: list[tuple[str, str, str]], *, filters: list[tuple[str, str]] = (), per_page: int = 50, details: pl.DataFrame | None = None, detail_columns: list[tuple[str, str, str]] = (), title_cols: tuple[str, str] | None = None) -> dict[str, Any]:
    """A table spec for the page's script: ``columns`` are (column, label, type)."""
    cols = [c for c, _, _ in columns]
    sel = df.select([pl.col(c) if c in df.columns else pl.lit(None).alias(c) for c in cols] + ([pl.col("synthetic")] if "synthetic" in df.columns else [pl.lit(False).alias("synthetic")]))
    if title_cols:  # a [text, doi] pair: the text links to the DOI
        sel = sel.with_columns(pl.concat_list([pl.col(title_cols[0]).cast(pl.Utf8).fill_null(""), df[title_cols[1]].cast(pl.Utf8)]).alias(title_cols[0]))
    detail_rows: list[Any] | None = None
    dcols = [c for c, _, _ in detail_columns]
    # per-row detail records (matched on work_id) are kept apart and parsed on first use
    if _json_encodable(sel) and (details is None or _json_encodable(details.select(["work_id", *dcols]))):  # encoded column-wise by polars
        rows: Any = _rows_json(sel, index=details is not None)
        detail_rows = None if details is None else _details_json(sel, details, dcols)
    elif details is None:
        rows = sel.rows()
    else:
        rows = sel.rows()
        g = details.select(["work_id", *dcols]).group_by("work_id", maintain_order=True).agg(pl.struct(dcols).alias("_d"))
        lookup = {w: [list(x.values()) for x in d] for w, d in g.iter_rows()}
        wi = cols.index("work_id")
        detail_rows = [lookup.get(r[wi], []) for r in rows]
        rows = [(*r, i) for i, r in enumerate(rows)]
    filt = []
    for col, label in filters:
        j = cols.index(col)
        vals = sorted({p for v in df[col].drop_nulls().to_list() for p in str(v).split("; ") if p})
        filt.append({"col": j, "label": label, "values": vals})
    return {
        "columns": [{"key": c, "label": lab, "type": t} for c, lab, t in columns],
        "rows": rows,
        "filters": filt,
        "per_page": per_page,
        "syn_col": len(cols),
        "details": details is not None,
        "detail_columns": [{"key": c, "label": lab, "type": t} for c, lab, t in detail_columns],
        "_details": detail_rows,
    }


def _img(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _slot(name: str) -> str:
    """The placeholder a figure without its PNG yet gets in the page (base64 never holds ``@``)."""
    return f"@@biblio-figure:{name}@@"


def fill_images(html: str, images: dict[str, Path]) -> str:
    """The page rendered with ``None`` for some figures (:func:`render_html`), with each of them
    now its PNG from ``images``; raises ``KeyError`` naming a figure still without one.

    Example:
        >>> fill_images('<img src="data:image/png;base64,@@biblio-figure:a@@">', {"a": Path("a.png")})  # doctest: +SKIP
        '<img src="data:image/png;base64,iVBORw0KGgo…">'
    """
    for name, path in images.items():
        if _slot(name) in html:
            html = html.replace(_slot(name), _img(path), 1)
    if "@@biblio-figure:" in html:
        raise KeyError(html.split("@@biblio-figure:", 1)[1].split("@@", 1)[0])
    return html


def _cards(h: dict[str, Any], *, money_synthetic: bool = False) -> list[dict[str, str]]:
    def n(k: str) -> str:
        v = h.get(k)
        return "n/a" if v is None else f"{int(v):,}"

    share = h.get("share_government_list_at_publication")
    amt = h.get("amount_usd_all_awards")
    cov = h.get("award_amount_coverage")
    cov_txt = "n/a" if cov is None else f"{100 * cov:.0f}%"
    return [
        {"value": n("papers_in_scope"), "label": "DoD-funded papers with PRC co-authors", "cls": ""},
        {"value": f"{n('papers_government_list_at_publication')} ({'n/a' if share is None else f'{100 * share:.1f}%'})", "label": "with a partner on a U.S. government list at publication", "cls": "gov"},
        {"value": n("papers_assessment_only"), "label": "more, only on the ASPI tracker or SASTIND/Seven Sons (assessments)", "cls": "ass"},
        {"value": "n/a" if amt is None else f"${amt:,.0f}", "label": ("SYNTHETIC " if money_synthetic else "") + f"distinct DoD award amounts ({cov_txt} of award numbers have an amount)", "cls": ""},
        {"value": n("us_institutions_with_government_listed_partners"), "label": "U.S. institutions co-publishing with a U.S.-government-listed partner", "cls": ""},
        {"value": n("papers_dual_affiliation"), "label": "papers with a dual (non-PRC + listed PRC) affiliation", "cls": ""},
        {"value": n("papers_prc_state_cofunding"), "label": "papers also funded by the PRC state", "cls": ""},
    ]


TOC = [
    ("headline", "Headline"), ("house", "vs the House figures"), ("thin", "Where data is thin"), ("plots", "Charts"),
    ("partners", "PRC partners"), ("us-side", "The U.S. side"), ("money", "Money"), ("award-view", "Award view"),
    ("signals", "Signals"), ("tables", "More tables"), ("evidence", "Evidence"), ("methodology", "Methodology"), ("caveats", "Caveats"),
]


#: The report table behind each of the page's data tables.
DATASET_TABLES = {
    "dt-evidence": "evidence", "dt-partners": "prc_partners", "dt-us-inst": "us_institutions", "dt-us-auth": "us_authors", "dt-money-partner": "money_by_partner",
    "dt-awards": "awards", "dt-award-view": "award_view", "dt-dual": "signals_dual_affiliation", "dt-prc": "signals_prc_state_funding",
}


def shown_tables(report_tables: dict[str, pl.DataFrame | pl.LazyFrame], max_rows: int) -> tuple[dict[str, pl.DataFrame], dict[str, Markup]]:
    """The report tables cut to what the page carries, and a note per cut data table (by its id).

    A table may be lazy (a scan of its Parquet file, see :func:`biblio.report.run.write_run`):
    only the rows shown are read."""
    t = dict(report_tables)
    ev = t["evidence"]
    notes: dict[str, Markup] = {}
    for key, name in DATASET_TABLES.items():
        t[name] = top_rows(name, report_tables[name], max_rows, evidence=ev)
        note = cut_note(name, t[name].height, n_rows(report_tables[name]))
        if note:
            notes[key] = Markup('<p class="banner">{}</p>').format(Markup(str(Markup.escape(note)).replace(
                f"report/{name}.csv", f'<a href="report/{name}.csv">report/{name}.csv</a>', 1)))
    if "dt-evidence" in notes:
        t["evidence_flags"] = report_tables["evidence_flags"].lazy().filter(pl.col("work_id").is_in(t["evidence"]["work_id"].implode())).collect()
    return {k: v if isinstance(v, pl.DataFrame) else v.collect() for k, v in t.items()}, notes  # the rest is small (evidence_flags: of the papers shown)


def _datasets(t: dict[str, pl.DataFrame]) -> list[tuple[str, Markup]]:
    ev = t["evidence"]
    specs = {
        "dt-evidence": dataset(
            ev,
            [("title", "Paper", "title"), ("publication_date", "Date", "text"), ("agencies", "DoD agency", "text"), ("partners", "PRC partners", "text"),
             ("lists", "Lists (at publication)", "chips"), ("us_institutions", "U.S. institutions", "text"), ("dual_affiliation", "Dual aff.", "bool"),
             ("prc_state_funders", "PRC state funders", "text"), ("award_numbers", "Awards", "text"), ("work_id", "OpenAlex", "openalex")],
            filters=[("lists", "List"), ("agencies", "Agency")],
            details=t["evidence_flags"],
            detail_columns=[("author_name", "Author", "text"), ("raw_affiliation_string", "Raw affiliation", "text"), ("institution_id", "OpenAlex inst.", "openalex"), ("ror", "ROR", "ror"),
                            ("partner_name", "Partner (rolled up)", "text"), ("list_label", "List", "chips"), ("list_edition", "Edition", "text"), ("entity_name", "List entry", "text"),
                            ("method", "Method", "text"), ("matched_text", "Matched text", "text"), ("listed_at_publication", "At pub.", "bool")],
            title_cols=("title", "doi"),
        ),
        "dt-partners": dataset(t["prc_partners"], [("partner_name", "Institution", "text"), ("openalex_id", "OpenAlex", "openalex"), ("ror", "ROR", "ror"), ("papers", "Papers", "int"), ("papers_government_list", "Papers, U.S. list at pub.", "int"), ("lists", "Lists", "chips"), ("aspi_risk", "ASPI risk", "text"), ("awards", "DoD awards", "int"), ("amount_usd", "Award $", "usd"), ("methods", "Matched by", "text")], filters=[("lists", "List")], per_page=25),
        "dt-us-inst": dataset(t["us_institutions"], [("institution_name", "U.S. institution", "text"), ("institution_id", "OpenAlex", "openalex"), ("ror", "ROR", "ror"), ("papers_with_listed_partner", "Papers w/ listed partner", "int"), ("papers_government_list", "… U.S. list", "int"), ("authors", "Authors", "int"), ("awards", "DoD awards", "int"), ("amount_usd", "Award $", "usd"), ("lists", "Lists", "chips"), ("partners", "PRC partners", "text")], filters=[("lists", "List")], per_page=25),
        "dt-us-auth": dataset(t["us_authors"], [("author_name", "Author", "text"), ("author_id", "OpenAlex", "openalex"), ("us_institutions", "U.S. institutions", "text"), ("papers_with_listed_partner", "Papers w/ listed partner", "int"), ("papers_government_list", "… U.S. list", "int"), ("lists", "Lists", "chips")], filters=[("lists", "List")], per_page=25),
        "dt-money-partner": dataset(t["money_by_partner"], [("partner_name", "Partner", "text"), ("lists", "Lists", "chips"), ("awards", "Awards", "int"), ("awards_with_amount", "With amount", "int"), ("amount_usd", "Award $", "usd"), ("amount_coverage", "Coverage", "pct")], per_page=25),
        "dt-awards": dataset(t["awards"], [("award_number", "Award", "text"), ("agency", "Agency", "text"), ("papers", "Papers", "int"), ("papers_government_list", "… U.S. list", "int"), ("amount_usd", "Amount $", "usd"), ("start_date", "Start", "text"), ("end_date", "End", "text"), ("lists", "Lists", "chips"), ("listed_partners", "Listed partners", "text"), ("records", "Award records", "int")], filters=[("agency", "Agency"), ("lists", "List")], per_page=25),
        "dt-award-view": dataset(t["award_view"], [("award_number", "Award", "text"), ("agency", "Agency", "text"), ("amount_usd", "Amount $", "usd"), ("title", "Paper", "title"), ("publication_date", "Date", "text"), ("partner_name", "Listed partner", "text"), ("lists", "Lists", "chips"), ("evidence", "Evidence (author: raw affiliation [method])", "text")], filters=[("agency", "Agency"), ("lists", "List")], per_page=25, title_cols=("title", "doi")),
        "dt-dual": dataset(t["signals_dual_affiliation"], [("work_id", "Paper", "openalex"), ("author_name", "Author", "text"), ("non_prc_institutions", "Non-PRC institution(s)", "text"), ("non_prc_countries", "Countries", "text"), ("listed_prc_entities", "Listed PRC entity", "text"), ("lists", "Lists", "text")], per_page=25),
        "dt-prc": dataset(t["signals_prc_state_funding"], [("work_id", "Paper", "openalex"), ("funder_name", "PRC state funder", "text"), ("prc_family", "Programme family", "text"), ("prc_level", "Level", "text"), ("status", "Paper's partners", "text")], filters=[("prc_family", "Family")], per_page=25),
    }
    out = []
    for k, v in specs.items():
        det = v.pop("_details")
        out.append((k, _packed(v)))
        if det is not None:
            out.append((k + "-details", _packed(det)))
    return out


def render_html(
    *, manifest: dict[str, Any], report_tables: dict[str, pl.DataFrame | pl.LazyFrame], images: dict[str, Path | None], editions: pl.DataFrame, summary: dict[str, Any], max_rows: int = MAX_HTML_ROWS
) -> str:
    """Render the page from the manifest, the report tables, the plot PNGs and the summary texts.

    Each data table carries at most ``max_rows`` rows (the most serious papers first for the
    evidence); a cut table says so and links to its full CSV. A figure whose PNG is ``None``
    (still being drawn) gets a placeholder that :func:`fill_images` replaces.
    """
    t = report_tables
    shown, cuts = shown_tables(t, max_rows)
    h = dict(zip(t["headline"]["measure"].to_list(), t["headline"]["value"].to_list()))
    fam = load_list_families()
    q = manifest["query"]
    eds = editions.filter(pl.col("list_key").is_in(q["lists"])).select("list_key", "edition", "edition_date", "coverage", "retrieved", "staleness_note")
    static = {name: table_html(t[name]) for name in ("house_comparison", "by_list", "by_agency", "money_by_agency", "by_year", "tech_areas")}
    static["editions"] = table_html(eds)
    ctx = {
        "title": summary["title"],
        "description": q.get("description") or "",
        "m": manifest,
        "synthetic": bool(summary.get("synthetic_note")),
        "synthetic_text": summary.get("synthetic_note", ""),
        "sentence": summary["sentence"],
        "cards": _cards(h, money_synthetic=summary.get("money_synthetic", False)),
        "house_title": summary["house_title"],
        "house_reasons": summary["house_reasons"],
        "thin": summary["thin"],
        "images": [(name, _slot(name) if p is None else _img(p)) for name, p in images.items()],
        "tables": static,
        "money_text": summary["money_text"],
        "money_synthetic": summary.get("money_synthetic", False),
        "n_dual": f"{int(h.get('papers_dual_affiliation') or 0):,}",
        "n_prc": f"{int(h.get('papers_prc_state_cofunding') or 0):,}",
        "n_evidence": f"{n_rows(t['evidence']):,}",
        "method": summary["method"],
        "caveats": summary["caveats"],
        "footer": summary["footer"],
        "toc": TOC,
        "list_meta": _json({r["label"]: {"colour": r["colour"], "family": r["family"]} for r in fam.iter_rows(named=True)}),
        "datasets": _datasets(shown),
        "cuts": cuts,
        "css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        "js": Markup((TEMPLATES / "report.js").read_text(encoding="utf-8")),
    }
    return _ENV.get_template("report.html.j2").render(**ctx)
