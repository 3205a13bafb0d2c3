"""Property-based bad input (issue 10): generated query files, CSVs, snapshot records and run
folders. Every case ends in exit 0, or exit 1 with exactly one short, printable ``Error:`` line
that is not an internal error; never a traceback; nothing already written changes; no CSV cell
that came from the input starts with a formula character.

Sized for CI (about a minute on 2 cores): ``max_examples`` per test is set below.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from biblio.cli import main

REPO = Path(__file__).resolve().parent.parent
SYN = REPO / "biblio" / "data" / "synthetic" / "synthetic_dod_prc.jsonl"
def fast(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
FORMULA = ("=", "+", "-", "@", "\t", "\r")

# --- shared checks ---------------------------------------------------------------------


def check_outcome(r: Any) -> str | None:
    """Exit 0, or exit 1 with one good Error: line (returned). Never a traceback."""
    out = r.output
    event(f"exit {r.exit_code}")
    assert "Traceback" not in out, out[-2000:]
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"exception escaped the CLI: {r.exception!r}")
    if r.exit_code == 0:
        assert not any(ln.startswith("Error:") for ln in out.splitlines()), out
        return None
    assert r.exit_code == 1, (r.exit_code, out[-2000:])
    errors = [ln for ln in out.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, out[-2000:]
    line = errors[0]
    assert len(line) <= 420, line
    assert line.isprintable(), line
    assert "internal error" not in line, line
    return line


def files_of(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def invoke(args: list[Any]) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


# --- strategies ------------------------------------------------------------------------

NASTY_CHARS = ["\x00", "\ufeff", "\u202e", "\u200b", "\r", "\n", "\t", "\"", "'", ",", "=", "+", "-", "@", "\\", "[", "]", "{", "}", "\u00e9", "中", "\U0001f600", "\x7f", "\x1b"]
nasty_text = st.text(alphabet=st.one_of(st.sampled_from(NASTY_CHARS), st.characters(blacklist_categories=("Cs",))), max_size=40)
long_text = st.builds(lambda c, n: c * n, st.sampled_from(["a", "=", "x,", "\""]), st.integers(0, 3000))

toml_scalar = st.one_of(
    st.booleans(),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(f), repr(f))),
    nasty_text.map(json.dumps),
    st.sampled_from(["2024-01-01", "9999-12-31", "0001-01-01", "2024-02-30", "\"20240101\"", "\"2024-W01-1\"", "2024-01-01T00:00:00", "12:00:00", "[]", "{}", "[\"all\", \"bogus\"]", "[[1]]", "\"builtin:..\"", "[\"builtin:../..\"]", "\"cn\"", "[\"cn\"]", "\"snapshot\"", "\"openalex\"", "\"F4320338279\"", "[\"AFOSR\"]", "[\"F12\"]", "9" * 5000]),
)
KEYS = ["name", "description", "window.from", "window.to", "window.x", "funders.agencies", "funders.ids", "funders.award_prefixes", "funders.evidence", "scope.prc", "scope.raw_strings", "source.kind", "source.paths", "source.strict", "source.crossref", "lists.apply", "lists.fuzzy", "output.dir", "fetch.slices", "fetch.rate_limit", "fetch.timeout", "bogus", "window"]
BASE = {"name": "\"t\"", "window.from": "2024-01-01", "window.to": "2024-12-31", "funders.agencies": "[\"all\"]"}


def render_toml(fields: dict[str, str]) -> str:
    top = [f"{k} = {v}" for k, v in fields.items() if "." not in k]
    tables: dict[str, list[str]] = {}
    for k, v in fields.items():
        if "." in k:
            t, key = k.split(".", 1)
            tables.setdefault(t, []).append(f"{key} = {v}")
    return "\n".join(top + [f"[{t}]\n" + "\n".join(lines) for t, lines in tables.items()]) + "\n"


query_texts = st.one_of(
    st.builds(lambda t, k: render_toml({**BASE, k: json.dumps(t, ensure_ascii=False)}), nasty_text, st.sampled_from(["description", "output.dir", "name"])),
    st.dictionaries(st.sampled_from(KEYS), toml_scalar, max_size=4).map(lambda d: render_toml({**BASE, **d})),
    st.builds(lambda d, cut: render_toml({**BASE, **d})[:cut], st.dictionaries(st.sampled_from(KEYS), toml_scalar, max_size=3), st.integers(0, 200)),
    st.builds(lambda n, c: "x = " + c[0] * n + c[1] * n + "\n", st.integers(1, 3000), st.sampled_from(["[]", "{}"]).map(lambda s: (s[0], s[1]) if s == "[]" else ("{a = ", "}"))),
    nasty_text,
)


@fast(150)
@given(text=query_texts, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_generated_query_files(text: str, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        q = Path(d) / "q.toml"
        try:
            q.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            q.write_bytes(text.encode("utf-8", "replace"))
        check_outcome(invoke(["check", q]))


# --- CSVs to screen --------------------------------------------------------------------

cell = st.one_of(nasty_text, long_text, st.sampled_from(["Beihang University", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "Harbin Institute of Technology", ""]))
csv_bytes = st.one_of(
    st.builds(
        lambda header, rows, nl, bom: (bom + nl.join([",".join(header)] + [",".join(json.dumps(c) if i % 2 else c for i, c in enumerate(r)) for r in rows]) + nl).encode("utf-8", "replace"),
        st.lists(st.sampled_from(["name", "ror", "openalex_id", "country_code", "note", "", "\ufeffname", "name "]), min_size=1, max_size=4),
        st.lists(st.lists(cell, max_size=5), max_size=8),
        st.sampled_from(["\n", "\r\n", "\r"]),
        st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]),
    ),
    st.binary(max_size=300),
    st.builds(lambda b: b"name\n" + b, st.binary(max_size=300)),
)


@fast(60)
@given(data=csv_bytes)
def test_generated_csvs_to_screen(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "in.csv", Path(d) / "out.csv"
        src.write_bytes(data)
        out.write_text("previous\n", encoding="utf-8")
        line = check_outcome(invoke(["screen", src, "--out", out, "--as-of", "2025-01-01"]))
        if line is not None:
            assert out.read_text(encoding="utf-8") == "previous\n"
            return
        for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")):
            for c in row:
                assert not c.startswith(FORMULA), c
        assert [p.name for p in Path(d).iterdir() if ".tmp-" in p.name] == []


# --- snapshot records ------------------------------------------------------------------

GOOD = [json.loads(x) for x in SYN.read_text(encoding="utf-8").splitlines()[:3]]
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), nasty_text, st.just("\ud800")),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "display_name", "country_code", "institutions", "author", "x"]), inner, max_size=3)),
    max_leaves=8,
)
PATHS = [
    ("id",), ("title",), ("doi",), ("type",), ("publication_date",), ("publication_year",), ("cited_by_count",), ("primary_topic",),
    ("primary_topic", "field"), ("topics",), ("keywords",), ("funders",), ("funders", 0), ("funders", 0, "id"), ("awards",), ("awards", 0, "funder_award_id"),
    ("grants",), ("authorships",), ("authorships", 0), ("authorships", 0, "author"), ("authorships", 0, "author", "display_name"),
    ("authorships", 0, "institutions"), ("authorships", 0, "institutions", 0), ("authorships", 0, "institutions", 0, "country_code"),
    ("authorships", 0, "institutions", 0, "lineage"), ("authorships", 0, "raw_affiliation_strings"), ("authorships", 0, "affiliations"),
    ("authorships", 0, "is_corresponding"), ("biblio_synthetic",), ("updated_date",),
]


def mutate(rec: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    rec = json.loads(json.dumps(rec))
    node: Any = rec
    for k in path[:-1]:
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            return rec
    try:
        node[path[-1]] = value
    except (IndexError, TypeError):
        pass
    return rec


records = st.lists(st.builds(mutate, st.sampled_from(GOOD), st.sampled_from(PATHS), json_value), min_size=1, max_size=4)
extra_lines = st.lists(st.sampled_from(["1", "\"x\"", "[1]", "null", "", "   ", "{\"id\": 5}", "{}"]), max_size=3)


def snapshot_query(d: Path, extra: str = "") -> Path:
    q = d / "q.toml"
    q.write_text(
        f'name = "t"\n[window]\nfrom = 2000-01-01\nto = 2030-12-31\n[funders]\nagencies = ["all"]\n[source]\nkind = "snapshot"\npaths = ["snap"]\n{extra}[output]\ndir = "{d / "out"}"\n',
        encoding="utf-8",
    )
    return q


@fast(100)
@given(recs=records, lines=extra_lines, strict=st.booleans(), gz=st.booleans(), as_json=st.booleans())
def test_generated_snapshot_records_scan(recs: list[dict[str, Any]], lines: list[str], strict: bool, gz: bool, as_json: bool) -> None:
    """Library level (fast): the streaming scan and the resolver never crash on bad records."""
    import gzip

    from biblio.errors import BiblioError
    from biblio.query import load_query
    from biblio.resolve import resolve
    from biblio.snapshot import scan_snapshot
    from biblio.tables import WorksTables

    with tempfile.TemporaryDirectory() as d0:
        d = Path(d0)
        (d / "snap").mkdir()
        body = json.dumps(recs) if as_json else "\n".join([json.dumps(r) for r in recs] + lines) + "\n"
        data = body.encode("utf-8", "surrogatepass")
        name = "s.json" if as_json else "s.jsonl"
        (d / "snap" / (name + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
        q = load_query(snapshot_query(d, "strict = true\n" if strict else ""))
        try:
            fetched = scan_snapshot(q, work_dir=d / "w")
        except BiblioError as e:
            assert "\n" not in str(e)
            event("scan: one-line error")
            return
        event(f"scan: ok, {fetched.skipped_records} skipped")
        tables = WorksTables.read(d / "w" / "tables")
        resolve(tables, apply=q.lists, scope=q.scope)
        assert fetched.skipped_records >= 0


@fast(6)
@given(recs=records, strict=st.booleans())
def test_generated_snapshot_records_cli(recs: list[dict[str, Any]], strict: bool) -> None:
    """End to end through ``biblio run`` (slow: a few cases only); a failed run leaves nothing."""
    with tempfile.TemporaryDirectory() as d0:
        d = Path(d0)
        (d / "snap").mkdir()
        (d / "snap" / "s.jsonl").write_bytes(("\n".join(json.dumps(r) for r in recs) + "\n").encode("utf-8", "surrogatepass"))
        args = ["run", snapshot_query(d), "--no-progress", "--run-id", "r"] + (["--strict"] if strict else [])
        line = check_outcome(invoke(args))
        if line is not None:
            assert not (d / "out" / "t" / "r").exists()
            assert not any(".tmp-" in p.name for p in (d / "out" / "t").iterdir()) if (d / "out" / "t").exists() else True


# --- run folders -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fuzzrun")
    (d / "snap").mkdir()
    shutil.copy(SYN, d / "snap" / "s.jsonl")
    r = invoke(["run", snapshot_query(d), "--no-progress", "--run-id", "a"])
    assert r.exit_code == 0, r.output
    return d / "out" / "t" / "a"


MANIFEST_KEYS = ["run_id", "created_at", "biblio_version", "data_source", "data_date", "counts", "query", "synthetic_records", "csv_cells"]
run_mutation = st.one_of(
    st.tuples(st.just("manifest_bytes"), st.one_of(st.binary(max_size=64), st.sampled_from([b"null", b"{}", b"[]", b"\xff\xfe", b"[" * 50_000, b'{"run_id": "\\ud800"}']))),
    st.tuples(st.just("manifest_key"), st.tuples(st.sampled_from(MANIFEST_KEYS), json_value)),
    st.tuples(st.just("delete"), st.sampled_from(["manifest.json", "tables/works.parquet", "tables/flags.parquet", "tables/affiliations.parquet", "tables"])),
    st.tuples(st.just("truncate"), st.tuples(st.sampled_from(["tables/works.parquet", "tables/authorships.parquet", "tables/flags.parquet"]), st.integers(0, 400))),
    st.tuples(st.just("swap"), st.tuples(st.sampled_from(["works", "flags", "funders", "awards"]), st.sampled_from(["authorships", "affiliations", "authorship_institutions"]))),
    st.tuples(st.just("file_for_dir"), st.sampled_from(["tables", "report"])),
)


def apply_mutation(run: Path, kind: str, arg: Any) -> None:
    if kind == "manifest_bytes":
        (run / "manifest.json").write_bytes(arg)
    elif kind == "manifest_key":
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        m[arg[0]] = arg[1]
        (run / "manifest.json").write_text(json.dumps(m), encoding="utf-8", errors="surrogatepass")
    elif kind == "delete":
        p = run / arg
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    elif kind == "truncate":
        p = run / arg[0]
        p.write_bytes(p.read_bytes()[: arg[1]])
    elif kind == "swap":
        a, b = run / "tables" / f"{arg[0]}.parquet", run / "tables" / f"{arg[1]}.parquet"
        da, db = a.read_bytes(), b.read_bytes()
        a.write_bytes(db)
        b.write_bytes(da)
    elif kind == "file_for_dir":
        shutil.rmtree(run / arg)
        (run / arg).write_text("not a folder", encoding="utf-8")


@fast(25)
@given(mutation=run_mutation)
def test_generated_run_folders(demo_run: Path, mutation: tuple[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as d0:
        run = Path(d0) / "run"
        shutil.copytree(demo_run, run)
        apply_mutation(run, *mutation)
        before = files_of(run)
        line = check_outcome(invoke(["report", run]))
        if line is not None:
            assert files_of(run) == before
        assert sorted(p.name for p in Path(d0).iterdir()) == ["run"]
        out = Path(d0) / "diff.csv"
        out.write_text("previous\n", encoding="utf-8")
        line = check_outcome(invoke(["diff", demo_run, run, "--out", out]))
        if line is not None:
            assert out.read_text(encoding="utf-8") == "previous\n"


ODD_LINES = [
    b'{"id": "W1", "publication_year": 4611686018427387904}', b'{"id": "W1", "cited_by_count": -4611686018427387904}', b'{"id": "W1", "publication_year": 4611686018427387903}',
    b'{"id": " "}', b'{"id": "\\u00a0W1"}', b'{"id": ""}', b'{"id": "W1", "publication_date": "\\u0662\\u0660\\u0662\\u0664-01-01"}', b'{"id": "W1", "publication_date": "2024-1-1"}',
    b'{"id": "W1", "funders": [null]}', b'{"id": "W1", "authorships": [{"institutions": [null]}]}', b'{"id": "W1", "authorships": [{"affiliations": [{}, null]}]}',
    b'{"id": "W1", "id": "W2"}', b'{"id": "W1"} {"id": "W2"}', b'[1]', b'"x"', b'\xef\xbb\xbf{"id": "W1"}', b' {"id": "W1"}', b'{"id": "W1", "title": "\xed\xa0\x80"}',
    b'{"id": "W1", "title": "\xed\x9f\xbf"}', b'{"id": "W1", "title": "\\ud835\\udc65"}', b'{"id": "W1", "x": NaN}', b'{"id": "W1", "biblio_synthetic": "yes"}', b'{"id": "W1",}',
    b'{"id": "W1", "title": "caf\xe9"}', b'{"id": "W1", "x": "\xff\xfe"}', b'{"id": "W1", "title": "\xe2\x82"}', b'{"id": "W1", "title": "\xf4\x90\x80\x80"}', b'\xff{"id": "W1"}',
]


@fast(200)
@given(
    recs=st.lists(st.builds(mutate, st.sampled_from(GOOD), st.sampled_from(PATHS), json_value), max_size=2), good=st.lists(st.sampled_from(GOOD), max_size=3),
    odd=st.lists(st.sampled_from(ODD_LINES), max_size=2), ascii=st.booleans(), strict=st.booleans(), order=st.randoms(), leaf=st.sampled_from([1, 2, 16]),
)
def test_columnar_vetting_matches_the_per_record_check(recs: list[dict[str, Any]], good: list[dict[str, Any]], odd: list[bytes], ascii: bool, strict: bool, order: Any, leaf: int) -> None:
    """The scan's columnar vetting keeps, counts, names and refuses exactly the records the
    per-record check (json.loads + record_problem on every line) does, and parses them alike."""
    from biblio.errors import BiblioError
    from biblio.records import record_problem
    from biblio.snapshot import PartitionResult, ScanSpec, _usable, _vet, _vouched
    from biblio.tables import raw_from_arrow, read_ndjson_bytes

    lines = [json.dumps(r, ensure_ascii=ascii).encode("utf-8", "surrogatepass") for r in recs + good] + odd
    order.shuffle(lines)
    cands = [(3 * k, ln) for k, ln in enumerate(lines)]
    path, spec = Path("snap/part_000.gz"), ScanSpec((), (), "2000-01-01", "2030-12-31", strict=strict)

    def run(f: Any) -> tuple[Any, PartitionResult]:
        res = PartitionResult(index=0)
        try:
            return f(res), res
        except BiblioError as e:
            return str(e), res

    ref, ref_res = run(lambda res: [(i, ln) for i, ln in cands if _usable(path, 7 + i, ln, spec, res)])
    new, new_res = run(lambda res: _vet(path, 7, cands, spec, res, leaf=leaf))  # small leaves: refused blocks are halved
    event(f"columnar {'refused' if isinstance(new, str) or new[1] is None else 'vouched'}, {ref_res.skipped_records} skipped" + (", raised" if isinstance(ref, str) else ""))
    assert (ref_res.skipped_records, ref_res.skipped_lines, ref_res.examples) == (new_res.skipped_records, new_res.skipped_lines, new_res.examples)
    if isinstance(ref, str):
        assert new == ref
        return
    assert new[0] == ref
    for k in _vouched(lines):  # what the judged-query scan lets skip record_problem
        try:
            rec = json.loads(lines[k])
        except ValueError:
            continue  # not JSON to json.loads either: a candidate, for the parser to name
        assert record_problem(rec) is None
    if new[1] is not None:
        fast_df, slow_df = raw_from_arrow(new[1]), read_ndjson_bytes(b"\n".join(ln for _, ln in ref))
        assert fast_df is not None and fast_df.equals(slow_df)
