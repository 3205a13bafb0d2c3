"""The snapshot source: the OpenAlex snapshot as published, with the live query's filter semantics.

Reads the published layout ``data/works/updated_date=YYYY-MM-DD/part_NNN.gz`` (gzipped JSON
lines), its Parquet copy (``part_NNN.parquet``), a ``manifest`` listing partitions, and loose
``.json`` (an API list response ``{"meta", "results"}``, a JSON array, or one work) and
``.jsonl`` files. Partitions are streamed in bounded batches (:func:`scan_partition`): a
bytes-level pre-filter drops lines that cannot match before any JSON is parsed, only the
fields biblio uses are parsed, and the full filter runs on the parsed batch. A work that
appears in several ``updated_date`` partitions keeps its **newest** copy (:func:`winners`).
A work matches when, as with the live filter
``funders.id:…,authorships.institutions.country_code:…,from/to_publication_date``:
one of its funder IDs (``funders[].id``, ``awards[].funder_id`` or legacy
``grants[].funder``) is in the query, some authorship institution's country is in scope,
and its publication date is inside the window (inclusive).

Example:
    >>> from biblio.query import load_query
    >>> r = fetch_snapshot(load_query("queries/demo.toml"))    # doctest: +SKIP
    >>> r.source, r.n_synthetic > 0                            # doctest: +SKIP
    ('snapshot', True)
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import polars as pl

from biblio.errors import InputFileError, RecordError, one_line, printable, show
from biblio.fetchresult import FetchResult, is_synthetic_record
from biblio.query import Query
from biblio.records import columnar_suspects, may_hold_surrogates, record_problem, utf8_problem
from biblio.tables import RAW_SCHEMA, SCHEMAS, flatten_frame, raw_frame, raw_from_arrow, read_ndjson_arrow, read_ndjson_bytes

SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz", ".gz", ".parquet")


def _short(x: Any) -> str:
    return x.rstrip("/").rsplit("/", 1)[-1].upper() if isinstance(x, str) and x else ""


def work_funder_ids(work: dict[str, Any]) -> set[str]:
    """All funder IDs a work names, in either funding schema (short, upper-case)."""
    ids = {_short(f.get("id")) for f in work.get("funders") or [] if isinstance(f, dict)}
    ids |= {_short(a.get("funder_id")) for a in work.get("awards") or [] if isinstance(a, dict)}
    ids |= {_short(g.get("funder")) for g in work.get("grants") or [] if isinstance(g, dict)}
    ids.discard("")
    return ids


def matches_query(work: dict[str, Any], query: Query) -> bool:
    """True when ``work`` passes the query's funder, country and date filters."""
    date = (work.get("publication_date") or "")[:10]
    if not date or not (query.date_from.isoformat() <= date <= query.date_to.isoformat()):
        return False
    if not work_funder_ids(work) & set(query.funder_ids):
        return False
    codes = set(query.country_codes)
    for a in work.get("authorships") or []:
        for inst in a.get("institutions") or []:
            cc = inst.get("country_code") if isinstance(inst, dict) else None
            if isinstance(cc, str) and cc.upper() in codes:
                return True
    return False


def snapshot_files(paths: list[Path]) -> list[Path]:
    """The OpenAlex-format files under ``paths`` (folders searched recursively), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith(SUFFIXES)))
        elif p.is_file():
            out.append(p)
        else:
            raise InputFileError(f"{printable(p, 200)} does not exist; fix the path (relative paths are relative to the query file)")
    return out


def read_records(path: Path, *, stats: dict[str, int] | None = None, bad_line: Callable[[int, str], None] | None = None) -> Iterator[dict[str, Any]]:
    """Yield the work records in one file; a malformed file raises a one-line InputFileError.

    JSON values that are not objects are skipped and counted in ``stats["not_objects"]``.
    With ``bad_line``, a JSON-lines line that is not valid UTF-8 is passed to it as (line
    number, problem) and skipped; without it the file is refused.
    """
    stats = stats if stats is not None else {}
    new, errors = _opener(path)
    name = path.name.removesuffix(".gz")
    try:
        with new(path) as fh:
            data = fh.read()
    except (OSError, EOFError, *errors) as e:  # a corrupt deflate stream raises the inflater's own error
        raise InputFileError(f"{path}: cannot read ({e}); check the file is complete") from None
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    start = text.lstrip() if text is not None else data.lstrip().decode("utf-8", "replace")
    lines_file = name.endswith(".jsonl") or (not name.endswith(".json") and not start.startswith(("[", '{"meta"')))
    if text is None and (bad_line is None or not lines_file):
        raise InputFileError(f"{path}: not UTF-8; OpenAlex files are UTF-8 JSON")
    if lines_file:
        for n, line in enumerate(io.StringIO(text) if text is not None else io.BytesIO(data), start=1):
            if not line.strip():
                continue
            if isinstance(line, bytes) and bad_line is not None and (p := utf8_problem(line)):
                bad_line(n, p)
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputFileError(f"{path}: line {n}: not valid JSON ({e.msg}); fix or remove that line") from None
            except (RecursionError, ValueError) as e:
                raise InputFileError(f"{path}: line {n}: cannot be read ({_why(e)}); fix or remove that line") from None
            if isinstance(rec, dict):
                yield rec
            else:
                stats["not_objects"] = stats.get("not_objects", 0) + 1
        return
    try:
        doc = json.loads(text)  # type: ignore[arg-type]
    except json.JSONDecodeError as e:
        raise InputFileError(f"{path}: not valid JSON at line {e.lineno} ({e.msg}); the file may be truncated") from None
    except (RecursionError, ValueError) as e:
        raise InputFileError(f"{path}: cannot be read ({_why(e)}); fix the file") from None
    items = doc["results"] if isinstance(doc, dict) and isinstance(doc.get("results"), list) else doc if isinstance(doc, list) else None
    if items is not None:
        for r in items:
            if isinstance(r, dict):
                yield r
            else:
                stats["not_objects"] = stats.get("not_objects", 0) + 1
    elif isinstance(doc, dict) and "id" in doc:
        yield doc
    else:
        raise InputFileError(f"{path}: not an OpenAlex works file (no 'results' list, array or work object)")


def _why(e: BaseException) -> str:
    return "nested too deeply" if isinstance(e, RecursionError) else printable(e, 120)


_STRICT_FIX = "fix the record, or leave strict mode (--strict, [source] strict) off to skip and count bad records"


class Skips:
    """Malformed records and non-object JSON values skipped while reading, with a few examples."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.records = 0
        self.stats: dict[str, int] = {}
        self.examples: list[str] = []

    def ok(self, rec: Any, where: str) -> bool:
        """True if ``rec`` is usable; else count it (or raise in strict mode)."""
        problem = record_problem(rec)
        if problem is None:
            return True
        rid = rec.get("id") if isinstance(rec, dict) else None
        self.bad(f"{where} ({show(rid, 40)})" if isinstance(rid, str) and rid else where, problem)
        return False

    def bad(self, where: str, problem: str) -> None:
        """Count a bad record at ``where`` with its ``problem`` (strict mode raises RecordError)."""
        if self.strict:
            raise RecordError(f"{where}: {problem}; {_STRICT_FIX}")
        self.records += 1
        if len(self.examples) < 3:
            self.examples.append(f"{where}: {problem}")

    def add(self, records: int, not_objects: int, examples: list[str]) -> None:
        self.records += records
        self.stats["not_objects"] = self.stats.get("not_objects", 0) + not_objects
        self.examples.extend(examples[: 3 - len(self.examples)])

    def warnings(self, usable: int) -> list[str]:
        out = []
        if self.records:
            out.append(f"{self.records} malformed records skipped (not the OpenAlex schema biblio reads), e.g. {'; '.join(self.examples)}; set [source] strict = true to stop instead")
        n = self.stats.get("not_objects", 0)
        if n:
            out.append(f"{n} JSON values that are not objects (not work records) skipped")
        if usable == 0 and (self.records or n):
            out.append("no usable record was read from the snapshot files; check source.paths points at OpenAlex works files")
        return [one_line(w, 600) for w in out]


def fetch_snapshot(query: Query, *, progress: bool = False) -> FetchResult:
    """Apply the query to small local OpenAlex-format files, holding the matching records.

    The in-memory path for notebooks and tests; ``biblio run`` streams with :func:`scan_snapshot`.
    A work found in several files keeps its newest copy (``updated_date`` partition, then the
    record's ``updated_date``).
    """
    try:
        files = [f for f in snapshot_files(query.resolve_snapshot_paths()) if not f.name.endswith(".parquet")]
    except InputFileError as e:
        raise InputFileError(f"{query.path}: source.paths: {e}") from None
    skips = Skips(strict=query.strict)
    judge = None
    if query.judged_locally:  # Crossref entries, award prefixes, names, raw strings: biblio.evidence
        from biblio.evidence import WorkJudge

        judge = WorkJudge.for_query(query)
    kept: dict[str, dict[str, Any]] = {}
    kept_from: dict[str, Path] = {}
    scanned = duplicates = 0
    newest_scanned = newest_matched = ""
    for f in files:
        for n, rec in enumerate(read_records(f, stats=skips.stats, bad_line=lambda k, p, f=f: skips.bad(f"{f}: line {k}", p)), start=1):
            if not skips.ok(rec, f"{f}: record {n}"):
                continue
            scanned += 1
            upd = str(rec.get("updated_date") or "")[:10]
            newest_scanned = max(newest_scanned, upd)
            if not (judge.matches(rec) if judge is not None else matches_query(rec, query)):
                continue
            wid = _short(rec["id"])
            if wid in kept:
                duplicates += 1
                if (_partition_date(f), upd) < (_partition_date(kept_from[wid]), str(kept[wid].get("updated_date") or "")[:10]):
                    continue  # the kept copy is newer: the newest copy wins
            kept[wid] = rec
            kept_from[wid] = f
            newest_matched = max(newest_matched, upd)
    records = list(kept.values())
    n_syn = sum(is_synthetic_record(r) for r in records)
    notes = [f"scanned {scanned} records in {len(files)} files; {len(records)} matched the query; {n_syn} of them synthetic"]
    if duplicates:
        notes.append(f"{duplicates} duplicate records (same work ID) dropped; the newest copy of each work kept")
    if records and n_syn == len(records):
        notes.append("every matching record is SYNTHETIC: no real record in this snapshot passes the DoD x PRC filter")
    return FetchResult(
        records=records,
        source="snapshot",
        complete=True,
        meta_count=scanned,
        pages=len(files),
        requests=0,
        data_date=newest_matched or newest_scanned,
        n_synthetic=n_syn,
        cache_dir=None,
        notes=notes,
        skipped_records=skips.records,
        skipped_lines=skips.stats.get("not_objects", 0),
        warnings=skips.warnings(scanned),
    )


# ---------------------------------------------------------------------------------------------
# Streaming scan of the published snapshot

_PARTITION_DATE = re.compile(r"updated_date=(\d{4}-\d{2}-\d{2})")


def _partition_date(path: str | Path) -> str:
    m = _PARTITION_DATE.search(str(path).replace("\\", "/"))
    return m.group(1) if m else ""


@dataclass(frozen=True)
class Partition:
    """One snapshot file. ``index`` orders partitions oldest first (``updated_date``, then path)."""

    path: str
    index: int
    updated_date: str = ""
    fmt: str = "jsonl"  # 'jsonl' | 'json' | 'parquet'
    records: int | None = None  # record count from the manifest, when listed there
    size: int = 0


def _fmt(path: Path) -> str:
    name = path.name.removesuffix(".gz")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".json"):
        return "json"
    return "jsonl"


def read_manifest(path: Path) -> list[tuple[Path, int | None]]:
    """Partitions listed in an OpenAlex ``manifest`` (``{"entries": [{"url", "meta": {"record_count"}}]}``).

    ``s3://openalex/data/works/…`` URLs (and relative paths) resolve against the manifest's folder.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        entries = doc["entries"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise InputFileError(f"{path}: not an OpenAlex manifest ({type(e).__name__}); expected JSON with an 'entries' list of {{url, meta}}") from None
    out: list[tuple[Path, int | None]] = []
    for e in entries:
        url = str((e or {}).get("url") or "")
        m = re.search(r"(updated_date=[^/]+/[^/]+)$", url)
        rel = m.group(1) if m else url.rsplit("/", 1)[-1]
        f = path.parent / rel
        if not f.is_file():
            raise InputFileError(f"{path}: lists {url} but {f} is missing; sync the snapshot again (aws s3 sync --no-sign-request s3://openalex/data/works …)")
        count = ((e or {}).get("meta") or {}).get("record_count")
        out.append((f, count if isinstance(count, int) else None))
    return out


def list_partitions(paths: list[Path]) -> list[Partition]:
    """The snapshot files under ``paths``, oldest ``updated_date`` first.

    A folder holding a ``manifest`` file reads the partitions it lists; other folders are
    searched recursively for ``.gz``/``.jsonl``/``.json``/``.parquet`` files.
    """
    found: list[tuple[Path, int | None]] = []
    for p in paths:
        man = p / "manifest" if p.is_dir() else (p if p.name in ("manifest", "manifest.json") else None)
        if man is not None and man.is_file():
            found.extend(read_manifest(man))
        else:
            found.extend((f, None) for f in snapshot_files([p]))
    uniq = {str(f): (f, n) for f, n in found}
    ordered = sorted(uniq.values(), key=lambda fn: (_partition_date(fn[0]), str(fn[0])))
    return [Partition(path=str(f), index=i, updated_date=_partition_date(f), fmt=_fmt(f), records=n, size=f.stat().st_size)
            for i, (f, n) in enumerate(ordered)]


@dataclass(frozen=True)
class ScanSpec:
    """What a partition scan keeps: the query's funder IDs, PRC country codes and date window."""

    funder_ids: tuple[str, ...]
    country_codes: tuple[str, ...]
    date_from: str
    date_to: str
    batch_size: int = 10_000
    judged: Query | None = None  # a query whose scope biblio.evidence decides, work by work
    strict: bool = False  # stop at a malformed record instead of skipping and counting it
    parse_threads: bool = True  # Arrow parses a block on its thread pool (off when partitions are scanned side by side)

    @classmethod
    def from_query(cls, query: Query, *, batch_size: int = 10_000, parse_threads: bool = True) -> "ScanSpec":
        judged = query if getattr(query, "judged_locally", False) else None
        return cls(tuple(sorted(query.funder_ids)), tuple(query.country_codes), query.date_from.isoformat(), query.date_to.isoformat(),
                   batch_size, judged, bool(getattr(query, "strict", False)), parse_threads)

    def _tokens(self) -> tuple[re.Pattern[bytes], tuple[bytes, ...]]:
        # funder IDs by their digits (case-proof, still selective), common prefix factored out for speed
        ids = sorted({f.lstrip("Ff") for f in self.funder_ids})
        pre = os.path.commonprefix(ids) if ids else ""
        alt = b"|".join(re.escape(i[len(pre):].encode()) for i in ids)
        fid = re.compile(re.escape(pre.encode()) + b"(?:" + alt + b")" if ids else b"(?!)")
        ccs = tuple(f'"{c}"'.encode() for c in self.country_codes) + tuple(f'"{c.lower()}"'.encode() for c in self.country_codes)
        return fid, ccs

    def prefilter(self) -> Callable[[bytes], bool]:
        """A bytes-level test that every matching JSON line passes (most others fail it)."""
        fid, ccs = self._tokens()
        return lambda line: fid.search(line) is not None and self._rest_passes(line, ccs)

    def _rest_passes(self, line: bytes, ccs: tuple[bytes, ...]) -> bool:
        """The tests a line with a funder ID must also pass: a country code token, a date not outside the window."""
        return any(c in line for c in ccs) and not self.dated_outside(line)

    def dated_outside(self, line: bytes) -> bool:
        """True when the line's one ``"publication_date": "YYYY-MM-DD…"`` lies outside the window
        (the full filter compares the same ten characters); False when unsure (no such key,
        another form, or the key twice), so the parser decides. Out-of-window works are most
        of the funder- and country-matching lines of a real snapshot: they are never parsed.

        Example:
            >>> spec = ScanSpec(("F1",), ("CN",), "2024-01-01", "2024-12-31")
            >>> spec.dated_outside(b'{"publication_date": "2019-05-01"}'), spec.dated_outside(b'{"publication_date": "2024-05-01"}')
            (True, False)
        """
        m = _PUB_DATE.search(line)
        if m is None or _PUB_DATE.search(line, m.end()) is not None:
            return False
        d = m.group(1).decode("ascii")
        return d < self.date_from or d > self.date_to

    def block_candidates(self, block: bytes) -> list[tuple[int, bytes]]:
        """(line index, line) of the lines in ``block`` that pass :meth:`prefilter`, found without
        splitting the block: search for the funder IDs, then check that line for a country code."""
        return self.counted_candidates(block)[0]

    def counted_candidates(self, block: bytes) -> tuple[list[tuple[int, bytes]], int]:
        """:meth:`block_candidates` and the number of lines in ``block`` (its newlines).

        The lines are cut and searched for funder IDs by numpy and Arrow (RE2), which release the
        GIL, so the local engine's scan threads run this side by side; only the few lines with a
        funder ID are checked in Python (country code, date). :meth:`_counted_candidates_re` is
        the same in Python's ``re``, used where RE2 cannot take the pattern.

        Example:
            >>> spec = ScanSpec(("F4320338279",), ("CN",), "2024-01-01", "2024-12-31")
            >>> spec.counted_candidates(b'{"a": 1}\\n{"f": "F4320338279", "c": "CN"}\\n')
            ([(1, b'{"f": "F4320338279", "c": "CN"}')], 2)
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        fid, ccs = self._tokens()
        if not self.funder_ids:
            return [], block.count(b"\n")
        nl = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)  # the newlines' positions
        tail = bool(block) and block[-1:] != b"\n"  # an unterminated last line is searched too, not counted
        offs = np.empty(len(nl) + 1 + tail, np.int64)
        offs[0], offs[1 : len(nl) + 1] = 0, nl + 1
        if tail:
            offs[-1] = len(block)
        lines = pa.Array.from_buffers(pa.large_binary(), len(offs) - 1, [None, pa.py_buffer(offs), pa.py_buffer(block)])
        try:
            hit = pc.match_substring_regex(lines, fid.pattern.decode("ascii"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            return self._counted_candidates_re(block)
        out: list[tuple[int, bytes]] = []
        n = len(nl)
        for i in pc.indices_nonzero(hit).to_pylist():
            line = block[offs[i] : offs[i + 1] - (i < n)]  # without its newline
            if self._rest_passes(line, ccs):
                out.append((i, line))
        return out, n

    def _counted_candidates_re(self, block: bytes) -> tuple[list[tuple[int, bytes]], int]:
        """:meth:`counted_candidates` in Python's ``re``, counting lines in the same pass."""
        fid, ccs = self._tokens()
        out: list[tuple[int, bytes]] = []
        pos, line_no, size = 0, 0, len(block)
        m = fid.search(block)
        while m is not None:
            start = block.rfind(b"\n", 0, m.start()) + 1
            end = block.find(b"\n", m.end())
            end = size if end < 0 else end
            line = block[start:end]
            if self._rest_passes(line, ccs):
                line_no += block.count(b"\n", pos, start)
                pos = start
                out.append((line_no, line))
            m = fid.search(block, end + 1)  # the next line with a funder ID
        return out, line_no + block.count(b"\n", pos)

    def match_expr(self) -> pl.Expr:
        """The full filter on a :data:`~biblio.tables.RAW_SCHEMA` frame (same rule as :func:`matches_query`)."""
        fids, ccs = list(self.funder_ids), list(self.country_codes)

        def any_id(col: str, fld: str) -> pl.Expr:
            e = pl.element().struct.field(fld).str.strip_chars_end("/").str.replace(r"^.*/", "").str.to_uppercase()
            return pl.col(col).list.eval(e.is_in(fids)).list.any().fill_null(False)

        inst_cc = pl.element().struct.field("institutions").list.eval(pl.element().struct.field("country_code").str.to_uppercase().is_in(ccs)).list.any()
        in_country = pl.col("authorships").list.eval(inst_cc.fill_null(False)).list.any().fill_null(False)
        date = pl.col("publication_date").str.slice(0, 10)
        in_window = ((date >= self.date_from) & (date <= self.date_to)).fill_null(False)
        return in_window & (any_id("funders", "id") | any_id("awards", "funder_id") | any_id("grants", "funder")) & in_country


#: A work's ``publication_date`` key and the date it starts with (not matched where the key is escaped inside a string).
_PUB_DATE = re.compile(rb'"publication_date"\s*:\s*"(\d{4}-\d{2}-\d{2})')


@dataclass
class PartitionResult:
    """What one partition scan produced: counts, and (when not written to disk) its batches."""

    index: int
    scanned: int = 0
    candidates: int = 0
    matched: int = 0
    newest: str = ""
    batches: list[dict[str, pl.DataFrame]] = field(default_factory=list)
    seconds: float = 0.0
    skipped_records: int = 0
    skipped_lines: int = 0
    examples: list[str] = field(default_factory=list)


def _opener(path: Path) -> tuple[Callable[[Path], Any], tuple[type[BaseException], ...]]:
    """How to open ``path`` as a binary stream of its text, and the errors a corrupt file raises:
    ISA-L's gzip reader (``isal``, ~4x zlib's speed on x86_64 and aarch64; multi-member, CRC
    checked) for ``.gz`` when installed, else the standard library's; ``open`` for a plain file.

    Example:
        >>> _opener(Path("part_000.gz"))[0].__module__ in ("isal.igzip", "gzip")
        True
    """
    if not path.name.endswith(".gz"):
        return (lambda p: open(p, "rb")), ()
    try:
        from isal import igzip, isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheel
        return (lambda p: gzip.open(p, "rb")), (zlib.error,)
    return igzip.open, (zlib.error, isal_zlib.error)


def _blocks(path: Path, chunk: int = 1 << 23) -> Iterator[bytearray]:
    """Blocks of whole lines of a (gzipped, possibly multi-member) JSON-lines file, each about
    ``chunk`` bytes of text (more when one line is longer); the last line gets a newline if it
    lacks one.

    Each block is read straight into a new buffer (``readinto``): the decompressor fills it in
    C, without this process's lock. Joining slices into blocks instead (the copy, and one lock
    hand-over per slice) left a core idle: with a Python thread beside it, a 220 MB partition
    took 11.9 s in 64 KiB slices against 0.8 s this way (0.25 s each alone).
    """
    new, errors = _opener(path)
    try:
        with new(path) as f:
            rest = b""
            while True:
                buf = bytearray(max(chunk, 2 * len(rest)))
                buf[: len(rest)] = rest
                end = len(rest) + f.readinto(memoryview(buf)[len(rest) :])
                if end == len(rest):
                    break
                cut = buf.rfind(b"\n", 0, end) + 1
                rest = bytes(buf[cut:end]) if cut else bytes(buf[:end])  # no newline yet: a longer line, read on
                if cut:
                    del buf[cut:]
                    yield buf
            if rest.strip():
                yield bytearray(rest + b"\n")
    except (OSError, EOFError, *errors) as e:
        raise InputFileError(f"{path}: cannot read ({e}); check the file is complete (re-download the partition)") from None


def _check_block(path: Path, first: int, block: bytes, spec: "ScanSpec | None" = None, res: "PartitionResult | None" = None) -> int:
    """Number of records in a block; a line that is not one JSON object raises a one-line error.

    Gzipped partitions are protected by gzip's CRC (a truncated or corrupt one fails in
    :func:`_blocks`), so only plain files get the structural check; candidate lines are parsed
    as JSON in every case.
    """
    nl = block.count(b"\n")
    if path.name.endswith(".gz"):
        return nl
    starts = block.count(b"\n{") + (block[:1] == b"{")
    if starts == nl and block.count(b"}\n") == nl:
        return nl
    n = 0
    for i, ln in enumerate(block.split(b"\n")[:-1]):
        t = ln.strip()
        if not t:
            continue
        if not (t.startswith(b"{") and t.endswith(b"}")):
            if _not_object(path, first + i, t, spec, res):
                continue
            raise InputFileError(f"{path}: line {first + i}: not valid JSON (not one JSON object per line); fix or remove that line")
        n += 1
    return n


def _not_object(path: Path, n: int, line: bytes, spec: "ScanSpec | None", res: "PartitionResult | None") -> bool:
    """True (and counted) when ``line`` is valid JSON but not an object; strict mode raises."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    if isinstance(value, dict):
        return False
    if spec is not None and spec.strict:
        raise RecordError(f"{path}: line {n}: a JSON {type(value).__name__}, not a work object; remove that line, or leave strict mode off to skip and count such lines")
    if res is not None:
        res.skipped_lines += 1
    return True


def _usable(path: Path, n: int, line: bytes, spec: "ScanSpec", res: "PartitionResult") -> bool:
    """Check one candidate line against the schema biblio reads; count (or raise on) a bad record."""
    try:
        rec = json.loads(line)
    except UnicodeDecodeError:
        problem = utf8_problem(line)
        return problem is None or _bad_record(f"{path}: line {n}", problem, spec, res)  # else the parser names it
    except (ValueError, RecursionError):
        return True  # the parser names the line
    if not isinstance(rec, dict):
        return not _not_object(path, n, line, spec, res if path.name.endswith(".gz") else None)
    problem = record_problem(rec, surrogates=may_hold_surrogates(line))
    if problem is None:
        return True
    rid = rec.get("id")
    return _bad_record(f"{path}: line {n}" + (f" ({show(rid, 40)})" if isinstance(rid, str) and rid else ""), problem, spec, res)


def _bad_record(where: str, problem: str, spec: "ScanSpec", res: "PartitionResult") -> bool:
    """Count a bad record and an example (False, so callers drop it); strict mode raises RecordError."""
    if spec.strict:
        raise RecordError(f"{where}: {problem}; {_STRICT_FIX}")
    res.skipped_records += 1
    if len(res.examples) < 3:
        res.examples.append(f"{where}: {problem}")
    return False


def _parse(path: Path, lines: list[bytes], numbers: list[int]) -> pl.DataFrame:
    """Parse candidate lines; on invalid JSON name the file and line."""
    try:
        return read_ndjson_bytes(b"\n".join(lines))
    except ValueError:
        for ln, n in zip(lines, numbers):
            try:
                json.loads(ln)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                msg = getattr(e, "msg", "not UTF-8")
                raise InputFileError(f"{path}: line {n}: not valid JSON ({msg}); fix or remove that line") from None
        raise InputFileError(f"{path}: lines {numbers[0]}-{numbers[-1]}: not OpenAlex works JSON; check the file") from None


def _judged_candidates(spec: ScanSpec) -> Callable[[bytes], tuple[list[tuple[int, bytes]], int]]:
    """Per-record test for queries judged by :mod:`biblio.evidence` (names, Crossref, raw strings).

    A bad record is a candidate (:func:`_vet` counts it). The schema check is made columnar
    for the whole block first (:func:`_vouched`); only the rows it cannot vouch for get
    :func:`~biblio.records.record_problem` before the judge sees them.
    """
    from biblio.evidence import WorkJudge

    judge = WorkJudge.for_query(spec.judged)  # type: ignore[arg-type]

    def ok(line: bytes, vouched: bool) -> bool:
        if not line.strip():
            return False
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return True  # let the parser name the line
        if not vouched and record_problem(rec, surrogates=may_hold_surrogates(line)) is not None:
            return True  # counted (or refused in strict mode) as a candidate
        return judge.matches(rec)

    def select(block: bytes) -> tuple[list[tuple[int, bytes]], int]:
        lines = block.split(b"\n")
        body = [k for k, ln in enumerate(lines) if ln.strip()]
        good = _vouched([lines[k] for k in body], threads=spec.parse_threads)
        return [(k, lines[k]) for j, k in enumerate(body) if ok(lines[k], j in good)], len(lines) - 1

    return select


def _vouched(lines: list[bytes], *, threads: bool = True) -> set[int]:
    """Indexes of ``lines`` whose records the strict parse and the columnar checks find usable."""
    table = _strict_parse(lines, threads=threads)
    return set(range(len(lines))) - set(columnar_suspects(table, lines)) if table is not None else set()


def _strict_parse(lines: list[bytes], *, threads: bool = True) -> Any:
    """Arrow's strict parse of ``lines``, one row each, or None.

    Text blocks of 4 MB (two or more per scan block, parsed in parallel on Arrow's pool with
    ``threads``, else one after another on this thread), or as long as the longest line up to
    the 16 MB :func:`~biblio.tables.read_ndjson_bytes` allows.
    """
    if not lines or not all(ln[:1] == b"{" for ln in lines):
        return None
    table = read_ndjson_arrow(b"\n".join(lines), block_size=min(1 << 24, max(1 << 22, max(map(len, lines)) + 2)), threads=threads)
    return table if table is not None and table.num_rows == len(lines) else None


def _vet(path: Path, first: int, cands: list[tuple[int, bytes]], spec: ScanSpec, res: PartitionResult, *, leaf: int = 16) -> tuple[list[tuple[int, bytes]], Any]:
    """The usable candidate lines of one block, and their Arrow parse (None when there is none).

    One strict columnar parse of the block's candidates plus vectorised checks
    (:func:`~biblio.records.columnar_suspects`) vouch for most records; only suspect rows get
    the per-record check (:func:`_usable`). A block the parse refuses is halved and each half
    vetted, down to ``leaf`` lines checked one by one; all in line order, so counts, examples
    and strict-mode errors are those of checking every line.
    """
    lines = [ln for _, ln in cands]
    table = _strict_parse(lines, threads=spec.parse_threads)
    if table is None and len(cands) > leaf:
        halves = [_vet(path, first, part, spec, res, leaf=leaf) for part in (cands[: len(cands) // 2], cands[len(cands) // 2 :])]
        kept = halves[0][0] + halves[1][0]
        if any(k and t is None for k, t in halves):
            return kept, None
        import pyarrow as pa

        return kept, pa.concat_tables([t for k, t in halves if k]) if kept else None
    if table is None:
        kept = [(i, ln) for i, ln in cands if _usable(path, first + i, ln, spec, res)]
        return kept, _strict_parse([ln for _, ln in kept], threads=spec.parse_threads)
    bad = {k for k in columnar_suspects(table, lines) if not _usable(path, first + cands[k][0], lines[k], spec, res)}
    if not bad:
        return cands, table
    keep = [k for k in range(len(cands)) if k not in bad]
    return [cands[k] for k in keep], table.take(keep) if keep else None


def _batch_frame(path: Path, part: Partition, lines: list[bytes], numbers: list[int], tables: list[Any] | None) -> pl.DataFrame:
    """One batch as a raw frame with ``_seq``: the blocks' Arrow parses joined when every block has one."""
    df = None
    if tables is not None:
        import pyarrow as pa

        df = raw_from_arrow(pa.concat_tables(tables)) if tables else None
    if df is None or df.height != len(lines):
        df = _parse(path, lines, numbers)
    return df.with_columns(pl.Series("_seq", [(part.index << 32) + n for n in numbers], pl.Int64))


def _jsonl_batches(part: Partition, spec: ScanSpec, res: PartitionResult) -> Iterator[pl.DataFrame]:
    """Raw frames of candidate lines (pre-filtered) with ``_seq`` = partition index and line number."""
    path = Path(part.path)
    gz = path.name.endswith(".gz")
    select = spec.counted_candidates if spec.judged is None else _judged_candidates(spec)
    lines: list[bytes] = []
    numbers: list[int] = []
    tables: list[Any] | None = []
    first = 1
    for block in _blocks(path):
        if not gz:  # a gzipped partition's CRC vouches for its structure (see _check_block)
            res.scanned += _check_block(path, first, block, spec, res)
        cands, nl = select(block)
        res.scanned += nl if gz else 0
        kept, table = _vet(path, first, cands, spec, res)
        if kept and tables is not None:
            tables = None if table is None else [*tables, table]
        lines.extend(ln for _, ln in kept)
        numbers.extend(first + i for i, _ in kept)
        first += nl
        if len(lines) >= spec.batch_size:
            yield _batch_frame(path, part, lines, numbers, tables)
            lines, numbers, tables = [], [], []
    if lines:
        yield _batch_frame(path, part, lines, numbers, tables)


def _json_batches(part: Partition, spec: ScanSpec, res: PartitionResult) -> Iterator[pl.DataFrame]:
    """A loose ``.json`` file (API page, array, one work): small, parsed whole."""
    stats: dict[str, int] = {}
    skips = Skips(strict=spec.strict)
    recs = [r for n, r in enumerate(read_records(Path(part.path), stats=stats), start=1) if skips.ok(r, f"{part.path}: record {n}")]
    res.skipped_records += skips.records
    res.skipped_lines += stats.get("not_objects", 0)
    res.examples.extend(skips.examples[: 3 - len(res.examples)])
    res.scanned += len(recs)
    if spec.judged is not None:
        from biblio.evidence import WorkJudge

        judge = WorkJudge.for_query(spec.judged)
        recs = [r for r in recs if judge.matches(r)]
    for i in range(0, len(recs), spec.batch_size):
        chunk = recs[i : i + spec.batch_size]
        yield raw_frame(chunk).with_columns(pl.Series("_seq", [(part.index << 32) + i + j + 1 for j in range(len(chunk))], pl.Int64))


def _conform(e: pl.Expr, src: Any, dst: Any) -> pl.Expr:
    """Project a column of a snapshot's own (wider) schema onto ``dst``; absent fields become null."""
    if src == dst:
        return e
    if isinstance(dst, pl.Struct):
        if not isinstance(src, pl.Struct):
            return pl.lit(None, dst)
        have = {f.name: f.dtype for f in src.fields}
        fields = [(_conform(e.struct.field(f.name), have[f.name], f.dtype) if f.name in have else pl.lit(None, f.dtype)).alias(f.name) for f in dst.fields]
        return pl.when(e.is_not_null()).then(pl.struct(fields))
    if isinstance(dst, pl.List):
        if not isinstance(src, (pl.List, pl.Array)):
            return pl.lit(None, dst)
        return e.list.eval(_conform(pl.element(), src.inner, dst.inner))
    if dst == pl.Utf8 and isinstance(src, (pl.Date, pl.Datetime)):
        return e.dt.strftime("%Y-%m-%d")
    return e.cast(dst, strict=False)


def _parquet_batches(part: Partition, spec: ScanSpec, res: PartitionResult) -> Iterator[pl.DataFrame]:
    """Batches of a Parquet partition: only biblio's columns, dates pushed down to row groups."""
    import pyarrow.dataset as ds

    try:
        dset = ds.dataset(part.path, format="parquet")
        have = set(dset.schema.names)
        cols = [c for c in RAW_SCHEMA if c in have]
        flt = None
        if "publication_date" in have and str(dset.schema.field("publication_date").type) in ("string", "large_string"):
            d = ds.field("publication_date")
            flt = (d >= spec.date_from) & (d <= spec.date_to + "\uffff")
        res.scanned += dset.count_rows()
        offset = 0
        for rb in dset.to_batches(columns=cols, filter=flt, batch_size=spec.batch_size):
            rows = pl.int_range(offset, offset + rb.num_rows, dtype=pl.Int64, eager=True)
            offset += rb.num_rows
            bad = _not_utf8_rows(rb)
            if bad:
                _count_not_utf8(part.path, rb, bad, spec, res)
                keep = sorted(set(range(rb.num_rows)) - set(bad))
                rb, rows = rb.take(keep), rows.gather(keep)
            df = pl.from_arrow(rb)
            assert isinstance(df, pl.DataFrame)
            seq = rows + ((part.index << 32) + 1)
            yield df.select(*[_conform(pl.col(c), df.schema[c], t).alias(c) if c in df.columns else pl.lit(None, t).alias(c) for c, t in RAW_SCHEMA.items()], seq.alias("_seq"))
    except (OSError, ValueError) as e:
        raise InputFileError(f"{part.path}: not a readable Parquet works partition ({type(e).__name__}); re-download it") from None


def _string_leaves(arr: Any) -> Iterator[Any]:
    """The string arrays inside Arrow array ``arr`` (through lists and structs), with their binary type."""
    import pyarrow as pa

    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        yield arr, pa.large_binary() if pa.types.is_large_string(t) else pa.binary()
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        yield from _string_leaves(arr.flatten())
    elif pa.types.is_struct(t):
        for k in range(t.num_fields):
            yield from _string_leaves(arr.field(k))


def _utf8_valid(arrays: Any) -> bool:
    """False when one of the Arrow ``arrays`` holds a string that is not valid UTF-8 (the cast of
    each string array's bytes back to strings checks them; 5x cheaper than a full validation)."""
    import pyarrow as pa

    try:
        for arr in arrays:
            for leaf, binary in _string_leaves(arr):
                leaf.view(binary).cast(leaf.type)
    except pa.ArrowInvalid:
        return False
    return True


def _not_utf8_rows(rb: Any, start: int = 0) -> list[int]:
    """Rows of Arrow record batch ``rb`` holding a string that is not valid UTF-8 (Parquet
    readers do not check): one full validation, halved down to the rows only when it fails."""
    if _utf8_valid(rb.columns):
        return []
    if rb.num_rows <= 1:
        return [start] * rb.num_rows
    h = rb.num_rows // 2
    return _not_utf8_rows(rb.slice(0, h), start) + _not_utf8_rows(rb.slice(h), start + h)


def _count_not_utf8(path: str, rb: Any, bad: list[int], spec: ScanSpec, res: PartitionResult) -> None:
    """Count rows ``bad`` of ``rb`` as bad records named by work ID and column (strict mode raises)."""
    for k in bad:
        row = rb.slice(k, 1)
        col = next((n for n, c in zip(row.schema.names, row.columns) if not _utf8_valid([c])), "a string field")
        rid = row.column("id")[0] if "id" in row.schema.names and col != "id" else None
        rid = rid.as_py() if rid is not None else None
        where = f"{path}" + (f" ({show(rid, 40)})" if isinstance(rid, str) and rid else ": a record")
        _bad_record(where, f"{col}: not valid UTF-8", spec, res)


_READERS = {"jsonl": _jsonl_batches, "json": _json_batches, "parquet": _parquet_batches}


def part_file(out_dir: str | Path, table: str, index: int, batch: int) -> Path:
    """Where batch ``batch`` of partition ``index`` writes ``table`` (names sort in scan order)."""
    return Path(out_dir) / table / f"p{index:07d}-b{batch:05d}.parquet"


def write_batch(out_dir: str | Path, index: int, batch: int, frames: dict[str, pl.DataFrame]) -> None:
    """Write one flattened batch as one part file per table."""
    for name, df in frames.items():
        f = part_file(out_dir, name, index, batch)
        f.parent.mkdir(parents=True, exist_ok=True)
        df.write_parquet(f, compression="lz4", statistics=False)


def scan_partition(part: Partition, spec: ScanSpec, out_dir: str | None = None) -> PartitionResult:
    """Scan one partition: pre-filter, parse, filter, flatten, batch by batch.

    With ``out_dir`` each batch is written as part files (see :func:`part_file`) and the result
    holds counts only; without it the flattened batches come back in the result (how the Dask
    engine ships them to the client). This is the one function both engines run.

    Example:
        >>> r = scan_partition(list_partitions([Path("snap")])[0], ScanSpec(("F4320338279",), ("CN",), "2024-01-01", "2024-12-31"))  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    res = PartitionResult(index=part.index)
    upd = pl.lit(part.updated_date + "|") + pl.col("updated_date").fill_null("")
    if spec.judged is not None and part.fmt == "parquet":
        raise InputFileError(f"{part.path}: queries with evidence beyond OpenAlex funder IDs read JSON-lines partitions only; point source.paths at the .gz partitions")
    match = spec.match_expr() if spec.judged is None else pl.lit(True)
    for b, raw in enumerate(_READERS[part.fmt](part, spec, res)):
        res.candidates += raw.height
        kept = raw.filter(match).with_columns(upd.alias("_upd"))
        if kept.height == 0:
            continue
        res.matched += kept.height
        res.newest = max(res.newest, kept["updated_date"].str.slice(0, 10).max() or "")
        frames = flatten_frame(kept).frames()
        if out_dir is not None:
            write_batch(out_dir, part.index, b, frames)
        else:
            res.batches.append(frames)
    res.newest = max(res.newest, part.updated_date)
    res.seconds = time.perf_counter() - t0
    return res


def winners(parts_dir: str | Path) -> pl.DataFrame:
    """``_seq`` of the copy kept for each work: the newest ``updated_date`` partition wins,
    then the newest record ``updated_date``, then the later file/line."""
    files = sorted((Path(parts_dir) / "works").glob("*.parquet"))
    if not files:
        return pl.DataFrame(schema={"work_id": pl.Utf8, "_seq": pl.Int64})
    return (
        pl.scan_parquet(files).select("work_id", "_upd", "_seq")
        .sort("_upd", "_seq").group_by("work_id").agg(pl.col("_seq").last())
        .collect()
    )


def consolidate(parts_dir: str | Path, tables_dir: str | Path) -> dict[str, int]:
    """Merge part files into ``tables_dir/<table>.parquet``, newest copy of each work only.

    Streams each table (polars ``sink_parquet``); returns row counts per table plus
    ``duplicates`` (older copies dropped).
    """
    out = Path(tables_dir)
    out.mkdir(parents=True, exist_ok=True)
    win = winners(parts_dir)
    keep = win["_seq"]
    counts: dict[str, int] = {}
    for name, schema in SCHEMAS.items():
        files = sorted((Path(parts_dir) / name).glob("*.parquet"))
        target = out / f"{name}.parquet"
        if not files:
            pl.DataFrame(schema=schema).write_parquet(target)
            counts[name] = 0
            continue
        lf = pl.scan_parquet(files).filter(pl.col("_seq").is_in(keep.implode())).select(list(schema))
        lf.sink_parquet(target)
        counts[name] = pl.scan_parquet(target).select(pl.len()).collect().item()
    n_rows = sum(pl.scan_parquet(f).select(pl.len()).collect().item() for f in sorted((Path(parts_dir) / "works").glob("*.parquet")))
    counts["duplicates"] = n_rows - win.height
    return counts


def scan_snapshot(
    query: Query,
    *,
    work_dir: str | Path,
    engine: str = "local",
    scheduler: str | None = None,
    batch_size: int = 10_000,
    progress: Any = None,
) -> FetchResult:
    """Stream the query's snapshot into ``work_dir/tables/<table>.parquet`` and return counts.

    Each partition runs :func:`scan_partition` on the chosen engine; batches land as part
    files in ``work_dir/parts`` and are merged keeping the newest copy of each work. Memory
    is bounded by the batch size (shared by the local engine's threads: each scans batches of
    ``batch_size / threads`` works), not by the number of works.
    """
    from biblio.engines import bound_malloc, check_engine, describe, local_threads, map_partitions
    from biblio.progress import Progress

    check_engine(engine)
    bound_malloc()  # the local engine scans on several threads
    try:
        parts = list_partitions(query.resolve_snapshot_paths())
    except InputFileError as e:
        raise InputFileError(f"{query.path}: source.paths: {e}") from None
    skips = Skips(strict=query.strict)
    local = engine == "local"
    threads = local_threads(len(parts)) if local else 1
    # one batch_size in flight over all threads; side by side, each thread parses its own blocks (a hand-off to
    # Arrow's pool, which the other threads' parses share, left the scan ~0.3 s slower at 100k works on 2 cores)
    spec = ScanSpec.from_query(query, batch_size=-(-batch_size // threads), parse_threads=threads <= 1)
    wd = Path(work_dir)
    parts_dir = wd / "parts"
    prog = progress or Progress(enabled=False)
    task = prog.task("scan", total=len(parts))
    scanned = matched = 0
    newest = ""
    for res in map_partitions(scan_partition, parts, engine=engine, scheduler=scheduler, args=(spec, str(parts_dir) if local else None), threads=threads):
        for b, frames in enumerate(res.batches):
            write_batch(parts_dir, res.index, b, frames)
        scanned += res.scanned
        matched += res.matched
        skips.add(res.skipped_records, res.skipped_lines, res.examples)
        newest = max(newest, res.newest)
        prog.advance(task, 1, info=f"{scanned:,} works scanned, {matched:,} kept")
    with prog.step("merge (newest copy wins)"):
        counts = consolidate(parts_dir, wd / "tables")
    n_syn = pl.scan_parquet(wd / "tables" / "works.parquet").select(pl.col("is_synthetic").sum()).collect().item() or 0
    kept = counts["works"]
    notes = [f"scanned {scanned} records in {len(parts)} files ({describe(engine, scheduler)}); {kept} matched the query; {n_syn} of them synthetic"]
    if counts["duplicates"]:
        notes.append(f"{counts['duplicates']} older copies of re-issued works dropped; the newest copy of each work kept")
    if kept and n_syn == kept:
        notes.append("every matching record is SYNTHETIC: no real record in this snapshot passes the DoD x PRC filter")
    return FetchResult(
        source="snapshot", complete=True, meta_count=scanned, pages=len(parts), requests=0, data_date=newest,
        n_synthetic=int(n_syn), notes=notes, n_matched=kept, tables_dir=str(wd / "tables"),
        skipped_records=skips.records, skipped_lines=skips.stats.get("not_objects", 0), warnings=skips.warnings(scanned),
    )
