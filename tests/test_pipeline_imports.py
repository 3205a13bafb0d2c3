"""Fixed costs: a run imports neither matplotlib (a helper process draws the figures) nor pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import datetime as dt, json, sys
from biblio.pipeline import run_query
from biblio.query import load_query
r = run_query(load_query(sys.argv[1]), output_dir=sys.argv[2], run_id="i", as_of=dt.date(2026, 11, 1))
print(json.dumps({"modules": sorted(m for m in ("matplotlib", "pandas") if m in sys.modules),
                  "plots": sorted(p.name for p in (r.run_dir / "report" / "plots").iterdir()), "timings": sorted(r.timings)}))
"""


def test_a_run_leaves_matplotlib_to_the_helper_and_never_imports_pandas(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BIBLIO_PLOT_WORKER": "1"}  # a helper whatever the load
    p = subprocess.run([sys.executable, "-c", SCRIPT, str(REPO / "queries" / "synthetic.toml"), str(tmp_path / "out")],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["modules"] == []  # matplotlib: drawn by the helper; pandas: no Python value made an Arrow scalar
    assert len(got["plots"]) == 12  # six figures, PNG and SVG
    assert {"matcher_build_s", "matcher_wait_s", "report_stage_tables_s", "report_tables_s", "report_workbook_s", "report_plots_wait_s", "report_page_s", "report_svg_wait_s"} <= set(got["timings"])
