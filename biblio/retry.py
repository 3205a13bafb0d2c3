"""Retry rules shared by every HTTP client biblio runs (OpenAlex, Crossref).

One place says which answers are worth retrying, how long to wait between tries (jittered
exponential backoff) and how to read a server's ``Retry-After`` (seconds or an HTTP date).

Example:
    >>> 0.5 <= backoff(1) <= 1.0 and backoff(10) <= BACKOFF_CAP_S
    True
    >>> retry_after({"Retry-After": "7"})
    7.0
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from typing import Any, Mapping

BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
RETRYABLE = frozenset({429, 500, 502, 503, 504})


def backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` failed tries in a row (1, 2, 4 … capped, jittered 50–100 %)."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, failures - 1)) * (0.5 + random.random() / 2)


def retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """The ``Retry-After`` header in seconds (a number or an HTTP date), or None if absent or unreadable."""
    v = (headers or {}).get("Retry-After")
    if not v:
        return None
    try:
        return max(0.0, float(v))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(v)
            return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None
