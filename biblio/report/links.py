"""Links for identifiers: DOI, OpenAlex (works, authors, institutions), ROR, ORCID.

Example:
    >>> link_for("doi", "10.5555/x")
    'https://doi.org/10.5555/x'
    >>> link_for("partner_key", "I99065089")
    'https://openalex.org/I99065089'
    >>> link_for("partner_key", "entity:beihang-university") is None
    True
"""

from __future__ import annotations

import re

_OPENALEX = re.compile(r"^[WAISFG]\d+$")
_ROR = re.compile(r"^0[a-z0-9]{6}\d{2}$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
#: A DOI safe to put in a link (and a spreadsheet HYPERLINK): no quotes, spaces or control characters.
_DOI = re.compile(r"^10\.\d{3,9}/[^\s\"'<>\\\x00-\x1f\x7f]{1,200}$")
OPENALEX_COLUMNS = {"work_id", "author_id", "institution_id", "openalex_id", "partner_key", "award_id", "funder_id"}


def link_for(column: str, value: str | None) -> str | None:
    """The URL for a value of an identifier column, or None."""
    if not value:
        return None
    v = str(value).strip()
    if column == "doi" and _DOI.match(v):
        return f"https://doi.org/{v}"
    if column in OPENALEX_COLUMNS and _OPENALEX.match(v):
        return f"https://openalex.org/{v}"
    if column == "ror" and _ROR.match(v):
        return f"https://ror.org/{v}"
    if column == "orcid" and _ORCID.match(v):
        return f"https://orcid.org/{v}"
    return None
