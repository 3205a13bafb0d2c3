"""Reports: tables, plots, the HTML report, the run manifest, rebuild and diff.

Example:
    >>> from biblio.report import write_run, rebuild, diff_runs      # doctest: +SKIP
"""

from biblio.report.run import build_manifest, diff_runs, latest_run, rebuild, write_run
from biblio.report.tables import (
    all_tables,
    by_agency,
    by_institution,
    by_list,
    by_year,
    evidence,
    headline,
    list_by_agency,
    load_tech_areas,
    tech_areas,
)

__all__ = [
    "all_tables",
    "build_manifest",
    "by_agency",
    "by_institution",
    "by_list",
    "by_year",
    "diff_runs",
    "evidence",
    "headline",
    "latest_run",
    "list_by_agency",
    "load_tech_areas",
    "rebuild",
    "tech_areas",
    "write_run",
]
