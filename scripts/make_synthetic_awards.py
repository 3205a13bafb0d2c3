"""Make the demo's SYNTHETIC award records: invented amounts for real DoD award numbers.

    python scripts/make_synthetic_awards.py

No award record with an amount is available offline, so the demo's money section would be
empty. This writes ``biblio/data/synthetic_awards/award_records.jsonl``: for about 60% of the
DoD award numbers cited by the papers of ``queries/fox-in-the-henhouse.toml`` (real numbers),
one award record in the OpenAlex ``/awards`` shape with an INVENTED amount and dates, marked
``biblio_synthetic: true`` and titled ``[SYNTHETIC]``. Some CDMRP awards get a second record
under the umbrella DoD funder, as OpenAlex files them, to show that an award counts once.
Deterministic: amounts come from a hash of the award number.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from biblio.pipeline import fetch_records  # noqa: E402
from biblio.query import load_query  # noqa: E402
from biblio.report.money import dod_award_numbers  # noqa: E402
from biblio.tables import flatten  # noqa: E402

OUT = REPO / "biblio" / "data" / "synthetic_awards" / "award_records.jsonl"
RANGES = {"DARPA": (600_000, 6_000_000), "CDMRP": (300_000, 2_500_000), "DTRA": (300_000, 2_000_000)}  # else 150k-1.5M
FUNDER = {"ONR": "F4320337345", "AFOSR": "F4320338279", "ARO": "F4320338281", "DARPA": "F4320332180", "CDMRP": "F4320338273", "DTRA": "F4320332186"}
DOD = "F4320306078"


def _h(s: str) -> int:
    return int(hashlib.sha256(s.encode()).hexdigest()[:12], 16)


def main() -> None:
    q = load_query(REPO / "queries" / "fox-in-the-henhouse.toml")
    t = flatten(fetch_records(q).records)
    cited = dod_award_numbers(t.awards).unique("award_key").sort("award_key")
    rows = []
    for i, r in enumerate(cited.iter_rows(named=True)):
        h = _h(r["award_key"])
        if h % 10 >= 6:  # ~40% of awards get no record: coverage below 100%, as in OpenAlex
            continue
        lo, hi = RANGES.get(r["agency"] or "", (150_000, 1_500_000))
        amount = round((lo + h % (hi - lo)) / 1000) * 1000
        year = 2019 + h % 5
        rec = {
            "id": f"https://openalex.org/G99{i:07d}",
            "display_name": f"[SYNTHETIC] award record for {r['award_number']}",
            "funder_award_id": r["award_number"],
            "funder": {"id": f"https://openalex.org/{FUNDER.get(r['agency'] or '', DOD)}", "display_name": r["funder_name"]},
            "amount": amount,
            "currency": "USD",
            "start_date": f"{year}-0{1 + h % 9}-01",
            "end_date": f"{year + 3}-0{1 + h % 9}-01",
            "biblio_synthetic": True,
        }
        rows.append(rec)
        if r["agency"] == "CDMRP" and h % 2 == 0:  # filed twice, under CDMRP and the umbrella DoD
            rows.append({**rec, "id": f"https://openalex.org/G98{i:07d}", "funder": {"id": f"https://openalex.org/{DOD}", "display_name": "U.S. Department of Defense"}})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    print(f"wrote {OUT}: {len(rows)} SYNTHETIC award records for {cited.height} cited DoD award numbers")


if __name__ == "__main__":
    main()
