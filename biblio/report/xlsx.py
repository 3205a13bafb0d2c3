"""The XLSX workbook for program officers.

A summary sheet first (headline sentence, synthetic marker, key figures, comparison with
the House figures, caveats, list editions, method), then one sheet per table: frozen
header, autofilter, links for DOIs, OpenAlex and ROR IDs, integer counts, percentages and
dollars as number formats, column widths capped with wrapping. Strings are never turned
into formulas or URLs by the writer.

Example:
    >>> write_workbook("report.xlsx", tables=rt, summary=summary)   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
import types
import zipfile
import zlib
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.packager import Packager
from xlsxwriter.relationships import DOCUMENT_SCHEMA, PACKAGE_SCHEMA, Relationships

from biblio.report.caps import MAX_XLSX_ROWS, cut_note, n_rows, top_rows
from biblio.report.links import OPENALEX_COLUMNS, link_for

MAX_WIDTH = 60
LINK_COLUMNS = OPENALEX_COLUMNS | {"doi", "ror", "orcid"}
MAX_LINKS = 10_000  # hyperlinks per sheet (Excel allows 65,530; each costs time): IDs stay as text after that
SHEETS: list[tuple[str, str]] = [
    ("evidence", "Papers"),
    ("evidence_flags", "Evidence"),
    ("awards", "Awards"),
    ("award_view", "Award view"),
    ("money_by_agency", "Money by agency"),
    ("money_by_partner", "Money by partner"),
    ("us_institutions", "US institutions"),
    ("us_authors", "US authors"),
    ("prc_partners", "PRC institutions"),
    ("by_list", "By list"),
    ("by_agency", "By agency"),
    ("list_by_agency", "List x agency"),
    ("by_year", "By year"),
    ("signals_dual_affiliation", "Dual affiliation"),
    ("signals_prc_state_funding", "PRC state co-funding"),
    ("tech_areas", "Tech areas"),
    ("house_comparison", "vs House"),
]


def _kind(name: str, dtype: pl.DataType) -> str:
    n = name.lower()
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        if "share" in n or "coverage" in n:
            return "pct"
        if "amount" in n or "usd" in n:
            return "usd"
        return "float"
    if dtype == pl.Date:
        return "date"
    if dtype == pl.Boolean:
        return "bool"
    return "text"


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        f = wb.add_format
        self.header = f({"bold": True, "bg_color": "#f0f0f0", "border": 1, "text_wrap": True, "valign": "top"})
        self.text = f({"text_wrap": True, "valign": "top"})
        self.link = f({"font_color": "#1155cc", "underline": 1, "valign": "top"})
        self.int = f({"num_format": "#,##0", "valign": "top"})
        self.pct = f({"num_format": "0.0%", "valign": "top"})
        self.usd = f({"num_format": "$#,##0", "valign": "top"})
        self.float = f({"num_format": "0.00", "valign": "top"})
        self.date = f({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.bool = f({"valign": "top", "align": "center"})
        self.title = f({"bold": True, "font_size": 16})
        self.h2 = f({"bold": True, "font_size": 12, "bottom": 1})
        self.big = f({"bold": True, "text_wrap": True, "font_size": 12, "valign": "top"})
        self.warn = f({"bold": True, "font_color": "#9c0006", "bg_color": "#ffc7ce", "text_wrap": True, "valign": "top"})


def _width(df: pl.DataFrame, col: str) -> float:
    head = df[col].head(200).cast(pl.Utf8, strict=False).fill_null("").str.len_chars()
    return float(min(MAX_WIDTH, max(len(col) * 0.9 + 2, (head.max() or 0) + 2)))


def _column_values(df: pl.DataFrame, col: str, kind: str) -> list[Any]:
    """One column as Python values ready for the writer (text joined and cut, dates as datetimes)."""
    s = df[col]
    if kind == "text":
        if isinstance(s.dtype, pl.List):
            s = s.list.eval(pl.element().cast(pl.Utf8)).list.join("; ")
        elif s.dtype != pl.Utf8:
            return [None if v is None else str(v) for v in s.to_list()]
        return s.to_list()
    if kind == "date":
        return [None if v is None else dt.datetime.combine(v, dt.time()) for v in s.to_list()]
    return s.to_list()


def _cell_writer(ws: Any, fm: _Formats, col: str, kind: str, links: list[int]) -> Any:
    """A function ``(row, column, value)`` that writes one non-null cell of this column."""
    if kind == "text":
        linkable = col in LINK_COLUMNS

        def text(i: int, j: int, v: Any) -> None:
            url = link_for(col, v) if linkable and links[0] < MAX_LINKS else None
            if url:  # a real hyperlink, never a formula
                ws.write_url(i, j, url, fm.link, string=v[:255])
                links[0] += 1
            else:
                ws.write_string(i, j, v[:32_000], fm.text)

        return text
    if kind == "date":
        return lambda i, j, v: ws.write_datetime(i, j, v, fm.date)
    if kind == "bool":
        return lambda i, j, v: ws.write_boolean(i, j, bool(v), fm.bool)
    f = getattr(fm, kind)
    return lambda i, j, v: ws.write_number(i, j, v, f)


def _write_cells(ws: Any, fm: _Formats, df: pl.DataFrame, kinds: list[str]) -> None:
    """The data rows cell by cell through xlsxwriter's API (the reference for :func:`_stream_rows`)."""
    links = [0]
    writers = [_cell_writer(ws, fm, c, k, links) for c, k in zip(df.columns, kinds)]
    columns = [_column_values(df, c, k) for c, k in zip(df.columns, kinds)]
    for i, row in enumerate(zip(*columns), start=1):  # row by row: constant_memory writes rows in order
        for j, v in enumerate(row):
            if v is not None:
                writers[j](i, j, v)


def _can_stream(ws: Any) -> bool:
    """True when ``ws`` is a constant_memory sheet whose row file :func:`_stream_rows` can append to."""
    return bool(getattr(ws, "constant_memory", False)) and all(hasattr(ws, a) for a in ("fh", "previous_row", "table", "hyperlinks", "hlink_count", "dim_rowmax", "_write_single_row"))


#: Cells xlsxwriter escapes one by one (control characters, its own ``_xHHHH_`` escapes, non-characters) or may cut (UTF-16 length).
_SLOW_TEXT = r"[\x00-\x08\x0b-\x1f\x{fffe}\x{ffff}]|_x[0-9a-fA-F]{4}_"


def _slow_text(ws: Any, v: str) -> str:
    """One string cell's ``<t>`` attribute and body as xlsxwriter writes it (its own escapes)."""
    from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate

    if _utf16_len(v) > ws.xls_strmax:
        v = _utf16_truncate(v, ws.xls_strmax)
    v = ws._escape_control_characters(v)
    pre = ' xml:space="preserve"' if _preserve_whitespace(v) else ""
    return f"{pre}>{v.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}"


def _text_series(df: pl.DataFrame, col: str) -> pl.Series:
    """A text column as strings, as :func:`_column_values` makes them."""
    s = df[col]
    return s if s.dtype == pl.Utf8 else pl.Series(col, _column_values(df, col, "text"), dtype=pl.Utf8)


def _text_body(v: pl.Expr, linked: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A text column's ``<t>`` attribute and body per cell, escaped as xlsxwriter escapes them
    (null where the value is; linked cells keep 255 characters, others 32,000), and whether
    the cell needs :func:`_slow_text` instead."""
    v = pl.when(linked).then(v.str.slice(0, 255)).otherwise(v.str.slice(0, 32_000))
    slow = (v.str.contains(_SLOW_TEXT) | (v.str.len_chars() > 16_383)).fill_null(False)
    fast = pl.concat_str(pl.when(v.str.contains(r"^\s|\s$")).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit("")), pl.lit(">"),
                         v.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True))
    return fast, slow


def _number_body(v: pl.Expr, kind: str, s: pl.Series) -> pl.Expr | None:
    """:func:`_number_text` as an expression, or None where only Python formats it alike
    (floats, integers of 16 digits or more)."""
    if kind == "bool":
        return v.cast(pl.UInt8).cast(pl.Utf8)
    if kind == "date":
        days = (v - pl.lit(dt.date(1899, 12, 31))).dt.total_days()
        return pl.when(days > 59).then(days + 1).otherwise(days).cast(pl.Utf8)
    if kind == "int" and (s.null_count() == s.len() or max(abs(s.min()), abs(s.max())) < 10**16):
        return v.cast(pl.Utf8)
    return None


def _cell_bodies(ws: Any, df: pl.DataFrame, kinds: list[str], texts: dict[str, pl.Series], urls: dict[str, list[str | None]]) -> pl.DataFrame:
    """Per column ``j``, each cell's body ``b{j}`` (null: no cell) and for text ``l{j}`` (linked),
    computed in one pass over the sheet."""
    cols: dict[str, pl.Series] = {}
    exprs: list[pl.Expr] = []
    for j, (c, k) in enumerate(zip(df.columns, kinds)):
        if k == "text":
            cols[f"v{j}"] = texts[c]
            cols[f"l{j}"] = pl.Series([u is not None for u in urls[c]], dtype=pl.Boolean) if c in urls else pl.repeat(False, df.height, eager=True)
            fast, slow = _text_body(pl.col(f"v{j}"), pl.col(f"l{j}"))
            exprs += [pl.col(f"l{j}"), fast.alias(f"b{j}"), slow.alias(f"s{j}")]
        elif (e := _number_body(pl.col(f"n{j}"), k, df[c])) is not None:
            cols[f"n{j}"] = df[c]
            exprs.append(e.alias(f"b{j}"))
        else:
            cols[f"b{j}"] = pl.Series([_number_text(k, x) for x in df[c].to_list()], dtype=pl.Utf8)
            exprs.append(pl.col(f"b{j}"))
    d = pl.DataFrame(cols).select(exprs)
    flags = [c for c in d.columns if c[0] == "s"]
    slow = [c for c, any_ in d.select(pl.col(flags).any()).row(0, named=True).items() if any_] if flags else []
    for c in slow:  # rare: control characters, xlsxwriter's own escapes, very long cells
        j = c[1:]
        v = [None if x is None else x[:255] if lk else x[:32_000] for x, lk in zip(cols[f"v{j}"].to_list(), d[f"l{j}"].to_list())]
        d = d.with_columns(pl.Series(f"b{j}", [_slow_text(ws, x) if sl else b for x, b, sl in zip(v, d[f"b{j}"].to_list(), d[c].to_list())], dtype=pl.Utf8))
    return d.drop(flags)


def _number_text(kind: str, v: Any) -> str | None:
    """A number, date or boolean cell's ``<v>`` as xlsxwriter writes it (dates as Excel serial days)."""
    if v is None:
        return None
    if kind == "bool":
        return "1" if v else "0"
    if kind == "date":
        days = (v - dt.date(1899, 12, 31)).days
        v = days + 1 if days > 59 else days  # Excel's 1900 leap-year bug, as xlsxwriter counts
    elif v != v or v in (float("inf"), float("-inf")):
        return None  # xlsxwriter refuses NaN/inf without nan_inf_to_errors: the cell stays empty
    return f"{v:.16G}"


def _link_urls(texts: dict[str, pl.Series], height: int) -> dict[str, list[str | None]]:
    """Per linkable text column, the URL of each row: at most :data:`MAX_LINKS` a sheet, row by row."""
    urls = {c: [link_for(c, v) for v in s.to_list()] for c, s in texts.items() if c in LINK_COLUMNS}
    n = 0
    for i in range(height):
        for c in urls:
            if urls[c][i] is not None:
                if n >= MAX_LINKS:
                    urls[c][i] = None
                n += 1
    return urls


def _xf_indexes(uses: list[tuple[pl.Series, Any]]) -> list[str]:
    """Each (cells used, format)'s `` s="N"`` attribute, formats numbered in the order the sheet
    first uses them row by row (as xlsxwriter numbers them), unused formats left unnumbered."""
    firsts = sorted((int(m.arg_true()[0]), i) for i, (m, _) in enumerate(uses) if m.any())
    for _, i in firsts:
        uses[i][1]._get_xf_index()
    return [f' s="{f._get_xf_index()}"' if m.any() else "" for m, f in uses]


def _stream_rows(ws: Any, fm: _Formats, df: pl.DataFrame, kinds: list[str]) -> None:
    """The data rows as XML built column-wise and appended to the constant_memory row file:
    the same bytes as :func:`_write_cells` (cells, styles, links) at a fraction of its cost."""
    from xlsxwriter.utility import xl_col_to_name

    ws._write_single_row(1)  # flush the header row; rows 1.. follow in order
    texts = {c: _text_series(df, c) for c, k in zip(df.columns, kinds) if k == "text"}
    urls = _link_urls(texts, df.height)
    d = _cell_bodies(ws, df, kinds, texts, urls)
    uses = []
    for j, k in enumerate(kinds):
        used = d[f"b{j}"].is_not_null()
        uses += [(used & d[f"l{j}"], fm.link), (used & ~d[f"l{j}"], fm.text)] if k == "text" else [(used, getattr(fm, k))]
    xf = iter(_xf_indexes(uses))
    cells = []
    for j, k in enumerate(kinds):
        ref = pl.concat_str(pl.lit(f'<c r="{xl_col_to_name(j)}'), pl.col("r"), pl.lit('"'))
        if k == "text":
            link, text = next(xf), next(xf)
            style = pl.when(pl.col(f"l{j}")).then(pl.lit(link)).otherwise(pl.lit(text)) if link else pl.lit(text)
            cells.append(pl.concat_str(ref, style, pl.lit(' t="inlineStr"><is><t'), pl.col(f"b{j}"), pl.lit("</t></is></c>")))
        else:
            cells.append(pl.concat_str(ref, pl.lit(next(xf) + (' t="b"' if k == "bool" else "") + "><v>"), pl.col(f"b{j}"), pl.lit("</v></c>")))
    rows = (d.with_columns(pl.int_range(2, df.height + 2, dtype=pl.Int64).cast(pl.Utf8).alias("r"))
            .select(pl.concat_str(cells, ignore_nulls=True).alias("x"), "r").filter(pl.col("x") != ""))
    ws.fh.write(rows.select(pl.concat_str(pl.lit('<row r="'), pl.col("r"), pl.lit('">'), pl.col("x"), pl.lit("</row>")).str.join("")).item())
    _attach_links(ws, [df.columns.index(c) for c in urls], list(urls.values()))
    if rows.height:
        ws.dim_rowmax = max(ws.dim_rowmax or 0, int(rows["r"].cast(pl.Int64).max()) - 1)
    ws.previous_row = df.height


#: URL characters xlsxwriter escapes or splits on (``#`` starts an anchor): such links go through its Url class.
_URL_SPECIAL = re.compile(r"[%\"<>\[\]^`{}#&\s]")


def _link_frame(cols: list[int], urls: list[list[str | None]]) -> pl.DataFrame:
    """Each linked cell's ``ref``, relationship ``target`` and `` location`` attribute ``loc``,
    row by row then column by column (xlsxwriter's order), escaped as its Url class and XML
    writer escape them (xlsxwriter's Url class only for the rare URLs it changes)."""
    from xlsxwriter.url import Url
    from xlsxwriter.utility import xl_col_to_name
    from xlsxwriter.xmlwriter import XMLwriter

    parts = [pl.DataFrame({"u": u, "j": pl.repeat(j, len(u), dtype=pl.Int32, eager=True), "i": pl.int_range(2, len(u) + 2, dtype=pl.Int64, eager=True)},
                          schema={"u": pl.Utf8, "j": pl.Int32, "i": pl.Int64}).drop_nulls("u") for j, u in zip(cols, urls)]
    d = pl.concat(parts).sort("i", "j") if parts else pl.DataFrame(schema={"u": pl.Utf8, "j": pl.Int32, "i": pl.Int64})
    d = d.select(pl.concat_str(pl.col("j").replace_strict({j: xl_col_to_name(j) for j in cols}, return_dtype=pl.Utf8), pl.col("i").cast(pl.Utf8)).alias("ref"),
                 pl.col("u").alias("target"), pl.lit("").alias("loc"), pl.col("u").str.contains(_URL_SPECIAL.pattern).alias("special"))
    if d["special"].any():
        esc = XMLwriter()._escape_attributes
        links = [Url(u) if sp else None for u, sp in zip(d["target"].to_list(), d["special"].to_list())]
        d = d.with_columns(pl.Series("target", [esc(x._target()) if x else u for x, u in zip(links, d["target"].to_list())], dtype=pl.Utf8),
                           pl.Series("loc", [f' location="{esc(x._anchor)}"' if x and x._anchor else "" for x in links], dtype=pl.Utf8))
    return d.drop("special")


class _LinkTargets:
    """A sheet's hyperlink relationships as one block (targets already escaped for XML), for :class:`_Relationships`."""

    def __init__(self, targets: pl.Series) -> None:
        self.targets = targets


def _attach_links(ws: Any, cols: list[int], urls: list[list[str | None]]) -> None:
    """Give a streamed sheet its hyperlinks without one xlsxwriter Url object per cell: its
    ``<hyperlinks>`` element and relationships are written as whole strings when the sheet is
    assembled (same bytes as ``write_url``; the sheet holds no other hyperlinks, the workbook
    is a :class:`_Workbook`)."""
    d = _link_frame(cols, urls)
    if not d.height:
        return
    ws.hlink_count += d.height

    def write_hyperlinks() -> None:
        ids = pl.int_range(ws.rel_count + 1, ws.rel_count + 1 + d.height, dtype=pl.Int64).cast(pl.Utf8)
        xml = d.select(pl.concat_str(pl.lit('<hyperlink ref="'), "ref", pl.lit('" r:id="rId'), ids, pl.lit('"'), "loc", pl.lit("/>")).str.join("")).item()
        ws.fh.write(f"<hyperlinks>{xml}</hyperlinks>")
        ws.rel_count += d.height
        ws.external_hyper_links.append(_LinkTargets(d["target"]))

    ws._write_hyperlinks = write_hyperlinks


class _Relationships(Relationships):
    """xlsxwriter's relationships writer, with a sheet's hyperlinks (:class:`_LinkTargets`) as one block."""

    def _write_relationships(self) -> None:
        esc = self._escape_attributes
        parts = []
        for rel in self.relationships:
            if isinstance(rel, _LinkTargets):
                ids = pl.int_range(self.id, self.id + rel.targets.len(), dtype=pl.Int64, eager=True).cast(pl.Utf8)
                parts.append(pl.select(pl.concat_str(pl.lit('<Relationship Id="rId'), pl.lit(ids), pl.lit(f'" Type="{DOCUMENT_SCHEMA}/hyperlink" Target="'),
                                                     pl.lit(rel.targets), pl.lit('" TargetMode="External"/>')).str.join("")).item())
                self.id += rel.targets.len()
                continue
            rel_type, target, mode = rel
            parts.append(f'<Relationship Id="rId{self.id}" Type="{esc(rel_type)}" Target="{esc(target)}"' + (f' TargetMode="{esc(mode)}"/>' if mode else "/>"))
            self.id += 1
        self._xml_start_tag("Relationships", [("xmlns", PACKAGE_SCHEMA)])
        self.fh.write("".join(parts))
        self._xml_end_tag("Relationships")


class _Packager(Packager):
    """xlsxwriter's packager with :class:`_Relationships` for the worksheets' ``.rels`` files."""

    def _write_worksheet_rels_files(self) -> None:
        index = 0
        for ws in self.workbook.worksheets():
            if ws.is_chartsheet:
                continue
            index += 1
            links = (ws.external_hyper_links + ws.external_drawing_links + ws.external_vml_links
                     + ws.external_background_links + ws.external_table_links + ws.external_comment_links)
            if not links:
                continue
            rels = _Relationships()
            for link in links:
                if isinstance(link, _LinkTargets):
                    rels.relationships.append(link)
                else:
                    rels._add_document_relationship(*link)
            rels._set_xml_writer(self._filename(f"xl/worksheets/_rels/sheet{index}.xml.rels"))
            rels._assemble_xml_file()


def _deflater() -> Any:
    """A raw-deflate compressor for the workbook's members: ISA-L's level 2 when installed (the
    workbook of 10k flagged papers: 0.03 instead of 0.44 CPU-s, 3.0 instead of 2.3 MB), else
    zlib's level 1 (0.14 CPU-s, 3.0 MB).

    Example:
        >>> c = _deflater(); zlib.decompress(c.compress(b"abc" * 9) + c.flush(), -15)[:6]
        b'abcabc'
    """
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheel
        return zlib.compressobj(1, zlib.DEFLATED, -15)
    return isal_zlib.compressobj(2, isal_zlib.DEFLATED, -15)


class _FastZip(zipfile.ZipFile):
    """A ZipFile whose deflated members are compressed by :func:`_deflater` (the stock
    compressor at zlib's default level was a third of the workbook's CPU time). Members are
    still standard deflate with the usual CRC; a Python without ``_ZipWriteFile._compressor``
    keeps its own compressor."""

    def open(self, name: Any, mode: str = "r", pwd: bytes | None = None, *, force_zip64: bool = False) -> Any:  # noqa: D102
        f = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode == "w" and getattr(f, "_compressor", None) is not None:
            f._compressor = _deflater()
        return f


def _with_fast_zip(fn: Any) -> Any:
    """``fn`` (xlsxwriter's ``Workbook._store_workbook``) as a copy whose ``ZipFile`` is
    :class:`_FastZip`: its globals are a copy of its module's, so nothing is patched for other
    workbooks. ``fn`` itself when it has free variables (a copy could not take them)."""
    if fn.__code__.co_freevars:  # pragma: no cover - xlsxwriter's is a plain method
        return fn
    return types.FunctionType(fn.__code__, {**vars(xlsxwriter.workbook), "ZipFile": _FastZip}, fn.__name__, fn.__defaults__)


class _Workbook(xlsxwriter.Workbook):
    """An xlsxwriter Workbook packaged by :class:`_Packager` (its documented override point)
    and zipped by :class:`_FastZip`."""

    _store_workbook = _with_fast_zip(xlsxwriter.workbook.Workbook._store_workbook)

    def _get_packager(self) -> Packager:
        return _Packager()


def write_table(wb: xlsxwriter.Workbook, fm: _Formats, title: str, df: pl.DataFrame, *, note: str = "") -> None:
    """One sheet: header row frozen, autofilter, number formats, links, capped widths.

    ``note`` (the rows left out, if any) goes in the row below the data, outside the filter.
    """
    ws = wb.add_worksheet(title[:31])
    kinds = [_kind(c, t) for c, t in df.schema.items()]
    for j, c in enumerate(df.columns):
        ws.write_string(0, j, c, fm.header)
        ws.set_column(j, j, _width(df, c) if kinds[j] == "text" else max(10, min(len(c) + 2, 22)))
    if df.height and _can_stream(ws):
        _stream_rows(ws, fm, df, kinds)
    else:
        _write_cells(ws, fm, df, kinds)
    if note:
        ws.write_string(df.height + 2, 0, note, fm.warn)
    ws.freeze_panes(1, 0)
    if df.width:
        ws.autofilter(0, 0, max(df.height, 1), df.width - 1)


def _summary(wb: xlsxwriter.Workbook, fm: _Formats, s: dict[str, Any], headline: pl.DataFrame) -> None:
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 62)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 70)
    r = 0
    ws.write_string(r, 0, s["title"], fm.title)
    r += 2
    if s.get("synthetic_note"):
        ws.merge_range(r, 0, r, 2, s["synthetic_note"], fm.warn)
        ws.set_row(r, 45)
        r += 2
    ws.merge_range(r, 0, r, 2, s["sentence"], fm.big)
    ws.set_row(r, 75)
    r += 2
    ws.write_string(r, 0, "Key figures", fm.h2)
    r += 1
    for row in headline.iter_rows(named=True):
        ws.write_string(r, 0, row["label"], fm.text)
        if row["value"] is None:
            ws.write_string(r, 1, "n/a", fm.text)
        else:
            ws.write_number(r, 1, row["value"], {"share": fm.pct, "usd": fm.usd}.get(row["unit"], fm.int))
        ws.write_string(r, 2, row["note"] or "", fm.text)
        r += 1
    sections = [("Compared with the House committee's figures", "house_reasons"), ("Caveats", "caveats"), ("Method", "method")]
    if s.get("cuts"):
        sections.insert(0, ("Sheets cut to keep the workbook usable (full tables in report/*.csv)", "cuts"))
    for title, key in sections:
        r += 1
        ws.write_string(r, 0, title, fm.h2)
        r += 1
        for line in s.get(key, []):
            ws.merge_range(r, 0, r, 2, line, fm.text)
            ws.set_row(r, 15 * (1 + len(line) // 150))
            r += 1
    r += 1
    ws.write_string(r, 0, "List editions applied", fm.h2)
    r += 1
    for j, c in enumerate(("list", "edition (date)", "coverage / staleness")):
        ws.write_string(r, j, c, fm.header)
    for e in s.get("editions", []):
        r += 1
        ws.write_string(r, 0, e[0], fm.text)
        ws.write_string(r, 1, e[1], fm.text)
        ws.write_string(r, 2, e[2], fm.text)


def write_workbook(path: str | Path, *, tables: dict[str, pl.DataFrame | pl.LazyFrame], summary: dict[str, Any], max_rows: int = MAX_XLSX_ROWS) -> Path:
    """Write the workbook: a summary sheet, then the tables in :data:`SHEETS` order (a table
    may be lazy, a scan of its Parquet file: only the rows a sheet holds are read).

    A sheet holds at most ``max_rows`` rows (Excel's limit is 1,048,576); a cut sheet says so
    below its data and on the Summary sheet, and the full table is the CSV beside the workbook.
    """
    p = Path(path)
    opts = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "constant_memory": True}
    ev = tables.get("evidence")
    shown = {key: top_rows(key, tables[key], max_rows, evidence=ev) for key, _ in SHEETS if key in tables}
    notes = {key: cut_note(key, shown[key].height, n_rows(tables[key])) for key in shown}
    cuts = [f"{title}: {notes[key]}" for key, title in SHEETS if notes.get(key)]
    with _Workbook(str(p), opts) as wb:
        fm = _Formats(wb)
        _summary(wb, fm, {**summary, "cuts": cuts} if cuts else summary, tables["headline"])
        for key, title in SHEETS:
            if key in shown:
                write_table(wb, fm, title, shown[key], note=notes[key])
    return p
