"""Report v2: headline, roll-up, money, US side, signals, workbook, synthetic markers, rebuild, diff, award view."""

from __future__ import annotations

import re

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from biblio.cli import main
from biblio.errors import ReportError
from biblio.pipeline import run_query
from biblio.query import load_query
from biblio.report import award_lookup, diff_runs, headline_sentence, latest_run, rebuild, report_context, tech_areas
from biblio.report.money import award_records_from_json, award_table
from biblio.report.partners import with_partners
from biblio.resolve import ResolveResult
from biblio.settings import Settings
from biblio.tables import WorksTables

REPO = Path(__file__).resolve().parent.parent
SECRET = "sk-test-secret-key-0000"
AS_OF = dt.date(2026, 11, 1)
SUMMARY_TABLES = ("headline", "house_comparison", "by_year", "by_agency", "by_list", "list_by_agency", "prc_partners", "us_institutions",
                  "us_authors", "awards", "money_by_agency", "money_by_partner", "award_view", "signals_dual_affiliation",
                  "signals_prc_state_funding", "tech_areas", "evidence", "evidence_flags")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The labelled SYNTHETIC sample (fast; exercises every matching path)."""
    out = tmp_path_factory.mktemp("runs")
    s = Settings(api_key=SECRET, cache_dir=out / "cache")
    return run_query(load_query(REPO / "queries" / "synthetic.toml"), settings=s, output_dir=out, run_id="a", as_of=AS_OF).run_dir


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real demo: the House committee's papers plus SYNTHETIC award amounts."""
    out = tmp_path_factory.mktemp("demo")
    return run_query(load_query(REPO / "queries" / "demo.toml"), output_dir=out, run_id="d", as_of=AS_OF).run_dir


def _stage(run: Path) -> tuple[WorksTables, ResolveResult]:
    t = WorksTables.read(run / "tables")
    return t, ResolveResult(flags=pl.read_parquet(run / "tables" / "flags.parquet"), affiliations=pl.read_parquet(run / "tables" / "affiliations.parquet"))


def _h(run: Path) -> dict[str, float | None]:
    h = pl.read_parquet(run / "report" / "headline.parquet")
    return dict(zip(h["measure"], h["value"]))


def test_outputs_exist_and_every_table_is_marked_synthetic(run: Path) -> None:
    for name in SUMMARY_TABLES:
        csv = pl.read_csv(run / "report" / f"{name}.csv", infer_schema_length=0)
        assert "synthetic" in csv.columns, name
        if csv.height:
            assert set(csv["synthetic"]) == {"true"}, name  # every record of this run is synthetic
    for plot in ("by_year", "by_agency", "top_partners", "list_by_agency", "tech_areas", "money_by_agency"):
        svg = (run / "report" / "plots" / f"{plot}.svg").read_text(encoding="utf-8")
        assert re.search(r"<text[^>]*>[^<]*SYNTHETIC", svg), plot  # as text a reader can search and select, not glyph paths
    assert latest_run(run.parent.parent, "synthetic") == run


def test_manifest_records_the_run_and_never_the_key(run: Path) -> None:
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["query_sha256"] == load_query(REPO / "queries" / "synthetic.toml").file_sha256
    assert m["synthetic_data_present"] is True and m["synthetic_records"] == m["counts"]["works"]
    assert m["settings"]["api_key_set"] is True and "api_key" not in m["settings"]
    for p in run.rglob("*"):
        if p.is_file() and p.suffix in {".json", ".csv", ".html", ".svg"}:
            assert SECRET not in p.read_text(encoding="utf-8", errors="ignore"), p


def test_headline_never_sums_designations_and_assessments(run: Path) -> None:
    v = _h(run)
    flags = with_partners(pl.read_parquet(run / "tables" / "flags.parquet"))
    gov = flags.filter((pl.col("family") == "government") & pl.col("listed_at_publication"))["work_id"].unique()
    ass = flags.filter(pl.col("family") == "assessment")["work_id"].unique()
    assert v["papers_government_list_at_publication"] == gov.len() > 0
    assert v["papers_assessment_only"] == ass.filter(~ass.is_in(gov.implode())).len() > 0
    assert v["share_government_list_at_publication"] == round(gov.len() / v["papers_in_scope"], 4)
    risk = sum(v[f"papers_assessment_only_aspi_{k}"] for k in ("very_high", "high", "medium", "low")) + v["papers_assessment_only_unrated"]
    assert risk == v["papers_assessment_only"]
    s = headline_sentence(pl.read_parquet(run / "report" / "headline.parquet"), window=(dt.date(2023, 6, 1), dt.date(2025, 6, 30)))
    assert s.startswith(f"{int(v['papers_in_scope'])} DoD-funded papers with PRC co-authors (published 1 Jun 2023 to 30 Jun 2025)")
    assert f"{int(v['papers_assessment_only'])} more only on the ASPI tracker" in s and "SYNTHETIC" in s


def test_partners_are_rolled_up(run: Path) -> None:
    p = pl.read_parquet(run / "report" / "prc_partners.parquet")
    assert not p["partner_name"].str.starts_with("[raw]").any()
    beihang = p.filter(pl.col("partner_name").str.contains("(?i)beihang|aeronautics and astronautics"))
    assert beihang.height == 1, beihang  # raw strings under two list spellings are one partner
    assert {"BIS Entity List", "Seven Sons"} <= set(beihang["lists_any_edition"][0].split("; "))
    assert p["partner_key"].n_unique() == p.height


def test_money_counts_each_award_once() -> None:
    awards = pl.DataFrame(
        {"work_id": ["W1", "W2", "W3", "W3"], "award_id": [None] * 4, "award_number": ["FA9550-23-1-0101", "FA9550 23 1 0101", "W81XWH-21-1-0001", "W81XWH‐21‐1‐0001"],
         "funder_id": ["F4320338279", "F4320306078", "F4320338273", "F4320306078"], "funder_name": ["AFOSR", "DoD", "CDMRP", "DoD"], "award_doi": [None] * 4,
         "schema": ["current"] * 4, "is_dod": [True] * 4, "agency": ["AFOSR", "AFOSR", "CDMRP", "DoD"], "agency_source": ["funder_id"] * 4}
    )
    recs = award_records_from_json([
        {"id": "G1", "funder_award_id": "FA9550-23-1-0101", "funder": {"id": "F4320338279"}, "amount": 500000, "currency": "USD"},
        {"id": "G2", "funder_award_id": "W81XWH-21-1-0001", "funder": {"id": "F4320338273"}, "amount": 900000, "currency": "USD", "biblio_synthetic": True},
        {"id": "G3", "funder_award_id": "W81XWH-21-1-0001", "funder": {"id": "F4320306078"}, "amount": 900000, "currency": "USD", "biblio_synthetic": True},
    ])

    class T:  # the two frames award_table reads
        pass

    tt = T()
    tt.awards = awards
    a = award_table(tt, recs)
    assert a.height == 2 and a["amount_usd"].sum() == 1_400_000
    cdmrp = a.filter(pl.col("agency") == "CDMRP")
    assert cdmrp["records"][0] == 2 and cdmrp["synthetic"][0] and cdmrp["papers"][0] == 1
    assert a.filter(pl.col("agency") == "AFOSR")["papers"][0] == 2


def test_demo_runs_on_real_house_papers_with_labelled_synthetic_amounts(demo: Path) -> None:
    m = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    assert m["synthetic_records"] == 0 and m["synthetic_award_records"] > 100
    v = _h(demo)
    assert 500 < v["papers_in_scope"] <= 1418
    assert 0 < v["awards_with_amount"] < v["dod_award_numbers"] and 0 < v["award_amount_coverage"] < 1
    assert v["amount_usd_all_awards"] > v["amount_usd_government_list"] > 0
    assert v["papers_prc_state_cofunding"] > 50 and v["papers_dual_affiliation"] > 0
    html = (demo / "report.html").read_text(encoding="utf-8")
    assert "These amounts are SYNTHETIC" in html and "10.5555/" not in html
    hc = pl.read_parquet(demo / "report" / "house_comparison.parquet")
    assert "1,418" in hc["house"][0] and "700" in hc["house"][1]
    us = pl.read_parquet(demo / "report" / "us_institutions.parquet")
    assert us.height > 20 and us["papers_government_list"].max() > 0
    money = pl.read_parquet(demo / "report" / "money_by_agency.parquet")
    assert money["awards"].sum() == v["dod_award_numbers"]  # each award under exactly one agency


def test_award_view_and_cli(demo: Path) -> None:
    view = pl.read_parquet(demo / "report" / "award_view.parquet")
    number = view.group_by("award_number").len().sort("len", descending=True)["award_number"][0]
    d = award_lookup(demo, number)
    assert d.height >= 1 and d["evidence"].null_count() == 0
    r = CliRunner().invoke(main, ["award", number, str(demo)])
    assert r.exit_code == 0, r.output
    assert "papers with a listed partner" in r.output
    bad = CliRunner().invoke(main, ["award", "N00014-99-9-9999", str(demo)])
    assert bad.exit_code == 1 and bad.output.startswith("Error: award N00014-99-9-9999:")


def test_workbook_is_for_program_officers(demo: Path) -> None:
    wb = openpyxl.load_workbook(demo / "report" / "report.xlsx")
    assert wb.sheetnames[:4] == ["Summary", "Papers", "Evidence", "Awards"] and "US institutions" in wb.sheetnames and "PRC institutions" in wb.sheetnames
    summ = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("DoD-funded papers with PRC co-authors (published" in c for c in summ)
    assert any("SYNTHETIC" in c for c in summ) and any("edition" in c.lower() for c in summ)
    papers = wb["Papers"]
    assert papers.freeze_panes == "A2" and papers.auto_filter.ref
    doi = next(c for c in papers[1] if c.value == "doi").column
    assert papers.cell(2, doi).hyperlink.target.startswith("https://doi.org/10.")
    ev = pl.read_parquet(demo / "report" / "evidence.parquet")
    assert papers.max_row == ev.height + 1 and ev.height > 100  # every paper a row (the demo is under the cap)
    cells = [r[doi - 1] for r in papers.iter_rows(min_row=2)]
    dois = [c for c in cells if (c.value or "").startswith("10.")]
    assert len(dois) > 100 and all(c.hyperlink.target == f"https://doi.org/{c.value}" for c in dois)  # every DOI a link to itself
    us = wb["US institutions"]
    col = {c.value: c.column for c in us[1]}
    assert us.cell(2, col["papers_with_listed_partner"]).number_format == "#,##0"
    money = wb["Money by agency"]
    mcol = {c.value: c.column for c in money[1]}
    assert money.cell(2, mcol["amount_coverage"]).number_format == "0.0%"
    assert all((d.width or 0) <= 61 for d in papers.column_dimensions.values())


def test_tech_area_mapping_is_data(run: Path) -> None:
    t, r = _stage(run)
    custom = tech_areas(report_context(t, r), mapping={"only_quantum": ["quantum"]})
    assert custom["area"].to_list() == ["only_quantum"] and custom["papers"][0] > 0
    labels = pl.read_parquet(run / "report" / "tech_areas.parquet")["label"].to_list()
    assert "Aerospace & hypersonics" in labels and "aerospace_hypersonics" not in labels


def test_partial_years_are_marked(run: Path) -> None:
    y = pl.read_parquet(run / "report" / "by_year.parquet")
    partial = dict(zip(y["year"], y["partial_year"]))
    assert partial[2023] and partial[2025] and not partial[2024]


def test_rebuild_regenerates_the_report_from_stored_tables(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "report")
    (copy / "report.html").unlink()
    rebuild(copy)
    assert (copy / "report.html").exists()
    assert_frame_equal(pl.read_parquet(copy / "report" / "evidence.parquet"), pl.read_parquet(run / "report" / "evidence.parquet"))
    r = CliRunner().invoke(main, ["report", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "not a run directory" in r.output


def test_diff_lists_new_removed_and_changed(run: Path, tmp_path: Path) -> None:
    b = tmp_path / "b"
    shutil.copytree(run, b)
    flags = pl.read_parquet(b / "tables" / "flags.parquet")
    works = pl.read_parquet(b / "tables" / "works.parquet")
    gone_work = works["work_id"][0]
    changed = flags.filter(pl.col("work_id") != gone_work).row(0, named=True)
    flags = flags.filter(pl.col("work_id") != gone_work).with_columns(
        pl.when((pl.col("work_id") == changed["work_id"]) & (pl.col("entity_key") == changed["entity_key"]) & (pl.col("author_index") == changed["author_index"]) & (pl.col("list_key") == changed["list_key"]))
        .then(pl.lit(not changed["listed_now"])).otherwise(pl.col("listed_now")).alias("listed_now")
    )
    flags.write_parquet(b / "tables" / "flags.parquet")
    works.filter(pl.col("work_id") != gone_work).write_parquet(b / "tables" / "works.parquet")
    d = diff_runs(run, b)
    assert d.filter((pl.col("kind") == "paper") & (pl.col("change") == "removed"))["work_id"].to_list() == [gone_work]
    ch = d.filter(pl.col("change") == "changed")
    assert ch.height == 1 and "listed_now" in ch["detail"][0]
    assert diff_runs(run, run).height == 0
    out = CliRunner().invoke(main, ["diff", str(run), str(b), "--out", str(tmp_path / "d.csv")])
    assert out.exit_code == 0 and (tmp_path / "d.csv").exists()
    assert "papers removed: 1" in out.output and "flags changed: 1" in out.output and "warning" not in out.output
    m = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    m["query_sha256"], m["query"]["scope"] = "x", "cn"
    (b / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    warned = CliRunner().invoke(main, ["diff", str(run), str(b)])
    assert "warning: the two runs used different queries (scope)" in warned.output
    with pytest.raises(ReportError, match="manifest.json: missing"):
        (tmp_path / "empty").mkdir()
        diff_runs(run, tmp_path / "empty")


def test_existing_run_id_fails_before_any_work(run: Path) -> None:
    q = load_query(REPO / "queries" / "synthetic.toml")
    r = CliRunner().invoke(main, ["run", str(REPO / "queries" / "synthetic.toml"), "--out", str(run.parent.parent), "--run-id", run.name, "--no-progress"])
    assert r.exit_code == 1 and "already exists" in r.output
    assert "fetched" not in r.output and q.name == "synthetic"


def test_lists_prints_a_table_that_fits() -> None:
    r = CliRunner().invoke(main, ["lists"])
    assert r.exit_code == 0
    assert "BIS Entity List" in r.output and "str" not in r.output.split("\n")[3]
    assert max(len(line) for line in r.output.splitlines()) <= 160


def test_page_and_workbook_cut_large_tables_and_say_so(demo: Path, tmp_path: Path) -> None:
    from biblio.report.caps import top_works
    from biblio.report.html import shown_tables
    from biblio.report.xlsx import write_workbook

    rt = {n: pl.read_parquet(demo / "report" / f"{n}.parquet") for n in SUMMARY_TABLES}
    ev = rt["evidence"]
    shown, notes = shown_tables(rt, 25)
    assert shown["evidence"].height == 25 and "dt-evidence" in notes and "of {:,} rows".format(ev.height) in str(notes["dt-evidence"])
    assert 'href="report/evidence.csv"' in str(notes["dt-evidence"])
    top = shown["evidence"]
    assert top["government_at_publication"].all() == (ev["government_at_publication"].sum() >= 25)  # the most serious papers first
    assert set(shown["evidence_flags"]["work_id"]) <= set(top["work_id"])
    assert shown["evidence"]["work_id"].to_list() == ev.filter(pl.col("work_id").is_in(top_works(ev, 25)["work_id"].implode()))["work_id"].to_list()
    summary = {"title": "t", "sentence": "s", "editions": []}
    write_workbook(tmp_path / "w.xlsx", tables=rt, summary=summary, max_rows=25)
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    papers = list(wb["Papers"].iter_rows(values_only=True))
    assert sum(1 for r in papers[1:26] if r[0]) == 25 and papers[26][0] is None
    assert f"of {ev.height:,} rows; every row is in report/evidence.csv" in papers[27][0]
    summ = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("Papers: Showing the most serious 25") for c in summ)
    assert wb["By list"].max_row == rt["by_list"].height + 1  # small tables are whole and carry no note


def test_workbook_rows_streamed_as_xlsxwriter_writes_them(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column-wise sheet writer produces the same file, byte for byte, as writing cell by
    cell through xlsxwriter: escapes, control characters, whitespace, cuts, links and their cap, types."""
    import zipfile

    import xlsxwriter

    import biblio.report.xlsx as xlsx

    odd = ["a & b <c> \"d\"", " lead", "trail ", "ctl\x01\x1f", "_x0041_ kept", "tab\tnl\nx", "x" * 40_000, "😀" * 20_000, None, "\ufffe", "plain"]
    n = len(odd)
    df = pl.DataFrame({
        "title": odd,
        "doi": ["10.5555/x" + str(i) if i % 3 else "not a doi" for i in range(n - 3)] + ["10.5555/a#frag&b", "10.5555/b%41[c]", "10.5555/c{d}^`|&e"],
        "work_id": [f"W{i}" for i in range(n)],
        "ror": ["042nb2s44", None, "bad"] + [None] * (n - 3),
        "lists": ["a; b", "", None] + ["=c"] * (n - 3),
        "papers": [i if i % 4 else None for i in range(n)],
        "share_x": [0.123456789, None] + [i / 7 for i in range(n - 2)],
        "amount_usd": [1e20, 12345678901234567.0] + [float(i) for i in range(n - 2)],
        "publication_date": [dt.date(2024, 1, i + 1) if i % 5 else None for i in range(n)],
        "flag": [True, False, None] + [True] * (n - 3),
        "empty": pl.Series([None] * n, dtype=pl.Utf8),
        "big_count": pl.Series([10**17, -(10**16) - 3, None] + list(range(n - 3)), dtype=pl.Int64),
        "no_count": pl.Series([None] * n, dtype=pl.Int32),
    })
    rt = {n_: pl.read_parquet(demo / "report" / f"{n_}.parquet") for n_ in SUMMARY_TABLES}
    rt["evidence"] = pl.concat([rt["evidence"]] * 3)
    rt["awards"] = df
    rt["us_authors"] = df.clear()
    summary = {"title": "t", "sentence": "s", "editions": []}
    monkeypatch.setattr(xlsx, "MAX_LINKS", 40)  # the cap falls inside the evidence sheet
    streamed, stream = [], xlsx._stream_rows
    monkeypatch.setattr(xlsx, "_stream_rows", lambda ws, fm, d, k: (streamed.append(d.height), stream(ws, fm, d, k)))
    xlsx.write_workbook(tmp_path / "fast.xlsx", tables=rt, summary=summary)
    assert n in streamed and len(streamed) >= 10
    monkeypatch.setattr(xlsx, "_can_stream", lambda ws: False)
    monkeypatch.setattr(xlsx, "_Workbook", xlsxwriter.Workbook)  # xlsxwriter's own packager and relationships writer
    xlsx.write_workbook(tmp_path / "ref.xlsx", tables=rt, summary=summary)
    a, b = zipfile.ZipFile(tmp_path / "fast.xlsx"), zipfile.ZipFile(tmp_path / "ref.xlsx")
    assert a.namelist() == b.namelist()
    differ = [p for p in a.namelist() if p != "docProps/core.xml" and a.read(p) != b.read(p)]
    assert differ == []
    assert b"_x0001__x001F_" in a.read("xl/worksheets/sheet4.xml") and b"_x005F_x0041_" in a.read("xl/worksheets/sheet4.xml")
    wb = openpyxl.load_workbook(tmp_path / "fast.xlsx")
    rows = list(wb["Awards"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows][:3] == odd[:3] and rows[5][0] == odd[5] and len(rows[6][0]) == 32_000 and rows[8][0] is None
    assert rows[0][4] == "a; b" and rows[0][8] is None and rows[1][8] == dt.datetime(2024, 1, 2) and rows[0][9] is True
    assert sum(1 for r in wb["Papers"].iter_rows(min_row=2) for c in r if c.hyperlink) == 40
    doi = [c.hyperlink.target if c.hyperlink else None for c in wb["Awards"]["B"][1:]]
    assert doi[1] == "https://doi.org/10.5555/x1" and doi[3] is None and len(rows) == n
    assert doi[-3:] == ["https://doi.org/10.5555/a", "https://doi.org/10.5555/b%41[c]", "https://doi.org/10.5555/c%7bd%7d%5e%60|&e"]
    assert wb["Awards"]["B"][-3].hyperlink.location == "frag&b"


def test_top_partners_plot_keeps_partners_that_share_a_name() -> None:
    import warnings

    from biblio.report.plots import plot_top_partners

    df = pl.DataFrame({"partner_name": ["Same Name"] * 12 + ["Other"], "papers": list(range(13, 0, -1)), "families": ["government"] * 13, "lists": ["BIS Entity List"] * 13})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tight_layout warned when bars of one name piled up and their labels overflowed
        fig = plot_top_partners(df, footer="SYNTHETIC")
    ax = fig.axes[0]
    assert len(ax.patches) == 13 and sorted(round(p.get_y() + p.get_height() / 2) for p in ax.patches) == list(range(13))
    assert [t.get_text() for t in ax.get_yticklabels()].count("Same Name") == 12


def test_page_datasets_encoded_by_polars_parse_as_pythons_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import gzip

    import biblio.report.html as H

    odd = ['q"b\\s\nl', "\u2028 sep", "😀 é", "ctl\x01", "</script><!--", None, ""]
    n = len(odd)
    df = pl.DataFrame({
        "work_id": [f"W{i}" for i in range(n - 1)] + [None], "title": odd, "doi": ["10.5555/x", None] * (n // 2) + ["10.5555/y"],
        "publication_date": [dt.date(2024, 1, i + 1) if i % 3 else None for i in range(n)], "papers": [i * 10**15 if i % 2 else None for i in range(n)],
        "amount_usd": [1e20, 1e-7, 1 / 3, -0.0, None, 12345678.9, 0.1], "dual_affiliation": [True, False, None] + [True] * (n - 3), "lists": odd[::-1],
        "synthetic": [True] * n,
    })
    details = pl.DataFrame({"work_id": ["W0", "W2", "W0", "W9"], "author_name": ["a", None, "c\u2028", "d"], "score": [0.5, None, 1e-9, 2.0],
                            "listed_at_publication": [True, None, False, True]})
    cols = [("title", "Paper", "title"), ("publication_date", "Date", "text"), ("papers", "Papers", "int"), ("amount_usd", "$", "usd"),
            ("dual_affiliation", "Dual", "bool"), ("lists", "Lists", "chips"), ("work_id", "OpenAlex", "openalex"), ("missing", "Absent", "text")]
    dcols = [("author_name", "Author", "text"), ("score", "Score", "float"), ("listed_at_publication", "At pub.", "bool")]
    args = {"filters": [("lists", "List")], "details": details, "detail_columns": dcols, "title_cols": ("title", "doi")}
    unpack = lambda m: json.loads(gzip.decompress(base64.b64decode(str(m))))  # noqa: E731
    fast = H.dataset(df, cols, **args)
    assert isinstance(fast["rows"], H._Raw) and isinstance(fast["_details"], H._Raw)  # the polars path was taken
    monkeypatch.setattr(H, "_json_encodable", lambda d: False)
    ref = H.dataset(df, cols, **args)
    assert isinstance(ref["rows"], list)
    assert unpack(H._packed(fast.pop("_details"))) == unpack(H._packed(ref.pop("_details")))
    assert unpack(H._packed(fast)) == unpack(H._packed(ref))
    assert unpack(H._packed(fast))["rows"][0][:2] == [['q"b\\s\nl', "10.5555/x"], None]
    monkeypatch.undo()
    assert isinstance(H.dataset(df.with_columns(pl.lit(float("nan")).alias("amount_usd")), cols)["rows"], list)  # NaN: Python's encoder


def test_workbook_members_are_deflated_by_the_fast_compressor_without_patching_xlsxwriter(tmp_path: Path) -> None:
    import zipfile

    import xlsxwriter.workbook

    import biblio.report.xlsx as xlsx

    assert xlsx._Workbook._store_workbook.__globals__["ZipFile"] is xlsx._FastZip
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # other workbooks keep the stock zip
    body = b"".join(b"<row r=\"%d\"><c t=\"s\"><v>%d</v></c></row>" % (i, i * 7) for i in range(20_000))
    (tmp_path / "m.xml").write_bytes(body)
    with xlsx._FastZip(tmp_path / "z.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(tmp_path / "m.xml", "a.xml")
        z.writestr("b.xml", body)
    with zipfile.ZipFile(tmp_path / "z.zip") as z:
        assert z.testzip() is None  # every member's CRC checks
        assert [i.compress_type for i in z.infolist()] == [zipfile.ZIP_DEFLATED] * 2
        assert z.read("a.xml") == body == z.read("b.xml")
        assert z.getinfo("a.xml").compress_size < len(body) // 5
    summary = {"title": "t", "sentence": "s", "editions": []}
    xlsx.write_workbook(tmp_path / "w.xlsx", tables={"headline": pl.DataFrame({"label": ["papers"], "value": [3.0], "unit": ["count"], "note": [None]}, schema_overrides={"note": pl.Utf8})}, summary=summary)
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        assert z.testzip() is None and {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
    assert ("papers", 3) in [r[:2] for r in openpyxl.load_workbook(tmp_path / "w.xlsx")["Summary"].iter_rows(values_only=True)]


def test_page_payload_is_plain_gzip_the_same_bytes_each_time() -> None:
    """The page's packed tables are one gzip member without a timestamp (ISA-L's fast level):
    the standard reader unpacks them, and the same data gives the same bytes."""
    import base64
    import gzip
    import json

    from biblio.report import html as H

    obj = {"rows": [[f"W{i}", f"paper {i % 97}", i] for i in range(5000)]}
    a, b = str(H._packed(obj)), str(H._packed(obj))
    raw = base64.b64decode(a)
    assert a == b and raw[:4] == b"\x1f\x8b\x08\x00" and raw[4:8] == b"\x00\x00\x00\x00"  # gzip, deflate, no name, mtime 0
    assert json.loads(gzip.decompress(raw)) == obj and len(raw) < len(json.dumps(obj)) / 3
