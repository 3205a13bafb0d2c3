"""Vetting query files: who, over which window, against which rules (the unit of reproducibility).

A vetting query is TOML with a ``[vet]`` section::

    name = "vet-demo"
    [vet]
    team = "builtin:vet_demo/team.csv"   # or people = ["0000-0002-1825-0097", "A5023888391"]
    lookback_years = 5                        # works published in the 5 years before as_of
    as_of = 2026-06-30                        # the vetting date (default: the day of the run)
    rules = "builtin:vet_rules/dod_decision_matrix_2026-03.toml"
    exclude = "exclude.csv"                   # optional: work_id column, works to leave out
    [source]
    kind = "snapshot"                         # or "openalex" (author filters on the live API)
    paths = ["builtin:synthetic/vet"]

Example:
    >>> vq = load_vet_query("queries/vet-demo.toml")          # doctest: +SKIP
    >>> vq.window                                             # doctest: +SKIP
    (datetime.date(2021, 6, 30), datetime.date(2026, 6, 30))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from biblio.errors import QueryFileError
from biblio.query import LIST_KEYS, FetchOptions, _fetch_options, query_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_RULES = "builtin:vet_rules/dod_decision_matrix_2026-03.toml"
_ALLOWED = {
    "": {"name", "description", "vet", "source", "lists", "output", "fetch"},
    "vet": {"people", "team", "lookback_years", "as_of", "rules", "exclude"},
    "source": {"kind", "paths"},
    "lists": {"apply"},
    "output": {"dir"},
}


@dataclass(frozen=True)
class VetQuery:
    """A validated vetting query; build it with :func:`load_vet_query` or :func:`parse_vet_query`."""

    name: str
    description: str = ""
    people: tuple[str, ...] = ()
    team: Path | None = None
    lookback_years: int = 5
    as_of: dt.date | None = None
    rules: Path = field(default_factory=lambda: DATA_DIR / DEFAULT_RULES.removeprefix("builtin:"))
    exclude: Path | None = None
    source: str = "snapshot"
    snapshot_paths: tuple[Path, ...] = ()
    lists: tuple[str, ...] = LIST_KEYS
    output_dir: str = "outputs"
    fetch: FetchOptions = field(default_factory=FetchOptions)
    path: str | None = None
    text: str = ""

    def window(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The lookback window ``(from, to)``: ``lookback_years`` before the vetting date, inclusive."""
        end = self.as_of or today or dt.date.today()
        try:
            start = end.replace(year=end.year - self.lookback_years)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - self.lookback_years, day=28)
        return start, end

    @property
    def file_sha256(self) -> str:
        """SHA-256 of the query file's text, for the manifest."""
        return hashlib.sha256(self.text.encode()).hexdigest()


def load_vet_query(path: str | Path) -> VetQuery:
    """Read and validate a vetting query file (errors name the file and the field)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryFileError(p, None, "file not found; pass a vetting query .toml, e.g. queries/vet-demo.toml") from None
    except UnicodeDecodeError:
        raise QueryFileError(p, None, "not UTF-8 text; save the query file as UTF-8") from None
    except OSError as e:
        raise QueryFileError(p, None, f"cannot read ({e.strerror}); check the path and permissions") from None
    return parse_vet_query(text, path=str(p))


def resolve_path(value: Any, *, base: Path, fld: str, path: str) -> Path:
    """A path from a vetting query file (see :func:`biblio.query.query_path`)."""
    if not isinstance(value, str) or not value.strip():
        raise QueryFileError(path, fld, "must be a file or folder path")
    return query_path(value, base=base, path=path, fld=fld)


def _check_keys(data: dict[str, Any], err: Any) -> None:
    for section, allowed in _ALLOWED.items():
        table = data if section == "" else data.get(section, {})
        if not isinstance(table, dict):
            raise err(section, f"must be a table ([{section}])")
        for key in table:
            if key not in allowed:
                raise err(f"{section + '.' if section else ''}{key}", "unknown key; known: " + ", ".join(sorted(allowed)))


def parse_vet_query(text: str, *, path: str = "<vet query>") -> VetQuery:
    """Parse and validate vetting-query TOML text."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as e:
        raise QueryFileError(path, None, f"not valid TOML ({str(e)[:120]}); fix the syntax") from None

    def err(fld: str, msg: str) -> QueryFileError:
        return QueryFileError(path, fld, msg)

    _check_keys(data, err)
    base = Path(path).parent if path and not path.startswith("<") else Path.cwd()
    name = data.get("name")
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(name) > 80:
        raise err("name", "must be a short name of letters, digits, '-', '_' or '.'")
    vet = data.get("vet")
    if not isinstance(vet, dict):
        raise err("vet", "missing; add [vet] with people = [ORCIDs or OpenAlex author IDs] or team = \"team.csv\"")
    return VetQuery(name=name, description=str(data.get("description", "")), **_vet_fields(vet, base, err, path),
                    **_source_fields(data, base, err, path), path=path, text=text)


def _vet_fields(vet: dict[str, Any], base: Path, err: Any, path: str) -> dict[str, Any]:
    people = vet.get("people", [])
    if not isinstance(people, list) or not all(isinstance(x, str) for x in people):
        raise err("vet.people", "must be a list of ORCIDs or OpenAlex author IDs (strings)")
    team = resolve_path(vet["team"], base=base, fld="vet.team", path=path) if "team" in vet else None
    if not people and team is None:
        raise err("vet", "no one to vet; set people = [...] or team = \"team.csv\"")
    years = vet.get("lookback_years", 5)
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 50:
        raise err("vet.lookback_years", f"must be a whole number of years from 1 to 50, got {str(years)[:20]!r}")
    as_of = vet.get("as_of")
    if as_of is not None and (not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime)):
        raise err("vet.as_of", "must be a date, YYYY-MM-DD (no quotes)")
    if as_of is not None and as_of.year - years < 1:
        raise err("vet.as_of", "too early for the lookback window; use a date after year 50")
    rules = resolve_path(vet.get("rules", DEFAULT_RULES), base=base, fld="vet.rules", path=path)
    exclude = resolve_path(vet["exclude"], base=base, fld="vet.exclude", path=path) if "exclude" in vet else None
    return {"people": tuple(people), "team": team, "lookback_years": years, "as_of": as_of, "rules": rules, "exclude": exclude}


def _source_fields(data: dict[str, Any], base: Path, err: Any, path: str) -> dict[str, Any]:
    src = data.get("source", {})
    kind = src.get("kind", "openalex")
    if kind not in ("openalex", "snapshot"):
        raise err("source.kind", "use 'openalex' (live API) or 'snapshot' (local files)")
    paths = src.get("paths", [])
    if not isinstance(paths, list) or (kind == "snapshot" and not paths):
        raise err("source.paths", "a snapshot source needs a list of folder or file paths")
    resolved = tuple(resolve_path(x, base=base, fld="source.paths", path=path) for x in paths)
    apply = data.get("lists", {}).get("apply", ["all"])
    if not isinstance(apply, list) or not apply or any(a not in (*LIST_KEYS, "all") for a in apply) or ("all" in apply and len(apply) > 1):
        raise err("lists.apply", f"must be [\"all\"] or list keys from: {', '.join(LIST_KEYS)}")
    lists = LIST_KEYS if "all" in apply else tuple(k for k in LIST_KEYS if k in apply)
    out_dir = data.get("output", {}).get("dir", "outputs")
    if not isinstance(out_dir, str) or not out_dir:
        raise err("output.dir", "must be a folder path")
    return {"source": kind, "snapshot_paths": resolved, "lists": lists, "output_dir": out_dir,
            "fetch": _fetch_options(data.get("fetch", {}), err)}
