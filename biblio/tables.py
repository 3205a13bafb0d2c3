"""Raw OpenAlex works → polars tables with explicit schemas, columnar and batch by batch.

Fetching is separate from flattening: this module takes raw works (JSON lines, a polars frame
read from Parquet, or in-memory dicts; current or legacy funding schema) and returns five typed
tables. Only the fields biblio uses are read (:data:`RAW_SCHEMA`), and the work is done by
polars expressions (explode/unnest), not per-record Python. Nothing here talks to the network.

Example:
    >>> t = flatten([{"id": "https://openalex.org/W1", "title": "x", "publication_date": "2024-01-02",
    ...               "funders": [{"id": "https://openalex.org/F4320338279", "display_name": "AFOSR"}]}])
    >>> t.works["work_id"].to_list(), t.funders["agency"].to_list()
    (['W1'], ['AFOSR'])
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import polars as pl

from biblio.errors import InputFileError
from biblio.funders import FunderTable, load_funder_table

S = pl.Utf8
LS = pl.List(pl.Utf8)

SCHEMAS: dict[str, pl.Schema] = {
    "works": pl.Schema(
        {
            "work_id": S,
            "doi": S,
            "title": S,
            "publication_date": pl.Date,
            "year": pl.Int32,
            "type": S,
            "primary_topic": S,
            "primary_subfield": S,
            "primary_field": S,
            "primary_domain": S,
            "topics": LS,
            "keywords": LS,
            "cited_by_count": pl.Int64,
            "funding_schema": S,
            "is_synthetic": pl.Boolean,
        }
    ),
    "authorships": pl.Schema(
        {
            "work_id": S,
            "author_index": pl.Int32,
            "author_position": S,
            "author_id": S,
            "author_name": S,
            "orcid": S,
            "is_corresponding": pl.Boolean,
            "raw_affiliation_strings": LS,
            "countries": LS,
            "n_institutions": pl.Int32,
        }
    ),
    "authorship_institutions": pl.Schema(
        {
            "work_id": S,
            "author_index": pl.Int32,
            "author_id": S,
            "institution_id": S,
            "ror": S,
            "institution_name": S,
            "country_code": S,
            "institution_type": S,
            "lineage": LS,
            "raw_affiliation_strings": LS,
        }
    ),
    "funders": pl.Schema(
        {
            "work_id": S,
            "funder_id": S,
            "funder_name": S,
            "funder_ror": S,
            "schema": S,
            "is_dod": pl.Boolean,
            "agency": S,
            "agency_source": S,
        }
    ),
    "awards": pl.Schema(
        {
            "work_id": S,
            "award_id": S,
            "award_number": S,
            "funder_id": S,
            "funder_name": S,
            "award_doi": S,
            "schema": S,
            "is_dod": pl.Boolean,
            "agency": S,
            "agency_source": S,
        }
    ),
}
TABLE_NAMES: tuple[str, ...] = tuple(SCHEMAS)


@dataclass(frozen=True)
class WorksTables:
    """The five works tables. Build with :func:`flatten`; persist with :meth:`write`/:meth:`read`."""

    works: pl.DataFrame
    authorships: pl.DataFrame
    authorship_institutions: pl.DataFrame
    funders: pl.DataFrame
    awards: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in TABLE_NAMES}

    def write(self, directory: str | Path) -> list[Path]:
        """Write each table as ``<directory>/<name>.parquet``; returns the paths."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, df in self.frames().items():
            p = d / f"{name}.parquet"
            df.write_parquet(p)
            out.append(p)
        return out

    @classmethod
    def empty(cls) -> "WorksTables":
        """Five empty frames with their schemas."""
        return cls(**{n: pl.DataFrame(schema=s) for n, s in SCHEMAS.items()})

    @staticmethod
    def scan(directory: str | Path) -> dict[str, pl.LazyFrame]:
        """Lazy frames (``polars.scan_parquet``) over the tables in ``directory``, for large runs.

        Example:
            >>> WorksTables.scan("outputs/demo/RUN/tables")["authorships"].filter(pl.col("orcid").is_not_null()).collect()  # doctest: +SKIP
        """
        d = Path(directory)
        missing = [n for n in SCHEMAS if not (d / f"{n}.parquet").exists()]
        if missing:
            raise InputFileError(f"{d / (missing[0] + '.parquet')}: table missing; re-run `biblio run` to regenerate the run's tables")
        return {n: pl.scan_parquet(d / f"{n}.parquet") for n in SCHEMAS}

    @classmethod
    def read(cls, directory: str | Path) -> "WorksTables":
        """Read tables written by :meth:`write`, checking each against its schema."""
        d = Path(directory)
        frames: dict[str, pl.DataFrame] = {}
        for name, schema in SCHEMAS.items():
            p = d / f"{name}.parquet"
            if not p.exists():
                raise InputFileError(f"{p}: table missing; re-run `biblio run` to regenerate the run's tables")
            try:
                df = pl.read_parquet(p)
            except Exception as e:  # polars raises several error types for bad files
                raise InputFileError(f"{p}: not a readable Parquet file ({type(e).__name__}); re-run `biblio run`") from None
            if df.schema != schema:
                raise InputFileError(f"{p}: columns do not match the {name} schema; it was written by another biblio version, re-run `biblio run`")
            frames[name] = df
        return cls(**frames)



# ---------------------------------------------------------------------------------------------
# The raw fields biblio reads. Everything else in a 4 KB work is never materialised.
_DN = pl.Struct({"display_name": S})
_INST = pl.Struct({"id": S, "display_name": S, "ror": S, "country_code": S, "type": S, "lineage": LS})
_AFF = pl.Struct({"raw_affiliation_string": S, "institution_ids": LS})
_AUTHORSHIP = pl.Struct(
    {
        "author_position": S,
        "author": pl.Struct({"id": S, "display_name": S, "orcid": S}),
        "raw_author_name": S,
        "is_corresponding": pl.Boolean,
        "raw_affiliation_strings": LS,
        "countries": LS,
        "institutions": pl.List(_INST),
        "affiliations": pl.List(_AFF),
    }
)
RAW_SCHEMA: pl.Schema = pl.Schema(
    {
        "id": S,
        "doi": S,
        "title": S,
        "display_name": S,
        "publication_date": S,
        "publication_year": pl.Int64,
        "updated_date": S,
        "type": S,
        "cited_by_count": pl.Int64,
        "biblio_synthetic": pl.Boolean,
        "primary_topic": pl.Struct({"display_name": S, "subfield": _DN, "field": _DN, "domain": _DN}),
        "topics": pl.List(_DN),
        "keywords": pl.List(_DN),
        "authorships": pl.List(_AUTHORSHIP),
        "funders": pl.List(pl.Struct({"id": S, "display_name": S, "ror": S})),
        "awards": pl.List(pl.Struct({"id": S, "funder_award_id": S, "funder_id": S, "funder_display_name": S, "doi": S})),
        "grants": pl.List(pl.Struct({"funder": S, "funder_display_name": S, "award_id": S})),
    }
)
#: Internal bookkeeping columns a batch may carry through flatten (dropped from final tables).
KEEP_COLUMNS = ("_seq", "_upd")


def _arrow_type(t: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _arrow_type(f.type)) for f in t])
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return pa.list_(_arrow_type(t.value_type))
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    return t


@functools.lru_cache(maxsize=1)
def _arrow_parse_options() -> Any:
    import pyarrow as pa
    import pyarrow.json as pj

    schema = pl.DataFrame(schema=RAW_SCHEMA).to_arrow().schema
    explicit = pa.schema([pa.field(f.name, _arrow_type(f.type)) for f in schema])
    return pj.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="ignore")


def read_ndjson_arrow(data: bytes, *, block_size: int = 1 << 24, threads: bool = True) -> Any:
    """pyarrow's strict parse of JSON lines into an Arrow table of :data:`RAW_SCHEMA`, or None
    when it refuses them (invalid JSON, a wrongly typed value, a key given twice, a lone
    surrogate escape, an integer beyond int64, a line longer than ``block_size``). Blocks of
    text are parsed in parallel on Arrow's thread pool, or on this thread without ``threads``.

    Example:
        >>> read_ndjson_arrow(b'{"id": "W1", "title": 5}') is None
        True
    """
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        return pj.read_json(pa.BufferReader(data), parse_options=_arrow_parse_options(), read_options=pj.ReadOptions(block_size=block_size, use_threads=threads))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def raw_from_arrow(table: Any) -> pl.DataFrame | None:
    """A frame of :data:`RAW_SCHEMA` from a :func:`read_ndjson_arrow` table (None if Arrow refuses it)."""
    import pyarrow as pa

    try:
        return pl.from_arrow(table).cast(dict(RAW_SCHEMA))  # type: ignore[union-attr]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def read_ndjson_bytes(data: bytes) -> pl.DataFrame:
    """Parse JSON lines into a frame of :data:`RAW_SCHEMA`, reading only those fields.

    pyarrow's JSON reader with an explicit schema does the work; a batch with a wrongly typed
    value falls back to polars, which turns such values into nulls. Invalid JSON raises
    ``ValueError`` (callers name the file and line).

    Example:
        >>> read_ndjson_bytes(b'{"id": "https://openalex.org/W1", "x": 1}').select("id").item()
        'https://openalex.org/W1'
    """
    if not data.strip():
        return pl.DataFrame(schema=RAW_SCHEMA)
    table = read_ndjson_arrow(data)
    df = raw_from_arrow(table) if table is not None else None
    if df is not None:
        return df
    try:
        return pl.read_ndjson(io.BytesIO(data), schema=RAW_SCHEMA, ignore_errors=True)
    except pl.exceptions.ComputeError as e:
        raise ValueError(str(e).splitlines()[0]) from None


def _finite(v: Any) -> Any:
    """NaN/Infinity (which JSON cannot carry) become null, recursively."""
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_finite(x) for x in v]
    return v


def _dumps(r: dict[str, Any]) -> str:
    try:
        return json.dumps(r, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(r), ensure_ascii=False, default=str)


def raw_frame(records: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """In-memory records (dicts) → a :data:`RAW_SCHEMA` frame (the small-input path)."""
    lines = [_dumps(r) for r in records if isinstance(r, dict)]
    return read_ndjson_bytes("\n".join(lines).encode("utf-8", "replace"))  # a lone surrogate in a field biblio does not read


def flatten(records: Iterable[dict[str, Any]], *, funder_table: FunderTable | None = None) -> WorksTables:
    """Flatten raw OpenAlex work records (dicts) into :class:`WorksTables`.

    Handles the current funding schema (``funders[]``/``awards[]``, since Dec 2025) and the
    legacy one (``grants[]``); a record with both uses the current one. Records without an
    ``id`` are skipped (they cannot be joined); a repeated work ID keeps its first record.
    For large inputs use :func:`flatten_frame` on batches (see ``biblio.snapshot``).
    """
    return flatten_frame(raw_frame(records), funder_table=funder_table, dedup=True)


def _short(e: pl.Expr) -> pl.Expr:
    """Short OpenAlex ID (last path segment); null for empty."""
    s = e.str.strip_chars_end("/").str.replace(r"^.*/", "")
    return pl.when(s.str.len_bytes() > 0).then(s)


def _bare_ror(e: pl.Expr) -> pl.Expr:
    return _short(e).str.to_lowercase()


def _bare_doi(e: pl.Expr) -> pl.Expr:
    d = e.str.strip_chars().str.to_lowercase().str.replace(r"^(https://doi\.org/)?(http://doi\.org/)?(https://dx\.doi\.org/)?(doi:)?", "")
    return pl.when(d.str.len_bytes() > 0).then(d)


def _nonempty(e: pl.Expr) -> pl.Expr:
    """A list of strings without nulls and empty strings; null lists become []."""
    return e.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0)).fill_null(pl.lit([], dtype=LS))


def _names(col: str) -> pl.Expr:
    return _nonempty(pl.col(col).list.eval(pl.element().struct.field("display_name")))


def _is_synthetic() -> pl.Expr:
    title = pl.when(pl.col("title").str.len_bytes() > 0).then(pl.col("title")).otherwise(pl.col("display_name")).fill_null("")
    doi = pl.col("doi").fill_null("").str.to_lowercase()
    return (
        pl.col("biblio_synthetic").fill_null(False)
        | title.str.starts_with("[SYNTHETIC]")
        | doi.str.strip_prefix("https://doi.org/").str.starts_with("10.5555/")
    )


def _works(raw: pl.DataFrame, keep: list[str]) -> pl.DataFrame:
    pt = pl.col("primary_topic")
    pub = pl.col("publication_date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    nonempty = lambda c: pl.when(pl.col(c).list.len() > 0).then(True).otherwise(False)  # noqa: E731
    return raw.select(
        *keep,
        "work_id",
        _bare_doi(pl.col("doi")).alias("doi"),
        pl.when(pl.col("title").str.len_bytes() > 0).then(pl.col("title")).otherwise(pl.col("display_name")).alias("title"),
        pub.alias("publication_date"),
        pl.coalesce(pl.col("publication_year"), pub.dt.year()).cast(pl.Int32).alias("year"),
        "type",
        pt.struct.field("display_name").alias("primary_topic"),
        pt.struct.field("subfield").struct.field("display_name").alias("primary_subfield"),
        pt.struct.field("field").struct.field("display_name").alias("primary_field"),
        pt.struct.field("domain").struct.field("display_name").alias("primary_domain"),
        _names("topics").alias("topics"),
        _names("keywords").alias("keywords"),
        "cited_by_count",
        pl.when(nonempty("funders") | nonempty("awards")).then(pl.lit("current"))
        .when(nonempty("grants")).then(pl.lit("legacy")).otherwise(pl.lit("none")).alias("funding_schema"),
        _is_synthetic().alias("is_synthetic"),
    )


def _explode(raw: pl.DataFrame, col: str, keep: list[str], index: str = "_i") -> pl.DataFrame:
    """One row per element of list column ``col`` (its position in ``index``), fields unnested."""
    lst = pl.col(col).fill_null(pl.lit([], dtype=raw.schema[col]))
    df = raw.select(*keep, "_w", "work_id", lst, pl.int_ranges(0, lst.list.len()).alias(index))
    df = df.explode([col, index]).filter(pl.col(index).is_not_null() & pl.col(col).is_not_null())
    return df.unnest(col)


def _authorships(raw: pl.DataFrame, keep: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    a = _explode(raw, "authorships", keep, "author_index").with_columns(
        _nonempty(pl.col("raw_affiliation_strings")).alias("raw_affiliation_strings"),
        pl.col("institutions").list.eval(pl.element().filter(pl.element().is_not_null())).fill_null(pl.lit([], dtype=pl.List(_INST))),
    )
    au = a.select(
        *keep,
        "work_id",
        pl.col("author_index").cast(pl.Int32),
        "author_position",
        _short(pl.col("author").struct.field("id")).alias("author_id"),
        pl.when(pl.col("author").struct.field("display_name").str.len_bytes() > 0)
        .then(pl.col("author").struct.field("display_name")).otherwise(pl.col("raw_author_name")).alias("author_name"),
        _short(pl.col("author").struct.field("orcid")).alias("orcid"),
        "is_corresponding",
        "raw_affiliation_strings",
        _nonempty(pl.col("countries")).list.eval(pl.element().str.to_uppercase()).alias("countries"),
        pl.col("institutions").list.len().cast(pl.Int32).alias("n_institutions"),
    )
    return au, _institutions(a, keep)


def _institutions(a: pl.DataFrame, keep: list[str]) -> pl.DataFrame:
    key = ["_w", "author_index"]
    inst = (
        a.select(*keep, "_w", "work_id", "author_index", "author", "raw_affiliation_strings", "institutions", "affiliations",
                 pl.int_ranges(0, pl.col("institutions").list.len()).alias("_j"))
        .explode(["institutions", "_j"]).filter(pl.col("_j").is_not_null())
        .with_columns(pl.col("institutions").struct.field("id").pipe(_short).alias("institution_id"))
    )
    # affiliations[] link raw strings to institution ids: one list of strings per (authorship, institution)
    links = (
        a.select("_w", "author_index", "affiliations").explode("affiliations").unnest("affiliations")
        .filter(pl.col("raw_affiliation_string").str.len_bytes() > 0)
        .explode("institution_ids")
        .with_columns(_short(pl.col("institution_ids")).fill_null("").alias("_iid"))
        .group_by([*key, "_iid"], maintain_order=True).agg(pl.col("raw_affiliation_string").alias("_linked"))
    )
    has_affs = pl.col("affiliations").list.len().fill_null(0) > 0
    inst = inst.with_columns(pl.col("institution_id").fill_null("").alias("_iid")).join(links, on=[*key, "_iid"], how="left", maintain_order="left")
    i = pl.col("institutions")
    iid = pl.col("institution_id")
    lineage = _nonempty(i.struct.field("lineage").list.eval(pl.element().str.strip_chars_end("/").str.replace(r"^.*/", "")))
    return inst.select(
        *keep,
        "work_id",
        pl.col("author_index").cast(pl.Int32),
        _short(pl.col("author").struct.field("id")).alias("author_id"),
        "institution_id",
        _bare_ror(i.struct.field("ror")).alias("ror"),
        i.struct.field("display_name").alias("institution_name"),
        i.struct.field("country_code").str.to_uppercase().alias("country_code"),
        i.struct.field("type").alias("institution_type"),
        pl.when(iid.is_not_null() & ~lineage.list.contains(iid)).then(pl.concat_list([iid, lineage])).otherwise(lineage).alias("lineage"),
        pl.when(has_affs & pl.col("_linked").is_not_null()).then(pl.col("_linked")).otherwise(pl.col("raw_affiliation_strings")).alias("raw_affiliation_strings"),
    )


def _attribute(df: pl.DataFrame, ft: FunderTable, *, number: str | None) -> pl.DataFrame:
    """Add agency/agency_source (and is_dod) from the funder table, one lookup per distinct pair."""
    cols = ["funder_id"] + ([number] if number else [])
    pairs = df.select(cols).unique(maintain_order=True)
    rows = [(*k, *ft.attribute(k[0], k[1] if number else None)) for k in pairs.iter_rows()]
    look = pl.DataFrame(rows, schema={**{c: S for c in cols}, "agency": S, "agency_source": S}, orient="row")
    out = df.join(look, on=cols, how="left", maintain_order="left", nulls_equal=True)
    if number:
        return out.with_columns(pl.col("agency").is_not_null().alias("is_dod"))
    dod = [r.funder_id for r in ft.rows]
    return out.with_columns(pl.col("funder_id").fill_null("").str.to_uppercase().is_in(dod).alias("is_dod"))


def _funding(raw: pl.DataFrame, works: pl.DataFrame, keep: list[str], ft: FunderTable) -> tuple[pl.DataFrame, pl.DataFrame]:
    schema = works.select(pl.col("funding_schema").alias("schema"))
    r = pl.concat([raw, schema], how="horizontal")
    cur, leg = r.filter(pl.col("schema") == "current"), r.filter(pl.col("schema") == "legacy")
    f_cur = _explode(cur, "funders", [*keep, "schema"]).select(
        *keep, "_w", "_i", "work_id", _short(pl.col("id")).alias("funder_id"), pl.col("display_name").alias("funder_name"),
        _bare_ror(pl.col("ror")).alias("funder_ror"), "schema")
    a_cur = _explode(cur, "awards", [*keep, "schema"]).select(
        *keep, "_w", "_i", "work_id", _short(pl.col("id")).alias("award_id"), pl.col("funder_award_id").alias("award_number"),
        _short(pl.col("funder_id")).alias("funder_id"), pl.col("funder_display_name").alias("funder_name"),
        _bare_doi(pl.col("doi")).alias("award_doi"), "schema")
    g = _explode(leg, "grants", [*keep, "schema"]).with_columns(_short(pl.col("funder")).alias("funder_id"))
    f_leg = g.filter(pl.col("funder_id").is_not_null()).unique(["_w", "funder_id"], keep="first", maintain_order=True).select(
        *keep, "_w", "_i", "work_id", "funder_id", pl.col("funder_display_name").alias("funder_name"), pl.lit(None, S).alias("funder_ror"), "schema")
    a_leg = g.filter(pl.col("award_id").str.len_bytes() > 0).select(
        *keep, "_w", "_i", "work_id", pl.lit(None, S).alias("award_id"), pl.col("award_id").alias("award_number"), "funder_id",
        pl.col("funder_display_name").alias("funder_name"), pl.lit(None, S).alias("award_doi"), "schema")
    fu = pl.concat([f_cur, f_leg], how="vertical_relaxed").sort("_w", "_i", maintain_order=True)
    aw = pl.concat([a_cur, a_leg], how="vertical_relaxed").sort("_w", "_i", maintain_order=True)
    fu = _attribute(fu, ft, number=None)
    aw = _attribute(aw, ft, number="award_number")
    return fu, aw


def flatten_frame(raw: pl.DataFrame, *, funder_table: FunderTable | None = None, dedup: bool = False) -> WorksTables:
    """Flatten a :data:`RAW_SCHEMA` frame (one row per work) into :class:`WorksTables`.

    Rows without an ``id`` are dropped. ``dedup`` keeps the first row of a repeated work ID.
    Columns in :data:`KEEP_COLUMNS` present in ``raw`` are carried, first, into every table
    (the snapshot scan uses them to keep the newest copy of a work).

    Example:
        >>> t = flatten_frame(read_ndjson_bytes(b'{"id": "https://openalex.org/W7", "publication_date": "2024-01-02"}'))
        >>> t.works.select("work_id", "year").row(0)
        ('W7', 2024)
    """
    ft = funder_table or load_funder_table()
    keep = [c for c in KEEP_COLUMNS if c in raw.columns]
    raw = raw.with_columns(_short(pl.col("id")).alias("work_id")).filter(pl.col("work_id").is_not_null())
    if dedup:
        raw = raw.unique("work_id", keep="first", maintain_order=True)
    raw = raw.with_row_index("_w")
    works = _works(raw, keep)
    au, ai = _authorships(raw, keep)
    fu, aw = _funding(raw, works, keep, ft)

    def fit(df: pl.DataFrame, name: str) -> pl.DataFrame:
        return df.select(*keep, *[pl.col(c).cast(t) for c, t in SCHEMAS[name].items()])

    return WorksTables(works=fit(works, "works"), authorships=fit(au, "authorships"), authorship_institutions=fit(ai, "authorship_institutions"),
                       funders=fit(fu, "funders"), awards=fit(aw, "awards"))
