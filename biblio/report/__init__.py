"""Reports: tables, plots, the HTML report, the XLSX workbook, the run manifest, rebuild and diff.

Example:
    >>> from biblio.report import write_run, rebuild, diff_runs, award_lookup      # doctest: +SKIP
"""

from biblio.report.money import AWARD_RECORD_SCHEMA, award_records_from_json, read_award_records
from biblio.report.partners import load_list_families, with_partners
from biblio.report.run import award_lookup, build_manifest, diff_runs, diff_summary, latest_run, query_differences, rebuild, write_run
from biblio.report.tables import (
    ReportContext,
    all_tables,
    award_view,
    awards,
    by_agency,
    by_list,
    by_year,
    evidence,
    headline,
    headline_sentence,
    house_comparison,
    list_by_agency,
    load_tech_areas,
    money_by_agency,
    money_by_partner,
    prc_partners,
    report_context,
    tech_areas,
    us_authors,
    us_institutions,
)

__all__ = [
    "AWARD_RECORD_SCHEMA",
    "ReportContext",
    "all_tables",
    "award_lookup",

    "award_records_from_json",
    "award_view",
    "awards",
    "build_manifest",
    "by_agency",
    "by_list",
    "by_year",
    "diff_runs",
    "diff_summary",

    "evidence",
    "headline",
    "headline_sentence",
    "house_comparison",
    "latest_run",
    "list_by_agency",
    "load_list_families",
    "load_tech_areas",
    "money_by_agency",
    "money_by_partner",
    "prc_partners",
    "query_differences",
    "read_award_records",
    "rebuild",
    "report_context",
    "tech_areas",
    "us_authors",
    "us_institutions",
    "with_partners",
    "write_run",
]
