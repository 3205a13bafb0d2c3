"""The only reader of environment variables.

Secrets come only from the environment and are never written to logs or manifests.

Example:
    >>> s = Settings.from_env({"BIBLIO_OPENALEX_URL": "http://127.0.0.1:8000"})
    >>> s.openalex_url
    'http://127.0.0.1:8000'
    >>> s.redacted()["api_key"] is None
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEFAULT_OPENALEX_URL = "https://api.openalex.org"
DEFAULT_CROSSREF_URL = "https://api.crossref.org"


def _default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "biblio"


@dataclass(frozen=True)
class Settings:
    """Run-time settings taken from the environment.

    ``OPENALEX_API_KEY``: the OpenAlex API key (required for live fetches since Feb 2026).
    ``BIBLIO_OPENALEX_URL``: base URL of the OpenAlex API or a self-hosted mirror.
    ``BIBLIO_CACHE_DIR``: where raw fetched pages are cached (default ``~/.cache/biblio``).
    ``BIBLIO_CROSSREF_URL``: base URL of Crossref's REST API (a test server or mirror).
    ``BIBLIO_MAILTO``: contact address sent to Crossref for its polite pool (optional).
    """

    api_key: str | None = field(default=None, repr=False)
    openalex_url: str = DEFAULT_OPENALEX_URL
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    crossref_url: str = DEFAULT_CROSSREF_URL
    mailto: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        key = (env.get("OPENALEX_API_KEY") or "").strip() or None
        url = (env.get("BIBLIO_OPENALEX_URL") or DEFAULT_OPENALEX_URL).strip().rstrip("/")
        cache = env.get("BIBLIO_CACHE_DIR")
        return cls(
            api_key=key,
            openalex_url=url,
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(env),
            crossref_url=(env.get("BIBLIO_CROSSREF_URL") or DEFAULT_CROSSREF_URL).strip().rstrip("/"),
            mailto=(env.get("BIBLIO_MAILTO") or "").strip() or None,
        )

    @staticmethod
    def debug_from_env(env: Mapping[str, str] | None = None) -> bool:
        """``BIBLIO_DEBUG=1``: print tracebacks instead of one-line errors."""
        env = os.environ if env is None else env
        return (env.get("BIBLIO_DEBUG") or "").strip().lower() not in ("", "0", "false", "no")

    def redacted(self) -> dict[str, object]:
        """Settings safe to log or write to a manifest: the key is never included."""
        return {
            "api_key": None,
            "api_key_set": self.api_key is not None,
            "openalex_url": redact_url(self.openalex_url),
            "cache_dir": str(self.cache_dir),
            "crossref_url": self.crossref_url,
            "mailto_set": self.mailto is not None,
        }


_SECRET_PARAMS = ("api_key", "apikey", "key", "token", "access_token", "password", "passwd", "secret", "sig", "signature")


def redact_url(text: object) -> str:
    """``text`` (a URL, or a message containing URLs) safe to print or store: no
    ``user:password@`` and no secret query values.

    Apply it to every URL that is printed, logged or written to a manifest.

    Example:
        >>> redact_url("https://bob:hunter2@mirror.example/works?filter=x&api_key=abc")
        'https://***@mirror.example/works?filter=x&api_key=***'
    """
    import re

    s = re.sub(r"(?<=//)[^/@\s?#]+@", "***@", str(text))
    names = "|".join(_SECRET_PARAMS)
    return re.sub(r"(?i)([?&;](?:" + names + r")=)[^&;#\s]*", r"\1***", s)
