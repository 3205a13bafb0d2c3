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
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from biblio.report.caps import MAX_XLSX_ROWS, cut_note, top_rows
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


def write_table(wb: xlsxwriter.Workbook, fm: _Formats, title: str, df: pl.DataFrame, *, note: str = "") -> None:
    """One sheet: header row frozen, autofilter, number formats, links, capped widths.

    ``note`` (the rows left out, if any) goes in the row below the data, outside the filter.
    """
    ws = wb.add_worksheet(title[:31])
    kinds = [_kind(c, t) for c, t in df.schema.items()]
    for j, c in enumerate(df.columns):
        ws.write_string(0, j, c, fm.header)
        ws.set_column(j, j, _width(df, c) if kinds[j] == "text" else max(10, min(len(c) + 2, 22)))
    links = [0]
    writers = [_cell_writer(ws, fm, c, k, links) for c, k in zip(df.columns, kinds)]
    columns = [_column_values(df, c, k) for c, k in zip(df.columns, kinds)]
    for i, row in enumerate(zip(*columns), start=1):  # row by row: constant_memory writes rows in order
        for j, v in enumerate(row):
            if v is not None:
                writers[j](i, j, v)
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


def write_workbook(path: str | Path, *, tables: dict[str, pl.DataFrame], summary: dict[str, Any], max_rows: int = MAX_XLSX_ROWS) -> Path:
    """Write the workbook: a summary sheet, then the tables in :data:`SHEETS` order.

    A sheet holds at most ``max_rows`` rows (Excel's limit is 1,048,576); a cut sheet says so
    below its data and on the Summary sheet, and the full table is the CSV beside the workbook.
    """
    p = Path(path)
    opts = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "constant_memory": True}
    ev = tables.get("evidence")
    shown = {key: top_rows(key, tables[key], max_rows, evidence=ev) for key, _ in SHEETS if key in tables}
    notes = {key: cut_note(key, shown[key].height, tables[key].height) for key in shown}
    cuts = [f"{title}: {notes[key]}" for key, title in SHEETS if notes.get(key)]
    with xlsxwriter.Workbook(str(p), opts) as wb:
        fm = _Formats(wb)
        _summary(wb, fm, {**summary, "cuts": cuts} if cuts else summary, tables["headline"])
        for key, title in SHEETS:
            if key in shown:
                write_table(wb, fm, title, shown[key], note=notes[key])
    return p
