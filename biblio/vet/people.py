"""The people to vet: ORCIDs, OpenAlex author IDs, or a proposal-team CSV.

Example:
    >>> people_from_ids(["0000-0002-1825-0097", "A5023888391"])[0].orcid
    '0000-0002-1825-0097'
    >>> parse_orcid("0000-0002-1825-0098")
    Traceback (most recent call last):
    ...
    biblio.errors.InputFileError: ORCID '0000-0002-1825-0098': bad check digit; copy the ORCID from orcid.org (16 digits, last may be X)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from biblio.errors import InputFileError, show
from biblio.safeio import read_input_csv

_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_AUTHOR = re.compile(r"^A\d{4,12}$")
TEAM_COLUMNS = ("name", "orcid", "openalex_id", "institution")


@dataclass(frozen=True)
class Person:
    """One person to vet. ``key`` is stable across runs (ORCID, else author ID)."""

    key: str
    name: str
    orcid: str | None = None
    openalex_id: str | None = None
    institution: str | None = None


def _checksum_ok(digits: str) -> bool:
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    r = (12 - total % 11) % 11
    return digits[15] == ("X" if r == 10 else str(r))


def parse_orcid(value: str) -> str:
    """A bare ORCID (``0000-0002-1825-0097``) from any common form; checks the check digit."""
    v = value.strip().upper().removeprefix("HTTPS://").removeprefix("HTTP://").removeprefix("ORCID.ORG/")
    m = _ORCID.match(v)
    if not m:
        raise InputFileError(f"ORCID {show(value, 60)}: not an ORCID; use 16 digits like 0000-0002-1825-0097")
    digits = "".join(m.groups())
    if not _checksum_ok(digits):
        raise InputFileError(f"ORCID {show(value, 60)}: bad check digit; copy the ORCID from orcid.org (16 digits, last may be X)")
    return "-".join(m.groups())


def parse_author_id(value: str) -> str:
    """A short OpenAlex author ID (``A5023888391``) from an ID or URL."""
    v = value.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if not _AUTHOR.match(v):
        raise InputFileError(f"OpenAlex author ID {show(value, 60)}: not an author ID; use A followed by digits, e.g. A5023888391")
    return v


def person_from_id(value: str) -> Person:
    """Classify one identifier as an OpenAlex author ID (``A…``) or else an ORCID."""
    tail = value.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if tail.startswith("A") and tail[1:].isdigit():
        a = parse_author_id(value)
        return Person(key=a, name=a, openalex_id=a)
    o = parse_orcid(value)
    return Person(key=o, name=o, orcid=o)


def people_from_ids(values: list[str]) -> list[Person]:
    """People from ORCIDs and/or OpenAlex author IDs, duplicates dropped, order kept."""
    out = {p.key: p for p in (person_from_id(v) for v in values if v.strip())}
    if not out:
        raise InputFileError("no people to vet; pass ORCIDs or OpenAlex author IDs, or a team CSV")
    return list(out.values())


def load_team(path: str | Path) -> list[Person]:
    """People from a proposal-team CSV: ``name`` and ``orcid`` and/or ``openalex_id``, optional ``institution``.

    >>> load_team("team.csv")[0].orcid  # doctest: +SKIP
    '0000-0002-1825-0097'
    """
    _, rows = read_input_csv(path, required=(), one_of=("orcid", "openalex_id"), what="the team CSV")
    return _team_rows(Path(path), rows)


def _team_rows(p: Path, rows: list[dict[str, str]]) -> list[Person]:
    if not rows:
        raise InputFileError(f"{p}: no people; give one row per person under the header (name, orcid and/or openalex_id)")
    out: dict[str, Person] = {}
    for n, raw in enumerate(rows, start=2):
        r = {k: v.strip() for k, v in raw.items()}  # read_input_csv: str keys and values, rows padded
        try:
            orcid = parse_orcid(r["orcid"]) if r.get("orcid") else None
            aid = parse_author_id(r["openalex_id"]) if r.get("openalex_id") else None
        except InputFileError as e:
            raise InputFileError(f"{p}: row {n}: {e}") from None
        if not orcid and not aid:
            raise InputFileError(f"{p}: row {n}: no orcid or openalex_id; give at least one for each person")
        key = orcid or aid or ""
        out[key] = Person(key=key, name=r.get("name") or key, orcid=orcid, openalex_id=aid, institution=r.get("institution") or None)
    return list(out.values())
