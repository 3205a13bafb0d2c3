"""Refresh ``entity_list``, ``meu`` and ``ns_cmic`` from the official Consolidated Screening List.

The International Trade Administration publishes the CSL as CSV and JSON
(https://www.trade.gov/consolidated-screening-list; the CSV is
``https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv``).
Offline, the bundled 2022 CSV (``biblio/lists/raw/moov_watchman_csl_consolidated.csv.gz``)
is the same format, and is this updater's test fixture.

Rows are kept exactly as ``build_clean.py`` did: Entity List, MEU and Unverified List rows
with a CN/HK/MO address, and every NS-CMIC row. The other lists are rebuilt unchanged (alias
strength depends on all lists), and only the three CSL-based files are rewritten.

Example:
    $ biblio lists update --csl https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv
    >>> update_from_csl("consolidated.csv", out_dir=Path("/tmp/lists"))     # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

from biblio.errors import InputFileError
from biblio.lists.build import OUT, RAW, build_all, read_clean, write_lists

SOURCES = {
    "Entity List (EL) - Bureau of Industry and Security": "BIS_EL_CSL2022",
    "Military End User (MEU) List - Bureau of Industry and Security": "BIS_MEU_CSL2022",
    "Unverified List (UVL) - Bureau of Industry and Security": "BIS_UVL_CSL2022",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": "OFAC_NS_CMIC_CSL2022",
}
CSL_KEYS = ("entity_list", "meu", "ns_cmic")


def _is_cn(addresses: str) -> bool:
    return any(re.search(r"(,|^)\s*(CN|HK|MO)\s*$", a.strip()) for a in addresses.split(";"))


def _read(source: str | Path) -> bytes:
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
    if not p.exists():
        raise InputFileError(f"{p}: file not found; pass the CSL CSV/JSON file or its URL")
    data = p.read_bytes()
    return gzip.decompress(data) if p.name.endswith(".gz") else data


def _json_rows(doc: Any) -> list[dict[str, str]]:
    results = doc.get("results", doc) if isinstance(doc, dict) else doc
    rows = []
    for r in results:
        addrs = "; ".join(
            ", ".join(x for x in (a.get("address"), a.get("city"), a.get("state"), a.get("postal_code"), a.get("country")) if x)
            for a in r.get("addresses") or []
        )
        rows.append({
            "source": r.get("source", ""), "name": r.get("name", ""), "alt_names": "; ".join(r.get("alt_names") or []),
            "addresses": addrs, "federal_register_notice": r.get("federal_register_notice") or "", "start_date": r.get("start_date") or "",
            "end_date": r.get("end_date") or "", "programs": "; ".join(r.get("programs") or []), "license_requirement": r.get("license_requirement") or "",
            "license_policy": r.get("license_policy") or "", "source_list_url": r.get("source_list_url") or "",
        })
    return rows


def csl_rows(source: str | Path) -> list[dict[str, str]]:
    """The CSL's China-relevant rows in the shape of ``china_entities_clean.csv``."""
    raw = _read(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{source}: not UTF-8; the CSL is published as UTF-8") from None
    if text.lstrip().startswith(("{", "[")):
        try:
            recs = _json_rows(json.loads(text))
        except (json.JSONDecodeError, AttributeError, TypeError) as e:
            raise InputFileError(f"{source}: not a CSL JSON document ({e}); pass the CSV instead") from None
    else:
        recs = list(csv.DictReader(io.StringIO(text)))
        if recs and not {"source", "name", "addresses", "alt_names"} <= set(recs[0]):
            raise InputFileError(f"{source}: missing CSL columns (need source, name, addresses, alt_names); is this the consolidated.csv?")
    out = []
    for r in recs:
        src = SOURCES.get(r["source"])
        if not src or (src != "OFAC_NS_CMIC_CSL2022" and not _is_cn(r["addresses"])):
            continue
        out.append({
            "source": src, "list_name": r["source"], "list_version_date": "", "name": r["name"], "aliases": r["alt_names"],
            "country": "China (CN/HK/MO address)" if _is_cn(r["addresses"]) else "", "address": r["addresses"],
            "federal_register_citation": r["federal_register_notice"], "date_added": r["start_date"], "date_removed": r["end_date"],
            "category": r["programs"], "notes": r["license_requirement"] + (" | " + r["license_policy"] if r["license_policy"] else ""),
            "source_url": r["source_list_url"], "raw_file": str(source),
        })
    if not out:
        raise InputFileError(f"{source}: no Entity List, MEU or NS-CMIC rows for China found; is this the Consolidated Screening List?")
    return out


def update_from_csl(
    source: str | Path,
    *,
    out_dir: str | Path = OUT,
    edition: str | None = None,
    edition_date: dt.date | str | None = None,
) -> list[Path]:
    """Rebuild entity_list/meu/ns_cmic from a CSL file or URL; returns the files written.

    ``edition``/``edition_date`` label the new CSL edition (default: ``CSL-<today>``).
    """
    d = str(edition_date or dt.date.today().isoformat())
    label = edition or f"CSL-{d}"
    keep = [r for r in read_clean(RAW) if r["source"] not in SOURCES.values()]
    lists = build_all(raw_dir=RAW, rows=keep + csl_rows(source), csl=(label, d))
    return write_lists(lists, Path(out_dir), keys=CSL_KEYS)
