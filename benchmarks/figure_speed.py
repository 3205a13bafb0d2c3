"""The report's six figures: CPU seconds to lay out, save as PNG and save as SVG, with the
installed matplotlib and (``--against VERSION``) another matplotlib in the same run.

    python benchmarks/figure_speed.py                      # the installed matplotlib
    python benchmarks/figure_speed.py --against 3.11.2     # and 3.11.2 (pip-installed once into --cache)

What the figures show comes from a real run: the demo query (``queries/demo.toml``, the
House committee's papers, offline) is run once into ``--cache`` and its report tables read
(:func:`biblio.report.figdata.figure_data`); the figures are then drawn as the plot helper
draws them (:mod:`biblio.report.figures`), each timing in a fresh process (one warm-up pass,
then the best of ``--repeat``). The cost does not grow with the run: it is the figures' text
and bars (~20 partners, the agencies, the lists). Prints the machine and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))


def figure_input(cache: Path) -> Path:
    """A pickle of the demo run's figure data and footer (the run is made once)."""
    out = cache / "figure_data.pkl"
    if out.exists():
        return out
    from biblio.pipeline import run_query
    from biblio.query import load_query
    from biblio.report import plotproc

    seen: dict = {}
    render = plotproc.render_figures

    def keep(data, *, footer, directory, on_png=None):  # noqa: ANN001, ANN202 - the report's own call
        seen.update(data=data, footer=footer)
        return render(data, footer=footer, directory=directory, on_png=on_png)

    os.environ["BIBLIO_PLOT_WORKER"] = "0"  # drawn here, so the call is seen
    plotproc.render_figures = keep
    run_query(load_query(REPO / "queries" / "demo.toml"), output_dir=cache / "demo-run")
    if not seen:
        raise SystemExit("the demo run drew no figures")
    out.write_bytes(pickle.dumps(seen))
    return out


def child(path: str, repeat: int) -> None:
    """Time each figure here: draw and lay out, PNG, SVG (CPU seconds, best of ``repeat``)."""
    import io

    import matplotlib

    from biblio.report.figures import DRAW, save_png, save_svg

    job = pickle.loads(Path(path).read_bytes())
    best: dict[str, list[float]] = {}
    for rep in range(repeat + 1):  # pass 0 warms fonts and caches
        for name, draw in DRAW.items():
            c0 = time.process_time()
            fig = draw(job["data"][name], footer=job["footer"])
            c1 = time.process_time()
            save_png(fig, io.BytesIO())
            c2 = time.process_time()
            save_svg(fig, io.BytesIO())
            got = [c1 - c0, c2 - c1, time.process_time() - c2]
            if rep:
                best[name] = [min(a, b) for a, b in zip(best.get(name, got), got)]
    print(json.dumps({"matplotlib": matplotlib.__version__, "figures": best}))


def measure(data: Path, repeat: int, extra_path: str | None = None) -> dict:
    """Run :func:`child` in a fresh process (``extra_path`` first on its path: another matplotlib)."""
    path = [p for p in (extra_path, str(REPO), os.environ.get("PYTHONPATH")) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "MPLBACKEND": "Agg"}
    p = subprocess.run([sys.executable, __file__, "--child", str(data), str(repeat)], capture_output=True, text=True, env=env, check=False)
    if p.returncode:
        raise SystemExit(f"timing failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def other_matplotlib(version: str, cache: Path) -> str:
    """A folder holding matplotlib ``version`` alone (pip-installed there once, no dependencies)."""
    target = cache / f"matplotlib-{version}"
    if not (target / "matplotlib").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), f"matplotlib=={version}"], check=True)
    return str(target)


def show(r: dict) -> float:
    """Print one matplotlib's table; return its total CPU seconds."""
    print(f"matplotlib {r['matplotlib']}: CPU seconds, best of the passes")
    print(f"  {'figure':16s} {'layout':>7s} {'PNG':>7s} {'SVG':>7s}")
    cols = [0.0, 0.0, 0.0]
    for name, v in r["figures"].items():
        print(f"  {name:16s} " + " ".join(f"{x:7.3f}" for x in v))
        cols = [a + b for a, b in zip(cols, v)]
    print(f"  {'all six':16s} " + " ".join(f"{x:7.3f}" for x in cols) + f"   total {sum(cols):.2f}")
    return sum(cols)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
        return
    from _synth import machine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", help="another matplotlib version, e.g. 3.11.2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("BIBLIO_BENCH_DIR", "/tmp/biblio-bench")) / "figures")
    a = ap.parse_args()
    a.cache.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}; load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    data = figure_input(a.cache)
    print(f"input: the demo run's figure data (real data), {data}")
    runs = [(None, measure(data, a.repeat))]
    if a.against:
        runs.append((a.against, measure(data, a.repeat, other_matplotlib(a.against, a.cache))))
    totals = [show(r) for _, r in runs]
    if len(totals) == 2:
        print(f"installed / {a.against}: {totals[0] / totals[1]:.2f} of the CPU time")


if __name__ == "__main__":
    main()
