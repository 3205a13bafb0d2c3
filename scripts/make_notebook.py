"""Write notebooks/analysis.ipynb (the analysis notebook) and execute it in place, from notebooks/.

    python scripts/make_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NB = REPO / "notebooks" / "analysis.ipynb"

CELLS: list[tuple[str, str]] = [
    ("md", """# DoD-funded research with PRC partners: an analysis of the House committee's papers

This notebook reproduces, paper by paper, the analysis behind the House Select Committee on the CCP's
*Fox in the Henhouse* (Sept 2025) on **the committee's own papers** (their OpenAlex records, CC0, and
Crossref funder entries, shipped in `biblio/data/house/`), then drills down by list family, by PRC
institution, by U.S. institution and by award, and compares its figures with the committee's.

> **Real papers, SYNTHETIC money.** The papers, funders, authors and affiliations are real. No award record
> with an amount is available offline, so the demo attaches **SYNTHETIC** amounts to the real award numbers
> (`biblio/data/synthetic_awards/`, every record labelled). Dollar figures below show the method, not real money.

It runs from the repository root or from `notebooks/`, offline, in about a minute."""),
    ("code", """%matplotlib inline
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

# Work from the repository root whether the notebook was opened there or in notebooks/.
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "queries" / "demo.toml").exists())
os.chdir(ROOT)
sys.path.insert(0, str(ROOT))

import polars as pl
from biblio.query import load_query
from biblio.pipeline import run_query
from biblio import report
from biblio.report import plots

pl.Config.set_tbl_rows(15)
pl.Config.set_fmt_str_lengths(60)
q = load_query("queries/demo.toml")
q.name, q.date_from, q.date_to, q.scope"""),
    ("md", """## 1. Run the pipeline
One call does fetch (here: the local snapshot) → tables → resolution against the entity lists → report.
The run folder holds every table as Parquet and CSV, the workbook, the plots and `report.html`."""),
    ("code", """run = run_query(q, output_dir=Path(tempfile.mkdtemp()), run_id="notebook", as_of=dt.date(2026, 11, 1))
R = run.run_dir / "report"
t = {p.stem: pl.read_parquet(p) for p in R.glob("*.parquet")}
print(run.counts)"""),
    ("md", """## 2. The headline
U.S. government designations and think-tank assessments are counted separately: they are never added into one share."""),
    ("code", """w = (q.date_from, q.date_to)
print(report.headline_sentence(t["headline"], window=w))
t["headline"].select("label", "value", "unit").head(10)"""),
    ("md", """## 3. Compared with the House committee
The committee reported more than 1,400 papers and 700–800 with "defense entities", a count that mixes U.S.
designations (1260H, Entity List) with assessments (Seven Sons, SASTIND). Our figures differ for the reasons below."""),
    ("code", """from biblio.report.tables import house_reasons
display(t["house_comparison"].select("measure", "house", "this_run"))
for r in house_reasons():
    print("-", r)"""),
    ("md", """## 4. By list family
Papers per list, at publication and on any edition; partners are counted after roll-up (a raw string that
resolves to Beihang is Beihang)."""),
    ("code", """t["by_list"].select("list_label", "family", "editions", "papers_at_publication", "papers_any_edition", "partners")"""),
    ("code", """footer = "demo: real House committee papers; SYNTHETIC award amounts"
plots.plot_list_agency_heatmap(t["list_by_agency"], footer=footer)"""),
    ("md", """## 5. By PRC institution
The top partners, coloured by list family (red: on a U.S. government list at publication; blue: assessment only)."""),
    ("code", """plots.plot_top_partners(t["prc_partners"], footer=footer)"""),
    ("code", """# drill down: every paper with one partner, and how each flag was matched
partner = t["prc_partners"].filter(pl.col("papers_government_list") > 0)["partner_name"][0]
ev = t["evidence_flags"].filter(pl.col("partner_name") == partner)
print(partner, "-", ev["work_id"].n_unique(), "papers")
ev.select("work_id", "author_name", "raw_affiliation_string", "list_label", "list_edition", "method").unique(["work_id", "author_name"]).head(8)"""),
    ("md", """## 6. The U.S. side
Which U.S. institutions co-publish DoD-funded work with listed partners, with how many awards."""),
    ("code", """t["us_institutions"].select("institution_name", "papers_with_listed_partner", "papers_government_list", "awards", "amount_usd", "lists").head(10)"""),
    ("code", """# drill down: one U.S. institution's papers with a U.S.-government-listed partner
inst = t["us_institutions"]["institution_name"][0]
ids = pl.read_parquet(run.run_dir / "tables" / "authorship_institutions.parquet").filter(pl.col("institution_name") == inst)["work_id"].unique()
t["evidence"].filter(pl.col("work_id").is_in(ids.implode()) & pl.col("government_at_publication")).select("doi", "title", "government_listed_partners", "agencies").head(8)"""),
    ("md", """## 7. Money and the per-award view
Each award counted once however many papers cite it; an award filed under two DoD funders counted once;
coverage is the share of cited DoD award numbers that have an amount. **Amounts here are SYNTHETIC.**"""),
    ("code", """print(t["headline"].filter(pl.col("measure").str.contains("award|amount")).select("label", "value"))
plots.plot_money_by_agency(t["money_by_agency"], synthetic_amounts=True, footer=footer)"""),
    ("code", """# the program officer's view of one award: papers → listed partners → evidence
number = t["award_view"].group_by("award_number").len().sort("len", descending=True)["award_number"][0]
report.award_lookup(run.run_dir, number).select("award_number", "amount_usd", "doi", "partner_name", "lists", "evidence").head(8)"""),
    ("md", """## 8. Signals
Dual affiliation (one author with a non-PRC and a listed PRC institution on the same paper) and PRC state
co-funding (NSFC, the National Key R&D Program, CAS, CSC, provincial foundations …)."""),
    ("code", """print(t["signals_dual_affiliation"]["work_id"].n_unique(), "papers with a dual affiliation")
t["signals_prc_state_funding"].group_by("prc_family").agg(pl.col("work_id").n_unique().alias("papers")).sort("papers", descending=True)"""),
    ("md", """## 9. Over time
Partial years (the window's edges) are marked on the chart."""),
    ("code", """plots.plot_by_year(t["by_year"], footer=footer)"""),
    ("md", """The full report is `report.html` in the run folder; every table is in `report.xlsx` and as CSV/Parquet.
A flag says an author's institution matches a list entry; it is not evidence of wrongdoing by any author."""),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src) for kind, src in CELLS]
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NB.parent)}}).execute()
    nbformat.write(nb, NB)
    print(f"wrote {NB}")


if __name__ == "__main__":
    main()
