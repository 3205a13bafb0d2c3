"""The disk cache of the built matcher (issue 11): a cached matcher decides exactly as a fresh
one; the key follows code, data and options; a damaged file is rebuilt, never an error."""

from __future__ import annotations

import pickle
from pathlib import Path

import polars as pl
import pytest

from biblio import matcher_cache
from biblio.pipeline import build_matcher
from biblio.resolve import resolve_one

REPO = Path(__file__).resolve().parent.parent


def _decisions(m: object, rows: list[tuple[str, str | None]]) -> list[tuple[object, ...]]:
    out = []
    for text, cc in rows:
        hits, status = resolve_one(m, "raw", None, None, None, (), [text], cc)
        out.append((status, sorted((h.list_key, h.entity_key, h.method, round(h.score, 6), h.chain) for h in hits)))
    return out


def test_cached_matcher_decides_as_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIBLIO_MATCHER_CACHE", raising=False)
    lab = pl.read_csv(REPO / "benchmarks" / "data" / "resolver_labelled_v2.csv", infer_schema_length=0)
    fp = pl.read_csv(REPO / "benchmarks" / "data" / "resolver_fp.csv", infer_schema_length=0)
    rows = list(zip(lab["text"], lab["country_code"])) + list(zip(fp["text"], fp["country_code"]))[:300]
    first = build_matcher(cache_dir=tmp_path)  # built, then stored
    files = list((tmp_path / "matchers").glob("*.pickle"))
    assert len(files) == 1
    second = build_matcher(cache_dir=tmp_path)  # loaded
    assert second is not first
    fresh = _decisions(first, rows)
    assert sum(1 for _, hits in fresh if hits) > 300  # the sample flags
    assert _decisions(second, rows) == fresh


def test_key_follows_options_and_package(monkeypatch: pytest.MonkeyPatch) -> None:
    a = matcher_cache.matcher_key(apply=["entity_list", "1260h"], fuzzy=False)
    assert a == matcher_cache.matcher_key(apply=["1260h", "entity_list"], fuzzy=False)
    assert a != matcher_cache.matcher_key(apply=["entity_list"], fuzzy=False)
    assert a != matcher_cache.matcher_key(apply=["entity_list", "1260h"], fuzzy=True)
    monkeypatch.setattr(matcher_cache, "package_digest", lambda: "another checkout")
    assert a != matcher_cache.matcher_key(apply=["entity_list", "1260h"], fuzzy=False)


def test_damaged_or_unwritable_cache_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIBLIO_MATCHER_CACHE", raising=False)
    key = matcher_cache.matcher_key(apply=["x"], fuzzy=False)
    (tmp_path / "matchers").mkdir()
    (tmp_path / "matchers" / f"{key}.pickle").write_bytes(b"not a pickle")
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"built": len(calls)}

    assert matcher_cache.cached_matcher(build, cache_dir=tmp_path, apply=["x"], fuzzy=False) == {"built": 1}
    assert pickle.loads((tmp_path / "matchers" / f"{key}.pickle").read_bytes()) == {"built": 1}  # replaced
    assert matcher_cache.cached_matcher(build, cache_dir=tmp_path, apply=["x"], fuzzy=False) == {"built": 1} and len(calls) == 1
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    assert matcher_cache.cached_matcher(build, cache_dir=blocked, apply=["x"], fuzzy=False) == {"built": 2}
    monkeypatch.setenv("BIBLIO_MATCHER_CACHE", "0")
    assert matcher_cache.cached_matcher(build, cache_dir=tmp_path, apply=["x"], fuzzy=False) == {"built": 3}


def test_cache_keeps_the_newest_few(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIBLIO_MATCHER_CACHE", raising=False)
    for i in range(matcher_cache.KEEP + 3):
        matcher_cache.cached_matcher(lambda: i, cache_dir=tmp_path, apply=[f"list{i}"], fuzzy=False)
    assert len(list((tmp_path / "matchers").glob("*.pickle"))) == matcher_cache.KEEP
    assert not list((tmp_path / "matchers").glob(".*.tmp"))


def test_a_cached_matchers_lists_are_the_bundled_lists_the_report_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that loads its matcher from the cache takes the lists it carries as the bundled
    lists (no second load); they are the same frames as loading the files."""
    import subprocess
    import sys

    monkeypatch.delenv("BIBLIO_MATCHER_CACHE", raising=False)
    build_matcher(apply=["entity_list"], cache_dir=tmp_path)  # stored
    code = (
        "import sys; from polars.testing import assert_frame_equal; from biblio.pipeline import build_matcher; import biblio.lists.loader as L\n"
        "m = build_matcher(apply=['entity_list'], cache_dir=sys.argv[1])\n"
        "assert L.load_lists() is m.lists, 'not adopted'\n"
        "fresh = L._load(L.DATA_DIR)\n"
        "for name in ('entities', 'memberships', 'editions'): assert_frame_equal(getattr(m.lists, name), getattr(fresh, name))\n"
        "print('ok')"
    )
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-2000:]
