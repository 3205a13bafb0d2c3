"""A disk cache of the built :class:`biblio.resolve.Matcher` (the organisation graph and the
list indexes): building it is ~1 CPU second of pure Python in every run, loading it ~0.3.

The cache key is a hash of every file of the installed ``biblio`` package (code and bundled
data: lists, organisation graph, places), the Python, polars and pyarrow versions and the
versions of the libraries the normaliser uses, and the matcher's options. Any change to any of
them is a new key, so a cached matcher is always the one this code and data would build. Only
matchers over the bundled lists are cached. Files live in ``<cache_dir>/matchers/`` (the
newest few kept); a file that cannot be read is rebuilt and replaced, never an error.
``BIBLIO_MATCHER_CACHE=0`` turns the cache off.

Example:
    >>> m = cached_matcher(lambda: "built", cache_dir=None, apply=["entity_list"], fuzzy=False)
    >>> m
    'built'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

#: How many cached matchers a cache folder keeps (different options or versions).
KEEP = 4
_LIBS = ("polars", "pyarrow", "rigour", "opencc-python-reimplemented", "english-words")


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """A hash of the path and bytes of every file of the ``biblio`` package (not ``__pycache__``).

    Example:
        >>> len(package_digest())
        32
    """
    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = [sys.version]
    for lib in _LIBS:
        try:
            out.append(f"{lib}={version(lib)}")
        except PackageNotFoundError:
            out.append(f"{lib}=none")
    return ";".join(out)


def matcher_key(*, apply: Sequence[str], fuzzy: bool) -> str:
    """The cache key of a matcher with these options over the bundled lists.

    Example:
        >>> matcher_key(apply=["entity_list"], fuzzy=False) != matcher_key(apply=["entity_list"], fuzzy=True)
        True
    """
    text = "|".join([package_digest(), _versions(), ",".join(sorted(apply)), str(bool(fuzzy))])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def cached_matcher(build: Callable[[], Any], *, cache_dir: str | Path | None, apply: Sequence[str], fuzzy: bool) -> Any:
    """The matcher from ``<cache_dir>/matchers/<key>.pickle``, else ``build()`` (then stored there).

    ``cache_dir`` None, or ``BIBLIO_MATCHER_CACHE=0``: just ``build()``.
    """
    if cache_dir is None or os.environ.get("BIBLIO_MATCHER_CACHE", "1") == "0":
        return build()
    path = Path(cache_dir) / "matchers" / f"{matcher_key(apply=apply, fuzzy=fuzzy)}.pickle"
    from biblio.resolve import gc_paused  # resolve imports this module

    try:
        with open(path, "rb") as fh, gc_paused():  # ~0.4 -> ~0.2 CPU-s: no collections while the graph's objects are made
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: rebuilt, never an error
        pass
    matcher = build()
    _store(matcher, path)
    return matcher


def _store(matcher: Any, path: Path) -> None:
    """Write ``matcher`` to ``path`` atomically and prune the folder to the newest :data:`KEEP`;
    a cache that cannot be written (read-only, full disk) is skipped."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(matcher, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        old = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for p in old:
            p.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
