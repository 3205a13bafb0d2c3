"""Why a work is in a query's scope: DoD funding evidence and PRC co-author evidence.

One judge, two uses: the snapshot source keeps a record when :meth:`WorkJudge.matches` is true,
and ``biblio coverage`` explains every DOI of a reference list with :meth:`WorkJudge.explain`.

DoD evidence, each kind switched on by the query's ``[funders] evidence``:

* ``openalex``: a funder ID of ``funders[]``/``awards[]``/``grants[]`` is the query's, or is
  the OpenAlex twin of a DoD Crossref funder (``biblio/data/dod_crossref_funders.csv``);
* ``crossref``: a Crossref funder entry's funder DOI (10.13039/…) is DoD or a descendant;
* ``award``: an award number (OpenAlex or Crossref) starts with a verified DoD prefix
  followed by a fiscal year (``biblio/data/dod_award_prefixes.csv``: N00014-21-…, FA9550-20-…);
* ``name``: a Crossref or OpenAlex funder name names a DoD body (``biblio/data/dod_funder_names.csv``).

PRC evidence: an authorship institution whose country is in scope; with ``[scope] raw_strings``
also a raw affiliation string that :mod:`biblio.place` puts in scope (OpenAlex's strings, and
printed affiliation strings from ``[source] affiliations`` files).

Example:
    >>> from biblio.query import load_query
    >>> judge = WorkJudge.for_query(load_query("queries/fox-in-the-henhouse.toml"))  # doctest: +SKIP
    >>> judge.explain(work)["reason"]                                                # doctest: +SKIP
    'no PRC co-author found'
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from biblio.place import prc_evidence
from biblio.query import Query

DATA = Path(__file__).parent / "data"
#: Why a work is not found, in the order they are reported (the first is the ``reason``).
REASONS = (
    "no record",
    "no funder metadata anywhere",
    "funder not DoD-known",
    "no PRC co-author found",
    "outside the window",
)


def short_id(x: Any) -> str:
    """``https://openalex.org/F12`` → ``F12``; ``10.13039/100000005`` → ``100000005``."""
    return x.strip().rstrip("/").rsplit("/", 1)[-1].upper() if isinstance(x, str) and x.strip() else ""


def bare_doi(x: Any) -> str:
    """``https://doi.org/10.1/AbC`` → ``10.1/abc`` (bare, lower-case); '' when not a DOI."""
    if not isinstance(x, str):
        return ""
    d = x.strip().lower()
    for p in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        d = d.removeprefix(p)
    return d if d.startswith("10.") else ""


@dataclass(frozen=True)
class DodRules:
    """The DoD-known funders, award prefixes and name patterns (all from data files)."""

    openalex_ids: frozenset[str]
    crossref_ids: Mapping[str, str]
    prefixes: tuple[tuple[str, str], ...]
    names: tuple[tuple[re.Pattern[str], str], ...]
    kinds: tuple[str, ...] = ("openalex",)
    openalex_agency: Mapping[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _crossref_rows() -> tuple[dict[str, str], ...]:
    with (DATA / "dod_crossref_funders.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=1)
def _prefix_rows() -> tuple[tuple[str, str], ...]:
    with (DATA / "dod_award_prefixes.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(r["prefix"], r["agency"]) for r in csv.DictReader(fh) if r["verified"] == "true"]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@lru_cache(maxsize=1)
def _name_rows() -> tuple[tuple[re.Pattern[str], str], ...]:
    with (DATA / "dod_funder_names.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            (re.compile(r["pattern"], 0 if r["case_sensitive"] == "true" else re.IGNORECASE), r["agency"])
            for r in csv.DictReader(fh)
        )


def dod_crossref_ids() -> dict[str, str]:
    """Crossref funder number (``100000006``) → agency, for DoD and its known descendants."""
    return {r["crossref_id"]: r["agency"] or r["name"] for r in _crossref_rows()}


def dod_rules(*, funder_ids: Iterable[str] = (), kinds: Iterable[str] = ("openalex",)) -> DodRules:
    """Rules from the bundled data plus the query's OpenAlex funder IDs.

    Example:
        >>> r = dod_rules(kinds=("openalex", "crossref", "award", "name"))
        >>> "100000006" in r.crossref_ids, "F4320338295" in r.openalex_ids
        (True, True)
    """
    oa = {short_id(f) for f in funder_ids} | {r["openalex_funder_id"] for r in _crossref_rows() if r["openalex_funder_id"]}
    from biblio.funders import load_funder_table

    agency = {r["openalex_funder_id"]: r["agency"] for r in _crossref_rows() if r["openalex_funder_id"]}
    agency |= {fid: row.short for fid, row in load_funder_table().by_id.items()}
    return DodRules(
        openalex_agency=agency,
        openalex_ids=frozenset(oa),
        crossref_ids=dod_crossref_ids(),
        prefixes=_prefix_rows(),
        names=_name_rows(),
        kinds=tuple(kinds),
    )


def award_agency(award: str | None, rules: DodRules) -> str | None:
    """The agency of a DoD award number: a verified prefix, then a fiscal year (two digits).

    Example:
        >>> award_agency("FA9550-21-1-0001", dod_rules())
        'AFOSR'
        >>> award_agency("12345", dod_rules()) is None
        True
    """
    if not award:
        return None
    m = _prefix_regex(rules.prefixes).search(award.upper())
    return dict(rules.prefixes)[m.group(1)] if m else None


@lru_cache(maxsize=8)
def _prefix_regex(prefixes: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One regex for all prefixes (longest first): at a token start, then a fiscal year."""
    alts = "|".join(re.escape(p) for p, _ in prefixes)
    return re.compile(rf"(?<![A-Z0-9])({alts})[\s\-–]?\d{{2}}")


def name_agency(name: str | None, rules: DodRules) -> str | None:
    """The DoD body a funder name names, by the bundled patterns; None if it names none."""
    if not name:
        return None
    for rx, agency in rules.names:
        if rx.search(name):
            return agency
    return None


def funder_ids(work: Mapping[str, Any]) -> set[str]:
    """All OpenAlex funder IDs a work names, in either funding schema (short, upper-case)."""
    ids = {short_id(f.get("id")) for f in work.get("funders") or [] if isinstance(f, dict)}
    ids |= {short_id(a.get("funder_id")) for a in work.get("awards") or [] if isinstance(a, dict)}
    ids |= {short_id(g.get("funder")) for g in work.get("grants") or [] if isinstance(g, dict)}
    ids.discard("")
    return ids


def _openalex_funding(work: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    """(funder id, name) pairs and award numbers of an OpenAlex record."""
    names = [(short_id(f.get("id")), str(f.get("display_name") or "")) for f in work.get("funders") or [] if isinstance(f, dict)]
    names += [(short_id(a.get("funder_id")), str(a.get("funder_display_name") or "")) for a in work.get("awards") or [] if isinstance(a, dict)]
    names += [(short_id(g.get("funder")), str(g.get("funder_display_name") or "")) for g in work.get("grants") or [] if isinstance(g, dict)]
    awards = [str(a.get("funder_award_id") or "") for a in work.get("awards") or [] if isinstance(a, dict)]
    awards += [str(g.get("award_id") or "") for g in work.get("grants") or [] if isinstance(g, dict)]
    return names, [a for a in awards if a]


def dod_evidence(work: Mapping[str, Any] | None, entries: list[dict[str, str]], rules: DodRules) -> list[str]:
    """Evidence lines (``'openalex: F4320337345 Office of Naval Research'``, ``'crossref: …'``,
    ``'award: N00014-21-1-2345 (ONR)'``, ``'name: …'``) for the kinds the rules accept."""
    names, awards = _openalex_funding(work or {})
    out: list[str] = []
    if "openalex" in rules.kinds:
        out += [f"openalex: {fid} {n} ({rules.openalex_agency.get(fid, 'DoD')})" for fid, n in dict(names).items() if fid in rules.openalex_ids]
    if "crossref" in rules.kinds:
        out += [
            f"crossref: {e['funder_doi']} {e['funder_name']} ({rules.crossref_ids[short_id(e['funder_doi'])]})"
            for e in entries
            if short_id(e.get("funder_doi")) in rules.crossref_ids
        ]
    if "award" in rules.kinds:
        crossref_awards = [a.strip() for e in entries for a in (e.get("awards") or "").split(" | ") if a.strip()]
        for a in dict.fromkeys(awards + crossref_awards):
            ag = award_agency(a, rules)
            if ag:
                out.append(f"award: {a} ({ag})")
    if "name" in rules.kinds:
        for n in dict.fromkeys([n for _, n in names] + [e.get("funder_name", "") for e in entries]):
            ag = name_agency(n, rules)
            if ag:
                out.append(f"name: {n} ({ag})")
    return list(dict.fromkeys(out))


def evidence_agencies(lines: Iterable[str]) -> list[str]:
    """The DoD agencies named by evidence lines (their trailing ``(AGENCY)``), specific before 'DoD'.

    Example:
        >>> evidence_agencies(["openalex: F4320306078 U.S. Department of Defense (DoD)", "award: FA9550-21-1-0001 (AFOSR)"])
        ['AFOSR']
    """
    found = [m.group(1) for m in (re.search(r"\(([^()]+)\)$", ln) for ln in lines) if m]
    specific = [a for a in dict.fromkeys(found) if a != "DoD"]
    return sorted(specific) or (["DoD"] if "DoD" in found else [])


def prc_evidence_lines(work: Mapping[str, Any] | None, printed: list[str], codes: tuple[str, ...], *, raw_strings: bool) -> list[tuple[str, str]]:
    """(via, evidence) pairs: via is 'institution', 'raw_string' or 'printed_affiliation'."""
    out: list[tuple[str, str]] = []
    auths = (work or {}).get("authorships") or []
    for a in auths:
        for inst in a.get("institutions") or []:
            cc = str((inst or {}).get("country_code") or "").upper()
            if cc in codes:
                out.append(("institution", f"{inst.get('display_name')} ({cc})"))
    if not raw_strings or out:
        return out
    for a in auths:
        for s in a.get("raw_affiliation_strings") or []:
            ev = prc_evidence(s, codes)
            if ev:
                out.append(("raw_string", f"{ev} in {s[:120]!r}"))
    if out:
        return out
    for s in printed:
        ev = prc_evidence(s, codes)
        if ev:
            out.append(("printed_affiliation", f"{ev} in {s[:120]!r}"))
    return out


def in_window(work: Mapping[str, Any] | None, query: Query) -> bool:
    """True when the work's publication date is within the query's window (inclusive)."""
    date = str((work or {}).get("publication_date") or "")[:10]
    return bool(date) and query.date_from.isoformat() <= date <= query.date_to.isoformat()


@dataclass
class WorkJudge:
    """Decides and explains a query's scope for single works (see the module docstring)."""

    query: Query
    rules: DodRules
    crossref: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    printed: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def for_query(cls, query: Query) -> "WorkJudge":
        """Load the query's rules, Crossref funder entries and printed affiliations."""
        from biblio.crossref import read_funder_entries
        from biblio.reflist import read_printed_affiliations

        return cls(
            query=query,
            rules=dod_rules(funder_ids=query.funder_ids, kinds=query.evidence),
            crossref=read_funder_entries(query.resolve_paths(query.crossref_paths)),
            printed=read_printed_affiliations(query.resolve_paths(query.affiliation_paths)),
        )

    def explain(self, work: Mapping[str, Any] | None, *, doi: str | None = None) -> dict[str, Any]:
        """Found or not, every failing reason, and the evidence for one work (or a missing one)."""
        d = doi or bare_doi((work or {}).get("doi"))
        entries = self.crossref.get(d, []) if d else []
        dod = dod_evidence(work, entries, self.rules)
        prc = prc_evidence_lines(work, self.printed.get(d, []) if d else [], self.query.country_codes, raw_strings=self.query.raw_strings)
        has_meta = bool(entries) or bool(funder_ids(work or {})) or bool(_openalex_funding(work or {})[1])
        window = in_window(work, self.query)
        reasons = []
        if work is None:
            reasons.append("no record")
        else:
            if not has_meta:
                reasons.append("no funder metadata anywhere")
            elif not dod:
                reasons.append("funder not DoD-known")
            if not prc:
                reasons.append("no PRC co-author found")
            if not window:
                reasons.append("outside the window")
        return {
            "doi": d or None,
            "found": not reasons,
            "reason": reasons[0] if reasons else None,
            "reasons": "; ".join(reasons),
            "work_id": short_id((work or {}).get("id")) or None,
            "title": (work or {}).get("display_name") or (work or {}).get("title"),
            "publication_date": str((work or {}).get("publication_date") or "")[:10] or None,
            "in_window": window if work is not None else None,
            "funder_metadata": has_meta,
            "dod_via": ";".join(dict.fromkeys(e.split(":", 1)[0] for e in dod)) or None,
            "dod_evidence": " | ".join(dod) or None,
            "agencies": ";".join(evidence_agencies(dod)) or None,
            "prc_via": prc[0][0] if prc else None,
            "prc_evidence": " | ".join(list(dict.fromkeys(e for _, e in prc))[:3]) or None,
        }

    def matches(self, work: Mapping[str, Any]) -> bool:
        """True when the work is in the query's scope (window, DoD evidence, PRC co-author)."""
        if not in_window(work, self.query):
            return False
        d = bare_doi(work.get("doi"))
        if not dod_evidence(work, self.crossref.get(d, []) if d else [], self.rules):
            return False
        return bool(prc_evidence_lines(work, self.printed.get(d, []) if d else [], self.query.country_codes, raw_strings=self.query.raw_strings))
