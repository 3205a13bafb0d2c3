"""XLSX workbook speed: CPU seconds of ``write_workbook`` on SYNTHETIC report tables, this
checkout against another revision's ``biblio/report/xlsx.py`` (default ``main``) in the same run.

    python benchmarks/workbook_speed.py                   # 10,000 flagged works and 10x that, vs main
    python benchmarks/workbook_speed.py 2000 10000 --base HEAD~1 --repeat 3 --tile 0

The report tables come from ``report_scale.build_report`` (SYNTHETIC: built, resolved and
written once, not timed; cached in ``--cache``); ``--tile`` repeats the per-paper tables of the
largest size (100,000 flagged papers from 10,000 without resolving 4M authorships). Each timing reads the tables as the run
does (evidence, evidence_flags and award_view lazily from Parquet), builds the summary (not
timed) and writes the workbook; the best of ``--repeat`` CPU times is printed with the
file's size, its sheets' rows and links, the process peak RSS, the load average and the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from _synth import machine  # noqa: E402

from biblio.lists import load_lists  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LAZY = ("evidence", "evidence_flags", "award_view")


def cached_report(n: int, cache: Path) -> Path:
    """The run folder of a report for about ``n`` flagged SYNTHETIC works (built once)."""
    rd = cache / f"run{n}"
    if (rd / "manifest-bench.json").exists():
        return rd
    import report_scale
    from biblio.report import run as report_run

    seen: dict[str, Any] = {}
    write = report_run._write_report

    def keep(run_dir: Path, frames: Any, manifest: dict[str, Any], editions: Any, *a: Any, **k: Any) -> Any:
        seen["manifest"] = manifest
        return write(run_dir, frames, manifest, editions, *a, **k)

    report_run._write_report = report_scale._write_report = keep
    try:
        report_scale.build_report(n, cache)
    finally:
        report_run._write_report = report_scale._write_report = write
    (rd / "manifest-bench.json").write_text(json.dumps(seen["manifest"], default=str), encoding="utf-8")
    return rd


def tiled_report(rd: Path, k: int) -> Path:
    """A copy of run folder ``rd`` whose per-paper tables (those with ``work_id``) hold ``k`` copies
    of every row, each copy's work IDs made new (``W…`` + copy number): ``k`` times the flagged papers."""
    out = rd.parent / f"{rd.name}x{k}"
    if (out / "manifest-bench.json").exists():
        return out
    (out / "report").mkdir(parents=True, exist_ok=True)
    for p in (rd / "report").glob("*.parquet"):
        df = pl.read_parquet(p)
        if "work_id" in df.columns and df.schema["work_id"] == pl.Utf8:
            df = pl.concat([df.with_columns(pl.col("work_id") + str(i)) for i in range(k)])
        df.write_parquet(out / "report" / p.name)
    (out / "manifest-bench.json").write_bytes((rd / "manifest-bench.json").read_bytes())
    return out


def tables_and_summary(rd: Path) -> tuple[dict[str, pl.DataFrame | pl.LazyFrame], dict[str, Any]]:
    """The report tables as the run holds them, and the workbook's summary."""
    from biblio.report.run import _footer, _window
    from biblio.report.summary import build_summary

    rt: dict[str, pl.DataFrame | pl.LazyFrame] = {}
    for p in sorted((rd / "report").glob("*.parquet")):
        rt[p.stem] = pl.scan_parquet(p) if p.stem in LAZY else pl.read_parquet(p)
    m = json.loads((rd / "manifest-bench.json").read_text(encoding="utf-8"))
    return rt, build_summary(manifest=m, report_tables=rt, editions=load_lists().editions, window=_window(m), footer=_footer(m))


def module_at(rev: str) -> ModuleType:
    """``biblio/report/xlsx.py`` as it is at git revision ``rev``, loaded as its own module."""
    src = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:biblio/report/xlsx.py"], check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "xlsx_base.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("xlsx_base", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def contents(path: Path) -> tuple[int, int, int]:
    """(sheets, rows, links) of a written workbook: a link is a hyperlink element or a HYPERLINK formula."""
    rows = links = 0
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
        for n in sheets:
            x = z.read(n)
            rows += x.count(b"<row ")
            links += x.count(b"<hyperlink ") + x.count(b"<f>HYPERLINK(")
    return len(sheets), rows, links


def time_one(mod: ModuleType, rd: Path, out: Path, repeat: int) -> tuple[float, float]:
    """(best CPU seconds, its wall seconds) of ``mod.write_workbook`` over ``repeat`` runs."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        rt, summary = tables_and_summary(rd)
        t0, c0 = time.perf_counter(), time.process_time()
        mod.write_workbook(out, tables=rt, summary=summary)
        best = min(best, (time.process_time() - c0, time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000])
    ap.add_argument("--base", default="main", help="git revision of biblio/report/xlsx.py to compare with")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tile", type=int, default=10, help="also time the largest size's tables repeated this many times (0: never)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "biblio-workbook-bench")
    a = ap.parse_args()
    import biblio.report.xlsx as new

    base = module_at(a.base)
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    runs = [cached_report(n, a.cache) for n in a.sizes]
    if a.tile > 1:
        runs.append(tiled_report(runs[-1], a.tile))
    for rd in runs:
        ev = pl.scan_parquet(rd / "report" / "evidence.parquet").select(pl.len()).collect().item()
        for name, mod in ((f"base ({a.base})", base), ("this checkout", new)):
            out = rd / f"bench-{name.split()[0]}.xlsx"
            cpu, wall = time_one(mod, rd, out, a.repeat)
            sheets, rows, links = contents(out)
            print(f"{ev:,} SYNTHETIC evidence rows, {name}: write_workbook {cpu:.2f} CPU-s ({wall:.2f} s wall, best of {a.repeat}); "
                  f"{out.stat().st_size / 1e6:.1f} MB, {sheets} sheets, {rows:,} rows, {links:,} links; load {os.getloadavg()[0]:.2f}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
