"""Write a vetting run: a memo per person, a team summary, XLSX, JSON, CSV/Parquet, manifest.

The run folder appears whole or not at all (written beside it, then renamed).

Example:
    >>> run_dir = write_vet(vet(load_vet_query("queries/vet-demo.toml")))     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import polars as pl

from biblio import __version__
from biblio.errors import InputFileError
from biblio.lists import load_lists
from biblio.safeio import XLSX_OPTIONS, atomic_dir, neutralise
from biblio.vet.rules import CATEGORIES



def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "person"


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """List columns joined, then formula-looking text neutralised (:func:`biblio.safeio.neutralise`)."""
    return neutralise(df.with_columns(pl.col(c).list.join("; ") for c, t in df.schema.items() if isinstance(t, pl.List)))


def _frame(df: pl.DataFrame, stem: Path) -> None:
    df.write_parquet(stem.with_suffix(".parquet"))
    csv_safe(df).write_csv(stem.with_suffix(".csv"))


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def manifest(res: Any, run_id: str) -> dict[str, Any]:
    """Everything needed to reproduce and compare the run; never a secret."""
    eds = load_lists().editions.filter(pl.col("list_key").is_in(list(res.query.lists)))
    return {
        "tool": "biblio", "version": __version__, "kind": "vet", "run_id": run_id,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "query": {"name": res.query.name, "path": res.query.path, "sha256": res.query.file_sha256, "text": res.query.text},
        "as_of": res.as_of.isoformat(), "window": [d.isoformat() for d in res.window], "lookback_years": res.query.lookback_years,
        "people": [{"key": p.key, "name": p.name, "orcid": p.orcid, "openalex_id": p.openalex_id} for p in res.people],
        "rules": {"path": res.rules.path, "sha256": res.rules.sha256, "name": res.rules.name, "version": res.rules.version},
        "exclusions": {"path": str(res.query.exclude) if res.query.exclude else None, "work_ids": res.exclusions["work_id"].to_list()},
        "list_editions": [{k: _jsonable(v) for k, v in r.items()} for r in eds.select("list_key", "edition", "edition_date").iter_rows(named=True)],
        "source": {k: v for k, v in res.source_stats.items()}, "complete": bool(res.source_stats.get("complete", True)),
        "synthetic": res.n_synthetic > 0, "synthetic_works": res.n_synthetic,
        "counts": {"works": res.works.height, "facts": res.facts.height, "new_since": None if res.new is None else res.new.height},
        "since": res.since, "timings": res.timings,
    }


def _memo_context(res: Any, person: dict[str, Any]) -> dict[str, Any]:
    f = res.facts.filter(pl.col("person_key") == person["person_key"]).with_columns(pl.col("rules_met").str.split(";").alias("rules"))
    rows = [dict(r, rules=[x for x in (r["rules"] or []) if x]) for r in f.iter_rows(named=True)]
    return {
        "person": person, "categories": CATEGORIES,
        "facts_by_category": {c: [r for r in rows if r["category"] == c] for c in CATEGORIES},
        "unruled": [r for r in rows if not r["category"]],
        "works": res.works.filter(pl.col("person_key") == person["person_key"]).to_dicts(),
        "breakdown": res.by_list_year_entity.filter(pl.col("person_key") == person["person_key"]).to_dicts(),
        "rule_text": {r.id: r.text for r in res.rules.rules},
    }


def _html(res: Any, tmp: Path, run_id: str) -> None:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("biblio.vet", "templates"), autoescape=True)
    common = {"window": res.window, "as_of": res.as_of, "lookback": res.query.lookback_years, "rules": res.rules, "version": __version__,
              "run_id": run_id, "source": res.source_stats.get("source"), "synthetic": res.n_synthetic > 0}
    people = []
    for p in res.summary.to_dicts():
        p["memo"] = f"memo-{_slug(p['person_name'])}-{_slug(p['person_key'])[-4:]}.html"
        (tmp / p["memo"]).write_text(env.get_template("memo.html.j2").render(**common, **_memo_context(res, p)), encoding="utf-8")
        people.append(p)
    new = None if res.new is None else res.new.to_dicts()
    (tmp / "team.html").write_text(env.get_template("team.html.j2").render(**common, name=res.query.name, people=people, new=new, since=res.since),
                                   encoding="utf-8")


def _xlsx(res: Any, path: Path, man: dict[str, Any]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    head = wb.add_format({"bold": True, "bg_color": "#f6f8fa", "text_wrap": True})
    note = [("run", man["run_id"]), ("synthetic", "YES: fabricated records labelled [SYNTHETIC]" if man["synthetic"] else "no"),
            ("window", " to ".join(man["window"])), ("vetting date", man["as_of"]), ("rules", f"{res.rules.name} ({res.rules.version})"),
            ("what this is", "Facts and the reviewer rules they meet; not a verdict on any person.")]
    ws = wb.add_worksheet("about")
    for i, (k, v) in enumerate(note):
        ws.write(i, 0, k, head)
        ws.write(i, 1, v)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    frames = {"team": res.summary, "by_list_year_entity": res.by_list_year_entity, "facts": res.facts, "works": res.works,
              "rules": pl.DataFrame([{"id": r.id, "category": r.category, "fact": r.fact, "lists": ", ".join(r.lists), "listed": r.listed,
                                      "lookback_years": r.lookback_years, "text": r.text} for r in res.rules.rules])}
    if res.new is not None:
        frames["new_since"] = res.new
    for name, df in frames.items():
        _sheet(wb, name, csv_safe(df), head, synthetic=man["synthetic"])
    wb.close()


def _sheet(wb: Any, name: str, df: pl.DataFrame, head: Any, *, synthetic: bool) -> None:
    ws = wb.add_worksheet(name)
    cols = df.columns + (["synthetic"] if synthetic and "is_synthetic" not in df.columns else [])
    for j, c in enumerate(cols):
        ws.write(0, j, c, head)
        ws.set_column(j, j, min(50, max(10, len(c) + 2)))
    for i, row in enumerate(df.iter_rows(), start=1):
        for j, v in enumerate(row):
            ws.write(i, j, _jsonable(v) if v is not None else "")
        if len(cols) > df.width:
            ws.write(i, df.width, "SYNTHETIC")
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(df.height, 1), max(len(cols) - 1, 0))


def _write_files(res: Any, tmp: Path, rid: str) -> None:
    man = manifest(res, rid)
    for name, df in (("facts", res.facts), ("works", res.works), ("people", res.summary), ("exclusions", res.exclusions),
                     ("by_list_year_entity", res.by_list_year_entity)):
        _frame(df, tmp / name)
    if res.new is not None:
        _frame(res.new, tmp / "new_since")
    res.tables.write(tmp / "tables")
    _html(res, tmp, rid)
    _xlsx(res, tmp / "vet.xlsx", man)
    doc = {"manifest": man, "people": res.summary.to_dicts(), "facts": res.facts.to_dicts(), "works": res.works.to_dicts(),
           "new_since": None if res.new is None else res.new.to_dicts()}
    (tmp / "vet.json").write_text(json.dumps(doc, default=_jsonable, indent=1, ensure_ascii=False), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(man, default=_jsonable, indent=1, ensure_ascii=False), encoding="utf-8")


def write_vet(res: Any, *, output_dir: str | Path | None = None, run_id: str | None = None) -> Path:
    """Write the run folder ``<output_dir>/<name>/<run_id>/`` and return it."""
    from biblio.pipeline import new_run_id

    rid = run_id or new_run_id()
    run_dir = Path(output_dir if output_dir is not None else res.query.output_dir) / res.query.name / rid
    if run_dir.exists():
        raise InputFileError(f"{run_dir}: run folder already exists; pass a different --run-id or remove it")
    try:
        with atomic_dir(run_dir) as tmp:
            _write_files(res, tmp, rid)
    except OSError as e:
        raise InputFileError(f"{e.filename or run_dir}: cannot write the vetting run ({e.strerror}); check [output] dir is a writable folder with free space") from None
    (run_dir.parent / "LATEST").write_text(rid + "\n", encoding="utf-8")
    return run_dir
