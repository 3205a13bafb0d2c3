"""The original record-by-record flatten, kept as a reference: the columnar flatten in
biblio.tables must give identical tables (tests/test_tables.py) and the flatten benchmark
compares against it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import polars as pl
import pyarrow as pa

from biblio.fetchresult import is_synthetic_record
from biblio.funders import FunderTable, load_funder_table
from biblio.tables import LS, SCHEMAS, WorksTables


def _short(openalex_id: Any) -> str | None:
    if not openalex_id or not isinstance(openalex_id, str):
        return None
    return openalex_id.rstrip("/").rsplit("/", 1)[-1]


def _bare_ror(ror: Any) -> str | None:
    if not ror or not isinstance(ror, str):
        return None
    return ror.rstrip("/").rsplit("/", 1)[-1].lower()


def _bare_doi(doi: Any) -> str | None:
    if not doi or not isinstance(doi, str):
        return None
    d = doi.strip().lower()
    for p in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if d.startswith(p):
            d = d[len(p) :]
    return d or None


def _bare_orcid(orcid: Any) -> str | None:
    if not orcid or not isinstance(orcid, str):
        return None
    return orcid.rstrip("/").rsplit("/", 1)[-1]


def _date(v: Any) -> dt.date | None:
    if not v or not isinstance(v, str):
        return None
    try:
        return dt.date.fromisoformat(v[:10])
    except ValueError:
        return None


def _name(d: Any) -> str | None:
    return d.get("display_name") if isinstance(d, dict) else None


def _strs(xs: Any) -> list[str]:
    return [x for x in (xs or []) if isinstance(x, str) and x]


def flatten_reference(records: Iterable[dict[str, Any]], *, funder_table: FunderTable | None = None) -> WorksTables:
    """Flatten raw OpenAlex work records into :class:`WorksTables`.

    Handles the current funding schema (``funders[]``/``awards[]``, since Dec 2025) and the
    legacy one (``grants[]``); a record with both uses the current one. Records without an
    ``id`` are skipped (they cannot be joined); a repeated work ID keeps its first record.
    """
    ft = funder_table or load_funder_table()
    attribute = ft.attribute
    is_dod = ft.is_dod
    works: dict[str, list[Any]] = {k: [] for k in SCHEMAS["works"]}
    au: dict[str, list[Any]] = {k: [] for k in SCHEMAS["authorships"]}
    ai: dict[str, list[Any]] = {k: [] for k in SCHEMAS["authorship_institutions"]}
    fu: dict[str, list[Any]] = {k: [] for k in SCHEMAS["funders"]}
    aw: dict[str, list[Any]] = {k: [] for k in SCHEMAS["awards"]}

    seen_works: set[str] = set()
    for rec in records:
        wid = _short(rec.get("id"))
        if not wid or wid in seen_works:
            continue
        seen_works.add(wid)
        pub = _date(rec.get("publication_date"))
        pt = rec.get("primary_topic") or {}
        year = rec.get("publication_year")
        works["work_id"].append(wid)
        works["doi"].append(_bare_doi(rec.get("doi")))
        works["title"].append(rec.get("title") or rec.get("display_name"))
        works["publication_date"].append(pub)
        works["year"].append(year if isinstance(year, int) else (pub.year if pub else None))
        works["type"].append(rec.get("type"))
        works["primary_topic"].append(_name(pt))
        works["primary_subfield"].append(_name(pt.get("subfield")))
        works["primary_field"].append(_name(pt.get("field")))
        works["primary_domain"].append(_name(pt.get("domain")))
        works["topics"].append([n for n in (_name(t) for t in rec.get("topics") or []) if n])
        works["keywords"].append([n for n in (_name(k) for k in rec.get("keywords") or []) if n])
        cbc = rec.get("cited_by_count")
        works["cited_by_count"].append(cbc if isinstance(cbc, int) else None)
        works["is_synthetic"].append(is_synthetic_record(rec))

        # --- authorships
        for idx, a in enumerate(rec.get("authorships") or []):
            author = a.get("author") or {}
            aid = _short(author.get("id"))
            raw = _strs(a.get("raw_affiliation_strings"))
            insts = [i for i in (a.get("institutions") or []) if isinstance(i, dict)]
            au["work_id"].append(wid)
            au["author_index"].append(idx)
            au["author_position"].append(a.get("author_position"))
            au["author_id"].append(aid)
            au["author_name"].append(author.get("display_name") or a.get("raw_author_name"))
            au["orcid"].append(_bare_orcid(author.get("orcid")))
            au["is_corresponding"].append(bool(a.get("is_corresponding")) if a.get("is_corresponding") is not None else None)
            au["raw_affiliation_strings"].append(raw)
            au["countries"].append([c.upper() for c in _strs(a.get("countries"))])
            au["n_institutions"].append(len(insts))
            # affiliations[] links raw strings to institution ids
            by_inst: dict[str, list[str]] = {}
            affs = a.get("affiliations")
            for af in affs or []:
                s = af.get("raw_affiliation_string") if isinstance(af, dict) else None
                if not s:
                    continue
                for iid in af.get("institution_ids") or []:
                    by_inst.setdefault(_short(iid) or "", []).append(s)
            for inst in insts:
                iid = _short(inst.get("id"))
                ai["work_id"].append(wid)
                ai["author_index"].append(idx)
                ai["author_id"].append(aid)
                ai["institution_id"].append(iid)
                ai["ror"].append(_bare_ror(inst.get("ror")))
                ai["institution_name"].append(inst.get("display_name"))
                cc = inst.get("country_code")
                ai["country_code"].append(cc.upper() if isinstance(cc, str) else None)
                ai["institution_type"].append(inst.get("type"))
                lineage = [x for x in (_short(x) for x in inst.get("lineage") or []) if x]
                if iid and iid not in lineage:
                    lineage.insert(0, iid)
                ai["lineage"].append(lineage)
                ai["raw_affiliation_strings"].append(by_inst.get(iid or "", raw) if affs else raw)

        # --- funding
        cur_f, cur_a, legacy = rec.get("funders"), rec.get("awards"), rec.get("grants")
        if cur_f or cur_a:
            schema = "current"
            for f in cur_f or []:
                fid = _short(f.get("id"))
                agency, src = attribute(fid, None)
                fu["work_id"].append(wid)
                fu["funder_id"].append(fid)
                fu["funder_name"].append(f.get("display_name"))
                fu["funder_ror"].append(_bare_ror(f.get("ror")))
                fu["schema"].append(schema)
                fu["is_dod"].append(is_dod(fid) if fid else False)
                fu["agency"].append(agency)
                fu["agency_source"].append(src)
            for g in cur_a or []:
                fid = _short(g.get("funder_id"))
                number = g.get("funder_award_id")
                agency, src = attribute(fid, number)
                aw["work_id"].append(wid)
                aw["award_id"].append(_short(g.get("id")))
                aw["award_number"].append(number)
                aw["funder_id"].append(fid)
                aw["funder_name"].append(g.get("funder_display_name"))
                aw["award_doi"].append(_bare_doi(g.get("doi")))
                aw["schema"].append(schema)
                aw["is_dod"].append(agency is not None)
                aw["agency"].append(agency)
                aw["agency_source"].append(src)
        elif legacy:
            schema = "legacy"
            seen: set[str] = set()
            for g in legacy:
                fid = _short(g.get("funder"))
                number = g.get("award_id")
                if fid and fid not in seen:
                    seen.add(fid)
                    agency, src = attribute(fid, None)
                    fu["work_id"].append(wid)
                    fu["funder_id"].append(fid)
                    fu["funder_name"].append(g.get("funder_display_name"))
                    fu["funder_ror"].append(None)
                    fu["schema"].append(schema)
                    fu["is_dod"].append(is_dod(fid))
                    fu["agency"].append(agency)
                    fu["agency_source"].append(src)
                if number:
                    agency, src = attribute(fid, number)
                    aw["work_id"].append(wid)
                    aw["award_id"].append(None)
                    aw["award_number"].append(number)
                    aw["funder_id"].append(fid)
                    aw["funder_name"].append(g.get("funder_display_name"))
                    aw["award_doi"].append(None)
                    aw["schema"].append(schema)
                    aw["is_dod"].append(agency is not None)
                    aw["agency"].append(agency)
                    aw["agency_source"].append(src)
        else:
            schema = "none"
        works["funding_schema"].append(schema)

    return WorksTables(
        works=_frame(works, "works"),
        authorships=_frame(au, "authorships"),
        authorship_institutions=_frame(ai, "authorship_institutions"),
        funders=_frame(fu, "funders"),
        awards=_frame(aw, "awards"),
    )


_ARROW = {pl.Utf8: pa.string(), pl.Int32: pa.int32(), pl.Int64: pa.int64(), pl.Boolean: pa.bool_(), pl.Date: pa.date32(), LS: pa.list_(pa.string())}


def _frame(cols: dict[str, list[Any]], name: str) -> pl.DataFrame:
    """Columns of Python values → a frame with the table's exact schema.

    Built through pyarrow: polars builds one Series per element for list columns, which
    is ~50x slower at a million authorships.
    """
    schema = SCHEMAS[name]
    table = pa.table({c: pa.array(cols[c], type=_ARROW[t]) for c, t in schema.items()})
    return pl.from_arrow(table).cast(dict(schema))  # type: ignore[return-value]
