"""Check raw OpenAlex work records against the part of the schema biblio reads.

Snapshot files come from anywhere; a record with a wrong JSON type (``"authorships": [1.5]``,
``"publication_date": -1``, ``"type": ["article"]``) or a lone surrogate in a string would
otherwise crash filtering or flattening. :func:`record_problem` names the first problem;
:func:`drop_invalid` skips and counts bad records, or raises in strict mode.

Example:
    >>> record_problem({"id": "https://openalex.org/W1", "authorships": [1.5]})
    'authorships[0]: expected an object, got float'
    >>> record_problem({"id": "W1", "publication_date": "2024-01-02"}) is None
    True
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from biblio.errors import RecordError, show

_SURROGATE = re.compile("[\ud800-\udfff]")
#: How a surrogate code point can reach a string parsed from JSON bytes by ``json.loads``: a
#: ``\\uD800``-``\\uDFFF`` escape, UTF-8-encoded surrogate bytes (``json.loads`` decodes bytes with
#: ``surrogatepass``), or a NUL byte (the bytes may then be read as UTF-16/32).
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")


def may_hold_surrogates(line: bytes) -> bool:
    """False when JSON text ``line`` cannot yield a lone surrogate (a fast bytes search first)."""
    if b"\\ud" not in line and b"\\uD" not in line and b"\xed" not in line and b"\x00" not in line:
        return False
    return SURROGATE_ESCAPE.search(line) is not None


def utf8_problem(line: bytes) -> str | None:
    """Why JSON text ``line`` is not UTF-8 as ``json.loads`` reads it, or None (a decode of the line).

    Example:
        >>> utf8_problem(b'{"title": "caf\\xe9"}')
        'not valid UTF-8 (byte 0xe9 at byte 15 of the line)'
        >>> utf8_problem('{"title": "café"}'.encode()) is None
        True
    """
    try:
        line.decode("utf-8", "surrogatepass")  # as json.loads decodes bytes
    except UnicodeDecodeError as e:
        return f"not valid UTF-8 (byte 0x{line[e.start]:02x} at byte {e.start + 1} of the line)"
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_OPT_STR = (str, type(None))

# field -> expected type(s); nested objects are described by the tables below.
_WORK_STR = ("id", "doi", "title", "display_name", "type", "updated_date")
_AUTHORSHIP_STR = ("author_position", "raw_author_name")
_AUTHOR_STR = ("id", "display_name", "orcid")
_INST_STR = ("id", "ror", "display_name", "country_code", "type")
_FUNDER_STR = ("id", "display_name", "ror")
_AWARD_STR = ("id", "funder_id", "funder_award_id", "funder_display_name", "doi")
_GRANT_STR = ("funder", "award_id", "funder_display_name")


def _tname(v: Any) -> str:
    return "null" if v is None else {"str": "string", "dict": "object", "list": "array", "bool": "boolean"}.get(type(v).__name__, type(v).__name__)


def _str_fields(obj: dict[str, Any], names: Iterable[str], where: str, sur: bool = True) -> str | None:
    for k in names:
        v = obj.get(k)
        if v is None:
            continue
        if not isinstance(v, str):
            return f"{where}{k}: expected a string, got {_tname(v)}"
        if sur and _SURROGATE.search(v):
            return f"{where}{k}: contains a lone surrogate (invalid Unicode)"
    return None


def _objects(v: Any, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """``v`` as a list of objects (null → []), or the problem."""
    if v is None:
        return [], None
    if not isinstance(v, list):
        return [], f"{where}: expected an array, got {_tname(v)}"
    for i, x in enumerate(v):
        if not isinstance(x, dict):
            return [], f"{where}[{i}]: expected an object, got {_tname(x)}"
    return v, None


def _strings(v: Any, where: str, sur: bool = True) -> str | None:
    if v is None:
        return None
    if not isinstance(v, list):
        return f"{where}: expected an array, got {_tname(v)}"
    for i, x in enumerate(v):
        if x is not None and not isinstance(x, str):
            return f"{where}[{i}]: expected a string, got {_tname(x)}"
        if sur and isinstance(x, str) and _SURROGATE.search(x):
            return f"{where}[{i}]: contains a lone surrogate (invalid Unicode)"
    return None


def _obj(v: Any, where: str) -> tuple[dict[str, Any], str | None]:
    if v is None:
        return {}, None
    if not isinstance(v, dict):
        return {}, f"{where}: expected an object, got {_tname(v)}"
    return v, None


def _authorship(a: dict[str, Any], where: str, sur: bool = True) -> str | None:
    author, p = _obj(a.get("author"), where + "author")
    p = p or _str_fields(a, _AUTHORSHIP_STR, where, sur) or _str_fields(author, _AUTHOR_STR, where + "author.", sur)
    if p:
        return p
    if a.get("is_corresponding") is not None and not isinstance(a["is_corresponding"], bool):
        return f"{where}is_corresponding: expected true/false, got {_tname(a['is_corresponding'])}"
    p = _strings(a.get("raw_affiliation_strings"), where + "raw_affiliation_strings", sur) or _strings(a.get("countries"), where + "countries", sur)
    if p:
        return p
    insts, p = _objects(a.get("institutions"), where + "institutions")
    if p:
        return p
    for j, inst in enumerate(insts):
        p = _str_fields(inst, _INST_STR, f"{where}institutions[{j}].", sur) or _strings(inst.get("lineage"), f"{where}institutions[{j}].lineage", sur)
        if p:
            return p
    affs, p = _objects(a.get("affiliations"), where + "affiliations")
    if p:
        return p
    for j, af in enumerate(affs):
        p = _str_fields(af, ("raw_affiliation_string",), f"{where}affiliations[{j}].", sur) or _strings(af.get("institution_ids"), f"{where}affiliations[{j}].institution_ids", sur)
        if p:
            return p
    return None


def record_problem(rec: Any, *, surrogates: bool = True) -> str | None:
    """The first way ``rec`` departs from the schema biblio reads, or None if it is usable.

    ``surrogates=False`` skips the lone-surrogate checks: for a record parsed from JSON text
    with no ``\\uD800``-``\\uDFFF`` escape (:data:`SURROGATE_ESCAPE`), none can be there.
    """
    sur = surrogates
    if not isinstance(rec, dict):
        return f"expected a JSON object, got {_tname(rec)}"
    if not isinstance(rec.get("id"), str) or not rec["id"].strip():
        return "id: missing or not a string"
    p = _str_fields(rec, _WORK_STR, "", sur)
    if p:
        return p
    pd = rec.get("publication_date")
    if pd is not None and (not isinstance(pd, str) or not _DATE.match(pd) or (sur and _SURROGATE.search(pd))):
        return f"publication_date: expected YYYY-MM-DD, got {show(pd, 40)}"
    for k in ("publication_year", "cited_by_count"):
        v = rec.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not -(2**62) < v < 2**62):
            return f"{k}: expected an integer, got {_tname(v)}"
    pt, p = _obj(rec.get("primary_topic"), "primary_topic")
    p = p or _str_fields(pt, ("display_name",), "primary_topic.", sur)
    for k in ("subfield", "field", "domain"):
        sub, p2 = _obj(pt.get(k), f"primary_topic.{k}")
        p = p or p2 or _str_fields(sub, ("display_name",), f"primary_topic.{k}.", sur)
    if p:
        return p
    for k in ("topics", "keywords"):
        items, p = _objects(rec.get(k), k)
        p = p or next((q for i, t in enumerate(items) if (q := _str_fields(t, ("display_name",), f"{k}[{i}].", sur))), None)
        if p:
            return p
    for k, names in (("funders", _FUNDER_STR), ("awards", _AWARD_STR), ("grants", _GRANT_STR)):
        items, p = _objects(rec.get(k), k)
        p = p or next((q for i, t in enumerate(items) if (q := _str_fields(t, names, f"{k}[{i}].", sur))), None)
        if p:
            return p
    auths, p = _objects(rec.get("authorships"), "authorships")
    if p:
        return p
    for i, a in enumerate(auths):
        p = _authorship(a, f"authorships[{i}].", sur)
        if p:
            return p
    return None


#: The lists of objects :func:`record_problem` walks (by path); a null element is a problem.
_OBJECT_LISTS = (("topics",), ("keywords",), ("funders",), ("awards",), ("grants",), ("authorships",), ("authorships", "institutions"), ("authorships", "affiliations"))
#: Raw bytes that may decode to a lone surrogate or change ``json.loads``' encoding guess.
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]|\x00")


def _null_object_rows(table: Any, path: tuple[str, ...]) -> set[int]:
    """Rows of ``table`` with a null element in the list of objects at ``path``."""
    import pyarrow.compute as pc

    arr = table.column(path[0]).combine_chunks()
    owner = None  # the row each element of ``arr`` belongs to (None: arr is per row)
    for name in path[1:]:
        parents = pc.list_parent_indices(arr)
        owner = parents if owner is None else pc.take(owner, parents)
        arr = pc.struct_field(pc.list_flatten(arr), name)
    hit = pc.filter(pc.list_parent_indices(arr), pc.is_null(pc.list_flatten(arr)))
    return set((hit if owner is None else pc.take(owner, hit)).to_pylist())


def _null_false(mask: Any) -> Any:
    """A boolean Arrow array with nulls read as false (``pc.fill_null(mask, False)``, without a scalar)."""
    import pyarrow.compute as pc

    return pc.and_kleene(mask, pc.is_valid(mask))


def _null_true(mask: Any) -> Any:
    """A boolean Arrow array with nulls read as true (``pc.fill_null(mask, True)``, without a scalar)."""
    import pyarrow.compute as pc

    return pc.or_kleene(mask, pc.is_null(mask))


def columnar_suspects(table: Any, lines: list[bytes]) -> list[int]:
    """Rows of ``table`` (``lines`` parsed by :func:`biblio.tables.read_ndjson_arrow`) that
    :func:`record_problem` might reject; every other row is usable, checked without Python per record.

    The strict Arrow parse has already refused wrong JSON types, duplicate keys and lone
    surrogate escapes; this adds, vectorised, the checks it cannot make: a blank ``id``, a
    ``publication_date`` not ``YYYY-MM-DD``, integers beyond +-2**62, null objects in lists and
    raw surrogate (or NUL) bytes, and lines that are not valid UTF-8 (one decode of all the
    lines; the bad ones are looked for only when it fails). It is conservative: a suspect row gets the full check.
    Keep it in step with :func:`record_problem` (tests/test_fuzz_inputs.py compares the two).

    Example:
        >>> from biblio.tables import read_ndjson_arrow
        >>> lines = [b'{"id": "W1", "funders": [null]}', b'{"id": "W2"}', b'{"id": " "}']
        >>> columnar_suspects(read_ndjson_arrow(b"\\n".join(lines)), lines)
        [0, 2]
    """
    import pyarrow.compute as pc

    rows: set[int] = set()
    for path in _OBJECT_LISTS:
        arr = table.column(path[0])
        for name in path[1:]:
            arr = pc.struct_field(pc.list_flatten(arr), name)
        if pc.list_flatten(arr).null_count:
            rows |= _null_object_rows(table, path)  # rare
    # no Python value is turned into an Arrow scalar here: the first such conversion imports pandas (0.2 s)
    ok = _null_false(pc.match_substring_regex(table.column("id"), "^[!-~]"))
    ok = pc.and_(ok, _null_true(pc.match_substring_regex(table.column("publication_date"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}")))
    for k in ("publication_year", "cited_by_count"):
        v = table.column(k)
        lo, hi = (x.as_py() for x in pc.min_max(v).values())
        if lo is not None and not -(2**62) < lo <= hi < 2**62:  # rare: compare row by row
            ok = pc.and_(ok, _null_true(pc.and_(pc.greater(v, -(2**62)), pc.less(v, 2**62))))
    rows.update(pc.indices_nonzero(pc.invert(ok)).to_pylist())
    if any(b"\xed" in ln or b"\x00" in ln for ln in lines):
        rows |= {k for k, ln in enumerate(lines) if _SURROGATE_BYTES.search(ln)}
    try:
        b"\n".join(lines).decode("utf-8")  # a newline neither makes nor mends a bad sequence
    except UnicodeDecodeError:
        rows |= {k for k, ln in enumerate(lines) if utf8_problem(ln)}  # surrogate bytes are suspects above already
    return sorted(rows)


def drop_invalid(records: Iterable[Any], *, strict: bool = False, source: str = "input") -> tuple[list[dict[str, Any]], int, list[str]]:
    """Keep the usable records; return (kept, number skipped, up to 3 example problems).

    In ``strict`` mode the first bad record raises :class:`~biblio.errors.RecordError`.
    """
    kept: list[dict[str, Any]] = []
    skipped = 0
    examples: list[str] = []
    for n, rec in enumerate(records, start=1):
        p = record_problem(rec)
        if p is None:
            kept.append(rec)
            continue
        if strict:
            raise RecordError(f"{source}: record {n}{_rid(rec)}: {p}; fix the record, or drop strict mode to skip and count bad records")
        skipped += 1
        if len(examples) < 3:
            examples.append(f"record {n}{_rid(rec)}: {p}")
    return kept, skipped, examples


def _rid(rec: Any) -> str:
    rid = rec.get("id") if isinstance(rec, dict) else None
    return f" ({show(rid, 40)})" if isinstance(rid, str) and rid else ""
