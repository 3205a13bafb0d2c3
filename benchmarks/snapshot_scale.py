"""Snapshot scan at scale: works scanned per second and peak RSS, local engine and a local
2-worker Dask cluster, end to end (scan, flatten, resolve, report). All input is SYNTHETIC.

    python benchmarks/snapshot_scale.py [N[@SHARE] ...] [--engines local,dask] [--flatten-only | --no-flatten-check]
    # default N: 100000 1000000; snapshots are generated once under $BIBLIO_BENCH_DIR (default /tmp/biblio-bench)
    python benchmarks/snapshot_scale.py 103000@0.97 --engines local   # ~100k works in scope, 1M authorships
    python benchmarks/snapshot_scale.py 100000 --engines local --no-flatten-check --repeat 6 --against e73ee62
    # 6 runs of this checkout alternated with 6 of git revision e73ee62 (a temporary worktree), then min/median/max of each
    python benchmarks/snapshot_scale.py 100000 --engines local --no-flatten-check --repeat 6 --against bfa07fe --against-matplotlib 3.11.2
    # the same, git revision bfa07fe on matplotlib 3.11.2 (pip-installed once under $BIBLIO_BENCH_DIR/figures, put first on its path)

Each run is a fresh subprocess running ``biblio.pipeline.run_query`` on a query over a
partitioned SYNTHETIC snapshot in the published layout (``updated_date=…/part_NNN.gz`` + manifest;
~4-5 KB a work, 10% in scope with 10 authorships each, 1% re-issued in a newer partition).
Peak RSS is sampled (every 0.1 s) over the process and all its children (the Dask workers)
and summed. The machine is shared: the load average is printed with every figure. A VM's speed
drifts between minutes (the same run took 5.8 and 8.6 s minutes apart), so compare revisions
with ``--against``: runs alternate, and the summary counts the pairs each side won. Each run's
line ends with the seconds a fixed pure-Python loop took just before it (:func:`speed`): a slow
single core shows there, contention for the second core does not (on Dec 3 the loop held at
0.12-0.23 s while one commit's 100k runs went from 6.5 to 9.0 s). Then comes the share of the
CPUs' time the hypervisor gave to other guests during the run (steal, from ``/proc/stat``), which
does show a busy host.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BENCH = Path(os.environ.get("BIBLIO_BENCH_DIR", "/tmp/biblio-bench"))

QUERY = """# SYNTHETIC benchmark query
name = "bench-{n}"
description = "SYNTHETIC snapshot benchmark"
[window]
from = 2023-01-01
to = 2025-12-31
[funders]
agencies = ["all"]
[scope]
prc = "cn"
[source]
kind = "snapshot"
paths = ["{path}"]
[output]
dir = "{out}"
"""


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def snapshot(n: int, share: float = 0.10) -> Path:
    """The SYNTHETIC snapshot of ``n`` works, ``share`` of them in scope (generated once)."""
    from _synth import write_snapshot

    root = BENCH / (f"snap-{n}" if share == 0.10 else f"snap-{n}-s{share}")
    if not (root / "manifest").exists():
        t0 = time.perf_counter()
        stats = write_snapshot(root, n, in_scope=share)
        print(f"  generated {root}: {stats} in {time.perf_counter() - t0:.0f} s")
    return root


class PeakRSS(threading.Thread):
    """Samples the summed RSS of this process and its children, and their CPU seconds."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    if p.pid != me.pid:
                        c = p.cpu_times()
                        self.cpu[p.pid] = c.user + c.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.1)


def child(n: int, engine: str, share: float = 0.10) -> None:
    from biblio.pipeline import run_query
    from biblio.query import parse_query

    with tempfile.TemporaryDirectory(prefix="biblio-bench-out-") as out:  # a run's outputs are GBs at 1M+: never left behind
        q = parse_query(QUERY.format(n=n, path=snapshot(n, share), out=out), path=str(BENCH / "q.toml"))
        mon = PeakRSS()
        mon.start()
        load0 = _load()
        t0, c0 = time.perf_counter(), time.process_time()
        r = run_query(q, engine=engine)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        mon.stop.set()
        mon.join()
    print(json.dumps({"n": n, "engine": engine, "wall": wall, "cpu": cpu + sum(mon.cpu.values()), "peak_mb": mon.peak / 2**20, "scanned": r.fetch.meta_count,
                      "counts": r.counts, "timings": r.timings, "load_before": load0, "load_after": _load()}))


def flatten_vs_pandas(n: int = 20_000) -> None:
    """Columnar flatten (parse + 5 tables) vs json.loads + pandas.json_normalize (authorships only)."""
    import pandas as pd

    from _synth import synthetic_works
    from biblio.tables import flatten_frame, read_ndjson_bytes

    data = "\n".join(json.dumps(w) for w in synthetic_works(n)).encode()
    load = _load()
    t0 = time.process_time()
    t = flatten_frame(read_ndjson_bytes(data))
    b = time.process_time() - t0
    t0 = time.process_time()
    df = pd.json_normalize([json.loads(x) for x in data.split(b"\n")], record_path="authorships", meta=["id"])
    p = time.process_time() - t0
    sys.path.insert(0, str(HERE.parent / "tests"))
    from reference_flatten import flatten_reference

    recs = [json.loads(x) for x in data.split(b"\n")]
    t0 = time.process_time()
    flatten_reference(recs)
    ref = time.process_time() - t0
    print(f"flatten, {n:,} SYNTHETIC works x 10 authorships ({len(data) / n / 1024:.1f} KB each), CPU seconds, load {load}:")
    print(f"  biblio columnar (JSON bytes -> 5 tables, {t.authorships.height:,} authorships): {b:.2f} s = {n / b:,.0f} works/CPU-s")
    print(f"  pandas json.loads + json_normalize (authorships only, {len(df):,} rows):   {p:.2f} s = {n / p:,.0f} works/CPU-s  -> biblio {p / b:.1f}x faster")
    print(f"  previous record-by-record flatten (dicts already parsed):            {ref:.2f} s = {n / ref:,.0f} works/CPU-s")


def _fixed_costs(t: dict[str, float]) -> str:
    """The costs that do not grow with N: the matcher built beside the scan (and the wait for it),
    the report's steps (the figures are drawn by a helper process when a core is free, the workbook in a thread)."""
    parts = [f"matcher built {t.get('matcher_build_s', 0):.2f} s ({t.get('matcher_build_cpu_s', 0):.2f} CPU-s, beside the scan; waited {t.get('matcher_wait_s', 0):.2f} s)"]
    steps = [("stage tables (a thread)", "report_stage_tables_s"), ("report tables", "report_tables_s"),
             ("PNGs (waiting for the helper, or drawn here on a busy machine)", "report_plots_wait_s"), ("page", "report_page_s"),
             ("SVGs (waiting for the helper)", "report_svg_wait_s"), ("workbook (a thread since the report tables; the wait for it)", "report_workbook_s")]
    parts.append("report: " + ", ".join(f"{label} {t[k]:.2f}" for label, k in steps if k in t) + " s")
    return "; ".join(parts)


def _compiled(root: Path = HERE.parent) -> str:
    """Compile ``root``'s package bytecode first, as a user's first run leaves it: each run then
    measures the steady state, not the compiling of modules a run imports lazily (~0.35 CPU-s
    for the pipeline's modules when ``PYTHONDONTWRITEBYTECODE`` is set or a source changed)."""
    import compileall

    ok = compileall.compile_dir(str(root / "biblio"), quiet=1)
    return "biblio/ compiled (as after a first run)" if ok else "biblio/ NOT all compiled: runs include compiling"


def _options(args: list[str]) -> dict[str, Any]:
    """The command line's sizes and options (``args`` is consumed)."""
    opts: dict[str, Any] = {"engines": ["local", "dask"], "repeat": 1, "against": None, "against_mpl": None}
    flags = (("--engines", "engines", lambda v: v.split(",")), ("--repeat", "repeat", int), ("--against-matplotlib", "against_mpl", str), ("--against", "against", str))
    for flag, key, conv in flags:
        if flag in args:
            i = args.index(flag)
            opts[key] = conv(args[i + 1])
            del args[i : i + 2]
    opts["flatten_only"] = "--flatten-only" in args
    opts["skip_flatten"] = "--no-flatten-check" in args
    opts["sizes"] = [(int(x.split("@")[0]), float(x.split("@")[1]) if "@" in x else 0.10) for x in args if not x.startswith("--")] or [(100_000, 0.10), (1_000_000, 0.10)]
    return opts


def speed() -> float:
    """Seconds a fixed pure-Python loop takes here (3M additions, one core): this VM's speed
    drifts by up to 2x between minutes, and the loop's time, taken just before each run and
    printed with it, shows a slow phase of one core (less is faster); it cannot see contention
    for the other core."""
    t0, total = time.perf_counter(), 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - t0


def cpu_ticks() -> tuple[int, int] | None:
    """(steal, all) clock ticks of the machine's CPUs so far, from ``/proc/stat`` (``None`` where
    there is none). Steal is the time the hypervisor gave this VM's CPUs to other guests: a run
    that took longer with a high steal share was slowed by the host, not by the code."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks[:8])


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time stolen by the hypervisor between two :func:`cpu_ticks` readings.

    >>> steal_share((10, 1000), (30, 2000))
    0.02
    """
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _run(n: int, engine: str, share: float, tree: Path, extra: str = "") -> dict[str, Any] | str:
    """One run in a fresh subprocess on the ``biblio`` of ``tree`` (``extra`` first on its path:
    another matplotlib): its figures (with the :func:`speed` loop's seconds just before, and the
    hypervisor's :func:`steal_share` during it), or the error text."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(x for x in (extra, str(tree), os.environ.get("PYTHONPATH", "")) if x)}
    loop = speed()
    t0 = cpu_ticks()
    p = subprocess.run([sys.executable, __file__, "--child", str(n), engine, str(share)], capture_output=True, text=True, env=env, cwd=tree)
    stolen = steal_share(t0, cpu_ticks())
    return {**json.loads(p.stdout.strip().splitlines()[-1]), "loop_s": loop, "steal": stolen} if p.returncode == 0 else p.stderr[-1500:]


def _steal(r: dict[str, Any]) -> str:
    return "" if r.get("steal") is None else f"; steal {100 * r['steal']:.1f}%"


def _line(n: int, engine: str, r: dict[str, Any]) -> str:
    t, c = r["timings"], r["counts"]
    return (
        f"N={n:>9,} {engine:>5}: {r['scanned'] / r['wall']:>8,.0f} works/s scanned end to end ({r['wall']:.1f} s: scan+flatten {t['fetch_s']:.1f}, "
        f"resolve {t['resolve_s']:.1f}, report {t['report_s']:.1f}; CPU s in this process: scan+flatten {t['fetch_cpu_s']:.1f}, resolve {t['resolve_cpu_s']:.1f}, report {t['report_cpu_s']:.1f}); {r['scanned'] / r['cpu']:,.0f} works per CPU-second ({r['cpu']:.0f} CPU-s incl. workers); "
        f"peak RSS {r['peak_mb']:,.0f} MB (process + workers); "
        f"{c['works']:,} works / {c['authorships']:,} authorships kept; load {r['load_before']} -> {r['load_after']}; speed loop {r['loop_s']:.2f} s{_steal(r)}"
    )


def _summary(label: str, runs: list[dict[str, Any]]) -> str:
    walls = sorted(r["wall"] for r in runs)
    rate = sorted(r["scanned"] / r["wall"] for r in runs)
    loops = sorted(r["loop_s"] for r in runs)
    steals = sorted(r["steal"] for r in runs if r.get("steal") is not None)
    stolen = f"; steal {100 * steals[0]:.1f}-{100 * steals[-1]:.1f}%" if steals else ""
    return (f"  {label}: {len(runs)} runs, wall min {walls[0]:.2f} / median {statistics.median(walls):.2f} / max {walls[-1]:.2f} s; "
            f"works/s min {rate[0]:,.0f} / median {statistics.median(rate):,.0f} / max {rate[-1]:,.0f}; peak RSS max {max(r['peak_mb'] for r in runs):,.0f} MB; "
            f"speed loop {loops[0]:.2f}-{loops[-1]:.2f} s{stolen}")


def _compare(n: int, engine: str, share: float, opts: dict[str, Any], trees: dict[str, tuple[Path, str]]) -> None:
    """``opts["repeat"]`` runs on each tree, alternated; each run's line, then each tree's summary."""
    got: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
    for _ in range(opts["repeat"]):
        for label, (tree, extra) in trees.items():
            r = _run(n, engine, share, tree, extra)
            if isinstance(r, str):
                print(f"{label}: N={n:,} {engine}: FAILED\n{r}")
                continue
            got[label].append(r)
            print(f"{label}: {_line(n, engine, r)}" if len(trees) > 1 else _line(n, engine, r))
            print("    " + _fixed_costs(r["timings"]))
    if opts["repeat"] > 1 or len(trees) > 1:
        for label, runs in got.items():
            if runs:
                print(_summary(label, runs))
    if len(trees) == 2 and all(len(v) == opts["repeat"] for v in got.values()):
        a, b = got.values()
        print(f"  pairs where {list(trees)[0]} was faster: {sum(x['wall'] < y['wall'] for x, y in zip(a, b))} of {len(a)}")


def _trees(against: str | None, stack: contextlib.ExitStack, matplotlib: str | None = None) -> dict[str, tuple[Path, str]]:
    """This checkout, and a temporary worktree of git revision ``against`` (compiled, removed at
    exit), each with what goes first on its path: for ``against``, matplotlib version ``matplotlib``
    when given (:func:`figure_speed.other_matplotlib`), to measure a revision as it was installed."""
    here = HERE.parent
    if against is None:
        return {"this checkout": (here, "")}
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="biblio-against-"))) / "tree"
    subprocess.run(["git", "-C", str(here), "worktree", "add", "--detach", str(tmp), against], check=True, capture_output=True)
    stack.callback(subprocess.run, ["git", "-C", str(here), "worktree", "remove", "--force", str(tmp)], capture_output=True)
    print(f"bytecode of {against}: {_compiled(tmp)}")
    rev = subprocess.run(["git", "-C", str(tmp), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if matplotlib is None:
        return {"this checkout": (here, ""), f"{against} ({rev})": (tmp, "")}
    from figure_speed import other_matplotlib

    return {"this checkout": (here, ""), f"{against} ({rev}) on matplotlib {matplotlib}": (tmp, other_matplotlib(matplotlib, BENCH / "figures"))}


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(int(args[1]), args[2], float(args[3]))
        return
    from _synth import machine

    opts = _options(args)
    print(f"machine: {machine()}; shared with other jobs, load average now {_load()} (1/5/15 min)")
    print("input: SYNTHETIC partitioned snapshot (benchmarks/_synth.py write_snapshot)")
    print(f"bytecode: {_compiled()}")
    if not opts["skip_flatten"]:
        flatten_vs_pandas()
    if opts["flatten_only"]:
        return
    with contextlib.ExitStack() as stack:
        trees = _trees(opts["against"], stack, opts["against_mpl"])
        for n, share in opts["sizes"]:
            snapshot(n, share)
            for engine in opts["engines"]:
                _compare(n, engine, share, opts, trees)


if __name__ == "__main__":
    main()
