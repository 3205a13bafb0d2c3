"""The stage-table copy of ``biblio run`` alone: each stage table's Parquet copied into a run
folder and its CSV written from it, by three writers, each in a fresh process (wall and CPU
seconds, peak RSS), and their CSVs compared byte for byte. Input: a run's ``tables/`` folder
(SYNTHETIC, e.g. from ``benchmarks/snapshot_scale.py``).

    python benchmarks/stage_tables_copy.py /tmp/biblio-bench-out-XXXX/bench-1000000/RUN/tables [--repeat 2] [--batch-mb 32] [--writers batches,row_group]

Writers: ``batches`` (``write_frame`` now: whole row groups, ~32 MB a batch, polars' reader),
``row_group`` (the previous ``write_frame``: one row group at a time through pyarrow) and
``sink`` (before that: a streaming ``sink_csv``, which buffered up to 960 MB at 5M works).
The machine is shared: the load average is printed with every figure.
"""

from __future__ import annotations

import filecmp
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

WRITERS = ("batches", "row_group", "sink")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _row_group_csv(parquet: Path, out: Path) -> None:
    """The previous writer (39d1cae): one row group at a time, read by pyarrow."""
    import polars as pl
    import pyarrow.parquet as pq

    from biblio.report.run import _csv_safe
    from biblio.safeio import neutralise

    pf = pq.ParquetFile(parquet)
    with open(out, "wb") as fh:
        for i in range(max(pf.num_row_groups, 1)):
            part = pl.from_arrow(pf.read_row_group(i)) if pf.num_row_groups else pl.read_parquet(parquet)
            neutralise(_csv_safe(part)).write_csv(fh, include_header=i == 0)


def child(tables: Path, writer: str, out: Path, batch_mb: float) -> None:
    """Copy every stage table of ``tables`` into ``out`` with ``writer``; print one JSON line."""
    import polars as pl

    from biblio.report import run
    from biblio.report.run import STAGE_TABLES, _csv_safe, write_frame
    from biblio.safeio import write_csv

    if batch_mb:
        run._csv_in_batches.__kwdefaults__["batch_bytes"] = int(batch_mb * 2**20)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    for name in STAGE_TABLES:
        src, stem = tables / f"{name}.parquet", out / name
        if writer == "batches":
            write_frame(pl.scan_parquet(src), stem, source=src)
            continue
        shutil.copyfile(src, stem.with_suffix(".parquet"))
        if writer == "row_group":
            _row_group_csv(stem.with_suffix(".parquet"), stem.with_suffix(".csv"))
        else:
            write_csv(_csv_safe(pl.scan_parquet(stem.with_suffix(".parquet"))), stem.with_suffix(".csv"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": peak / 1024, "import_mb": base / 1024}))


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(Path(args[1]), args[2], Path(args[3]), float(args[4]))
        return
    from _synth import machine

    repeat, batch_mb, writers = 1, 0.0, WRITERS
    if "--batch-mb" in args:  # the batches writer's batch size (default: CSV_BATCH_BYTES)
        i = args.index("--batch-mb")
        batch_mb = float(args[i + 1])
        del args[i : i + 2]
    if "--writers" in args:
        i = args.index("--writers")
        writers = tuple(args[i + 1].split(","))
        del args[i : i + 2]
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i : i + 2]
    tables = Path(args[0])
    csv_mb = sum(p.stat().st_size for p in tables.glob("*.csv")) / 2**20
    print(f"machine: {machine()}; shared with other jobs, load average now {_load()} (1/5/15 min)")
    print(f"input: {tables} (SYNTHETIC; {csv_mb:,.0f} MB of CSV in the run)")
    root = Path(tempfile.mkdtemp(prefix="biblio-stage-copy-"))
    try:
        for r in range(repeat):
            for w in writers:
                out = root / w
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                load = _load()
                p = subprocess.run([sys.executable, __file__, "--child", str(tables), w, str(out), str(batch_mb)], capture_output=True, text=True, check=True)
                m = json.loads(p.stdout.strip().splitlines()[-1])
                print(f"  {w:>9} (round {r + 1}): wall {m['wall']:5.2f} s, CPU {m['cpu']:5.2f} s, peak RSS {m['peak_mb']:4.0f} MB "
                      f"(after imports {m['import_mb']:.0f} MB); load {load} -> {_load()}")
        diff = [p.name for p in sorted((root / writers[0]).glob("*.csv")) if not all(filecmp.cmp(p, root / w / p.name, shallow=False) for w in writers[1:])]
        print("CSV bytes identical across writers" if not diff else f"CSV bytes DIFFER: {diff}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
