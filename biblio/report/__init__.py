"""Reports: tables, plots, the HTML report, the XLSX workbook, the run manifest, rebuild and diff.

Example:
    >>> from biblio.report import write_run, rebuild, diff_runs, award_lookup      # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

#: Public names by the submodule that defines them. They are imported on first use (PEP 562),
#: so a process that needs one submodule (the plot helper: :mod:`biblio.report.figures`) does not
#: pay for the others (pyarrow.parquet, Jinja2, the report tables: ~0.3 CPU-s).
_EXPORTS = {
    "money": ("AWARD_RECORD_SCHEMA", "award_records_from_json", "read_award_records"),
    "partners": ("load_list_families", "with_partners"),
    "run": ("award_lookup", "build_manifest", "diff_runs", "diff_summary", "latest_run", "query_differences", "rebuild", "write_run"),
    "tables": (
        "ReportContext", "all_tables", "award_view", "awards", "by_agency", "by_list", "by_year", "evidence", "headline", "headline_sentence",
        "house_comparison", "list_by_agency", "load_tech_areas", "money_by_agency", "money_by_partner", "prc_partners", "report_context",
        "tech_areas", "us_authors", "us_institutions",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name's submodule on first use; a submodule's name imports it (as the
    eager imports did: ``import biblio.report`` then ``biblio.report.tables``).

    >>> __getattr__("by_year").__name__
    'by_year'
    >>> __getattr__("html").__name__
    'biblio.report.html'
    """
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_WHERE))


__all__ = sorted(_WHERE)
