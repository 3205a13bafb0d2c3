"""Read the Consolidated Screening List (CSL) into rows shaped like ``china_entities_clean.csv``.

Three formats are read: the trade.gov CSV (``consolidated.csv``, as in the bundled 2022 copy),
the trade.gov bulk JSON (``consolidated.json``: ``{"results": [...]}``), and the interned
projection of that JSON shipped by github.com/seelpeed-debug/export-controls-agent-mcp
(``screening-list.json``: ``fieldKey`` / ``tables`` / ``entries``; address countries only, no
start dates), which is the bundled 2026-07-31 edition.

Rows kept (the rule of ``raw/build_clean.py``): Entity List, MEU and Unverified List rows with
a CN/HK/MO address, and every NS-CMIC row. Entity List "Address 01"-style stubs name no
organisation and are dropped.

Example:
    >>> fr_year("66 FR 24266, 77 FR 58006 (no. 182), 81 FR 64694")
    2001
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import Any

from biblio.errors import InputFileError, printable

SOURCES = {
    "Entity List (EL) - Bureau of Industry and Security": "BIS_EL_CSL2022",
    "Military End User (MEU) List - Bureau of Industry and Security": "BIS_MEU_CSL2022",
    "Unverified List (UVL) - Bureau of Industry and Security": "BIS_UVL_CSL2022",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": "OFAC_NS_CMIC_CSL2022",
}
STUB = re.compile(r"^\s*Address\s+\d+\s*$", re.IGNORECASE)


def fr_year(citations: str | None) -> int | None:
    """The year of the earliest Federal Register volume cited (volume + 1935), or None."""
    vols = [int(v) for v in re.findall(r"\b(\d{2,3})\s*FR\b", citations or "")]
    return min(vols) + 1935 if vols else None


def is_cn(addresses: str) -> bool:
    """True when one of the '; '-separated addresses ends with CN, HK or MO."""
    return any(re.search(r"(,|^)\s*(CN|HK|MO)\s*$", a.strip()) for a in addresses.split(";"))


def read_bytes(source: str | Path) -> bytes:
    """The file or URL's bytes (gunzipped when the name ends in .gz)."""
    s = str(source)
    if s.startswith(("http://", "https://")):
        import requests

        try:
            r = requests.get(s, timeout=120)
            r.raise_for_status()
        except requests.RequestException as e:
            raise InputFileError(f"{s}: download failed ({type(e).__name__}); check the URL and the network, or pass a local file") from None
        return r.content
    p = Path(s)
    if not p.is_file():
        raise InputFileError(f"{printable(p, 200)}: file not found; pass the CSL CSV/JSON file or its URL")
    try:
        data = p.read_bytes()
        return gzip.decompress(data) if p.name.endswith(".gz") else data
    except OSError as e:
        raise InputFileError(f"{printable(p, 200)}: cannot read ({e.strerror or printable(e, 80)}); check the file is complete and readable") from None
    except (EOFError, zlib.error) as e:
        raise InputFileError(f"{printable(p, 200)}: truncated or corrupt gzip ({printable(e, 80)}); download the file again") from None


def _row(**kw: str) -> dict[str, str]:
    keys = ("source", "name", "alt_names", "addresses", "federal_register_notice", "start_date", "end_date",
            "programs", "license_requirement", "license_policy", "source_list_url")
    return {k: v if isinstance(v := kw.get(k), str) else "" for k in keys}  # null, objects, numbers → ""


def _json_rows(doc: Any) -> list[dict[str, str]]:
    """trade.gov bulk JSON: ``{"results": [...]}`` or a bare list of records."""
    results = doc.get("results", doc) if isinstance(doc, dict) else doc
    rows = []
    for r in results:
        addrs = "; ".join(
            ", ".join(x for x in (a.get("address"), a.get("city"), a.get("state"), a.get("postal_code"), a.get("country")) if x)
            for a in r.get("addresses") or []
        )
        rows.append(_row(
            source=r.get("source"), name=r.get("name"), alt_names="; ".join(r.get("alt_names") or []), addresses=addrs,
            federal_register_notice=r.get("federal_register_notice"), start_date=r.get("start_date"), end_date=r.get("end_date"),
            programs="; ".join(r.get("programs") or []), license_requirement=r.get("license_requirement"),
            license_policy=r.get("license_policy"), source_list_url=r.get("source_list_url"),
        ))
    return rows


def _projection_rows(doc: dict[str, Any]) -> list[dict[str, str]]:
    """The interned ``screening-list.json`` projection: countries stand in for addresses."""
    t = doc["tables"]

    def look(table: str, i: Any) -> str:
        return t[table][i] if isinstance(i, int) else (i or "")

    return [
        _row(
            source=look("sources", e.get("s")), name=e.get("n"), alt_names="; ".join(e.get("a") or []),
            addresses="; ".join(e.get("c") or []), federal_register_notice=e.get("fr"),
            programs=look("programmes", e.get("pg")), license_requirement=look("licenceRequirements", e.get("lr")),
            license_policy=look("licencePolicies", e.get("lp")), source_list_url=look("urls", e.get("u")),
        )
        for e in doc["entries"]
    ]


def _records(source: str | Path) -> list[dict[str, str]]:
    raw = read_bytes(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{source}: not UTF-8; the CSL is published as UTF-8") from None
    if not text.lstrip().startswith(("{", "[")):
        csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
        reader = csv.DictReader(io.StringIO(text.replace("\x00", ""), newline=""), restval="")
        try:
            fields = reader.fieldnames or []
            recs = [_row(**{k: v for k, v in r.items() if isinstance(k, str)}) | {k: v for k, v in r.items() if isinstance(k, str) and isinstance(v, str)} for r in reader]
        except csv.Error as e:
            raise InputFileError(f"{source}: line {reader.line_num}: not readable as CSV ({printable(e, 120)}); download the file again") from None
        if recs and not {"source", "name", "addresses", "alt_names"} <= set(fields):
            raise InputFileError(f"{source}: missing CSL columns (need source, name, addresses, alt_names); is this the consolidated.csv?")
        return recs
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and "entries" in doc and "tables" in doc:
            return _projection_rows(doc)
        return _json_rows(doc)
    except (ValueError, RecursionError, AttributeError, TypeError, KeyError, IndexError) as e:
        raise InputFileError(f"{source}: not a CSL JSON document ({type(e).__name__}: {printable(e, 100)}); pass the CSV instead") from None


def csl_rows(source: str | Path) -> list[dict[str, str]]:
    """The CSL's China-relevant rows in the shape of ``china_entities_clean.csv``."""
    out = []
    for r in _records(source):
        src = SOURCES.get(r["source"])
        if not src or (src != "OFAC_NS_CMIC_CSL2022" and not is_cn(r["addresses"])) or STUB.match(r["name"]):
            continue
        out.append({
            "source": src, "list_name": r["source"], "list_version_date": "", "name": r["name"], "aliases": r["alt_names"],
            "country": "China (CN/HK/MO address)" if is_cn(r["addresses"]) else "", "address": r["addresses"],
            "federal_register_citation": r["federal_register_notice"], "date_added": r["start_date"], "date_removed": r["end_date"],
            "category": r["programs"], "notes": r["license_requirement"] + (" | " + r["license_policy"] if r["license_policy"] else ""),
            "source_url": r["source_list_url"], "raw_file": str(source),
        })
    if not out:
        raise InputFileError(f"{source}: no Entity List, MEU or NS-CMIC rows for China found; is this the Consolidated Screening List?")
    return out
