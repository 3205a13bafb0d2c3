"""Query files: the unit of reproducibility.

A query file is TOML. It is parsed into a frozen :class:`Query`, validated field by
field, and hashed. Every problem raises :class:`~biblio.errors.QueryFileError` with a
one-line message naming the file and the field.

Example:
    >>> q = load_query("queries/demo.toml")          # doctest: +SKIP
    >>> q.name, q.scope, q.country_codes              # doctest: +SKIP
    ('demo', 'cn+hk+mo', ('CN', 'HK', 'MO'))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from biblio.errors import QueryFileError, printable, show
from biblio.funders import load_funder_table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Keys of the entity lists a query can apply (see ``biblio lists``).
LIST_KEYS: tuple[str, ...] = (
    "entity_list",
    "1260h",
    "1286",
    "ns_cmic",
    "meu",
    "aspi",
    "seven_sons",
    "sastind",
)
PRC_SCOPES: dict[str, tuple[str, ...]] = {"cn": ("CN",), "cn+hk+mo": ("CN", "HK", "MO")}
#: Resolver scopes: the PRC scopes a query file may choose, plus ``listed`` (every country the
#: bundled lists cover), which vetting uses to screen co-authors anywhere.
SCOPES: dict[str, tuple[str, ...]] = {**PRC_SCOPES, "listed": ("CN", "HK", "MO", "RU", "IR")}
SOURCES = ("openalex", "snapshot")
#: Kinds of DoD evidence a query may accept (see biblio.evidence).
EVIDENCE_KINDS = ("openalex", "crossref", "award", "name")

_FUNDER_ID = re.compile(r"^F\d{4,12}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_PREFIX = re.compile(r"^[A-Z0-9]{2,12}$")

_ALLOWED: dict[str, set[str]] = {
    "": {"name", "description", "window", "funders", "scope", "source", "lists", "output", "fetch"},
    "window": {"from", "to"},
    "funders": {"agencies", "ids", "exclude", "award_prefixes", "evidence", "discover"},
    "scope": {"prc", "raw_strings"},
    "source": {"kind", "paths", "crossref", "affiliations", "awards", "strict"},
    "lists": {"apply", "fuzzy"},
    "output": {"dir"},
    "fetch": {"slices", "rate_limit", "max_retries", "max_retry_after", "timeout", "max_requests"},
}


@dataclass(frozen=True)
class FetchOptions:
    """Fetch tuning: date slices, global rate limit (requests/s), retry budget and caps."""

    slices: int = 4
    rate_limit: float = 10.0
    max_retries: int = 8
    max_retry_after: float = 120.0
    timeout: float = 60.0
    max_requests: int | None = None


@dataclass(frozen=True)
class Query:
    """A validated query. Build it with :func:`load_query` or :func:`parse_query`."""

    name: str
    description: str
    date_from: dt.date
    date_to: dt.date
    agencies: tuple[str, ...]
    funder_ids: tuple[str, ...]
    award_prefixes: tuple[str, ...]
    scope: str
    source: str
    snapshot_paths: tuple[str, ...]
    lists: tuple[str, ...]
    fuzzy: bool
    output_dir: str
    fetch: FetchOptions = field(default_factory=FetchOptions)
    path: str | None = None
    text: str = ""
    pinned_ids: tuple[str, ...] = ()  # funders.ids as given (kept even when discovery runs)
    exclude_ids: tuple[str, ...] = ()  # funders.exclude: never asked for
    discover: bool = False  # funders.discover: add DoD funders found through OpenAlex /funders
    evidence: tuple[str, ...] = ("openalex",)
    raw_strings: bool = False
    crossref: tuple[str, ...] = ()
    affiliation_paths: tuple[str, ...] = ()
    award_paths: tuple[str, ...] = ()  # award records (OpenAlex /awards JSON) read offline

    @property
    def filter_codes(self) -> tuple[str, ...]:
        """Country codes for OpenAlex's country filter: none when ``raw_strings`` (decided locally)."""
        return () if self.raw_strings else self.country_codes

    @property
    def crossref_api(self) -> bool:
        """True when Crossref's REST API is a live source (``[source] crossref = "api"``)."""
        return self.crossref == ("api",)

    @property
    def crossref_paths(self) -> tuple[str, ...]:
        """Files of Crossref funder entries used offline (``[source] crossref = [paths]``)."""
        return () if self.crossref_api else self.crossref

    @property
    def judged_locally(self) -> bool:
        """True when scope is decided by :mod:`biblio.evidence` (more than OpenAlex's filter)."""
        return self.evidence != ("openalex",) or self.raw_strings or bool(self.crossref) or bool(self.affiliation_paths)
    strict: bool = False

    @property
    def country_codes(self) -> tuple[str, ...]:
        """Upper-case ISO codes that count as the PRC under this query's scope."""
        return SCOPES[self.scope]

    def fetch_spec(self) -> dict[str, Any]:
        """The fields that decide which records are fetched (what the cache is keyed on)."""
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "funder_ids": sorted(self.funder_ids),
            "scope": self.scope,
            "source": self.source,
            "snapshot_paths": list(self.snapshot_paths) if self.source == "snapshot" else [],
            **({"raw_strings": True} if self.raw_strings else {}),
        }

    @property
    def fetch_hash(self) -> str:
        """Hash of :meth:`fetch_spec`: the cache key. Same records requested, same hash."""
        blob = json.dumps(self.fetch_spec(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def file_sha256(self) -> str:
        """SHA-256 of the query file's text, for the manifest."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def resolve_snapshot_paths(self) -> list[Path]:
        """Snapshot paths as filesystem paths.

        ``builtin:NAME`` means ``biblio/data/NAME`` inside the installed package; other
        relative paths are taken relative to the query file's folder.
        """
        return self.resolve_paths(self.snapshot_paths)

    def resolve_paths(self, paths: tuple[str, ...]) -> list[Path]:
        """``builtin:NAME`` → ``biblio/data/NAME``; relative paths → beside the query file."""
        base = Path(self.path).parent if self.path else Path.cwd()
        return [query_path(p, base=base, path=self.path or "<query>", fld="source.paths") for p in paths]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe view of the query (for manifests and reports)."""
        d = asdict(self)
        d["date_from"] = self.date_from.isoformat()
        d["date_to"] = self.date_to.isoformat()
        d.pop("text")
        return d


def query_path(value: str, *, base: Path, path: str, fld: str) -> Path:
    """A path a query file names: ``builtin:NAME`` inside ``biblio/data``, else relative to ``base``.

    >>> query_path("builtin:house", base=Path("q"), path="q/a.toml", fld="source.paths").name
    'house'
    """
    if value.startswith("builtin:"):
        data = (Path(__file__).parent / "data").resolve()
        bp = (data / value[len("builtin:") :]).resolve()
        if bp != data and data not in bp.parents:
            raise QueryFileError(path, fld, f"{show(value)} points outside the bundled data folder; use builtin:NAME with a name inside biblio/data")
        return bp
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def load_query(path: str | Path) -> Query:
    """Read, parse and validate a query file.

    Example:
        >>> load_query("queries/dod-prc-2023-2025.toml").date_from   # doctest: +SKIP
        datetime.date(2023, 6, 1)
    """
    p = Path(path)
    if not p.exists():
        raise QueryFileError(p, None, "file not found; pass the path of a .toml query file, e.g. queries/demo.toml")
    if not p.is_file():
        raise QueryFileError(p, None, "not a regular file; pass the path of a .toml query file, e.g. queries/demo.toml")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryFileError(p, None, "not UTF-8 text; save the query file as UTF-8") from None
    except OSError as e:
        raise QueryFileError(p, None, f"cannot read ({e.strerror}); check the path and permissions") from None
    return parse_query(text, path=str(p))


def parse_query(text: str, *, path: str = "<query>") -> Query:
    """Parse and validate query TOML text.

    Example:
        >>> q = parse_query('''
        ... name = "t"
        ... [window]
        ... from = 2024-01-01
        ... to = 2024-12-31
        ... [funders]
        ... agencies = ["AFOSR"]
        ... ''')
        >>> q.funder_ids
        ('F4320338279',)
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise QueryFileError(path, None, f"not valid TOML ({printable(e, 200)}); fix the syntax") from None
    except RecursionError:
        raise QueryFileError(path, None, "nested too deeply to read; a query file needs only a few tables") from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise QueryFileError(path, None, f"a value cannot be read ({printable(e, 120)}); fix it") from None

    def err(fld: str, msg: str) -> QueryFileError:
        return QueryFileError(path, fld, msg)

    for section, allowed in _ALLOWED.items():
        table = data if section == "" else data.get(section, {})
        if section and not isinstance(table, dict):
            raise err(section, f"must be a table ([{section}]), got {type(table).__name__}")
        for key in table:
            if key not in allowed:
                full = f"{section}.{key}" if section else key
                if section == "" :
                    hint = "known top-level keys: " + ", ".join(sorted(allowed))
                else:
                    hint = f"known keys in [{section}]: " + ", ".join(sorted(allowed))
                raise err(printable(full, 60), f"unknown key; {hint}")

    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise err("name", f"must be a short name of letters, digits, '-', '_' or '.', got {show(name)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise err("description", "must be a string")

    window = data.get("window")
    if not isinstance(window, dict):
        raise err("window", "missing; add [window] with from = YYYY-MM-DD and to = YYYY-MM-DD")
    date_from = _date(window.get("from"), err, "window.from")
    date_to = _date(window.get("to"), err, "window.to")
    if date_from > date_to:
        raise err("window", f"from ({date_from}) is after to ({date_to}); swap them")

    agencies, funder_ids, prefixes = _funders(data.get("funders"), err)
    pinned, exclude, discover = _funder_extras(data.get("funders"), err)
    funder_ids = tuple(i for i in funder_ids if i not in exclude)
    if not funder_ids:
        raise err("funders.exclude", "excludes every funder the query asks for; remove some IDs from exclude")

    scope_t = data.get("scope", {})
    scope = scope_t.get("prc", "cn")
    if not isinstance(scope, str) or scope not in PRC_SCOPES:
        raise err("scope.prc", f"unknown scope {show(scope)}; use one of {', '.join(repr(s) for s in PRC_SCOPES)} (a string, not a list)")

    source_t = data.get("source", {})
    source = source_t.get("kind", "openalex")
    if not isinstance(source, str) or source not in SOURCES:
        raise err("source.kind", f"unknown source {show(source)}; use 'openalex' (live) or 'snapshot' (local files)")
    strict = source_t.get("strict", False)
    if not isinstance(strict, bool):
        raise err("source.strict", "must be true (stop at the first malformed record) or false (skip and count them)")
    paths = source_t.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(x, str) and x for x in paths):
        raise err("source.paths", "must be a list of folder or file paths")
    for x in paths:
        if "\x00" in x:
            raise err("source.paths", f"{show(x)} contains a NUL character; fix the path")
        if x.startswith("builtin:") and (not x[len("builtin:"):] or Path(x[len("builtin:"):]).is_absolute() or ".." in Path(x[len("builtin:"):]).parts):
            raise err("source.paths", f"{show(x)} must name a file or folder inside the bundled data folder, e.g. builtin:synthetic")
    if source == "snapshot" and not paths:
        raise err("source.paths", "a snapshot source needs at least one path to OpenAlex-format JSON/JSONL files")
    if source == "openalex" and paths:
        raise err("source.paths", "only used with kind = 'snapshot'; remove it or set kind = 'snapshot'")
    crossref, affiliations = _extra_sources(source_t, source, err)
    raw_strings = scope_t.get("raw_strings", False)
    if not isinstance(raw_strings, bool):
        raise err("scope.raw_strings", "must be true or false")
    evidence = _evidence(data.get("funders"), err)

    lists_t = data.get("lists", {})
    apply = lists_t.get("apply", ["all"])
    if not isinstance(apply, list) or not all(isinstance(x, str) for x in apply) or not apply:
        raise err("lists.apply", f"must be a non-empty list of list keys ({', '.join(LIST_KEYS)}) or [\"all\"]")
    for k in apply:
        if k != "all" and k not in LIST_KEYS:
            raise err("lists.apply", f"unknown list {show(k)}; known lists: all, {', '.join(LIST_KEYS)}")
    lists = LIST_KEYS if "all" in apply else tuple(k for k in LIST_KEYS if k in apply)
    fuzzy = lists_t.get("fuzzy", False)
    if not isinstance(fuzzy, bool):
        raise err("lists.fuzzy", "must be true or false")

    out_t = data.get("output", {})
    output_dir = out_t.get("dir", "outputs")
    if not isinstance(output_dir, str) or not output_dir.strip() or "\x00" in output_dir:
        raise err("output.dir", "must be a folder path")

    fetch = _fetch_options(data.get("fetch", {}), err)

    return Query(
        name=name,
        description=description,
        date_from=date_from,
        date_to=date_to,
        agencies=agencies,
        funder_ids=funder_ids,
        award_prefixes=prefixes,
        scope=scope,
        source=source,
        snapshot_paths=tuple(paths),
        lists=lists,
        fuzzy=fuzzy,
        output_dir=output_dir,
        fetch=fetch,
        path=path,
        text=text,
        evidence=evidence,
        raw_strings=raw_strings,
        crossref=crossref,
        affiliation_paths=affiliations,
        award_paths=_paths(source_t.get("awards", []), err, "source.awards"),
        strict=strict,
        pinned_ids=pinned,
        exclude_ids=exclude,
        discover=discover,
    )


def _paths(v: Any, err: Any, fld: str) -> tuple[str, ...]:
    v = [v] if isinstance(v, str) else v
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise err(fld, "must be a list of file paths")
    return tuple(v)


def _extra_sources(t: Mapping[str, Any], source: str, err: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    crossref = t.get("crossref", [])
    if crossref == "api":
        if source != "openalex":
            raise err("source.crossref", "'api' (live Crossref) needs kind = 'openalex'; with a snapshot give paths of Crossref funder-entry CSVs")
        crossref_t: tuple[str, ...] = ("api",)
    else:
        crossref_t = _paths(crossref, err, "source.crossref")
        if "api" in crossref_t:
            raise err("source.crossref", "use crossref = \"api\" alone, or a list of CSV paths")
    return crossref_t, _paths(t.get("affiliations", []), err, "source.affiliations")


def _evidence(t: Any, err: Any) -> tuple[str, ...]:
    ev = (t or {}).get("evidence", ["openalex"]) if isinstance(t, dict) else ["openalex"]
    if ev == ["all"]:
        return EVIDENCE_KINDS
    if not isinstance(ev, list) or not ev or not all(isinstance(x, str) for x in ev):
        raise err("funders.evidence", f"must be a non-empty list of {', '.join(EVIDENCE_KINDS)} or [\"all\"]")
    for k in ev:
        if k not in EVIDENCE_KINDS:
            raise err("funders.evidence", f"unknown kind {k!r}; known: {', '.join(EVIDENCE_KINDS)}, or all")
    return tuple(k for k in EVIDENCE_KINDS if k in ev)


#: The window must lie inside these dates (later dates overflow date arithmetic and mean nothing).
MIN_DATE, MAX_DATE = dt.date(1500, 1, 1), dt.date(2100, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(v: Any, err: Any, fld: str) -> dt.date:
    d: dt.date | None = None
    if isinstance(v, dt.datetime):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, str) and _ISO_DATE.match(v):
        try:
            d = dt.date.fromisoformat(v)
        except ValueError:
            pass
    if v is None:
        raise err(fld, "missing; give a date as YYYY-MM-DD")
    if d is None:
        raise err(fld, f"not a date: {show(v)}; use YYYY-MM-DD, e.g. 2024-01-31")
    if not MIN_DATE <= d <= MAX_DATE:
        raise err(fld, f"{d} is outside {MIN_DATE} .. {MAX_DATE}; give a real publication date")
    return d


def _funder_ids(v: Any, err: Any, fld: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise err(fld, "must be a list of OpenAlex funder IDs, e.g. [\"F4320338295\"]")
    out = []
    for raw in v:
        fid = raw.strip().removeprefix("https://openalex.org/").upper()
        if not _FUNDER_ID.match(fid):
            raise err(fld, f"malformed OpenAlex funder ID {show(raw)}; expected F followed by digits, e.g. F4320338279")
        out.append(fid)
    return tuple(dict.fromkeys(out))


def _funder_extras(t: Any, err: Any) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(pinned ids, excluded ids, discover) from [funders]."""
    t = t if isinstance(t, dict) else {}
    discover = t.get("discover", False)
    if not isinstance(discover, bool):
        raise err("funders.discover", f"must be true or false, got {show(discover)}")
    return _funder_ids(t.get("ids", []), err, "funders.ids"), _funder_ids(t.get("exclude", []), err, "funders.exclude"), discover


def _funders(t: Any, err: Any) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if not isinstance(t, dict):
        raise err("funders", 'missing; add [funders] with agencies = ["all"] and/or ids = ["F…"]')
    table = load_funder_table()
    known = {r.short: r for r in table.rows}
    agencies_in = t.get("agencies", [])
    ids_in = t.get("ids", [])
    prefixes_in = t.get("award_prefixes", [])
    for fld, v in (("funders.agencies", agencies_in), ("funders.ids", ids_in), ("funders.award_prefixes", prefixes_in)):
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise err(fld, "must be a list of strings")
    agencies: list[str] = []
    for a in agencies_in:
        if a.lower() == "all":
            agencies.extend(known)
        elif a in known:
            agencies.append(a)
        else:
            raise err("funders.agencies", f"unknown agency {show(a)}; known: all, {', '.join(known)}")
    ids: list[str] = [known[a].funder_id for a in agencies]
    for raw in ids_in:
        fid = raw.strip().removeprefix("https://openalex.org/").upper()
        if not _FUNDER_ID.match(fid):
            raise err("funders.ids", f"malformed OpenAlex funder ID {show(raw)}; expected F followed by digits, e.g. F4320338279")
        ids.append(fid)
    prefixes: list[str] = []
    for raw in prefixes_in:
        p = raw.strip().upper()
        if not _PREFIX.match(p):
            raise err("funders.award_prefixes", f"malformed award prefix {show(raw)}; expected letters and digits, e.g. FA9550")
        prefixes.append(p)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise err("funders", 'empty funder list; set agencies = ["all"] or list OpenAlex funder IDs in ids')
    return tuple(dict.fromkeys(agencies)), tuple(ids), tuple(dict.fromkeys(prefixes))


def _fetch_options(t: Mapping[str, Any], err: Any) -> FetchOptions:
    d = FetchOptions()
    slices = t.get("slices", d.slices)
    if not isinstance(slices, int) or isinstance(slices, bool) or not 1 <= slices <= 64:
        raise err("fetch.slices", f"must be an integer from 1 to 64, got {show(slices)}")
    rate = t.get("rate_limit", d.rate_limit)
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 < rate <= 100:
        raise err("fetch.rate_limit", f"must be requests per second, above 0 and at most 100 (OpenAlex's cap), got {show(rate)}")
    retries = t.get("max_retries", d.max_retries)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 50:
        raise err("fetch.max_retries", f"must be an integer from 0 to 50, got {show(retries)}")
    cap = t.get("max_retry_after", d.max_retry_after)
    if not isinstance(cap, (int, float)) or isinstance(cap, bool) or not 0 <= cap <= 3600:
        raise err("fetch.max_retry_after", f"must be seconds from 0 to 3600, got {show(cap)}")
    timeout = t.get("timeout", d.timeout)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        raise err("fetch.timeout", f"must be seconds above 0 and at most 600, got {show(timeout)}")
    budget = t.get("max_requests")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 1):
        raise err("fetch.max_requests", f"must be a whole number of requests above 0 (or left out for no budget), got {show(budget)}")
    return FetchOptions(
        slices=slices, rate_limit=float(rate), max_retries=retries, max_retry_after=float(cap), timeout=float(timeout), max_requests=budget
    )
