"""Issue 10: every bad input gives exactly one short, printable ``Error:`` line and exit 1
(or exit 0 when it is acceptable), never a traceback, and nothing already written changes.

One test per example in the issue; the generated cases are in tests/test_fuzz_inputs.py.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from biblio.cli import main

REPO = Path(__file__).resolve().parent.parent
SYN = REPO / "biblio" / "data" / "synthetic" / "synthetic_dod_prc.jsonl"

QUERY = """name = "t"
[window]
from = 2020-01-01
to = 2025-12-31
[funders]
agencies = ["all"]
"""


def snapshot_query(tmp: Path, paths: list[str], extra: str = "") -> Path:
    q = tmp / "q.toml"
    q.write_text(QUERY + f"[source]\nkind = \"snapshot\"\npaths = {json.dumps(paths)}\n{extra}[output]\ndir = {json.dumps(str(tmp / 'out'))}\n", encoding="utf-8")
    return q


def invoke(args: list[str], **kw: object) -> "Result":
    r = CliRunner().invoke(main, [str(a) for a in args], **kw)  # type: ignore[arg-type]
    return r


Result = object


def one_error(r, needle: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Assert exit 1 with exactly one short printable Error: line (and no traceback)."""
    out = r.output
    assert r.exit_code == 1, out
    assert "Traceback" not in out
    assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), repr(r.exception)
    errors = [ln for ln in out.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, out
    line = errors[0]
    assert len(line) <= 420, line
    assert line.isprintable(), line
    assert "internal error" not in line, line
    if needle:
        assert needle in line, line
    return line


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# --- file-system errors ---------------------------------------------------------------


def test_screen_out_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name\nMIT\n", encoding="utf-8")
    (tmp_path / "d").mkdir()
    one_error(invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "d"]), "is a folder")


def test_screen_input_is_a_folder(tmp_path: Path) -> None:
    one_error(invoke(["screen", tmp_path, "--out", tmp_path / "o.csv"]), "is a folder")


def test_output_dir_naming_a_file_fails_in_check_and_before_fetch(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    q = tmp_path / "q.toml"
    q.write_text(QUERY + f'[source]\nkind = "snapshot"\npaths = ["{SYN}"]\n[output]\ndir = "{blocker}"\n', encoding="utf-8")
    one_error(invoke(["check", q]), "output.dir")
    r = invoke(["run", q, "--no-progress"])
    one_error(r, "is a file")
    assert "fetched" not in r.output  # found before the fetch


def test_diff_out_into_unwritable_place(tmp_path: Path, demo_runs: tuple[Path, Path]) -> None:
    a, b = demo_runs
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    one_error(invoke(["diff", a, b, "--out", blocker / "d.csv"]), "is a file")


def test_full_disk_names_the_path_and_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    src = tmp_path / "in.csv"
    src.write_text("name\nMIT\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    out.write_text("previous\n", encoding="utf-8")

    def full(self, *a, **k):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    line = one_error(invoke(["screen", src, "--out", out]), str(out))
    assert "disk is full" in line
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


# --- CSV parser errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'name,x\n"a\rb",1\nc\rd,2\n',  # bare CR inside and outside quotes
        b"name\n" + b"a" * 200_000 + b"\n",  # a 200,000-character field
        b"name\nBei\x00hang\n",  # NUL byte
        b"\xef\xbb\xbf\xef\xbb\xbfname\nMIT\n",  # two BOMs
        b"name,ror\nMIT\n",  # short row
        b"name\n\"unterminated\n",
    ],
)
def test_screen_reads_awkward_csvs(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "in.csv").write_bytes(data)
    r = invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv"])
    assert r.exit_code == 0, r.output
    assert pl.read_csv(tmp_path / "o.csv", infer_schema=False).height >= 1


def test_screen_field_over_the_limit_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import biblio.safeio

    monkeypatch.setattr(biblio.safeio, "CSV_FIELD_LIMIT", 1000)
    import csv

    old = csv.field_size_limit(1000)
    try:
        (tmp_path / "in.csv").write_text("name\n" + "a" * 5000 + "\n", encoding="utf-8")
        one_error(invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv"]), "line 2")
    finally:
        csv.field_size_limit(old)


def test_screen_bad_dates_and_usage_errors_exit_1(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name\nMIT\n", encoding="utf-8")
    one_error(invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv", "--as-of", "2024-02-30"]), "--as-of")
    one_error(invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv", "--as-of", "20240201"]), "YYYY-MM-DD")
    one_error(invoke(["screen", tmp_path / "in.csv"]), "--out")
    one_error(invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv", "--nope"]), "--nope")
    one_error(invoke(["nope"]), "nope")


# --- snapshot records -----------------------------------------------------------------


def good_record(wid: str = "W1") -> dict:
    return json.loads(SYN.read_text(encoding="utf-8").splitlines()[0]) | {"id": f"https://openalex.org/{wid}"}


@pytest.mark.parametrize(
    "patch",
    [
        {"authorships": [1.5]},
        {"publication_date": -1},
        {"type": ["article"]},
        {"title": "\ud800 lone surrogate"},
        {"authorships": [{"institutions": [{"country_code": 5}]}]},
        {"funders": "F1"},
        {"primary_topic": {"field": 3}},
        {"cited_by_count": "many"},
    ],
)
def test_bad_records_are_skipped_and_counted_or_stop_in_strict_mode(tmp_path: Path, patch: dict) -> None:
    f = tmp_path / "s.jsonl"
    # "extra" keeps the line a candidate of the streaming scan's byte-level pre-filter (it needs
    # "CN" and a funder ID on the line); lines that cannot match are never parsed or checked.
    bad = good_record("W2") | patch | {"extra": ["CN"]}
    f.write_text(json.dumps(good_record("W1")) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    q = snapshot_query(tmp_path, [str(f)])
    r = invoke(["run", q, "--no-progress", "--run-id", "a"])
    assert r.exit_code == 0, r.output
    assert "1 malformed records skipped" in r.output
    m = json.loads((tmp_path / "out" / "t" / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert m["fetch"]["skipped_records"] == 1
    assert any("malformed" in w for w in m["warnings"])
    one_error(invoke(["run", q, "--no-progress", "--run-id", "b", "--strict"]), "W2")
    assert not (tmp_path / "out" / "t" / "b").exists()
    q2 = snapshot_query(tmp_path, [str(f)], extra="strict = true\n")
    one_error(invoke(["run", q2, "--no-progress", "--run-id", "c"]), "strict")


def test_lines_not_utf8_are_skipped_and_counted_or_stop_in_strict_mode(tmp_path: Path) -> None:
    """A snapshot line that is not UTF-8 is a malformed record: warned and counted, or one
    ``Error:`` line naming the file and line in strict mode (it used to stop every run with a
    polars error once its bytes had reached the part files)."""
    d = tmp_path / "snap" / "updated_date=2024-01-01"
    d.mkdir(parents=True)
    bad = json.dumps(good_record("W2") | {"title": "BAD", "extra": ["CN"]}).encode().replace(b"BAD", b"caf\xe9")
    (d / "part_000.gz").write_bytes(gzip.compress(json.dumps(good_record("W1")).encode() + b"\n" + bad + b"\n"))
    q = snapshot_query(tmp_path, [str(tmp_path / "snap")])
    r = invoke(["run", q, "--no-progress", "--run-id", "a"])
    assert r.exit_code == 0, r.output
    assert "1 malformed records skipped" in r.output and "part_000.gz: line 2: not valid UTF-8 (byte 0xe9" in r.output
    m = json.loads((tmp_path / "out" / "t" / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert m["fetch"]["skipped_records"] == 1
    one_error(invoke(["run", q, "--no-progress", "--run-id", "b", "--strict"]), "part_000.gz: line 2: not valid UTF-8")
    assert not (tmp_path / "out" / "t" / "b").exists()
    assert (tmp_path / "out" / "t" / "a" / "manifest.json").is_file()


def test_lines_that_are_not_objects_are_counted_and_warned(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text("1\n\"x\"\n[1]\nnull\n", encoding="utf-8")
    r = invoke(["run", snapshot_query(tmp_path, [str(f)]), "--no-progress", "--run-id", "a"])
    assert r.exit_code == 0, r.output
    assert "4 JSON values that are not objects" in r.output
    assert "no usable record" in r.output


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"id": "W1", "cited_by_count": ' + "9" * 5000 + "}", "cannot be read"),
    ],
)
def test_snapshot_parser_limits(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "s.json"
    f.write_text(text, encoding="utf-8")
    one_error(invoke(["run", snapshot_query(tmp_path, [str(f)]), "--no-progress"]), needle)


def test_truncated_gzip_snapshot(tmp_path: Path) -> None:
    data = gzip.compress(SYN.read_bytes())
    (tmp_path / "s.jsonl.gz").write_bytes(data[: len(data) // 2])
    one_error(invoke(["run", snapshot_query(tmp_path, [str(tmp_path / "s.jsonl.gz")]), "--no-progress"]), "s.jsonl.gz")


# --- query files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (QUERY + '[scope]\nprc = ["cn"]\n', "scope.prc"),
        (QUERY.replace("to = 2025-12-31", "to = 9999-12-31"), "window.to"),
        (QUERY.replace("to = 2025-12-31", 'to = "20251231"'), "window.to"),
        (QUERY.replace("to = 2025-12-31", 'to = "2025-W01-1"'), "window.to"),
        (QUERY + '[lists]\napply = ["all", "bogus"]\n', "lists.apply"),
        (QUERY + '[source]\nkind = "snapshot"\npaths = ["builtin:.."]\n', "source.paths"),
        (QUERY + '[source]\nkind = "snapshot"\npaths = ["builtin:../../etc"]\n', "source.paths"),
        (QUERY + '[source]\nkind = ["snapshot"]\n', "source.kind"),
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply"),
        ("x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n", "nested too deeply"),
        ('name = "t"\nx = ' + "9" * 5000 + "\n", "cannot be read"),
        ('name = "\\u202eevil\\u0000"\n', "\\u202e"),
        ('name = "' + "x" * 100_000 + '"\n', "name"),
    ],
)
def test_query_validation_gaps(tmp_path: Path, text: str, needle: str) -> None:
    q = tmp_path / "q.toml"
    q.write_text(text, encoding="utf-8")
    one_error(invoke(["check", q]), needle)


def test_query_file_with_bom_nul_and_not_utf8(tmp_path: Path) -> None:
    q = tmp_path / "q.toml"
    q.write_bytes(b"\xff\xfename")
    one_error(invoke(["check", q]), "UTF-8")
    q.write_text("\ufeff" + QUERY, encoding="utf-8")
    r = invoke(["check", q])
    assert r.exit_code in (0, 1) and "Traceback" not in r.output


# --- run folders ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("runs")
    q = snapshot_query(out, [str(SYN)])
    for rid in ("a", "b"):
        r = invoke(["run", q, "--no-progress", "--run-id", rid])
        assert r.exit_code == 0, r.output
    return out / "out" / "t" / "a", out / "out" / "t" / "b"


@pytest.mark.parametrize(
    ("manifest", "needle"),
    [
        (b"null", "JSON object"),
        (b"{}", "run_id"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000, "JSON"),
        (b'{"run_id": 1}', "run_id"),
    ],
)
def test_report_and_diff_check_the_manifest_and_change_nothing(tmp_path: Path, demo_runs: tuple[Path, Path], manifest: bytes, needle: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_runs[0], run)
    (run / "manifest.json").write_bytes(manifest)
    before = snapshot(run)
    one_error(invoke(["report", run]), needle)
    one_error(invoke(["diff", run, demo_runs[1]]), needle)
    assert snapshot(run) == before


def test_swapped_parquet_table_is_named(tmp_path: Path, demo_runs: tuple[Path, Path]) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_runs[0], run)
    t = run / "tables"
    works = (t / "works.parquet").read_bytes()
    (t / "works.parquet").write_bytes((t / "flags.parquet").read_bytes())
    (t / "flags.parquet").write_bytes(works)
    before = snapshot(run)
    one_error(invoke(["report", run]), "works.parquet")
    one_error(invoke(["diff", demo_runs[1], run]), "works.parquet")
    assert snapshot(run) == before


def test_failed_report_rebuild_leaves_the_run_untouched(tmp_path: Path, demo_runs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import biblio.report.run as rr

    run = tmp_path / "run"
    shutil.copytree(demo_runs[0], run)
    before = snapshot(run)

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", str(run / "report" / "plots" / "x.png"))

    monkeypatch.setattr(rr, "save_figures", boom)
    one_error(invoke(["report", run]), "No space left")
    assert snapshot(run) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_report_rebuild_succeeds_and_keeps_stage_tables(tmp_path: Path, demo_runs: tuple[Path, Path]) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_runs[0], run)
    tables = {k: v for k, v in snapshot(run).items() if k.startswith("tables/") or k == "manifest.json"}
    r = invoke(["report", run])
    assert r.exit_code == 0, r.output
    assert {k: v for k, v in snapshot(run).items() if k in tables} == tables
    assert (run / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_failed_run_leaves_no_half_written_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import biblio.report.run as rr

    q = snapshot_query(tmp_path, [str(SYN)])

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", "x.png")

    monkeypatch.setattr(rr, "save_figures", boom)
    one_error(invoke(["run", q, "--no-progress", "--run-id", "a"]))
    assert list((tmp_path / "out" / "t").iterdir()) == []


def test_bad_run_id(tmp_path: Path) -> None:
    q = snapshot_query(tmp_path, [str(SYN)])
    one_error(invoke(["run", q, "--no-progress", "--run-id", "../escape"]), "--run-id")


# --- list files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("csl.json", json.dumps({"results": [{"source": "Entity List (EL) - Bureau of Industry and Security", "name": {"x": 1}, "addresses": []}]}).encode()),
        ("csl.json", b"[1, 2]"),
        ("csl.csv", b"source,name,addresses,alt_names\nEntity List (EL) - Bureau of Industry and Security\n"),
        ("csl.csv.gz", gzip.compress(b"source,name,addresses,alt_names\n" * 100)[:40]),
    ],
)
def test_list_update_bad_files(tmp_path: Path, name: str, data: bytes) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    one_error(invoke(["lists", "update", "--csl", f, "--out-dir", tmp_path / "lists"]))
    assert not (tmp_path / "lists").exists() or not any((tmp_path / "lists").iterdir())


# --- outputs safe in a spreadsheet ----------------------------------------------------


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_screen_output_neutralises_formulas_unless_raw(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pl.DataFrame({"name": FORMULAS, "note": FORMULAS}).write_csv(src)
    assert invoke(["screen", src, "--out", tmp_path / "o.csv"]).exit_code == 0
    df = pl.read_csv(tmp_path / "o.csv", infer_schema=False)
    for col in ("name", "note"):
        assert all(v.startswith("'") for v in df[col]), df[col].to_list()
    assert invoke(["screen", src, "--out", tmp_path / "raw.csv", "--raw-csv"]).exit_code == 0
    assert pl.read_csv(tmp_path / "raw.csv", infer_schema=False)["name"].to_list() == FORMULAS


def test_run_tables_and_xlsx_carry_no_formulas(tmp_path: Path) -> None:
    import zipfile

    recs = [json.loads(x) for x in SYN.read_text(encoding="utf-8").splitlines()]
    for r, f in zip(recs, FORMULAS * 100):
        r["title"] = f + " " + r["title"]
        for a in r.get("authorships") or []:
            for i in a.get("institutions") or []:
                i["display_name"] = "=HYPERLINK(\"http://evil\",\"x\")"
    s = tmp_path / "s.jsonl"
    s.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    r = invoke(["run", snapshot_query(tmp_path, [str(s)]), "--no-progress", "--run-id", "a"])
    assert r.exit_code == 0, r.output
    run = tmp_path / "out" / "t" / "a"
    n_csv = 0
    for f in run.rglob("*.csv"):
        df = pl.read_csv(f, infer_schema=False)
        for c in df.columns:
            bad = [v for v in df[c].drop_nulls() if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
            assert not bad, (f, c, bad[:3])
        n_csv += 1
    assert n_csv >= 7
    with zipfile.ZipFile(run / "report" / "report.xlsx") as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    import re

    formulas = [f for s in sheets for f in re.findall(r"<f>([^<]*)</f>", s)]
    # the only formulas are biblio's own links to identifier sites, never text from the data
    assert sheets and all(re.match(r'^HYPERLINK\((?:&quot;|")https://(doi|openalex|ror|orcid)\.org/', f) for f in formulas), formulas[:3]
    assert not any("evil" in f for f in formulas)
    parquet_titles = pl.read_parquet(run / "tables" / "works.parquet")["title"].to_list()
    assert any(t.startswith("=") for t in parquet_titles)  # Parquet keeps raw values


# --- secrets --------------------------------------------------------------------------


def test_openalex_url_credentials_are_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIBLIO_OPENALEX_URL", "https://user:s3cret@mirror.example/")
    monkeypatch.setenv("OPENALEX_API_KEY", "k3y")
    r = invoke(["check", REPO / "queries" / "dod-prc-2023-2025.toml"])
    assert r.exit_code == 0, r.output
    assert "s3cret" not in r.output and "k3y" not in r.output
    assert "https://***@mirror.example" in r.output


def test_redact_url() -> None:
    from biblio.settings import redact_url

    assert redact_url("https://a:b@h/x?api_key=SECRET&q=1") == "https://***@h/x?api_key=***&q=1"
    assert "SECRET" not in redact_url("failed for http://h/works?filter=a&API_KEY=SECRET")


# --- error lines ----------------------------------------------------------------------


def test_error_lines_escape_invisible_characters_and_stay_short(tmp_path: Path) -> None:
    for name in ("\ufeffpart\u202e\u200bners" + "y" * 180 + ".csv", "\ufeffpart\u202e\u200bners" + "y" * 100_000 + ".csv"):
        line = one_error(invoke(["screen", tmp_path / name, "--out", tmp_path / "o.csv"]))
        assert "\\ufeff" in line and "\\u202e" in line and "\\u200b" in line
    one_error(invoke(["screen", tmp_path / "a\x00b.csv", "--out", tmp_path / "o.csv"]), "NUL")


def test_unexpected_exceptions_are_one_internal_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import biblio.resolve

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    monkeypatch.setattr(biblio.resolve, "screen_csv", boom)
    (tmp_path / "in.csv").write_text("name\nMIT\n", encoding="utf-8")
    r = invoke(["screen", tmp_path / "in.csv", "--out", tmp_path / "o.csv"])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: internal error") and "BIBLIO_DEBUG=1" in lines[0]


def test_subprocess_never_prints_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "q.toml").write_text('name = "t"\n[scope]\nprc = ["cn"]\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run([sys.executable, "-m", "biblio.cli", "check", str(tmp_path / "q.toml")], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("Error: ")
    p = subprocess.run([sys.executable, "-m", "biblio.cli", "screen", "--as-of", "x"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1 and "Traceback" not in p.stderr and p.stderr.startswith("Error: ")


@pytest.mark.parametrize("text", ['"x\\ud800"', '"\\uDC00 y"', '"\\ud83d\\ude00"'])
def test_surrogate_checks_are_skipped_only_when_the_bytes_cannot_hold_one(text: str) -> None:
    from biblio.records import may_hold_surrogates, record_problem

    line = ('{"id": "https://openalex.org/W1", "title": ' + text + "}").encode()
    assert may_hold_surrogates(line)  # an escape that may be a lone surrogate: the full check runs
    assert may_hold_surrogates('{"title": "x"}'.encode("utf-8", "surrogatepass") + "\ud800".encode("utf-8", "surrogatepass"))
    assert may_hold_surrogates('{"id": "W1"}'.encode("utf-16-le"))
    clean = '{"id": "https://openalex.org/W1", "title": "Zürich \\u00e9 中国"}'.encode()
    assert not may_hold_surrogates(clean) and record_problem(json.loads(clean), surrogates=False) is None
    lone = json.loads(line)
    assert (record_problem(lone) is not None) == ("\\ud83d\\ude00" not in text)  # a proper pair is fine
